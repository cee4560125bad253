//! `ydt new`: a record skeleton from the kind's schema, for a clerk to fill in.

use std::path::Path;

use super::{EXIT_OK, EXIT_USAGE};
use crate::content;
use crate::diagnostics::display_path;
use crate::model::{ColumnType, KindSchema, Period};

/// `ydt new`: writes a record skeleton from the kind's schema for a clerk to fill in.
pub fn run(root: &Path, kind: &str, community: &str, period: Option<&str>) -> u8 {
    let (site, report) = content::load(root);
    let Some(site) = site else {
        report.print();
        return EXIT_USAGE;
    };
    let Some(schema) = site.kinds.get(kind) else {
        eprintln!(
            "error: unknown record kind `{kind}`; known kinds: {}",
            site.kinds.ids().join(", ")
        );
        return EXIT_USAGE;
    };
    let Some(c) = site.communities.iter().find(|c| c.slug == community) else {
        let known: Vec<&str> = site.communities.iter().map(|c| c.slug.as_str()).collect();
        eprintln!(
            "error: unknown community `{community}`; communities: {}",
            known.join(", ")
        );
        return EXIT_USAGE;
    };
    let period = match period {
        Some(p) => match Period::parse(p) {
            Ok(p) => p,
            Err(why) => {
                eprintln!("error: --period {p}: {why}");
                return EXIT_USAGE;
            }
        },
        None => match c
            .records
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.period)
            .max()
        {
            Some(p) => p.next(),
            None => c.latest_period().unwrap_or(Period {
                year: 2026,
                month: 1,
            }),
        },
    };
    let dir = root
        .join("content/communities")
        .join(community)
        .join("records");
    let path = dir.join(format!("{period}-{kind}.yaml"));
    if path.exists() {
        eprintln!(
            "error: {} already exists; edit it, or give another --period",
            display_path(root, &path)
        );
        return EXIT_USAGE;
    }
    let text = skeleton(schema, period);
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        eprintln!("error: cannot write {}: {e}", display_path(root, &path));
        return EXIT_USAGE;
    }
    println!("{}", display_path(root, &path));
    eprintln!(
        "wrote a {} ({}) record for {} {}; fill in the rows, then run ydt check",
        schema.kind, schema.name, c.name.value, period
    );
    EXIT_OK
}

/// A record file with every column shown once, described in comments.
pub fn skeleton(schema: &KindSchema, period: Period) -> String {
    let next = period.next();
    let mut s = format!(
        "# {name}：{description}\n# 填好每一行后运行 ydt check。金额写到分（如 1200.50），姓名要脱敏（张*）。\nkind: {kind}\nperiod: {period}\ntitle: {year}年{month}月{name}公开\npublished: {next}-05\nsummary: \nrows:\n",
        name = schema.name,
        description = schema.description,
        kind = schema.kind,
        year = period.year,
        month = period.month,
    );
    let mut first = true;
    for c in &schema.columns {
        let example = match c.ty {
            ColumnType::Money => "0.00".to_string(),
            ColumnType::Date => format!("{period}-01"),
            ColumnType::Integer => "0".to_string(),
            ColumnType::Person => "张*".to_string(),
            ColumnType::IdNumber => "340104********1234".to_string(),
            ColumnType::Text => c.values.first().cloned().unwrap_or_default(),
        };
        let lead = if first { "  - " } else { "    " };
        first = false;
        let need = match (c.required, c.values.is_empty()) {
            (true, true) => "必填".to_string(),
            (false, true) => "可不填".to_string(),
            (true, false) => format!("必填；可写：{}", c.values.join("、")),
            (false, false) => format!("可不填；可写：{}", c.values.join("、")),
        };
        s.push_str(&format!(
            "{lead}{}: {example}   # {}（{need}）\n",
            c.key, c.label
        ));
    }
    let totals: Vec<_> = schema.total_columns().collect();
    if !totals.is_empty() {
        s.push_str("totals:   # 合计：程序会核对是否等于各行之和\n");
        for c in totals {
            s.push_str(&format!("  {}: 0.00\n", c.key));
        }
    }
    s
}

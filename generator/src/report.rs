//! `ydt report`: the supervising body's daily view — visits per community and QR placement (the
//! quiet communities flagged), cases by community and status, overdue cases oldest first, the
//! share closed on time, and each community's missing disclosures for the month.
//!
//! It reads the content (for the communities, their placements and records) and the DynamoDB
//! tables through the function crate's own reads (`ydt_function::supervision`, `daily::overdue`),
//! then writes CSV files and one self-contained HTML page with inline SVG charts. [`assemble`] is
//! pure, so what the report says is tested without a server. Built only with the `dynamodb`
//! feature: the main build never compiles the AWS SDK.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ydt_function::clock::{Date, now_unix};
use ydt_function::daily::{self, OverdueCase};
use ydt_function::store::CaseTable;
use ydt_function::store::dynamodb::{TableNames, connect};
use ydt_function::supervision::{self, CaseSummary, Visit};
use ydt_function::table::status;

use crate::cli::{EXIT_OK, EXIT_USAGE};
use crate::content;
use crate::model::{Period, Site};

/// What `ydt report` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// The last day covered (`YYYY-MM-DD`, Asia/Shanghai); today when absent.
    pub date: Option<String>,
    /// Days of visits, ending with `date`.
    pub days: u32,
    /// The month whose disclosures are checked (`YYYY-MM`); the latest month on the site when absent.
    pub month: Option<String>,
    /// A community with fewer visits than this over the days is flagged; `days` when absent.
    pub min_visits: Option<u64>,
    /// Where the files go; `<root>/reports/<date>/` when absent.
    pub out: Option<PathBuf>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub tables: TableNames,
}

/// One community's line in every section.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityRow {
    pub slug: String,
    pub name: String,
    pub street: String,
    /// One count per day of [`Summary::days`].
    pub visits_by_day: Vec<u64>,
    pub visits: u64,
    /// Fewer visits than the threshold: 提醒访问量较低.
    pub low_visits: bool,
    /// (placement id, placement name, visits over the days), in community.yaml's order.
    pub placements: Vec<(String, String, u64)>,
    /// Complaints and suggestions by status (the six status values, in order).
    pub by_status: Vec<(String, u64)>,
    pub reports: u64,
    /// Cases (both tables) that reached a terminal status, and how many by their due date.
    pub closed: u64,
    pub closed_on_time: u64,
    /// (kind, name) of the required disclosures missing for the month.
    pub missing: Vec<(String, String)>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub title: String,
    pub date: Date,
    pub days: Vec<Date>,
    pub month: Period,
    pub threshold: u64,
    pub communities: Vec<CommunityRow>,
    pub overdue: Vec<OverdueCase>,
}

impl Summary {
    pub fn closed(&self) -> (u64, u64) {
        self.communities
            .iter()
            .fold((0, 0), |(c, t), r| (c + r.closed, t + r.closed_on_time))
    }
}

/// What was read from the tables.
#[derive(Debug, Clone, Default)]
pub struct Readings {
    pub visits: Vec<Visit>,
    pub cases: Vec<CaseSummary>,
    pub overdue: Vec<OverdueCase>,
}

/// Puts the report together from what was read. Visits and cases of communities not in the
/// content (a slug since removed) are left out.
pub fn assemble(
    site: &Site,
    date: Date,
    days: u32,
    month: Period,
    threshold: u64,
    readings: Readings,
) -> Summary {
    let Readings {
        visits,
        cases,
        overdue,
    } = readings;
    let first = Date::from_days(date.days() - i64::from(days.max(1)) + 1);
    let span: Vec<Date> = (first.days()..=date.days()).map(Date::from_days).collect();
    let communities = site
        .communities
        .iter()
        .map(|c| {
            let mine = visits.iter().filter(|v| v.community == c.slug);
            let visits_by_day: Vec<u64> = span
                .iter()
                .map(|d| {
                    mine.clone()
                        .filter(|v| v.day == *d && v.placement.is_none())
                        .map(|v| v.count)
                        .sum()
                })
                .collect();
            let total: u64 = visits_by_day.iter().sum();
            let placements: Vec<(String, String, u64)> = c
                .placements
                .iter()
                .map(|p| {
                    let n: u64 = mine
                        .clone()
                        .filter(|v| v.placement.as_deref() == Some(p.id.as_str()))
                        .map(|v| v.count)
                        .sum();
                    (p.id.clone(), p.name.value.clone(), n)
                })
                .collect();
            let own: Vec<&CaseSummary> = cases.iter().filter(|k| k.community == c.slug).collect();
            let by_status: Vec<(String, u64)> = status::ALL
                .iter()
                .map(|s| {
                    let n = own
                        .iter()
                        .filter(|k| k.table == CaseTable::Cases && k.status == *s)
                        .count() as u64;
                    (s.to_string(), n)
                })
                .collect();
            let closed: Vec<bool> = own.iter().filter_map(|k| k.closed_on_time()).collect();
            CommunityRow {
                slug: c.slug.clone(),
                name: c.name.value.clone(),
                street: c.street.value.clone(),
                visits_by_day,
                visits: total,
                low_visits: total < threshold,
                placements,
                by_status,
                reports: own.iter().filter(|k| k.table == CaseTable::Reports).count() as u64,
                closed: closed.len() as u64,
                closed_on_time: closed.iter().filter(|on_time| **on_time).count() as u64,
                missing: crate::checks::missing_kinds(site, c, month),
            }
        })
        .collect();
    Summary {
        title: site.config.title.value.clone(),
        date,
        days: span,
        month,
        threshold,
        communities,
        overdue,
    }
}

/// `ydt report`.
pub fn run(options: &Options) -> u8 {
    let (site, problems) = content::load(&options.root);
    let Some(site) = site else {
        for d in &problems.diagnostics {
            eprintln!("{d}");
        }
        return EXIT_USAGE;
    };
    let date = match options.date.as_deref() {
        Some(text) => match Date::parse(text) {
            Some(d) => d,
            None => {
                eprintln!("error: --date {text}: write it as YYYY-MM-DD");
                return EXIT_USAGE;
            }
        },
        None => Date::shanghai(now_unix()),
    };
    let month = match options.month.as_deref() {
        Some(text) => match Period::parse(text) {
            Ok(p) => p,
            Err(why) => {
                eprintln!("error: --month {text}: {why}");
                return EXIT_USAGE;
            }
        },
        None => match site
            .communities
            .iter()
            .filter_map(|c| c.latest_period())
            .max()
        {
            Some(p) => p,
            None => {
                eprintln!("error: the site has no records yet; give --month");
                return EXIT_USAGE;
            }
        },
    };
    let days = options.days.max(1);
    let threshold = options.min_visits.unwrap_or(u64::from(days));
    let slugs: Vec<String> = site.communities.iter().map(|c| c.slug.clone()).collect();

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return EXIT_USAGE;
        }
    };
    let read = runtime.block_on(async {
        let client = connect(options.endpoint.as_deref(), options.region.as_deref())
            .await
            .dynamodb;
        let names = &options.tables;
        let mut visits = Vec::new();
        for offset in (0..i64::from(days)).rev() {
            let day = Date::from_days(date.days() - offset);
            visits.extend(supervision::visits_on(&client, names, day).await?);
        }
        let mut cases = Vec::new();
        for slug in &slugs {
            for table in [CaseTable::Cases, CaseTable::Reports] {
                cases.extend(supervision::cases_of(&client, names, table, slug).await?);
            }
        }
        // Overdue on `date`: open and due before it.
        let overdue = daily::overdue(&client, names, date).await?;
        Ok::<_, ydt_function::store::StoreError>(Readings {
            visits,
            cases,
            overdue,
        })
    });
    let readings = match read {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot read the tables: {e}");
            return EXIT_USAGE;
        }
    };
    let summary = assemble(&site, date, days, month, threshold, readings);

    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.root.join("reports").join(date.to_string()));
    if let Err(e) = write_files(&out, &summary) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return EXIT_USAGE;
    }
    print!("{}", text(&summary));
    eprintln!("wrote {}", out.join("index.html").display());
    EXIT_OK
}

fn write_files(out: &Path, summary: &Summary) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    for (name, body) in csv_files(summary) {
        std::fs::write(out.join(name), body)?;
    }
    std::fs::write(out.join("index.html"), html(summary))
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

fn table_label(table: CaseTable) -> &'static str {
    match table {
        CaseTable::Cases => "投诉建议",
        CaseTable::Reports => "举报",
    }
}

/// The summary printed to the terminal.
pub fn text(s: &Summary) -> String {
    let mut t = String::new();
    let (first, last) = (s.days[0], s.date);
    let _ = writeln!(t, "{} 监督日报 {last}（访问量 {first} 至 {last}）", s.title);
    let _ = writeln!(t, "\n访问量（低于 {} 次提醒）", s.threshold);
    for c in &s.communities {
        let flag = if c.low_visits {
            "  ← 提醒：访问量较低"
        } else {
            ""
        };
        let _ = writeln!(t, "  {}  {}{flag}", c.name, c.visits);
    }
    let _ = writeln!(t, "\n逾期未办结 {} 件（最早的在前）", s.overdue.len());
    for o in &s.overdue {
        let _ = writeln!(
            t,
            "  {}  {}  {}  {}  期限 {}  逾期 {} 天",
            o.case_id,
            o.community_name,
            table_label(o.table),
            o.status,
            o.due_at,
            o.days_late(s.date)
        );
    }
    let (closed, on_time) = s.closed();
    let _ = writeln!(
        t,
        "\n按期办结率 {}（{on_time}/{closed}）",
        percent(on_time, closed)
    );
    let _ = writeln!(t, "\n{} 应公开而未公开", s.month);
    let mut any = false;
    for c in s.communities.iter().filter(|c| !c.missing.is_empty()) {
        any = true;
        let names: Vec<&str> = c.missing.iter().map(|(_, n)| n.as_str()).collect();
        let _ = writeln!(t, "  {}：{}", c.name, names.join("、"));
    }
    if !any {
        let _ = writeln!(t, "  无");
    }
    t
}

fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

fn csv(rows: Vec<Vec<String>>) -> String {
    // UTF-8 with BOM, so Excel on Chinese Windows opens it right.
    let mut out = String::from("\u{feff}");
    for row in rows {
        let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// `visits.csv`, `cases.csv`, `overdue.csv`, `disclosures.csv`.
pub fn csv_files(s: &Summary) -> Vec<(&'static str, String)> {
    let mut visits = vec![vec![
        "日期".into(),
        "社区代码".into(),
        "社区".into(),
        "张贴位置".into(),
        "访问量".into(),
        "提醒".into(),
    ]];
    for c in &s.communities {
        for (day, n) in s.days.iter().zip(&c.visits_by_day) {
            visits.push(vec![
                day.to_string(),
                c.slug.clone(),
                c.name.clone(),
                String::new(),
                n.to_string(),
                String::new(),
            ]);
        }
        for (id, name, n) in &c.placements {
            visits.push(vec![
                format!("{}~{}", s.days[0], s.date),
                c.slug.clone(),
                c.name.clone(),
                format!("{name}（{id}）"),
                n.to_string(),
                String::new(),
            ]);
        }
        visits.push(vec![
            format!("{}~{}", s.days[0], s.date),
            c.slug.clone(),
            c.name.clone(),
            "合计".into(),
            c.visits.to_string(),
            if c.low_visits {
                "访问量较低".into()
            } else {
                String::new()
            },
        ]);
    }

    let mut head: Vec<String> = vec!["社区代码".into(), "社区".into()];
    head.extend(status::ALL.iter().map(|s| s.to_string()));
    head.extend([
        "举报".into(),
        "已结案".into(),
        "按期办结".into(),
        "按期办结率".into(),
    ]);
    let mut cases = vec![head];
    for c in &s.communities {
        let mut row = vec![c.slug.clone(), c.name.clone()];
        row.extend(c.by_status.iter().map(|(_, n)| n.to_string()));
        row.extend([
            c.reports.to_string(),
            c.closed.to_string(),
            c.closed_on_time.to_string(),
            percent(c.closed_on_time, c.closed),
        ]);
        cases.push(row);
    }

    let mut overdue = vec![vec![
        "案件编号".into(),
        "类别".into(),
        "社区".into(),
        "状态".into(),
        "受理时间".into(),
        "办理期限".into(),
        "逾期天数".into(),
    ]];
    for o in &s.overdue {
        overdue.push(vec![
            o.case_id.clone(),
            format!("{}·{}", table_label(o.table), o.category_name),
            o.community_name.clone(),
            o.status.clone(),
            o.created_at.clone(),
            o.due_at.clone(),
            o.days_late(s.date).to_string(),
        ]);
    }

    let mut disclosures = vec![vec![
        "社区代码".into(),
        "社区".into(),
        "月份".into(),
        "未公开".into(),
    ]];
    for c in &s.communities {
        for (kind, name) in &c.missing {
            disclosures.push(vec![
                c.slug.clone(),
                c.name.clone(),
                s.month.to_string(),
                format!("{name}（{kind}）"),
            ]);
        }
    }
    vec![
        ("visits.csv", csv(visits)),
        ("cases.csv", csv(cases)),
        ("overdue.csv", csv(overdue)),
        ("disclosures.csv", csv(disclosures)),
    ]
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STATUS_COLOURS: [&str; 6] = [
    "#d9480f", "#f08c00", "#1c7ed6", "#7048e8", "#868e96", "#2b8a3e",
];

/// Horizontal bars: (label, value, flagged), labels right-aligned in `label_w` pixels.
fn bar_chart(rows: &[(String, u64, bool)], unit: &str, label_w: f64) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (bar_w, row_h) = (300.0, 28.0);
    let width = label_w + bar_w + 180.0;
    let height = row_h * rows.len() as f64 + 8.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">"#
    );
    for (i, (label, value, flagged)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let w = bar_w * (*value as f64) / (max as f64);
        let colour = if *flagged { "#c92a2a" } else { "#1971c2" };
        let note = if *flagged {
            "  提醒：访问量较低"
        } else {
            ""
        };
        let _ = write!(
            svg,
            r#"<text x="{tx}" y="{ty}" text-anchor="end" font-size="14">{label}</text><rect x="{x}" y="{y}" width="{w:.1}" height="20" fill="{colour}"/><text x="{vx:.1}" y="{ty}" font-size="13" fill="{colour}">{value}{unit}{note}</text>"#,
            tx = label_w - 8.0,
            ty = y + 15.0,
            x = label_w,
            label = esc(label),
            vx = label_w + w + 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Stacked bars of cases by status, one per community, with a legend.
fn status_chart(s: &Summary) -> String {
    let max = s
        .communities
        .iter()
        .map(|c| c.by_status.iter().map(|(_, n)| n).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (150.0, 400.0, 28.0);
    let height = row_h * (s.communities.len() as f64 + 1.0) + 8.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 {height}" width="640" height="{height}" role="img">"#
    );
    for (i, name) in status::ALL.iter().enumerate() {
        let x = 10.0 + 100.0 * i as f64;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="4" width="14" height="14" fill="{}"/><text x="{tx}" y="16" font-size="13">{name}</text>"#,
            STATUS_COLOURS[i],
            tx = x + 18.0
        );
    }
    for (i, c) in s.communities.iter().enumerate() {
        let y = 4.0 + row_h * (i as f64 + 1.0);
        let _ = write!(
            svg,
            r#"<text x="{tx}" y="{ty}" text-anchor="end" font-size="14">{}</text>"#,
            esc(&c.name),
            tx = label_w - 8.0,
            ty = y + 15.0
        );
        let mut x = label_w;
        for (j, (name, n)) in c.by_status.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = bar_w * (*n as f64) / (max as f64);
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="20" fill="{}"><title>{name} {n}</title></rect>"#,
                STATUS_COLOURS[j]
            );
            if w >= 18.0 {
                let _ = write!(
                    svg,
                    r##"<text x="{cx:.1}" y="{ty}" text-anchor="middle" font-size="12" fill="#fff">{n}</text>"##,
                    cx = x + w / 2.0,
                    ty = y + 15.0
                );
            }
            x += w;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A small line of daily visits.
fn sparkline(values: &[u64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 {
        116.0 / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                2.0 + step * i as f64,
                22.0 - 20.0 * (*v as f64) / max
            )
        })
        .collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 24" width="120" height="24"><polyline fill="none" stroke="#1971c2" stroke-width="2" points="{}"/></svg>"##,
        points.join(" ")
    )
}

/// The self-contained page: no script, no external file.
pub fn html(s: &Summary) -> String {
    let (first, last) = (s.days[0], s.date);
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title} 监督日报 {last}</title><style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#212529;max-width:980px}}h1{{font-size:24px}}h2{{font-size:19px;margin-top:32px;border-bottom:2px solid #dee2e6;padding-bottom:4px}}table{{border-collapse:collapse;margin:8px 0}}th,td{{border:1px solid #dee2e6;padding:4px 10px;text-align:left;font-size:14px}}th{{background:#f1f3f5}}td.n{{text-align:right}}.low{{color:#c92a2a;font-weight:bold}}.late{{color:#c92a2a}}.ok{{color:#2b8a3e}}p.note{{color:#495057;font-size:14px}}</style></head><body>"#,
        title = esc(&s.title)
    );
    let _ = write!(
        h,
        "<h1>{} 监督日报 {last}</h1><p class=\"note\">访问量统计 {first} 至 {last}（{} 天）；逾期按 {last} 计算；公开情况查 {}。</p>",
        esc(&s.title),
        s.days.len(),
        s.month
    );

    let low: Vec<&str> = s
        .communities
        .iter()
        .filter(|c| c.low_visits)
        .map(|c| c.name.as_str())
        .collect();
    let _ = write!(
        h,
        "<h2>各社区访问量</h2><p class=\"note\">低于 {} 次的社区标红提醒。{}</p>",
        s.threshold,
        if low.is_empty() {
            String::new()
        } else {
            format!(
                "<span class=\"low\">提醒访问量较低的社区：{}</span>",
                esc(&low.join("、"))
            )
        }
    );
    let rows: Vec<(String, u64, bool)> = s
        .communities
        .iter()
        .map(|c| (c.name.clone(), c.visits, c.low_visits))
        .collect();
    h.push_str(&bar_chart(&rows, " 次", 150.0));
    h.push_str("<table><tr><th>社区</th><th>街道</th><th>每日访问</th>");
    for d in &s.days {
        let _ = write!(h, "<th>{}</th>", &d.to_string()[5..]);
    }
    h.push_str("<th>合计</th></tr>");
    for c in &s.communities {
        let class = if c.low_visits { " class=\"low\"" } else { "" };
        let _ = write!(
            h,
            "<tr><td{class}>{}</td><td>{}</td><td>{}</td>",
            esc(&c.name),
            esc(&c.street),
            sparkline(&c.visits_by_day)
        );
        for n in &c.visits_by_day {
            let _ = write!(h, "<td class=\"n\">{n}</td>");
        }
        let _ = write!(h, "<td class=\"n\"{class}>{}</td></tr>", c.visits);
    }
    h.push_str("</table>");

    h.push_str("<h2>按二维码张贴位置</h2>");
    let rows: Vec<(String, u64, bool)> = s
        .communities
        .iter()
        .flat_map(|c| {
            c.placements
                .iter()
                .map(move |(_, name, n)| (format!("{}·{}", c.name, name), *n, false))
        })
        .collect();
    // Long labels (community · where the poster hangs): 14 px per character.
    let label_w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0) as f64 * 14.0 + 12.0;
    h.push_str(&bar_chart(&rows, " 次", label_w));

    h.push_str("<h2>案件办理情况</h2><p class=\"note\">投诉与建议按状态；举报单列。</p>");
    h.push_str(&status_chart(s));
    h.push_str("<table><tr><th>社区</th>");
    for st in status::ALL {
        let _ = write!(h, "<th>{st}</th>");
    }
    h.push_str("<th>举报</th><th>已结案</th><th>按期办结率</th></tr>");
    for c in &s.communities {
        let _ = write!(h, "<tr><td>{}</td>", esc(&c.name));
        for (_, n) in &c.by_status {
            let _ = write!(h, "<td class=\"n\">{n}</td>");
        }
        let _ = write!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            c.reports,
            c.closed,
            percent(c.closed_on_time, c.closed)
        );
    }
    let (closed, on_time) = s.closed();
    let _ = write!(
        h,
        "</table><p>全街道按期办结率：<strong>{}</strong>（{on_time}/{closed}，按期指结案日期不晚于办理期限）</p>",
        percent(on_time, closed)
    );

    let _ = write!(
        h,
        "<h2>逾期未办结（{} 件，最早的在前）</h2>",
        s.overdue.len()
    );
    if s.overdue.is_empty() {
        h.push_str("<p class=\"ok\">无逾期案件。</p>");
    } else {
        h.push_str("<table><tr><th>案件编号</th><th>类别</th><th>社区</th><th>状态</th><th>办理期限</th><th>逾期天数</th></tr>");
        for o in &s.overdue {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}·{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n late\">{}</td></tr>",
                esc(&o.case_id),
                table_label(o.table),
                esc(&o.category_name),
                esc(&o.community_name),
                esc(&o.status),
                esc(&o.due_at),
                o.days_late(s.date)
            );
        }
        h.push_str("</table>");
    }

    let _ = write!(h, "<h2>{} 应公开而未公开</h2>", s.month);
    let missing: Vec<&CommunityRow> = s
        .communities
        .iter()
        .filter(|c| !c.missing.is_empty())
        .collect();
    if missing.is_empty() {
        h.push_str("<p class=\"ok\">各社区均已公开。</p>");
    } else {
        h.push_str("<table><tr><th>社区</th><th>未公开</th></tr>");
        for c in missing {
            let names: Vec<String> = c.missing.iter().map(|(_, n)| esc(n)).collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"late\">{}</td></tr>",
                esc(&c.name),
                names.join("、")
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}

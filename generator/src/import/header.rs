//! Finding a sheet's header row and matching its columns to a record kind's.
//!
//! A roster opens with title rows (the community, the month, 单位：元), then the header, which may
//! take two rows under merged cells (发放金额 over 标准 | 金额). Columns are matched by the kind's
//! labels, its keys, the usual synonyms of the built-in kinds (身份证号码 / 公民身份号码 for
//! `id_number`, 发放金额（元） / 金额 for `amount` …) and the clerk's own `--map 列名=key`.

use super::cells::Unit;
use super::sheet::Sheet;
use crate::model::KindSchema;

/// How many rows from the top the header may start at.
const HEADER_SEARCH_ROWS: usize = 20;

/// The usual other names of the built-in kinds' columns, by kind and key.
const SYNONYMS: &[(&str, &str, &[&str])] = &[
    (
        "payouts",
        "name",
        &[
            "姓名",
            "户主姓名",
            "户主",
            "领取人",
            "领取人姓名",
            "救助对象",
            "对象姓名",
            "申请人",
            "保障对象",
            "补贴对象",
            "户名",
        ],
    ),
    (
        "payouts",
        "id_number",
        &[
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "公民身份证号码",
            "证件号码",
            "身份证",
            "证件号",
        ],
    ),
    (
        "payouts",
        "subsidy",
        &[
            "补贴项目",
            "救助类别",
            "补贴类别",
            "补贴类型",
            "救助类型",
            "项目",
            "类别",
            "保障类别",
            "补助项目",
        ],
    ),
    (
        "payouts",
        "standard",
        &["发放标准", "标准", "补助标准", "保障标准", "补贴标准"],
    ),
    (
        "payouts",
        "amount",
        &[
            "金额",
            "发放金额",
            "补助金额",
            "补贴金额",
            "救助金额",
            "实发金额",
            "保障金额",
            "月保障金额",
            "发放数额",
        ],
    ),
    ("payouts", "note", &["备注", "说明"]),
    ("finance", "date", &["日期", "记账日期", "发生日期"]),
    ("finance", "voucher", &["凭证号", "凭证编号", "凭证字号"]),
    ("finance", "summary", &["摘要", "事由", "内容"]),
    (
        "finance",
        "income",
        &["收入", "收入金额", "借方", "借方金额"],
    ),
    (
        "finance",
        "expense",
        &["支出", "支出金额", "贷方", "贷方金额"],
    ),
    (
        "assets",
        "name",
        &["名称", "资产名称", "资源名称", "项目名称"],
    ),
    ("assets", "category", &["类别", "资产类别", "类型"]),
    ("assets", "location", &["坐落位置", "坐落", "位置", "地址"]),
    (
        "assets",
        "quantity",
        &["数量", "面积", "数量/面积", "数量（面积）"],
    ),
    ("assets", "book_value", &["账面价值", "原值", "账面原值"]),
    ("assets", "use", &["使用情况", "用途", "使用状态"]),
    (
        "assets",
        "lessee",
        &["承租方", "承租人", "承包方", "承包人"],
    ),
    ("assets", "annual_rent", &["年租金", "租金", "年承包费"]),
    (
        "assets",
        "contract_end",
        &["合同到期", "到期日期", "合同到期日", "到期时间"],
    ),
    ("projects", "name", &["项目名称", "工程名称", "名称"]),
    (
        "projects",
        "contractor",
        &["施工单位", "承建单位", "中标单位"],
    ),
    ("projects", "budget", &["预算", "预算金额", "概算"]),
    (
        "projects",
        "contract_amount",
        &["合同金额", "中标金额", "合同价"],
    ),
    (
        "projects",
        "paid",
        &["已付款", "已付金额", "累计付款", "已支付"],
    ),
    ("projects", "start", &["开工日期", "开工时间"]),
    ("projects", "finish", &["竣工日期", "竣工时间"]),
    ("projects", "status", &["进度", "状态", "项目进度", "进展"]),
];

/// A header label as compared: no whitespace or required-field stars, full-width brackets as
/// ASCII, and anything in brackets (units, 脱敏) dropped.
pub(crate) fn normalise(label: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in label.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() || c == '*' || c == '＊' || c == ':' || c == '：' => {}
            c if depth == 0 => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// The unit a header names for its amounts: 万元 anywhere in it, else yuan.
fn unit_of(label: &str) -> Unit {
    if label.contains("万元") {
        Unit::TenThousandYuan
    } else {
        Unit::Yuan
    }
}

/// One column of the sheet, matched or not.
#[derive(Debug, Clone)]
pub(crate) struct SheetColumn {
    /// Index into the sheet's rows.
    pub index: usize,
    /// The header as written (both rows of a two-row header, joined).
    pub label: String,
    /// The kind's column it fills, if any.
    pub key: Option<String>,
    pub unit: Unit,
}

/// Where the header is and what each column is.
#[derive(Debug)]
pub(crate) struct Header {
    /// Index of the header's first row.
    pub row: usize,
    /// How many rows the header takes (1 or 2).
    pub height: usize,
    pub columns: Vec<SheetColumn>,
}

impl Header {
    pub(crate) fn column_of(&self, key: &str) -> Option<&SheetColumn> {
        self.columns.iter().find(|c| c.key.as_deref() == Some(key))
    }
}

/// The names a column of `schema` is known by, normalised: its label, its key, the synonyms, and
/// the clerk's `--map` labels.
fn names_of(schema: &KindSchema, key: &str, label: &str, maps: &[(String, String)]) -> Vec<String> {
    let mut names = vec![normalise(label), normalise(key)];
    for (kind, k, synonyms) in SYNONYMS {
        if *kind == schema.kind && *k == key {
            names.extend(synonyms.iter().map(|s| normalise(s)));
        }
    }
    names.extend(
        maps.iter()
            .filter(|(_, k)| k == key)
            .map(|(label, _)| normalise(label)),
    );
    names
}

/// The key a header label stands for. The clerk's `--map` comes first, then the kind's columns in
/// their order.
fn key_for(label: &str, schema: &KindSchema, maps: &[(String, String)]) -> Option<String> {
    let wanted = normalise(label);
    if wanted.is_empty() {
        return None;
    }
    if let Some((_, key)) = maps.iter().find(|(l, _)| normalise(l) == wanted) {
        return Some(key.clone());
    }
    schema
        .columns
        .iter()
        .find(|c| names_of(schema, &c.key, &c.label, maps).contains(&wanted))
        .map(|c| c.key.clone())
}

/// Matches the columns of a header of `height` rows starting at `row`. In a two-row header an
/// empty top cell over a filled sub-header belongs to the merged cell on its left.
fn match_columns(
    sheet: &Sheet,
    row: usize,
    height: usize,
    schema: &KindSchema,
    maps: &[(String, String)],
) -> Vec<SheetColumn> {
    let width = (row..row + height)
        .map(|r| sheet.rows.get(r).map_or(0, Vec::len))
        .max()
        .unwrap_or(0);
    let mut columns: Vec<SheetColumn> = Vec::new();
    let mut top_on_left = String::new();
    for index in 0..width {
        let top = sheet.cell(row, index).shown();
        let sub = if height == 2 {
            sheet.cell(row + 1, index).shown()
        } else {
            String::new()
        };
        if !top.is_empty() {
            top_on_left = top.clone();
        }
        let top = if top.is_empty() && !sub.is_empty() {
            top_on_left.clone()
        } else {
            top
        };
        let readings: Vec<String> = if sub.is_empty() {
            vec![top.clone()]
        } else {
            vec![sub.clone(), format!("{top}{sub}"), top.clone()]
        };
        let label = match (top.is_empty(), sub.is_empty()) {
            (_, true) => top.clone(),
            (true, false) => sub.clone(),
            (false, false) => format!("{top}/{sub}"),
        };
        let key = readings
            .iter()
            .filter_map(|r| key_for(r, schema, maps))
            .find(|k| !columns.iter().any(|c| c.key.as_deref() == Some(k.as_str())));
        if label.is_empty() {
            continue;
        }
        columns.push(SheetColumn {
            index,
            unit: unit_of(&label),
            label,
            key,
        });
    }
    columns
}

/// The header: the first of the top rows (alone, or with the row below as a two-row header)
/// that names the most of the kind's columns. `None` when no row names a required column.
pub(crate) fn find(
    sheet: &Sheet,
    schema: &KindSchema,
    maps: &[(String, String)],
) -> Option<Header> {
    let mut best: Option<((usize, bool), Header)> = None;
    for row in 0..sheet.rows.len().min(HEADER_SEARCH_ROWS) {
        for height in [1, 2] {
            let columns = match_columns(sheet, row, height, schema, maps);
            let matched = columns.iter().filter(|c| c.key.is_some()).count();
            let names_required = columns.iter().any(|c| {
                c.key
                    .as_deref()
                    .and_then(|k| schema.column(k))
                    .is_some_and(|col| col.required)
            });
            if !names_required {
                continue;
            }
            // More columns named wins; on a tie, a one-row header (a title row above the header
            // adds nothing), then the earlier row.
            let score = (matched, height == 1);
            if best.as_ref().is_none_or(|(best, _)| score > *best) {
                best = Some((
                    score,
                    Header {
                        row,
                        height,
                        columns,
                    },
                ));
            }
        }
    }
    best.map(|(_, header)| header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_compared_without_units_spaces_and_brackets() {
        assert_eq!(normalise("发放金额（元）"), "发放金额");
        assert_eq!(normalise(" 姓  名 "), "姓名");
        assert_eq!(normalise("*身份证号(脱敏)"), "身份证号");
        assert_eq!(normalise("金额【万元】"), "金额");
        assert_eq!(unit_of("金额（万元）"), Unit::TenThousandYuan);
        assert_eq!(unit_of("金额（元）"), Unit::Yuan);
    }
}

//! `ydt import`: a clerk's spreadsheet (a 低保 roster kept in Excel or WPS) becomes one checked
//! record under `content/communities/<slug>/records/`.
//!
//! The stages: [`sheet`] reads the file into cells, [`header`] finds the header below the title
//! rows and matches its columns to the kind's, [`cells`] turns each cell into an exact value, and
//! [`record`] writes the YAML. Names and ID numbers are masked by the one rule of
//! [`crate::checks::privacy`]; columns with no place in the kind (联系电话, 银行卡号, 家庭住址 …)
//! are never written. The record is read back and checked the way `ydt check` checks it before
//! anything is written: a refusal leaves the content as it was.
//!
//! It prints nothing (that is `cmd::import`).

mod cells;
mod header;
mod record;
mod sheet;

use std::path::{Path, PathBuf};

use ydt_function::clock::Date;

use crate::checks::{self, privacy};
use crate::content;
use crate::diagnostics::{Report, Severity, SourceFile, display_path};
use crate::model::{ColumnType, KindSchema, Money, Period};
use header::Header;
use record::RecordText;
use sheet::{Sheet, Value};

/// What the clerk asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub root: PathBuf,
    pub file: PathBuf,
    pub kind: String,
    pub community: String,
    pub period: Option<Period>,
    pub sheet: Option<String>,
    pub title: Option<String>,
    /// Default: `today`.
    pub published: Option<Date>,
    /// The record's name after the month (`dibao` → `2026-12-dibao.yaml`); default the kind.
    pub name: Option<String>,
    /// `--map 列名=key`: header labels the matching does not know.
    pub maps: Vec<(String, String)>,
    /// Today in Asia/Shanghai.
    pub today: Date,
}

/// Why nothing was written.
#[derive(Debug)]
pub enum Refusal {
    /// The command cannot run as asked: an unknown kind or community, a record that exists.
    Usage {
        message: String,
        help: Option<String>,
    },
    /// The spreadsheet cannot become a record as it is: the message names the sheet, row and
    /// cell.
    Sheet {
        message: String,
        help: Option<String>,
    },
    /// The record it would write does not pass the checks (or the site cannot be read).
    Content(Report),
}

fn usage(message: impl Into<String>, help: Option<String>) -> Refusal {
    Refusal::Usage {
        message: message.into(),
        help,
    }
}

fn refuse(message: impl Into<String>, help: impl Into<String>) -> Refusal {
    Refusal::Sheet {
        message: message.into(),
        help: Some(help.into()),
    }
}

/// What was written, for the summary.
#[derive(Debug)]
pub struct Imported {
    /// The record file, as shown to the clerk (relative to the root).
    pub path: String,
    pub source: String,
    pub sheet: String,
    /// Other sheets of the workbook, not read.
    pub other_sheets: Vec<String>,
    /// Sheet row numbers (1-based) of the header's rows.
    pub header_rows: (u32, u32),
    pub rows: usize,
    /// Sheet row numbers of the first and last rows written.
    pub data_rows: (u32, u32),
    pub blank_rows: usize,
    /// The 合计 row's number, when the sheet has one (its figures matched).
    pub total_row: Option<u32>,
    /// Per total column: its label and the computed total.
    pub totals: Vec<(String, Money)>,
    pub masked_names: usize,
    pub masked_ids: usize,
    /// Columns not written: their header and column letters.
    pub left_out: Vec<String>,
    pub title: String,
    pub period: Period,
}

/// Reads the spreadsheet, writes the record, or says why not (writing nothing).
pub fn import(request: &Request) -> Result<Imported, Refusal> {
    let (site, load_report) = content::load(&request.root);
    let Some(mut site) = site else {
        return Err(Refusal::Content(load_report));
    };
    let Some(schema) = site.kinds.get(&request.kind).cloned() else {
        return Err(usage(
            format!("没有“{}”这种记录", request.kind),
            Some(format!("可用的种类：{}", site.kinds.ids().join("、"))),
        ));
    };
    let Some(community_index) = site
        .communities
        .iter()
        .position(|c| c.slug == request.community)
    else {
        let known: Vec<&str> = site.communities.iter().map(|c| c.slug.as_str()).collect();
        return Err(usage(
            format!("没有“{}”这个社区", request.community),
            Some(format!("社区文件夹有：{}", known.join("、"))),
        ));
    };
    for (label, key) in &request.maps {
        if schema.column(key).is_none() {
            return Err(usage(
                format!(
                    "--map {label}={key}：{} 记录没有 `{key}` 这一列",
                    schema.kind
                ),
                Some(format!("可用的列：{}", column_keys(&schema))),
            ));
        }
    }

    if !request.file.is_file() {
        return Err(usage(
            format!("找不到文件 {}", request.file.display()),
            None,
        ));
    }
    let sheet = sheet::read(&request.file, request.sheet.as_deref()).map_err(|why| {
        refuse(
            why,
            "用 Excel 或 WPS 打开文件确认能读，再另存为 .xlsx 或 .csv",
        )
    })?;
    let header = header::find(&sheet, &schema, &request.maps).ok_or_else(|| {
        refuse(
            format!(
                "{} 的前 20 行里找不到表头：没有一列的标题能对上{}（{}）的必填列",
                sheet_label(&request.file, &sheet),
                schema.name,
                required_labels(&schema)
            ),
            "用 --map 列名=key 指明，如 --map 户主=name --map 发放金额=amount",
        )
    })?;
    let missing: Vec<String> = schema
        .columns
        .iter()
        .filter(|c| c.required && header.column_of(&c.key).is_none())
        .map(|c| format!("{}（{}）", c.label, c.key))
        .collect();
    if !missing.is_empty() {
        return Err(refuse(
            format!(
                "{} 第 {} 行的表头里没有这些必填列：{}",
                sheet_label(&request.file, &sheet),
                sheet.row_number(header.row),
                missing.join("、")
            ),
            format!(
                "表头是：{}；用 --map 列名=key 指明对应关系",
                header
                    .columns
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ));
    }

    let title = request
        .title
        .clone()
        .or_else(|| title_above(&sheet, &header))
        .unwrap_or_default();
    let period = match request.period {
        Some(p) => p,
        None => period_in(&title)
            .or_else(|| {
                let file_name = request.file.file_name()?.to_string_lossy();
                period_in(&file_name)
            })
            .ok_or_else(|| {
                usage(
                    "看不出这是哪个月的记录：标题和文件名里都没有“2026年12月”这样的月份",
                    Some("用 --period 2026-12 指明".to_string()),
                )
            })?,
    };
    let community = &site.communities[community_index];
    let title = if title.is_empty() {
        format!(
            "{}{}{}公开",
            community.name.value,
            period.chinese(),
            schema.name
        )
    } else {
        title
    };
    let name = request.name.clone().unwrap_or_else(|| schema.kind.clone());
    let id = format!("{period}-{name}");
    if !content::is_slug(&id) {
        return Err(usage(
            format!("记录名“{name}”只能用小写英文字母、数字和短横线"),
            Some("如 --name dibao，文件就是 2026-12-dibao.yaml".to_string()),
        ));
    }
    let dir = request
        .root
        .join("content/communities")
        .join(&community.slug)
        .join("records");
    let path = dir.join(format!("{id}.yaml"));
    let shown = display_path(&request.root, &path);
    if path.exists() {
        return Err(usage(
            format!("{shown} 已经有了，不会覆盖"),
            Some(
                "要重新导入就先删掉它；同月另一份名单用 --name 另起名，如 --name linshi-jiuzhu"
                    .to_string(),
            ),
        ));
    }

    let public = privacy::PublicNumbers::new(
        site.config
            .public_phones
            .iter()
            .chain(community.public_phones.iter()),
    );
    let read = read_rows(&request.file, &sheet, &header, &schema, period, &public)?;
    let published = request.published.unwrap_or(request.today);
    let left_out: Vec<String> = header
        .columns
        .iter()
        .filter(|c| c.key.is_none())
        .map(|c| format!("{}（{} 列）", c.label, sheet.column_name(c.index)))
        .collect();
    let source_name = request
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = RecordText {
        schema: &schema,
        period,
        title: &title,
        published,
        source: &source_name,
        sheet: &sheet.name,
        left_out: &left_out,
        rows: &read.rows,
        totals: &read.totals,
    }
    .render();

    // Read back and checked as `ydt check` would, before anything is written.
    let file = SourceFile::new(shown.clone(), text.clone());
    let mut report = Report::default();
    if let Some(record) = content::read_record(&file, &id, &site.kinds, &mut report) {
        site.communities[community_index].records.push(record);
        checks::community(&site, &site.communities[community_index], &mut report);
    }
    report.diagnostics.retain(|d| {
        d.severity == Severity::Error && d.span.as_ref().is_some_and(|s| s.file.path == shown)
    });
    if report.has_errors() {
        return Err(Refusal::Content(report));
    }
    write_new(&dir, &path, &text).map_err(|e| usage(format!("写不了 {shown}：{e}"), None))?;

    let first = read.rows.first().map_or(0, |r| r.sheet_row);
    let last = read.rows.last().map_or(0, |r| r.sheet_row);
    Ok(Imported {
        path: shown,
        source: source_name,
        other_sheets: sheet
            .all_names
            .iter()
            .filter(|n| **n != sheet.name)
            .cloned()
            .collect(),
        sheet: sheet.name.clone(),
        header_rows: (
            sheet.row_number(header.row),
            sheet.row_number(header.row + header.height - 1),
        ),
        rows: read.rows.len(),
        data_rows: (first, last),
        blank_rows: read.blank_rows,
        total_row: read.total_row,
        totals: read
            .totals
            .iter()
            .map(|(key, m)| {
                let label = schema.column(key).map_or(key.clone(), |c| c.label.clone());
                (label, *m)
            })
            .collect(),
        masked_names: read.masked_names,
        masked_ids: read.masked_ids,
        left_out,
        title,
        period,
    })
}

/// Written aside and renamed into place, so a record is never half written.
fn write_new(dir: &Path, path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let aside = path.with_extension("yaml.importing");
    std::fs::write(&aside, text)?;
    std::fs::rename(&aside, path)
}

/// One row as it will be written: (key, value as written), in the kind's column order.
#[derive(Debug)]
pub(crate) struct RowOut {
    pub cells: Vec<(String, String)>,
    pub sheet_row: u32,
}

struct ReadRows {
    rows: Vec<RowOut>,
    totals: Vec<(String, Money)>,
    blank_rows: usize,
    total_row: Option<u32>,
    masked_names: usize,
    masked_ids: usize,
}

/// The data rows below the header, up to the 合计 row (whose figures must equal the computed
/// totals exactly). Blank rows, and rows with nothing in any of the kind's columns (a 制表人
/// line), are skipped.
fn read_rows(
    file: &Path,
    sheet: &Sheet,
    header: &Header,
    schema: &KindSchema,
    period: Period,
    public: &privacy::PublicNumbers,
) -> Result<ReadRows, Refusal> {
    let matched: Vec<(&header::SheetColumn, &crate::model::Column)> = schema
        .columns
        .iter()
        .filter_map(|col| header.column_of(&col.key).map(|sc| (sc, col)))
        .collect();
    let mut read = ReadRows {
        rows: Vec::new(),
        totals: Vec::new(),
        blank_rows: 0,
        total_row: None,
        masked_names: 0,
        masked_ids: 0,
    };
    let mut sums: Vec<(String, Money)> = schema
        .total_columns()
        .filter(|c| header.column_of(&c.key).is_some())
        .map(|c| (c.key.clone(), Money::ZERO))
        .collect();
    let place = |row: usize, sc: &header::SheetColumn| {
        format!(
            "{} 第 {} 行 {} 单元格（{}）",
            sheet_label(file, sheet),
            sheet.row_number(row),
            sheet.cell_name(row, sc.index),
            sc.label
        )
    };
    let mut total_row = None;
    for row in header.row + header.height..sheet.rows.len() {
        if is_total_row(&sheet.rows[row]) {
            total_row = Some(row);
            break;
        }
        let filled: Vec<_> = matched
            .iter()
            .filter(|(sc, _)| !sheet.cell(row, sc.index).is_empty())
            .collect();
        if filled.is_empty() {
            read.blank_rows += 1;
            continue;
        }
        let mut cells = Vec::new();
        for (sc, col) in &matched {
            let value = sheet.cell(row, sc.index);
            if value.is_empty() {
                if col.required {
                    return Err(refuse(
                        format!("{}是空的，这一列必须填", place(row, sc)),
                        "补上后再导入；不该公开的行请从表格中删去",
                    ));
                }
                continue;
            }
            let written = match col.ty {
                ColumnType::Money => {
                    let m = cells::money(value, sc.unit).map_err(|why| {
                        refuse(
                            format!("{}：{why}", place(row, sc)),
                            "改正这个单元格后再导入",
                        )
                    })?;
                    if let Some((_, sum)) = sums.iter_mut().find(|(k, _)| *k == col.key) {
                        *sum = *sum + m;
                    }
                    m.to_string()
                }
                ColumnType::Date => {
                    let date = cells::date(value).map_err(|why| {
                        refuse(
                            format!("{}：{why}", place(row, sc)),
                            "改正这个单元格后再导入",
                        )
                    })?;
                    if col.in_period && Period::from(date) != period {
                        return Err(refuse(
                            format!("{}：{date} 不在 {period} 之内", place(row, sc)),
                            "这一行应放进它所在月份的记录；日期写错了就改正后再导入",
                        ));
                    }
                    date.to_string()
                }
                ColumnType::Integer => cells::integer(value)
                    .map_err(|why| {
                        refuse(
                            format!("{}：{why}", place(row, sc)),
                            "改正这个单元格后再导入",
                        )
                    })?
                    .to_string(),
                ColumnType::Person => {
                    let name = cells::text(value);
                    if privacy::is_masked_name(&name) {
                        name
                    } else {
                        read.masked_names += 1;
                        privacy::mask_name(&name)
                    }
                }
                ColumnType::IdNumber => {
                    if let Value::Number(n) = value
                        && n.abs() >= 1e15
                    {
                        return Err(refuse(
                            format!(
                                "{}：身份证号存成了数字（{}），Excel 只保留 15 位有效数字，后几位已经变成 0",
                                place(row, sc),
                                cells::text(value)
                            ),
                            "把这一列的单元格格式设为“文本”，照原件重新录入身份证号后再导入",
                        ));
                    }
                    let id = cells::text(value);
                    if privacy::is_masked_id(&id) {
                        id
                    } else {
                        read.masked_ids += 1;
                        privacy::mask_id(&id).ok_or_else(|| {
                            refuse(
                                format!("{}：“{id}”不是 15 位或 18 位的身份证号", place(row, sc)),
                                "改正这个单元格，或清空它后再导入",
                            )
                        })?
                    }
                }
                ColumnType::Text => {
                    let text = cells::text(value);
                    if !col.values.is_empty() && !col.values.contains(&text) {
                        return Err(refuse(
                            format!("{}：“{text}”不是规定的写法", place(row, sc)),
                            format!("{}只能写：{}", col.label, col.values.join("、")),
                        ));
                    }
                    if let Some(finding) = privacy::scan(&text, public).first() {
                        return Err(refuse(
                            format!(
                                "{}里有{}：{}",
                                place(row, sc),
                                finding.kind.describe_zh(),
                                &text[finding.range.clone()]
                            ),
                            "这一格会公开给所有居民：删去或打码后再导入",
                        ));
                    }
                    text
                }
            };
            cells.push((col.key.clone(), written));
        }
        if !schema.one_of.is_empty() {
            let filled = schema
                .one_of
                .iter()
                .filter(|k| cells.iter().any(|(key, _)| key == *k))
                .count();
            if filled != 1 {
                let labels: Vec<&str> = schema
                    .one_of
                    .iter()
                    .filter_map(|k| schema.column(k).map(|c| c.label.as_str()))
                    .collect();
                return Err(refuse(
                    format!(
                        "{} 第 {} 行：{}只能填一个，这一行填了 {filled} 个",
                        sheet_label(file, sheet),
                        sheet.row_number(row),
                        labels.join("、")
                    ),
                    "一笔收入、一笔支出各占一行",
                ));
            }
        }
        read.rows.push(RowOut {
            cells,
            sheet_row: sheet.row_number(row),
        });
    }
    if read.rows.is_empty() {
        return Err(refuse(
            format!(
                "{} 的表头（第 {} 行）下面没有数据行",
                sheet_label(file, sheet),
                sheet.row_number(header.row)
            ),
            "确认选的是名单所在的工作表（--sheet 名称）",
        ));
    }
    if let Some(row) = total_row {
        for (key, computed) in &sums {
            let Some(sc) = header.column_of(key) else {
                continue;
            };
            let value = sheet.cell(row, sc.index);
            if value.is_empty() {
                continue;
            }
            let declared = cells::money(value, sc.unit).map_err(|why| {
                refuse(
                    format!("合计行 {}：{why}", place(row, sc)),
                    "改正合计后再导入",
                )
            })?;
            if declared != *computed {
                return Err(refuse(
                    format!(
                        "{}的合计是 {declared}，各行相加是 {computed}，两者不符",
                        place(row, sc)
                    ),
                    "核对名单中每一行的金额和合计，改正表格后再导入",
                ));
            }
        }
        read.total_row = Some(sheet.row_number(row));
    }
    read.totals = sums;
    Ok(read)
}

/// A 合计 (or 总计, 共计) row: its first filled cell says so.
fn is_total_row(row: &[Value]) -> bool {
    row.iter()
        .map(Value::shown)
        .find(|s| !s.is_empty())
        .is_some_and(|first| {
            let compact: String = first.chars().filter(|c| !c.is_whitespace()).collect();
            ["合计", "总计", "共计"]
                .iter()
                .any(|w| compact.starts_with(w))
        })
}

/// The sheet's title: the first filled cell above the header (a merged title row keeps its text in
/// its first cell).
fn title_above(sheet: &Sheet, header: &Header) -> Option<String> {
    (0..header.row)
        .flat_map(|r| sheet.rows[r].iter())
        .map(Value::shown)
        .find(|s| !s.is_empty() && !s.starts_with("单位"))
}

/// The first month named in `text`: `2026年12月`, `2026-12`, `2026.12`, `202612`.
fn period_in(text: &str) -> Option<Period> {
    let chars: Vec<char> = text.chars().collect();
    for start in 0..chars.len() {
        if start != 0 && chars[start - 1].is_ascii_digit() {
            continue;
        }
        let year: String = chars[start..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if year.len() != 4 {
            continue;
        }
        let rest = &chars[start + 4..];
        let (month, after): (String, usize) = match rest.first() {
            Some('年' | '-' | '.' | '/' | '_') => {
                let m: String = rest[1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                let after = 1 + m.len();
                (m, after)
            }
            _ => continue,
        };
        if !(1..=2).contains(&month.len()) || rest.get(after).is_some_and(char::is_ascii_digit) {
            continue;
        }
        if let Ok(p) = Period::parse(&format!("{year}-{:0>2}", month)) {
            return Some(p);
        }
    }
    None
}

fn sheet_label(file: &Path, sheet: &Sheet) -> String {
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if file_name == sheet.name {
        format!("“{file_name}”")
    } else {
        format!("“{file_name}”工作表“{}”", sheet.name)
    }
}

fn column_keys(schema: &KindSchema) -> String {
    schema
        .columns
        .iter()
        .map(|c| format!("{}（{}）", c.key, c.label))
        .collect::<Vec<_>>()
        .join("、")
}

fn required_labels(schema: &KindSchema) -> String {
    schema
        .columns
        .iter()
        .filter(|c| c.required)
        .map(|c| c.label.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

impl Imported {
    /// The summary for the clerk, one line each.
    pub fn summary(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "从“{}”（{}）导入了 {} 行：表头在第 {}{} 行，数据在第 {}–{} 行",
            self.source,
            if self.source == self.sheet {
                "CSV".to_string()
            } else {
                format!("工作表“{}”", self.sheet)
            },
            self.rows,
            self.header_rows.0,
            if self.header_rows.1 != self.header_rows.0 {
                format!("–{}", self.header_rows.1)
            } else {
                String::new()
            },
            self.data_rows.0,
            self.data_rows.1
        )];
        lines.push(format!("标题：{}；月份：{}", self.title, self.period));
        if self.blank_rows > 0 {
            lines.push(format!("跳过空行 {} 行", self.blank_rows));
        }
        for (label, total) in &self.totals {
            lines.push(format!("合计 {label}：{total}"));
        }
        if let Some(row) = self.total_row {
            lines.push(format!("第 {row} 行的合计与各行相加相符"));
        }
        lines.push(format!(
            "已打码：姓名 {} 个，身份证号 {} 个",
            self.masked_names, self.masked_ids
        ));
        if self.left_out.is_empty() {
            lines.push("每一列都已导入".to_string());
        } else {
            lines.push(format!("没有写入的列：{}", self.left_out.join("、")));
        }
        if !self.other_sheets.is_empty() {
            lines.push(format!(
                "没有读取的工作表：{}（用 --sheet 名称 选择）",
                self.other_sheets.join("、")
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_is_found_in_a_title_or_a_file_name() {
        let p = |t: &str| period_in(t).map(|p| p.to_string());
        assert_eq!(
            p("清水社区2026年12月城乡低保发放名册").as_deref(),
            Some("2026-12")
        );
        assert_eq!(p("2026年3月高龄津贴").as_deref(), Some("2026-03"));
        assert_eq!(p("/tmp/2026-11-dibao.xlsx").as_deref(), Some("2026-11"));
        assert_eq!(p("低保名册.xlsx"), None);
        assert_eq!(p("2026年13月"), None);
        assert_eq!(p("12026年1月"), None);
    }

    #[test]
    fn a_total_row_is_known_by_its_first_filled_cell() {
        let text = |s: &str| Value::Text(s.into());
        assert!(is_total_row(&[
            Value::Empty,
            text("合  计"),
            Value::Number(1.0)
        ]));
        assert!(is_total_row(&[text("总计：")]));
        assert!(!is_total_row(&[text("1"), text("合计")]));
        assert!(!is_total_row(&[]));
    }
}

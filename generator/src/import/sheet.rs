//! Reading a clerk's spreadsheet into a grid of cells: .xlsx, .xls and .ods through calamine,
//! .csv as Excel and WPS save it (UTF-8 with or without a BOM, or GBK on Chinese Windows). It
//! knows file formats and cell addresses (`F44`), nothing of record kinds.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

/// One cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Empty,
    Text(String),
    /// A number as Excel stores it: a double (amounts, or a date serial without a date format).
    Number(f64),
    /// A whole number (.ods and .xls may give these).
    Integer(i64),
    /// A cell formatted as a date.
    Date {
        year: u16,
        month: u8,
        day: u8,
    },
    /// An error value such as `#REF!`.
    Error(String),
}

impl Value {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a reader sees it, for labels and messages.
    pub(crate) fn shown(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Integer(n) => n.to_string(),
            Value::Date { year, month, day } => format!("{year}-{month:02}-{day:02}"),
            Value::Error(e) => e.clone(),
        }
    }
}

/// One sheet (or the whole of a CSV file) as rows of cells, with where it starts in the sheet so
/// cells can be named as the clerk sees them.
#[derive(Debug)]
pub(crate) struct Sheet {
    /// The sheet's name, or the CSV file's name.
    pub name: String,
    /// Sheet names the workbook has, in order (one for a CSV file).
    pub all_names: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Zero-based row and column of `rows[0][0]` in the sheet.
    pub origin: (u32, u32),
}

impl Sheet {
    /// The sheet's row number (1-based, as shown in Excel) of `rows[index]`.
    pub(crate) fn row_number(&self, index: usize) -> u32 {
        self.origin.0 + index as u32 + 1
    }

    /// The address of a cell, `F44`.
    pub(crate) fn cell_name(&self, row: usize, column: usize) -> String {
        format!(
            "{}{}",
            column_letters(self.origin.1 + column as u32),
            self.row_number(row)
        )
    }

    /// The letters of a column, `A`, `F`, `AB`.
    pub(crate) fn column_name(&self, column: usize) -> String {
        column_letters(self.origin.1 + column as u32)
    }

    pub(crate) fn cell(&self, row: usize, column: usize) -> &Value {
        self.rows
            .get(row)
            .and_then(|r| r.get(column))
            .unwrap_or(&Value::Empty)
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
fn column_letters(column: u32) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Reads `sheet` (or the first sheet) of the spreadsheet at `path`. The error is a sentence for
/// the clerk.
pub(crate) fn read(path: &Path, sheet: Option<&str>) -> Result<Sheet, String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "csv" | "txt" => read_csv(path),
        "xlsx" | "xlsm" | "xls" | "ods" | "xlsb" => read_workbook(path, sheet),
        _ => Err(format!(
            "{} 不是能读取的表格：请另存为 .xlsx、.xls、.ods 或 .csv",
            path.display()
        )),
    }
}

fn read_workbook(path: &Path, wanted: Option<&str>) -> Result<Sheet, String> {
    let mut workbook = open_workbook_auto(path).map_err(|e| {
        format!(
            "打不开 {}：{e}（文件是否损坏，或者不是表格？）",
            path.display()
        )
    })?;
    let names = workbook.sheet_names();
    let name = match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .cloned()
            .ok_or_else(|| format!("没有名为“{w}”的工作表；这个文件里有：{}", names.join("、")))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format!("{} 里没有工作表", path.display()))?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| format!("读不出工作表“{name}”：{e}"))?;
    let origin = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .map(|row| row.iter().map(cell_value).collect())
        .collect();
    Ok(Sheet {
        name,
        all_names: names,
        rows,
        origin,
    })
}

fn cell_value(data: &Data) -> Value {
    match data {
        Data::Empty => Value::Empty,
        Data::String(s) => Value::Text(s.clone()),
        Data::Float(f) => Value::Number(*f),
        Data::Int(i) => Value::Integer(*i),
        Data::Bool(b) => Value::Text(if *b { "是" } else { "否" }.to_string()),
        Data::DateTime(d) => {
            let (year, month, day, ..) = d.to_ymd_hms_milli();
            Value::Date { year, month, day }
        }
        // ISO 8601 text from .ods: the date part is what a record keeps.
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(format!("{e:?}")),
    }
}

fn read_csv(path: &Path) -> Result<Sheet, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("读不了 {}：{e}", path.display()))?;
    let text = decode(&bytes);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Sheet {
        all_names: vec![name.clone()],
        name,
        rows: parse_csv(&text)
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|cell| {
                        if cell.trim().is_empty() {
                            Value::Empty
                        } else {
                            Value::Text(cell)
                        }
                    })
                    .collect()
            })
            .collect(),
        origin: (0, 0),
    })
}

/// UTF-8 (a BOM dropped) when the bytes are UTF-8; otherwise GBK as Excel and WPS write it on
/// Chinese Windows (read as GB 18030, of which GBK is a part).
pub(crate) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// RFC 4180 as spreadsheets write it: commas (or tabs, when the first line has tabs and no
/// commas), fields in double quotes may hold commas, line breaks and doubled quotes.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        '\t'
    } else {
        ','
    };
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c if c == delimiter => row.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(5), "F");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
    }

    #[test]
    fn csv_fields_may_be_quoted_with_commas_quotes_and_line_breaks() {
        let rows =
            parse_csv("序号,姓名,金额\r\n1,\"张,三\",\"1,127.00\"\n2,\"说\"\"明\"\"\n续\",5\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], ["1", "张,三", "1,127.00"]);
        assert_eq!(rows[2], ["2", "说\"明\"\n续", "5"]);
        assert_eq!(parse_csv("a\tb\n1\t2")[1], ["1", "2"]);
    }

    #[test]
    fn gbk_and_utf8_with_or_without_bom_read_the_same() {
        let text = "姓名,金额\n欧阳明辉,1127.00\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(decode(&gbk), text);
        assert_eq!(decode(text.as_bytes()), text);
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode(&with_bom), text);
    }
}

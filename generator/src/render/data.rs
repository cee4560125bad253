//! Open-data downloads beside each record page (`data.csv` for Excel, `data.json` for programs)
//! and the function's `manifest.json`. Amounts are exact strings in both.

use serde::Serialize;
use ydt_function::manifest::{Community as ManifestCommunity, Manifest, RecordRef};

use super::csv::Csv;
use crate::model::{CellValue, Column, Community, KindSchema, Record, Site};

/// The columns a record's downloads show: the kind's columns that any row fills, in the kind's
/// order. The CSV and the spreadsheet show the same ones.
fn shown_columns<'k>(schema: &'k KindSchema, record: &Record) -> Vec<&'k Column> {
    schema
        .columns
        .iter()
        .filter(|c| record.rows.iter().any(|r| r.cells.contains_key(&c.key)))
        .collect()
}

/// The record as CSV (see [`Csv`]): column labels as the header, one line per row, and a closing
/// 合计 line with the computed totals.
pub(crate) fn csv(site: &Site, record: &Record) -> Vec<u8> {
    let Some(schema) = site.kinds.get(&record.kind) else {
        return Vec::new();
    };
    let mut csv = Csv::new();
    let columns = shown_columns(schema, record);
    csv.row(columns.iter().map(|c| c.label.as_str()));
    for row in &record.rows {
        csv.row(columns.iter().map(|c| match row.cells.get(&c.key) {
            Some(cell) => match cell.value {
                CellValue::Money(m) => m.to_string(),
                _ => cell.text.value.clone(),
            },
            None => String::new(),
        }));
    }
    if !record.totals.is_empty() {
        csv.row(
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| match record.totals.get(&c.key) {
                    Some(total) => total.to_string(),
                    None if i == 0 => TOTAL_LABEL.to_string(),
                    None => String::new(),
                }),
        );
    }
    csv.finish().into_bytes()
}

const TOTAL_LABEL: &str = "合计";

/// The record as a spreadsheet (`data.xlsx`) for Excel and WPS: the same header, rows and 合计
/// row as the CSV, on one sheet named after the kind; amounts are numbers shown `#,##0.00`,
/// everything else text. The file's dates come from the record (its publication day), so the
/// same record gives the same bytes.
pub(crate) fn xlsx(site: &Site, record: &Record) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let Some(schema) = site.kinds.get(&record.kind) else {
        return Ok(Vec::new());
    };
    let fail = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let columns = shown_columns(schema, record);
    let mut workbook = Workbook::new();
    let published = record.published;
    let created =
        ExcelDateTime::from_ymd(published.year, published.month, published.day).map_err(fail)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(record.title.value.as_str())
            .set_creation_datetime(&created),
    );
    let header = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let money_total = Format::new().set_num_format("#,##0.00").set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(&schema.name)).map_err(fail)?;
    for (col, c) in columns.iter().enumerate() {
        let col = col as u16;
        sheet
            .write_string_with_format(0, col, c.label.as_str(), &header)
            .map_err(fail)?;
    }
    let mut row_at = 1u32;
    for row in &record.rows {
        for (col, c) in columns.iter().enumerate() {
            let col = col as u16;
            let Some(cell) = row.cells.get(&c.key) else {
                continue;
            };
            match cell.value {
                CellValue::Money(m) => {
                    sheet
                        .write_with_format(row_at, col, m.0, &money)
                        .map_err(fail)?;
                }
                _ => {
                    sheet
                        .write_string(row_at, col, cell.text.value.as_str())
                        .map_err(fail)?;
                }
            }
        }
        row_at += 1;
    }
    if !record.totals.is_empty() {
        for (col, c) in columns.iter().enumerate() {
            let col = col as u16;
            match record.totals.get(&c.key) {
                Some(total) => {
                    sheet
                        .write_with_format(row_at, col, total.0, &money_total)
                        .map_err(fail)?;
                }
                None if col == 0 => {
                    sheet
                        .write_string_with_format(row_at, col, TOTAL_LABEL, &header)
                        .map_err(fail)?;
                }
                None => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    sheet.autofit();
    workbook.save_to_buffer().map_err(fail)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if cleaned.is_empty() {
        "Sheet1".to_string()
    } else {
        cleaned
    }
}

/// `/c/<slug>/datapackage.json`: a Frictionless Data Package (v1) describing every record's
/// `data.csv` of the community, each with a Table Schema that fits the CSV as published: money as
/// a number with two decimal places, dates ISO, names and ID numbers described with the masking
/// they went through, and the closing 合计 row (its label is a missing value, so the typed columns
/// stay valid). Paths are relative to the package, so `frictionless validate` works offline on
/// the downloaded folder.
pub(crate) fn datapackage(site: &Site, community: &Community) -> Vec<u8> {
    use crate::checks::privacy::{ID_MASK_STATEMENT, NAME_MASK_STATEMENT};
    use crate::model::ColumnType;
    let resources: Vec<serde_json::Value> = community
        .records
        .iter()
        .filter_map(|record| {
            let schema = site.kinds.get(&record.kind)?;
            let fields: Vec<serde_json::Value> = shown_columns(schema, record)
                .into_iter()
                .map(|c| {
                    let mut field = serde_json::Map::new();
                    field.insert("name".into(), c.label.clone().into());
                    let (ty, description) = match c.ty {
                        ColumnType::Money => {
                            ("number", Some("人民币元，精确到分（两位小数）".to_string()))
                        }
                        ColumnType::Date => ("date", None),
                        ColumnType::Integer => ("integer", None),
                        ColumnType::Person if !record.full_names => {
                            ("string", Some(NAME_MASK_STATEMENT.to_string()))
                        }
                        ColumnType::IdNumber => ("string", Some(ID_MASK_STATEMENT.to_string())),
                        ColumnType::Person | ColumnType::Text => ("string", None),
                    };
                    field.insert("type".into(), ty.into());
                    if let Some(description) = description {
                        field.insert("description".into(), description.into());
                    }
                    if c.ty == ColumnType::Money {
                        field.insert("decimalChar".into(), ".".into());
                        field.insert("bareNumber".into(), true.into());
                    }
                    serde_json::Value::Object(field)
                })
                .collect();
            Some(serde_json::json!({
                "name": record.id,
                "title": record.title.value,
                "description": format!(
                    "{}（{}）。最后一行“{TOTAL_LABEL}”是各金额列之和。",
                    schema.name, record.period
                ),
                "path": format!("{}/data.csv", record.id),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": { "delimiter": ",", "lineTerminator": "\r\n", "header": true },
                "schema": { "fields": fields, "missingValues": ["", TOTAL_LABEL] },
            }))
        })
        .collect();
    let package = serde_json::json!({
        "profile": "data-package",
        "name": community.slug,
        "title": format!("{}公开数据", community.name.value),
        "description": format!(
            "{}各月补贴发放、财务收支、三资和工程项目等公开记录，每项一张表（CSV，UTF-8）。",
            community.name.value
        ),
        "licenses": [DATA_LICENCE.json()],
        "resources": resources,
    });
    let mut bytes = serde_json::to_vec_pretty(&package).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The licence every dataset of the site is published under.
pub(crate) struct Licence {
    pub(crate) name: &'static str,
    pub(crate) title: &'static str,
    pub(crate) path: &'static str,
}

pub(crate) const DATA_LICENCE: Licence = Licence {
    name: "CC-BY-4.0",
    title: "知识共享 署名 4.0 国际（CC BY 4.0）",
    path: "https://creativecommons.org/licenses/by/4.0/deed.zh-hans",
};

impl Licence {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "name": self.name, "title": self.title, "path": self.path })
    }
}

#[derive(Serialize)]
struct RecordJson<'a> {
    community: CommunityRef<'a>,
    id: &'a str,
    kind: &'a str,
    kind_name: &'a str,
    period: String,
    title: &'a str,
    published: String,
    summary: Option<&'a str>,
    url: String,
    columns: Vec<ColumnJson<'a>>,
    rows: Vec<serde_json::Map<String, serde_json::Value>>,
    totals: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct CommunityRef<'a> {
    slug: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct ColumnJson<'a> {
    key: &'a str,
    label: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
}

pub(crate) fn json(site: &Site, community: &Community, record: &Record, base_url: &str) -> Vec<u8> {
    let Some(schema) = site.kinds.get(&record.kind) else {
        return Vec::new();
    };
    let rows = record
        .rows
        .iter()
        .map(|row| {
            schema
                .columns
                .iter()
                .filter_map(|c| row.cells.get(&c.key).map(|cell| (c, cell)))
                .map(|(c, cell)| {
                    let value = match cell.value {
                        CellValue::Money(m) => m.to_string(),
                        _ => cell.text.value.clone(),
                    };
                    (c.key.clone(), serde_json::Value::String(value))
                })
                .collect()
        })
        .collect();
    let doc = RecordJson {
        community: CommunityRef {
            slug: &community.slug,
            name: &community.name.value,
        },
        id: &record.id,
        kind: &record.kind,
        kind_name: &schema.name,
        period: record.period.to_string(),
        title: &record.title.value,
        published: record.published.to_string(),
        summary: record.summary.as_ref().map(|s| s.value.as_str()),
        url: format!("{base_url}/c/{}/{}/", community.slug, record.id),
        columns: schema
            .columns
            .iter()
            .map(|c| ColumnJson {
                key: &c.key,
                label: &c.label,
                ty: c.ty.published_name(),
            })
            .collect(),
        rows,
        totals: record
            .totals
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.to_string())))
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// What the submission function needs, from `site.yaml` and the communities.
pub(crate) fn manifest_of(
    site: &Site,
    base_url: &str,
    assets: std::collections::BTreeMap<String, String>,
) -> Manifest {
    let c = &site.config;
    Manifest {
        title: c.title.value.clone(),
        base_url: base_url.to_string(),
        supervisor: c.supervisor.clone(),
        response_days: c.response_days,
        accept_days: c.accept_days,
        reopen_days: c.reopen_days,
        objection_days: c.objection_days,
        categories: c.categories.clone(),
        communities: site
            .communities
            .iter()
            .map(|m| ManifestCommunity {
                slug: m.slug.clone(),
                name: m.name.value.clone(),
                street: m.street.value.clone(),
                district: m.district.value.clone(),
                handler: m.handler.clone(),
                placements: m.placements.iter().map(|p| p.id.clone()).collect(),
                records: m
                    .records
                    .iter()
                    .map(|r| RecordRef {
                        id: r.id.clone(),
                        title: r.title.value.clone(),
                        objection_until: c.objection_until(r).map(|d| d.to_string()),
                    })
                    .collect(),
            })
            .collect(),
        calendar: c.calendar.clone(),
        assets,
    }
}

pub(crate) fn manifest(
    site: &Site,
    base_url: &str,
    assets: std::collections::BTreeMap<String, String>,
) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(&manifest_of(site, base_url, assets)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

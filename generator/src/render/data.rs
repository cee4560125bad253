//! Open-data downloads beside each record page (`data.csv` for Excel, `data.json` for programs)
//! and the function's `manifest.json`. Amounts are exact strings in both.

use serde::Serialize;
use ydt_function::manifest::{Community as ManifestCommunity, Manifest, RecordRef};

use super::csv::Csv;
use crate::model::{CellValue, Community, Record, Site};

/// The record as CSV (see [`Csv`]): column labels as the header, one line per row, and a closing
/// 合计 line with the computed totals.
pub(crate) fn csv(site: &Site, record: &Record) -> Vec<u8> {
    let Some(schema) = site.kinds.get(&record.kind) else {
        return Vec::new();
    };
    let mut csv = Csv::new();
    let columns: Vec<_> = schema
        .columns
        .iter()
        .filter(|c| record.rows.iter().any(|r| r.cells.contains_key(&c.key)))
        .collect();
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
                    None if i == 0 => "合计".to_string(),
                    None => String::new(),
                }),
        );
    }
    csv.finish().into_bytes()
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
    ty: crate::model::ColumnType,
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
                ty: c.ty,
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
pub(crate) fn manifest_of(site: &Site, base_url: &str) -> Manifest {
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
    }
}

pub(crate) fn manifest(site: &Site, base_url: &str) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(&manifest_of(site, base_url)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

//! `records/<id>.yaml`: a typed disclosure record, read against its kind's schema. Each cell is
//! typed from the scalar's text (money never passes through a float).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::yaml::Doc;
use super::{RESERVED_IDS, is_slug};
use crate::diagnostics::{Diagnostic, Report, SourceFile, Span};
use crate::model::{Cell, CellValue, Money, Period, Record, Row};
use crate::model::{ColumnType, Kinds};
use ydt_function::clock::Date;

type S = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordFile {
    kind: S,
    period: S,
    title: S,
    published: S,
    #[serde(default)]
    summary: Option<S>,
    #[serde(default)]
    full_names: Option<Spanned<bool>>,
    #[serde(default)]
    publicity_days: Option<S>,
    rows: Vec<Spanned<BTreeMap<String, Spanned<Option<String>>>>>,
    #[serde(default)]
    totals: Option<BTreeMap<String, S>>,
}

pub(super) fn load_record(
    file: &Arc<SourceFile>,
    id: &str,
    kinds: &Kinds,
    report: &mut Report,
) -> Option<Record> {
    if !is_slug(id) || RESERVED_IDS.contains(&id) {
        report.push(
            Diagnostic::error(Span::whole(file), format!("record file name `{id}` cannot be used as a record id"))
                .with_help("name record files in lowercase ASCII with dashes, e.g. 2026-10-gaoling.yaml (not notices, jiandu, poster, qr, feed, static or quanli)"),
        );
        return None;
    }
    let doc = Doc::whole(file);
    let raw: RecordFile = match doc.parse(&file.text) {
        Ok(raw) => raw,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let kind = doc.text(raw.kind);
    let Some(schema) = kinds.get(kind.value.trim()) else {
        report.push(
            Diagnostic::error(
                kind.span.clone(),
                format!("unknown record kind `{}`", kind.value),
            )
            .with_help(format!(
                "known kinds: {} (or define one in content/kinds/)",
                kinds.ids().join(", ")
            )),
        );
        return None;
    };
    let period_text = doc.text(raw.period);
    let period = match Period::parse(&period_text.value) {
        Ok(p) => p,
        Err(why) => {
            report.push(Diagnostic::error(
                period_text.span.clone(),
                format!("`{}` is not a period: {why}", period_text.value),
            ));
            return None;
        }
    };
    if let Some(named) = id.get(..7).and_then(|p| Period::parse(p).ok())
        && named != period
    {
        report.push(
            Diagnostic::error(
                period_text.span.clone(),
                format!("period 写的是 {period}，文件名 {id}.yaml 却是 {named} 的"),
            )
            .with_help(format!(
                "改成 period: \"{named}\"，或把文件改名为 {period}{}.yaml",
                &id[7..]
            )),
        );
    }
    let published_text = doc.text(raw.published);
    let published = match Date::parse(&published_text.value) {
        Ok(d) => d,
        Err(why) => {
            report.push(Diagnostic::error(
                published_text.span.clone(),
                format!("`{}` is not a date: {why}", published_text.value),
            ));
            Date {
                year: period.year,
                month: period.month,
                day: 1,
            }
        }
    };
    let full_names = match raw.full_names {
        Some(f) if f.value && schema.columns.iter().all(|c| !c.is_person()) => {
            report.push(Diagnostic::error(
                doc.span(&f.referenced),
                format!(
                    "full_names only applies to records that list people; `{}` does not",
                    schema.kind
                ),
            ));
            false
        }
        Some(f) => f.value,
        None => false,
    };
    let publicity_days = match raw.publicity_days.map(|d| doc.text(d)) {
        None => None,
        Some(text) => match super::site::publicity(&text) {
            Ok(n) => Some(n),
            Err(d) => {
                report.push(d);
                None
            }
        },
    };

    let mut rows = Vec::new();
    // Columns with a cell that could not be read: their totals are not checked, so one typo
    // gives one error rather than a second about the sum.
    let mut unreadable: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for raw_row in raw.rows {
        let mut written: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        let row_span = doc.span(&raw_row.referenced);
        let mut cells = BTreeMap::new();
        for (key, value) in raw_row.value {
            let span = doc.span(&value.referenced);
            let Some(column) = schema.column(&key) else {
                report.push(
                    Diagnostic::error(
                        span,
                        format!("unknown column `{key}` in a {} record", schema.kind),
                    )
                    .with_help(format!(
                        "the columns of {} ({}) are: {}",
                        schema.kind,
                        schema.name,
                        schema
                            .columns
                            .iter()
                            .map(|c| c.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                continue;
            };
            let Some(text) = value
                .value
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
            else {
                continue; // an empty optional cell; required ones are caught below
            };
            written.insert(key.clone());
            let cell_value = match column.ty {
                ColumnType::Person | ColumnType::IdNumber => Ok(CellValue::Text),
                ColumnType::Text if !column.values.is_empty() && !column.values.contains(&text) => {
                    report.push(
                        Diagnostic::error(
                            span.clone(),
                            format!("{}只能填写规定的几种之一，“{text}”不在其中", column.label),
                        )
                        .with_help(format!("可以写：{}", column.values.join("、"))),
                    );
                    Ok(CellValue::Text)
                }
                ColumnType::Text => Ok(CellValue::Text),
                ColumnType::Money => Money::parse(&text).map(CellValue::Money),
                ColumnType::Date => Date::parse(&text).map(CellValue::Date),
                ColumnType::Integer => text
                    .parse::<i64>()
                    .map(CellValue::Integer)
                    .map_err(|_| "a whole number is expected here"),
            };
            match cell_value {
                Ok(v) => {
                    if let CellValue::Money(m) = v
                        && m.is_negative()
                    {
                        report.push(
                            Diagnostic::error(
                                span.clone(),
                                format!("{} cannot be negative", column.label),
                            )
                            .with_help("write refunds and corrections as their own line"),
                        );
                    }
                    if let CellValue::Date(d) = v
                        && column.in_period
                        && Period::from(d) != period
                    {
                        report.push(
                            Diagnostic::error(
                                span.clone(),
                                format!(
                                    "{} {d} is outside the record's period {period}",
                                    column.label
                                ),
                            )
                            .with_help(
                                "move the line to the record of its own month, or correct the date",
                            ),
                        );
                    }
                    cells.insert(
                        key,
                        Cell {
                            text: crate::model::Text { value: text, span },
                            value: v,
                        },
                    );
                }
                Err(why) => {
                    unreadable.insert(key.clone());
                    report.push(Diagnostic::error(
                        span,
                        format!("{} `{text}`: {why}", column.label),
                    ));
                }
            }
        }
        for column in schema.columns.iter().filter(|c| c.required) {
            if !written.contains(&column.key) {
                report.push(
                    Diagnostic::error(
                        row_span.clone(),
                        format!("this row has no `{}` ({})", column.key, column.label),
                    )
                    .with_help(format!("every {} row needs {}", schema.kind, column.key)),
                );
            }
        }
        if !schema.one_of.is_empty() {
            let filled: Vec<&String> = schema
                .one_of
                .iter()
                .filter(|k| written.contains(*k))
                .collect();
            if filled.len() != 1 {
                report.push(
                    Diagnostic::error(
                        row_span.clone(),
                        format!(
                            "a {} row fills exactly one of {}",
                            schema.kind,
                            schema.one_of.join(" / ")
                        ),
                    )
                    .with_help("split the line in two, or remove the empty field"),
                );
            }
        }
        rows.push(Row {
            cells,
            span: row_span,
        });
    }
    if rows.is_empty() {
        report.push(
            Diagnostic::error(Span::whole(file), "the record has no rows")
                .with_help("add the lines under rows:"),
        );
    }

    let mut totals = BTreeMap::new();
    for column in schema
        .total_columns()
        .filter(|c| !unreadable.contains(&c.key))
    {
        let sum: Money = rows
            .iter()
            .filter_map(|r| match r.cells.get(&column.key).map(|c| c.value) {
                Some(CellValue::Money(m)) => Some(m),
                _ => None,
            })
            .sum();
        totals.insert(column.key.clone(), sum);
    }
    let mut declared_totals = BTreeMap::new();
    for (key, value) in raw.totals.unwrap_or_default() {
        let text = doc.text(value);
        if schema.total_columns().all(|c| c.key != key) {
            report.push(
                Diagnostic::error(
                    text.span.clone(),
                    format!("`{key}` is not a total of a {} record", schema.kind),
                )
                .with_help(format!(
                    "totals can be given for: {}",
                    schema
                        .total_columns()
                        .map(|c| c.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
            continue;
        }
        match Money::parse(&text.value) {
            Ok(m) => {
                declared_totals.insert(key, (m, text.span));
            }
            Err(why) => report.push(Diagnostic::error(
                text.span.clone(),
                format!("total `{}`: {why}", text.value),
            )),
        }
    }

    Some(Record {
        id: id.to_string(),
        kind: schema.kind.clone(),
        kind_span: kind.span,
        period,
        title: doc.text(raw.title),
        published,
        summary: raw.summary.map(|s| doc.text(s)),
        full_names,
        publicity_days,
        rows,
        declared_totals,
        totals,
        span: Span::whole(file),
    })
}

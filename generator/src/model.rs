//! The site as plain data: what the clerks wrote, typed and located. Loading fills it, checks read
//! it, rendering turns it into pages. Every published string is a [`Text`] that remembers where it
//! came from, so a check can point at it.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ydt_function::clock::Date;
use ydt_function::manifest::{Body, Calendar, Category};

use crate::diagnostics::{SourceFile, Span};

/// A published string and where it was written.
#[derive(Debug, Clone)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

impl Text {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.value)
    }
}

/// Yuan with fen, exact. Never a float: read from the scalar's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses `1234.5`, `1234.50`, `-12.00`; refuses separators, currency signs and more than two
    /// decimals, so a clerk's typo is caught rather than rounded.
    pub fn parse(text: &str) -> Result<Money, &'static str> {
        let t = text.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err("an amount is written in yuan with digits only, like 1234.50");
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err("an amount is written in yuan with digits only, like 1234.50");
        }
        if fraction.len() > 2 {
            return Err("an amount has at most two decimals (fen)");
        }
        if whole.len() > 15 {
            return Err("the amount is too large");
        }
        Decimal::from_str(t).map(Money).map_err(|_| "not an amount")
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    /// Always two decimals: `1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        d.rescale(2);
        write!(f, "{d}")
    }
}

impl Serialize for Money {
    /// As a string, so no JSON reader turns it into a float.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// Record kinds as data: each kind (补贴发放, 财务收支, 三资, 工程项目, …) is a schema of columns,
// read by `content::kinds`. Adding a kind is a schema and perhaps a template, never code.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Text,
    /// A person's name: published masked unless the record says full names are required.
    Person,
    Money,
    Date,
    Integer,
    /// A resident ID number: only the masked shape is accepted (`340104********1234`).
    #[serde(rename = "id_number")]
    IdNumber,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    #[serde(default)]
    pub required: bool,
    /// Money columns only: the generator sums it and checks the declared total.
    #[serde(default)]
    pub total: bool,
    /// Date columns only: the date must fall in the record's period.
    #[serde(default)]
    pub in_period: bool,
    /// Text columns only: when given, the only values a cell may hold (三资 `category`: 资产, 资源,
    /// 资金).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl ColumnType {
    /// The type as the record's `data.json` names it. An ID-number column is text to whoever
    /// reads the download: only the checks treat it apart.
    pub fn published_name(self) -> &'static str {
        match self {
            ColumnType::Text | ColumnType::IdNumber => "text",
            ColumnType::Person => "person",
            ColumnType::Money => "money",
            ColumnType::Date => "date",
            ColumnType::Integer => "integer",
        }
    }
}

impl Column {
    pub fn is_person(&self) -> bool {
        self.ty == ColumnType::Person
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindSchema {
    pub kind: String,
    /// What residents call it, e.g. 补贴发放.
    pub name: String,
    pub description: String,
    /// The complaint category (an id of site.yaml's categories) a question about such a record
    /// goes under; the record page's 我要监督 link opens the form with it chosen.
    #[serde(default)]
    pub category: Option<String>,
    pub columns: Vec<Column>,
    /// Columns of which each row fills exactly one (a ledger line is income or expense).
    #[serde(default)]
    pub one_of: Vec<String>,
    /// The file it was read from, so the checks can point into it.
    #[serde(skip)]
    pub source: Option<Arc<SourceFile>>,
}

impl KindSchema {
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }

    pub fn total_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns
            .iter()
            .filter(|c| c.total && c.ty == ColumnType::Money)
    }
}

/// All kinds a site knows, by id, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Kinds {
    pub by_id: BTreeMap<String, KindSchema>,
}

impl Kinds {
    pub fn get(&self, id: &str) -> Option<&KindSchema> {
        self.by_id.get(id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.by_id.keys().map(String::as_str).collect()
    }
}

/// A disclosure month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: u16,
    pub month: u8,
}

impl From<Date> for Period {
    /// The month a date falls in.
    fn from(date: Date) -> Period {
        Period {
            year: date.year,
            month: date.month,
        }
    }
}

impl Period {
    pub fn parse(text: &str) -> Result<Period, &'static str> {
        let t = text.trim();
        let b = t.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err("a period is a month written YYYY-MM, like 2026-10");
        }
        let year = t[..4]
            .parse::<u16>()
            .map_err(|_| "a period is a month written YYYY-MM, like 2026-10")?;
        let month = t[5..]
            .parse::<u8>()
            .map_err(|_| "a period is a month written YYYY-MM, like 2026-10")?;
        if !(1..=12).contains(&month) {
            return Err("the month must be 01 to 12");
        }
        Ok(Period { year, month })
    }

    pub fn next(self) -> Period {
        if self.month == 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn chinese(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The whole site.
#[derive(Debug)]
pub struct Site {
    pub config: SiteConfig,
    pub kinds: Kinds,
    /// Sorted by street, then slug.
    pub communities: Vec<Community>,
    /// The site-wide small-power list, `content/powers/*.yaml`, by id.
    pub powers: Vec<Power>,
}

/// `content/site.yaml`.
#[derive(Debug)]
pub struct SiteConfig {
    pub title: Text,
    pub description: Text,
    pub base_url: String,
    pub lang: String,
    pub supervisor: Body,
    pub supervisor_text: Vec<Text>,
    /// The complaint categories' names and transfer bodies as written, for the checks.
    pub categories_text: Vec<Text>,
    pub response_days: u32,
    /// Working days to accept a case (the first clock); never more than the handling time.
    pub accept_days: u32,
    /// Working days of a case reopened by a 不满意 (二次办理).
    pub reopen_days: u32,
    /// Working days to answer an objection filed inside a record's 公示期.
    pub objection_days: u32,
    /// Days of 公示期 per record kind, counted from `published`; a kind not listed has none.
    pub publicity_days: BTreeMap<String, u32>,
    /// The forms offer 短信通知: only where the function can send SMS (`YDT_SMS`).
    pub sms_notices: bool,
    pub required_kinds: Vec<Text>,
    pub public_phones: Vec<String>,
    pub categories: Vec<Category>,
    pub calendar: Calendar,
}

#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    pub id: String,
    pub name: Text,
}

#[derive(Debug, Serialize)]
pub struct Office {
    pub address: Text,
    pub phone: Text,
    pub hours: Option<Text>,
}

/// `content/communities/<slug>/` and everything under it.
#[derive(Debug)]
pub struct Community {
    pub slug: String,
    pub name: Text,
    pub street: Text,
    pub district: Text,
    pub office: Office,
    pub handler: Body,
    pub handler_text: Vec<Text>,
    pub placements: Vec<Placement>,
    pub public_phones: Vec<String>,
    /// Newest period first, then by id.
    pub records: Vec<Record>,
    /// Newest first, then by id.
    pub notices: Vec<Notice>,
    /// The community's own small powers, `powers/*.yaml`, by id.
    pub powers: Vec<Power>,
    pub span: Span,
}

impl Community {
    /// "This month" on a page: the latest period any record has, never the build's clock.
    pub fn latest_period(&self) -> Option<Period> {
        self.records.iter().map(|r| r.period).max()
    }
}

/// One typed disclosure record, `records/<id>.yaml`.
#[derive(Debug)]
pub struct Record {
    pub id: String,
    pub kind: String,
    pub kind_span: Span,
    pub period: Period,
    pub title: Text,
    pub published: Date,
    pub summary: Option<Text>,
    /// Payouts only: the rules require the list with full names.
    pub full_names: bool,
    /// This record's own 公示期 in days, overriding its kind's.
    pub publicity_days: Option<u32>,
    pub rows: Vec<Row>,
    /// Per money column, as the clerk declared them.
    pub declared_totals: BTreeMap<String, (Money, Span)>,
    /// Per money column, computed from the rows.
    pub totals: BTreeMap<String, Money>,
    pub span: Span,
}

/// A row of a record: column key → cell.
#[derive(Debug)]
pub struct Row {
    pub cells: BTreeMap<String, Cell>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Cell {
    pub text: Text,
    pub value: CellValue,
}

#[derive(Debug, Clone, Copy)]
pub enum CellValue {
    Text,
    Money(Money),
    Date(Date),
    Integer(i64),
}

/// One small power of the 小微权力清单, `powers/<id>.yaml`: what it rests on, who exercises it,
/// the steps it must go through and what may never be done with it.
#[derive(Debug)]
pub struct Power {
    /// The file name: lowercase ASCII, part of `/quanli/<id>/`.
    pub id: String,
    pub name: Text,
    pub summary: Option<Text>,
    /// Laws and rules it rests on, as written (《社会救助暂行办法》 …).
    pub basis: Vec<Text>,
    /// Who exercises it (村（居）民委员会 …).
    pub acting_body: Text,
    pub steps: Vec<Step>,
    /// The record kind its result is published as, checked against the site's kinds.
    pub kind: Option<String>,
    /// The 负面清单: what officials may not do.
    pub negative_list: Vec<Text>,
    pub span: Span,
}

/// One step of a power's procedure.
#[derive(Debug)]
pub struct Step {
    pub who: Text,
    pub what: Text,
    /// As written, e.g. `5个工作日`.
    pub time_limit: Option<Text>,
    /// What must be made public at this step.
    pub publish: Option<Text>,
}

impl Power {
    /// Every string of the power that reaches a page.
    pub fn published_texts(&self) -> Vec<(&Text, PublishedAs)> {
        let mut out: Vec<&Text> = vec![&self.name, &self.acting_body];
        out.extend(&self.summary);
        out.extend(&self.basis);
        for step in &self.steps {
            out.push(&step.who);
            out.push(&step.what);
            out.extend(&step.time_limit);
            out.extend(&step.publish);
        }
        out.extend(&self.negative_list);
        out.into_iter().map(|t| (t, PublishedAs::Plain)).collect()
    }
}

/// A notice, `notices/<id>.md`.
#[derive(Debug)]
pub struct Notice {
    pub id: String,
    pub title: Text,
    pub date: Date,
    pub category: Text,
    pub summary: Option<Text>,
    /// The Markdown body as written.
    pub body: Text,
    /// The body as safe HTML (raw HTML in the Markdown is dropped).
    pub html: String,
}

impl Site {
    /// Every string that reaches a page, a download or the feed, with whether it names a payout
    /// recipient: what the privacy guard reads.
    pub fn published_texts(&self) -> Vec<(&Text, PublishedAs)> {
        let mut out = self.config.published_texts();
        for power in &self.powers {
            out.extend(power.published_texts());
        }
        for community in &self.communities {
            out.extend(community.published_texts(&self.kinds));
        }
        out
    }
}

impl SiteConfig {
    /// The last day of a record's 公示期 (`published` plus its days), if it has one.
    pub fn objection_until(&self, record: &Record) -> Option<Date> {
        let days = record
            .publicity_days
            .or_else(|| self.publicity_days.get(&record.kind).copied())?;
        Some(Date::from_days(record.published.days() + i64::from(days)))
    }

    /// The strings of `site.yaml` that reach a page.
    pub fn published_texts(&self) -> Vec<(&Text, PublishedAs)> {
        let mut out: Vec<(&Text, PublishedAs)> = vec![
            (&self.title, PublishedAs::Plain),
            (&self.description, PublishedAs::Plain),
        ];
        out.extend(self.supervisor_text.iter().map(|t| (t, PublishedAs::Plain)));
        out.extend(self.categories_text.iter().map(|t| (t, PublishedAs::Plain)));
        out
    }
}

impl Community {
    /// The strings of this community's files that reach a page, a download or the feed.
    pub fn published_texts<'a>(&'a self, kinds: &Kinds) -> Vec<(&'a Text, PublishedAs)> {
        let mut out: Vec<(&Text, PublishedAs)> = Vec::new();
        for t in [
            &self.name,
            &self.street,
            &self.district,
            &self.office.address,
            &self.office.phone,
        ] {
            out.push((t, PublishedAs::Plain));
        }
        out.extend(self.office.hours.iter().map(|t| (t, PublishedAs::Plain)));
        out.extend(self.handler_text.iter().map(|t| (t, PublishedAs::Plain)));
        out.extend(
            self.placements
                .iter()
                .map(|p| (&p.name, PublishedAs::Plain)),
        );
        for record in &self.records {
            out.push((&record.title, PublishedAs::Plain));
            out.extend(record.summary.iter().map(|t| (t, PublishedAs::Plain)));
            let schema = kinds.get(&record.kind);
            for row in &record.rows {
                for (key, cell) in &row.cells {
                    let ty = schema.and_then(|k| k.column(key)).map(|col| col.ty);
                    let how = match ty {
                        Some(ColumnType::Person) if !record.full_names => PublishedAs::MaskedName,
                        Some(ColumnType::IdNumber) => PublishedAs::MaskedId,
                        _ => PublishedAs::Plain,
                    };
                    out.push((&cell.text, how));
                }
            }
        }
        for notice in &self.notices {
            for t in [&notice.title, &notice.category, &notice.body] {
                out.push((t, PublishedAs::Plain));
            }
            out.extend(notice.summary.iter().map(|t| (t, PublishedAs::Plain)));
        }
        for power in &self.powers {
            out.extend(power.published_texts());
        }
        out
    }

    /// Drops what only the community's own pages read — rows, notice bodies, summaries — and
    /// with them the record and notice files' text, keeping what the site-wide pages need (ids,
    /// periods, dates, the community's own settings). A build renders a community's pages, then
    /// thins it, so a city's content is never all in memory at once.
    pub fn thin(&mut self) {
        let anchor = Span::new(&self.span.file, 0, 0);
        let blank = || Text {
            value: String::new(),
            span: anchor.clone(),
        };
        for r in &mut self.records {
            // The title's words stay (manifest.json names each record for objections), not the
            // file it points into.
            r.title.span = anchor.clone();
            r.summary = None;
            r.rows = Vec::new();
            r.declared_totals = BTreeMap::new();
            r.kind_span = anchor.clone();
            r.span = anchor.clone();
        }
        for n in &mut self.notices {
            n.title = blank();
            n.category = blank();
            n.summary = None;
            n.body = blank();
            n.html = String::new();
        }
    }
}

/// How a published string must look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishedAs {
    Plain,
    /// A payout recipient's name: must be masked (`张*`).
    MaskedName,
    /// A value of an ID-number column: only the masked shape (`340104********1234`).
    MaskedId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_and_written_with_fen() {
        let sum: Money = ["0.1", "0.2"]
            .iter()
            .map(|t| Money::parse(t).unwrap())
            .sum();
        assert_eq!(sum, Money::parse("0.3").unwrap());
        assert_eq!(sum.to_string(), "0.30");
        assert_eq!(Money::parse("1234").unwrap().to_string(), "1234.00");
        assert_eq!(Money::parse("-12.5").unwrap().to_string(), "-12.50");
    }

    #[test]
    fn money_refuses_what_a_clerk_might_mistype() {
        for bad in [
            "1,234.50", "¥12", "12.345", "1e3", "", "12.", ".5", "abc", "1 000",
        ] {
            assert!(Money::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn periods_are_validated() {
        assert_eq!(
            Period::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert!(Period::parse("2026-1").is_err());
        assert!(Period::parse("2026-00").is_err());
    }
}

//! What the supervising body reads from the tables for `ydt report`: a day's visit counts and a
//! community's cases (through the `by-community` index). Overdue cases come from
//! [`crate::daily::overdue`]. Read-only, and no Scan: every read is a Query on a key.

use aws_sdk_dynamodb::Client;

use crate::clock::Date;
use crate::store::dynamodb::TableNames;
use crate::store::dynamodb::attribute::{optional_text, s, text};
use crate::store::dynamodb::request::query_all;
use crate::store::{CaseTable, StoreError};
use crate::table::{self, attr, item, meta};

/// One visit counter: a community's day, or one of its QR placements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub day: Date,
    pub community: String,
    pub placement: Option<String>,
    pub count: u64,
}

/// A case as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub table: CaseTable,
    pub case_id: String,
    pub community: String,
    /// `complaint`, `report`, `suggestion` or `objection`.
    pub kind: String,
    /// An objection's record id, and whether it came after the 公示期.
    pub record: Option<String>,
    pub late: bool,
    /// The latest rating, if any.
    pub rating: Option<String>,
    pub status: String,
    pub created_at: String,
    pub due_at: String,
    pub closed_at: Option<String>,
}

impl CaseSummary {
    /// Closed (any terminal status) on or before its due date. `None` while open.
    pub fn closed_on_time(&self) -> Option<bool> {
        let closed = self.closed_at.as_deref()?.get(..10)?;
        Some(closed <= self.due_at.as_str())
    }
}

/// Every visit counter of one day (`pk = visits#<day>`).
pub async fn visits_on(
    client: &Client,
    names: &TableNames,
    day: Date,
) -> Result<Vec<Visit>, StoreError> {
    let query = client
        .query()
        .table_name(&names.meta)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", attr::PK)
        .expression_attribute_values(":pk", s(format!("{}{day}", meta::VISITS_PREFIX)));
    let mut visits = Vec::new();
    for found in query_all(query).await? {
        let sk = text(&found, attr::SK);
        let (community, placement) = match sk.split_once('#') {
            Some((c, p)) => (c.to_string(), Some(p.to_string())),
            None => (sk.clone(), None),
        };
        visits.push(Visit {
            day,
            community,
            placement,
            count: text(&found, attr::COUNT).parse().unwrap_or(0),
        });
    }
    Ok(visits)
}

/// Every case of one community in one table, through the `by-community` index.
pub async fn cases_of(
    client: &Client,
    names: &TableNames,
    table: CaseTable,
    community: &str,
) -> Result<Vec<CaseSummary>, StoreError> {
    let query = client
        .query()
        .table_name(names.case_table(table))
        .index_name(table::BY_COMMUNITY.name)
        .key_condition_expression("#c = :c")
        .expression_attribute_names("#c", attr::COMMUNITY)
        .expression_attribute_values(":c", s(community));
    let mut cases = Vec::new();
    for found in query_all(query).await? {
        if text(&found, attr::ITEM) != item::CASE {
            continue;
        }
        cases.push(CaseSummary {
            table,
            case_id: text(&found, attr::CASE_ID),
            community: text(&found, attr::COMMUNITY),
            kind: text(&found, attr::TYPE),
            record: optional_text(&found, attr::RECORD),
            late: matches!(
                found.get(attr::LATE),
                Some(aws_sdk_dynamodb::types::AttributeValue::Bool(true))
            ),
            rating: optional_text(&found, attr::RATING),
            status: text(&found, attr::STATUS),
            created_at: text(&found, attr::CREATED_AT),
            due_at: text(&found, attr::DUE_AT),
            closed_at: optional_text(&found, attr::CLOSED_AT),
        });
    }
    cases.sort_by(|a, b| a.case_id.cmp(&b.case_id));
    Ok(cases)
}

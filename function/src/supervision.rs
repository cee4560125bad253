//! What the supervising body reads from the tables for `ydt report`: a day's visit counts and a
//! community's cases (through the `by-community` index). Overdue cases come from
//! [`crate::daily::overdue`]. Read-only, and no Scan: every read is a Query on a key.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::clock::Date;
use crate::store::dynamodb::TableNames;
use crate::store::{CaseTable, StoreError};
use crate::table::{self, attr, item, meta};

type Item = HashMap<String, AttributeValue>;

/// A client for the given endpoint and region, else the SDK's usual environment
/// (`AWS_ENDPOINT_URL`, `AWS_REGION`, credentials chain).
pub async fn connect(endpoint: Option<&str>, region: Option<&str>) -> Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_string()));
    }
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    Client::new(&loader.load().await)
}

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

fn fault(err: impl std::error::Error) -> StoreError {
    StoreError(DisplayErrorContext(err).to_string())
}

fn text(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(v)) | Some(AttributeValue::N(v)) => v.clone(),
        _ => String::new(),
    }
}

/// Every visit counter of one day (`pk = visits#<day>`).
pub async fn visits_on(
    client: &Client,
    names: &TableNames,
    day: Date,
) -> Result<Vec<Visit>, StoreError> {
    let mut visits = Vec::new();
    let mut start = None;
    loop {
        let output = client
            .query()
            .table_name(&names.meta)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", attr::PK)
            .expression_attribute_values(
                ":pk",
                AttributeValue::S(format!("{}{day}", meta::VISITS_PREFIX)),
            )
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(fault)?;
        for found in output.items() {
            let sk = text(found, attr::SK);
            let (community, placement) = match sk.split_once('#') {
                Some((c, p)) => (c.to_string(), Some(p.to_string())),
                None => (sk.clone(), None),
            };
            visits.push(Visit {
                day,
                community,
                placement,
                count: text(found, attr::COUNT).parse().unwrap_or(0),
            });
        }
        start = output.last_evaluated_key().cloned();
        if start.is_none() {
            return Ok(visits);
        }
    }
}

/// Every case of one community in one table, through the `by-community` index.
pub async fn cases_of(
    client: &Client,
    names: &TableNames,
    table: CaseTable,
    community: &str,
) -> Result<Vec<CaseSummary>, StoreError> {
    let name = match table {
        CaseTable::Cases => &names.cases,
        CaseTable::Reports => &names.reports,
    };
    let mut cases = Vec::new();
    let mut start = None;
    loop {
        let output = client
            .query()
            .table_name(name)
            .index_name(table::BY_COMMUNITY.name)
            .key_condition_expression("#c = :c")
            .expression_attribute_names("#c", attr::COMMUNITY)
            .expression_attribute_values(":c", AttributeValue::S(community.to_string()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(fault)?;
        for found in output.items() {
            if text(found, attr::ITEM) != item::CASE {
                continue;
            }
            cases.push(CaseSummary {
                table,
                case_id: text(found, attr::CASE_ID),
                community: text(found, attr::COMMUNITY),
                status: text(found, attr::STATUS),
                created_at: text(found, attr::CREATED_AT),
                due_at: text(found, attr::DUE_AT),
                closed_at: Some(text(found, attr::CLOSED_AT)).filter(|c| !c.is_empty()),
            });
        }
        start = output.last_evaluated_key().cloned();
        if start.is_none() {
            cases.sort_by(|a, b| a.case_id.cmp(&b.case_id));
            return Ok(cases);
        }
    }
}

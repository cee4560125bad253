//! The morning job: the list of overdue cases (open and past `due_at`) to the supervising body
//! and to each community's handlers, and contact details removed from cases that closed more
//! than the configured number of days ago.
//!
//! Everything is found through the `by-status-due` index, one status at a time: overdue is the
//! key condition `status = <open status> AND due_at < today`; closed cases are the terminal
//! statuses, filtered to those still holding a contact. No Scan. `ydt report` reads overdue
//! cases with the same [`overdue`].

use std::collections::BTreeMap;

use aws_sdk_dynamodb::Client;

use crate::clock::Date;
use crate::notify::{Audience, Notice, Notifier};
use crate::store::dynamodb::TableNames;
use crate::store::dynamodb::attribute::{Item, s, text};
use crate::store::dynamodb::request::{CaseUpdate, query_all, update_case};
use crate::store::{CaseTable, StoreError};
use crate::table::{self, attr, item, status};

/// A case past its due date, as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCase {
    pub table: CaseTable,
    pub case_id: String,
    pub community: String,
    pub community_name: String,
    pub type_name: String,
    pub category_name: String,
    pub status: String,
    pub due_at: String,
    pub created_at: String,
}

impl OverdueCase {
    /// Whole days past due on `today`.
    pub fn days_late(&self, today: Date) -> i64 {
        Date::parse(&self.due_at).map_or(0, |due| today.days() - due.days())
    }
}

/// Every item of one `by-status-due` query.
async fn query_status(
    client: &Client,
    table: &str,
    status_value: &str,
    due_before: Option<&str>,
    filter: Option<&str>,
) -> Result<Vec<Item>, StoreError> {
    let mut query = client
        .query()
        .table_name(table)
        .index_name(table::BY_STATUS_DUE.name)
        .expression_attribute_names("#status", attr::STATUS)
        .expression_attribute_values(":status", s(status_value))
        .scan_index_forward(true);
    query = match due_before {
        Some(day) => query
            .key_condition_expression("#status = :status AND #due < :today")
            .expression_attribute_names("#due", attr::DUE_AT)
            .expression_attribute_values(":today", s(day)),
        None => query.key_condition_expression("#status = :status"),
    };
    if let Some(filter) = filter {
        query = query
            .filter_expression(filter)
            .expression_attribute_names("#name", attr::CONTACT_NAME)
            .expression_attribute_names("#phone", attr::CONTACT_PHONE);
    }
    query_all(query).await
}

/// Open cases whose `due_at` is before `today`, in both tables, oldest due first.
pub async fn overdue(
    client: &Client,
    names: &TableNames,
    today: Date,
) -> Result<Vec<OverdueCase>, StoreError> {
    let today = today.to_string();
    let mut found = Vec::new();
    for table in [CaseTable::Cases, CaseTable::Reports] {
        for open in status::OPEN {
            for it in
                query_status(client, names.case_table(table), open, Some(&today), None).await?
            {
                if text(&it, attr::ITEM) != item::CASE {
                    continue;
                }
                found.push(OverdueCase {
                    table,
                    case_id: text(&it, attr::CASE_ID),
                    community: text(&it, attr::COMMUNITY),
                    community_name: text(&it, attr::COMMUNITY_NAME),
                    type_name: text(&it, attr::TYPE_NAME),
                    category_name: text(&it, attr::CATEGORY_NAME),
                    status: text(&it, attr::STATUS),
                    due_at: text(&it, attr::DUE_AT),
                    created_at: text(&it, attr::CREATED_AT),
                });
            }
        }
    }
    found.sort_by(|a, b| (&a.due_at, &a.case_id).cmp(&(&b.due_at, &b.case_id)));
    Ok(found)
}

/// Removes `contact_name` and `contact_phone` from every case that closed (`closed_at`) at least
/// `retention_days` days before `today`. Returns the case numbers cleared.
pub(crate) async fn purge_contacts(
    client: &Client,
    names: &TableNames,
    today: Date,
    retention_days: i64,
) -> Result<Vec<String>, StoreError> {
    let mut cleared = Vec::new();
    for table in [CaseTable::Cases, CaseTable::Reports] {
        let name = names.case_table(table);
        for closed in [status::TRANSFERRED, status::NOT_ACCEPTED, status::CLOSED] {
            let holding = "attribute_exists(#name) OR attribute_exists(#phone)";
            for it in query_status(client, name, closed, None, Some(holding)).await? {
                let closed_at = text(&it, attr::CLOSED_AT);
                let Some(day) = closed_at.get(..10).and_then(|d| Date::parse(d).ok()) else {
                    continue;
                };
                if today.days() - day.days() < retention_days {
                    continue;
                }
                let case_id = text(&it, attr::CASE_ID);
                let remove = CaseUpdate {
                    update: "REMOVE #name, #phone",
                    condition: None,
                    names: &[
                        ("#name", attr::CONTACT_NAME),
                        ("#phone", attr::CONTACT_PHONE),
                    ],
                    values: &[],
                };
                update_case(client, name, &case_id, remove).await?;
                cleared.push(case_id);
            }
        }
    }
    Ok(cleared)
}

fn line(case: &OverdueCase, today: Date) -> String {
    format!(
        "{}  {}  {}{}  {}  期限 {}（逾期 {} 天）",
        case.case_id,
        case.community_name,
        case.type_name,
        if case.category_name.is_empty() {
            String::new()
        } else {
            format!("·{}", case.category_name)
        },
        case.status,
        case.due_at,
        case.days_late(today)
    )
}

/// The morning's notices: the whole list to the supervising body; each community's own overdue
/// complaints and suggestions to its handlers (reports never go to a community).
pub(crate) fn overdue_notices(cases: &[OverdueCase], today: Date) -> Vec<Notice> {
    if cases.is_empty() {
        return Vec::new();
    }
    let mut notices = vec![Notice {
        to: Audience::Supervisor,
        subject: format!("{today} 逾期未办结 {} 件", cases.len()),
        message: cases
            .iter()
            .map(|c| line(c, today))
            .collect::<Vec<_>>()
            .join("\n"),
    }];
    let mut by_community: BTreeMap<&str, Vec<&OverdueCase>> = BTreeMap::new();
    for c in cases.iter().filter(|c| c.table == CaseTable::Cases) {
        by_community.entry(&c.community).or_default().push(c);
    }
    for (community, list) in by_community {
        notices.push(Notice {
            to: Audience::Community(community.to_string()),
            subject: format!(
                "{today} {} 逾期未办结 {} 件",
                list[0].community_name,
                list.len()
            ),
            message: list
                .iter()
                .map(|c| line(c, today))
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    notices
}

/// What one morning did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Morning {
    pub overdue: usize,
    pub notices: usize,
    pub contacts_removed: Vec<String>,
}

/// The whole job for `today`.
pub async fn run(
    client: &Client,
    names: &TableNames,
    notifier: &impl Notifier,
    today: Date,
    retention_days: i64,
) -> Result<Morning, StoreError> {
    let cases = overdue(client, names, today).await?;
    let notices = overdue_notices(&cases, today);
    for notice in &notices {
        notifier.send(notice).await?;
    }
    let contacts_removed = purge_contacts(client, names, today, retention_days).await?;
    Ok(Morning {
        overdue: cases.len(),
        notices: notices.len(),
        contacts_removed,
    })
}

/// `YDT_CONTACT_RETENTION_DAYS`, default 180.
pub fn retention_days_from_env() -> i64 {
    std::env::var("YDT_CONTACT_RETENTION_DAYS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|d: &i64| *d >= 0)
        .unwrap_or(180)
}

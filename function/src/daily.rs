//! The morning job: the list of overdue cases (open and past `due_at`) to the supervising body
//! and to each community's handlers, and contact details removed from cases that closed more
//! than the configured number of days ago.
//!
//! A case has two clocks: `accept_due`, by when a 待受理 case must be accepted, and the handling
//! deadline, `due_at` or the handler's extension `extended_to`. The lists tell them apart
//! ([`Clock`]): 逾期未受理 and 逾期未办结.
//!
//! Everything is found through the `by-status-due` index, one status at a time: handling overdue
//! is the key condition `status = <open status> AND due_at < today` (an extension still in force
//! is then passed over); acceptance overdue is `status = 待受理` with `accept_due < today`;
//! closed cases are the terminal statuses, filtered to those still holding a contact. No Scan.
//! `ydt report` reads overdue cases with the same [`overdue`].

use std::collections::BTreeMap;

use aws_sdk_dynamodb::Client;

use crate::clock::Date;
use crate::notify::{Audience, Notice, Notifier};
use crate::store::dynamodb::TableNames;
use crate::store::dynamodb::attribute::{Item, s, text};
use crate::store::dynamodb::request::{CaseUpdate, query_all, update_case};
use crate::store::{CaseTable, StoreError};
use crate::table::{self, attr, item, status};

/// Which deadline a case has missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Clock {
    /// Still 待受理 after `accept_due`.
    Acceptance,
    /// Open after its handling deadline (`extended_to` if extended, else `due_at`).
    Handling,
}

impl Clock {
    pub fn label(self) -> &'static str {
        match self {
            Clock::Acceptance => "逾期未受理",
            Clock::Handling => "逾期未办结",
        }
    }
}

/// A case past one of its deadlines, as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCase {
    pub clock: Clock,
    pub table: CaseTable,
    pub case_id: String,
    pub community: String,
    pub community_name: String,
    pub type_name: String,
    pub category_name: String,
    pub status: String,
    /// The deadline missed: `accept_due`, or the handling deadline in force.
    pub due_at: String,
    /// Set when the handling deadline was extended (then `due_at` is the extension).
    pub extended: bool,
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

/// Open cases past a deadline on `today`, in both tables, oldest deadline first: those past the
/// handling deadline, and 待受理 ones past only `accept_due`.
pub async fn overdue(
    client: &Client,
    names: &TableNames,
    today: Date,
) -> Result<Vec<OverdueCase>, StoreError> {
    let today = today.to_string();
    let mut found = Vec::new();
    for table in [CaseTable::Cases, CaseTable::Reports] {
        let name = names.case_table(table);
        let summary = |it: &Item, clock: Clock, due: String| OverdueCase {
            clock,
            table,
            case_id: text(it, attr::CASE_ID),
            community: text(it, attr::COMMUNITY),
            community_name: text(it, attr::COMMUNITY_NAME),
            type_name: text(it, attr::TYPE_NAME),
            category_name: text(it, attr::CATEGORY_NAME),
            status: text(it, attr::STATUS),
            extended: !text(it, attr::EXTENDED_TO).is_empty(),
            due_at: due,
            created_at: text(it, attr::CREATED_AT),
        };
        for open in status::OPEN {
            for it in query_status(client, name, open, Some(&today), None).await? {
                if text(&it, attr::ITEM) != item::CASE {
                    continue;
                }
                let due = handling_due(&it);
                if due < today {
                    found.push(summary(&it, Clock::Handling, due));
                }
            }
        }
        for it in query_status(client, name, status::RECEIVED, None, None).await? {
            let accept_due = text(&it, attr::ACCEPT_DUE);
            let late_to_accept = !accept_due.is_empty() && accept_due < today;
            if text(&it, attr::ITEM) == item::CASE && late_to_accept && handling_due(&it) >= today {
                found.push(summary(&it, Clock::Acceptance, accept_due));
            }
        }
    }
    found.sort_by(|a, b| (&a.due_at, &a.case_id).cmp(&(&b.due_at, &b.case_id)));
    Ok(found)
}

/// `extended_to` if the handler extended the case, else `due_at`.
fn handling_due(it: &Item) -> String {
    let extended = text(it, attr::EXTENDED_TO);
    if extended.is_empty() {
        text(it, attr::DUE_AT)
    } else {
        extended
    }
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
        "{}  {}  {}  {}{}  {}  {}期限 {}（逾期 {} 天）",
        case.clock.label(),
        case.case_id,
        case.community_name,
        case.type_name,
        if case.category_name.is_empty() {
            String::new()
        } else {
            format!("·{}", case.category_name)
        },
        case.status,
        match (case.clock, case.extended) {
            (Clock::Acceptance, _) => "受理",
            (Clock::Handling, true) => "延长后的办理",
            (Clock::Handling, false) => "办理",
        },
        case.due_at,
        case.days_late(today)
    )
}

/// `逾期未受理 1 件，逾期未办结 2 件`.
fn counts<'a>(cases: impl Iterator<Item = &'a OverdueCase>) -> String {
    let (mut accept, mut handle) = (0, 0);
    for case in cases {
        match case.clock {
            Clock::Acceptance => accept += 1,
            Clock::Handling => handle += 1,
        }
    }
    format!(
        "{} {accept} 件，{} {handle} 件",
        Clock::Acceptance.label(),
        Clock::Handling.label()
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
        subject: format!(
            "{today} 逾期 {} 件（{}）",
            cases.len(),
            counts(cases.iter())
        ),
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
                "{today} {} 逾期 {} 件（{}）",
                list[0].community_name,
                list.len(),
                counts(list.iter().copied())
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

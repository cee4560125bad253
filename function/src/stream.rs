//! The timeline consumer: reads the case tables' DynamoDB streams and turns each console edit of
//! a case's `status` or `reply` into a timeline item of its own (`item = t#<at>#<change>`), so
//! track can show the trail; stamps `closed_at` when a case reaches a terminal status (and
//! removes it when a case is reopened); tells the owning body of each new case or report.
//!
//! It never rewrites what it watches except `closed_at`, and a change in which neither `status`
//! nor `reply` changed is ignored, so its own `closed_at` write (which the stream delivers back)
//! and the daily job's removal of contact details end there. Stream batches may be delivered
//! again after a failure: timeline keys come from the stream record's time, so a redelivery
//! writes the same items, and every write is conditional.
//!
//! [`plan`] decides from one stream record, with no I/O, by the console-edit rule
//! ([`crate::store::edit`]) the local store follows too; [`apply`] carries the steps out.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_sdk_dynamodb::Client;

use crate::clock::{now_unix, shanghai_timestamp};
use crate::notify::{Audience, Notice, Notifier};
use crate::store::dynamodb::TableNames;
use crate::store::dynamodb::attribute::{case_from_item, from_image, s, text};
use crate::store::dynamodb::request::{CaseUpdate, update_case, written};
use crate::store::edit::{EditStep, edit_steps};
use crate::store::{CaseItem, CaseTable, StoreError};
use crate::table::{attr, item, rating, status};

/// One thing to do because of one stream record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Record a change of `status` or `reply` in the case's timeline.
    Timeline {
        table: CaseTable,
        case_id: String,
        at: String,
        change: &'static str,
        value: String,
    },
    /// The case reached 已转办, 不予受理 or 已办结: set `closed_at` if it has none.
    StampClosed {
        table: CaseTable,
        case_id: String,
        closed_at: String,
    },
    /// The case was reopened (back to an open status): remove `closed_at`.
    Reopen {
        table: CaseTable,
        case_id: String,
        status: String,
    },
    Notify(Notice),
}

/// What one stream record asks for. Only case items (`item = case`) matter; timeline items,
/// idempotency records and counters are passed over.
pub fn plan(record: &EventRecord) -> Vec<Step> {
    let keys = from_image(&record.change.keys);
    let (case_id, kind) = (text(&keys, attr::CASE_ID), text(&keys, attr::ITEM));
    if case_id.is_empty() || kind != item::CASE {
        return Vec::new();
    }
    let table = CaseTable::of_case_id(&case_id);
    let new = case_from_item(&from_image(&record.change.new_image));
    let unix = record.change.approximate_creation_date_time.timestamp();
    let at = shanghai_timestamp(if unix > 0 { unix } else { now_unix() });

    match record.event_name.as_str() {
        "INSERT" => new_case_notice(table, &case_id, &new)
            .map(Step::Notify)
            .into_iter()
            .collect(),
        "MODIFY" => {
            let old = case_from_item(&from_image(&record.change.old_image));
            let reopened = unsatisfied_notice(&case_id, &old, &new).map(Step::Notify);
            let sms = resident_sms(&case_id, &old, &new).map(Step::Notify);
            edit_steps(&old, &new)
                .into_iter()
                .map(|step| match step {
                    EditStep::Timeline { change, value } => Step::Timeline {
                        table,
                        case_id: case_id.clone(),
                        at: at.clone(),
                        change,
                        value,
                    },
                    EditStep::StampClosed => Step::StampClosed {
                        table,
                        case_id: case_id.clone(),
                        closed_at: at.clone(),
                    },
                    EditStep::Reopen { status } => Step::Reopen {
                        table,
                        case_id: case_id.clone(),
                        status,
                    },
                })
                .chain(reopened)
                .chain(sms)
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The SMS to a resident who asked for them: one per change of status or reply by the handler
/// (a closing invites a rating). Not for the change their own rating made.
fn resident_sms(case_id: &str, old: &CaseItem, new: &CaseItem) -> Option<Notice> {
    let mobile = new
        .contact_phone
        .as_deref()
        .filter(|p| p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()))?;
    if !new.notify_sms || new.rated_at != old.rated_at {
        return None;
    }
    let status_changed = new.status != old.status && !new.status.is_empty();
    let replied = new.reply != old.reply && !new.reply.trim().is_empty();
    let what = if status_changed && status::is_terminal(&new.status) {
        format!(
            "{}。请凭查询码在网站“查询办理进度”查看答复，并对办理结果作出评价（满意、基本满意或不满意）",
            new.status
        )
    } else if status_changed {
        format!(
            "办理状态更新为：{}。请凭查询码在网站“查询办理进度”查看",
            new.status
        )
    } else if replied {
        "有了新的答复。请凭查询码在网站“查询办理进度”查看".to_string()
    } else {
        return None;
    };
    Some(Notice {
        to: Audience::Resident(mobile.to_string()),
        subject: format!("案件 {case_id} 进展"),
        message: format!(
            "您在{}反映的事项（案件编号 {case_id}）{what}。",
            new.community_name
        ),
    })
}

/// A new 不满意 rating (the function reopened the case): the supervising body is told, for
/// 二次督办.
fn unsatisfied_notice(case_id: &str, old: &CaseItem, new: &CaseItem) -> Option<Notice> {
    let fresh = new.rated_at.is_some() && new.rated_at != old.rated_at;
    if !fresh || new.rating.as_deref() != Some(rating::UNSATISFIED) {
        return None;
    }
    Some(Notice {
        to: Audience::Supervisor,
        subject: format!("群众不满意 {case_id} {}", new.community_name),
        message: format!(
            "案件编号：{case_id}\n社区：{}\n类别：{}\n群众评价：不满意{}\n已重新办理，新的办理期限：{}\n\n请督促办理单位二次办理。",
            new.community_name,
            new.category_name,
            new.rating_comment
                .as_deref()
                .map(|c| format!("（{c}）"))
                .unwrap_or_default(),
            new.due_at,
        ),
    })
}

/// The notice of a new case: a report to the supervising body, a complaint or suggestion to its
/// community's handlers. A case transferred at once (已转办) needs nothing from the community.
fn new_case_notice(table: CaseTable, case_id: &str, new: &CaseItem) -> Option<Notice> {
    let current = &new.status;
    if !status::is_open(current) {
        return None;
    }
    let community_name = &new.community_name;
    let details = format!(
        "案件编号：{case_id}\n社区：{community_name}\n类别：{category}\n状态：{current}\n办理期限：{due}\n\n请在 DynamoDB 控制台查询该编号办理，办理结果写入 reply。",
        category = new.category_name,
        due = new.due_at,
    );
    Some(match table {
        CaseTable::Reports => Notice {
            to: Audience::Supervisor,
            subject: format!("新举报 {case_id}"),
            message: details,
        },
        CaseTable::Cases => Notice {
            to: Audience::Community(new.community.clone()),
            subject: format!("新{} {case_id} {community_name}", new.type_name),
            message: details,
        },
    })
}

/// Carries out one step.
pub(crate) async fn apply(
    client: &Client,
    names: &TableNames,
    notifier: &impl Notifier,
    step: &Step,
) -> Result<(), StoreError> {
    match step {
        Step::Timeline {
            table,
            case_id,
            at,
            change,
            value,
        } => {
            let result = client
                .put_item()
                .table_name(names.case_table(*table))
                .item(attr::CASE_ID, s(case_id))
                .item(
                    attr::ITEM,
                    s(format!("{}{at}#{change}", item::TIMELINE_PREFIX)),
                )
                .item(attr::AT, s(at))
                .item(attr::CHANGE, s(*change))
                .item(attr::VALUE, s(value))
                .condition_expression("attribute_not_exists(#item)")
                .expression_attribute_names("#item", attr::ITEM)
                .send()
                .await;
            written(result)
        }
        Step::StampClosed {
            table,
            case_id,
            closed_at,
        } => {
            let stamp = CaseUpdate {
                update: "SET #closed = :at",
                condition: Some("attribute_exists(#id) AND attribute_not_exists(#closed)"),
                names: &[("#closed", attr::CLOSED_AT), ("#id", attr::CASE_ID)],
                values: &[(":at", closed_at)],
            };
            update_case(client, names.case_table(*table), case_id, stamp).await
        }
        Step::Reopen {
            table,
            case_id,
            status,
        } => {
            // Only while the case is still in that open status: a later close wins.
            let reopen = CaseUpdate {
                update: "REMOVE #closed",
                condition: Some("#status = :status"),
                names: &[("#closed", attr::CLOSED_AT), ("#status", attr::STATUS)],
                values: &[(":status", status)],
            };
            update_case(client, names.case_table(*table), case_id, reopen).await
        }
        Step::Notify(notice) => notifier.send(notice).await,
    }
}

/// One batch from the stream, in order. An error fails the batch, so Lambda delivers it again
/// (the template bisects a failing batch and gives up after a few tries, raising the alarm).
pub async fn handle(
    client: &Client,
    names: &TableNames,
    notifier: &impl Notifier,
    event: &Event,
) -> Result<usize, StoreError> {
    let mut done = 0;
    for record in &event.records {
        for step in plan(record) {
            apply(client, names, notifier, &step).await?;
            done += 1;
        }
    }
    Ok(done)
}

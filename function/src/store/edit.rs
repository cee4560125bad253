//! The console-edit rule: what follows when a handler changes a case item's `status` or `reply`.
//!
//! One rule for both ways an edit arrives: the timeline consumer ([`crate::stream`]) applies it to
//! each DynamoDB stream record of a case item, the local store to each `ydt cases` edit. It only
//! decides; writing the timeline and `closed_at` is the caller's part.
//!
//! Every change of `status` or `reply` is recorded, a cleared reply included: the trail is the
//! record of what the handler did, and withdrawing an answer is something they did. (Track shows
//! only the replies with text, so a resident never sees an empty answer.) An empty `status` is no
//! status and is not recorded. Only a change of `status` touches `closed_at`: reaching a terminal
//! status stamps it unless it is set, going back to an open status removes it.
//!
//! An extension of the handling deadline (`extended_to`, with `extend_reason`) is recorded when
//! `extended_to` gets a new, non-empty value; its removal (a reopening starts a new round) is not.

use super::{CaseItem, change};
use crate::table::status;

/// One thing that follows from an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditStep {
    /// A timeline item: what changed (`status` or `reply`) and its new value.
    Timeline { change: &'static str, value: String },
    /// A terminal status was reached and `closed_at` is unset: stamp it with the edit's time.
    StampClosed,
    /// The case is open again: remove `closed_at` (on DynamoDB only while the case is still in
    /// `status`, so a later close wins).
    Reopen { status: String },
}

/// The steps for an edit that turned `old` into `new`, status first.
pub fn edit_steps(old: &CaseItem, new: &CaseItem) -> Vec<EditStep> {
    let mut steps = Vec::new();
    if new.status != old.status && !new.status.is_empty() {
        steps.push(EditStep::Timeline {
            change: change::STATUS,
            value: new.status.clone(),
        });
        let closed = new.closed_at.as_deref().is_some_and(|c| !c.is_empty());
        if status::is_terminal(&new.status) && !closed {
            steps.push(EditStep::StampClosed);
        } else if status::is_open(&new.status) && closed {
            steps.push(EditStep::Reopen {
                status: new.status.clone(),
            });
        }
    }
    if new.reply != old.reply {
        steps.push(EditStep::Timeline {
            change: change::REPLY,
            value: new.reply.clone(),
        });
    }
    let extended = new.extended_to.as_deref().filter(|d| !d.trim().is_empty());
    if let Some(to) = extended
        && extended != old.extended_to.as_deref()
    {
        steps.push(EditStep::Timeline {
            change: change::EXTENSION,
            value: extension_text(to, new.extend_reason.as_deref().unwrap_or("")),
        });
    }
    steps
}

/// An extension's timeline value: `2026-12-20：<reason>`.
pub fn extension_text(to: &str, reason: &str) -> String {
    format!("{}：{}", to.trim(), reason.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::local::tests::case;

    fn edited(old: &CaseItem, new_status: Option<&str>, reply: Option<&str>) -> CaseItem {
        let mut new = old.clone();
        if let Some(s) = new_status {
            new.status = s.into();
        }
        if let Some(r) = reply {
            new.reply = r.into();
        }
        new
    }

    fn timeline(change: &'static str, value: &str) -> EditStep {
        EditStep::Timeline {
            change,
            value: value.into(),
        }
    }

    #[test]
    fn each_change_of_status_or_reply_is_a_step() {
        let open = case("20261201-0001");
        let closing = edited(&open, Some(status::CLOSED), Some("已补发"));
        assert_eq!(
            edit_steps(&open, &closing),
            [
                timeline(change::STATUS, status::CLOSED),
                EditStep::StampClosed,
                timeline(change::REPLY, "已补发"),
            ]
        );
        let mut closed = closing.clone();
        closed.closed_at = Some("2026-12-02T09:00:00+08:00".into());
        // The consumer's own closed_at write, and an edit that changes nothing: no steps.
        assert_eq!(edit_steps(&closing, &closed), []);
        assert_eq!(edit_steps(&closed, &closed.clone()), []);
        // Reopened: closed_at goes; another terminal status keeps the first closing time.
        assert_eq!(
            edit_steps(&closed, &edited(&closed, Some(status::IN_PROGRESS), None)),
            [
                timeline(change::STATUS, status::IN_PROGRESS),
                EditStep::Reopen {
                    status: status::IN_PROGRESS.into()
                },
            ]
        );
        assert_eq!(
            edit_steps(&closed, &edited(&closed, Some(status::TRANSFERRED), None)),
            [timeline(change::STATUS, status::TRANSFERRED)]
        );
        // A cleared reply is recorded; an emptied status is not.
        assert_eq!(
            edit_steps(&closed, &edited(&closed, Some(""), Some(""))),
            [timeline(change::REPLY, "")]
        );
    }

    #[test]
    fn an_extension_is_recorded_when_it_is_set_not_when_a_reopening_clears_it() {
        let open = case("20261201-0001");
        let mut extended = open.clone();
        extended.extended_to = Some("2026-12-16".into());
        extended.extend_reason = Some("需核对户籍".into());
        assert_eq!(
            edit_steps(&open, &extended),
            [timeline(change::EXTENSION, "2026-12-16：需核对户籍")]
        );
        // The same extension again (any other edit) and its removal record nothing more.
        assert_eq!(edit_steps(&extended, &extended.clone()), []);
        assert_eq!(edit_steps(&extended, &open), []);
    }

    /// The local store and the timeline consumer carry out the same steps for the same edits:
    /// each edit is made through `LocalStore::edit` and, as the stream would deliver it, planned
    /// by `stream::plan`, and the timeline and `closed_at` must come out alike.
    #[cfg(feature = "dynamodb")]
    #[tokio::test]
    async fn the_local_store_and_the_stream_consumer_agree() {
        use crate::clock::shanghai_timestamp;
        use crate::store::local::LocalStore;
        use crate::store::local::tests::receipt;
        use crate::store::{CaseTable, Store, TimelineEvent};
        use crate::stream::{self, Step};

        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        let first = case("20261201-0001");
        store
            .create_case(CaseTable::Cases, &first, "k1", &receipt(&first.case_id), 0)
            .await
            .unwrap();
        let edits = [
            (Some(status::ACCEPTED), None),
            (Some(status::CLOSED), Some("已补发")),
            (None, Some("")),
            (Some(status::IN_PROGRESS), Some("")),
            (Some(status::NOT_ACCEPTED), Some("请向街道反映")),
            (Some(""), Some("   ")),
            (Some(status::ACCEPTED), None),
        ];
        for (n, (new_status, reply)) in edits.into_iter().enumerate() {
            let unix = 1_796_176_800 + 3600 * n as i64;
            let at = shanghai_timestamp(unix);
            let old = store
                .find_case(CaseTable::Cases, &first.case_id)
                .await
                .unwrap()
                .unwrap();
            let local = store
                .edit(&first.case_id, new_status, reply, &at)
                .unwrap()
                .unwrap();

            // On AWS the console changes only status and reply; the stream sees both images.
            let console = edited(&old.case, new_status, reply);
            let record = serde_json::from_value(serde_json::json!({
                "eventID": format!("e{n}"),
                "eventName": "MODIFY",
                "awsRegion": "cn-north-1",
                "dynamodb": {
                    "SizeBytes": 512,
                    "ApproximateCreationDateTime": unix,
                    "Keys": {"case_id": {"S": first.case_id}, "item": {"S": "case"}},
                    "OldImage": image(&old.case),
                    "NewImage": image(&console),
                },
            }))
            .unwrap();
            let mut timeline = old.timeline.clone();
            let mut closed_at = console.closed_at.clone();
            for step in stream::plan(&record) {
                match step {
                    Step::Timeline { change, value, .. } => timeline.push(TimelineEvent {
                        at: at.clone(),
                        change: change.to_string(),
                        value,
                    }),
                    Step::StampClosed { closed_at: c, .. } => closed_at = Some(c),
                    Step::Reopen { .. } => closed_at = None,
                    Step::Notify(notice) => panic!("an edit notified {notice:?}"),
                }
            }
            let edit = format!("edit {n}: {new_status:?}, {reply:?}");
            assert_eq!(local.timeline, timeline, "{edit}");
            assert_eq!(local.case.closed_at, closed_at, "{edit}");
            assert_eq!(local.case.status, console.status, "{edit}");
            assert_eq!(local.case.reply, console.reply, "{edit}");
        }
    }

    /// A case item as a stream image (`{"status": {"S": …}, …}`).
    #[cfg(feature = "dynamodb")]
    fn image(case: &CaseItem) -> serde_json::Value {
        let plain = serde_json::to_value(case).unwrap();
        let mut image = serde_json::Map::new();
        for (name, value) in plain.as_object().unwrap() {
            let typed = match value {
                serde_json::Value::Bool(b) => serde_json::json!({ "BOOL": b }),
                other => serde_json::json!({ "S": other.as_str().unwrap() }),
            };
            image.insert(name.clone(), typed);
        }
        image.insert("item".into(), serde_json::json!({"S": "case"}));
        serde_json::Value::Object(image)
    }
}

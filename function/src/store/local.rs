//! The embedded store for `ydt serve` and `ydt cases`: an append-only JSON-lines log.
//!
//! Every change is one line in `<dir>/log.jsonl`, written and synced to disk before it is
//! acknowledged; the state is rebuilt by replaying the log. A line cut short by a crash has no
//! newline and is ignored. Processes share the log under a file lock and each re-reads lines the
//! others appended before it answers, so a handler's `ydt cases` edit shows in a running
//! `ydt serve` at once. Rate-limit counters live only in memory (they expire anyway); visit
//! counts are logged but not synced (they are best effort).
//!
//! Not a database: it keeps everything in memory and suits one site's preview, not production.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::edit::{EditStep, edit_steps};
use super::{
    CaseItem, CaseRecord, CaseTable, Counter, Created, Rating, Receipt, Store, StoreError,
    StoreResult, TimelineEvent, change,
};
use crate::table::status;

const LOG_FILE: &str = "log.jsonl";

/// One line of the log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Entry {
    /// A new case with its idempotency record.
    Case {
        table: CaseTable,
        case: Box<CaseItem>,
        key_hash: String,
        receipt: Receipt,
    },
    /// A case-number counter reached `value`.
    Counter {
        table: CaseTable,
        day: String,
        value: u64,
    },
    /// A durable counter (visits) reached `count`.
    Count { pk: String, sk: String, count: u64 },
    /// A handler changed a case's status and/or reply.
    Edit {
        case_id: String,
        at: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<String>,
        /// An extension of the handling deadline: the new date and the reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        extend: Option<(String, String)>,
    },
    /// A resident rated a case.
    Rate {
        case_id: String,
        rating: StoredRating,
    },
}

/// [`Rating`] as a log line keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredRating {
    value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reopen_due: Option<String>,
}

/// What a handler's `ydt cases set` changes.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub status: Option<String>,
    pub reply: Option<String>,
    /// Extend the handling deadline to this date, for this reason.
    pub extend: Option<(String, String)>,
}

/// The outcome of [`LocalStore::extend`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extension {
    Extended(Box<CaseRecord>),
    /// This round's deadline was extended already, to that date.
    AlreadyExtended(String),
    /// Only an open case has a deadline to extend.
    NotOpen(String),
    NoCase,
}

#[derive(Default)]
struct State {
    cases: BTreeMap<String, (CaseTable, CaseRecord)>,
    keys: HashMap<(CaseTable, String), Receipt>,
    case_numbers: HashMap<(CaseTable, String), u64>,
    counts: HashMap<Counter, u64>,
    /// Rate-limit counters; memory only (they expire anyway).
    expiring: HashMap<Counter, u64>,
}

impl State {
    fn apply(&mut self, entry: Entry) {
        match entry {
            Entry::Case {
                table,
                case,
                key_hash,
                receipt,
            } => {
                self.keys.insert((table, key_hash), receipt);
                let record = CaseRecord {
                    case: *case,
                    timeline: Vec::new(),
                };
                self.cases
                    .insert(record.case.case_id.clone(), (table, record));
            }
            Entry::Counter { table, day, value } => {
                let current = self.case_numbers.entry((table, day)).or_default();
                *current = (*current).max(value);
            }
            Entry::Count { pk, sk, count } => {
                let current = self.counts.entry(Counter { pk, sk }).or_default();
                *current = (*current).max(count);
            }
            Entry::Edit {
                case_id,
                at,
                status: new_status,
                reply,
                extend,
            } => {
                let Some((_, record)) = self.cases.get_mut(&case_id) else {
                    return;
                };
                let mut edited = record.case.clone();
                if let Some(new_status) = new_status {
                    edited.status = new_status;
                }
                if let Some(reply) = reply {
                    edited.reply = reply;
                }
                if let Some((to, reason)) = extend {
                    edited.extended_to = Some(to);
                    edited.extend_reason = Some(reason);
                }
                apply_edit(record, &at, edited);
            }
            Entry::Rate { case_id, rating } => {
                let Some((_, record)) = self.cases.get_mut(&case_id) else {
                    return;
                };
                apply_rating(record, rating);
            }
        }
    }
}

/// A rating as it shows on AWS: the function writes the rating and its timeline item (for a
/// 不满意 also 办理中, the new due date, no extension); the timeline consumer then follows the
/// status change like any edit.
fn apply_rating(record: &mut CaseRecord, rating: StoredRating) {
    record.timeline.push(TimelineEvent {
        at: rating.at.clone(),
        change: change::RATING.to_string(),
        value: rating.value.clone(),
    });
    let mut rated = record.case.clone();
    rated.rating = Some(rating.value);
    rated.rating_comment = rating.comment;
    rated.rated_at = Some(rating.at.clone());
    match rating.reopen_due {
        Some(due) => {
            rated.status = status::IN_PROGRESS.to_string();
            rated.due_at = due;
            rated.extended_to = None;
            rated.extend_reason = None;
        }
        // Rated and done: no more SMS.
        None => rated.notify_sms = false,
    }
    apply_edit(record, &rating.at, rated);
}

/// A console edit as it shows on AWS: the item changes, then the timeline consumer's steps
/// ([`edit_steps`]) record the trail and stamp or remove `closed_at`.
fn apply_edit(record: &mut CaseRecord, at: &str, mut edited: CaseItem) {
    for step in edit_steps(&record.case, &edited) {
        match step {
            EditStep::Timeline { change, value } => record.timeline.push(TimelineEvent {
                at: at.to_string(),
                change: change.to_string(),
                value,
            }),
            EditStep::StampClosed => edited.closed_at = Some(at.to_string()),
            EditStep::Reopen { .. } => edited.closed_at = None,
        }
    }
    edited.updated_at = at.to_string();
    record.case = edited;
}

struct Log {
    file: File,
    /// Bytes of the log already applied to `state`.
    applied: u64,
    state: State,
}

impl Log {
    /// Applies lines appended since the last read (by this or another process). Stops before a
    /// line with no newline yet: it is being written, or was cut short by a crash.
    fn catch_up(&mut self) -> std::io::Result<()> {
        self.file.seek(SeekFrom::Start(self.applied))?;
        let mut fresh = Vec::new();
        self.file.read_to_end(&mut fresh)?;
        let Some(end) = fresh.iter().rposition(|&b| b == b'\n') else {
            return Ok(());
        };
        for line in fresh[..end].split(|&b| b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Entry>(line) {
                Ok(entry) => self.state.apply(entry),
                // A torn line followed by later appends: skip it, keep the rest.
                Err(err) => eprintln!("ydt store: skipping an unreadable log line: {err}"),
            }
        }
        self.applied += end as u64 + 1;
        Ok(())
    }

    /// Appends one entry (the caller holds the exclusive lock and has caught up), syncs it to disk
    /// when `durable`, then applies it.
    fn append(&mut self, entry: Entry, durable: bool) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let len = self.file.seek(SeekFrom::End(0))?;
        if len > self.applied {
            // A torn tail from a crash: end it so the new entry starts on its own line.
            line.insert(0, b'\n');
        }
        self.file.write_all(&line)?;
        if durable {
            self.file.sync_data()?;
        }
        self.applied = len + line.len() as u64;
        self.state.apply(entry);
        Ok(())
    }
}

/// Logs one edit of an existing case and returns the case afterwards (`None`: no such case).
fn append_edit(
    log: &mut Log,
    case_id: &str,
    edit: Edit,
    at: &str,
) -> std::io::Result<Option<CaseRecord>> {
    if !log.state.cases.contains_key(case_id) {
        return Ok(None);
    }
    log.append(
        Entry::Edit {
            case_id: case_id.to_string(),
            at: at.to_string(),
            status: edit.status,
            reply: edit.reply,
            extend: edit.extend,
        },
        true,
    )?;
    Ok(log.state.cases.get(case_id).map(|(_, r)| r.clone()))
}

/// The embedded store. Cheap to share behind a reference; all methods take `&self`.
pub struct LocalStore {
    path: PathBuf,
    log: Mutex<Log>,
}

impl LocalStore {
    /// Opens (creating if needed) the store in `dir` and replays its log.
    pub fn open(dir: &Path) -> std::io::Result<LocalStore> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(LOG_FILE);
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        let mut log = Log {
            file,
            applied: 0,
            state: State::default(),
        };
        log.file.lock_shared()?;
        let replayed = log.catch_up();
        log.file.unlock()?;
        replayed?;
        Ok(LocalStore {
            path,
            log: Mutex::new(log),
        })
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the caught-up log under the file lock (exclusive for writes).
    fn locked<T>(
        &self,
        exclusive: bool,
        f: impl FnOnce(&mut Log) -> std::io::Result<T>,
    ) -> StoreResult<T> {
        let mut log = self
            .log
            .lock()
            .map_err(|_| StoreError("local store lock poisoned".into()))?;
        let io = |err: std::io::Error| StoreError(format!("{}: {err}", self.path.display()));
        if exclusive {
            log.file.lock().map_err(io)?;
        } else {
            log.file.lock_shared().map_err(io)?;
        }
        let result = log.catch_up().and_then(|()| f(&mut log));
        let unlocked = log.file.unlock();
        let value = result.map_err(io)?;
        unlocked.map_err(io)?;
        Ok(value)
    }

    /// Every case of both tables, oldest first, with its table.
    pub fn cases(&self) -> StoreResult<Vec<(CaseTable, CaseRecord)>> {
        self.locked(false, |log| {
            let mut all: Vec<_> = log.state.cases.values().cloned().collect();
            all.sort_by(|a, b| a.1.case.created_at.cmp(&b.1.case.created_at));
            Ok(all)
        })
    }

    /// A handler's edit, as in the console: new status and/or reply, recorded in the timeline.
    /// Returns the case as it is afterwards, or `None` if there is no such case.
    pub fn edit(
        &self,
        case_id: &str,
        new_status: Option<&str>,
        reply: Option<&str>,
        at: &str,
    ) -> StoreResult<Option<CaseRecord>> {
        let edit = Edit {
            status: new_status.map(str::to_string),
            reply: reply.map(str::to_string),
            extend: None,
        };
        self.locked(true, |log| append_edit(log, case_id, edit, at))
    }

    /// A handler's extension of an open case's handling deadline, with the edit (status,
    /// reply) made with it. Once a round: a case reopened by a 不满意 may be extended again.
    pub fn extend(&self, case_id: &str, edit: Edit, at: &str) -> StoreResult<Extension> {
        self.locked(true, |log| {
            let Some((_, record)) = log.state.cases.get(case_id) else {
                return Ok(Extension::NoCase);
            };
            let status_after = edit.status.as_deref().unwrap_or(&record.case.status);
            if !status::is_open(status_after) {
                return Ok(Extension::NotOpen(status_after.to_string()));
            }
            if let Some(to) = record.case.extended_to.as_ref().filter(|t| !t.is_empty()) {
                return Ok(Extension::AlreadyExtended(to.clone()));
            }
            Ok(append_edit(log, case_id, edit, at)?
                .map_or(Extension::NoCase, |r| Extension::Extended(Box::new(r))))
        })
    }

    /// Visit counters recorded so far: (`pk`, `sk`, count).
    pub fn counts(&self) -> StoreResult<Vec<(String, String, u64)>> {
        self.locked(false, |log| {
            let mut all: Vec<_> = log
                .state
                .counts
                .iter()
                .map(|(c, n)| (c.pk.clone(), c.sk.clone(), *n))
                .collect();
            all.sort();
            Ok(all)
        })
    }
}

impl Store for LocalStore {
    async fn receipt_for_key(
        &self,
        table: CaseTable,
        key_hash: &str,
    ) -> StoreResult<Option<Receipt>> {
        self.locked(false, |log| {
            Ok(log.state.keys.get(&(table, key_hash.to_string())).cloned())
        })
    }

    async fn next_case_number(&self, table: CaseTable, day: &str) -> StoreResult<u64> {
        self.locked(true, |log| {
            let value = log
                .state
                .case_numbers
                .get(&(table, day.to_string()))
                .copied()
                .unwrap_or(0)
                + 1;
            log.append(
                Entry::Counter {
                    table,
                    day: day.to_string(),
                    value,
                },
                true,
            )?;
            Ok(value)
        })
    }

    async fn create_case(
        &self,
        table: CaseTable,
        case: &CaseItem,
        key_hash: &str,
        receipt: &Receipt,
        _expires_at: i64,
    ) -> StoreResult<Created> {
        self.locked(true, |log| {
            if let Some(first) = log.state.keys.get(&(table, key_hash.to_string())) {
                return Ok(Created::Duplicate(first.clone()));
            }
            if log.state.cases.contains_key(&case.case_id) {
                return Err(std::io::Error::other(format!(
                    "case {} exists already",
                    case.case_id
                )));
            }
            log.append(
                Entry::Case {
                    table,
                    case: Box::new(case.clone()),
                    key_hash: key_hash.to_string(),
                    receipt: receipt.clone(),
                },
                true,
            )?;
            Ok(Created::Stored)
        })
    }

    async fn find_case(&self, table: CaseTable, case_id: &str) -> StoreResult<Option<CaseRecord>> {
        self.locked(false, |log| {
            Ok(log
                .state
                .cases
                .get(case_id)
                .filter(|(t, _)| *t == table)
                .map(|(_, record)| record.clone()))
        })
    }

    async fn increment(&self, counter: &Counter, expires_at: Option<i64>) -> StoreResult<u64> {
        match expires_at {
            // Counters are keyed by their window, so an old one is simply never read again.
            Some(_) => self.locked(false, |log| {
                let count = log.state.expiring.entry(counter.clone()).or_default();
                *count += 1;
                Ok(*count)
            }),
            None => self.locked(true, |log| {
                let count = log.state.counts.get(counter).copied().unwrap_or(0) + 1;
                log.append(
                    Entry::Count {
                        pk: counter.pk.clone(),
                        sk: counter.sk.clone(),
                        count,
                    },
                    false,
                )?;
                Ok(count)
            }),
        }
    }

    async fn count(&self, counter: &Counter) -> StoreResult<u64> {
        self.locked(false, |log| {
            if let Some(count) = log.state.expiring.get(counter) {
                return Ok(*count);
            }
            Ok(log.state.counts.get(counter).copied().unwrap_or(0))
        })
    }

    async fn rate_case(
        &self,
        table: CaseTable,
        case_id: &str,
        seen_status: &str,
        rating: &Rating,
    ) -> StoreResult<bool> {
        self.locked(true, |log| {
            let still = log.state.cases.get(case_id).is_some_and(|(t, record)| {
                *t == table && record.case.status == seen_status && record.case.may_be_rated()
            });
            if !still {
                return Ok(false);
            }
            log.append(
                Entry::Rate {
                    case_id: case_id.to_string(),
                    rating: StoredRating {
                        value: rating.value.clone(),
                        comment: rating.comment.clone(),
                        at: rating.at.clone(),
                        reopen_due: rating.reopen_due.clone(),
                    },
                },
                true,
            )?;
            Ok(true)
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::table::status;

    /// A complaint as filed, for the store's tests and the edit rule's.
    pub(in crate::store) fn case(case_id: &str) -> CaseItem {
        CaseItem {
            case_id: case_id.to_string(),
            community: "cuizhuyuan".into(),
            community_name: "翠竹园社区".into(),
            kind: "complaint".into(),
            type_name: "投诉".into(),
            category: "subsidy".into(),
            category_name: "补贴发放".into(),
            body: "高龄津贴没有按时发放".into(),
            anonymous: false,
            contact_name: None,
            contact_phone: None,
            status: status::RECEIVED.into(),
            routed_to: "翠竹园社区居务监督委员会".into(),
            reply: String::new(),
            created_at: "2026-12-01T10:00:00+08:00".into(),
            updated_at: "2026-12-01T10:00:00+08:00".into(),
            due_at: "2026-12-09".into(),
            closed_at: None,
            query_hash: "00".into(),
            accept_due: "2026-12-03".into(),
            ..CaseItem::default()
        }
    }

    pub(in crate::store) fn receipt(case_id: &str) -> Receipt {
        Receipt {
            case_id: case_id.into(),
            status: status::RECEIVED.into(),
            due_date: "2026-12-09".into(),
            routed_to: "翠竹园社区居务监督委员会".into(),
        }
    }

    async fn file(store: &LocalStore, case_id: &str, key: &str) -> Created {
        store
            .create_case(CaseTable::Cases, &case(case_id), key, &receipt(case_id), 0)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn cases_survive_a_restart_and_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = LocalStore::open(dir.path()).unwrap();
            assert_eq!(
                store
                    .next_case_number(CaseTable::Cases, "20261201")
                    .await
                    .unwrap(),
                1
            );
            assert_eq!(file(&store, "20261201-0001", "k1").await, Created::Stored);
        }
        // A crash in the middle of writing the next line.
        let path = dir.path().join(LOG_FILE);
        let mut log = OpenOptions::new().append(true).open(&path).unwrap();
        log.write_all(b"{\"op\":\"case\",\"table\":\"cases\",\"ca")
            .unwrap();
        drop(log);

        let store = LocalStore::open(dir.path()).unwrap();
        assert_eq!(store.cases().unwrap().len(), 1);
        assert_eq!(
            file(&store, "20261201-0001", "k1").await,
            Created::Duplicate(receipt("20261201-0001"))
        );
        assert_eq!(
            store
                .next_case_number(CaseTable::Cases, "20261201")
                .await
                .unwrap(),
            2
        );
        assert_eq!(file(&store, "20261201-0002", "k2").await, Created::Stored);

        let reopened = LocalStore::open(dir.path()).unwrap();
        let ids: Vec<_> = reopened
            .cases()
            .unwrap()
            .into_iter()
            .map(|(_, r)| r.case.case_id)
            .collect();
        assert_eq!(ids, ["20261201-0001", "20261201-0002"]);
        assert_eq!(
            reopened
                .next_case_number(CaseTable::Cases, "20261201")
                .await
                .unwrap(),
            3
        );
    }

    #[tokio::test]
    async fn an_edit_by_another_process_is_seen_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let serve = LocalStore::open(dir.path()).unwrap();
        file(&serve, "20261201-0001", "k1").await;
        // `ydt cases` opens the same log separately.
        let console = LocalStore::open(dir.path()).unwrap();
        console
            .edit(
                "20261201-0001",
                Some(status::CLOSED),
                Some("已补发"),
                "2026-12-02T09:00:00+08:00",
            )
            .unwrap()
            .unwrap();
        let seen = serve
            .find_case(CaseTable::Cases, "20261201-0001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seen.case.status, status::CLOSED);
        assert_eq!(seen.case.reply, "已补发");
        assert_eq!(
            seen.case.closed_at.as_deref(),
            Some("2026-12-02T09:00:00+08:00")
        );
        assert_eq!(seen.timeline.len(), 2);
        assert!(
            console
                .edit("20261201-0404", Some(status::CLOSED), None, "x")
                .unwrap()
                .is_none()
        );
        // Reopening clears closed_at; an unchanged reply records nothing.
        serve
            .edit(
                "20261201-0001",
                Some(status::IN_PROGRESS),
                Some("已补发"),
                "2026-12-03T09:00:00+08:00",
            )
            .unwrap();
        let seen = console
            .find_case(CaseTable::Cases, "20261201-0001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seen.case.closed_at, None);
        assert_eq!(seen.timeline.len(), 3);
    }
}

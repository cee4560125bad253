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

use super::{
    CaseItem, CaseRecord, CaseTable, Counter, Created, Receipt, Store, StoreError, StoreResult,
    TimelineEvent, change,
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
        case: CaseItem,
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
    },
}

#[derive(Default)]
struct State {
    cases: BTreeMap<String, (CaseTable, CaseRecord)>,
    keys: HashMap<(CaseTable, String), Receipt>,
    case_numbers: HashMap<(CaseTable, String), u64>,
    counts: HashMap<Counter, u64>,
    /// Rate-limit counters: count and expiry (epoch seconds); memory only.
    expiring: HashMap<Counter, (u64, i64)>,
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
                    case,
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
            } => {
                let Some((_, record)) = self.cases.get_mut(&case_id) else {
                    return;
                };
                apply_edit(record, &at, new_status, reply);
            }
        }
    }
}

/// What a console edit plus the stream consumer do on AWS: change the item, record the trail,
/// stamp `closed_at` when a terminal status is reached.
fn apply_edit(
    record: &mut CaseRecord,
    at: &str,
    new_status: Option<String>,
    reply: Option<String>,
) {
    let case = &mut record.case;
    if let Some(new_status) = new_status.filter(|s| *s != case.status) {
        if status::is_terminal(&new_status) {
            case.closed_at.get_or_insert_with(|| at.to_string());
        } else {
            case.closed_at = None;
        }
        case.status = new_status.clone();
        record.timeline.push(TimelineEvent {
            at: at.to_string(),
            change: change::STATUS.to_string(),
            value: new_status,
        });
    }
    if let Some(reply) = reply.filter(|r| *r != case.reply) {
        case.reply = reply.clone();
        record.timeline.push(TimelineEvent {
            at: at.to_string(),
            change: change::REPLY.to_string(),
            value: reply,
        });
    }
    case.updated_at = at.to_string();
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
        self.locked(true, |log| {
            if !log.state.cases.contains_key(case_id) {
                return Ok(None);
            }
            log.append(
                Entry::Edit {
                    case_id: case_id.to_string(),
                    at: at.to_string(),
                    status: new_status.map(str::to_string),
                    reply: reply.map(str::to_string),
                },
                true,
            )?;
            Ok(log.state.cases.get(case_id).map(|(_, r)| r.clone()))
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
                    case: case.clone(),
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
            Some(expires_at) => self.locked(false, |log| {
                let now = crate::clock::now_unix();
                let entry = log
                    .state
                    .expiring
                    .entry(counter.clone())
                    .or_insert((0, expires_at));
                if entry.1 <= now {
                    *entry = (0, expires_at);
                }
                entry.0 += 1;
                Ok(entry.0)
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
            let now = crate::clock::now_unix();
            if let Some((count, expires_at)) = log.state.expiring.get(counter) {
                return Ok(if *expires_at > now { *count } else { 0 });
            }
            Ok(log.state.counts.get(counter).copied().unwrap_or(0))
        })
    }
}

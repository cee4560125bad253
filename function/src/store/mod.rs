//! Where cases live: one `Store` trait, two implementations.
//!
//! * [`dynamodb::DynamoStore`] (feature `dynamodb`): the tables of [`crate::table`], on AWS.
//! * [`local::LocalStore`]: an append-only log in a directory, for `ydt serve` and `ydt cases`.
//!
//! The handler sees only the trait, so both run the same validation, routing and answers. The
//! store does no validation of its own: it is handed finished items. What a handler's edit of a
//! case leads to (timeline, `closed_at`) is decided once, in [`edit`], for both.

use std::fmt;
use std::future::Future;

use serde::{Deserialize, Serialize};

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
pub(crate) mod edit;
pub mod local;

/// Which table a case belongs in: reports (举报) are kept apart from everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseTable {
    Cases,
    Reports,
}

impl CaseTable {
    pub fn def(self) -> crate::table::TableDef {
        match self {
            CaseTable::Cases => crate::table::CASES,
            CaseTable::Reports => crate::table::REPORTS,
        }
    }

    /// Report case numbers start with `J` (举报), so track knows where to look.
    pub(crate) fn of_case_id(case_id: &str) -> CaseTable {
        if case_id.starts_with('J') {
            CaseTable::Reports
        } else {
            CaseTable::Cases
        }
    }
}

/// A case item, as a handler reads it in the console (attribute names in [`crate::table::attr`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseItem {
    pub case_id: String,
    pub community: String,
    pub community_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_name: String,
    pub category: String,
    pub category_name: String,
    pub body: String,
    pub anonymous: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    pub status: String,
    pub routed_to: String,
    /// The public answer; empty until a handler writes one.
    #[serde(default)]
    pub reply: String,
    pub created_at: String,
    pub updated_at: String,
    /// `YYYY-MM-DD`.
    pub due_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    pub query_hash: String,
    /// `YYYY-MM-DD`: by when the handler must accept (受理) the case; the first of its two clocks.
    #[serde(default)]
    pub accept_due: String,
    /// For an objection (异议): the id of the record it objects to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// An objection filed after the record's 公示期: taken, and handled in a complaint's time.
    #[serde(default, skip_serializing_if = "is_false")]
    pub late: bool,
    /// Filed by a 网格员, 监督员 or service-hall clerk for a resident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf: Option<OnBehalf>,
    /// The resident asked for SMS notices (they left a mobile in `contact_phone`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub notify_sms: bool,
    /// The resident's rating of the latest closing: 满意, 基本满意 or 不满意.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rated_at: Option<String>,
    /// The handling deadline as extended by the handler (once per round), `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_to: Option<String>,
    /// Why, in words residents read in track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extend_reason: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Who filed a case for a resident: their role (网格员, 监督员, 服务大厅工作人员) and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnBehalf {
    pub role: String,
    pub name: String,
}

impl CaseItem {
    /// The handling deadline in force: the extension if there is one, else `due_at`.
    pub fn handling_due(&self) -> &str {
        self.extended_to
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or(&self.due_at)
    }

    /// Whether the resident may rate the case now: it is closed (已办结, 不予受理, 已转办) and
    /// this closing has no rating yet. A 不满意 always reopened the case, so a closed case that
    /// carries one has been closed again since, and that new closing may be rated.
    pub fn may_be_rated(&self) -> bool {
        crate::table::status::is_terminal(&self.status)
            && self
                .rating
                .as_deref()
                .is_none_or(|r| r.is_empty() || r == crate::table::rating::UNSATISFIED)
    }
}

/// A resident's rating, as the handler has decided it: what to write, and for 不满意 the second
/// round's due date (the case goes back to 办理中).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub value: String,
    pub comment: Option<String>,
    pub at: String,
    pub reopen_due: Option<String>,
}

/// What the resident is told when a case is filed, minus the query code (which is derived again
/// from the idempotency key, never stored). Kept with the idempotency record for repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub case_id: String,
    pub status: String,
    pub due_date: String,
    pub routed_to: String,
}

/// One change in a case's history: `change` is `status` or `reply`, `value` the new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: String,
    pub change: String,
    pub value: String,
}

pub mod change {
    pub const STATUS: &str = "status";
    pub const REPLY: &str = "reply";
    /// The resident rated the case; `value` is the rating.
    pub const RATING: &str = "rating";
    /// The handler extended the handling deadline; `value` is `<date>：<reason>`.
    pub const EXTENSION: &str = "extension";
}

/// A case with its timeline, oldest event first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub case: CaseItem,
    pub timeline: Vec<TimelineEvent>,
}

/// The outcome of writing a new case with its idempotency record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Both items written.
    Stored,
    /// The idempotency key was already used (a concurrent retry won): its first answer.
    Duplicate(Receipt),
}

/// A rate-limit or visit counter bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Counter {
    pub pk: String,
    pub sk: String,
}

/// The storage is unreachable or refused: the resident is asked to retry (503).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage error: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

pub type StoreResult<T> = Result<T, StoreError>;

/// The storage the handler needs. Futures are `Send` so the Lambda runtime can drive them.
pub trait Store: Send + Sync {
    /// The first answer given for an idempotency key (by its hash), if any.
    fn receipt_for_key(
        &self,
        table: CaseTable,
        key_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<Receipt>>> + Send;

    /// The next case number of the day (`day` = `YYYYMMDD`), starting at 1; atomic.
    fn next_case_number(
        &self,
        table: CaseTable,
        day: &str,
    ) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Writes the case and its idempotency record together, or neither. `expires_at` (epoch
    /// seconds) is when the idempotency record may be forgotten.
    fn create_case(
        &self,
        table: CaseTable,
        case: &CaseItem,
        key_hash: &str,
        receipt: &Receipt,
        expires_at: i64,
    ) -> impl Future<Output = StoreResult<Created>> + Send;

    /// A case and its timeline, read consistently.
    fn find_case(
        &self,
        table: CaseTable,
        case_id: &str,
    ) -> impl Future<Output = StoreResult<Option<CaseRecord>>> + Send;

    /// Adds one to a counter in the meta table and returns the new count. `expires_at` (epoch
    /// seconds) sets the counter's TTL; `None` keeps it for good (visit counts).
    fn increment(
        &self,
        counter: &Counter,
        expires_at: Option<i64>,
    ) -> impl Future<Output = StoreResult<u64>> + Send;

    /// The current count of a counter (0 if it was never incremented or has expired).
    fn count(&self, counter: &Counter) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Records a rating, with its timeline item, atomically and only if the case is still in
    /// `seen_status` and [`CaseItem::may_be_rated`]; for a 不满意, the case goes back to 办理中
    /// with the new due date and without its extension, any other rating ends its SMS
    /// (`notify_sms` goes). `false`: the case changed meanwhile
    /// (rated by a concurrent request, or reopened), nothing written.
    fn rate_case(
        &self,
        table: CaseTable,
        case_id: &str,
        seen_status: &str,
        rating: &Rating,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
}

/// A shared store is a store: `ydt serve` keeps one behind an `Arc` while the app around it is
/// rebuilt with each new manifest.
impl<T: Store> Store for std::sync::Arc<T> {
    fn receipt_for_key(
        &self,
        table: CaseTable,
        key_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<Receipt>>> + Send {
        (**self).receipt_for_key(table, key_hash)
    }

    fn next_case_number(
        &self,
        table: CaseTable,
        day: &str,
    ) -> impl Future<Output = StoreResult<u64>> + Send {
        (**self).next_case_number(table, day)
    }

    fn create_case(
        &self,
        table: CaseTable,
        case: &CaseItem,
        key_hash: &str,
        receipt: &Receipt,
        expires_at: i64,
    ) -> impl Future<Output = StoreResult<Created>> + Send {
        (**self).create_case(table, case, key_hash, receipt, expires_at)
    }

    fn find_case(
        &self,
        table: CaseTable,
        case_id: &str,
    ) -> impl Future<Output = StoreResult<Option<CaseRecord>>> + Send {
        (**self).find_case(table, case_id)
    }

    fn increment(
        &self,
        counter: &Counter,
        expires_at: Option<i64>,
    ) -> impl Future<Output = StoreResult<u64>> + Send {
        (**self).increment(counter, expires_at)
    }

    fn count(&self, counter: &Counter) -> impl Future<Output = StoreResult<u64>> + Send {
        (**self).count(counter)
    }

    fn rate_case(
        &self,
        table: CaseTable,
        case_id: &str,
        seen_status: &str,
        rating: &Rating,
    ) -> impl Future<Output = StoreResult<bool>> + Send {
        (**self).rate_case(table, case_id, seen_status, rating)
    }
}

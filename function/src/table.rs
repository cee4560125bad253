//! The DynamoDB tables, as plain data: names, keys, indexes, TTL and the attribute names items use.
//!
//! This is the one definition. The DynamoDB store reads and writes with these names, the tests
//! create their tables from it, and `infra/template.yaml` must declare the same (a test compares
//! them). Nothing here talks to AWS.
//!
//! Three tables:
//!
//! * **cases** — complaints and suggestions. Partition key `case_id`, sort key `item`. One
//!   partition per case: the case item itself (`item = "case"`, the one a handler reads and
//!   edits), and its timeline (`item = "t#<at>"`, one per change of status or reply). A console
//!   Query on `case_id` shows the case and its trail together. The same table also holds its
//!   bookkeeping under partitions that never look like a case number: the idempotency records
//!   (`case_id = "key#<hash>"`, `item = "key"`) and the day's case-number counter
//!   (`case_id = "counter#<YYYYMMDD>"`, `item = "counter"`).
//! * **reports** — 举报, with exactly the same schema. A table of its own so it can have its own
//!   access: community handlers are never granted it.
//! * **meta** — visit counts and rate-limit counters (`pk`, `sk`); rate-limit items expire by TTL.
//!
//! The two indexes are sparse: only case items carry `community`, `status` and `due_at`, so
//! timeline items, idempotency records and counters never appear in them.

/// A secondary index; every index projects all attributes so the console shows whole cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDef {
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
}

/// One table. Every key attribute is a string (`S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    /// Environment variable that overrides the table name.
    pub name_env: &'static str,
    /// Table name when the variable is unset.
    pub default_name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    pub indexes: &'static [IndexDef],
    /// Attribute holding an epoch-seconds expiry, if the table has TTL turned on.
    pub ttl_attribute: Option<&'static str>,
    /// Whether the table streams changes (new and old images) to the timeline consumer.
    pub stream: bool,
}

impl TableDef {
    /// The table name: the environment override, else the default.
    pub fn name_from_env(&self) -> String {
        std::env::var(self.name_env)
            .ok()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.default_name.to_string())
    }

    /// Every attribute used in a key of the table or its indexes, each once (all type `S`).
    pub fn key_attributes(&self) -> Vec<&'static str> {
        let mut names = vec![self.partition_key, self.sort_key];
        for index in self.indexes {
            for name in [index.partition_key, index.sort_key] {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }
}

/// "Cases of community X by status": partition `community`, sort `status`.
pub const BY_COMMUNITY: IndexDef = IndexDef {
    name: "by-community",
    partition_key: attr::COMMUNITY,
    sort_key: attr::STATUS,
};

/// "Open cases by status, oldest due first" and "overdue": partition `status`, sort `due_at`
/// (`YYYY-MM-DD`, so `due_at < today` is a key condition).
pub const BY_STATUS_DUE: IndexDef = IndexDef {
    name: "by-status-due",
    partition_key: attr::STATUS,
    sort_key: attr::DUE_AT,
};

const CASE_INDEXES: &[IndexDef] = &[BY_COMMUNITY, BY_STATUS_DUE];

pub const CASES: TableDef = TableDef {
    name_env: "YDT_CASES_TABLE",
    default_name: "ydt-cases",
    partition_key: attr::CASE_ID,
    sort_key: attr::ITEM,
    indexes: CASE_INDEXES,
    ttl_attribute: Some(attr::EXPIRES_AT),
    stream: true,
};

pub const REPORTS: TableDef = TableDef {
    name_env: "YDT_REPORTS_TABLE",
    default_name: "ydt-reports",
    ..CASES
};

pub const META: TableDef = TableDef {
    name_env: "YDT_META_TABLE",
    default_name: "ydt-meta",
    partition_key: attr::PK,
    sort_key: attr::SK,
    indexes: &[],
    ttl_attribute: Some(attr::EXPIRES_AT),
    stream: false,
};

pub const ALL: [TableDef; 3] = [CASES, REPORTS, META];

/// Values of the `item` sort key.
pub mod item {
    /// The case itself.
    pub const CASE: &str = "case";
    /// Prefix of timeline items: `t#<at>` with `at` an RFC 3339 time in +08:00.
    pub const TIMELINE_PREFIX: &str = "t#";
    /// An idempotency record.
    pub const KEY: &str = "key";
    /// The day's case-number counter.
    pub const COUNTER: &str = "counter";
    /// Partition prefixes of the bookkeeping items.
    pub const KEY_PARTITION_PREFIX: &str = "key#";
    pub const COUNTER_PARTITION_PREFIX: &str = "counter#";
}

/// Attribute names. Case items read in plain words in the console.
pub mod attr {
    pub const CASE_ID: &str = "case_id";
    pub const ITEM: &str = "item";
    pub const COMMUNITY: &str = "community";
    pub const COMMUNITY_NAME: &str = "community_name";
    pub const TYPE: &str = "type";
    pub const TYPE_NAME: &str = "type_name";
    pub const CATEGORY: &str = "category";
    pub const CATEGORY_NAME: &str = "category_name";
    pub const BODY: &str = "body";
    pub const ANONYMOUS: &str = "anonymous";
    pub const CONTACT_NAME: &str = "contact_name";
    pub const CONTACT_PHONE: &str = "contact_phone";
    pub const STATUS: &str = "status";
    pub const ROUTED_TO: &str = "routed_to";
    /// The public answer, edited by the handler.
    pub const REPLY: &str = "reply";
    pub const CREATED_AT: &str = "created_at";
    pub const UPDATED_AT: &str = "updated_at";
    /// Due date, `YYYY-MM-DD` Asia/Shanghai.
    pub const DUE_AT: &str = "due_at";
    pub const CLOSED_AT: &str = "closed_at";
    /// Hex HMAC of the query code; the code itself is never stored.
    pub const QUERY_HASH: &str = "query_hash";
    /// Acceptance deadline, `YYYY-MM-DD`: the first clock.
    pub const ACCEPT_DUE: &str = "accept_due";
    /// An objection's record id.
    pub const RECORD: &str = "record";
    /// BOOL: an objection filed after the 公示期.
    pub const LATE: &str = "late";
    /// Map `{role, name}`: who filed for the resident.
    pub const ON_BEHALF: &str = "on_behalf";
    pub const ON_BEHALF_ROLE: &str = "role";
    pub const ON_BEHALF_NAME: &str = "name";
    /// BOOL: the resident asked for SMS notices.
    pub const NOTIFY_SMS: &str = "notify_sms";
    /// The resident's rating (满意, 基本满意, 不满意), its comment and time.
    pub const RATING: &str = "rating";
    pub const RATING_COMMENT: &str = "rating_comment";
    pub const RATED_AT: &str = "rated_at";
    /// The extended handling deadline, `YYYY-MM-DD`, and why (set by the handler, once a round).
    pub const EXTENDED_TO: &str = "extended_to";
    pub const EXTEND_REASON: &str = "extend_reason";

    /// Timeline items: when, what changed (`status` or `reply`), the new value.
    pub const AT: &str = "at";
    pub const CHANGE: &str = "change";
    pub const VALUE: &str = "value";

    /// Idempotency records: the first answer, as JSON.
    pub const RECEIPT: &str = "receipt";
    /// Counters (case numbers, visits, rate limits).
    pub const COUNT: &str = "count";
    /// TTL attribute (epoch seconds).
    pub const EXPIRES_AT: &str = "expires_at";

    /// Meta table keys.
    pub const PK: &str = "pk";
    pub const SK: &str = "sk";
}

/// Meta table partitions.
pub mod meta {
    /// `visits#<YYYY-MM-DD>`, sort key `<slug>` or `<slug>#<placement>`, attribute `count`.
    pub const VISITS_PREFIX: &str = "visits#";
    /// `rate#<client hash>`, sort key `<submit|track>#<window>`, attributes `count`, `expires_at`.
    pub const RATE_PREFIX: &str = "rate#";
}

/// Case status values, exactly as handlers type them in the console.
pub mod status {
    pub const RECEIVED: &str = "待受理";
    pub const ACCEPTED: &str = "已受理";
    pub const IN_PROGRESS: &str = "办理中";
    pub const TRANSFERRED: &str = "已转办";
    pub const NOT_ACCEPTED: &str = "不予受理";
    pub const CLOSED: &str = "已办结";

    pub const ALL: [&str; 6] = [
        RECEIVED,
        ACCEPTED,
        IN_PROGRESS,
        TRANSFERRED,
        NOT_ACCEPTED,
        CLOSED,
    ];
    /// Still waiting for the handler; past `due_at` means overdue.
    pub const OPEN: [&str; 3] = [RECEIVED, ACCEPTED, IN_PROGRESS];

    pub fn is_open(status: &str) -> bool {
        OPEN.contains(&status)
    }

    /// Statuses that end the community's part in a case; reaching one stamps `closed_at`.
    pub fn is_terminal(status: &str) -> bool {
        matches!(status, TRANSFERRED | NOT_ACCEPTED | CLOSED)
    }
}

/// Rating values, exactly as residents choose them.
pub mod rating {
    pub const SATISFIED: &str = "满意";
    pub const MOSTLY_SATISFIED: &str = "基本满意";
    /// Reopens the case (办理中, a new due date) and tells the supervising body.
    pub const UNSATISFIED: &str = "不满意";

    pub const ALL: [&str; 3] = [SATISFIED, MOSTLY_SATISFIED, UNSATISFIED];
}

//! The DynamoDB store: the tables of [`crate::table`], item for item.
//!
//! A new case is one `TransactWriteItems` of the case item and its idempotency record, each
//! conditional on not existing, so a retried submission is never stored twice. Counters are
//! single `UpdateItem ADD`s. Track reads a case's partition (case item plus timeline) with one
//! consistent `Query`. Items are read leniently: a handler may have edited or removed attributes
//! in the console.
//!
//! [`Resilience`] sets how long the SDK waits and how often it retries, so that a submission is
//! answered well inside API Gateway's 30 s even when DynamoDB throttles, fails or goes quiet.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ReturnValue, ScalarAttributeType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification, TransactWriteItem,
};
use sha2::{Digest, Sha256};

use super::{
    CaseItem, CaseRecord, CaseTable, Counter, Created, Receipt, Store, StoreError, StoreResult,
    TimelineEvent,
};
use crate::table::{self, TableDef, attr, item};

type Item = HashMap<String, AttributeValue>;

/// The three table names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    pub cases: String,
    pub reports: String,
    pub meta: String,
}

impl TableNames {
    /// From `YDT_CASES_TABLE`, `YDT_REPORTS_TABLE`, `YDT_META_TABLE`, else the defaults.
    pub fn from_env() -> TableNames {
        TableNames {
            cases: table::CASES.name_from_env(),
            reports: table::REPORTS.name_from_env(),
            meta: table::META.name_from_env(),
        }
    }

    /// Each table's definition with its name.
    pub fn with_defs(&self) -> [(TableDef, &str); 3] {
        [
            (table::CASES, &self.cases),
            (table::REPORTS, &self.reports),
            (table::META, &self.meta),
        ]
    }
}

/// The SDK's timeouts and retries for every call of the store.
///
/// A submission makes at most six calls one after another (idempotency read, two rate-limit
/// counters, case number, the transaction, and the idempotency read again if the transaction was
/// cancelled), and the handler gives up after [`crate::handler::ANSWER_WITHIN`] with a 503 the
/// page retries. DynamoDB answers in milliseconds, so an attempt that has not answered in
/// `attempt` is treated as lost and retried; every error the SDK deems transient (5xx, throttling,
/// a reset connection, a timeout) is retried with jittered exponential backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resilience {
    /// Opening a connection.
    pub connect: Duration,
    /// One attempt, from sending the request to the last byte of the answer.
    pub attempt: Duration,
    /// One call, all attempts and backoff included.
    pub operation: Duration,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The SDK's retry quota (a token bucket: a retry costs 5, a timeout 10, a success gives 1
    /// back). Its default of 500 runs dry after a hundred retries in a row and then no call is
    /// retried at all; ours is larger, so a burst of faults is ridden out rather than passed on
    /// to residents as 503s, while a lasting outage still stops retrying.
    pub retry_quota: usize,
}

impl Default for Resilience {
    fn default() -> Resilience {
        Resilience {
            connect: Duration::from_secs(1),
            attempt: Duration::from_secs(2),
            operation: Duration::from_secs(5),
            max_attempts: 4,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(1),
            retry_quota: 20_000,
        }
    }
}

impl Resilience {
    /// The SDK configuration with these timeouts and retries.
    pub fn apply(
        &self,
        builder: aws_sdk_dynamodb::config::Builder,
    ) -> aws_sdk_dynamodb::config::Builder {
        builder
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect)
                    .operation_attempt_timeout(self.attempt)
                    .operation_timeout(self.operation)
                    .build(),
            )
            .retry_partition(
                RetryPartition::custom("ydt-dynamodb")
                    .token_bucket(TokenBucket::builder().capacity(self.retry_quota).build())
                    .build(),
            )
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(self.max_attempts)
                    .with_initial_backoff(self.initial_backoff)
                    .with_max_backoff(self.max_backoff),
            )
    }
}

pub struct DynamoStore {
    client: Client,
    names: TableNames,
}

fn fault(err: impl std::error::Error) -> StoreError {
    StoreError(DisplayErrorContext(err).to_string())
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A string attribute, leniently: numbers are read as their text, anything else as empty.
fn text(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(v)) | Some(AttributeValue::N(v)) => v.clone(),
        _ => String::new(),
    }
}

fn optional_text(item: &Item, name: &str) -> Option<String> {
    Some(text(item, name)).filter(|v| !v.is_empty())
}

fn number(item: Option<&Item>, name: &str) -> u64 {
    match item.and_then(|i| i.get(name)) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    }
}

impl DynamoStore {
    pub fn new(client: Client, names: TableNames) -> DynamoStore {
        DynamoStore { client, names }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn case_table(&self, table: CaseTable) -> &str {
        match table {
            CaseTable::Cases => &self.names.cases,
            CaseTable::Reports => &self.names.reports,
        }
    }

    /// One cheap read during start-up, so the first resident does not wait for the connection
    /// and credentials to be set up.
    pub async fn warm(&self) -> StoreResult<()> {
        self.client
            .get_item()
            .table_name(&self.names.meta)
            .key(attr::PK, s("warm-up"))
            .key(attr::SK, s("warm-up"))
            .send()
            .await
            .map_err(fault)?;
        Ok(())
    }

    fn case_to_item(case: &CaseItem) -> Item {
        let mut item = Item::new();
        let mut put = |name: &str, value: &str| {
            item.insert(name.to_string(), s(value));
        };
        put(attr::CASE_ID, &case.case_id);
        put(attr::ITEM, item::CASE);
        put(attr::COMMUNITY, &case.community);
        put(attr::COMMUNITY_NAME, &case.community_name);
        put(attr::TYPE, &case.kind);
        put(attr::TYPE_NAME, &case.type_name);
        put(attr::CATEGORY, &case.category);
        put(attr::CATEGORY_NAME, &case.category_name);
        put(attr::BODY, &case.body);
        put(attr::STATUS, &case.status);
        put(attr::ROUTED_TO, &case.routed_to);
        // Present though empty, so the handler sees where the answer goes.
        put(attr::REPLY, &case.reply);
        put(attr::CREATED_AT, &case.created_at);
        put(attr::UPDATED_AT, &case.updated_at);
        put(attr::DUE_AT, &case.due_at);
        put(attr::QUERY_HASH, &case.query_hash);
        for (name, value) in [
            (attr::CONTACT_NAME, &case.contact_name),
            (attr::CONTACT_PHONE, &case.contact_phone),
            (attr::CLOSED_AT, &case.closed_at),
        ] {
            if let Some(value) = value {
                put(name, value);
            }
        }
        item.insert(
            attr::ANONYMOUS.to_string(),
            AttributeValue::Bool(case.anonymous),
        );
        item
    }

    fn case_from_item(item: &Item) -> CaseItem {
        CaseItem {
            case_id: text(item, attr::CASE_ID),
            community: text(item, attr::COMMUNITY),
            community_name: text(item, attr::COMMUNITY_NAME),
            kind: text(item, attr::TYPE),
            type_name: text(item, attr::TYPE_NAME),
            category: text(item, attr::CATEGORY),
            category_name: text(item, attr::CATEGORY_NAME),
            body: text(item, attr::BODY),
            anonymous: matches!(item.get(attr::ANONYMOUS), Some(AttributeValue::Bool(true))),
            contact_name: optional_text(item, attr::CONTACT_NAME),
            contact_phone: optional_text(item, attr::CONTACT_PHONE),
            status: text(item, attr::STATUS),
            routed_to: text(item, attr::ROUTED_TO),
            reply: text(item, attr::REPLY),
            created_at: text(item, attr::CREATED_AT),
            updated_at: text(item, attr::UPDATED_AT),
            due_at: text(item, attr::DUE_AT),
            closed_at: optional_text(item, attr::CLOSED_AT),
            query_hash: text(item, attr::QUERY_HASH),
        }
    }
}

impl Store for DynamoStore {
    async fn receipt_for_key(
        &self,
        table: CaseTable,
        key_hash: &str,
    ) -> StoreResult<Option<Receipt>> {
        let output = self
            .client
            .get_item()
            .table_name(self.case_table(table))
            .key(
                attr::CASE_ID,
                s(format!("{}{key_hash}", item::KEY_PARTITION_PREFIX)),
            )
            .key(attr::ITEM, s(item::KEY))
            .consistent_read(true)
            .send()
            .await
            .map_err(fault)?;
        let Some(found) = output.item() else {
            return Ok(None);
        };
        serde_json::from_str(&text(found, attr::RECEIPT))
            .map(Some)
            .map_err(|err| StoreError(format!("unreadable idempotency record: {err}")))
    }

    async fn next_case_number(&self, table: CaseTable, day: &str) -> StoreResult<u64> {
        let output = self
            .client
            .update_item()
            .table_name(self.case_table(table))
            .key(
                attr::CASE_ID,
                s(format!("{}{day}", item::COUNTER_PARTITION_PREFIX)),
            )
            .key(attr::ITEM, s(item::COUNTER))
            .update_expression("ADD #count :one")
            .expression_attribute_names("#count", attr::COUNT)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(fault)?;
        Ok(number(output.attributes(), attr::COUNT))
    }

    async fn create_case(
        &self,
        table: CaseTable,
        case: &CaseItem,
        key_hash: &str,
        receipt: &Receipt,
        expires_at: i64,
    ) -> StoreResult<Created> {
        let table_name = self.case_table(table);
        let receipt_json =
            serde_json::to_string(receipt).map_err(|err| StoreError(err.to_string()))?;
        let key_item: Item = [
            (
                attr::CASE_ID,
                s(format!("{}{key_hash}", item::KEY_PARTITION_PREFIX)),
            ),
            (attr::ITEM, s(item::KEY)),
            (attr::RECEIPT, s(receipt_json)),
            (attr::CREATED_AT, s(&case.created_at)),
            (attr::EXPIRES_AT, AttributeValue::N(expires_at.to_string())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let not_there = format!("attribute_not_exists({})", attr::CASE_ID);
        let put = |item: Item| -> StoreResult<TransactWriteItem> {
            let put = Put::builder()
                .table_name(table_name)
                .set_item(Some(item))
                .condition_expression(&not_there)
                .build()
                .map_err(fault)?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        // The same token for the SDK's retries of this very transaction: if the first attempt was
        // written but its answer lost, DynamoDB answers the retry with success instead of
        // cancelling it. A later attempt by the handler has a new case number, so a new token.
        let token = {
            let digest = Sha256::digest(format!("{key_hash}\n{}", case.case_id).as_bytes());
            digest
                .iter()
                .take(18)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let result = self
            .client
            .transact_write_items()
            .client_request_token(token)
            .transact_items(put(key_item)?)
            .transact_items(put(Self::case_to_item(case))?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Created::Stored),
            Err(err) => {
                let cancelled = err
                    .as_service_error()
                    .is_some_and(|e| e.is_transaction_canceled_exception());
                // A concurrent retry with the same key got there first: give its answer.
                if cancelled && let Some(first) = self.receipt_for_key(table, key_hash).await? {
                    return Ok(Created::Duplicate(first));
                }
                Err(fault(err))
            }
        }
    }

    async fn find_case(&self, table: CaseTable, case_id: &str) -> StoreResult<Option<CaseRecord>> {
        let mut case = None;
        let mut timeline = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(self.case_table(table))
                .key_condition_expression("#id = :id")
                .expression_attribute_names("#id", attr::CASE_ID)
                .expression_attribute_values(":id", s(case_id))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(fault)?;
            for found in output.items() {
                let kind = text(found, attr::ITEM);
                if kind == item::CASE {
                    case = Some(Self::case_from_item(found));
                } else if kind.starts_with(item::TIMELINE_PREFIX) {
                    timeline.push(TimelineEvent {
                        at: text(found, attr::AT),
                        change: text(found, attr::CHANGE),
                        value: text(found, attr::VALUE),
                    });
                }
            }
            start = output.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        Ok(case.map(|case| CaseRecord { case, timeline }))
    }

    async fn increment(&self, counter: &Counter, expires_at: Option<i64>) -> StoreResult<u64> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.names.meta)
            .key(attr::PK, s(&counter.pk))
            .key(attr::SK, s(&counter.sk))
            .expression_attribute_names("#count", attr::COUNT)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::UpdatedNew);
        update = match expires_at {
            Some(at) => update
                .update_expression("ADD #count :one SET #expires = if_not_exists(#expires, :at)")
                .expression_attribute_names("#expires", attr::EXPIRES_AT)
                .expression_attribute_values(":at", AttributeValue::N(at.to_string())),
            None => update.update_expression("ADD #count :one"),
        };
        let output = update.send().await.map_err(fault)?;
        Ok(number(output.attributes(), attr::COUNT))
    }

    async fn count(&self, counter: &Counter) -> StoreResult<u64> {
        let output = self
            .client
            .get_item()
            .table_name(&self.names.meta)
            .key(attr::PK, s(&counter.pk))
            .key(attr::SK, s(&counter.sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(fault)?;
        // Rate-limit counters are keyed by their window, so one TTL has not yet removed is never
        // read for a later window.
        Ok(number(output.item(), attr::COUNT))
    }
}

/// Creates a table from its definition (on-demand billing, indexes projecting everything, the
/// stream and TTL as declared). Used by the tests; `infra/` declares the same for AWS.
pub async fn create_table(client: &Client, def: &TableDef, name: &str) -> StoreResult<()> {
    let key = |attribute: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(attribute)
            .key_type(key_type)
            .build()
            .map_err(fault)
    };
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(def.partition_key, KeyType::Hash)?)
        .key_schema(key(def.sort_key, KeyType::Range)?);
    for attribute in def.key_attributes() {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(fault)?,
        );
    }
    for index in def.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .key_schema(key(index.partition_key, KeyType::Hash)?)
                .key_schema(key(index.sort_key, KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(fault)?,
        );
    }
    if def.stream {
        request = request.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .map_err(fault)?,
        );
    }
    request.send().await.map_err(fault)?;
    if let Some(ttl) = def.ttl_attribute {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(ttl)
                    .build()
                    .map_err(fault)?,
            )
            .send()
            .await
            .map_err(fault)?;
    }
    Ok(())
}

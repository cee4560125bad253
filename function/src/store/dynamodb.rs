//! The DynamoDB store: the tables of [`crate::table`], item for item, and the one way into
//! DynamoDB for every reader and writer of the crate.
//!
//! A new case is one `TransactWriteItems` of the case item and its idempotency record, each
//! conditional on not existing, so a retried submission is never stored twice. Counters are
//! single `UpdateItem ADD`s. Track reads a case's partition (case item plus timeline) with one
//! consistent `Query`.
//!
//! Beside the store, and used by it, the timeline consumer ([`crate::stream`]), the daily job
//! ([`crate::daily`]) and `ydt report` ([`crate::supervision`]):
//!
//! * [`connect`] builds the clients, with the timeouts and retries of [`Resilience`], so that a
//!   submission is answered well inside API Gateway's 30 s even when DynamoDB throttles, fails
//!   or goes quiet;
//! * `attribute` reads and writes items (leniently: a handler may have edited or removed
//!   attributes in the console);
//! * `request` turns SDK errors into [`StoreError`]s, reads every page of a query and updates a
//!   case item.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ReturnValue, ScalarAttributeType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification, TransactWriteItem, Update,
};
use sha2::{Digest, Sha256};

use super::{
    CaseItem, CaseRecord, CaseTable, Counter, Created, Rating, Receipt, Store, StoreError,
    StoreResult, TimelineEvent, change,
};
use crate::table::{self, TableDef, attr, item, rating, status};

pub(crate) mod attribute;
mod connect;
pub(crate) mod request;

use attribute::{Item, case_from_item, case_to_item, number, s, text};
pub use connect::{Clients, JobContext, Resilience, connect};
use request::{fault, query_all};

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

    /// The name of a case table.
    pub(crate) fn case_table(&self, table: CaseTable) -> &str {
        match table {
            CaseTable::Cases => &self.cases,
            CaseTable::Reports => &self.reports,
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

pub struct DynamoStore {
    client: Client,
    names: TableNames,
}

impl DynamoStore {
    pub fn new(client: Client, names: TableNames) -> DynamoStore {
        DynamoStore { client, names }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn case_table(&self, table: CaseTable) -> &str {
        self.names.case_table(table)
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
        let token = request_token(&[key_hash, &case.case_id]);
        let result = self
            .client
            .transact_write_items()
            .client_request_token(token)
            .transact_items(put(key_item)?)
            .transact_items(put(case_to_item(case))?)
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
        let partition = self
            .client
            .query()
            .table_name(self.case_table(table))
            .key_condition_expression("#id = :id")
            .expression_attribute_names("#id", attr::CASE_ID)
            .expression_attribute_values(":id", s(case_id))
            .consistent_read(true);
        let mut case = None;
        let mut timeline = Vec::new();
        for found in query_all(partition).await? {
            let kind = text(&found, attr::ITEM);
            if kind == item::CASE {
                case = Some(case_from_item(&found));
            } else if kind.starts_with(item::TIMELINE_PREFIX) {
                timeline.push(TimelineEvent {
                    at: text(&found, attr::AT),
                    change: text(&found, attr::CHANGE),
                    value: text(&found, attr::VALUE),
                });
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

    async fn rate_case(
        &self,
        table: CaseTable,
        case_id: &str,
        seen_status: &str,
        rating: &Rating,
    ) -> StoreResult<bool> {
        let table_name = self.case_table(table);
        // The same test as `CaseItem::may_be_rated`, as a condition, so that of two ratings at
        // once only one is written.
        let condition = "#status = :seen AND (attribute_not_exists(#rating) OR #rating = :none \
                         OR #rating = :unsatisfied)";
        let mut set = vec!["#rating = :rating", "#rated = :at", "#updated = :at"];
        let mut remove = Vec::new();
        match rating.comment {
            Some(_) => set.push("#comment = :comment"),
            None => remove.push("#comment"),
        }
        if rating.reopen_due.is_some() {
            set.extend(["#status = :reopened", "#due = :due"]);
            remove.extend(["#extended", "#reason"]);
        } else {
            // Rated and done: no more SMS (the number is kept for SMS only until then).
            remove.push("#sms");
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let mut update = Update::builder()
            .table_name(table_name)
            .key(attr::CASE_ID, s(case_id))
            .key(attr::ITEM, s(item::CASE))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_names("#status", attr::STATUS)
            .expression_attribute_names("#rating", attr::RATING)
            .expression_attribute_names("#rated", attr::RATED_AT)
            .expression_attribute_names("#updated", attr::UPDATED_AT)
            .expression_attribute_names("#comment", attr::RATING_COMMENT)
            .expression_attribute_values(":seen", s(seen_status))
            .expression_attribute_values(":none", s(""))
            .expression_attribute_values(":unsatisfied", s(rating::UNSATISFIED))
            .expression_attribute_values(":rating", s(&rating.value))
            .expression_attribute_values(":at", s(&rating.at));
        if let Some(comment) = &rating.comment {
            update = update.expression_attribute_values(":comment", s(comment));
        }
        if rating.reopen_due.is_none() {
            update = update.expression_attribute_names("#sms", attr::NOTIFY_SMS);
        }
        if let Some(due) = &rating.reopen_due {
            update = update
                .expression_attribute_names("#due", attr::DUE_AT)
                .expression_attribute_names("#extended", attr::EXTENDED_TO)
                .expression_attribute_names("#reason", attr::EXTEND_REASON)
                .expression_attribute_values(":reopened", s(status::IN_PROGRESS))
                .expression_attribute_values(":due", s(due));
        }
        let timeline: Item = [
            (attr::CASE_ID, s(case_id)),
            (
                attr::ITEM,
                s(format!(
                    "{}{}#{}",
                    item::TIMELINE_PREFIX,
                    rating.at,
                    change::RATING
                )),
            ),
            (attr::AT, s(&rating.at)),
            (attr::CHANGE, s(change::RATING)),
            (attr::VALUE, s(&rating.value)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let put = Put::builder()
            .table_name(table_name)
            .set_item(Some(timeline))
            .condition_expression("attribute_not_exists(#item)")
            .expression_attribute_names("#item", attr::ITEM)
            .build()
            .map_err(fault)?;
        let result = self
            .client
            .transact_write_items()
            .client_request_token(request_token(&[case_id, &rating.at, &rating.value]))
            .transact_items(
                TransactWriteItem::builder()
                    .update(update.build().map_err(fault)?)
                    .build(),
            )
            .transact_items(TransactWriteItem::builder().put(put).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if conditions_failed(&err) => Ok(false),
            Err(err) => Err(fault(err)),
        }
    }
}

/// A `ClientRequestToken`: the same for the SDK's retries of one transaction, so a retry of one
/// that was written but whose answer was lost succeeds instead of failing its conditions.
fn request_token(parts: &[&str]) -> String {
    Sha256::digest(parts.join("\n").as_bytes())
        .iter()
        .take(18)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A cancelled transaction whose conditions failed (as opposed to one cancelled by a conflict,
/// which is worth retrying).
fn conditions_failed(
    err: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        aws_sdk_dynamodb::config::http::HttpResponse,
    >,
) -> bool {
    err.as_service_error()
        .and_then(|e| match e {
            aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c) => Some(c),
            _ => None,
        })
        .is_some_and(|c| {
            c.cancellation_reasons()
                .iter()
                .any(|r| r.code() == Some("ConditionalCheckFailed"))
        })
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

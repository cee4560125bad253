//! The requests several readers and writers share: an SDK error as a [`StoreError`], every page
//! of a query, an update of a case item, and the outcome of a conditional write.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;

use super::attribute::{Item, s};
use crate::store::{StoreError, StoreResult};
use crate::table::{attr, item};

/// An SDK error, with its whole chain of causes, as a storage error.
pub(crate) fn fault(err: impl std::error::Error) -> StoreError {
    StoreError(DisplayErrorContext(err).to_string())
}

/// Every item the query finds, page by page.
pub(crate) async fn query_all(query: QueryFluentBuilder) -> StoreResult<Vec<Item>> {
    query
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(fault)
}

/// A conditional write's outcome: a failed condition means the work was already done (a
/// redelivered stream record, a case closed again meanwhile), which is success.
pub(crate) fn written<T, E, R>(result: Result<T, SdkError<E, R>>) -> StoreResult<()>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Err(err) if !condition_failed(&err) => Err(fault(err)),
        _ => Ok(()),
    }
}

fn condition_failed<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

/// What to change in a case item, in DynamoDB's expression language: `names` and `values` are
/// the `#name` and `:value` placeholders (all values strings).
pub(crate) struct CaseUpdate<'a> {
    pub update: &'a str,
    pub condition: Option<&'a str>,
    pub names: &'a [(&'a str, &'a str)],
    pub values: &'a [(&'a str, &'a str)],
}

/// Updates the case item (`item = case`) of `case_id` in `table`; a failed condition counts as
/// done (see [`written`]).
pub(crate) async fn update_case(
    client: &Client,
    table: &str,
    case_id: &str,
    change: CaseUpdate<'_>,
) -> StoreResult<()> {
    let mut request = client
        .update_item()
        .table_name(table)
        .key(attr::CASE_ID, s(case_id))
        .key(attr::ITEM, s(item::CASE))
        .update_expression(change.update)
        .set_condition_expression(change.condition.map(str::to_string));
    for (placeholder, name) in change.names {
        request = request.expression_attribute_names(*placeholder, *name);
    }
    for (placeholder, value) in change.values {
        request = request.expression_attribute_values(*placeholder, s(*value));
    }
    written(request.send().await)
}

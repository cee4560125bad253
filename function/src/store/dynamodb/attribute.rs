//! Items and their attributes: a case item spelled out in attributes and read back, and the
//! attribute readers every DynamoDB read uses. Reading is lenient, since a handler may have
//! edited or removed attributes in the console: a missing or odd attribute reads as empty.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::store::{CaseItem, OnBehalf};
use crate::table::{attr, item};

/// An item as the SDK reads and writes it.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// A string attribute value.
pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A string attribute, leniently: numbers are read as their text, anything else as empty.
pub(crate) fn text(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(v)) | Some(AttributeValue::N(v)) => v.clone(),
        _ => String::new(),
    }
}

/// A string attribute that is present and not empty.
pub(crate) fn optional_text(item: &Item, name: &str) -> Option<String> {
    Some(text(item, name)).filter(|v| !v.is_empty())
}

/// A number attribute; 0 when absent or unreadable.
pub(crate) fn number(item: Option<&Item>, name: &str) -> u64 {
    match item.and_then(|i| i.get(name)) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    }
}

/// A stream record's image (keys, old or new item) as an item.
pub(crate) fn from_image(image: &serde_dynamo::Item) -> Item {
    image.clone().into()
}

pub(crate) fn case_to_item(case: &CaseItem) -> Item {
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
    put(attr::ACCEPT_DUE, &case.accept_due);
    for (name, value) in [
        (attr::CONTACT_NAME, &case.contact_name),
        (attr::CONTACT_PHONE, &case.contact_phone),
        (attr::CLOSED_AT, &case.closed_at),
        (attr::RECORD, &case.record),
        (attr::RATING, &case.rating),
        (attr::RATING_COMMENT, &case.rating_comment),
        (attr::RATED_AT, &case.rated_at),
        (attr::EXTENDED_TO, &case.extended_to),
        (attr::EXTEND_REASON, &case.extend_reason),
    ] {
        if let Some(value) = value {
            put(name, value);
        }
    }
    item.insert(
        attr::ANONYMOUS.to_string(),
        AttributeValue::Bool(case.anonymous),
    );
    // Only when true, so a console item carries no flags that say nothing.
    for (name, value) in [(attr::LATE, case.late), (attr::NOTIFY_SMS, case.notify_sms)] {
        if value {
            item.insert(name.to_string(), AttributeValue::Bool(true));
        }
    }
    if let Some(by) = &case.on_behalf {
        let map = [
            (attr::ON_BEHALF_ROLE.to_string(), s(&by.role)),
            (attr::ON_BEHALF_NAME.to_string(), s(&by.name)),
        ];
        item.insert(
            attr::ON_BEHALF.to_string(),
            AttributeValue::M(map.into_iter().collect()),
        );
    }
    item
}

fn flag(item: &Item, name: &str) -> bool {
    matches!(item.get(name), Some(AttributeValue::Bool(true)))
}

pub(crate) fn case_from_item(item: &Item) -> CaseItem {
    CaseItem {
        case_id: text(item, attr::CASE_ID),
        community: text(item, attr::COMMUNITY),
        community_name: text(item, attr::COMMUNITY_NAME),
        kind: text(item, attr::TYPE),
        type_name: text(item, attr::TYPE_NAME),
        category: text(item, attr::CATEGORY),
        category_name: text(item, attr::CATEGORY_NAME),
        body: text(item, attr::BODY),
        anonymous: flag(item, attr::ANONYMOUS),
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
        accept_due: text(item, attr::ACCEPT_DUE),
        record: optional_text(item, attr::RECORD),
        late: flag(item, attr::LATE),
        on_behalf: match item.get(attr::ON_BEHALF) {
            Some(AttributeValue::M(map)) => Some(OnBehalf {
                role: text(map, attr::ON_BEHALF_ROLE),
                name: text(map, attr::ON_BEHALF_NAME),
            }),
            _ => None,
        },
        notify_sms: flag(item, attr::NOTIFY_SMS),
        rating: optional_text(item, attr::RATING),
        rating_comment: optional_text(item, attr::RATING_COMMENT),
        rated_at: optional_text(item, attr::RATED_AT),
        extended_to: optional_text(item, attr::EXTENDED_TO),
        extend_reason: optional_text(item, attr::EXTEND_REASON),
    }
}

//! `infra/template.yaml` declares the same tables as `function/src/table.rs`, the one definition:
//! names, keys, indexes, TTL attribute and streams, and the functions find them under the same
//! environment variables.
//!
//! The template uses CloudFormation's short tags (`!Ref`, `!Sub`, `!GetAtt`); serde-saphyr keeps
//! the tagged scalar's text and drops the tag, so `!Ref CasesTable` reads as `CasesTable` and
//! `!Sub "${NamePrefix}-cases"` as `${NamePrefix}-cases`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use ydt_function::handler::ANSWER_WITHIN;
use ydt_function::store::dynamodb::Resilience;
use ydt_function::table::{self, TableDef};

#[derive(Deserialize)]
struct Template {
    #[serde(rename = "Parameters")]
    parameters: BTreeMap<String, Value>,
    #[serde(rename = "Globals")]
    globals: Value,
    #[serde(rename = "Resources")]
    resources: BTreeMap<String, Resource>,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Properties", default)]
    properties: Value,
}

fn template() -> Template {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    let text = std::fs::read_to_string(path).expect("read infra/template.yaml");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("infra/template.yaml: {e}"))
}

/// The template's logical id of each table of table.rs.
fn logical_id(def: &TableDef) -> &'static str {
    match def.name_env {
        "YDT_CASES_TABLE" => "CasesTable",
        "YDT_REPORTS_TABLE" => "ReportsTable",
        "YDT_META_TABLE" => "MetaTable",
        other => panic!("table.rs has a table the test does not know: {other}"),
    }
}

fn key_schema(v: &Value) -> (String, String) {
    let mut hash = String::new();
    let mut range = String::new();
    for k in v.as_array().expect("KeySchema is a list") {
        let name = k["AttributeName"].as_str().unwrap().to_string();
        match k["KeyType"].as_str().unwrap() {
            "HASH" => hash = name,
            "RANGE" => range = name,
            other => panic!("unknown KeyType {other}"),
        }
    }
    (hash, range)
}

#[test]
fn the_template_declares_exactly_the_tables_of_table_rs() {
    let t = template();
    let tables: Vec<&String> = t
        .resources
        .iter()
        .filter(|(_, r)| r.kind == "AWS::DynamoDB::Table")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        tables.len(),
        table::ALL.len(),
        "tables in the template: {tables:?}"
    );

    let prefix = t.parameters["NamePrefix"]["Default"].as_str().unwrap();
    for def in table::ALL {
        let id = logical_id(&def);
        let p = &t.resources[id].properties;

        // `!Sub "${NamePrefix}-cases"` with the default prefix is table.rs's default name.
        let name = p["TableName"]
            .as_str()
            .unwrap()
            .replace("${NamePrefix}", prefix);
        assert_eq!(name, def.default_name, "{id} TableName");

        assert_eq!(
            key_schema(&p["KeySchema"]),
            (def.partition_key.to_string(), def.sort_key.to_string()),
            "{id} keys"
        );

        let mut declared: Vec<(String, String)> = p["AttributeDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["AttributeName"].as_str().unwrap().to_string(),
                    a["AttributeType"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        declared.sort();
        let mut wanted: Vec<(String, String)> = def
            .key_attributes()
            .into_iter()
            .map(|n| (n.to_string(), "S".to_string()))
            .collect();
        wanted.sort();
        assert_eq!(declared, wanted, "{id} AttributeDefinitions");

        let indexes: Vec<(String, (String, String), String)> = p
            .get("GlobalSecondaryIndexes")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|i| {
                        (
                            i["IndexName"].as_str().unwrap().to_string(),
                            key_schema(&i["KeySchema"]),
                            i["Projection"]["ProjectionType"]
                                .as_str()
                                .unwrap()
                                .to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let wanted: Vec<(String, (String, String), String)> = def
            .indexes
            .iter()
            .map(|i| {
                (
                    i.name.to_string(),
                    (i.partition_key.to_string(), i.sort_key.to_string()),
                    "ALL".to_string(),
                )
            })
            .collect();
        assert_eq!(indexes, wanted, "{id} indexes");

        let ttl = &p["TimeToLiveSpecification"];
        match def.ttl_attribute {
            Some(attr) => {
                assert_eq!(ttl["AttributeName"], attr, "{id} TTL attribute");
                assert_eq!(ttl["Enabled"], true, "{id} TTL enabled");
            }
            None => assert!(ttl.is_null(), "{id} has TTL in the template only"),
        }

        let stream = p["StreamSpecification"]["StreamViewType"].as_str();
        if def.stream {
            assert_eq!(stream, Some("NEW_AND_OLD_IMAGES"), "{id} stream");
        } else {
            assert_eq!(stream, None, "{id} streams in the template only");
        }

        assert_eq!(p["BillingMode"], "PAY_PER_REQUEST", "{id}");
        assert_eq!(
            p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true,
            "{id}"
        );
        assert_eq!(p["SSESpecification"]["SSEEnabled"], true, "{id}");
        assert_eq!(p["DeletionProtectionEnabled"], true, "{id}");
    }
}

/// API Gateway gives up on the function after 30 s. Each DynamoDB call is capped by the
/// production `Resilience` (`operation`: all attempts and backoff), a submission makes at most six
/// in a row, and the handler stops at `ANSWER_WITHIN` with a 503 the page retries: the longest a
/// submission can take must be inside the function's timeout, and that inside the gateway's.
#[test]
fn a_submission_is_answered_before_api_gateway_gives_up() {
    const GATEWAY_SECS: u64 = 30;
    const CALLS_PER_SUBMISSION: u32 = 6;
    let r = Resilience::default();
    let per_call = r
        .operation
        .min(r.attempt * r.max_attempts + r.max_backoff * (r.max_attempts - 1));
    let worst = (per_call * CALLS_PER_SUBMISSION).min(ANSWER_WITHIN);

    let t = template();
    let submit = &t.resources["SubmitFunction"].properties;
    let timeout = submit
        .get("Timeout")
        .unwrap_or(&t.globals["Function"]["Timeout"])
        .as_u64()
        .expect("SubmitFunction's Timeout is a number of seconds");
    assert!(
        worst.as_secs() < timeout && timeout < GATEWAY_SECS,
        "a submission may take {worst:?}; SubmitFunction's Timeout ({timeout} s) must be longer, \
         so the handler's own answer is sent, and below API Gateway's {GATEWAY_SECS} s"
    );
}

#[test]
fn every_function_finds_the_tables_under_table_rs_variables() {
    let t = template();
    let vars = &t.globals["Function"]["Environment"]["Variables"];
    for def in table::ALL {
        assert_eq!(
            vars[def.name_env],
            logical_id(&def),
            "Globals: {} must be !Ref {}",
            def.name_env,
            logical_id(&def)
        );
    }
    // No function overrides them with something else.
    for (id, r) in &t.resources {
        if r.kind == "AWS::Serverless::Function" {
            let own = &r.properties["Environment"]["Variables"];
            for def in table::ALL {
                assert!(
                    own.get(def.name_env).is_none(),
                    "{id} sets {}",
                    def.name_env
                );
            }
        }
    }
}

#[test]
fn the_template_holds_no_secret_and_names_no_partition() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        assert!(
            !line.contains("arn:aws:"),
            "an ARN with a fixed partition: {line}"
        );
        assert!(
            !line.contains("amazonaws.com\""),
            "a fixed URL suffix: {line}"
        );
        if line.contains("YDT_HMAC_KEY:")
            || line.contains("YDT_ORIGIN_SECRET:")
            || line.contains("HeaderValue:")
        {
            assert!(
                line.contains("{{resolve:secretsmanager:"),
                "a secret not by dynamic reference: {line}"
            );
        }
    }
}

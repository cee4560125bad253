//! Storage faults lose nothing and store nothing twice.
//!
//! The handler runs over the DynamoDB store, whose calls go through the fault proxy
//! ([`ydt_e2e::fault_proxy`]) to moto on loopback. Thousands of residents submit at once; a
//! third of DynamoDB calls fail in every way the proxy knows, including a transaction written
//! with its answer lost. Each resident retries with the same idempotency key until acknowledged,
//! as the page does. Then, through a clean store straight to moto: exactly one case per key, each
//! acknowledged case number and query code works in track, nothing is missing.

#[path = "../../function/tests/common/mod.rs"]
mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use common::moto::{Moto, REGION, create_tables, names};
use common::{Event, app, call, complaint};
use serde_json::json;
use ydt_e2e::fault_proxy::{Fault, FaultPlan, FaultProxy};
use ydt_function::App;
use ydt_function::app::Limits;
use ydt_function::store::dynamodb::{DynamoStore, Resilience};
use ydt_function::table::{self, attr};

/// Submissions, concurrency and fault rate; `YDT_FAULT_SUBMISSIONS`, `YDT_FAULT_CONCURRENCY` and
/// `YDT_FAULT_RATE` change them (`bench/faults.sh` runs a longer one).
fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
/// A resident gives up after this many tries (the page keeps trying for minutes).
const MAX_ATTEMPTS: usize = 300;

/// The production settings with longer waits: moto takes tens of milliseconds a call and is
/// handed one call at a time, so a queue of a few dozen would otherwise time out while waiting.
/// The delay fault still outlasts an attempt.
fn test_resilience() -> Resilience {
    Resilience {
        attempt: Duration::from_secs(3),
        operation: Duration::from_secs(8),
        ..Resilience::default()
    }
}

fn client(endpoint: &str, resilience: Resilience) -> Client {
    let builder = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(aws_sdk_dynamodb::config::Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ));
    Client::from_conf(resilience.apply(builder).build())
}

fn unlimited<S: ydt_function::store::Store>(store: S) -> App<S> {
    let mut app = app(store);
    app.limits = Limits {
        submissions: u64::MAX / 4,
        lookups: u64::MAX / 4,
        window_secs: 600,
    };
    app
}

/// Every item of a table whose `item` is `kind`.
async fn items_of_kind(
    client: &Client,
    table_name: &str,
    kind: &str,
) -> Vec<HashMap<String, AttributeValue>> {
    let mut found = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table_name)
            .filter_expression("#item = :kind")
            .expression_attribute_names("#item", attr::ITEM)
            .expression_attribute_values(":kind", AttributeValue::S(kind.to_string()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan");
        found.extend(page.items().iter().cloned());
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            return found;
        }
    }
}

/// An acknowledged submission.
#[derive(Debug, Clone)]
struct Ack {
    key: String,
    case_id: String,
    query_code: String,
}

/// Submits until acknowledged (201 or 200), retrying after every 503 with the same key.
async fn submit_until_acknowledged(app: &App<DynamoStore>, n: usize) -> (Ack, usize) {
    let key = format!("fault-test-{n:05}");
    let mut body = complaint(&key);
    body["body"] = json!(format!("第{n}号:楼道灯坏了一个月,请尽快修理。"));
    // Reports go to their own table: a few of them take that path too.
    if n.is_multiple_of(10) {
        body["type"] = json!("report");
        body["category"] = json!("conduct");
    }
    let event = Event::post_json("/api/submissions", &body).source_ip(&format!(
        "10.{}.{}.{}",
        n / 65536,
        (n / 256) % 256,
        n % 256
    ));
    for attempt in 1..=MAX_ATTEMPTS {
        let answer = call(app, &event).await;
        match answer.status.as_u16() {
            200 | 201 => {
                let receipt = answer.json();
                return (
                    Ack {
                        key,
                        case_id: receipt["case_id"].as_str().unwrap().to_string(),
                        query_code: receipt["query_code"].as_str().unwrap().to_string(),
                    },
                    attempt,
                );
            }
            503 => {
                assert!(
                    answer.header("retry-after").is_some(),
                    "503 without Retry-After"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => panic!("submission {n}: {other} {}", answer.text()),
        }
    }
    panic!("submission {n} not acknowledged after {MAX_ATTEMPTS} attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_submission_lost_or_doubled_under_storage_faults() {
    let submissions: usize = setting("YDT_FAULT_SUBMISSIONS", 300);
    let concurrency: usize = setting("YDT_FAULT_CONCURRENCY", 12);
    let fault_rate: f64 = setting("YDT_FAULT_RATE", 0.30);
    let moto = Moto::start();
    let clean = moto.client();
    create_tables(&clean).await;
    let upstream: SocketAddr = moto.endpoint.trim_start_matches("http://").parse().unwrap();
    let resilience = test_resilience();
    let proxy = FaultProxy::start(
        upstream,
        FaultPlan {
            rate: fault_rate,
            delay: resilience.attempt + Duration::from_millis(300),
            seed: 20261201,
        },
    )
    .await;
    let faulty = Arc::new(unlimited(DynamoStore::new(
        client(&proxy.endpoint, resilience),
        names(),
    )));

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let app = faulty.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut acks = Vec::new();
            let mut slowest = Duration::ZERO;
            let mut attempts = 0;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= submissions {
                    return (acks, slowest, attempts);
                }
                let one = Instant::now();
                let (ack, tries) = submit_until_acknowledged(&app, n).await;
                slowest = slowest.max(one.elapsed());
                attempts += tries;
                acks.push(ack);
                if n.is_multiple_of(250) {
                    eprintln!(
                        "submission {n} acknowledged after {:.1?}",
                        started.elapsed()
                    );
                }
            }
        }));
    }
    let mut acks = Vec::new();
    let mut slowest = Duration::ZERO;
    let mut attempts = 0;
    for worker in workers {
        let (mut a, s, n) = worker.await.expect("worker");
        acks.append(&mut a);
        slowest = slowest.max(s);
        attempts += n;
    }
    eprintln!(
        "{submissions} submissions, {attempts} handler calls in {:.1} s; slowest until \
         acknowledged {:.1} s\nfaults injected:\n{}",
        started.elapsed().as_secs_f64(),
        slowest.as_secs_f64(),
        proxy.log.summary()
    );
    assert_eq!(acks.len(), submissions);
    assert!(
        fault_rate == 0.0
            || proxy
                .log
                .count(Some("TransactWriteItems"), Fault::LostAnswer)
                > submissions as u64 / 200,
        "the hard case (a transaction written, its answer lost) was hardly exercised"
    );
    for fault in ydt_e2e::fault_proxy::FAULTS {
        assert!(
            fault_rate == 0.0 || proxy.log.count(None, fault) > 0,
            "{fault:?} never injected"
        );
    }

    // Exactly one case item per key, none missing: as many case items as acknowledgements, each
    // acknowledged case number distinct and present.
    let acked_ids: HashSet<&str> = acks.iter().map(|a| a.case_id.as_str()).collect();
    assert_eq!(
        acked_ids.len(),
        submissions,
        "two keys acknowledged one case"
    );
    let mut stored_ids = HashSet::new();
    let mut key_records = 0;
    for table_name in [&names().cases, &names().reports] {
        for item in items_of_kind(&clean, table_name, table::item::CASE).await {
            let id = item[attr::CASE_ID].as_s().unwrap().clone();
            assert!(stored_ids.insert(id.clone()), "case {id} twice");
        }
        key_records += items_of_kind(&clean, table_name, table::item::KEY)
            .await
            .len();
    }
    let extra: Vec<_> = stored_ids
        .iter()
        .filter(|id| !acked_ids.contains(id.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "cases stored but never acknowledged: {extra:?}"
    );
    assert_eq!(stored_ids.len(), submissions, "cases missing");
    assert_eq!(key_records, submissions, "idempotency records");

    // Through a clean store: every acknowledged case is found with its query code, and a repeat
    // of a sample of keys gives the first case number.
    let clean_app = Arc::new(unlimited(DynamoStore::new(clean.clone(), names())));
    let acks = Arc::new(acks);
    let mut checkers = Vec::new();
    for lane in 0..8 {
        let app = clean_app.clone();
        let acks = acks.clone();
        checkers.push(tokio::spawn(async move {
            for ack in acks.iter().skip(lane).step_by(8) {
                let track = call(
                    &app,
                    &Event::post_json(
                        "/api/track",
                        &json!({"case_id": ack.case_id, "query_code": ack.query_code}),
                    ),
                )
                .await;
                assert_eq!(track.status, 200, "track {}: {}", ack.case_id, track.text());
                assert_eq!(track.json()["case_id"], ack.case_id);
            }
            for ack in acks.iter().skip(lane).step_by(40) {
                let n: usize = ack.key.rsplit('-').next().unwrap().parse().unwrap();
                let mut body = complaint(&ack.key);
                if n.is_multiple_of(10) {
                    body["type"] = json!("report");
                    body["category"] = json!("conduct");
                }
                let again = call(&app, &Event::post_json("/api/submissions", &body)).await;
                assert_eq!(again.status, 200, "{}", again.text());
                assert_eq!(again.json()["case_id"], ack.case_id);
                assert_eq!(again.json()["query_code"], ack.query_code);
            }
        }));
    }
    for checker in checkers {
        checker.await.expect("checker");
    }
}

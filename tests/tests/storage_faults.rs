//! Storage faults lose nothing and store nothing twice.
//!
//! The handler runs over the DynamoDB store, whose calls go through the fault proxy
//! ([`ydt_e2e::fault_proxy`]) to moto on loopback. Thousands of residents submit at once; a
//! third of DynamoDB calls fail in every way the proxy knows, including a transaction written
//! with its answer lost. Each resident retries with the same idempotency key until acknowledged,
//! as the page does. Then, through a clean store straight to moto: exactly one case per key, each
//! acknowledged case number and query code works in track, nothing is missing.
//!
//! The run is split into shards, each a region of a moto server with its own tables, fault proxy
//! and store; submission `n` goes to shard `n % shards`. moto 5 copies every table a transaction
//! touches before writing (`transact_write_items`, to roll back), stream records included, so one
//! table of thousands of cases makes each transaction slower than the last, and moto's memory
//! grows with the square of the cases per table (gigabytes at a few hundred per table); some
//! sixty per shard keep both small. Every check runs per shard and covers every submission.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use ydt_e2e::fault_proxy::{Fault, FaultLog, FaultPlan, FaultProxy};
use ydt_function::App;
use ydt_function::app::Limits;
use ydt_function::store::dynamodb::{DynamoStore, Resilience};
use ydt_function::table::{self, attr};
use ydt_test_support::moto::{Moto, client_in_region, config_in_region, create_tables, names};
use ydt_test_support::{Event, app, call, complaint, setting};

/// A resident gives up after this many tries (the page keeps trying for minutes).
const MAX_ATTEMPTS: usize = 300;

/// The regions the shards live in, one backend of a moto server each (moto knows these).
const REGIONS: [&str; 32] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "sa-east-1",
    "mx-central-1",
    "ap-east-2",
    "ap-southeast-5",
];

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

fn client(endpoint: &str, region: &'static str, resilience: Resilience) -> Client {
    Client::from_conf(resilience.apply(config_in_region(endpoint, region)).build())
}

fn unlimited<S: ydt_function::store::Store>(store: S) -> App<S> {
    let mut app = app(store);
    app.limits = Limits {
        submissions: u64::MAX / 4,
        lookups: u64::MAX / 4,
        submissions_per_address: u64::MAX / 4,
        lookups_per_address: u64::MAX / 4,
        visits_per_address: u64::MAX / 4,
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
    n: usize,
    key: String,
    case_id: String,
    query_code: String,
}

/// Reports go to their own table: a few of the submissions take that path too.
fn is_report(n: usize) -> bool {
    n.is_multiple_of(10)
}

/// Submission `n` as the page sends it.
fn submission(n: usize) -> (String, serde_json::Value) {
    let key = format!("fault-test-{n:05}");
    let mut body = complaint(&key);
    body["body"] = json!(format!("第{n}号:楼道灯坏了一个月,请尽快修理。"));
    if is_report(n) {
        body["type"] = json!("report");
        body["category"] = json!("conduct");
    }
    (key, body)
}

/// Submits until acknowledged (201 or 200), retrying after every 503 with the same key.
async fn submit_until_acknowledged(app: &App<DynamoStore>, n: usize) -> (Ack, usize) {
    let (key, body) = submission(n);
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
                        n,
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

/// One region of a moto server: its tables, its fault proxy and the store behind it.
#[derive(Clone)]
struct Shard {
    region: &'static str,
    faulty: Arc<App<DynamoStore>>,
    /// Straight to moto, for the checks.
    clean: Client,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_submission_lost_or_doubled_under_storage_faults() {
    // Submissions, concurrency, shards, fault rate and moto servers; `bench/faults.sh` runs a
    // longer one.
    let submissions: usize = setting("YDT_FAULT_SUBMISSIONS", 2000);
    let concurrency: usize = setting("YDT_FAULT_CONCURRENCY", 24);
    let shard_count: usize = setting("YDT_FAULT_SHARDS", 32).clamp(1, REGIONS.len());
    let fault_rate: f64 = setting("YDT_FAULT_RATE", 0.30);
    let servers: usize = setting("YDT_FAULT_SERVERS", 2).max(1);
    let motos: Vec<Moto> = (0..servers).map(|_| Moto::start()).collect();
    let resilience = test_resilience();
    let log = Arc::new(FaultLog::default());
    let mut shards = Vec::new();
    for (index, region) in REGIONS.iter().copied().take(shard_count).enumerate() {
        let moto = &motos[index % servers];
        let upstream: SocketAddr = moto.endpoint.trim_start_matches("http://").parse().unwrap();
        let clean = client_in_region(&moto.endpoint, region);
        create_tables(&clean).await;
        let proxy = FaultProxy::start(
            upstream,
            FaultPlan {
                rate: fault_rate,
                delay: resilience.attempt + Duration::from_millis(300),
                seed: 20261201 + index as u64,
            },
            log.clone(),
        )
        .await;
        let faulty = Arc::new(unlimited(DynamoStore::new(
            client(&proxy.endpoint, region, resilience),
            names(),
        )));
        shards.push(Shard {
            region,
            faulty,
            clean,
        });
    }
    let shards = Arc::new(shards);

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let shards = shards.clone();
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
                let app = &shards[n % shards.len()].faulty;
                let (ack, tries) = submit_until_acknowledged(app, n).await;
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
    let submitted = started.elapsed();
    eprintln!(
        "{submissions} submissions over {shard_count} shards on {servers} moto servers, \
         {attempts} handler calls in {:.1} s; slowest until acknowledged {:.1} s\n\
         faults injected:\n{}",
        submitted.as_secs_f64(),
        slowest.as_secs_f64(),
        log.summary()
    );
    assert_eq!(acks.len(), submissions);
    assert!(
        fault_rate == 0.0
            || log.count(Some("TransactWriteItems"), Fault::LostAnswer) > submissions as u64 / 200,
        "the hard case (a transaction written, its answer lost) was hardly exercised"
    );
    for fault in ydt_e2e::fault_proxy::FAULTS {
        assert!(
            fault_rate == 0.0 || log.count(None, fault) > 0,
            "{fault:?} never injected"
        );
    }
    let mut per_shard: Vec<Vec<Ack>> = vec![Vec::new(); shard_count];
    for ack in acks {
        per_shard[ack.n % shard_count].push(ack);
    }
    // The shards share nothing, so they are checked at once.
    let checks: Vec<_> = shards
        .iter()
        .cloned()
        .zip(per_shard)
        .map(|(shard, acks)| tokio::spawn(async move { check_shard(&shard, acks).await }))
        .collect();
    let mut checked = 0;
    for check in checks {
        checked += check.await.expect("shard check");
    }
    assert_eq!(checked, submissions, "submissions checked");
    eprintln!(
        "checked in {:.1} s",
        started.elapsed().as_secs_f64() - submitted.as_secs_f64()
    );
}

/// Through a clean store straight to the shard's tables: exactly one case item and one
/// idempotency record per acknowledged key, each in the table of its type, nothing else stored;
/// every acknowledged case number and query code works in track, and a repeat of a sample of keys
/// gives the first case number. Returns how many submissions it checked.
async fn check_shard(shard: &Shard, acks: Vec<Ack>) -> usize {
    let region = shard.region;
    let acked_ids: HashSet<&str> = acks.iter().map(|a| a.case_id.as_str()).collect();
    assert_eq!(
        acked_ids.len(),
        acks.len(),
        "{region}: two keys acknowledged one case"
    );
    let mut stored_ids = HashSet::new();
    let mut key_records = 0;
    for (table_name, reports) in [(&names().cases, false), (&names().reports, true)] {
        let mut in_table = HashSet::new();
        for item in items_of_kind(&shard.clean, table_name, table::item::CASE).await {
            let id = item[attr::CASE_ID].as_s().unwrap().clone();
            assert!(stored_ids.insert(id.clone()), "{region}: case {id} twice");
            in_table.insert(id);
        }
        for ack in acks.iter().filter(|a| is_report(a.n) == reports) {
            assert!(
                in_table.contains(&ack.case_id),
                "{region}: acknowledged case {} (key {}) not in {table_name}",
                ack.case_id,
                ack.key
            );
        }
        key_records += items_of_kind(&shard.clean, table_name, table::item::KEY)
            .await
            .len();
    }
    let extra: Vec<_> = stored_ids
        .iter()
        .filter(|id| !acked_ids.contains(id.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "{region}: cases stored but never acknowledged: {extra:?}"
    );
    assert_eq!(stored_ids.len(), acks.len(), "{region}: cases missing");
    assert_eq!(key_records, acks.len(), "{region}: idempotency records");

    let clean_app = Arc::new(unlimited(DynamoStore::new(shard.clean.clone(), names())));
    let count = acks.len();
    let acks = Arc::new(acks);
    let mut checkers = Vec::new();
    for lane in 0..2 {
        let app = clean_app.clone();
        let acks = acks.clone();
        checkers.push(tokio::spawn(async move {
            for ack in acks.iter().skip(lane).step_by(2) {
                let track = call(&app, &Event::track(&ack.case_id, &ack.query_code)).await;
                assert_eq!(track.status, 200, "track {}: {}", ack.case_id, track.text());
                assert_eq!(track.json()["case_id"], ack.case_id);
            }
            for ack in acks.iter().skip(lane).step_by(20) {
                let (_, body) = submission(ack.n);
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
    count
}

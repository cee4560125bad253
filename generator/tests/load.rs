//! Load on `ydt serve`'s `/api`, on loopback, bounded in count and time: many residents at once,
//! each behind its own address as CloudFront vouches for it (`YDT_ORIGIN_SECRET` set, each request
//! carrying the secret header and a `CloudFront-Viewer-Address`), plus one resident flooding.
//! No 5xx; every acknowledged submission stored once; the flooder is held to the limit while
//! everyone else is served; p50/p99 latency printed.
//!
//! `YDT_LOAD_CLIENTS` and `YDT_LOAD_ROUNDS` make it larger (`bench/load.sh`).

use std::path::Path;
use std::time::{Duration, Instant};

use ydt_test_support::serve::{Server, request};
use ydt_test_support::setting;
use ydt_test_support::site::copy_example;

const YDT: &str = env!("CARGO_BIN_EXE_ydt");
const SECRET: &str = "load-test-origin-secret";
const PER_WINDOW: usize = 5;

/// One POST as a resident behind CloudFront; the status, the body and the time it took.
fn post(port: u16, path: &str, viewer: &str, body: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let viewer = format!("{viewer}:54321");
    let answer = request(
        port,
        "POST",
        path,
        &[
            ("x-origin-verify", SECRET),
            ("CloudFront-Viewer-Address", &viewer),
            ("content-type", "application/json"),
        ],
        body,
    )
    .expect("an answer");
    (
        answer.status.as_u16(),
        String::from_utf8_lossy(&answer.body).into_owned(),
        started.elapsed(),
    )
}

fn submission(client: usize, n: usize) -> String {
    serde_json::json!({
        "community": "cuizhuyuan",
        "type": "suggestion",
        "category": "projects",
        "body": format!("居民{client}的第{n}条建议:小区东门晚上的路灯太暗了。"),
        "anonymous": true,
        "idempotency_key": format!("load-{client:05}-{n:03}"),
    })
    .to_string()
}

#[test]
fn many_residents_at_once_are_served_and_a_flooder_is_held_to_the_limit() {
    let clients: usize = setting("YDT_LOAD_CLIENTS", 48);
    let rounds: usize = setting("YDT_LOAD_ROUNDS", 1);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_example(root);
    let per_window = PER_WINDOW.to_string();
    let server = Server::start(
        Path::new(YDT),
        root,
        &[
            ("YDT_ORIGIN_SECRET", SECRET),
            ("YDT_SUBMISSIONS_PER_WINDOW", &per_window),
            ("YDT_LOOKUPS_PER_WINDOW", "1000000"),
        ],
    );
    // The first build is done and /api answers.
    server.wait_for_api();
    let port = server.port;

    let started = Instant::now();
    let mut lanes: Vec<_> = (0..clients)
        .map(|client| {
            std::thread::spawn(move || {
                let viewer = format!("10.20.{}.{}", client / 250, client % 250 + 1);
                let mut answers = Vec::new();
                // Each resident stays within the limit, then tries once more.
                for n in 0..PER_WINDOW.min(rounds * PER_WINDOW) {
                    answers.push((
                        client,
                        n,
                        post(port, "/api/submissions", &viewer, &submission(client, n)),
                    ));
                }
                let (status, body, _) =
                    post(port, "/api/submissions", &viewer, &submission(client, 999));
                assert_eq!(status, 429, "a resident past the limit: {body}");
                (answers, status)
            })
        })
        .collect();
    // The flooder: one address, many submissions, at the same time as everyone else.
    lanes.push(std::thread::spawn(move || {
        let mut answers = Vec::new();
        for n in 0..60 {
            answers.push((
                usize::MAX,
                n,
                post(
                    port,
                    "/api/submissions",
                    "198.51.100.66",
                    &submission(99_999, n),
                ),
            ));
        }
        (answers, 429)
    }));

    let mut latencies = Vec::new();
    let mut acknowledged = Vec::new();
    let mut flooder_through = 0;
    for lane in lanes {
        let (answers, one_more) = lane.join().unwrap();
        assert_eq!(one_more, 429, "a resident past the limit must get 429");
        for (client, n, (status, body, took)) in answers {
            assert!(status < 500, "{status}: {body}");
            latencies.push(took);
            if client == usize::MAX {
                if status == 201 {
                    flooder_through += 1;
                } else {
                    assert_eq!(status, 429, "{body}");
                }
                continue;
            }
            assert_eq!(status, 201, "client {client} #{n}: {body}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            acknowledged.push((
                v["case_id"].as_str().unwrap().to_string(),
                v["query_code"].as_str().unwrap().to_string(),
            ));
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(
        flooder_through, PER_WINDOW,
        "the flooder got past the limit"
    );
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "{} requests from {clients} residents and one flooder in {elapsed:.2?}: \
         p50 {:.1?}, p99 {:.1?}, max {:.1?}",
        latencies.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );

    // Every acknowledged submission stored once.
    let mut ids: Vec<_> = acknowledged.iter().map(|(id, _)| id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), acknowledged.len(), "one case number given twice");
    let store = ydt_function::store::local::LocalStore::open(&ydt::serve::store_dir(root)).unwrap();
    let stored = store.cases().unwrap();
    assert_eq!(
        stored.len(),
        acknowledged.len() + PER_WINDOW,
        "cases stored"
    );
    for (case_id, query_code) in acknowledged.iter().step_by(7) {
        let body = serde_json::json!({"case_id": case_id, "query_code": query_code}).to_string();
        assert_eq!(post(port, "/api/track", "192.0.2.251", &body).0, 200);
    }
}

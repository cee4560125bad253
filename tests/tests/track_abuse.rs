//! Guessing query codes gets nowhere: lookups are rate-limited per client, and a wrong code for a
//! real case is answered exactly as an unknown case is — the same body, and in the same time
//! (both distributions measured, compared with a generous bound).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ydt_function::app::Limits;
use ydt_function::store::local::LocalStore;
use ydt_test_support::{Event, app, call, complaint};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::test]
async fn a_wrong_code_and_an_unknown_case_look_and_take_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(Arc::new(LocalStore::open(dir.path()).unwrap()));
    app.limits = Limits {
        lookups: 1_000_000,
        ..Limits::default()
    };
    let filed = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("timing-key-0001")),
    )
    .await;
    assert_eq!(filed.status, 201);
    let case_id = filed.json()["case_id"].as_str().unwrap().to_string();

    let wrong_code = Event::track(&case_id, "1234567812345678");
    let unknown_case = Event::track("20261201-9999", "1234567812345678");
    // Interleaved, so drift in the machine's load touches both alike; the first few warm up.
    let rounds = 300;
    let mut times = [Vec::new(), Vec::new()];
    let mut bodies = [None, None];
    for round in 0..rounds + 20 {
        for (which, event) in [&wrong_code, &unknown_case].into_iter().enumerate() {
            let started = Instant::now();
            let answer = call(&app, event).await;
            let took = started.elapsed();
            assert_eq!(answer.status, 404);
            let body = (
                answer.text(),
                answer.header("content-type").map(str::to_string),
            );
            match &bodies[which] {
                None => bodies[which] = Some(body),
                Some(first) => assert_eq!(first, &body),
            }
            if round >= 20 {
                times[which].push(took);
            }
        }
    }
    assert_eq!(
        bodies[0], bodies[1],
        "a wrong code and an unknown case must read the same"
    );

    for t in &mut times {
        t.sort();
    }
    let [wrong, unknown] = &times;
    let (w50, u50) = (percentile(wrong, 0.5), percentile(unknown, 0.5));
    let (w90, u90) = (percentile(wrong, 0.9), percentile(unknown, 0.9));
    eprintln!(
        "track miss, {rounds} each: wrong code p50 {w50:?} p90 {w90:?}; unknown case p50 {u50:?} p90 {u90:?}"
    );
    // Generous: the medians within a factor of 1.5 of each other (plus 200 µs of slack for
    // timer noise on a busy machine). Telling them apart needs far less than that
    // to be useless.
    let slack = Duration::from_micros(200);
    assert!(w50 <= u50.mul_f64(1.5) + slack && u50 <= w50.mul_f64(1.5) + slack);
}

#[tokio::test]
async fn guessing_is_rate_limited_per_client_while_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(Arc::new(LocalStore::open(dir.path()).unwrap()));
    let guess = |n: u64, ip: &str| Event::track("20261201-0001", format!("{n:016}")).source_ip(ip);
    let limit = app.limits.lookups;
    for n in 0..limit {
        assert_eq!(call(&app, &guess(n, "203.0.113.7")).await.status, 404);
    }
    let refused = call(&app, &guess(limit, "203.0.113.7")).await;
    assert_eq!(refused.status, 429);
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 2 * app.limits.window_secs as u64);
    // Another resident is still answered.
    assert_eq!(call(&app, &guess(1, "198.51.100.20")).await.status, 404);
    // Changing the claimed viewer address without the origin secret changes nothing.
    let spoofed =
        guess(limit + 1, "203.0.113.7").header("cloudfront-viewer-address", "192.0.2.1:443");
    assert_eq!(call(&app, &spoofed).await.status, 429);
}

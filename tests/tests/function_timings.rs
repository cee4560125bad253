//! How fast the real `bootstrap` starts and answers, with moto's own time taken out.
//!
//! Not a test: `bench/function.sh` builds `bootstrap` with the `lambda` profile and runs this with
//! `--ignored`, giving the binary in `YDT_BOOTSTRAP`. Each `bootstrap` polls a stand-in Lambda
//! Runtime API on loopback ([`ydt_test_support::runtime_api`]) and stores through its own
//! pass-through proxy ([`ydt_e2e::fault_proxy`] at fault rate 0) to one moto, which the proxies
//! hand one call at a time. The proxy clocks how long each process had a call waiting for moto or
//! being answered by it: that is the storage time taken out of the figures below.
//!
//! - Cold start: the time from spawning the process to its first answer arriving at the Runtime
//!   API, the first event being a submission waiting in the queue (as on a cold Lambda start).
//!   It includes exec, the tokio runtime, the SDK configuration, reading the manifest, the
//!   warm-up read in `main` and the submission itself.
//! - Requests under concurrency: several processes (Lambda runs one request at a time per
//!   instance; concurrency means more instances), each sent submissions and track lookups one
//!   after another, all at once. A request's time runs from the event written to the process to
//!   its answer read back.
//!
//! "Own" time is a request's time with its storage time taken out: the function's work, but also
//! any wait for a CPU, which on a loaded machine is not small. So the process's CPU time (all its
//! threads, from `/proc/<pid>/task/*/schedstat`) is given too: the work alone.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use ydt_e2e::fault_proxy::{Fault, FaultLog, FaultPlan, FaultProxy};
use ydt_test_support::moto::{Moto, create_tables};
use ydt_test_support::runtime_api::{RuntimeApi, bootstrap_command};
use ydt_test_support::{Event, complaint, manifest_path, setting};

const PASS_THROUGH: FaultPlan = FaultPlan {
    rate: 0.0,
    delay: Duration::ZERO,
    seed: 0,
};

/// A running `bootstrap`, killed when dropped.
struct Function(Child);

impl Function {
    /// CPU time so far of all the process's threads (Linux; zero where it cannot be read).
    fn cpu_time(&self) -> Duration {
        let tasks = format!("/proc/{}/task", self.0.id());
        let Ok(tasks) = std::fs::read_dir(tasks) else {
            return Duration::ZERO;
        };
        let nanos: u64 = tasks
            .flatten()
            .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
            .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
            .sum();
        Duration::from_nanos(nanos)
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(exe: &Path, runtime: &RuntimeApi, endpoint: &str) -> Function {
    let mut command = bootstrap_command(exe, &manifest_path(), &runtime.address, endpoint);
    // Every request comes from a handful of addresses here; the limits are not what is measured.
    command
        .env("YDT_HMAC_KEY", "a-long-enough-bench-key")
        .env("YDT_SUBMISSIONS_PER_WINDOW", "1000000")
        .env("YDT_LOOKUPS_PER_WINDOW", "1000000");
    Function(command.spawn().expect("start bootstrap"))
}

fn submission(key: &str, n: usize) -> Event {
    let mut body = complaint(key);
    body["body"] = json!(format!("第{n}号:楼道灯坏了一个月,请尽快修理。"));
    Event::post_json("/api/submissions", &body).source_ip(&format!(
        "10.{}.{}.{}",
        n / 65536,
        (n / 256) % 256,
        n % 256
    ))
}

fn receipt(answer: &Value) -> Value {
    assert!(
        matches!(answer["statusCode"].as_u64(), Some(200 | 201)),
        "the submission is acknowledged: {answer}"
    );
    serde_json::from_str(answer["body"].as_str().unwrap()).unwrap()
}

fn track(receipt: &Value) -> Event {
    let lookup = json!({"case_id": receipt["case_id"], "query_code": receipt["query_code"]});
    Event::post_json("/api/track", &lookup)
}

/// Calls moto answered through a proxy so far.
fn calls(log: &FaultLog) -> u64 {
    log.count(None, Fault::None)
}

/// One measured request or start.
#[derive(Clone, Copy)]
struct Sample {
    total: Duration,
    storage: Duration,
    calls: u64,
    /// The process's CPU time in the same span.
    cpu: Duration,
}

impl Sample {
    /// The function's own time: everything but waiting for and being answered by moto.
    fn own(&self) -> Duration {
        self.total.saturating_sub(self.storage)
    }
}

/// Nearest-rank percentile of `values`, in milliseconds.
fn percentile(values: impl Iterator<Item = Duration>, p: f64) -> f64 {
    let mut sorted: Vec<Duration> = values.collect();
    sorted.sort();
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

#[test]
#[ignore = "a benchmark: bench/function.sh runs it"]
fn function_timings() {
    let exe = PathBuf::from(
        std::env::var_os("YDT_BOOTSTRAP")
            .expect("YDT_BOOTSTRAP names the bootstrap to time; bench/function.sh sets it"),
    );
    let cold_starts: usize = setting("YDT_FN_COLD_STARTS", 20);
    let requests: usize = setting("YDT_FN_REQUESTS", 40);
    let levels: Vec<usize> = std::env::var("YDT_FN_PROCESSES")
        .unwrap_or_else(|_| "1 4".into())
        .split_whitespace()
        .map(|n| n.parse().expect("YDT_FN_PROCESSES is a list of numbers"))
        .collect();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let moto = Moto::start();
    runtime.block_on(create_tables(&moto.client()));
    let upstream: SocketAddr = moto.endpoint.trim_start_matches("http://").parse().unwrap();
    let proxy = runtime.block_on(FaultProxy::start(
        upstream,
        PASS_THROUGH,
        Default::default(),
    ));
    println!(
        "bootstrap: {} ({} bytes); moto at {}",
        exe.display(),
        std::fs::metadata(&exe).map(|m| m.len()).unwrap_or(0),
        moto.endpoint
    );

    // Cold starts: one process at a time, its first event a submission already queued.
    let mut starts = Vec::new();
    let mut first_polls = Vec::new();
    for n in 0..cold_starts {
        let mut api = RuntimeApi::start();
        let id = api.queue(&submission(&format!("bench-cold-{n:04}"), n));
        let (storage_before, calls_before) = (proxy.log.storage_time(), calls(&proxy.log));
        let spawned = Instant::now();
        let function = spawn(&exe, &api, &proxy.endpoint);
        let invocation = api.wait(&id);
        receipt(&invocation.answer);
        starts.push(Sample {
            total: invocation.answered - spawned,
            storage: proxy.log.storage_time() - storage_before,
            calls: calls(&proxy.log) - calls_before,
            cpu: function.cpu_time(),
        });
        first_polls.push(invocation.handed_out - spawned);
        drop(function);
    }
    println!();
    println!(
        "cold start, {cold_starts} runs: spawn → first answer at the Runtime API (a submission)"
    );
    println!("{:<44} {:>9} {:>9}", "", "median ms", "max ms");
    let row = |label: &str, values: &dyn Fn() -> Vec<Duration>| {
        println!(
            "{label:<44} {:>9.1} {:>9.1}",
            percentile(values().into_iter(), 0.5),
            percentile(values().into_iter(), 1.0)
        );
    };
    row("spawn → answer", &|| {
        starts.iter().map(|s| s.total).collect()
    });
    row(
        &format!(
            "  storage: moto, {} calls (warm-up read included)",
            starts[0].calls
        ),
        &|| starts.iter().map(|s| s.storage).collect(),
    );
    row("  spawn → answer, storage taken out", &|| {
        starts.iter().map(Sample::own).collect()
    });
    row("  CPU time of the process until the answer", &|| {
        starts.iter().map(|s| s.cpu).collect()
    });
    row("spawn → first event handed out (init)", &|| {
        first_polls.clone()
    });

    for &processes in &levels {
        measure_concurrently(&runtime, &proxy, &exe, processes, requests);
    }
}

/// `processes` bootstraps, each answering `requests` events in turn (a submission, then a lookup
/// of that case), all at once; prints p50/p99 by kind.
fn measure_concurrently(
    runtime: &tokio::runtime::Runtime,
    proxy: &FaultProxy,
    exe: &Path,
    processes: usize,
    requests: usize,
) {
    let barrier = Arc::new(Barrier::new(processes));
    let started = Instant::now();
    let samples: Vec<(&str, Sample)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..processes)
            .map(|p| {
                let own_proxy = runtime.block_on(proxy.start_beside(PASS_THROUGH));
                let barrier = barrier.clone();
                scope.spawn(move || {
                    let mut api = RuntimeApi::start();
                    let function = spawn(exe, &api, &own_proxy.endpoint);
                    // The cold start is measured above; this one is not counted.
                    let key = format!("bench-{processes}-{p}-warm");
                    receipt(&api.invoke(&submission(&key, p)));
                    barrier.wait();
                    let mut samples = Vec::new();
                    let mut last_receipt = None;
                    for r in 0..requests {
                        let (kind, event) = match last_receipt.take() {
                            Some(receipt) => ("track", track(&receipt)),
                            None => {
                                let key = format!("bench-{processes}-{p}-{r:05}");
                                ("submission", submission(&key, p * requests + r))
                            }
                        };
                        let (storage_before, calls_before, cpu_before) = (
                            own_proxy.log.storage_time(),
                            calls(&own_proxy.log),
                            function.cpu_time(),
                        );
                        let invocation = api.invoke_timed(&event);
                        samples.push((
                            kind,
                            Sample {
                                total: invocation.answered - invocation.handed_out,
                                storage: own_proxy.log.storage_time() - storage_before,
                                calls: calls(&own_proxy.log) - calls_before,
                                cpu: function.cpu_time() - cpu_before,
                            },
                        ));
                        if kind == "submission" {
                            last_receipt = Some(receipt(&invocation.answer));
                        } else {
                            assert_eq!(invocation.answer["statusCode"], 200);
                        }
                    }
                    samples
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let elapsed = started.elapsed();
    println!();
    println!(
        "{processes} process(es) at once, {requests} requests each (submission, then a lookup of it): \
         {} requests in {:.1} s",
        samples.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "{:<12} {:>5} {:>6} {:>15} {:>15} {:>13} {:>13}",
        "ms", "n", "calls", "total p50/p99", "storage p50/p99", "own p50/p99", "CPU p50/p99"
    );
    for kind in ["submission", "track", "all"] {
        let of_kind: Vec<Sample> = samples
            .iter()
            .filter(|(k, _)| kind == "all" || *k == kind)
            .map(|(_, s)| *s)
            .collect();
        let pair = |f: fn(&Sample) -> Duration| {
            format!(
                "{:.1} / {:.1}",
                percentile(of_kind.iter().map(f), 0.5),
                percentile(of_kind.iter().map(f), 0.99)
            )
        };
        let calls: u64 = of_kind.iter().map(|s| s.calls).sum();
        println!(
            "{kind:<12} {:>5} {:>6.1} {:>15} {:>15} {:>13} {:>13}",
            of_kind.len(),
            calls as f64 / of_kind.len() as f64,
            pair(|s| s.total),
            pair(|s| s.storage),
            pair(Sample::own),
            pair(|s| s.cpu),
        );
    }
}

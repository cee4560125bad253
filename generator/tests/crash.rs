//! Crashes lose nothing: the real `ydt` killed with SIGKILL at random moments.
//!
//! * `ydt build` of a larger site (the example content copied under many slugs), killed after a
//!   random delay: `public/` is byte for byte the previous site or the complete new one, never a
//!   mix, and the next build succeeds.
//! * `ydt serve` receiving a stream of submissions, killed at random points and restarted: every
//!   submission it acknowledged is in the local store and found by track.
//!
//! The delays come from a seed printed at the start, so a failure can be replayed with
//! `YDT_CRASH_SEED=<seed>`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ydt_test_support::serve::{Server, request};
use ydt_test_support::site::{copy_example, copy_tree, tree};

const YDT: &str = env!("CARGO_BIN_EXE_ydt");

/// A private copy of the `ydt` binary in `dir`, run by every step of a test. Another test run
/// sharing the target directory may rebuild `ydt` underneath this one; a build killed and then
/// compared with a reference build must be the same program, so it never runs the shared path.
fn private_ydt(dir: &Path) -> PathBuf {
    let copy = dir.join(format!("ydt-under-test{}", std::env::consts::EXE_SUFFIX));
    // Cargo replaces the binary by removing it and linking the new one: try again briefly.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let copied = std::fs::copy(YDT, &copy).is_ok()
            && Command::new(&copy)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if copied {
            return copy;
        }
        assert!(Instant::now() < deadline, "cannot copy a working {YDT}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A small reproducible generator for the kill delays (xorshift64*).
struct Delays(u64);

impl Delays {
    fn from_env() -> Delays {
        let seed = std::env::var("YDT_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("YDT_CRASH_SEED={seed}");
        Delays(seed)
    }

    fn below(&mut self, bound: Duration) -> Duration {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let unit = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        bound.mul_f64(unit)
    }
}

/// The example site with its first community copied under `copies` more slugs.
fn larger_site(root: &Path, copies: usize) {
    copy_example(root);
    let communities = root.join("content/communities");
    for n in 0..copies {
        copy_tree(
            &communities.join("cuizhuyuan"),
            &communities.join(format!("cuizhuyuan{n}")),
        );
    }
}

fn set_title(root: &Path, round: usize) {
    let site = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&site).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let title = lines
        .iter_mut()
        .find(|l| l.starts_with("title:"))
        .expect("site.yaml has a title");
    *title = format!("title: 望湖街道小微权力监督一点通（第{round}版）");
    std::fs::write(site, lines.join("\n") + "\n").unwrap();
}

fn build(ydt: &Path, root: &Path, out: &Path) -> Child {
    Command::new(ydt)
        .args(["build", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ydt build")
}

/// Kills per run of the build test.
const ROUNDS: usize = 6;

#[test]
fn a_killed_build_leaves_the_previous_site_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    larger_site(&root, 6);
    let out = dir.path().join("public");
    let ydt = private_ydt(dir.path());

    let started = Instant::now();
    assert!(build(&ydt, &root, &out).wait().unwrap().success());
    let full_build = started.elapsed();
    let mut previous = tree(&out);
    assert!(previous.len() > 300, "{} files", previous.len());

    let mut delays = Delays::from_env();
    let mut swapped = 0;
    for round in 1..=ROUNDS {
        set_title(&root, round);
        let mut child = build(&ydt, &root, &out);
        std::thread::sleep(delays.below(full_build.mul_f64(1.2)));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let now = tree(&out);
        if now != previous {
            // The kill came after the swap: then it must be the whole new site, as a build of the
            // same content elsewhere makes it.
            let reference = dir.path().join(format!("reference-{round}"));
            assert!(build(&ydt, &root, &reference).wait().unwrap().success());
            let expected = tree(&reference);
            if now != expected {
                let differ = |a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>| {
                    a.iter()
                        .filter(|(k, v)| b.get(*k) != Some(*v))
                        .map(|(k, _)| k.clone())
                        .take(5)
                        .collect::<Vec<_>>()
                };
                panic!(
                    "round {round} ({status}): public/ is neither the previous site nor the new \
                     one: {} files (previous {}, new {}); differs from the new in {:?} / {:?}; \
                     from the previous in {:?}",
                    now.len(),
                    previous.len(),
                    expected.len(),
                    differ(&now, &expected),
                    differ(&expected, &now),
                    differ(&now, &previous),
                );
            }
            swapped += 1;
            previous = now;
        }
    }
    eprintln!("{ROUNDS} kills, {swapped} after the swap; a full build takes {full_build:?}");

    // The next build succeeds and leaves no staging directory behind.
    set_title(&root, 99);
    assert!(build(&ydt, &root, &out).wait().unwrap().success());
    assert!(
        tree(&out)["index.html"]
            .windows("第99版".len())
            .any(|w| w == "第99版".as_bytes())
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

// ---- ydt serve ----

/// `ydt serve` with limits no test run reaches.
fn start_serve(ydt: &Path, root: &Path) -> Server {
    Server::start(
        ydt,
        root,
        &[
            ("YDT_SUBMISSIONS_PER_WINDOW", "100000"),
            ("YDT_LOOKUPS_PER_WINDOW", "100000"),
        ],
    )
}

/// POSTs JSON; `None` when the connection broke (the server was killed) before a full answer.
fn post(port: u16, path: &str, body: &str) -> Option<(u16, String)> {
    let answer = request(
        port,
        "POST",
        path,
        &[("content-type", "application/json")],
        body,
    )
    .ok()?;
    let body = String::from_utf8(answer.body).ok()?;
    // A killed server can cut a body short: only a complete JSON answer counts.
    serde_json::from_str::<serde_json::Value>(&body).ok()?;
    Some((answer.status.as_u16(), body))
}

fn submission(n: usize) -> String {
    serde_json::json!({
        "community": "cuizhuyuan",
        "type": "complaint",
        "category": "subsidy",
        "body": format!("第{n}件:低保金本月没有到账,请帮忙查一下。"),
        "anonymous": true,
        "idempotency_key": format!("crash-test-{n:05}"),
    })
    .to_string()
}

#[test]
fn a_killed_serve_keeps_every_acknowledged_submission() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Outside the site root, which the server watches.
    let bin = tempfile::tempdir().unwrap();
    let ydt = private_ydt(bin.path());
    copy_example(root);

    let mut delays = Delays::from_env();
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    let mut n = 0;
    for _round in 0..6 {
        let server = start_serve(&ydt, root);
        let port = server.port;
        // Wait for the first build so /api has its manifest.
        server.wait_for_api();
        // Submit from several threads while the process is killed at a random moment.
        let kill_after = Duration::from_millis(50) + delays.below(Duration::from_millis(700));
        let first = n;
        n += 400;
        let lanes: Vec<_> = (0..4)
            .map(|lane| {
                std::thread::spawn(move || {
                    let mut acks = Vec::new();
                    for k in (first + lane..first + 400).step_by(4) {
                        match post(port, "/api/submissions", &submission(k)) {
                            Some((201 | 200, body)) => {
                                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                                acks.push((
                                    v["case_id"].as_str().unwrap().to_string(),
                                    v["query_code"].as_str().unwrap().to_string(),
                                ));
                            }
                            Some((status, body)) => panic!("{status}: {body}"),
                            None => break,
                        }
                    }
                    acks
                })
            })
            .collect();
        std::thread::sleep(kill_after);
        drop(server); // SIGKILL
        for lane in lanes {
            acknowledged.extend(lane.join().unwrap());
        }
    }
    assert!(
        acknowledged.len() > 20,
        "only {} acknowledged",
        acknowledged.len()
    );

    // Reopened: every acknowledged case is there and track finds it with its code.
    let server = start_serve(&ydt, root);
    for (case_id, query_code) in &acknowledged {
        let body = serde_json::json!({"case_id": case_id, "query_code": query_code}).to_string();
        let (status, answer) = post(server.port, "/api/track", &body).expect("answer");
        assert_eq!(status, 200, "{case_id} lost after a crash: {answer}");
    }
    eprintln!(
        "{} submissions acknowledged across 6 kills, all found",
        acknowledged.len()
    );
}

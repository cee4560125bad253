//! `ydt serve` and `ydt cases` as a clerk and a handler use them: the real binary on a free
//! loopback port, over a site root whose last good build is already in `.ydt/public` (the root has
//! no content, so the build fails and the previous site must keep being served, `/api/*` too).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ydt_test_support::serve::{Server, get, post};
use ydt_test_support::site::Site;

const YDT: &str = env!("CARGO_BIN_EXE_ydt");

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(".ydt/public").join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn start(root: &Path) -> Server {
    Server::start(Path::new(YDT), root, &[])
}

fn cases(root: &Path, args: &[&str]) -> String {
    let output = Command::new(YDT)
        .arg("cases")
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("run ydt cases");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn serve_shows_the_last_good_site_and_answers_the_api_with_the_local_store() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    write(
        root,
        "index.html",
        "<!doctype html><html lang=zh-CN><title>首页</title><p>街道",
    );
    write(
        root,
        "c/cuizhuyuan/index.html",
        "<p>翠竹园社区</p></body></html>",
    );
    write(
        root,
        "c/cuizhuyuan/qr.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    write(
        root,
        "c/cuizhuyuan/2026-11-payouts/data.csv",
        "\u{feff}姓名,金额\n",
    );
    write(root, "c/cuizhuyuan/feed.xml", "<feed/>");
    write(root, "404.html", "<p>页面不存在</p>");
    write(
        root,
        "manifest.json",
        &std::fs::read_to_string(ydt_test_support::manifest_path()).unwrap(),
    );
    let server = start(root);
    let port = server.port;

    let home = get(port, "/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.text().contains("街道"));
    assert!(
        home.text().contains("/__ydt/reload"),
        "live reload script added to HTML"
    );

    let moved = get(port, "/c/cuizhuyuan?from=gate");
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location"), Some("/c/cuizhuyuan/?from=gate"));
    let community = get(port, "/c/cuizhuyuan/?from=gate");
    assert_eq!(community.status, 200);
    assert!(
        community
            .text()
            .contains("<script src=\"/__ydt/reload.js?v="),
        "the live-reload script is a file the pages' policy allows, never inline"
    );
    assert!(community.text().ends_with("</script></body></html>"));

    let svg = get(port, "/c/cuizhuyuan/qr.svg");
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(
        !svg.text().contains("script"),
        "nothing injected outside HTML"
    );
    assert_eq!(
        get(port, "/c/cuizhuyuan/2026-11-payouts/data.csv").header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        get(port, "/c/cuizhuyuan/feed.xml").header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    assert_eq!(
        get(port, "/manifest.json").header("content-type"),
        Some("application/json")
    );
    let missing = get(port, "/c/nowhere/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("页面不存在"));
    assert_eq!(get(port, "/../../etc/passwd").status, 404);

    let receipt = post(
        port,
        "/api/submissions",
        "application/json",
        r#"{"community":"cuizhuyuan","type":"complaint","category":"subsidy","body":"十一月高龄津贴还没有发放","anonymous":true,"idempotency_key":"serve-e2e-0001"}"#,
    );
    assert_eq!(receipt.status, 201, "{}", receipt.text());
    let receipt: serde_json::Value = serde_json::from_slice(&receipt.body).unwrap();
    let case_id = receipt["case_id"].as_str().unwrap();
    let pixel = get(port, "/api/v.gif?c=cuizhuyuan&from=gate");
    assert_eq!(pixel.header("content-type"), Some("image/gif"));

    // A handler answers from another terminal; the running server shows it at once.
    assert!(cases(root, &[]).contains(case_id));
    let shown = cases(
        root,
        &[
            "set",
            case_id,
            "--status",
            "已办结",
            "--reply",
            "已于12月2日补发。",
        ],
    );
    assert!(shown.contains("closed_at"));
    let lookup = format!(
        r#"{{"case_id":"{case_id}","query_code":"{}"}}"#,
        receipt["query_code"].as_str().unwrap()
    );
    let tracked = post(port, "/api/track", "application/json", &lookup);
    assert_eq!(tracked.status, 200, "{}", tracked.text());
    let tracked: serde_json::Value = serde_json::from_slice(&tracked.body).unwrap();
    assert_eq!(tracked["status"], "已办结");
    assert_eq!(tracked["replies"][0]["text"], "已于12月2日补发。");

    // The same key and store survive a restart.
    drop(server);
    let server = start(root);
    let again = post(
        server.port,
        "/api/submissions",
        "application/json",
        r#"{"community":"cuizhuyuan","type":"complaint","category":"subsidy","body":"十一月高龄津贴还没有发放","anonymous":true,"idempotency_key":"serve-e2e-0001"}"#,
    );
    assert_eq!(again.status, 200);
    let again: serde_json::Value = serde_json::from_slice(&again.body).unwrap();
    assert_eq!(again["case_id"], case_id);
    assert_eq!(again["query_code"], receipt["query_code"]);
}

/// Waits for the first successful build: the live-reload poll answers with its generation.
fn built_generation(port: u16) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let generation: u64 = get(port, "/__ydt/reload?v=none").text().parse().unwrap();
        if generation > 0 {
            return generation;
        }
        assert!(Instant::now() < deadline, "no build within 120 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_saved_record_reloads_open_pages_with_the_new_figures() {
    let site = Site::example(YDT);
    let server = start(&site.root);
    let port = server.port;
    let seen = built_generation(port);
    let page = "/c/cuizhuyuan/2026-09-caiwu/";
    assert!(get(port, page).text().contains("47816.93"));

    // An open page is waiting for the next build…
    let poll = std::thread::spawn(move || get(port, &format!("/__ydt/reload?v={seen}")).text());
    std::thread::sleep(Duration::from_millis(100));
    // …and a clerk corrects a row and the total, and saves.
    let record = "content/communities/cuizhuyuan/records/2026-09-caiwu.yaml";
    let text = site
        .read(record)
        .replace("expense: 3632.00", "expense: 3633.00")
        .replace("expense: 47816.93", "expense: 47817.93");
    let saved = Instant::now();
    site.write(record, &text);
    let next: u64 = poll.join().unwrap().parse().unwrap();
    let reloaded = saved.elapsed();
    assert_eq!(next, seen + 1, "the page was told to reload once");
    let shown = get(port, page).text();
    assert!(shown.contains("47817.93") && !shown.contains("47816.93"));
    eprintln!("save to reload: {} ms", reloaded.as_millis());
}

/// The values of the receipt page's big boxes: the case number, then the query code.
fn receipt_numbers(page: &str) -> (String, String) {
    let mut boxes = page
        .split("<dd class=\"big\">")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().replace(' ', "").to_string());
    (boxes.next().unwrap(), boxes.next().unwrap())
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", ydt_test_support::form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn the_loop_closes_through_serve_and_cases() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    write(
        root,
        "manifest.json",
        &std::fs::read_to_string(ydt_test_support::manifest_path()).unwrap(),
    );
    let server = start(root);
    let port = server.port;
    const FORM: &str = "application/x-www-form-urlencoded";

    // A record's objection form, posted without JavaScript.
    let objection = post(
        port,
        "/api/submissions",
        FORM,
        &form(&[
            ("community", "cuizhuyuan"),
            ("type", "objection"),
            ("record", "2026-11-gaoling-jintie"),
            ("body", "名单第3行的张*明已于八月去世，不应再领取。"),
            ("anonymous", "on"),
            ("website", ""),
        ]),
    );
    assert_eq!(objection.status, 201, "{}", objection.text());
    assert!(
        objection.text().contains("您的异议已收到"),
        "{}",
        objection.text()
    );
    let (objection_id, _) = receipt_numbers(&objection.text());
    let shown = cases(root, &["show", &objection_id]);
    assert!(
        shown.contains("record        2026-11-gaoling-jintie"),
        "{shown}"
    );
    let unknown = post(
        port,
        "/api/submissions",
        FORM,
        &form(&[
            ("community", "cuizhuyuan"),
            ("type", "objection"),
            ("record", "2026-11-nothing"),
            ("body", "这一项公开我有异议，请核实。"),
        ]),
    );
    assert_eq!(unknown.status, 400);
    assert!(unknown.text().contains("本社区没有这项公开"));

    // A complaint, extended once with a reason residents read.
    let filed = post(
        port,
        "/api/submissions",
        "application/json",
        r#"{"community":"cuizhuyuan","type":"complaint","category":"subsidy","body":"十一月高龄津贴还没有发放","anonymous":false,"contact":{"name":"李桂兰","phone":"13812345678"},"notify_sms":true,"on_behalf":{"role":"grid","name":"王网格"},"idempotency_key":"serve-loop-0001"}"#,
    );
    assert_eq!(filed.status, 201, "{}", filed.text());
    let filed: serde_json::Value = serde_json::from_slice(&filed.body).unwrap();
    let (id, code) = (
        filed["case_id"].as_str().unwrap(),
        filed["query_code"].as_str().unwrap(),
    );
    let shown = cases(
        root,
        &[
            "set",
            id,
            "--status",
            "办理中",
            "--extend-days",
            "3",
            "--reason",
            "需要区民政局核对户籍",
        ],
    );
    assert!(shown.contains("extended_to"), "{shown}");
    assert!(shown.contains("on_behalf     网格员 王网格"), "{shown}");
    let twice = Command::new(YDT)
        .args(["cases", "set", id, "--extend-days", "2", "--reason", "再延"])
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("extended already"));
    let lookup = format!(r#"{{"case_id":"{id}","query_code":"{code}"}}"#);
    let track = |port| {
        let answer = post(port, "/api/track", "application/json", &lookup);
        assert_eq!(answer.status, 200, "{}", answer.text());
        serde_json::from_slice::<serde_json::Value>(&answer.body).unwrap()
    };
    let seen = track(port);
    assert_eq!(seen["extend_reason"], "需要区民政局核对户籍");
    assert!(seen["extended_to"].as_str().unwrap() > seen["due_date"].as_str().unwrap());

    // Rating: refused while open; 不满意 on the track page's form reopens it.
    let rate = |rating: &str| {
        post(
            port,
            "/api/feedback",
            FORM,
            &form(&[("case_id", id), ("query_code", code), ("rating", rating)]),
        )
    };
    assert_eq!(rate("满意").status, 409);
    cases(
        root,
        &[
            "set",
            id,
            "--status",
            "已办结",
            "--reply",
            "已于12月2日补发。",
        ],
    );
    let page = post(
        port,
        "/api/track",
        FORM,
        &form(&[("case_id", id), ("query_code", code)]),
    )
    .text();
    assert!(page.contains("action=\"/api/feedback\""), "{page}");
    let unhappy = rate("不满意");
    assert_eq!(unhappy.status, 200, "{}", unhappy.text());
    assert!(
        unhappy.text().contains("这件事已重新办理"),
        "{}",
        unhappy.text()
    );
    let reopened = track(port);
    assert_eq!(reopened["status"], "办理中");
    assert_eq!(reopened["rating"], "不满意");
    assert_eq!(
        reopened["extended_to"],
        serde_json::Value::Null,
        "a new round"
    );
    // A second round of reopen_days (3 in the fixture) working days from today.
    let manifest = ydt_test_support::manifest();
    let today = ydt_function::clock::Date::shanghai(ydt_function::clock::now_unix());
    let second_round = manifest
        .calendar
        .add_working_days(today, manifest.reopen_days());
    assert_eq!(reopened["due_date"], second_round.to_string());
    assert_eq!(rate("满意").status, 409, "reopened: open again");
    cases(
        root,
        &["set", id, "--status", "已办结", "--reply", "已再次核实。"],
    );
    assert_eq!(rate("满意").status, 200);
    assert_eq!(rate("满意").status, 409, "once per closing");
    let shown = cases(root, &["show", id]);
    assert!(shown.contains("rating        满意"), "{shown}");
    assert!(
        shown.contains("rating: 不满意"),
        "the timeline keeps the first: {shown}"
    );
}

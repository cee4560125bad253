//! The handler over the embedded local store, called with API Gateway v2 events: every route and
//! rule as a resident (JSON page or plain form) and a handler (`LocalStore::edit`) see them.

use serde_json::json;
use ydt_function::store::local::LocalStore;
use ydt_function::store::{
    CaseItem, CaseRecord, CaseTable, Counter, Created, Rating, Receipt, Store, StoreError,
    StoreResult,
};
use ydt_test_support::handler::{
    assert_objections, assert_rating_is_conditional, assert_rating_round_trip, track_json,
};
use ydt_test_support::{Event, app, call, complaint};

fn local_app() -> (tempfile::TempDir, ydt_function::App<LocalStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&dir.path().join("store")).unwrap();
    (dir, app(store))
}

#[tokio::test]
async fn complaint_in_scope_gets_case_number_and_code_and_a_repeat_gets_the_same() {
    let (_dir, app) = local_app();
    let first = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-aaaa-0001")),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text());
    let receipt = first.json();
    assert_eq!(receipt["case_id"], "20261201-0001");
    let code = receipt["query_code"].as_str().unwrap();
    assert_eq!(code.len(), 16);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(receipt["status"], "待受理");
    assert_eq!(receipt["routed_to"], "翠竹园社区居务监督委员会");
    // Tuesday + 5 working days, 3 December a holiday: 2, 4, 7, 8, 9.
    assert_eq!(receipt["due_date"], "2026-12-09");
    assert!(first.header("access-control-allow-origin").is_none());

    let again = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-aaaa-0001")),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), receipt);

    let other = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-aaaa-0002")),
    )
    .await;
    assert_eq!(other.status, 201);
    assert_eq!(other.json()["case_id"], "20261201-0002");
    assert_ne!(other.json()["query_code"], receipt["query_code"]);

    let cases = app.store.cases().unwrap();
    assert_eq!(cases.len(), 2, "a repeat is never stored twice");
    let stored = &cases[0].1.case;
    assert_eq!(stored.contact_phone.as_deref(), Some("13812345678"));
    assert!(
        !stored.query_hash.contains(code),
        "only a hash of the code is kept"
    );
}

#[tokio::test]
async fn track_shows_status_and_replies_and_hides_contact_details() {
    let (_dir, app) = local_app();
    let receipt = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-track-0001")),
    )
    .await
    .json();
    let case_id = receipt["case_id"].as_str().unwrap();
    let code = receipt["query_code"].as_str().unwrap();
    let lookup = json!({"case_id": case_id, "query_code": code});

    let answer = call(&app, &Event::post_json("/api/track", &lookup)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.json(),
        json!({"case_id": case_id, "status": "待受理", "routed_to": "翠竹园社区居务监督委员会",
               "due_date": "2026-12-09", "accept_due": "2026-12-04", "extended_to": null,
               "extend_reason": null, "rating": null, "may_rate": false, "record": null,
               "late": false, "replies": [], "history": []})
    );
    assert!(!answer.text().contains("13812345678"));
    assert!(!answer.text().contains("李桂兰"));

    // The code may be typed with spaces, the case number in lower case with full-width digits.
    let spaced = format!(
        "{} {} {} {}",
        &code[..4],
        &code[4..8],
        &code[8..12],
        &code[12..]
    );
    let typed = json!({"case_id": "２0261201-0001", "query_code": spaced});
    assert_eq!(
        call(&app, &Event::post_json("/api/track", &typed))
            .await
            .status,
        200
    );

    app.store
        .edit(
            case_id,
            Some("已办结"),
            Some("津贴已于12月2日补发到账。"),
            "2026-12-02T15:00:00+08:00",
        )
        .unwrap();
    let answer = call(&app, &Event::post_json("/api/track", &lookup))
        .await
        .json();
    assert_eq!(answer["status"], "已办结");
    assert_eq!(
        answer["replies"],
        json!([{"at": "2026-12-02T15:00:00+08:00", "text": "津贴已于12月2日补发到账。"}])
    );
    let case = &app.store.cases().unwrap()[0].1.case;
    assert_eq!(case.closed_at.as_deref(), Some("2026-12-02T15:00:00+08:00"));
}

#[tokio::test]
async fn wrong_code_and_unknown_case_get_the_same_404() {
    let (_dir, app) = local_app();
    let receipt = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-404-00001")),
    )
    .await
    .json();
    let code = receipt["query_code"].as_str().unwrap();
    let wrong_code: String = code
        .chars()
        .map(|c| {
            if c == '9' {
                '0'
            } else {
                char::from(c as u8 + 1)
            }
        })
        .collect();
    let wrong = call(&app, &Event::track(&receipt["case_id"], &wrong_code)).await;
    let unknown = call(&app, &Event::track("20261201-0999", code)).await;
    assert_eq!(wrong.status, 404);
    assert_eq!(unknown.status, 404);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.headers, unknown.headers);
    assert_eq!(wrong.json()["field"], serde_json::Value::Null);
}

#[tokio::test]
async fn out_of_scope_is_transferred_and_the_resident_is_told_at_once() {
    let (_dir, app) = local_app();
    let mut body = complaint("key-transfer-1");
    body["category"] = json!("property");
    let answer = call(&app, &Event::post_json("/api/submissions", &body)).await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.json()["status"], "已转办");
    assert_eq!(answer.json()["routed_to"], "庐阳区住房和城乡建设局物业科");

    let mut form = form_fields("property");
    form.retain(|(k, _)| *k != "anonymous");
    let page = call(&app, &Event::post_form("/api/submissions", &form)).await;
    assert_eq!(page.status, 201);
    assert!(
        page.text()
            .contains("已转给庐阳区住房和城乡建设局物业科办理")
    );
    assert!(page.text().contains("0551-65551111"));
}

#[tokio::test]
async fn reports_go_to_the_supervisor_and_their_own_table() {
    let (_dir, app) = local_app();
    let mut body = complaint("key-report-001");
    body["type"] = json!("report");
    body["category"] = json!("conduct");
    let answer = call(&app, &Event::post_json("/api/submissions", &body)).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let receipt = answer.json();
    assert_eq!(receipt["case_id"], "J20261201-0001");
    assert_eq!(receipt["status"], "待受理");
    assert_eq!(receipt["routed_to"], "庐阳区纪委监委派驻双岗街道纪工委");
    let cases = app.store.cases().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].0, CaseTable::Reports);

    let lookup = json!({"case_id": receipt["case_id"], "query_code": receipt["query_code"]});
    let tracked = call(&app, &Event::post_json("/api/track", &lookup)).await;
    assert_eq!(
        tracked.json()["routed_to"],
        "庐阳区纪委监委派驻双岗街道纪工委"
    );
    // A complaint the same day still starts at 0001: the numbering is the cases table's own.
    let complaint_answer = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-report-002")),
    )
    .await;
    assert_eq!(complaint_answer.json()["case_id"], "20261201-0001");
}

#[tokio::test]
async fn anonymous_submissions_keep_no_contact_details() {
    let (_dir, app) = local_app();
    let mut body = complaint("key-anon-0001");
    body["anonymous"] = json!(true);
    assert_eq!(
        call(&app, &Event::post_json("/api/submissions", &body))
            .await
            .status,
        201
    );
    let case = &app.store.cases().unwrap()[0].1.case;
    assert!(case.anonymous);
    assert_eq!(case.contact_name, None);
    assert_eq!(case.contact_phone, None);
}

fn form_fields(category: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("community", "cuizhuyuan"),
        ("type", "complaint"),
        ("category", category),
        ("body", "小区东门的路灯坏了两个月,晚上老人出门看不清。"),
        ("anonymous", "on"),
        ("contact_name", ""),
        ("contact_phone", ""),
        ("website", ""),
    ]
}

#[tokio::test]
async fn plain_form_gets_a_receipt_page_and_a_double_tap_makes_one_case() {
    let (_dir, app) = local_app();
    let event = Event::post_form("/api/submissions", &form_fields("other"));
    let page = call(&app, &event).await;
    assert_eq!(page.status, 201);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("20261201-0001"));
    assert!(html.contains("href=\"/c/cuizhuyuan/\""));
    assert!(html.contains("href=\"/track/\""));
    assert!(html.contains("font-size:18px"));

    let again = call(&app, &event).await;
    assert_eq!(again.status, 200);
    assert!(again.text().contains("20261201-0001"));
    assert_eq!(app.store.cases().unwrap().len(), 1);

    // The code shown (in groups of four) opens the case on the no-JavaScript track page.
    let start =
        html.find("查询码</dt><dd class=\"big\">").unwrap() + "查询码</dt><dd class=\"big\">".len();
    let code: String = html[start..start + 19]
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    assert_eq!(code.len(), 16);
    let track = call(
        &app,
        &Event::post_form(
            "/api/track",
            &[("case_id", "20261201-0001"), ("query_code", &code)],
        ),
    )
    .await;
    assert_eq!(track.status, 200, "{}", track.text());
    assert!(track.text().contains("待受理"));
    assert!(track.text().contains("翠竹园社区居务监督委员会"));

    let miss = call(
        &app,
        &Event::post_form(
            "/api/track",
            &[
                ("case_id", "20261201-0001"),
                ("query_code", "0000000000000000"),
            ],
        ),
    )
    .await;
    assert_eq!(miss.status, 404);
    assert!(miss.text().contains("没有找到"));
    assert!(miss.text().contains("href=\"/track/\""));
}

#[tokio::test]
async fn form_errors_come_back_as_a_page_that_keeps_the_text_escaped() {
    let (_dir, app) = local_app();
    let mut fields = form_fields("other");
    fields[3] = ("body", "<script>alert(1)</script>");
    fields.retain(|(k, _)| *k != "anonymous" && *k != "contact_phone");
    fields.push(("contact_phone", "12345"));
    let page = call(&app, &Event::post_form("/api/submissions", &fields)).await;
    assert_eq!(page.status, 400);
    let html = page.text();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    // The form comes back filled in, the message beside the refused field.
    assert!(html.contains("action=\"/api/submissions\""), "{html}");
    assert!(
        html.contains("name=\"community\" value=\"cuizhuyuan\""),
        "{html}"
    );
    assert!(html.contains("value=\"12345\""), "{html}");
    assert!(html.contains("id=\"err-contact_phone\""), "{html}");
    assert!(html.contains("<option value=\"other\" selected>"), "{html}");
    assert!(html.contains("href=\"/c/cuizhuyuan/\""), "{html}");
    assert!(app.store.cases().unwrap().is_empty());
}

#[tokio::test]
async fn honeypot_gets_a_receipt_but_nothing_is_stored() {
    let (_dir, app) = local_app();
    let mut fields = form_fields("other");
    fields.retain(|(k, _)| *k != "website");
    fields.push(("website", "http://spam.example"));
    let page = call(&app, &Event::post_form("/api/submissions", &fields)).await;
    assert_eq!(page.status, 201);
    assert!(page.text().contains("已收到"));
    let mut body = complaint("key-honeypot-1");
    body["website"] = json!("http://spam.example");
    assert_eq!(
        call(&app, &Event::post_json("/api/submissions", &body))
            .await
            .status,
        201
    );
    assert!(app.store.cases().unwrap().is_empty());
}

#[tokio::test]
async fn wrong_method_gets_405_with_allow_and_unknown_route_404() {
    let (_dir, app) = local_app();
    let answer = call(&app, &Event::get("/api/submissions")).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST"));
    let answer = call(&app, &Event::method("DELETE", "/api/track")).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST"));
    let answer = call(&app, &Event::post_json("/api/v.gif", &json!({}))).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));
    let answer = call(&app, &Event::get("/api/cases")).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["field"], serde_json::Value::Null);
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_stored() {
    let (_dir, app) = local_app();
    ydt_test_support::handler::assert_catalogue_refused(&app).await;
    assert!(app.store.cases().unwrap().is_empty());
    let answer = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-after-bad")),
    )
    .await;
    assert_eq!(answer.json()["case_id"], "20261201-0001");
}

#[tokio::test]
async fn sixth_submission_in_ten_minutes_gets_429_with_retry_after() {
    let (_dir, mut app) = local_app();
    app.limits.submissions = 5;
    for i in 0..5 {
        let answer = call(
            &app,
            &Event::post_json("/api/submissions", &complaint(&format!("key-rate-{i:04}"))),
        )
        .await;
        assert_eq!(answer.status, 201);
    }
    let refused = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-rate-0005")),
    )
    .await;
    assert_eq!(refused.status, 429);
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=1200).contains(&wait), "{wait}");
    assert_eq!(refused.json()["field"], serde_json::Value::Null);
    // A retry of an acknowledged submission is not a new one: still answered.
    let retry = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-rate-0000")),
    )
    .await;
    assert_eq!(retry.status, 200);
    // Another address is not held back.
    let other = Event::post_json("/api/submissions", &complaint("key-rate-other"))
        .source_ip("198.51.100.9");
    assert_eq!(call(&app, &other).await.status, 201);
}

#[tokio::test]
async fn thirty_first_lookup_gets_429() {
    let (_dir, app) = local_app();
    let lookup = json!({"case_id": "20261201-0001", "query_code": "1234567812345678"});
    for _ in 0..30 {
        assert_eq!(
            call(&app, &Event::post_json("/api/track", &lookup))
                .await
                .status,
            404
        );
    }
    let refused = call(&app, &Event::post_json("/api/track", &lookup)).await;
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").is_some());
}

#[tokio::test]
async fn viewer_address_counts_only_behind_the_secret_origin_header() {
    let (_dir, mut app) = local_app();
    app.limits.submissions = 1;
    let via_cloudfront = |key: &str, viewer: &str| {
        Event::post_json("/api/submissions", &complaint(key))
            .header("x-origin-verify", ydt_test_support::ORIGIN_SECRET)
            .header("cloudfront-viewer-address", viewer)
    };
    // Two residents behind the same CloudFront edge address are two clients.
    assert_eq!(
        call(
            &app,
            &via_cloudfront("key-viewer-001", "198.51.100.1:40000")
        )
        .await
        .status,
        201
    );
    assert_eq!(
        call(&app, &via_cloudfront("key-viewer-002", "2001:db8::7:40001"))
            .await
            .status,
        201
    );
    assert_eq!(
        call(
            &app,
            &via_cloudfront("key-viewer-003", "198.51.100.1:40002")
        )
        .await
        .status,
        429
    );
    // Without the secret the header is anyone's to forge: the source address counts.
    let forged = |key: &str, viewer: &str| {
        Event::post_json("/api/submissions", &complaint(key))
            .header("x-origin-verify", "guess")
            .header("cloudfront-viewer-address", viewer)
    };
    assert_eq!(
        call(&app, &forged("key-forged-001", "192.0.2.1:1"))
            .await
            .status,
        201
    );
    assert_eq!(
        call(&app, &forged("key-forged-002", "192.0.2.2:1"))
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn visits_are_counted_per_community_and_placement() {
    let (_dir, app) = local_app();
    let pixel = call(&app, &Event::get("/api/v.gif?c=cuizhuyuan&from=gate")).await;
    assert_eq!(pixel.status, 200);
    assert_eq!(pixel.header("content-type"), Some("image/gif"));
    assert_eq!(pixel.header("cache-control"), Some("no-store"));
    assert!(pixel.header("set-cookie").is_none());
    assert_eq!(pixel.body, ydt_function::handler::PIXEL_GIF);
    call(
        &app,
        &Event::get("/api/v.gif?c=cuizhuyuan")
            .header("referer", "https://ydt.example.cn/c/cuizhuyuan/?from=hall"),
    )
    .await;
    call(&app, &Event::get("/api/v.gif?c=cuizhuyuan&from=unlisted")).await;
    let head = call(
        &app,
        &Event::method("HEAD", "/api/v.gif?c=cuizhuyuan&from=gate"),
    )
    .await;
    assert_eq!(
        head.status, 200,
        "a link checker's HEAD gets the pixel but is no visit"
    );
    let unknown = call(&app, &Event::get("/api/v.gif?c=nowhere&from=gate")).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.body, ydt_function::handler::PIXEL_GIF);
    let visits: Vec<_> = app
        .store
        .counts()
        .unwrap()
        .into_iter()
        .filter(|(pk, _, _)| pk.starts_with("visits#"))
        .collect();
    assert_eq!(
        visits,
        vec![
            ("visits#2026-12-01".to_string(), "cuizhuyuan".to_string(), 3),
            (
                "visits#2026-12-01".to_string(),
                "cuizhuyuan#gate".to_string(),
                1
            ),
            (
                "visits#2026-12-01".to_string(),
                "cuizhuyuan#hall".to_string(),
                1
            ),
        ]
    );
}

/// A complaint from the form's script on the phone with this device id.
fn from_device(key: &str, device: &str) -> serde_json::Value {
    let mut body = complaint(key);
    body["device"] = json!(device);
    body
}

#[tokio::test]
async fn a_phone_keeps_its_allowance_across_addresses_and_a_shared_address_serves_many_phones() {
    let (_dir, app) = local_app();
    let limits = app.limits;
    let phone = "device-volunteer-0000000001";
    let post = |key: String, device: &str, ip: &str| {
        Event::post_json("/api/submissions", &from_device(&key, device)).source_ip(ip)
    };
    // A volunteer filing for neighbours from the service hall's Wi-Fi: the phone's allowance.
    for n in 0..limits.submissions {
        let answer = call(
            &app,
            &post(format!("key-vol-{n:04}"), phone, "198.51.100.20"),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.text());
    }
    let held = call(&app, &post("key-vol-more".into(), phone, "198.51.100.20")).await;
    assert_eq!(held.status, 429);
    // Moving to 4G (a new address) does not reset the phone's count.
    let moved = call(&app, &post("key-vol-4g".into(), phone, "203.0.113.77")).await;
    assert_eq!(moved.status, 429, "a new address must not reset the device");
    // Other phones behind the same hall address are served, up to the address's allowance
    // (every try counts against it, the refused one too).
    let room = limits.submissions_per_address - limits.submissions - 1;
    for n in 0..room {
        let device = format!("device-resident-{n:011}");
        let answer = call(
            &app,
            &post(format!("key-hall-{n:04}"), &device, "198.51.100.20"),
        )
        .await;
        assert_eq!(
            answer.status,
            201,
            "phone {n} at the hall: {}",
            answer.text()
        );
    }
    let full = call(
        &app,
        &post(
            "key-hall-full".into(),
            "device-resident-late-000001",
            "198.51.100.20",
        ),
    )
    .await;
    assert_eq!(full.status, 429, "the hall's address has its own ceiling");
}

#[tokio::test]
async fn addresses_of_one_ipv6_64_share_an_allowance() {
    let (_dir, mut app) = local_app();
    app.limits.submissions = 1;
    let post =
        |key: &str, ip: &str| Event::post_json("/api/submissions", &complaint(key)).source_ip(ip);
    assert_eq!(
        call(&app, &post("key-v6-0001", "2001:db8:1:2::10"))
            .await
            .status,
        201
    );
    // Same /64, another interface id: the same client.
    assert_eq!(
        call(&app, &post("key-v6-0002", "2001:db8:1:2:ffff::1"))
            .await
            .status,
        429
    );
    // Another /64: another client.
    assert_eq!(
        call(&app, &post("key-v6-0003", "2001:db8:1:3::10"))
            .await
            .status,
        201
    );
    // An IPv4 address written as IPv6 is that IPv4 address.
    assert_eq!(
        call(&app, &post("key-v4-0001", "192.0.2.50")).await.status,
        201
    );
    assert_eq!(
        call(&app, &post("key-v4-0002", "::ffff:192.0.2.50"))
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn a_refusal_for_too_many_says_how_long_and_whom_to_call() {
    let (_dir, mut app) = local_app();
    app.limits.submissions = 1;
    let first = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-call-0001")),
    )
    .await;
    assert_eq!(first.status, 201);
    let refused = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-call-0002")),
    )
    .await;
    assert_eq!(refused.status, 429);
    let message = refused.json()["error"].as_str().unwrap().to_string();
    let handler = &app.manifest.communities[0].handler;
    assert!(message.contains("分钟后再试"), "{message}");
    assert!(
        message.contains(handler.phone.as_deref().unwrap()),
        "the handler's phone in: {message}"
    );
}

#[tokio::test]
async fn a_pixel_reloaded_in_a_loop_counts_no_more_than_the_allowance() {
    let (_dir, mut app) = local_app();
    app.limits.visits_per_address = 3;
    for _ in 0..10 {
        let pixel = call(&app, &Event::get("/api/v.gif?c=cuizhuyuan")).await;
        assert_eq!(pixel.status, 200);
        assert_eq!(pixel.body, ydt_function::handler::PIXEL_GIF);
    }
    let other = call(
        &app,
        &Event::get("/api/v.gif?c=cuizhuyuan").source_ip("203.0.113.9"),
    )
    .await;
    assert_eq!(other.status, 200);
    let visits: Vec<_> = app
        .store
        .counts()
        .unwrap()
        .into_iter()
        .filter(|(pk, _, _)| pk.starts_with("visits#"))
        .collect();
    assert_eq!(
        visits,
        vec![("visits#2026-12-01".to_string(), "cuizhuyuan".to_string(), 4)]
    );
}

/// A store whose every call fails, as DynamoDB does when unreachable.
struct BrokenStore;

fn broken<T>() -> StoreResult<T> {
    Err(StoreError("connection refused".into()))
}

impl Store for BrokenStore {
    async fn receipt_for_key(&self, _: CaseTable, _: &str) -> StoreResult<Option<Receipt>> {
        broken()
    }
    async fn next_case_number(&self, _: CaseTable, _: &str) -> StoreResult<u64> {
        broken()
    }
    async fn create_case(
        &self,
        _: CaseTable,
        _: &CaseItem,
        _: &str,
        _: &Receipt,
        _: i64,
    ) -> StoreResult<Created> {
        broken()
    }
    async fn find_case(&self, _: CaseTable, _: &str) -> StoreResult<Option<CaseRecord>> {
        broken()
    }
    async fn increment(&self, _: &Counter, _: Option<i64>) -> StoreResult<u64> {
        broken()
    }
    async fn count(&self, _: &Counter) -> StoreResult<u64> {
        broken()
    }
    async fn rate_case(&self, _: CaseTable, _: &str, _: &str, _: &Rating) -> StoreResult<bool> {
        broken()
    }
}

#[tokio::test]
async fn storage_fault_gets_503_with_retry_after_and_visits_still_get_the_pixel() {
    let app = app(BrokenStore);
    let answer = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("key-broken-01")),
    )
    .await;
    assert_eq!(answer.status, 503);
    assert!(answer.header("retry-after").is_some());
    assert_eq!(answer.json()["field"], serde_json::Value::Null);
    let page = call(
        &app,
        &Event::post_form("/api/submissions", &form_fields("other")),
    )
    .await;
    assert_eq!(page.status, 503);
    assert!(page.text().contains("<html lang=\"zh-CN\">"));
    assert!(
        page.text().contains("小区东门的路灯坏了两个月"),
        "the resident's text is kept"
    );
    let lookup = json!({"case_id": "20261201-0001", "query_code": "1234567812345678"});
    assert_eq!(
        call(&app, &Event::post_json("/api/track", &lookup))
            .await
            .status,
        503
    );
    let rating = ydt_test_support::handler::feedback("20261201-0001", "1234567812345678", "满意");
    let refused = call(&app, &rating).await;
    assert_eq!(
        refused.status, 503,
        "a rating is retried, never lost as a 4xx"
    );
    assert!(refused.header("retry-after").is_some());
    let pixel = call(&app, &Event::get("/api/v.gif?c=cuizhuyuan")).await;
    assert_eq!(pixel.status, 200);
    assert_eq!(pixel.body, ydt_function::handler::PIXEL_GIF);
}

#[tokio::test]
async fn arbitrary_bytes_never_get_a_5xx() {
    let (_dir, app) = local_app();
    // A fixed-seed generator: the same inputs every run, so a failure can be replayed.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pieces: [&[u8]; 12] = [
        b"{",
        b"}",
        b"\"",
        b":",
        b",",
        b"community=",
        b"&",
        b"%",
        b"%E4%BD",
        "投诉".as_bytes(),
        b"\\u0000",
        b"\xff",
    ];
    for round in 0..400 {
        let mut body = Vec::new();
        for _ in 0..(next() % 24) {
            if next() % 3 == 0 {
                body.push(next() as u8);
            } else {
                body.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
        }
        let content_type = if round % 2 == 0 {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        let path = if round % 3 == 0 {
            "/api/track"
        } else {
            "/api/submissions"
        };
        let event = Event::post(path, content_type, "").binary_body(&body);
        let answer = call(&app, &event).await;
        assert!(
            answer.status.is_client_error() || answer.status.is_success(),
            "{} for {:?}",
            answer.status,
            String::from_utf8_lossy(&body)
        );
    }
}

/// The handler closing a case in `ydt cases`.
fn close_locally(
    store: &LocalStore,
) -> impl Fn(String, &'static str) -> std::future::Ready<()> + '_ {
    move |case_id, reply| {
        store
            .edit(
                &case_id,
                Some("已办结"),
                Some(reply),
                "2026-12-01T15:00:00+08:00",
            )
            .unwrap()
            .expect("the case exists");
        std::future::ready(())
    }
}

#[tokio::test]
async fn rating_reopens_once_per_closing_over_the_local_store() {
    let (_dir, app) = local_app();
    assert_rating_round_trip(&app, close_locally(&app.store)).await;
    let (_, record) = app.store.cases().unwrap().remove(0);
    let changes: Vec<_> = record
        .timeline
        .iter()
        .map(|e| (e.change.as_str(), e.value.as_str()))
        .collect();
    // The whole history, reopening included, as the consumer writes it on AWS.
    assert_eq!(
        changes,
        [
            ("status", "已办结"),
            ("reply", "已核实，11月津贴已补发"),
            ("rating", "不满意"),
            ("status", "办理中"),
            ("status", "已办结"),
            ("reply", "已再次核实并当面答复"),
            ("rating", "满意"),
        ]
    );
    let case = &record.case;
    assert_eq!(case.rating.as_deref(), Some("满意"));
    assert_eq!(
        case.rating_comment.as_deref(),
        Some("答复没有解决问题,补贴仍未到账")
    );
    let by = case.on_behalf.as_ref().expect("filed on behalf");
    assert_eq!((by.role.as_str(), by.name.as_str()), ("网格员", "王网格"));
    assert!(!case.notify_sms, "rated 满意: no more SMS");
    assert_eq!(case.contact_phone.as_deref(), Some("13812345678"));
}

#[tokio::test]
async fn of_two_ratings_at_once_the_local_store_keeps_one() {
    let (_dir, app) = local_app();
    assert_rating_is_conditional(&app, close_locally(&app.store)).await;
}

#[tokio::test]
async fn objections_name_a_record_of_the_community_over_the_local_store() {
    let (_dir, app) = local_app();
    assert_objections(&app).await;
    let cases = app.store.cases().unwrap();
    assert_eq!(cases.len(), 2);
    assert!(cases.iter().all(|(_, r)| r.case.kind == "objection"
        && r.case.type_name == "异议"
        && r.case.category_name == "公示异议"));
}

fn page_text(answer: &ydt_test_support::Answer) -> String {
    assert!(
        answer
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{answer:?}"
    );
    answer.text()
}

#[tokio::test]
async fn the_track_page_offers_a_rating_form_that_works_without_javascript() {
    let (_dir, app) = local_app();
    let filed = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("nojs-rate-0001")),
    )
    .await
    .json();
    let (id, code) = (
        filed["case_id"].as_str().unwrap(),
        filed["query_code"].as_str().unwrap(),
    );
    let lookup = [("case_id", id), ("query_code", code)];
    let open = page_text(&call(&app, &Event::post_form("/api/track", &lookup)).await);
    assert!(open.contains("受理期限</dt><dd>2026-12-04 前"), "{open}");
    assert!(
        !open.contains("action=\"/api/feedback\""),
        "an open case has no rating form"
    );

    close_locally(&app.store)(id.to_string(), "已补发").await;
    let closed = page_text(&call(&app, &Event::post_form("/api/track", &lookup)).await);
    assert!(closed.contains("action=\"/api/feedback\""), "{closed}");
    for value in ["满意", "基本满意", "不满意"] {
        assert!(
            closed.contains(&format!("name=\"rating\" value=\"{value}\"")),
            "{value}"
        );
    }
    assert!(closed.contains(&format!("name=\"query_code\" value=\"{code}\"")));

    let rate = |rating: &'static str| {
        Event::post_form(
            "/api/feedback",
            &[
                ("case_id", id),
                ("query_code", code),
                ("rating", rating),
                ("comment", "还是没到账"),
            ],
        )
    };
    let answer = call(&app, &rate("不满意")).await;
    assert_eq!(answer.status, 200);
    let page = page_text(&answer);
    assert!(
        page.contains("这件事已重新办理，新的答复期限是 2026-12-07"),
        "{page}"
    );
    assert!(
        page.contains("群众不满意，重新办理"),
        "the history shows the reopening: {page}"
    );
    assert!(page.contains("办理中"));
    assert!(
        !page.contains("action=\"/api/feedback\""),
        "reopened: no form"
    );

    let twice = call(&app, &rate("满意")).await;
    assert_eq!(twice.status, 409);
    let refused = page_text(&twice);
    assert!(refused.contains("还在办理中"), "{refused}");
    assert!(refused.contains("<h1>没能评价</h1>"), "{refused}");
    assert!(
        refused.contains("还是没到账"),
        "the comment is kept: {refused}"
    );
    let wrong = call(
        &app,
        &Event::post_form(
            "/api/feedback",
            &[
                ("case_id", id),
                ("query_code", "1234123412341234"),
                ("rating", "满意"),
            ],
        ),
    )
    .await;
    let wrong_track = call(
        &app,
        &Event::post_form(
            "/api/track",
            &[("case_id", id), ("query_code", "1234123412341234")],
        ),
    )
    .await;
    assert_eq!(wrong.status, 404);
    assert_eq!(
        wrong.body, wrong_track.body,
        "a wrong code reads exactly as track's"
    );
}

#[tokio::test]
async fn sms_notices_need_a_mobile_and_filing_on_behalf_needs_a_role_and_name() {
    let (_dir, app) = local_app();
    let refused = |body: serde_json::Value| {
        let app = &app;
        async move {
            let answer = call(app, &Event::post_json("/api/submissions", &body)).await;
            assert_eq!(answer.status, 400, "{}", answer.text());
            answer.json()["field"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    };
    let mut landline = complaint("sms-landline-01");
    landline["notify_sms"] = json!(true);
    landline["contact"]["phone"] = json!("0551-65551234");
    assert_eq!(refused(landline).await, "notify_sms");
    let mut anonymous = complaint("sms-anonymous-1");
    anonymous["notify_sms"] = json!(true);
    anonymous["anonymous"] = json!(true);
    assert_eq!(refused(anonymous).await, "notify_sms");
    let mut who = complaint("behalf-role-001");
    who["on_behalf"] = json!({"role": "村长", "name": "王网格"});
    assert_eq!(refused(who).await, "on_behalf_role");
    let mut nameless = complaint("behalf-name-001");
    nameless["on_behalf"] = json!({"role": "hall"});
    assert_eq!(refused(nameless).await, "on_behalf_name");
    assert!(app.store.cases().unwrap().is_empty());

    // The plain form: a service-hall clerk files for a resident who wants SMS.
    let mut fields: Vec<_> = form_fields("subsidy")
        .into_iter()
        .filter(|(name, _)| !name.starts_with("contact") && *name != "anonymous")
        .collect();
    fields.extend([
        ("contact_name", "李桂兰"),
        ("contact_phone", "138 1234 5678"),
        ("on_behalf_role", "hall"),
        ("on_behalf_name", "赵窗口"),
        ("notify_sms", "on"),
    ]);
    let answer = call(&app, &Event::post_form("/api/submissions", &fields)).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let (_, record) = app.store.cases().unwrap().remove(0);
    let by = record.case.on_behalf.expect("on behalf");
    assert_eq!(
        (by.role.as_str(), by.name.as_str()),
        ("服务大厅工作人员", "赵窗口")
    );
    assert!(record.case.notify_sms);
}

#[tokio::test]
async fn an_extension_is_granted_once_a_round_and_residents_see_why() {
    use ydt_function::store::local::{Edit, Extension};
    let (_dir, app) = local_app();
    let filed = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("extend-once-0001")),
    )
    .await
    .json();
    let (id, code) = (
        filed["case_id"].as_str().unwrap(),
        filed["query_code"].as_str().unwrap(),
    );
    let extend = |to: &str| Edit {
        status: Some("办理中".into()),
        reply: None,
        extend: Some((to.into(), "需要区民政局核对户籍信息".into())),
    };
    let at = "2026-12-02T09:00:00+08:00";
    assert!(matches!(
        app.store.extend(id, extend("2026-12-16"), at).unwrap(),
        Extension::Extended(_)
    ));
    assert_eq!(
        app.store.extend(id, extend("2026-12-30"), at).unwrap(),
        Extension::AlreadyExtended("2026-12-16".into())
    );
    let seen = track_json(&app, id, code).await;
    assert_eq!(
        (&seen["extended_to"], &seen["extend_reason"]),
        (&json!("2026-12-16"), &json!("需要区民政局核对户籍信息"))
    );
    assert_eq!(
        seen["due_date"], "2026-12-09",
        "due_at stays the first deadline"
    );
    assert!(seen["history"].as_array().unwrap().iter().any(
        |e| e["change"] == "extension" && e["value"] == "2026-12-16：需要区民政局核对户籍信息"
    ));

    // Closed, rated 不满意: a new round, whose deadline may be extended again.
    close_locally(&app.store)(id.to_string(), "已补发").await;
    assert!(matches!(
        app.store.extend(id, Edit::default(), at).unwrap(),
        Extension::NotOpen(_)
    ));
    let unhappy = call(
        &app,
        &ydt_test_support::handler::feedback(id, code, "不满意"),
    )
    .await;
    assert_eq!(unhappy.status, 200);
    assert_eq!(
        track_json(&app, id, code).await["extended_to"],
        serde_json::Value::Null
    );
    assert!(matches!(
        app.store.extend(id, extend("2026-12-21"), at).unwrap(),
        Extension::Extended(_)
    ));
}

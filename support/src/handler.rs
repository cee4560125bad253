//! The function's handler called in-process, as the handler tests, the hostile-input properties
//! and the storage-fault run do: the fixture manifest, requests built from API Gateway v2 (Lambda
//! function URL) events, the answer read back, and the catalogue of malformed requests every
//! store must refuse alike. The fixtures stay in `function/tests/fixtures/`, beside the function
//! whose formats they show (`bench/function.sh` copies the manifest from there too).

use std::path::{Path, PathBuf};

use lambda_http::http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};
use ydt_function::clock::Date;
use ydt_function::manifest::Manifest;
use ydt_function::store::Store;
use ydt_function::{App, handle};

pub const HMAC_KEY: &[u8] = b"test-hmac-key-not-a-secret";
pub const ORIGIN_SECRET: &str = "origin-secret-for-tests";

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../function/tests/fixtures");

/// The fixture manifest as `ydt build` writes it: three communities and their categories.
pub fn manifest() -> Manifest {
    serde_json::from_str(include_str!("../../function/tests/fixtures/manifest.json"))
        .expect("fixture manifest")
}

/// The fixture manifest's file, for a process that reads it itself (`bootstrap`, `ydt serve`).
pub fn manifest_path() -> PathBuf {
    Path::new(FIXTURES).join("manifest.json")
}

/// Tuesday 2026-12-01 10:00 in Shanghai (02:00 UTC).
pub fn tuesday_morning() -> i64 {
    Date::parse("2026-12-01").unwrap().days() * 86_400 + 2 * 3600
}

pub fn app<S: Store>(store: S) -> App<S> {
    let mut app = App::new(
        store,
        manifest(),
        ydt_function::keys::SecretKey::new(HMAC_KEY),
    );
    app.clock = tuesday_morning;
    app.origin_secret = Some(ORIGIN_SECRET.to_string());
    app
}

/// An API Gateway v2 event, as a Lambda function URL delivers it.
pub struct Event {
    event: Value,
}

impl Event {
    fn new(method: &str, path_and_query: &str) -> Event {
        let mut event: Value = serde_json::from_str(include_str!(
            "../../function/tests/fixtures/apigw-v2-request.json"
        ))
        .unwrap();
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        event["rawPath"] = json!(path);
        event["rawQueryString"] = json!(query);
        event["requestContext"]["http"]["method"] = json!(method);
        event["requestContext"]["http"]["path"] = json!(path);
        Event { event }
    }

    pub fn get(path_and_query: &str) -> Event {
        Event::new("GET", path_and_query)
    }

    pub fn method(method: &str, path: &str) -> Event {
        Event::new(method, path)
    }

    pub fn post(path: &str, content_type: &str, body: &str) -> Event {
        Event::new("POST", path)
            .header("content-type", content_type)
            .body(body)
    }

    pub fn post_json(path: &str, body: &Value) -> Event {
        Event::post(path, "application/json", &body.to_string())
    }

    /// A track lookup of `case_id` with `query_code`, as the track page sends it.
    pub fn track(case_id: impl Serialize, query_code: impl Serialize) -> Event {
        Event::post_json(
            "/api/track",
            &json!({"case_id": case_id, "query_code": query_code}),
        )
    }

    pub fn post_form(path: &str, pairs: &[(&str, &str)]) -> Event {
        let body: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect();
        Event::post(path, "application/x-www-form-urlencoded", &body.join("&"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Event {
        self.event["headers"][name] = json!(value);
        self
    }

    pub fn body(mut self, body: &str) -> Event {
        self.event["body"] = json!(body);
        self.event["isBase64Encoded"] = json!(false);
        self
    }

    /// A body of raw bytes (e.g. invalid UTF-8), base64-encoded as the function URL sends it.
    pub fn binary_body(mut self, bytes: &[u8]) -> Event {
        self.event["body"] = json!(base64(bytes));
        self.event["isBase64Encoded"] = json!(true);
        self
    }

    pub fn source_ip(mut self, ip: &str) -> Event {
        self.event["requestContext"]["http"]["sourceIp"] = json!(ip);
        self
    }

    /// The event as Lambda delivers it to `bootstrap`.
    pub fn to_json(&self) -> String {
        self.event.to_string()
    }

    pub fn request(&self) -> lambda_http::Request {
        lambda_http::request::from_str(&self.event.to_string()).expect("a valid API Gateway event")
    }
}

pub fn form_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An answer, read as a user agent would: from the handler called in-process ([`call`]) or off
/// the socket of `ydt serve` ([`crate::serve`]).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn call<S: Store>(app: &App<S>, event: &Event) -> Answer {
    let response = handle(app, event.request())
        .await
        .expect("the handler answers every request");
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.as_ref().to_vec(),
    }
}

/// A valid JSON complaint; tests change fields from here.
pub fn complaint(key: &str) -> Value {
    json!({
        "community": "cuizhuyuan",
        "type": "complaint",
        "category": "subsidy",
        "body": "十一月的高龄津贴到现在还没有发,请问是什么原因?",
        "anonymous": false,
        "contact": { "name": "李桂兰", "phone": "13812345678" },
        "idempotency_key": key
    })
}

fn with(key: &str, field: &str, value: Value) -> Value {
    let mut body = complaint(key);
    body[field] = value;
    body
}

fn without(key: &str, field: &str) -> Value {
    let mut body = complaint(key);
    body.as_object_mut().unwrap().remove(field);
    body
}

/// A malformed request, what it should get, and the field named.
pub struct BadInput {
    pub what: &'static str,
    pub event: Event,
    pub status: u16,
    pub field: Option<&'static str>,
}

/// Malformed requests, each refused with a 4xx and the field it is about. No two share a reason.
pub fn bad_input_catalogue() -> Vec<BadInput> {
    let k = "catalogue-key-0001";
    let sub = "/api/submissions";
    let track = "/api/track";
    let bad = |what, event, status, field| BadInput {
        what,
        event,
        status,
        field,
    };
    let json = |body: Value| Event::post_json(sub, &body);
    let long_body = "投".repeat(2001);
    let huge = format!(
        "{{\"body\":\"{}\"}}",
        "a".repeat(ydt_function::handler::MAX_BODY_BYTES)
    );
    vec![
        bad(
            "malformed JSON",
            Event::post(sub, "application/json", "{\"community\":"),
            400,
            None,
        ),
        bad(
            "JSON array",
            Event::post(sub, "application/json", "[1,2]"),
            400,
            None,
        ),
        bad(
            "empty JSON body",
            Event::post(sub, "application/json", ""),
            400,
            None,
        ),
        bad(
            "invalid UTF-8 JSON",
            Event::post(sub, "application/json", "").binary_body(b"{\"body\":\"\xff\xfe\"}"),
            400,
            None,
        ),
        bad(
            "invalid UTF-8 in form escapes",
            Event::post(sub, "application/x-www-form-urlencoded", "community=%FF%FE"),
            400,
            None,
        ),
        bad(
            "text/plain",
            Event::post(sub, "text/plain", "hello"),
            415,
            None,
        ),
        bad(
            "no content type",
            Event::method("POST", sub).body("{}"),
            415,
            None,
        ),
        bad(
            "multipart",
            Event::post(sub, "multipart/form-data; boundary=x", "--x--"),
            415,
            None,
        ),
        bad(
            "body over 32 KiB",
            Event::post(sub, "application/json", &huge),
            413,
            None,
        ),
        bad(
            "missing community",
            json(without(k, "community")),
            400,
            Some("community"),
        ),
        bad(
            "unknown community",
            json(with(k, "community", json!("nowhere"))),
            400,
            Some("community"),
        ),
        bad(
            "community not a string",
            json(with(k, "community", json!(42))),
            400,
            Some("community"),
        ),
        bad("missing type", json(without(k, "type")), 400, Some("type")),
        bad(
            "unknown type",
            json(with(k, "type", json!("praise"))),
            400,
            Some("type"),
        ),
        bad(
            "missing category",
            json(without(k, "category")),
            400,
            Some("category"),
        ),
        bad(
            "unknown category",
            json(with(k, "category", json!("weather"))),
            400,
            Some("category"),
        ),
        bad(
            "category not allowed for type",
            json(with(k, "category", json!("conduct"))),
            400,
            Some("category"),
        ),
        bad("missing body", json(without(k, "body")), 400, Some("body")),
        bad(
            "body only spaces",
            json(with(k, "body", json!("    \n  "))),
            400,
            Some("body"),
        ),
        bad(
            "body too short after trim",
            json(with(k, "body", json!("  没发钱  "))),
            400,
            Some("body"),
        ),
        bad(
            "body too long",
            json(with(k, "body", json!(long_body))),
            400,
            Some("body"),
        ),
        bad(
            "body with control char",
            json(with(k, "body", json!("高龄津贴\u{0007}没有发放"))),
            400,
            Some("body"),
        ),
        bad(
            "body with NUL",
            json(with(k, "body", json!("高龄津贴\u{0000}没有发放"))),
            400,
            Some("body"),
        ),
        bad(
            "body not a string",
            json(with(k, "body", json!(["a"]))),
            400,
            Some("body"),
        ),
        bad(
            "anonymous not a bool",
            json(with(k, "anonymous", json!("yes"))),
            400,
            Some("anonymous"),
        ),
        bad(
            "contact not an object",
            json(with(k, "contact", json!("13812345678"))),
            400,
            Some("contact_name"),
        ),
        bad(
            "name too long",
            json(with(
                k,
                "contact",
                json!({"name": "名".repeat(21), "phone": "13812345678"}),
            )),
            400,
            Some("contact_name"),
        ),
        bad(
            "name with newline",
            json(with(k, "contact", json!({"name": "李\n桂兰"}))),
            400,
            Some("contact_name"),
        ),
        bad(
            "phone too short",
            json(with(k, "contact", json!({"phone": "1381234567"}))),
            400,
            Some("contact_phone"),
        ),
        bad(
            "phone landline without area code",
            json(with(k, "contact", json!({"phone": "65551234"}))),
            400,
            Some("contact_phone"),
        ),
        bad(
            "phone with letters",
            json(with(k, "contact", json!({"phone": "138abcd5678"}))),
            400,
            Some("contact_phone"),
        ),
        bad(
            "phone not a string",
            json(with(k, "contact", json!({"phone": 13812345678u64}))),
            400,
            Some("contact_phone"),
        ),
        bad(
            "missing idempotency key",
            json(without(k, "idempotency_key")),
            400,
            Some("idempotency_key"),
        ),
        bad(
            "idempotency key too short",
            json(with(k, "idempotency_key", json!("abc"))),
            400,
            Some("idempotency_key"),
        ),
        bad(
            "idempotency key with spaces",
            json(with(k, "idempotency_key", json!("abc def ghi jkl"))),
            400,
            Some("idempotency_key"),
        ),
        bad(
            "type not a string",
            json(with(k, "type", json!(1))),
            400,
            Some("type"),
        ),
        bad(
            "lone surrogate escape",
            Event::post(sub, "application/json", "{\"body\":\"\\ud800\"}"),
            400,
            None,
        ),
        bad(
            "track malformed JSON",
            Event::post(track, "application/json", "{case_id"),
            400,
            None,
        ),
        bad(
            "track missing case id",
            Event::post_json(track, &json!({"query_code": "1234567812345678"})),
            400,
            Some("case_id"),
        ),
        bad(
            "track malformed case id",
            Event::post_json(
                track,
                &json!({"case_id": "42", "query_code": "1234567812345678"}),
            ),
            400,
            Some("case_id"),
        ),
        bad(
            "track missing query code",
            Event::post_json(track, &json!({"case_id": "20261201-0001"})),
            400,
            Some("query_code"),
        ),
        bad(
            "track short query code",
            Event::post_json(
                track,
                &json!({"case_id": "20261201-0001", "query_code": "12345"}),
            ),
            400,
            Some("query_code"),
        ),
        bad(
            "track query code with letters",
            Event::post_json(
                track,
                &json!({"case_id": "20261201-0001", "query_code": "12345678abcdefgh"}),
            ),
            400,
            Some("query_code"),
        ),
        bad(
            "track wrong content type",
            Event::post(track, "text/plain", "x"),
            415,
            None,
        ),
        bad(
            "objection without a record",
            json(with(k, "type", json!("objection"))),
            400,
            Some("record"),
        ),
        bad(
            "objection record not text",
            {
                let mut body = with(k, "type", json!("objection"));
                body["record"] = json!(["2026-11-gaoling-jintie"]);
                json(body)
            },
            400,
            Some("record"),
        ),
        bad(
            "notify_sms not a flag",
            json(with(k, "notify_sms", json!("yes"))),
            400,
            Some("notify_sms"),
        ),
        bad(
            "on_behalf not an object",
            json(with(k, "on_behalf", json!("网格员"))),
            400,
            Some("on_behalf_role"),
        ),
        bad(
            "on_behalf name too long",
            json(with(
                k,
                "on_behalf",
                json!({"role": "monitor", "name": "名".repeat(21)}),
            )),
            400,
            Some("on_behalf_name"),
        ),
        bad(
            "feedback without a rating",
            Event::post_json(
                "/api/feedback",
                &json!({"case_id": "20261201-0001", "query_code": "1234123412341234"}),
            ),
            400,
            Some("rating"),
        ),
        bad(
            "feedback rating not text",
            Event::post_json(
                "/api/feedback",
                &json!({"case_id": "20261201-0001", "query_code": "1234123412341234", "rating": 5}),
            ),
            400,
            Some("rating"),
        ),
        bad(
            "feedback comment too long",
            Event::post_json(
                "/api/feedback",
                &json!({"case_id": "20261201-0001", "query_code": "1234123412341234",
                        "rating": "满意", "comment": "长".repeat(501)}),
            ),
            400,
            Some("comment"),
        ),
        bad(
            "feedback comment with a control character",
            Event::post_json(
                "/api/feedback",
                &json!({"case_id": "20261201-0001", "query_code": "1234123412341234",
                        "rating": "满意", "comment": "不满\u{7}意"}),
            ),
            400,
            Some("comment"),
        ),
        bad(
            "feedback malformed case number",
            Event::post_json(
                "/api/feedback",
                &json!({"case_id": "42", "query_code": "1234123412341234", "rating": "满意"}),
            ),
            400,
            Some("case_id"),
        ),
        bad(
            "feedback wrong content type",
            Event::post("/api/feedback", "text/plain", "rating=满意"),
            415,
            None,
        ),
        bad(
            "track body over 32 KiB",
            Event::post(track, "application/json", &huge),
            413,
            None,
        ),
    ]
}

/// Sends every catalogue entry; asserts status, `{error, field}` and that nothing was stored
/// (the next real submission of the day still gets number 0001 — checked by the caller).
pub async fn assert_catalogue_refused<S: Store>(app: &App<S>) {
    let catalogue = bad_input_catalogue();
    assert!(catalogue.len() >= 30);
    for entry in &catalogue {
        let answer = call(app, &entry.event).await;
        assert_eq!(
            answer.status.as_u16(),
            entry.status,
            "{}: {}",
            entry.what,
            String::from_utf8_lossy(&answer.body)
        );
        let body = answer.json();
        let error = body["error"].as_str().unwrap_or_default();
        assert!(
            error
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{}: error message should be Chinese, got {body}",
            entry.what
        );
        assert_eq!(
            body["field"].as_str(),
            entry.field,
            "{}: wrong field in {body}",
            entry.what
        );
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{}",
            entry.what
        );
    }
}

/// A track lookup's JSON answer.
pub async fn track_json<S: Store>(app: &App<S>, case_id: &str, query_code: &str) -> Value {
    let answer = call(app, &Event::track(case_id, query_code)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}

/// A rating, as the JSON API takes it.
pub fn feedback(case_id: &str, query_code: &str, rating: &str) -> Event {
    Event::post_json(
        "/api/feedback",
        &json!({"case_id": case_id, "query_code": query_code, "rating": rating,
                "comment": "答复没有解决问题,补贴仍未到账"}),
    )
}

/// The rating round trip over any store, the same for both: an open case cannot be rated
/// (409), a wrong code gets track's own 404; once closed, 不满意 reopens it (办理中, the
/// `reopen_days` due date, the history says so); closed again, 满意 is taken once and a second
/// rating is 409. `close` is the handler closing the case with a reply, as the store's console
/// does it.
pub async fn assert_rating_round_trip<S, F, Fut>(app: &App<S>, close: F)
where
    S: Store,
    F: Fn(String, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut body = complaint("rating-round-trip-0001");
    body["notify_sms"] = json!(true);
    body["on_behalf"] = json!({"role": "grid", "name": "王网格"});
    let filed = call(app, &Event::post_json("/api/submissions", &body)).await;
    assert_eq!(filed.status, 201, "{}", filed.text());
    let filed = filed.json();
    let (case_id, code) = (
        filed["case_id"].as_str().unwrap().to_string(),
        filed["query_code"].as_str().unwrap().to_string(),
    );
    let seen = track_json(app, &case_id, &code).await;
    assert_eq!(seen["rating"], Value::Null);
    assert_eq!(seen["may_rate"], false);
    // Two working days, the 3rd being a holiday in the fixture calendar.
    assert_eq!(seen["accept_due"], "2026-12-04");
    assert_eq!(seen["due_date"], "2026-12-09");

    let open = call(app, &feedback(&case_id, &code, "满意")).await;
    assert_eq!(open.status, 409, "{}", open.text());
    assert_eq!(open.json()["field"], "rating");
    let wrong_code = call(app, &feedback(&case_id, "0000000000000000", "满意")).await;
    let track_miss = call(app, &Event::track(&case_id, "0000000000000000")).await;
    assert_eq!(wrong_code.status, 404);
    assert_eq!(wrong_code.body, track_miss.body, "the same 404 as track");
    let unknown = call(app, &feedback("20261201-0999", &code, "满意")).await;
    assert_eq!(
        (unknown.status, &unknown.body),
        (track_miss.status, &track_miss.body)
    );
    let bad = call(app, &feedback(&case_id, &code, "非常好")).await;
    assert_eq!(
        (bad.status.as_u16(), bad.json()["field"].clone()),
        (400, json!("rating"))
    );

    close(case_id.clone(), "已核实，11月津贴已补发").await;
    let closed = track_json(app, &case_id, &code).await;
    assert_eq!(closed["status"], "已办结");
    assert_eq!(closed["may_rate"], true);

    let unhappy = call(app, &feedback(&case_id, &code, "不满意")).await;
    assert_eq!(unhappy.status, 200, "{}", unhappy.text());
    let unhappy = unhappy.json();
    assert_eq!(
        (&unhappy["case_id"], &unhappy["status"], &unhappy["rating"]),
        (&json!(case_id), &json!("办理中"), &json!("不满意"))
    );
    let reopened = track_json(app, &case_id, &code).await;
    assert_eq!(reopened["status"], "办理中");
    // Three working days (reopen_days) from Tuesday 1 December, the 3rd a holiday.
    assert_eq!(reopened["due_date"], "2026-12-07");
    assert_eq!(reopened["rating"], "不满意");
    assert_eq!(reopened["may_rate"], false);
    let changes: Vec<(String, String)> = reopened["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["change"].as_str().unwrap().to_string(),
                e["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        changes.contains(&("rating".to_string(), "不满意".to_string())),
        "{changes:?}"
    );
    let again = call(app, &feedback(&case_id, &code, "满意")).await;
    assert_eq!(
        again.status,
        409,
        "a reopened case is open: {}",
        again.text()
    );

    close(case_id.clone(), "已再次核实并当面答复").await;
    let happy = call(app, &feedback(&case_id, &code, "满意")).await;
    assert_eq!(happy.status, 200, "{}", happy.text());
    assert_eq!(happy.json()["status"], "已办结");
    let twice = call(app, &feedback(&case_id, &code, "不满意")).await;
    assert_eq!(twice.status, 409, "{}", twice.text());
    assert_eq!(twice.json()["field"], "rating");
    let rated = track_json(app, &case_id, &code).await;
    assert_eq!(
        (&rated["status"], &rated["rating"]),
        (&json!("已办结"), &json!("满意"))
    );
}

/// Objections over any store: the record must be one of the community's (400 otherwise); one
/// inside the 公示期 gets the objection deadline, one after it is taken, marked late and given
/// a complaint's time.
pub async fn assert_objections<S: Store>(app: &App<S>) {
    let objection = |key: &str, record: Option<&str>| {
        let mut body = complaint(key);
        body["type"] = json!("objection");
        body.as_object_mut().unwrap().remove("category");
        body["body"] = json!("名单里的张*明已于今年八月去世,不应再领取高龄津贴");
        if let Some(record) = record {
            body["record"] = json!(record);
        }
        Event::post_json("/api/submissions", &body)
    };
    for (what, record) in [("missing", None), ("unknown", Some("2026-11-nothing"))] {
        let refused = call(app, &objection(&format!("objection-{what}-1"), record)).await;
        assert_eq!(refused.status, 400, "{what}: {}", refused.text());
        assert_eq!(refused.json()["field"], "record", "{what}");
    }
    // A record of another community is unknown here too.
    let mut elsewhere = complaint("objection-elsewhere-1");
    elsewhere["type"] = json!("objection");
    elsewhere["community"] = json!("wanshou");
    elsewhere["record"] = json!("2026-11-gaoling-jintie");
    let refused = call(app, &Event::post_json("/api/submissions", &elsewhere)).await;
    assert_eq!(
        (refused.status.as_u16(), refused.json()["field"].clone()),
        (400, json!("record"))
    );

    let timely = call(
        app,
        &objection("objection-timely-1", Some("2026-11-gaoling-jintie")),
    )
    .await;
    assert_eq!(timely.status, 201, "{}", timely.text());
    let timely = timely.json();
    assert_eq!(timely["status"], "待受理");
    assert_eq!(timely["routed_to"], "翠竹园社区居务监督委员会");
    assert_eq!(timely["due_date"], "2026-12-07", "objection_days = 3");
    let seen = track_json(
        app,
        timely["case_id"].as_str().unwrap(),
        timely["query_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        (&seen["record"], &seen["late"]),
        (&json!("2026-11-gaoling-jintie"), &json!(false))
    );

    let late = call(
        app,
        &objection("objection-late-1", Some("2026-10-gaoling-jintie")),
    )
    .await;
    assert_eq!(late.status, 201, "{}", late.text());
    let late = late.json();
    assert_eq!(
        late["due_date"], "2026-12-09",
        "late: a complaint's response_days"
    );
    let seen = track_json(
        app,
        late["case_id"].as_str().unwrap(),
        late["query_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        (&seen["record"], &seen["late"]),
        (&json!("2026-10-gaoling-jintie"), &json!(true))
    );
}

/// The store's half of "once per closing", over any store: a rating is written only while the
/// case is in the status the handler read and has no rating of this closing, so of two ratings
/// sent at once (both read the case before either wrote) exactly one is stored.
pub async fn assert_rating_is_conditional<S, F, Fut>(app: &App<S>, close: F)
where
    S: Store,
    F: Fn(String, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use ydt_function::store::{CaseTable, Rating};
    let filed = call(
        app,
        &Event::post_json("/api/submissions", &complaint("rating-race-0001")),
    )
    .await
    .json();
    let id = filed["case_id"].as_str().unwrap().to_string();
    close(id.clone(), "已补发").await;
    let rating = |value: &str, second: u32| Rating {
        value: value.to_string(),
        comment: None,
        at: format!("2026-12-01T11:00:{second:02}+08:00"),
        reopen_due: None,
    };
    let store = &app.store;
    // Read as 办理中 before the handler closed it: the case has changed, nothing is written.
    assert!(
        !store
            .rate_case(CaseTable::Cases, &id, "办理中", &rating("满意", 1))
            .await
            .unwrap()
    );
    assert!(
        store
            .rate_case(CaseTable::Cases, &id, "已办结", &rating("满意", 2))
            .await
            .unwrap()
    );
    // The loser of the race read the same 已办结 and comes second.
    assert!(
        !store
            .rate_case(CaseTable::Cases, &id, "已办结", &rating("基本满意", 3))
            .await
            .unwrap()
    );
    let seen = track_json(app, &id, filed["query_code"].as_str().unwrap()).await;
    assert_eq!(seen["rating"], "满意");
    let ratings: Vec<&Value> = seen["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"] == "rating")
        .collect();
    assert_eq!(ratings.len(), 1, "one rating in the history: {ratings:?}");
}

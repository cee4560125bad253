//! The handler over the DynamoDB store, against a real DynamoDB-compatible server on loopback:
//! moto (`pip install 'moto[server]'`). Each test starts its own `moto_server` on a free port and
//! creates the tables from `ydt_function::table`. Without `moto_server` on PATH these tests fail.
//! Nothing here can reach AWS: explicit region, static credentials, a loopback endpoint.
#![cfg(feature = "dynamodb")]

use std::collections::HashMap;
use std::net::TcpListener;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use ydt_function::App;
use ydt_function::store::dynamodb::DynamoStore;
use ydt_function::table::{self, attr};
use ydt_test_support::moto::{Moto, client_for, create_tables, find_case, names, s};
use ydt_test_support::{Answer, Event, app, call, complaint};

/// A moto server with the tables created, and the app over it.
async fn moto_app() -> (Moto, App<DynamoStore>) {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let store = DynamoStore::new(client, names());
    store.warm().await.expect("warm-up read");
    (moto, app(store))
}

fn case_ids(items: &[HashMap<String, AttributeValue>]) -> Vec<String> {
    items
        .iter()
        .map(|item| item[attr::CASE_ID].as_s().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn submissions_repeats_and_track_through_dynamodb() {
    let (_moto, app) = moto_app().await;
    let first = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("moto-key-0001")),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text());
    let receipt = first.json();
    assert_eq!(receipt["case_id"], "20261201-0001");
    assert_eq!(receipt["status"], "待受理");
    assert_eq!(receipt["due_date"], "2026-12-09");

    let again = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("moto-key-0001")),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), receipt);

    // The item reads in plain words in the console; the code itself is not stored.
    let client = app.store.client();
    let item = find_case(client, "ydt-cases", "20261201-0001")
        .await
        .unwrap();
    assert_eq!(item["community"].as_s().unwrap(), "cuizhuyuan");
    assert_eq!(item["category_name"].as_s().unwrap(), "补贴发放");
    assert_eq!(item["contact_phone"].as_s().unwrap(), "13812345678");
    assert_eq!(item["reply"].as_s().unwrap(), "");
    let code = receipt["query_code"].as_str().unwrap();
    assert!(!format!("{item:?}").contains(code));

    let lookup = json!({"case_id": "20261201-0001", "query_code": code});
    let tracked = call(&app, &Event::post_json("/api/track", &lookup)).await;
    assert_eq!(tracked.status, 200);
    assert_eq!(tracked.json()["replies"], json!([]));
    assert!(!tracked.text().contains("13812345678"));

    let wrong = call(&app, &Event::track("20261201-0001", "0000000000000000")).await;
    let unknown = call(&app, &Event::track("20261201-0077", code)).await;
    assert_eq!(wrong.status, 404);
    assert_eq!(
        (wrong.body.clone(), wrong.headers.clone()),
        (unknown.body, unknown.headers)
    );
}

#[tokio::test]
async fn concurrent_retries_of_one_submission_store_one_case() {
    let (_moto, app) = moto_app().await;
    let event = Event::post_json("/api/submissions", &complaint("moto-race-0001"));
    let answers = futures_join(&app, &event, 4).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(
        created,
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let bodies: Vec<_> = answers.iter().map(|a| a.json()).collect();
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:?}");
    let scan = app
        .store
        .client()
        .scan()
        .table_name("ydt-cases")
        .filter_expression("#item = :case")
        .expression_attribute_names("#item", attr::ITEM)
        .expression_attribute_values(":case", s("case"))
        .send()
        .await
        .unwrap();
    assert_eq!(scan.count(), 1);
}

/// Sends the same request `n` times at once.
async fn futures_join(app: &App<DynamoStore>, event: &Event, n: usize) -> Vec<Answer> {
    let mut pending = Vec::new();
    for _ in 0..n {
        pending.push(call(app, event));
    }
    let mut answers = Vec::new();
    // Poll all together: the first awaits interleave with the rest at each storage call.
    let joined = std::pin::pin!(join_all(pending));
    answers.extend(joined.await);
    answers
}

async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn console_queries_and_a_console_reply_shown_in_track() {
    let (_moto, app) = moto_app().await;
    let mut receipts = Vec::new();
    for (i, (community, category)) in [
        ("cuizhuyuan", "subsidy"),
        ("cuizhuyuan", "finance"),
        ("wanshou", "subsidy"),
        ("cuizhuyuan", "property"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = complaint(&format!("moto-console-{i:04}"));
        body["community"] = json!(community);
        body["category"] = json!(category);
        let answer = call(
            &app,
            &Event::post_json("/api/submissions", &body).source_ip(&format!("198.51.100.{i}")),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.text());
        receipts.push(answer.json());
    }
    assert_eq!(receipts[3]["status"], "已转办");
    assert_eq!(receipts[3]["routed_to"], "庐阳区住房和城乡建设局物业科");
    let client = app.store.client();

    // "Open cases of 翠竹园社区": by-community, community = X and status = 待受理.
    let open_here = client
        .query()
        .table_name("ydt-cases")
        .index_name(table::BY_COMMUNITY.name)
        .key_condition_expression("#c = :c AND #s = :s")
        .expression_attribute_names("#c", attr::COMMUNITY)
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_values(":c", s("cuizhuyuan"))
        .expression_attribute_values(":s", s("待受理"))
        .send()
        .await
        .unwrap();
    let mut ids = case_ids(open_here.items());
    ids.sort();
    assert_eq!(ids, ["20261201-0001", "20261201-0002"]);

    // A handler accepts the first case in the console, and it moves to 已受理.
    client
        .update_item()
        .table_name("ydt-cases")
        .key(attr::CASE_ID, s("20261201-0001"))
        .key(attr::ITEM, s("case"))
        .update_expression("SET #s = :s")
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_values(":s", s("已受理"))
        .send()
        .await
        .unwrap();

    // "All open cases by status, oldest due first" and "overdue on 2026-12-10".
    let waiting = client
        .query()
        .table_name("ydt-cases")
        .index_name(table::BY_STATUS_DUE.name)
        .key_condition_expression("#s = :s")
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_values(":s", s("待受理"))
        .scan_index_forward(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        case_ids(waiting.items()),
        ["20261201-0002", "20261201-0003"]
    );
    let overdue = client
        .query()
        .table_name("ydt-cases")
        .index_name(table::BY_STATUS_DUE.name)
        .key_condition_expression("#s = :s AND #d < :today")
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_names("#d", attr::DUE_AT)
        .expression_attribute_values(":s", s("已受理"))
        .expression_attribute_values(":today", s("2026-12-10"))
        .send()
        .await
        .unwrap();
    assert_eq!(case_ids(overdue.items()), ["20261201-0001"]);
    let not_yet = client
        .query()
        .table_name("ydt-cases")
        .index_name(table::BY_STATUS_DUE.name)
        .key_condition_expression("#s = :s AND #d < :today")
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_names("#d", attr::DUE_AT)
        .expression_attribute_values(":s", s("已受理"))
        .expression_attribute_values(":today", s("2026-12-09"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        not_yet.count(),
        0,
        "due on the 9th is not overdue on the 9th"
    );

    // The handler writes the answer straight into the item, as in the console.
    client
        .update_item()
        .table_name("ydt-cases")
        .key(attr::CASE_ID, s("20261201-0002"))
        .key(attr::ITEM, s("case"))
        .update_expression("SET #r = :r, #s = :s")
        .expression_attribute_names("#r", attr::REPLY)
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_values(":r", s("财务公开栏已于12月3日更新。"))
        .expression_attribute_values(":s", s("已办结"))
        .send()
        .await
        .unwrap();
    let lookup = json!({"case_id": "20261201-0002", "query_code": receipts[1]["query_code"]});
    let tracked = call(&app, &Event::post_json("/api/track", &lookup))
        .await
        .json();
    assert_eq!(tracked["status"], "已办结");
    assert_eq!(tracked["replies"][0]["text"], "财务公开栏已于12月3日更新。");
    assert_eq!(tracked["replies"].as_array().unwrap().len(), 1);

    // Timeline items (as the stream consumer writes them) are what track shows, in order.
    for (at, value) in [
        ("2026-12-02T09:00:00+08:00", "已联系社区财务人员。"),
        ("2026-12-03T16:30:00+08:00", "财务公开栏已于12月3日更新。"),
    ] {
        client
            .put_item()
            .table_name("ydt-cases")
            .item(attr::CASE_ID, s("20261201-0002"))
            .item(attr::ITEM, s(&format!("t#{at}")))
            .item(attr::AT, s(at))
            .item(attr::CHANGE, s("reply"))
            .item(attr::VALUE, s(value))
            .send()
            .await
            .unwrap();
    }
    let tracked = call(&app, &Event::post_json("/api/track", &lookup))
        .await
        .json();
    assert_eq!(
        tracked["replies"],
        json!([
            {"at": "2026-12-02T09:00:00+08:00", "text": "已联系社区财务人员。"},
            {"at": "2026-12-03T16:30:00+08:00", "text": "财务公开栏已于12月3日更新。"}
        ])
    );
    // Timeline items stay out of the indexes.
    let by_community = client
        .query()
        .table_name("ydt-cases")
        .index_name(table::BY_COMMUNITY.name)
        .key_condition_expression("#c = :c")
        .expression_attribute_names("#c", attr::COMMUNITY)
        .expression_attribute_values(":c", s("cuizhuyuan"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_community.count(), 3);
}

#[tokio::test]
async fn reports_go_to_the_reports_table_only() {
    let (_moto, app) = moto_app().await;
    let mut body = complaint("moto-report-0001");
    body["type"] = json!("report");
    body["category"] = json!("conduct");
    let answer = call(&app, &Event::post_json("/api/submissions", &body)).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let receipt = answer.json();
    assert_eq!(receipt["case_id"], "J20261201-0001");
    assert_eq!(receipt["routed_to"], "庐阳区纪委监委派驻双岗街道纪工委");
    let client = app.store.client();
    let item = find_case(client, "ydt-reports", "J20261201-0001")
        .await
        .unwrap();
    assert_eq!(item["contact_name"].as_s().unwrap(), "李桂兰");
    let cases = client.scan().table_name("ydt-cases").send().await.unwrap();
    assert_eq!(
        cases.count(),
        0,
        "nothing of a report in the cases table: {:?}",
        cases.items()
    );
    let lookup = json!({"case_id": "J20261201-0001", "query_code": receipt["query_code"]});
    assert_eq!(
        call(&app, &Event::post_json("/api/track", &lookup))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn rate_limit_visits_and_bad_input_through_dynamodb() {
    let (_moto, mut app) = moto_app().await;
    app.limits.submissions = 5;
    ydt_test_support::handler::assert_catalogue_refused(&app).await;

    for i in 0..5 {
        let answer = call(
            &app,
            &Event::post_json("/api/submissions", &complaint(&format!("moto-rate-{i:04}"))),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.text());
    }
    // Nothing of the catalogue was stored: numbering started at 0001.
    assert!(
        find_case(app.store.client(), "ydt-cases", "20261201-0001")
            .await
            .is_some()
    );
    assert!(
        find_case(app.store.client(), "ydt-cases", "20261201-0006")
            .await
            .is_none()
    );
    let refused = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("moto-rate-0005")),
    )
    .await;
    assert_eq!(refused.status, 429);
    assert!(
        refused
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );

    call(&app, &Event::get("/api/v.gif?c=wanshou&from=market")).await;
    call(&app, &Event::get("/api/v.gif?c=wanshou")).await;
    call(&app, &Event::get("/api/v.gif?c=nowhere")).await;
    let visits = app
        .store
        .client()
        .query()
        .table_name("ydt-meta")
        .key_condition_expression("pk = :day")
        .expression_attribute_values(":day", s("visits#2026-12-01"))
        .send()
        .await
        .unwrap();
    let counts: Vec<(String, String)> = visits
        .items()
        .iter()
        .map(|i| {
            (
                i["sk"].as_s().unwrap().clone(),
                i["count"].as_n().unwrap().clone(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("wanshou".to_string(), "2".to_string()),
            ("wanshou#market".to_string(), "1".to_string())
        ]
    );
    // Rate-limit counters expire by TTL and hold no address.
    let rates = app
        .store
        .client()
        .scan()
        .table_name("ydt-meta")
        .filter_expression("begins_with(pk, :rate)")
        .expression_attribute_values(":rate", s("rate#"))
        .send()
        .await
        .unwrap();
    assert!(rates.count() > 0);
    for item in rates.items() {
        assert!(item.contains_key("expires_at"));
        assert!(!format!("{item:?}").contains("203.0.113.7"));
    }
}

#[tokio::test]
async fn an_unreachable_table_gets_503_with_retry_after() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = DynamoStore::new(client_for(&format!("http://127.0.0.1:{port}")), names());
    let app = app(store);
    let answer = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("moto-down-0001")),
    )
    .await;
    assert_eq!(answer.status, 503);
    assert!(answer.header("retry-after").is_some());
    let pixel = call(&app, &Event::get("/api/v.gif?c=wanshou")).await;
    assert_eq!(pixel.status, 200);
    assert_eq!(pixel.header("content-type"), Some("image/gif"));
}

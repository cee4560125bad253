//! The timeline consumer and the daily job: stream-event fixtures planned without I/O, then
//! both run against moto (`moto_server` started on a free loopback port, as the other DynamoDB
//! tests do). Nothing here can reach AWS.
#![cfg(feature = "dynamodb")]

use std::sync::atomic::{AtomicI64, Ordering};

use aws_lambda_events::event::dynamodb::Event as StreamEvent;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};
use ydt_function::clock::Date;
use ydt_function::daily;
use ydt_function::notify::{Audience, Notice, Notifier, Recorder, SnsNotifier, Topics};
use ydt_function::store::CaseTable;
use ydt_function::store::dynamodb::DynamoStore;
use ydt_function::stream::{self, Step};
use ydt_function::table::{attr, item};
use ydt_test_support::handler::{
    assert_objections, assert_rating_is_conditional, assert_rating_round_trip, feedback,
};
use ydt_test_support::moto::{Item, Moto, REGION, create_tables, find_case, names, put_case, s};
use ydt_test_support::{Event, app, call, complaint};

fn fixture() -> StreamEvent {
    serde_json::from_str(include_str!("fixtures/dynamodb-stream-event.json"))
        .expect("stream event fixture")
}

#[test]
fn a_console_edit_becomes_timeline_items_and_closes_the_case() {
    let event = fixture();
    let plans: Vec<Vec<Step>> = event.records.iter().map(stream::plan).collect();
    let details = "案件编号：20261201-0001\n社区：翠竹园社区\n类别：低保、补贴发放\n状态：待受理\n办理期限：2026-12-08\n\n请在 DynamoDB 控制台查询该编号办理，办理结果写入 reply。";

    // A new complaint: its community's handlers are told, and nothing is written.
    assert_eq!(
        plans[0],
        [Step::Notify(Notice {
            to: Audience::Community("cuizhuyuan".into()),
            subject: "新投诉 20261201-0001 翠竹园社区".into(),
            message: details.into(),
        })]
    );
    // A new report goes to the supervising body only.
    assert!(
        matches!(&plans[1][..], [Step::Notify(Notice { to: Audience::Supervisor, subject, .. })] if subject == "新举报 J20261201-0001"),
        "{:?}",
        plans[1]
    );
    // Status and reply changed in one edit: two timeline items and closed_at, all at the
    // stream record's time in Shanghai.
    let at = "2026-12-02T09:00:00+08:00".to_string();
    assert_eq!(
        plans[2],
        [
            Step::Timeline {
                table: CaseTable::Cases,
                case_id: "20261201-0001".into(),
                at: at.clone(),
                change: "status",
                value: "已办结".into(),
            },
            Step::StampClosed {
                table: CaseTable::Cases,
                case_id: "20261201-0001".into(),
                closed_at: at.clone(),
            },
            Step::Timeline {
                table: CaseTable::Cases,
                case_id: "20261201-0001".into(),
                at,
                change: "reply",
                value: "经核实，11月高龄津贴已于12月2日补发到账。".into(),
            },
        ]
    );
    // Its own closed_at write comes back through the stream and stops there; so do timeline
    // items, idempotency records and counters.
    for (i, plan) in plans.iter().enumerate().skip(3) {
        assert!(plan.is_empty(), "record {} planned {plan:?}", i + 1);
    }
}

#[test]
fn reopening_removes_closed_at_and_a_transfer_notifies_no_one() {
    let mut event = fixture();
    // Swap the images of the closing edit: 已办结 → 待受理 with closed_at still set.
    let record = &mut event.records[3];
    std::mem::swap(&mut record.change.new_image, &mut record.change.old_image);
    let mut raw = serde_json::to_value(&record.change.new_image).unwrap();
    raw["status"] = json!({"S": "办理中"});
    raw["closed_at"] = json!({"S": "2026-12-02T09:00:00+08:00"});
    record.change.new_image = serde_json::from_value(raw).unwrap();
    let plan = stream::plan(record);
    assert!(
        plan.iter()
            .any(|s| matches!(s, Step::Reopen { status, .. } if status == "办理中")),
        "{plan:?}"
    );
    let mut insert = fixture().records.remove(0);
    let mut raw = serde_json::to_value(&insert.change.new_image).unwrap();
    raw["status"] = json!({"S": "已转办"});
    insert.change.new_image = serde_json::from_value(raw).unwrap();
    assert!(stream::plan(&insert).is_empty());
}

/// A DynamoDB item as a stream image (`{"status": {"S": …}}`).
fn stream_image(item: &Item) -> Value {
    let mut image = serde_json::Map::new();
    for (name, value) in item {
        let v = match value {
            AttributeValue::S(s) => json!({"S": s}),
            AttributeValue::N(n) => json!({"N": n}),
            AttributeValue::Bool(b) => json!({"BOOL": b}),
            AttributeValue::Null(_) => json!({"NULL": true}),
            AttributeValue::M(map) => json!({"M": stream_image(map)}),
            other => panic!("unexpected attribute {other:?}"),
        };
        image.insert(name.clone(), v);
    }
    Value::Object(image)
}

fn modify_event(table: &str, old: &Item, new: &Item, unix: i64) -> StreamEvent {
    let keys = json!({"case_id": {"S": new[attr::CASE_ID].as_s().unwrap()}, "item": {"S": "case"}});
    serde_json::from_value(json!({"Records": [{
        "eventID": "1", "eventName": "MODIFY", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "eventSourceARN": format!("arn:aws:dynamodb:{REGION}:123456789012:table/{table}/stream/x"),
        "dynamodb": {
            "ApproximateCreationDateTime": unix, "Keys": keys,
            "NewImage": stream_image(new), "OldImage": stream_image(old),
            "SequenceNumber": "1", "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES"
        }
    }]}))
    .unwrap()
}

async fn get_case(client: &Client, table: &str, case_id: &str) -> Item {
    find_case(client, table, case_id)
        .await
        .unwrap_or_else(|| panic!("{case_id} not in {table}"))
}

async fn timeline(client: &Client, case_id: &str) -> Vec<(String, String)> {
    let out = client
        .query()
        .table_name("ydt-cases")
        .key_condition_expression("#id = :id AND begins_with(#item, :t)")
        .expression_attribute_names("#id", attr::CASE_ID)
        .expression_attribute_names("#item", attr::ITEM)
        .expression_attribute_values(":id", s(case_id))
        .expression_attribute_values(":t", s(item::TIMELINE_PREFIX))
        .send()
        .await
        .unwrap();
    out.items()
        .iter()
        .map(|i| {
            (
                i[attr::CHANGE].as_s().unwrap().clone(),
                i[attr::VALUE].as_s().unwrap().clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_consumer_over_moto_records_the_trail_once_and_track_shows_it() {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let app = app(DynamoStore::new(client.clone(), names()));
    let receipt = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("timeline-0001")),
    )
    .await;
    assert_eq!(receipt.status, 201, "{}", receipt.text());
    let receipt = receipt.json();
    let case_id = receipt["case_id"].as_str().unwrap().to_string();

    // The handler answers in the console: status and reply in one edit.
    let before = get_case(&client, "ydt-cases", &case_id).await;
    client
        .update_item()
        .table_name("ydt-cases")
        .key(attr::CASE_ID, s(&case_id))
        .key(attr::ITEM, s(item::CASE))
        .update_expression("SET #s = :s, #r = :r")
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_names("#r", attr::REPLY)
        .expression_attribute_values(":s", s("已办结"))
        .expression_attribute_values(":r", s("已补发到账。"))
        .send()
        .await
        .unwrap();
    let after = get_case(&client, "ydt-cases", &case_id).await;
    let edit = modify_event("ydt-cases", &before, &after, 1_796_173_200);

    let recorder = Recorder::default();
    let names = names();
    assert_eq!(
        stream::handle(&client, &names, &recorder, &edit)
            .await
            .unwrap(),
        3
    );
    // Delivered again after a failure: nothing new, no error.
    stream::handle(&client, &names, &recorder, &edit)
        .await
        .unwrap();
    assert_eq!(
        timeline(&client, &case_id).await,
        [
            ("reply".to_string(), "已补发到账。".to_string()),
            ("status".to_string(), "已办结".to_string())
        ]
    );
    let closed = get_case(&client, "ydt-cases", &case_id).await;
    assert_eq!(
        closed[attr::CLOSED_AT].as_s().unwrap(),
        "2026-12-02T09:00:00+08:00"
    );
    assert!(recorder.notices().is_empty());

    // The consumer's own closed_at write, as the stream delivers it, does nothing more.
    let echo = modify_event("ydt-cases", &after, &closed, 1_796_173_201);
    assert_eq!(
        stream::handle(&client, &names, &recorder, &echo)
            .await
            .unwrap(),
        0
    );

    // The resident sees the answer once, with the new status.
    let tracked = call(&app, &Event::track(&case_id, &receipt["query_code"]))
        .await
        .json();
    assert_eq!(tracked["status"], "已办结");
    assert_eq!(
        tracked["replies"],
        json!([{"at": "2026-12-02T09:00:00+08:00", "text": "已补发到账。"}])
    );
}

#[tokio::test]
async fn the_daily_job_lists_overdue_cases_and_forgets_old_contacts() {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let case = |id: &'static str, community: &'static str, name: &'static str| {
        vec![
            (attr::CASE_ID, id),
            (attr::COMMUNITY, community),
            (attr::COMMUNITY_NAME, name),
            (attr::TYPE_NAME, "投诉"),
            (attr::CATEGORY_NAME, "低保、补贴发放"),
            (attr::CONTACT_NAME, "王*"),
            (attr::CONTACT_PHONE, "13800001234"),
        ]
    };
    let with = |mut base: Vec<(&'static str, &'static str)>,
                more: &[(&'static str, &'static str)]| {
        base.extend_from_slice(more);
        base
    };
    let seeded = [
        (
            "ydt-cases",
            with(
                case("20261201-0001", "cuizhuyuan", "翠竹园社区"),
                &[(attr::STATUS, "待受理"), (attr::DUE_AT, "2026-12-08")],
            ),
        ),
        (
            "ydt-cases",
            with(
                case("20261120-0001", "wanshou", "万寿社区"),
                &[(attr::STATUS, "办理中"), (attr::DUE_AT, "2026-11-27")],
            ),
        ),
        (
            "ydt-reports",
            with(
                case("J20261125-0001", "cuizhuyuan", "翠竹园社区"),
                &[(attr::STATUS, "已受理"), (attr::DUE_AT, "2026-12-02")],
            ),
        ),
        (
            "ydt-cases",
            with(
                case("20261205-0001", "cuizhuyuan", "翠竹园社区"),
                // Not yet due, but not accepted in time: the other clock.
                &[
                    (attr::STATUS, "待受理"),
                    (attr::DUE_AT, "2026-12-10"),
                    (attr::ACCEPT_DUE, "2026-12-08"),
                ],
            ),
        ),
        (
            "ydt-cases",
            with(
                case("20261118-0001", "wanshou", "万寿社区"),
                // Past due_at, but extended past today: not overdue.
                &[
                    (attr::STATUS, "办理中"),
                    (attr::DUE_AT, "2026-11-25"),
                    (attr::EXTENDED_TO, "2026-12-20"),
                ],
            ),
        ),
        (
            "ydt-cases",
            with(
                case("20261119-0001", "wanshou", "万寿社区"),
                &[
                    (attr::STATUS, "已受理"),
                    (attr::DUE_AT, "2026-11-26"),
                    (attr::EXTENDED_TO, "2026-12-04"),
                ],
            ),
        ),
        (
            "ydt-cases",
            with(
                case("20260420-0001", "binhu", "滨湖社区"),
                &[
                    (attr::STATUS, "已办结"),
                    (attr::DUE_AT, "2026-04-28"),
                    (attr::CLOSED_AT, "2026-04-27T15:00:00+08:00"),
                ],
            ),
        ),
        (
            "ydt-reports",
            with(
                case("J20260410-0001", "binhu", "滨湖社区"),
                &[
                    (attr::STATUS, "不予受理"),
                    (attr::DUE_AT, "2026-04-20"),
                    (attr::CLOSED_AT, "2026-04-15T15:00:00+08:00"),
                ],
            ),
        ),
        (
            "ydt-cases",
            with(
                case("20261120-0002", "binhu", "滨湖社区"),
                &[
                    (attr::STATUS, "已办结"),
                    (attr::DUE_AT, "2026-11-27"),
                    (attr::CLOSED_AT, "2026-11-26T15:00:00+08:00"),
                ],
            ),
        ),
    ];
    for (table, fields) in &seeded {
        put_case(&client, table, fields).await;
    }

    let today = Date::parse("2026-12-10").unwrap();
    let recorder = Recorder::default();
    let morning = daily::run(&client, &names(), &recorder, today, 180)
        .await
        .unwrap();

    // Overdue: open and due before today (the extension if there is one), oldest first; due
    // today is not yet overdue. And 待受理 past accept_due, told apart.
    let overdue = daily::overdue(&client, &names(), today).await.unwrap();
    let ids: Vec<(&str, daily::Clock, &str)> = overdue
        .iter()
        .map(|c| (c.case_id.as_str(), c.clock, c.due_at.as_str()))
        .collect();
    use daily::Clock::{Acceptance, Handling};
    assert_eq!(
        ids,
        [
            ("20261120-0001", Handling, "2026-11-27"),
            ("J20261125-0001", Handling, "2026-12-02"),
            ("20261119-0001", Handling, "2026-12-04"),
            ("20261201-0001", Handling, "2026-12-08"),
            ("20261205-0001", Acceptance, "2026-12-08"),
        ]
    );
    assert_eq!(overdue[0].days_late(today), 13);
    assert!(overdue[2].extended);
    assert_eq!(morning.overdue, 5);

    let notices = recorder.notices();
    let to: Vec<&Audience> = notices.iter().map(|n| &n.to).collect();
    assert_eq!(
        to,
        [
            &Audience::Supervisor,
            &Audience::Community("cuizhuyuan".into()),
            &Audience::Community("wanshou".into())
        ]
    );
    assert_eq!(
        notices[0].subject,
        "2026-12-10 逾期 5 件（逾期未受理 1 件，逾期未办结 4 件）"
    );
    assert!(notices[0].message.contains("J20261125-0001"));
    // A report never reaches the community it may concern.
    assert!(
        !notices[1].message.contains("J20261125-0001"),
        "{}",
        notices[1].message
    );
    assert!(
        notices[1].message.contains(
            "逾期未办结  20261201-0001  翠竹园社区  投诉·低保、补贴发放  待受理  办理期限 2026-12-08（逾期 2 天）"
        ),
        "{}",
        notices[1].message
    );
    assert!(
        notices[1].message.contains(
            "逾期未受理  20261205-0001  翠竹园社区  投诉·低保、补贴发放  待受理  受理期限 2026-12-08（逾期 2 天）"
        ),
        "{}",
        notices[1].message
    );
    assert!(
        notices[2].message.contains("20261119-0001  万寿社区  投诉·低保、补贴发放  已受理  延长后的办理期限 2026-12-04（逾期 6 天）"),
        "{}",
        notices[2].message
    );
    for n in &notices {
        assert!(!n.message.contains("13800001234"), "contact in a notice");
    }

    // Contacts go 180 days after closing; recent ones stay.
    let mut removed = morning.contacts_removed.clone();
    removed.sort();
    assert_eq!(removed, ["20260420-0001", "J20260410-0001"]);
    let old = get_case(&client, "ydt-cases", "20260420-0001").await;
    assert!(!old.contains_key(attr::CONTACT_NAME) && !old.contains_key(attr::CONTACT_PHONE));
    assert_eq!(old[attr::STATUS].as_s().unwrap(), "已办结");
    let recent = get_case(&client, "ydt-cases", "20261120-0002").await;
    assert!(recent.contains_key(attr::CONTACT_PHONE));
    let open = get_case(&client, "ydt-cases", "20261201-0001").await;
    assert!(open.contains_key(attr::CONTACT_PHONE));
}

#[tokio::test]
async fn notices_are_published_to_sns_with_the_community_attribute() {
    let moto = Moto::start();
    let config = aws_sdk_sns::Config::builder()
        .behavior_version_latest()
        .region(aws_sdk_sns::config::Region::new(REGION))
        .endpoint_url(&moto.endpoint)
        .credentials_provider(aws_sdk_sns::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .build();
    let sns = aws_sdk_sns::Client::from_conf(config);
    let topic = |name: &'static str| {
        let sns = sns.clone();
        async move {
            sns.create_topic()
                .name(name)
                .send()
                .await
                .unwrap()
                .topic_arn()
                .unwrap()
                .to_string()
        }
    };
    let topics = Topics {
        handlers: Some(topic("handlers").await),
        supervisor: Some(topic("supervisor").await),
        sms: true,
    };
    let notifier = SnsNotifier::new(sns, topics);
    for to in [
        Audience::Community("cuizhuyuan".into()),
        Audience::Supervisor,
    ] {
        notifier
            .send(&Notice {
                to,
                subject: "新投诉 20261201-0001 翠竹园社区".into(),
                message: "案件编号：20261201-0001".into(),
            })
            .await
            .expect("published");
    }
    // A resident's SMS goes straight to the number; moto checks it is a valid E.164 number.
    notifier
        .send(&Notice {
            to: Audience::Resident("13812345678".into()),
            subject: "案件 20261201-0001 进展".into(),
            message: "您在翠竹园社区反映的事项（案件编号 20261201-0001）已办结。".into(),
        })
        .await
        .expect("SMS published");
    // No topic configured and SMS off: nothing is sent, and that is not an error.
    let quiet = SnsNotifier::new(
        aws_sdk_sns::Client::from_conf(
            aws_sdk_sns::Config::builder()
                .behavior_version_latest()
                .region(aws_sdk_sns::config::Region::new(REGION))
                .endpoint_url("http://127.0.0.1:9")
                .build(),
        ),
        Topics::default(),
    );
    for to in [
        Audience::Supervisor,
        Audience::Resident("13812345678".into()),
    ] {
        quiet
            .send(&Notice {
                to,
                subject: "x".into(),
                message: "x".into(),
            })
            .await
            .unwrap();
    }
}

/// A handler's console edit of a case (status and reply), then the consumer run on the stream
/// record it makes, as on AWS.
async fn console_close(
    client: &Client,
    recorder: &Recorder,
    case_id: &str,
    reply: &str,
    unix: i64,
) {
    let before = get_case(client, "ydt-cases", case_id).await;
    client
        .update_item()
        .table_name("ydt-cases")
        .key(attr::CASE_ID, s(case_id))
        .key(attr::ITEM, s(item::CASE))
        .update_expression("SET #s = :s, #r = :r")
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_names("#r", attr::REPLY)
        .expression_attribute_values(":s", s("已办结"))
        .expression_attribute_values(":r", s(reply))
        .send()
        .await
        .unwrap();
    let after = get_case(client, "ydt-cases", case_id).await;
    stream::handle(
        client,
        &names(),
        recorder,
        &modify_event("ydt-cases", &before, &after, unix),
    )
    .await
    .unwrap();
}

/// The function's clock in the rating test: each console closing moves it on a minute, as a
/// real handler's work would (a timeline item is keyed by its second).
static RATING_CLOCK: AtomicI64 = AtomicI64::new(0);

fn rating_clock() -> i64 {
    RATING_CLOCK.load(Ordering::SeqCst)
}

#[tokio::test]
async fn rating_reopens_once_per_closing_over_dynamodb() {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let mut app = app(DynamoStore::new(client.clone(), names()));
    RATING_CLOCK.store(
        ydt_test_support::handler::tuesday_morning(),
        Ordering::SeqCst,
    );
    app.clock = rating_clock;
    let recorder = Recorder::default();
    assert_rating_round_trip(&app, |case_id, reply| {
        let (client, recorder) = (&client, &recorder);
        let unix = RATING_CLOCK.fetch_add(60, Ordering::SeqCst) + 30;
        async move { console_close(client, recorder, &case_id, reply, unix).await }
    })
    .await;

    let case = get_case(&client, "ydt-cases", "20261201-0001").await;
    assert_eq!(case[attr::RATING].as_s().unwrap(), "满意");
    assert_eq!(
        case[attr::RATING_COMMENT].as_s().unwrap(),
        "答复没有解决问题,补贴仍未到账"
    );
    assert_eq!(case[attr::ACCEPT_DUE].as_s().unwrap(), "2026-12-04");
    assert!(
        !case.contains_key(attr::NOTIFY_SMS),
        "rated 满意: no more SMS"
    );
    let by = case[attr::ON_BEHALF].as_m().unwrap();
    assert_eq!(by["role"].as_s().unwrap(), "网格员");
    assert_eq!(by["name"].as_s().unwrap(), "王网格");
    let ratings: Vec<_> = timeline(&client, "20261201-0001")
        .await
        .into_iter()
        .filter(|(change, _)| change == "rating")
        .map(|(_, value)| value)
        .collect();
    assert_eq!(ratings, ["不满意", "满意"]);
}

#[tokio::test]
async fn of_two_ratings_at_once_dynamodb_keeps_one() {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let app = app(DynamoStore::new(client.clone(), names()));
    let recorder = Recorder::default();
    assert_rating_is_conditional(&app, |case_id, reply| {
        let (client, recorder) = (&client, &recorder);
        async move { console_close(client, recorder, &case_id, reply, 1_796_173_200).await }
    })
    .await;
}

#[tokio::test]
async fn an_unsatisfied_rating_reopens_through_the_consumer_and_tells_the_supervisor() {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let app = app(DynamoStore::new(client.clone(), names()));
    let filed = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("unhappy-0001")),
    )
    .await
    .json();
    let (id, code) = (
        filed["case_id"].as_str().unwrap(),
        filed["query_code"].as_str().unwrap(),
    );
    let recorder = Recorder::default();
    console_close(&client, &recorder, id, "已补发", 1_796_173_200).await;
    assert!(
        get_case(&client, "ydt-cases", id)
            .await
            .contains_key(attr::CLOSED_AT)
    );

    let before = get_case(&client, "ydt-cases", id).await;
    let rated = call(&app, &feedback(id, code, "不满意")).await;
    assert_eq!(rated.status, 200, "{}", rated.text());
    let after = get_case(&client, "ydt-cases", id).await;
    assert_eq!(after[attr::STATUS].as_s().unwrap(), "办理中");
    assert_eq!(after[attr::DUE_AT].as_s().unwrap(), "2026-12-07");
    stream::handle(
        &client,
        &names(),
        &recorder,
        &modify_event("ydt-cases", &before, &after, 1_796_176_800),
    )
    .await
    .unwrap();

    let reopened = get_case(&client, "ydt-cases", id).await;
    assert!(
        !reopened.contains_key(attr::CLOSED_AT),
        "reopened: closed_at removed"
    );
    let trail = timeline(&client, id).await;
    assert!(
        trail.contains(&("rating".into(), "不满意".into())),
        "{trail:?}"
    );
    assert!(
        trail.contains(&("status".into(), "办理中".into())),
        "{trail:?}"
    );
    let notices = recorder.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].to, Audience::Supervisor);
    assert!(
        notices[0].subject.starts_with(&format!("群众不满意 {id}")),
        "{:?}",
        notices[0]
    );
    assert!(notices[0].message.contains("2026-12-07"));
    assert!(
        !notices[0].message.contains("13812345678"),
        "notices never name the resident"
    );
}

#[tokio::test]
async fn objections_name_a_record_of_the_community_over_dynamodb() {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let app = app(DynamoStore::new(client.clone(), names()));
    assert_objections(&app).await;
    let timely = get_case(&client, "ydt-cases", "20261201-0001").await;
    assert_eq!(
        timely[attr::RECORD].as_s().unwrap(),
        "2026-11-gaoling-jintie"
    );
    assert!(!timely.contains_key(attr::LATE));
    assert_eq!(timely[attr::TYPE_NAME].as_s().unwrap(), "异议");
    let late = get_case(&client, "ydt-cases", "20261201-0002").await;
    assert_eq!(late[attr::LATE], AttributeValue::Bool(true));
}

#[tokio::test]
async fn a_resident_who_asked_gets_an_sms_when_the_case_moves_and_none_after_rating() {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let app = app(DynamoStore::new(client.clone(), names()));
    let mut body = complaint("sms-resident-0001");
    body["notify_sms"] = json!(true);
    let filed = call(&app, &Event::post_json("/api/submissions", &body))
        .await
        .json();
    let (id, code) = (
        filed["case_id"].as_str().unwrap(),
        filed["query_code"].as_str().unwrap(),
    );
    let quiet = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("sms-quiet-00001")),
    )
    .await
    .json();

    let recorder = Recorder::default();
    console_close(&client, &recorder, id, "已补发", 1_796_173_200).await;
    console_close(
        &client,
        &recorder,
        quiet["case_id"].as_str().unwrap(),
        "已补发",
        1_796_173_201,
    )
    .await;
    let sms: Vec<Notice> = recorder
        .notices()
        .into_iter()
        .filter(|n| matches!(n.to, Audience::Resident(_)))
        .collect();
    assert_eq!(sms.len(), 1, "only the resident who asked: {sms:?}");
    assert_eq!(sms[0].to, Audience::Resident("13812345678".into()));
    assert!(
        sms[0].message.contains(&format!("案件编号 {id}）已办结")),
        "{}",
        sms[0].message
    );
    assert!(
        sms[0].message.contains("作出评价"),
        "a closing invites a rating"
    );
    assert!(!sms[0].message.contains("李桂兰"));

    // Rated 满意: SMS stop (notify_sms goes), and a later reply sends none.
    let rated = call(&app, &feedback(id, code, "满意")).await;
    assert_eq!(rated.status, 200, "{}", rated.text());
    let after = get_case(&client, "ydt-cases", id).await;
    assert!(!after.contains_key(attr::NOTIFY_SMS));
    let before = after.clone();
    client
        .update_item()
        .table_name("ydt-cases")
        .key(attr::CASE_ID, s(id))
        .key(attr::ITEM, s(item::CASE))
        .update_expression("SET #r = :r")
        .expression_attribute_names("#r", attr::REPLY)
        .expression_attribute_values(":r", s("补充说明：已电话回访。"))
        .send()
        .await
        .unwrap();
    let later = get_case(&client, "ydt-cases", id).await;
    let recorder = Recorder::default();
    stream::handle(
        &client,
        &names(),
        &recorder,
        &modify_event("ydt-cases", &before, &later, 1_796_180_000),
    )
    .await
    .unwrap();
    assert!(recorder.notices().is_empty(), "{:?}", recorder.notices());
}

#[tokio::test]
async fn a_console_extension_is_recorded_and_residents_read_why() {
    let moto = Moto::start();
    let client = moto.client();
    create_tables(&client).await;
    let app = app(DynamoStore::new(client.clone(), names()));
    let filed = call(
        &app,
        &Event::post_json("/api/submissions", &complaint("extend-console-01")),
    )
    .await
    .json();
    let (id, code) = (
        filed["case_id"].as_str().unwrap(),
        filed["query_code"].as_str().unwrap(),
    );
    let before = get_case(&client, "ydt-cases", id).await;
    // The handler fills in the two fields in the console.
    client
        .update_item()
        .table_name("ydt-cases")
        .key(attr::CASE_ID, s(id))
        .key(attr::ITEM, s(item::CASE))
        .update_expression("SET #s = :s, #to = :to, #why = :why")
        .expression_attribute_names("#s", attr::STATUS)
        .expression_attribute_names("#to", attr::EXTENDED_TO)
        .expression_attribute_names("#why", attr::EXTEND_REASON)
        .expression_attribute_values(":s", s("办理中"))
        .expression_attribute_values(":to", s("2026-12-18"))
        .expression_attribute_values(":why", s("需要区民政局核对户籍信息"))
        .send()
        .await
        .unwrap();
    let after = get_case(&client, "ydt-cases", id).await;
    let recorder = Recorder::default();
    stream::handle(
        &client,
        &names(),
        &recorder,
        &modify_event("ydt-cases", &before, &after, 1_796_173_200),
    )
    .await
    .unwrap();
    let trail = timeline(&client, id).await;
    assert!(
        trail.contains(&(
            "extension".into(),
            "2026-12-18：需要区民政局核对户籍信息".into()
        )),
        "{trail:?}"
    );
    let seen = call(&app, &Event::track(id, code)).await.json();
    assert_eq!(seen["extended_to"], "2026-12-18");
    assert_eq!(seen["extend_reason"], "需要区民政局核对户籍信息");
    assert_eq!(seen["due_date"], "2026-12-09");
    // Not overdue on the 10th: the extension is in force.
    let overdue = daily::overdue(&client, &names(), Date::parse("2026-12-10").unwrap())
        .await
        .unwrap();
    assert!(overdue.iter().all(|c| c.case_id != id), "{overdue:?}");
}

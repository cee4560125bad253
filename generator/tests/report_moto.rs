//! `ydt report` end to end: the real binary (built with the `dynamodb` feature) against a
//! `moto_server` on loopback seeded with visits and cases, over a copy of the example site with
//! one month's finance disclosure removed. Nothing here can reach AWS.
#![cfg(feature = "dynamodb")]

use std::process::Command;

use ydt_function::table::{attr, meta};
use ydt_test_support::moto::aws_sdk_dynamodb::Client;
use ydt_test_support::moto::aws_sdk_dynamodb::types::AttributeValue;
use ydt_test_support::moto::{Moto, REGION, create_tables, put_case, s};
use ydt_test_support::site::Site;

const YDT: &str = env!("CARGO_BIN_EXE_ydt");

async fn visits(client: &Client, day: &str, sk: &str, count: u64) {
    client
        .put_item()
        .table_name("ydt-meta")
        .item(attr::PK, s(&format!("{}{day}", meta::VISITS_PREFIX)))
        .item(attr::SK, s(sk))
        .item(attr::COUNT, AttributeValue::N(count.to_string()))
        .send()
        .await
        .unwrap();
}

async fn seed(client: &Client) {
    create_tables(client).await;
    for d in 4..=10 {
        let day = format!("2026-12-{d:02}");
        visits(client, &day, "cuizhuyuan", 20).await;
        visits(client, &day, "cuizhuyuan#gate", 12).await;
        visits(client, &day, "cuizhuyuan#hall", 5).await;
        visits(client, &day, "qingshui", 9).await;
        visits(client, &day, "qingshui#market", 9).await;
    }
    visits(client, "2026-12-07", "binhu", 2).await;
    visits(client, "2026-12-07", "binhu#gate", 2).await;
    // Outside the seven days: not counted.
    visits(client, "2026-12-03", "binhu", 500).await;

    let c = |id: &'static str,
             community: &'static str,
             name: &'static str,
             status: &'static str,
             due: &'static str| {
        vec![
            (attr::CASE_ID, id),
            (attr::COMMUNITY, community),
            (attr::COMMUNITY_NAME, name),
            (attr::TYPE_NAME, "投诉"),
            (attr::CATEGORY_NAME, "低保、补贴发放"),
            (attr::STATUS, status),
            (attr::DUE_AT, due),
            (attr::CREATED_AT, "2026-11-20T10:00:00+08:00"),
        ]
    };
    let closed = |mut base: Vec<(&'static str, &'static str)>, at: &'static str| {
        base.push((attr::CLOSED_AT, at));
        base
    };
    for (table, fields) in [
        (
            "ydt-cases",
            c(
                "20261120-0001",
                "cuizhuyuan",
                "翠竹园社区",
                "办理中",
                "2026-11-27",
            ),
        ),
        (
            "ydt-cases",
            c(
                "20261201-0001",
                "cuizhuyuan",
                "翠竹园社区",
                "待受理",
                "2026-12-08",
            ),
        ),
        (
            "ydt-cases",
            c(
                "20261209-0001",
                "cuizhuyuan",
                "翠竹园社区",
                "待受理",
                "2026-12-16",
            ),
        ),
        (
            "ydt-reports",
            c(
                "J20261125-0001",
                "binhu",
                "滨湖社区",
                "已受理",
                "2026-12-02",
            ),
        ),
        (
            "ydt-cases",
            closed(
                c("20261110-0001", "binhu", "滨湖社区", "已办结", "2026-11-17"),
                "2026-11-16T15:00:00+08:00",
            ),
        ),
        (
            "ydt-cases",
            closed(
                c("20261111-0001", "binhu", "滨湖社区", "已办结", "2026-11-18"),
                "2026-11-20T09:00:00+08:00",
            ),
        ),
        (
            "ydt-cases",
            closed(
                c(
                    "20261112-0001",
                    "qingshui",
                    "清水苑社区",
                    "已转办",
                    "2026-11-19",
                ),
                "2026-11-12T09:00:00+08:00",
            ),
        ),
    ] {
        put_case(client, table, &fields).await;
    }
    // Ratings of closed cases, and objections to one record: one open, one answered.
    for (id, rating) in [
        ("20261110-0001", "满意"),
        ("20261111-0001", "不满意"),
        ("20261112-0001", "基本满意"),
    ] {
        client
            .update_item()
            .table_name("ydt-cases")
            .key(attr::CASE_ID, s(id))
            .key(attr::ITEM, s("case"))
            .update_expression("SET #r = :r")
            .expression_attribute_names("#r", attr::RATING)
            .expression_attribute_values(":r", s(rating))
            .send()
            .await
            .unwrap();
    }
    for (id, status) in [("20261202-0001", "待受理"), ("20261202-0002", "已办结")] {
        let mut fields = c(id, "cuizhuyuan", "翠竹园社区", status, "2026-12-07");
        fields.extend([
            (attr::TYPE, "objection"),
            (attr::RECORD, "2026-11-gaoling-jintie"),
            (attr::CLOSED_AT, "2026-12-03T09:00:00+08:00"),
        ]);
        if status == "待受理" {
            fields.retain(|(name, _)| *name != attr::CLOSED_AT);
        }
        put_case(client, "ydt-cases", &fields).await;
    }
}

#[tokio::test]
async fn the_report_flags_quiet_communities_lists_overdue_and_missing_disclosures() {
    let moto = Moto::start();
    seed(&moto.client()).await;
    let site = Site::example(YDT);
    std::fs::remove_file(site.path("content/communities/qingshui/records/2026-11-caiwu.yaml"))
        .unwrap();
    let out_dir = site.path("out");

    let output = Command::new(YDT)
        .args([
            "report",
            "--date",
            "2026-12-10",
            "--days",
            "7",
            "--region",
            REGION,
        ])
        .arg("--root")
        .arg(&site.root)
        .arg("--out")
        .arg(&out_dir)
        .arg("--endpoint")
        .arg(&moto.endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("YDT_CASES_TABLE")
        .env_remove("YDT_REPORTS_TABLE")
        .env_remove("YDT_META_TABLE")
        .output()
        .expect("run ydt report");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");

    // Visits: 翠竹园 140, 清水苑 63, 滨湖 2 (the 500 of Dec 3 is outside the week) < 7: flagged.
    assert!(
        stdout.contains("\n  滨湖社区  2  ← 提醒：访问量较低\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\n  翠竹园社区  140\n"), "{stdout}");
    assert!(stdout.contains("\n  清水苑社区  63\n"), "{stdout}");
    // Overdue on Dec 10, oldest first, reports included; due on the 16th is not.
    let overdue: Vec<(&str, &str)> = stdout
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains("逾期 "))
        .map(|l| {
            let mut words = l.split_whitespace();
            (words.next().unwrap(), words.next().unwrap())
        })
        .collect();
    assert_eq!(
        overdue,
        [
            ("逾期未办结", "20261120-0001"),
            ("逾期未办结", "J20261125-0001"),
            ("逾期未办结", "20261202-0001"),
            ("逾期未办结", "20261201-0001"),
        ],
        "{stdout}"
    );
    // Closed on time: 20261110 (yes), 20261111 (late), 20261112 (yes), the answered objection
    // (yes) → 3 of 4.
    assert!(stdout.contains("按期办结率 75%（3/4）"), "{stdout}");
    // 满意率: 满意 and 基本满意 of the rated.
    assert!(
        stdout.contains("  滨湖社区  满意率 50%（1/2）  满意 1  基本满意 0  不满意 1"),
        "{stdout}"
    );
    assert!(stdout.contains("  翠竹园社区  满意率 —（0/0）"), "{stdout}");
    assert!(
        stdout.contains("  清水苑社区  满意率 100%（1/1）  满意 0  基本满意 1  不满意 0"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  翠竹园社区  翠竹园社区2026年11月高龄津贴发放名单公示（2026-11-gaoling-jintie）  未办结 1  已答复 1"
        ),
        "{stdout}"
    );
    // The month under review is the site's latest, 2026-11; qingshui lost its finance record.
    assert!(stdout.contains("2026-11 应公开而未公开"), "{stdout}");
    let missing: Vec<&str> = stdout
        .split("应公开而未公开\n")
        .nth(1)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(missing.len(), 1, "{stdout}");
    assert!(missing[0].starts_with("  清水苑社区："), "{stdout}");

    let read = |name: &str| std::fs::read_to_string(out_dir.join(name)).unwrap();
    let visits_csv = read("visits.csv");
    assert!(visits_csv.starts_with('\u{feff}'));
    assert!(visits_csv.contains("2026-12-04~2026-12-10,binhu,滨湖社区,合计,2,访问量较低"));
    assert!(
        visits_csv.contains("2026-12-10,cuizhuyuan,翠竹园社区,,20,"),
        "{visits_csv}"
    );
    assert!(visits_csv.contains("（gate）,84,"), "{visits_csv}");
    assert!(visits_csv.contains("（hall）,35,"), "{visits_csv}");
    let overdue_csv = read("overdue.csv");
    let ids: Vec<&str> = overdue_csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "20261120-0001",
            "J20261125-0001",
            "20261202-0001",
            "20261201-0001"
        ]
    );
    assert!(overdue_csv.contains("20261120-0001,投诉建议·低保、补贴发放,翠竹园社区,办理中,2026-11-20T10:00:00+08:00,2026-11-27,13"));
    let cases_csv = read("cases.csv");
    assert!(
        cases_csv.contains("cuizhuyuan,翠竹园社区,3,0,1,0,0,1,0,1,1,100%,0,0,0,—"),
        "{cases_csv}"
    );
    assert!(
        cases_csv.contains("binhu,滨湖社区,0,0,0,0,0,2,1,2,1,50%,1,0,1,50%"),
        "{cases_csv}"
    );
    let objections = read("objections.csv");
    assert!(
        objections.contains(
            "翠竹园社区,2026-11-gaoling-jintie,翠竹园社区2026年11月高龄津贴发放名单公示,1,1,0"
        ),
        "{objections}"
    );
    let disclosures = read("disclosures.csv");
    assert_eq!(disclosures.lines().count(), 2, "{disclosures}");
    assert!(
        disclosures.contains("qingshui,清水苑社区,2026-11,"),
        "{disclosures}"
    );
    assert!(disclosures.contains("（finance）"), "{disclosures}");

    let html = read("index.html");
    assert!(html.contains("提醒访问量较低的社区：滨湖社区"), "{html}");
    assert!(html.contains("<svg"));
    // Self-contained: no script, no stylesheet or image fetched from anywhere.
    for outside in ["<script", "<link", "src=", "href=", "url("] {
        assert!(!html.contains(outside), "{outside} in the report page");
    }
}

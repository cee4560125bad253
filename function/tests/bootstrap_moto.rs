//! The real `bootstrap` binary, as Lambda runs it: configured only by environment variables,
//! polling a Lambda Runtime API (a small stand-in served here on loopback) and storing in moto.
//! This is what proves `main` wires the client, the manifest and the secrets together.
#![cfg(feature = "dynamodb")]

use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use ydt_test_support::moto::{Moto, create_tables};
use ydt_test_support::runtime_api::{RuntimeApi, bootstrap_command};
use ydt_test_support::{Event, complaint, manifest_path};

struct Bootstrap(Child);

impl Drop for Bootstrap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn bootstrap(runtime: &str, endpoint: &str, hmac_key: Option<&str>) -> Command {
    let exe = Path::new(env!("CARGO_BIN_EXE_bootstrap"));
    let mut command = bootstrap_command(exe, &manifest_path(), runtime, endpoint);
    if let Some(key) = hmac_key {
        command.env("YDT_HMAC_KEY", key);
    }
    command
}

#[tokio::test]
async fn bootstrap_answers_function_url_events_over_dynamodb() {
    let moto = Moto::start();
    create_tables(&moto.client()).await;
    let mut runtime = RuntimeApi::start();
    let _function = Bootstrap(
        bootstrap(
            &runtime.address,
            &moto.endpoint,
            Some("a-long-enough-test-key"),
        )
        .spawn()
        .expect("start bootstrap"),
    );

    let created = runtime.invoke(&Event::post_json(
        "/api/submissions",
        &complaint("bootstrap-key-0001"),
    ));
    assert_eq!(created["statusCode"], 201, "{created}");
    let receipt: Value = serde_json::from_str(created["body"].as_str().unwrap()).unwrap();
    assert_eq!(receipt["status"], "待受理");
    let case_id = receipt["case_id"].as_str().unwrap().to_string();

    let again = runtime.invoke(&Event::post_json(
        "/api/submissions",
        &complaint("bootstrap-key-0001"),
    ));
    assert_eq!(again["statusCode"], 200);
    assert_eq!(
        serde_json::from_str::<Value>(again["body"].as_str().unwrap()).unwrap(),
        receipt
    );

    let lookup = json!({"case_id": case_id, "query_code": receipt["query_code"]});
    let tracked = runtime.invoke(&Event::post_json("/api/track", &lookup));
    assert_eq!(tracked["statusCode"], 200, "{tracked}");

    let pixel = runtime.invoke(&Event::get("/api/v.gif?c=cuizhuyuan&from=gate"));
    assert_eq!(pixel["statusCode"], 200);
    assert_eq!(pixel["isBase64Encoded"], true);
    // "GIF89a" in base64.
    assert!(pixel["body"].as_str().unwrap().starts_with("R0lGODlh"));

    let stored = moto
        .client()
        .get_item()
        .table_name("ydt-cases")
        .key(
            "case_id",
            aws_sdk_dynamodb::types::AttributeValue::S(case_id),
        )
        .key(
            "item",
            aws_sdk_dynamodb::types::AttributeValue::S("case".into()),
        )
        .send()
        .await
        .unwrap();
    assert!(stored.item().is_some(), "the case is in the cases table");
}

#[test]
fn bootstrap_refuses_to_start_without_the_hmac_key() {
    let runtime = RuntimeApi::start();
    let output = bootstrap(&runtime.address, "http://127.0.0.1:9", None)
        .stderr(Stdio::piped())
        .output()
        .expect("run bootstrap");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("YDT_HMAC_KEY"));
}

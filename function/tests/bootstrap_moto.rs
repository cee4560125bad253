//! The real `bootstrap` binary, as Lambda runs it: configured only by environment variables,
//! polling a Lambda Runtime API (a small stand-in served here on loopback) and storing in moto.
//! This is what proves `main` wires the client, the manifest and the secrets together.
#![cfg(feature = "dynamodb")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::moto::{Moto, REGION, create_tables};
use common::{Event, complaint};
use serde_json::{Value, json};

/// The Lambda Runtime API: hands out queued events, collects the function's answers.
struct RuntimeApi {
    address: String,
    events: Sender<(String, String)>,
    answers: Receiver<(String, String)>,
    next_id: u32,
}

impl RuntimeApi {
    fn start() -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let (events, queued) = channel::<(String, String)>();
        let queued = Arc::new(Mutex::new(queued));
        let (answered, answers) = channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let queued = queued.clone();
                let answered = answered.clone();
                std::thread::spawn(move || serve_runtime(stream, &queued, &answered));
            }
        });
        RuntimeApi {
            address,
            events,
            answers,
            next_id: 0,
        }
    }

    /// Invokes the function with an event and returns its answer (the function URL response).
    fn invoke(&mut self, event: &Event) -> Value {
        self.next_id += 1;
        let id = format!("request-{}", self.next_id);
        let payload = event.to_json();
        self.events.send((id.clone(), payload)).unwrap();
        let (answered_id, body) = self
            .answers
            .recv_timeout(Duration::from_secs(60))
            .expect("bootstrap answers within 60 s");
        assert_eq!(answered_id, id);
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("not a response: {body}"))
    }
}

/// One keep-alive connection from the runtime client.
fn serve_runtime(
    stream: TcpStream,
    queued: &Mutex<Receiver<(String, String)>>,
    answered: &Sender<(String, String)>,
) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
        if path.ends_with("/runtime/invocation/next") {
            let Ok((id, event)) = queued.lock().unwrap().recv() else {
                return;
            };
            let _ = write!(
                writer,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                 Lambda-Runtime-Aws-Request-Id: {id}\r\nLambda-Runtime-Deadline-Ms: 4102444800000\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:{REGION}:123456789012:function:ydt\r\n\
                 Content-Length: {}\r\n\r\n{event}",
                event.len()
            );
        } else {
            // `/runtime/invocation/<id>/response` or `/error`.
            let id = path.split('/').nth(4).unwrap_or("").to_string();
            let text = String::from_utf8_lossy(&body).into_owned();
            let text = if path.ends_with("/response") {
                text
            } else {
                format!("{{\"runtime_error\": {text:?}}}")
            };
            let _ = answered.send((id, text));
            let _ = write!(
                writer,
                "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{{}}"
            );
        }
    }
}

struct Bootstrap(Child);

impl Drop for Bootstrap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn bootstrap(runtime: &str, endpoint: &str, hmac_key: Option<&str>) -> Command {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/manifest.json");
    let mut command = Command::new(env!("CARGO_BIN_EXE_bootstrap"));
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime)
        .env("AWS_LAMBDA_FUNCTION_NAME", "ydt")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("YDT_MANIFEST", manifest)
        .env("YDT_ORIGIN_SECRET", common::ORIGIN_SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
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

//! Residents' SMS through an SMS provider's HTTP API (the AWS China regions' path), against a
//! stand-in provider on loopback that records what it was sent and answers as a provider does.
//! Nothing here leaves 127.0.0.1.
#![cfg(feature = "dynamodb")]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ydt_function::notify::{Audience, Notice, Notifier, SmsProvider, SnsNotifier, Topics};

/// A provider on a free loopback port: each request's body is kept, each is answered with the
/// next of `answers` (status, JSON).
async fn stand_in(answers: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/v2/sms/single_send.json",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    tokio::spawn(async move {
        for (status, json) in answers {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then as many body bytes as Content-Length says.
            let body = loop {
                let n = socket.read(&mut buf).await.unwrap();
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length: usize = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (name, value) = l.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break String::from_utf8_lossy(&request[end + 4..end + 4 + length])
                            .to_string();
                    }
                }
                assert!(n > 0, "the client closed before its body arrived");
            };
            kept.lock().unwrap().push(body);
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
                json.len()
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
        }
    });
    (url, seen)
}

/// A notifier whose SNS client points at a closed loopback port: only the provider may answer.
fn notifier(provider: SmsProvider) -> SnsNotifier {
    let sns = aws_sdk_sns::Client::from_conf(
        aws_sdk_sns::Config::builder()
            .behavior_version_latest()
            .region(aws_sdk_sns::config::Region::new("cn-north-1"))
            .endpoint_url("http://127.0.0.1:9")
            .build(),
    );
    SnsNotifier::new(
        sns,
        Topics {
            sms: true,
            ..Topics::default()
        },
    )
    .with_provider(Some(provider))
}

fn sms(text: &str) -> Notice {
    Notice {
        to: Audience::Resident("13812345678".into()),
        subject: "案件 20261201-0001 进展".into(),
        message: text.into(),
    }
}

fn form_value(body: &str, name: &str) -> String {
    let raw = body
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} not in {body}"));
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[tokio::test]
async fn a_residents_sms_goes_to_the_provider_signed_and_a_refusal_is_an_error() {
    let (url, seen) = stand_in(vec![
        (200, r#"{"code":0,"msg":"发送成功","count":1,"sid":1}"#),
        (200, r#"{"code":2,"msg":"参数格式不正确"}"#),
    ])
    .await;
    let provider = SmsProvider::new(&url, "test-api-key", "望湖街道").unwrap();
    let notifier = notifier(provider);
    let text = "您在翠竹园社区反映的事项（案件编号 20261201-0001）已办结。";
    notifier.send(&sms(text)).await.expect("sent");

    let bodies = seen.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1);
    assert_eq!(form_value(&bodies[0], "apikey"), "test-api-key");
    assert_eq!(form_value(&bodies[0], "mobile"), "13812345678");
    assert_eq!(
        form_value(&bodies[0], "text"),
        format!("【望湖街道】{text}"),
        "the registered signature leads the text"
    );

    // The provider refuses: an error naming what it said (the batch is delivered again).
    let refused = notifier.send(&sms(text)).await.unwrap_err();
    assert!(refused.0.contains("参数格式不正确"), "{refused}");
    assert!(!refused.0.contains("test-api-key") && !refused.0.contains("13812345678"));
}

#[tokio::test]
async fn an_unreachable_provider_is_an_error_not_a_hang() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    drop(listener);
    let provider = SmsProvider::new(&url, "k", "望湖街道").unwrap();
    let err = notifier(provider).send(&sms("x")).await.unwrap_err();
    assert!(err.0.contains("unreachable"), "{err}");
}

#[test]
fn a_provider_needs_its_address_key_and_signature() {
    assert!(SmsProvider::new("ftp://sms.example.cn", "k", "望湖街道").is_err());
    assert!(SmsProvider::new("https://sms.example.cn/send", "", "望湖街道").is_err());
    assert!(SmsProvider::new("https://sms.example.cn/send", "k", " ").is_err());
}

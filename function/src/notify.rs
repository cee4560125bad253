//! Notices to the bodies that must act: a new case to its community's handlers, a new report
//! (举报), a 不满意 rating and the overdue list to the supervising body; and SMS to a resident
//! who asked for them. Sent by SNS; tests record them instead.
//!
//! Two topics (ARNs from the environment): handlers' notices carry the message attribute
//! `community` (the slug), so each community's subscription filters to its own cases. Notices
//! to bodies name the case, never the resident or their contact details.
//!
//! SMS go out through SNS's direct publish to a phone number when `YDT_SMS=sns` (regions where
//! SNS sends SMS), or through an SMS provider's HTTPS API when `YDT_SMS=provider` (the AWS China
//! regions, where SNS sends none: mainland SMS carry a registered signature and follow a
//! registered template), see [`SmsProvider`]. With `YDT_SMS` unset no SMS is sent.

use aws_sdk_sns::types::MessageAttributeValue;

use crate::store::StoreError;

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The handlers of one community (slug).
    Community(String),
    /// The supervising body (纪工委).
    Supervisor,
    /// A resident who ticked 短信通知: their mainland mobile (11 digits).
    Resident(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: Audience,
    pub subject: String,
    pub message: String,
}

/// Where notices go.
pub trait Notifier {
    fn send(&self, notice: &Notice) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Topic ARNs: `YDT_HANDLER_TOPIC_ARN`, `YDT_SUPERVISOR_TOPIC_ARN`. An unset one sends nothing.
/// `sms`: residents' SMS through SNS (`YDT_SMS=sns`); off, none is sent.
#[derive(Debug, Clone, Default)]
pub struct Topics {
    pub handlers: Option<String>,
    pub supervisor: Option<String>,
    pub sms: bool,
}

impl Topics {
    pub fn from_env() -> Topics {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Topics {
            handlers: var("YDT_HANDLER_TOPIC_ARN"),
            supervisor: var("YDT_SUPERVISOR_TOPIC_ARN"),
            sms: var("YDT_SMS").is_some_and(|v| v.eq_ignore_ascii_case("sns")),
        }
    }
}

pub struct SnsNotifier {
    client: aws_sdk_sns::Client,
    topics: Topics,
    provider: Option<SmsProvider>,
}

impl SnsNotifier {
    pub fn new(client: aws_sdk_sns::Client, topics: Topics) -> SnsNotifier {
        SnsNotifier {
            client,
            topics,
            provider: None,
        }
    }

    /// Residents' SMS through this provider instead of SNS.
    pub fn with_provider(mut self, provider: Option<SmsProvider>) -> SnsNotifier {
        self.provider = provider;
        self
    }
}

type HttpsClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Full<std::io::Cursor<Vec<u8>>>,
>;

/// An SMS provider's single-send HTTPS API, in the form the common mainland providers take
/// (云片's `v2/sms/single_send.json` and the like): a form post of `apikey`, `mobile` and `text`,
/// the text starting with the site's registered signature (`【望湖街道】`) and matching a
/// registered template; the answer is JSON whose `code` is 0 on success, else `msg` says why.
///
/// `YDT_SMS=provider` with `YDT_SMS_URL` (the endpoint), `YDT_SMS_API_KEY` (from Secrets
/// Manager) and `YDT_SMS_SIGNATURE` (the registered signature, without the brackets).
pub struct SmsProvider {
    url: String,
    api_key: String,
    signature: String,
    client: HttpsClient,
}

/// No answer from the provider within this: the batch fails and the stream delivers it again.
const PROVIDER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl SmsProvider {
    pub fn new(url: &str, api_key: &str, signature: &str) -> Result<SmsProvider, String> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!(
                "YDT_SMS_URL must be an https:// address, got {url:?}"
            ));
        }
        if api_key.is_empty() || signature.trim().is_empty() {
            return Err("YDT_SMS_API_KEY and YDT_SMS_SIGNATURE must be set".to_string());
        }
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| format!("no TLS roots for the SMS provider: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(https);
        Ok(SmsProvider {
            url: url.to_string(),
            api_key: api_key.to_string(),
            signature: signature
                .trim()
                .trim_start_matches('【')
                .trim_end_matches('】')
                .to_string(),
            client,
        })
    }

    /// From the environment when `YDT_SMS=provider`; `None` otherwise.
    pub fn from_env() -> Result<Option<SmsProvider>, String> {
        let var = |name: &str| std::env::var(name).unwrap_or_default();
        if !var("YDT_SMS").eq_ignore_ascii_case("provider") {
            return Ok(None);
        }
        SmsProvider::new(
            &var("YDT_SMS_URL"),
            &var("YDT_SMS_API_KEY"),
            &var("YDT_SMS_SIGNATURE"),
        )
        .map(Some)
    }

    /// Sends one SMS; an error names what the provider said, never the number or the key.
    pub async fn send(&self, mobile: &str, text: &str) -> Result<(), StoreError> {
        let encode = |v: &str| {
            percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let form = format!(
            "apikey={}&mobile={}&text={}",
            encode(&self.api_key),
            encode(mobile),
            encode(&format!("【{}】{text}", self.signature))
        );
        let request = lambda_http::http::Request::post(&self.url)
            .header(
                lambda_http::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded;charset=utf-8",
            )
            .header(lambda_http::http::header::ACCEPT, "application/json")
            .body(http_body_util::Full::new(std::io::Cursor::new(
                form.into_bytes(),
            )))
            .map_err(|e| StoreError(format!("SMS request: {e}")))?;
        let answer = tokio::time::timeout(PROVIDER_TIMEOUT, async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| StoreError(format!("SMS provider unreachable: {e}")))?;
            let status = response.status();
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .map_err(|e| StoreError(format!("SMS provider's answer: {e}")))?
                .to_bytes();
            Ok::<_, StoreError>((status, body))
        })
        .await
        .map_err(|_| StoreError("SMS provider did not answer in time".to_string()))??;
        let (status, body) = answer;
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if status.is_success() && json["code"].as_i64() == Some(0) {
            return Ok(());
        }
        Err(StoreError(format!(
            "SMS provider refused ({status}): {}",
            json["msg"].as_str().unwrap_or("no message")
        )))
    }
}

/// SNS email subjects are ASCII-safe up to 100 characters; keep well inside.
fn subject_line(subject: &str) -> String {
    subject.chars().take(60).collect()
}

impl SnsNotifier {
    /// One SMS, published straight to the number (no topic), as a transactional message.
    async fn sms(&self, mobile: &str, text: &str) -> Result<(), StoreError> {
        if !self.topics.sms {
            return Ok(());
        }
        let transactional = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|e| StoreError(e.to_string()))?;
        self.client
            .publish()
            .phone_number(format!("+86{mobile}"))
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError(aws_sdk_sns::error::DisplayErrorContext(e).to_string()))
    }
}

impl Notifier for SnsNotifier {
    async fn send(&self, notice: &Notice) -> Result<(), StoreError> {
        let (topic, community) = match &notice.to {
            Audience::Community(slug) => (self.topics.handlers.as_ref(), Some(slug)),
            Audience::Supervisor => (self.topics.supervisor.as_ref(), None),
            Audience::Resident(mobile) => {
                return match &self.provider {
                    Some(provider) => provider.send(mobile, &notice.message).await,
                    None => self.sms(mobile, &notice.message).await,
                };
            }
        };
        let Some(topic) = topic else {
            return Ok(());
        };
        let mut publish = self
            .client
            .publish()
            .topic_arn(topic)
            .subject(subject_line(&notice.subject))
            .message(&notice.message);
        if let Some(slug) = community {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(slug)
                .build()
                .map_err(|e| StoreError(e.to_string()))?;
            publish = publish.message_attributes("community", value);
        }
        publish
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError(aws_sdk_sns::error::DisplayErrorContext(e).to_string()))
    }
}

/// Keeps notices in memory: for tests, and for a dry run of the daily job.
#[derive(Debug, Default)]
pub struct Recorder {
    pub sent: std::sync::Mutex<Vec<Notice>>,
}

impl Recorder {
    pub fn notices(&self) -> Vec<Notice> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Notifier for Recorder {
    async fn send(&self, notice: &Notice) -> Result<(), StoreError> {
        if let Ok(mut sent) = self.sent.lock() {
            sent.push(notice.clone());
        }
        Ok(())
    }
}

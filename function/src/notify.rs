//! Notices to the bodies that must act: a new case to its community's handlers, a new report
//! (举报), a 不满意 rating and the overdue list to the supervising body; and SMS to a resident
//! who asked for them. Sent by SNS; tests record them instead.
//!
//! Two topics (ARNs from the environment): handlers' notices carry the message attribute
//! `community` (the slug), so each community's subscription filters to its own cases. Notices
//! to bodies name the case, never the resident or their contact details.
//!
//! SMS go out through SNS's direct publish to a phone number when `YDT_SMS=sns` (regions where
//! SNS sends SMS). The AWS China regions' SNS sends none; mainland SMS there needs an SMS
//! provider's API with a registered signature and template, which is not built yet: with
//! `YDT_SMS` unset no SMS is sent and the form does not offer them.

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
}

impl SnsNotifier {
    pub fn new(client: aws_sdk_sns::Client, topics: Topics) -> SnsNotifier {
        SnsNotifier { client, topics }
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
            Audience::Resident(mobile) => return self.sms(mobile, &notice.message).await,
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

//! Client construction: the one place a DynamoDB client is built, for the three Lambda binaries
//! and `ydt report` alike, with the timeouts and retries of [`Resilience`].

use std::time::Duration;

use aws_sdk_dynamodb::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;

/// The SDK's timeouts and retries for every DynamoDB call.
///
/// A submission makes at most six calls one after another (idempotency read, two rate-limit
/// counters, case number, the transaction, and the idempotency read again if the transaction was
/// cancelled), and the handler gives up after [`crate::handler::ANSWER_WITHIN`] with a 503 the
/// page retries. DynamoDB answers in milliseconds, so an attempt that has not answered in
/// `attempt` is treated as lost and retried; every error the SDK deems transient (5xx, throttling,
/// a reset connection, a timeout) is retried with jittered exponential backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resilience {
    /// Opening a connection.
    pub connect: Duration,
    /// One attempt, from sending the request to the last byte of the answer.
    pub attempt: Duration,
    /// One call, all attempts and backoff included.
    pub operation: Duration,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The SDK's retry quota (a token bucket: a retry costs 5, a timeout 10, a success gives 1
    /// back). Its default of 500 runs dry after a hundred retries in a row and then no call is
    /// retried at all; ours is larger, so a burst of faults is ridden out rather than passed on
    /// to residents as 503s, while a lasting outage still stops retrying.
    pub retry_quota: usize,
}

impl Default for Resilience {
    fn default() -> Resilience {
        Resilience {
            connect: Duration::from_secs(1),
            attempt: Duration::from_secs(2),
            operation: Duration::from_secs(5),
            max_attempts: 4,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(1),
            retry_quota: 20_000,
        }
    }
}

impl Resilience {
    /// The SDK configuration with these timeouts and retries.
    pub fn apply(
        &self,
        builder: aws_sdk_dynamodb::config::Builder,
    ) -> aws_sdk_dynamodb::config::Builder {
        builder
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect)
                    .operation_attempt_timeout(self.attempt)
                    .operation_timeout(self.operation)
                    .build(),
            )
            .retry_partition(
                RetryPartition::custom("ydt-dynamodb")
                    .token_bucket(TokenBucket::builder().capacity(self.retry_quota).build())
                    .build(),
            )
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(self.max_attempts)
                    .with_initial_backoff(self.initial_backoff)
                    .with_max_backoff(self.max_backoff),
            )
    }
}

/// The AWS clients a process builds once, from one SDK configuration.
pub struct Clients {
    /// With [`Resilience::default`].
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// For notices; the SDK's own timeouts and retries.
    pub sns: aws_sdk_sns::Client,
}

/// The clients for the given endpoint and region, else the SDK's usual environment
/// (`AWS_ENDPOINT_URL`, `AWS_REGION`, the credentials chain).
pub async fn connect(endpoint: Option<&str>, region: Option<&str>) -> Clients {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_string()));
    }
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    let dynamodb = Resilience::default().apply(aws_sdk_dynamodb::config::Builder::from(&config));
    Clients {
        dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb.build()),
        sns: aws_sdk_sns::Client::new(&config),
    }
}

/// What the timeline consumer and the daily job run with, read once at start-up: the DynamoDB
/// client, the table names (`YDT_*_TABLE`) and the notices' topics (`YDT_*_TOPIC_ARN`).
pub struct JobContext {
    pub client: aws_sdk_dynamodb::Client,
    pub names: super::TableNames,
    pub notifier: crate::notify::SnsNotifier,
}

impl JobContext {
    /// Fails only when residents' SMS are asked for (`YDT_SMS=provider`) but not configured.
    pub async fn from_env() -> Result<JobContext, String> {
        let provider = crate::notify::SmsProvider::from_env()?;
        let clients = connect(None, None).await;
        Ok(JobContext {
            client: clients.dynamodb,
            names: super::TableNames::from_env(),
            notifier: crate::notify::SnsNotifier::new(
                clients.sns,
                crate::notify::Topics::from_env(),
            )
            .with_provider(provider),
        })
    }
}

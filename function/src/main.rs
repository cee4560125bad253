//! The Lambda entry point (`bootstrap`): build the DynamoDB client once, warm it, then answer
//! every request with [`ydt_function::handle`].

use lambda_http::{Error, service_fn};
use ydt_function::App;
use ydt_function::store::dynamodb::{DynamoStore, Resilience, TableNames};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Region, credentials and `AWS_ENDPOINT_URL` come from the environment as usual.
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    // Timeouts and retries so every answer comes well inside API Gateway's 30 s.
    let dynamodb = Resilience::default().apply(aws_sdk_dynamodb::config::Builder::from(&config));
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(dynamodb.build()),
        TableNames::from_env(),
    );
    let app = App::from_env(store)?;
    if let Err(err) = app.store.warm().await {
        // Not fatal: the first request will try again.
        eprintln!("warm-up read failed: {err}");
    }
    let app = &app;
    lambda_http::run(service_fn(move |req| ydt_function::handle(app, req))).await
}

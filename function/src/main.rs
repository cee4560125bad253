//! The Lambda entry point (`bootstrap`): build the DynamoDB client once, warm it, then answer
//! every request with [`ydt_function::handle`].

use lambda_http::{Error, service_fn};
use ydt_function::App;
use ydt_function::store::dynamodb::{DynamoStore, TableNames, connect};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Region, credentials and `AWS_ENDPOINT_URL` come from the environment as usual; the
    // client's timeouts and retries keep every answer well inside API Gateway's 30 s.
    let clients = connect(None, None).await;
    let store = DynamoStore::new(clients.dynamodb, TableNames::from_env());
    let app = App::from_env(store)?;
    if let Err(err) = app.store.warm().await {
        // Not fatal: the first request will try again.
        eprintln!("warm-up read failed: {err}");
    }
    let app = &app;
    lambda_http::run(service_fn(move |req| ydt_function::handle(app, req))).await
}

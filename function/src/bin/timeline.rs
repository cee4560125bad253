//! The timeline consumer on Lambda: DynamoDB stream batches of the cases and reports tables in,
//! timeline items, `closed_at` and notices out (see `ydt_function::stream`).

use lambda_http::lambda_runtime::{self, Error, LambdaEvent, service_fn};
use ydt_function::store::dynamodb::JobContext;
use ydt_function::stream;

type StreamEvent = aws_lambda_events::event::dynamodb::Event;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let job = &JobContext::from_env().await.map_err(Error::from)?;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<StreamEvent>| async move {
            let steps = stream::handle(&job.client, &job.names, &job.notifier, &event.payload)
                .await
                .map_err(|e| Error::from(e.to_string()))?;
            eprintln!("{} records, {steps} steps", event.payload.records.len());
            Ok::<(), Error>(())
        },
    ))
    .await
}

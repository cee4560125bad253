//! The timeline consumer on Lambda: DynamoDB stream batches of the cases and reports tables in,
//! timeline items, `closed_at` and notices out (see `ydt_function::stream`).

use lambda_http::lambda_runtime::{self, Error, LambdaEvent, service_fn};
use ydt_function::notify::{SnsNotifier, Topics};
use ydt_function::store::dynamodb::{TableNames, connect};
use ydt_function::stream;

type StreamEvent = aws_lambda_events::event::dynamodb::Event;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let clients = connect(None, None).await;
    let client = clients.dynamodb;
    let notifier = SnsNotifier::new(clients.sns, Topics::from_env());
    let names = TableNames::from_env();
    let (client, names, notifier) = (&client, &names, &notifier);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<StreamEvent>| async move {
            let steps = stream::handle(client, names, notifier, &event.payload)
                .await
                .map_err(|e| Error::from(e.to_string()))?;
            eprintln!("{} records, {steps} steps", event.payload.records.len());
            Ok::<(), Error>(())
        },
    ))
    .await
}

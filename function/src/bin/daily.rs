//! The daily job on Lambda, run by a schedule: overdue lists out, old contact details removed
//! (see `ydt_function::daily`). The scheduled event's content is not used.

use lambda_http::lambda_runtime::{self, Error, LambdaEvent, service_fn};
use ydt_function::clock::{Date, now_unix};
use ydt_function::daily;
use ydt_function::notify::{SnsNotifier, Topics};
use ydt_function::store::dynamodb::{TableNames, connect};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let clients = connect(None, None).await;
    let client = clients.dynamodb;
    let notifier = SnsNotifier::new(clients.sns, Topics::from_env());
    let names = TableNames::from_env();
    let retention = daily::retention_days_from_env();
    let (client, names, notifier) = (&client, &names, &notifier);
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let today = Date::shanghai(now_unix());
            let morning = daily::run(client, names, notifier, today, retention)
                .await
                .map_err(|e| Error::from(e.to_string()))?;
            eprintln!(
                "{today}: {} overdue, {} notices, contacts removed from {} cases",
                morning.overdue,
                morning.notices,
                morning.contacts_removed.len()
            );
            Ok::<(), Error>(())
        },
    ))
    .await
}

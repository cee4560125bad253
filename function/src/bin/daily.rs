//! The daily job on Lambda, run by a schedule: overdue lists out, old contact details removed
//! (see `ydt_function::daily`). The scheduled event's content is not used.

use lambda_http::lambda_runtime::{self, Error, LambdaEvent, service_fn};
use ydt_function::clock::{Date, now_unix};
use ydt_function::daily;
use ydt_function::store::dynamodb::JobContext;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let job = &JobContext::from_env().await.map_err(Error::from)?;
    let retention = daily::retention_days_from_env();
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let today = Date::shanghai(now_unix());
            let morning = daily::run(&job.client, &job.names, &job.notifier, today, retention)
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

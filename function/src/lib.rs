//! The submission function: residents' complaints, reports and suggestions in, case numbers out.
//! The same handler code runs on AWS Lambda (over DynamoDB) and inside `ydt serve` (over the
//! embedded local store).
//!
//! A request flows one way: [`handler`] routes it, [`validate`] checks it against the
//! [`manifest`], the [`store`] keeps it (tables defined once in [`table`]), and the answer is JSON
//! or, for the no-JavaScript form, a [`page`].

pub mod app;
pub mod clock;
pub mod handler;
pub mod html;
pub mod keys;
pub mod manifest;
pub mod page;
pub mod store;
pub mod table;
pub mod validate;

pub use app::App;
pub use handler::handle;
/// Re-exported so `ydt serve` builds requests of exactly the type the handler takes.
pub use lambda_http;
#[cfg(feature = "dynamodb")]
pub mod daily;
#[cfg(feature = "dynamodb")]
pub mod notify;
#[cfg(feature = "dynamodb")]
pub mod stream;
#[cfg(feature = "dynamodb")]
pub mod supervision;

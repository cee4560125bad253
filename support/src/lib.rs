//! What the tests of the three crates share, in one place: the function's fixtures and the
//! handler called in-process (`handler`), the Lambda Runtime API stand-in for the real
//! `bootstrap` (`runtime_api`), moto and its tables (`moto`, behind the `dynamodb` feature), the
//! `ydt serve` harness and its HTTP client (`serve`), and throwaway copies of the example site
//! (`site`).
//!
//! Not for anything a user runs: a dev-dependency only. It reaches the crates under test through
//! their public API, as an integration test does.

pub mod handler;
#[cfg(feature = "dynamodb")]
pub mod moto;
pub mod runtime_api;
pub mod serve;
pub mod site;

pub use handler::{
    Answer, Event, HMAC_KEY, ORIGIN_SECRET, app, call, complaint, form_encode, manifest,
    manifest_path,
};

/// The region the function's tests sign their requests for: moto's tables live per region.
pub const REGION: &str = "ap-east-1";

/// A number or other setting from the environment variable `name`, or `default` when it is unset
/// or does not parse: how the larger runs (`bench/`, `tests/run`) resize a test.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

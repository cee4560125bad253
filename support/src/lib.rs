//! What the tests of the three crates share, in one place: the function's fixtures and the
//! handler called in-process (`handler`), the Lambda Runtime API stand-in for the real
//! `bootstrap` (`runtime_api`), moto and its tables (`moto`, behind the `dynamodb` feature), the
//! `ydt serve` harness and its HTTP client (`serve`), and throwaway copies of the example site
//! (`site`).
//!
//! Not for anything a user runs: a dev-dependency only. It reaches the crates under test through
//! their public API, as an integration test does.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Child;
use std::time::{Duration, Instant};

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

/// A loopback port that nothing listens on now, for a server a test starts.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Returns once the process `child`, called `name` in messages, accepts connections on `port`;
/// panics if it exits first or does not listen `within`.
pub fn wait_until_listening(child: &mut Child, port: u16, name: &str, within: Duration) {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + within;
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{name} exited at start-up: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "{name} did not answer on {address} within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A number or other setting from the environment variable `name`, or `default` when it is unset
/// or does not parse: how the larger runs (`bench/`, `tests/run`) resize a test.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

//! A fault-injecting HTTP proxy on 127.0.0.1, put between the function's DynamoDB store and moto.
//!
//! At a set rate it answers a request itself with a DynamoDB fault instead of forwarding it: a
//! 500, `ProvisionedThroughputExceededException` or `ThrottlingException` (400 with the JSON error
//! body and `x-amzn-ErrorType`, as DynamoDB sends them), a reset connection, an answer delayed past
//! the client's timeout, or — the hard case — the request forwarded and written, and the answer
//! dropped. Faults are drawn from a seeded generator, so a failing run can be replayed.
//!
//! moto is not DynamoDB in one way that matters here: its backend takes no locks, so two
//! concurrent `ADD`s can read the same count and two transactions can interleave, where DynamoDB
//! makes each atomic. A proxy therefore hands moto one request at a time. Several proxies may
//! share one moto server when each serves its own region: moto keeps a separate backend (its own
//! tables) per region, and those share nothing.
//!
//! It also keeps time: how long forwarded calls were outstanding at moto, waiting for their turn
//! included ([`FaultLog::storage_time`]), so a measurement through the proxy can take storage time
//! out of a request's time. At rate 0 it is a pass-through with a stopwatch.
//!
//! It speaks just enough HTTP/1.1 for the SDK: one request per connection (`Connection: close` on
//! every answer), bodies sized by `Content-Length`. Not a general proxy.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// Forwarded and answered as moto answered.
    None,
    /// `500` InternalServerError, nothing forwarded.
    ServerError,
    /// `400` ProvisionedThroughputExceededException, nothing forwarded.
    ThroughputExceeded,
    /// `400` ThrottlingException, nothing forwarded.
    Throttling,
    /// The connection reset before anything is forwarded.
    Reset,
    /// Held past the client's timeout, then forwarded (so it may still be written) and answered
    /// to a client that has gone.
    Delay,
    /// Forwarded and written; the answer is dropped and the connection reset.
    LostAnswer,
}

pub const FAULTS: [Fault; 6] = [
    Fault::ServerError,
    Fault::ThroughputExceeded,
    Fault::Throttling,
    Fault::Reset,
    Fault::Delay,
    Fault::LostAnswer,
];

/// How often and how the proxy fails.
#[derive(Debug, Clone, Copy)]
pub struct FaultPlan {
    /// Share of requests that get a fault, 0.0–1.0; the kind is drawn evenly from [`FAULTS`].
    pub rate: f64,
    /// How long a [`Fault::Delay`] holds the request (longer than the client's attempt timeout).
    pub delay: Duration,
    pub seed: u64,
}

/// What was done, by DynamoDB operation (`X-Amz-Target` without its prefix) and fault, and how
/// long moto had calls of this proxy outstanding.
#[derive(Debug, Default)]
pub struct FaultLog {
    counts: Mutex<HashMap<(String, Fault), u64>>,
    storage: Mutex<Outstanding>,
}

/// Forwarded calls in flight, and the wall time during which there was at least one.
#[derive(Debug, Default)]
struct Outstanding {
    calls: u32,
    since: Option<Instant>,
    total: Duration,
}

impl FaultLog {
    fn record(&self, operation: &str, fault: Fault) {
        *self
            .counts
            .lock()
            .unwrap()
            .entry((operation.to_string(), fault))
            .or_default() += 1;
    }

    pub fn count(&self, operation: Option<&str>, fault: Fault) -> u64 {
        self.counts
            .lock()
            .unwrap()
            .iter()
            .filter(|((op, f), _)| *f == fault && operation.is_none_or(|o| o == op))
            .map(|(_, n)| n)
            .sum()
    }

    /// Wall time so far during which at least one call through this proxy was waiting for its
    /// turn at moto or being answered by it (overlapping calls count once). Faults the proxy
    /// answers itself are not storage time; a delayed call counts from when it is forwarded.
    pub fn storage_time(&self) -> Duration {
        let storage = self.storage.lock().unwrap();
        storage.total
            + storage
                .since
                .map_or(Duration::ZERO, |since| since.elapsed())
    }

    /// Marks a call outstanding until the returned guard is dropped.
    fn call_started(&self) -> CallAtMoto<'_> {
        let mut storage = self.storage.lock().unwrap();
        if storage.calls == 0 {
            storage.since = Some(Instant::now());
        }
        storage.calls += 1;
        CallAtMoto(self)
    }

    /// One line per operation and fault, for the test's output.
    pub fn summary(&self) -> String {
        let counts = self.counts.lock().unwrap();
        let mut lines: Vec<_> = counts.iter().collect();
        lines.sort();
        lines
            .iter()
            .map(|((op, fault), n)| format!("{op:<20} {fault:?}: {n}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

struct CallAtMoto<'a>(&'a FaultLog);

impl Drop for CallAtMoto<'_> {
    fn drop(&mut self) {
        let mut storage = self.0.storage.lock().unwrap();
        storage.calls -= 1;
        if storage.calls == 0
            && let Some(since) = storage.since.take()
        {
            storage.total += since.elapsed();
        }
    }
}

/// A running proxy; stops when the runtime that started it ends.
pub struct FaultProxy {
    pub endpoint: String,
    pub log: Arc<FaultLog>,
    upstream: SocketAddr,
    /// moto's turn, held while one call is forwarded; shared by proxies started beside this one.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream` (`127.0.0.1:port`), recording
    /// what it does in `log` (which several proxies may share).
    pub async fn start(upstream: SocketAddr, plan: FaultPlan, log: Arc<FaultLog>) -> FaultProxy {
        FaultProxy::listen(upstream, plan, log, Arc::default()).await
    }

    /// Another proxy to the same moto with a log of its own, taking turns with this one: one
    /// per function process, so each process's storage time can be told apart.
    pub async fn start_beside(&self, plan: FaultPlan) -> FaultProxy {
        FaultProxy::listen(self.upstream, plan, Arc::default(), self.turn.clone()).await
    }

    async fn listen(
        upstream: SocketAddr,
        plan: FaultPlan,
        log: Arc<FaultLog>,
        turn: Arc<tokio::sync::Mutex<()>>,
    ) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let moto = turn.clone();
        let draws = Arc::new(AtomicU64::new(plan.seed));
        let shared = log.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let log = shared.clone();
                let moto = moto.clone();
                // splitmix64 over a shared counter: every connection its own reproducible draw.
                let draw = splitmix64(draws.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed));
                tokio::spawn(async move {
                    let _ = serve(client, upstream, &moto, plan, draw, &log).await;
                });
            }
        });
        FaultProxy {
            endpoint,
            log,
            upstream,
            turn,
        }
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn choose(plan: &FaultPlan, draw: u64) -> Fault {
    let unit = (draw >> 11) as f64 / (1u64 << 53) as f64;
    if unit >= plan.rate {
        return Fault::None;
    }
    FAULTS[(draw % FAULTS.len() as u64) as usize]
}

/// A request as read off the wire: the head (request line and headers) and the body.
struct Request {
    head: String,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// `DynamoDB_20120810.TransactWriteItems` → `TransactWriteItems`.
    fn operation(&self) -> String {
        self.header("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("?")
            .to_string()
    }

    /// The request as sent upstream: one request, then the connection closes.
    fn to_upstream(&self) -> Vec<u8> {
        let mut out = String::new();
        for line in self.head.lines() {
            let name = line.split(':').next().unwrap_or("").trim();
            if name.eq_ignore_ascii_case("connection") {
                continue;
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str("Connection: close\r\n\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut request = Request {
        head,
        body: buf[head_end + 4..].to_vec(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while request.body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        request.body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(request))
}

/// Sends the request to moto and reads its whole answer (moto closes after it), one request at a
/// time; the wait for the turn and moto's answer are storage time in `log`.
async fn forward(
    upstream: SocketAddr,
    one_at_a_time: &tokio::sync::Mutex<()>,
    request: &Request,
    log: &FaultLog,
) -> std::io::Result<Vec<u8>> {
    let at_moto = log.call_started();
    let _turn = one_at_a_time.lock().await;
    let mut moto = TcpStream::connect(upstream).await?;
    moto.write_all(&request.to_upstream()).await?;
    let mut answer = Vec::new();
    moto.read_to_end(&mut answer).await?;
    drop(at_moto);
    Ok(with_connection_close(&answer))
}

/// moto's answer with its `Connection` header replaced by `Connection: close`.
fn with_connection_close(answer: &[u8]) -> Vec<u8> {
    let Some(head_end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return answer.to_vec();
    };
    let head = String::from_utf8_lossy(&answer[..head_end]);
    let mut out = String::new();
    for line in head.lines() {
        if line
            .split(':')
            .next()
            .is_some_and(|n| n.trim().eq_ignore_ascii_case("connection"))
        {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&answer[head_end + 4..]);
    bytes
}

/// A DynamoDB error answer, as the service sends it.
fn dynamodb_error(status: &str, error_type: &str, message: &str) -> Vec<u8> {
    let body = format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{error_type}","message":"{message}"}}"#
    );
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         x-amzn-ErrorType: {error_type}\r\nx-amzn-RequestId: injected-fault\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Closes with a TCP reset rather than an orderly FIN: the client sees the connection torn.
/// (Deprecated in tokio because a non-zero linger blocks on drop; zero never does.)
#[allow(deprecated)]
fn reset(stream: TcpStream) {
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    moto: &tokio::sync::Mutex<()>,
    plan: FaultPlan,
    draw: u64,
    log: &FaultLog,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut client).await? else {
        return Ok(());
    };
    let fault = choose(&plan, draw);
    log.record(&request.operation(), fault);
    let answer = match fault {
        Fault::None => forward(upstream, moto, &request, log).await?,
        Fault::ServerError => dynamodb_error(
            "500 Internal Server Error",
            "InternalServerError",
            "Internal server error (injected)",
        ),
        Fault::ThroughputExceeded => dynamodb_error(
            "400 Bad Request",
            "ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput for the table was exceeded (injected)",
        ),
        Fault::Throttling => dynamodb_error(
            "400 Bad Request",
            "ThrottlingException",
            "Rate of requests exceeds the allowed throughput (injected)",
        ),
        Fault::Reset => {
            reset(client);
            return Ok(());
        }
        Fault::Delay => {
            tokio::time::sleep(plan.delay).await;
            forward(upstream, moto, &request, log).await?
        }
        Fault::LostAnswer => {
            forward(upstream, moto, &request, log).await?;
            reset(client);
            return Ok(());
        }
    };
    client.write_all(&answer).await?;
    client.shutdown().await
}

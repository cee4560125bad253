//! A stand-in for the Lambda Runtime API on loopback, and the `bootstrap` command that polls it:
//! the real binary, configured only by environment variables as Lambda configures it. Shared by
//! `function/tests/bootstrap_moto.rs` and the function timings (`tests/tests/function_timings.rs`), which also
//! reads when each event was handed out and when its answer came back.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Event, ORIGIN_SECRET, REGION};

/// The Lambda Runtime API: hands out queued events, collects the function's answers.
pub struct RuntimeApi {
    pub address: String,
    events: Sender<(String, String)>,
    answers: Receiver<(String, String, Instant)>,
    handed_out: Arc<Mutex<HashMap<String, Instant>>>,
    next_id: u32,
}

/// One answered event and when it went out and came back, as the Runtime API saw it.
pub struct Invocation {
    pub answer: Value,
    /// The event was written to the function's `/runtime/invocation/next` poll.
    pub handed_out: Instant,
    /// The function's `/response` (or `/error`) had arrived in full.
    pub answered: Instant,
}

impl RuntimeApi {
    pub fn start() -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let (events, queued) = channel::<(String, String)>();
        let queued = Arc::new(Mutex::new(queued));
        let (answered, answers) = channel();
        let handed_out = Arc::new(Mutex::new(HashMap::new()));
        let handed = handed_out.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let queued = queued.clone();
                let answered = answered.clone();
                let handed = handed.clone();
                std::thread::spawn(move || serve_runtime(stream, &queued, &answered, &handed));
            }
        });
        RuntimeApi {
            address,
            events,
            answers,
            handed_out,
            next_id: 0,
        }
    }

    /// Queues an event for the function's next poll; returns its request id.
    pub fn queue(&mut self, event: &Event) -> String {
        self.next_id += 1;
        let id = format!("request-{}", self.next_id);
        self.events.send((id.clone(), event.to_json())).unwrap();
        id
    }

    /// Waits for the answer to the queued event `id` (events are answered in order).
    pub fn wait(&mut self, id: &str) -> Invocation {
        let (answered_id, body, answered) = self
            .answers
            .recv_timeout(Duration::from_secs(60))
            .expect("bootstrap answers within 60 s");
        assert_eq!(answered_id, id);
        let handed_out = self.handed_out.lock().unwrap().remove(id).unwrap();
        Invocation {
            answer: serde_json::from_str(&body)
                .unwrap_or_else(|_| panic!("not a response: {body}")),
            handed_out,
            answered,
        }
    }

    /// Invokes the function with an event and returns its answer (the function URL response).
    pub fn invoke(&mut self, event: &Event) -> Value {
        self.invoke_timed(event).answer
    }

    pub fn invoke_timed(&mut self, event: &Event) -> Invocation {
        let id = self.queue(event);
        self.wait(&id)
    }
}

/// One keep-alive connection from the runtime client.
fn serve_runtime(
    stream: TcpStream,
    queued: &Mutex<Receiver<(String, String)>>,
    answered: &Sender<(String, String, Instant)>,
    handed_out: &Mutex<HashMap<String, Instant>>,
) {
    // Each answer goes out in one write with Nagle off: a head written apart from its body would
    // wait for the client's delayed ACK, 40 ms a request that are not the function's.
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
        if path.ends_with("/runtime/invocation/next") {
            let Ok((id, event)) = queued.lock().unwrap().recv() else {
                return;
            };
            // Noted before the write, so the answer can never arrive ahead of it.
            handed_out
                .lock()
                .unwrap()
                .insert(id.clone(), Instant::now());
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                 Lambda-Runtime-Aws-Request-Id: {id}\r\nLambda-Runtime-Deadline-Ms: 4102444800000\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:{REGION}:123456789012:function:ydt\r\n\
                 Content-Length: {}\r\n\r\n{event}",
                event.len()
            );
            let _ = writer.write_all(answer.as_bytes());
        } else {
            // `/runtime/invocation/<id>/response` or `/error`.
            let now = Instant::now();
            let id = path.split('/').nth(4).unwrap_or("").to_string();
            let text = String::from_utf8_lossy(&body).into_owned();
            let text = if path.ends_with("/response") {
                text
            } else {
                format!("{{\"runtime_error\": {text:?}}}")
            };
            let _ = answered.send((id, text, now));
            let _ = writer.write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}");
        }
    }
}

/// The `bootstrap` at `exe`, as Lambda starts it: polling `runtime`, storing through `endpoint`,
/// reading the manifest at `manifest`. Nothing but loopback is reachable from this environment.
pub fn bootstrap_command(exe: &Path, manifest: &Path, runtime: &str, endpoint: &str) -> Command {
    let mut command = Command::new(exe);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime)
        .env("AWS_LAMBDA_FUNCTION_NAME", "ydt")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("YDT_MANIFEST", manifest)
        .env("YDT_ORIGIN_SECRET", ORIGIN_SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

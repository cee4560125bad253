//! The one harness for tests that start `ydt serve`: the real binary on a free loopback port,
//! killed (SIGKILL) when dropped, and a small HTTP/1.1 client that sends one request per
//! connection and reads the whole answer.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lambda_http::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::{Answer, free_port, wait_until_listening};

/// A running `ydt serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// Starts `ydt serve` from the binary `ydt` over `root`, with `env` added to its environment,
    /// and returns once it listens. `YDT_HMAC_KEY` is taken out of the environment, so the server
    /// keeps its own key in the site root as a clerk's does.
    pub fn start(ydt: &Path, root: &Path, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let child = Command::new(ydt)
            .args(["serve", "--port", &port.to_string(), "--root"])
            .arg(root)
            .env_remove("YDT_HMAC_KEY")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ydt serve");
        let mut server = Server { child, port };
        wait_until_listening(
            &mut server.child,
            port,
            "ydt serve",
            Duration::from_secs(30),
        );
        server
    }

    /// Waits until `/api` answers with the handler, that is until the first build has written
    /// the manifest it reads (before that it answers 503).
    pub fn wait_for_api(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let probe = request(
                self.port,
                "POST",
                "/api/track",
                &[("content-type", "application/json")],
                r#"{"case_id":"20260101-0001","query_code":"0000000000000000"}"#,
            );
            if probe
                .as_ref()
                .is_ok_and(|a| a.status == 404 || a.status == 400)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "serve has no manifest: {:?}",
                probe.map(|a| (a.status, a.text()))
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A GET of `path`; panics if no whole answer comes back.
pub fn get(port: u16, path: &str) -> Answer {
    request(port, "GET", path, &[], "").expect("an answer")
}

/// A POST of `body` as `content_type`; panics if no whole answer comes back.
pub fn post(port: u16, path: &str, content_type: &str, body: &str) -> Answer {
    request(port, "POST", path, &[("content-type", content_type)], body).expect("an answer")
}

/// One request on its own connection (`Connection: close`), with `headers` added, read to the
/// end. An error when the connection fails, or breaks before the answer's head is complete (a
/// killed server); a body cut short is the caller's to notice.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(format!("{head}{body}").as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let broken = || std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "incomplete answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(broken)?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or_else(broken)?;
    let mut headers = HeaderMap::new();
    for (name, value) in lines.filter_map(|l| l.split_once(':')) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value.trim()),
        ) {
            headers.append(name, value);
        }
    }
    Ok(Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

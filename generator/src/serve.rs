//! `ydt serve`: preview the site on 127.0.0.1 with live reload, and answer `/api/*` with the
//! submission function's own handler over the embedded local store, so the whole complaint flow
//! can be tried on a laptop.
//!
//! The site is built with `ydt build` into `<root>/.ydt/public` (base URL `http://127.0.0.1:PORT`)
//! and kept up to date by [`crate::preview`]: a change inside one community's folder rebuilds
//! that community and the site-wide pages only; any other change under `content/`, `themes/` or
//! `templates/` rebuilds everything. Changes are noticed by the system's file notifications
//! (inotify on Linux), or by polling every 300 ms where those are not available. Open pages
//! reload through a long poll (`/__ydt/reload`) by a small script added to served HTML only. A
//! failed build prints its errors and the previous site keeps being served. Cases are kept in
//! `<root>/.ydt/store/` (see `ydt cases`); the HMAC key is `YDT_HMAC_KEY` or a random key made
//! once in `<root>/.ydt/secret`.
//!
//! Not a production server: it binds to loopback only and trusts its files.

use std::collections::BTreeSet;
use std::collections::hash_map::DefaultHasher;
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use ydt_function::keys::SecretKey;
use ydt_function::store::local::LocalStore;
use ydt_function::{App, lambda_http};

use crate::preview::{LiveSite, Outcome};

pub const DEFAULT_PORT: u16 = 1111;
const POLL_INTERVAL: Duration = Duration::from_millis(300);
/// After a file notification, changes are gathered until none has come for this long (an editor
/// saving in several steps builds once)…
const SETTLE: Duration = Duration::from_millis(25);
/// …but no longer than this.
const SETTLE_AT_MOST: Duration = Duration::from_millis(500);
const RELOAD_PATH: &str = "/__ydt/reload";
/// The live-reload script, served as a file: the pages' Content-Security-Policy allows scripts
/// from the site itself only, never inline.
const RELOAD_SCRIPT_PATH: &str = "/__ydt/reload.js";
const RELOAD_SCRIPT: &str = "(function(){var s=document.currentScript&&document.currentScript.src||'';\
var m=/[?&]v=(\\d+)/.exec(s);var v=m?m[1]:'0';function poll(){var x=new XMLHttpRequest();\
x.open('GET','/__ydt/reload?v='+v);x.onload=function(){if(x.status===200&&x.responseText!==String(v)){location.reload();}\
else{setTimeout(poll,100);}};x.onerror=function(){setTimeout(poll,1000);};x.send();}poll();})();\n";
/// A long poll answers at the latest after this, and the page asks again.
const RELOAD_WAIT: Duration = Duration::from_secs(25);
/// Bodies beyond this are refused before reaching the handler (which itself allows 32 KiB).
const MAX_READ_BYTES: usize = 1 << 20;

type LocalApp = App<Arc<LocalStore>>;

/// `<root>/.ydt`: the preview's own files (gitignored).
pub fn work_dir(root: &Path) -> PathBuf {
    root.join(".ydt")
}

/// The embedded store `ydt serve` and `ydt cases` share.
pub fn store_dir(root: &Path) -> PathBuf {
    work_dir(root).join("store")
}

struct Preview {
    root: PathBuf,
    /// The built site, served from disk.
    site: PathBuf,
    live: Mutex<LiveSite>,
    store: Arc<LocalStore>,
    key: SecretKey,
    /// `None` until a build has succeeded.
    app: RwLock<Option<Arc<LocalApp>>>,
    /// Bumped after each successful build; pages reload when it moves.
    generation: watch::Sender<u64>,
}

impl Preview {
    /// Brings the site up to date after `changed` paths changed (`None`: anything may have),
    /// then reloads open pages if any file changed. Returns whether the site is up to date.
    fn update(&self, changed: Option<Vec<PathBuf>>) -> bool {
        let started = Instant::now();
        let outcome = {
            let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
            match changed {
                Some(paths) => live.update(&paths),
                None => live.rebuild_all(),
            }
        };
        let (changed, communities, report) = match outcome {
            Outcome::Updated {
                changed,
                communities,
                report,
            } => (changed, communities, report),
            Outcome::Failed(report) => {
                report.print();
                eprintln!("ydt serve: build failed; still serving the previous site");
                return false;
            }
        };
        report.print();
        if changed > 0 {
            self.generation.send_modify(|g| *g += 1);
            match ydt_function::app::load_manifest(&self.site.join("manifest.json")) {
                Ok(manifest) => self.answer_with(manifest),
                Err(err) => eprintln!("ydt serve: /api/* keeps the previous manifest: {err}"),
            }
        }
        let what = match communities {
            Some(slugs) => slugs.join(", "),
            None => "the site".to_string(),
        };
        println!(
            "ydt serve: rebuilt {what}: {changed} file(s) changed in {} ms",
            started.elapsed().as_millis()
        );
        true
    }

    /// From now on `/api/*` answers with this manifest.
    fn answer_with(&self, manifest: ydt_function::manifest::Manifest) {
        // The same knobs as on Lambda, so limits and the trusted origin header can be tried
        // (and load-tested) locally: YDT_*_PER_WINDOW, YDT_RATE_WINDOW_SECS, YDT_ORIGIN_SECRET,
        // YDT_ORIGIN_HEADER.
        let limits = ydt_function::app::Limits::from_env().unwrap_or_else(|err| {
            eprintln!("ydt serve: {err}; using the default limits");
            Default::default()
        });
        let app = App::configured(self.store.clone(), manifest, self.key.clone(), limits);
        *self.app.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(app));
    }

    fn app(&self) -> Option<Arc<LocalApp>> {
        self.app.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Runs the preview until the process is stopped. Returns the exit code.
/// Runs the preview server on `127.0.0.1:port` until the process is stopped; returns the exit
/// code when it cannot start.
pub async fn run(root: &Path, port: u16) -> u8 {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = match TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!(
                "error: cannot listen on {address}: {err} (is another ydt serve running? try --port)"
            );
            return 1;
        }
    };
    let key = match local_key(root) {
        Ok(key) => key,
        Err(err) => {
            eprintln!(
                "error: cannot read or create {}: {err}",
                work_dir(root).join("secret").display()
            );
            return 1;
        }
    };
    let store = match LocalStore::open(&store_dir(root)) {
        Ok(store) => Arc::new(store),
        Err(err) => {
            eprintln!(
                "error: cannot open the case store in {}: {err}",
                store_dir(root).display()
            );
            return 1;
        }
    };
    let (generation, _) = watch::channel(0);
    let site = work_dir(root).join("public");
    let preview = Arc::new(Preview {
        root: root.to_path_buf(),
        live: Mutex::new(LiveSite::new(root, &site, &format!("http://{address}"))),
        site,
        store,
        key,
        app: RwLock::new(None),
        generation,
    });

    let builder = preview.clone();
    let first_build = tokio::task::spawn_blocking(move || builder.update(None)).await;
    if !matches!(first_build, Ok(true)) {
        // Keep serving what the last good build left, /api/* included.
        match ydt_function::app::load_manifest(&preview.site.join("manifest.json")) {
            Ok(manifest) => preview.answer_with(manifest),
            Err(_) => eprintln!(
                "ydt serve: no site to show yet; fix the errors above and save, it rebuilds"
            ),
        }
    }
    let watcher = preview.clone();
    std::thread::spawn(move || watch_sources(&watcher));
    println!(
        "ydt serve: http://{address}/ (cases in {})",
        store_dir(root).display()
    );

    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                eprintln!("ydt serve: accept failed: {err}");
                continue;
            }
        };
        let preview = preview.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| respond(preview.clone(), req, peer));
            // A browser closing a connection mid-answer is no error worth printing.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// `YDT_HMAC_KEY`, else the key in `<root>/.ydt/secret`, made once with fresh random bytes.
fn local_key(root: &Path) -> std::io::Result<SecretKey> {
    if let Ok(key) = std::env::var("YDT_HMAC_KEY")
        && !key.is_empty()
    {
        return Ok(SecretKey::new(key.into_bytes()));
    }
    let path = work_dir(root).join("secret");
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(SecretKey::new(text.trim().as_bytes())),
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    std::fs::create_dir_all(work_dir(root))?;
    let key = SecretKey::random_hex()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&path)?, key.as_bytes())?;
    Ok(SecretKey::new(key.into_bytes()))
}

/// The folders whose files make the site.
fn source_dirs(root: &Path) -> Vec<PathBuf> {
    ["content", "themes", "templates"]
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.is_dir())
        .collect()
}

/// Updates the preview after each burst of changes to the sources, told by the system's file
/// notifications; polls instead where those cannot be had.
fn watch_sources(preview: &Preview) {
    use notify::Watcher;
    let (tx, rx) = std::sync::mpsc::channel();
    let watching = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .and_then(|mut watcher| {
        for dir in source_dirs(&preview.root) {
            watcher.watch(&dir, notify::RecursiveMode::Recursive)?;
        }
        Ok(watcher)
    });
    let _watcher = match watching {
        Ok(watcher) => watcher,
        Err(err) => {
            eprintln!("ydt serve: cannot watch the sources ({err}); looking every 300 ms instead");
            return poll_sources(preview);
        }
    };
    while let Ok(first) = rx.recv() {
        let mut burst = Burst::default();
        burst.add(first);
        let started = Instant::now();
        while started.elapsed() < SETTLE_AT_MOST {
            match rx.recv_timeout(SETTLE) {
                Ok(event) => burst.add(event),
                Err(_) => break,
            }
        }
        if burst.everything {
            preview.update(None);
        } else if !burst.paths.is_empty() {
            preview.update(Some(burst.paths.into_iter().collect()));
        }
    }
}

/// Source paths changed in one burst of notifications.
#[derive(Default)]
struct Burst {
    paths: BTreeSet<PathBuf>,
    /// Notifications were lost: anything may have changed.
    everything: bool,
}

impl Burst {
    fn add(&mut self, event: notify::Result<notify::Event>) {
        let Ok(event) = event else {
            self.everything = true;
            return;
        };
        if event.need_rescan() {
            self.everything = true;
        }
        // Reads (ours included) change nothing.
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        self.paths
            .extend(event.paths.into_iter().filter(|p| !is_scratch(p)));
    }
}

/// Editors' swap, lock and backup files (`.notice.md.swp`, `.#site.yaml`, `site.yaml~`).
fn is_scratch(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n.ends_with('~'))
}

/// Rebuilds the whole site when any source file has changed and then held still for one poll.
fn poll_sources(preview: &Preview) {
    let mut built = fingerprint(&preview.root);
    let mut seen = built;
    loop {
        std::thread::sleep(POLL_INTERVAL);
        let now = fingerprint(&preview.root);
        if now != seen {
            seen = now;
            continue;
        }
        if now != built {
            built = now;
            preview.update(None);
        }
    }
}

/// Paths, sizes and modification times of every source file, hashed.
fn fingerprint(root: &Path) -> u64 {
    let mut hasher = DefaultHasher::new();
    for dir in source_dirs(root) {
        for entry in walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            entry.path().hash(&mut hasher);
            if let Ok(meta) = entry.metadata() {
                meta.len().hash(&mut hasher);
                meta.modified().ok().hash(&mut hasher);
            }
        }
    }
    hasher.finish()
}

type Answer = Response<Full<Bytes>>;

async fn respond(
    preview: Arc<Preview>,
    req: Request<Incoming>,
    peer: SocketAddr,
) -> Result<Answer, Infallible> {
    let path = req.uri().path().to_string();
    Ok(if path == RELOAD_PATH {
        wait_for_rebuild(&preview, req.uri().query().unwrap_or("")).await
    } else if path == RELOAD_SCRIPT_PATH {
        let mut answer = plain(StatusCode::OK, RELOAD_SCRIPT);
        answer.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        );
        answer
    } else if path.starts_with("/api/") {
        api(&preview, req, peer).await
    } else {
        static_file(&preview, req.method(), &path, req.uri().query())
    })
}

/// Hands the request to the function's handler, as API Gateway would.
async fn api(preview: &Preview, req: Request<Incoming>, peer: SocketAddr) -> Answer {
    let Some(app) = preview.app() else {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "the site has not been built yet",
        );
    };
    let (parts, body) = req.into_parts();
    let bytes = match Limited::new(body, MAX_READ_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
    };
    let mut request =
        lambda_http::Request::from_parts(parts, lambda_http::Body::from(bytes.to_vec()));
    request
        .extensions_mut()
        .insert(ydt_function::handler::PeerAddr(peer.ip().to_string()));
    match ydt_function::handle(&app, request).await {
        Ok(response) => {
            let (parts, body) = response.into_parts();
            Response::from_parts(parts, Full::new(Bytes::copy_from_slice(body.as_ref())))
        }
        Err(err) => plain(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
    }
}

/// The long poll behind live reload: answers with the build generation once it differs from the
/// page's (`?v=N`), or after a while with the same one.
async fn wait_for_rebuild(preview: &Preview, query: &str) -> Answer {
    let seen: Option<u64> = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("v="))
        .and_then(|v| v.parse().ok());
    let mut changes = preview.generation.subscribe();
    if Some(*changes.borrow_and_update()) == seen {
        let _ = tokio::time::timeout(RELOAD_WAIT, changes.changed()).await;
    }
    let current = *preview.generation.borrow();
    plain(StatusCode::OK, &current.to_string())
}

fn static_file(preview: &Preview, method: &Method, path: &str, query: Option<&str>) -> Answer {
    if method != Method::GET && method != Method::HEAD {
        let mut answer = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
        answer
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return answer;
    }
    let Some(relative) = safe_relative(path) else {
        return not_found(preview, method);
    };
    let mut file = preview.site.join(&relative);
    if file.is_dir() {
        if !path.ends_with('/') {
            let location = match query {
                Some(q) => format!("{path}/?{q}"),
                None => format!("{path}/"),
            };
            let mut answer = plain(StatusCode::MOVED_PERMANENTLY, "moved");
            if let Ok(value) = HeaderValue::from_str(&location) {
                answer.headers_mut().insert(header::LOCATION, value);
            }
            return answer;
        }
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => file_answer(preview, method, StatusCode::OK, &file, bytes),
        Err(_) => not_found(preview, method),
    }
}

fn not_found(preview: &Preview, method: &Method) -> Answer {
    let page = preview.site.join("404.html");
    match std::fs::read(&page) {
        Ok(bytes) => file_answer(preview, method, StatusCode::NOT_FOUND, &page, bytes),
        Err(_) => plain(StatusCode::NOT_FOUND, "not found"),
    }
}

fn file_answer(
    preview: &Preview,
    method: &Method,
    status: StatusCode,
    file: &Path,
    mut bytes: Vec<u8>,
) -> Answer {
    let content_type = content_type(file);
    if content_type.starts_with("text/html") {
        bytes = with_reload_script(bytes, *preview.generation.borrow());
    }
    let length = bytes.len();
    let body = if method == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from(bytes)
    };
    let mut answer = Response::new(Full::new(body));
    *answer.status_mut() = status;
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

/// Adds the live-reload script before `</body>`, or at the end when minification dropped the tag.
fn with_reload_script(mut html: Vec<u8>, generation: u64) -> Vec<u8> {
    let script = format!("<script src=\"{RELOAD_SCRIPT_PATH}?v={generation}\"></script>");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    html.splice(at..at, script.into_bytes());
    html
}

/// The URL path as a path inside the site, or `None` if it tries to leave it.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let relative = PathBuf::from(decoded.trim_start_matches('/'));
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(relative)
}

pub fn content_type(file: &Path) -> &'static str {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

fn plain(status: StatusCode, text: &str) -> Answer {
    let body = Full::new(Bytes::from(text.to_string()));
    ydt_function::handler::uncached(status, "text/plain; charset=utf-8", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_site() {
        assert_eq!(
            safe_relative("/c/cuizhuyuan/"),
            Some(PathBuf::from("c/cuizhuyuan/"))
        );
        assert_eq!(safe_relative("/"), Some(PathBuf::new()));
        assert_eq!(safe_relative("/../secret"), None);
        assert_eq!(safe_relative("/c/%2e%2e/%2e%2e/secret"), None);
        assert_eq!(
            safe_relative("/%E4%B8%AD.html"),
            Some(PathBuf::from("中.html"))
        );
    }

    #[test]
    fn reload_script_goes_into_html_only_before_body_end() {
        let html = with_reload_script(b"<p>hi</p></body></html>".to_vec(), 3);
        let html = String::from_utf8(html).unwrap();
        assert!(html.starts_with("<p>hi</p><script src="));
        assert!(html.ends_with("</script></body></html>"));
        assert!(html.contains("/__ydt/reload.js?v=3"));
        let minified = String::from_utf8(with_reload_script(b"<p>hi".to_vec(), 0)).unwrap();
        assert!(minified.starts_with("<p>hi<script src="));
        assert_eq!(content_type(Path::new("qr.svg")), "image/svg+xml");
        assert_eq!(
            content_type(Path::new("data.csv")),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("feed.xml")),
            "application/xml; charset=utf-8"
        );
    }
}

//! What the handler runs with: the store, the manifest, the secret key and the limits, read once
//! at start-up (from the environment on Lambda; `ydt serve` fills them in itself).
//!
//! Environment variables (all optional unless noted):
//!
//! | variable | meaning | default |
//! | --- | --- | --- |
//! | `YDT_HMAC_KEY` | secret for query codes and stored hashes (**required** on Lambda) | — |
//! | `YDT_ORIGIN_SECRET` | value CloudFront sends in the origin header; only then is `CloudFront-Viewer-Address` trusted | unset: never trusted |
//! | `YDT_ORIGIN_HEADER` | name of that header | `x-origin-verify` |
//! | `YDT_MANIFEST` | path of `manifest.json` | beside the executable |
//! | `YDT_SUBMISSIONS_PER_WINDOW` | submissions per device per window (a phone without the form's script counts as its address) | 10 |
//! | `YDT_LOOKUPS_PER_WINDOW` | track lookups per device per window | 30 |
//! | `YDT_SUBMISSIONS_PER_ADDRESS` | submissions per address (IPv6: per /64) per window, all devices behind it | 60 |
//! | `YDT_LOOKUPS_PER_ADDRESS` | track lookups per address per window | 300 |
//! | `YDT_VISITS_PER_ADDRESS` | visits counted per address per window (past it the pixel still answers, uncounted) | 600 |
//! | `YDT_RATE_WINDOW_SECS` | the rate-limit window | 600 |
//! | `YDT_CASES_TABLE`, `YDT_REPORTS_TABLE`, `YDT_META_TABLE` | table names | `ydt-cases`, `ydt-reports`, `ydt-meta` |

use std::path::{Path, PathBuf};

use crate::keys::SecretKey;
use crate::manifest::Manifest;

/// Rate limits, each over a sliding window (`window_secs`). Two keys hold a client back: its
/// device (the id the form's script keeps on the phone, so a phone that moves from Wi-Fi to 4G
/// keeps its count) and its address (IPv6 by its /64), whose allowance is sized for a service
/// hall's shared Wi-Fi or a 网格员 filing for several neighbours. A request without a device id
/// (no JavaScript, or a script of someone else's) counts its address as its device.
///
/// Why these numbers: a resident files one or two cases and looks a few up; a volunteer filing for
/// elderly neighbours files one every minute or two (10 in ten minutes); a service hall serves a
/// few dozen people an hour behind one address (60 in ten minutes). Past that it is a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Submissions per device.
    pub submissions: u64,
    /// Lookups per device.
    pub lookups: u64,
    /// Submissions per address, from every device behind it.
    pub submissions_per_address: u64,
    /// Lookups per address.
    pub lookups_per_address: u64,
    /// Visits counted per address; the pixel answers past it, uncounted.
    pub visits_per_address: u64,
    pub window_secs: i64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            submissions: 10,
            lookups: 30,
            submissions_per_address: 60,
            lookups_per_address: 300,
            visits_per_address: 600,
            window_secs: 600,
        }
    }
}

impl Limits {
    pub fn from_env() -> Result<Limits, String> {
        let default = Limits::default();
        Ok(Limits {
            submissions: env_number("YDT_SUBMISSIONS_PER_WINDOW", default.submissions)?,
            lookups: env_number("YDT_LOOKUPS_PER_WINDOW", default.lookups)?,
            submissions_per_address: env_number(
                "YDT_SUBMISSIONS_PER_ADDRESS",
                default.submissions_per_address,
            )?,
            lookups_per_address: env_number(
                "YDT_LOOKUPS_PER_ADDRESS",
                default.lookups_per_address,
            )?,
            visits_per_address: env_number("YDT_VISITS_PER_ADDRESS", default.visits_per_address)?,
            window_secs: env_number("YDT_RATE_WINDOW_SECS", default.window_secs as u64)?.max(1)
                as i64,
        })
    }
}

fn env_number(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number, got {text:?}")),
        _ => Ok(default),
    }
}

/// Everything a request is answered with.
pub struct App<S> {
    pub store: S,
    pub manifest: Manifest,
    pub key: SecretKey,
    /// The secret origin header's expected value; `None` means viewer addresses are never trusted.
    pub origin_secret: Option<String>,
    /// The secret origin header's name, lowercase.
    pub origin_header: String,
    pub limits: Limits,
    /// Seconds since the Unix epoch; a plain function so tests can fix the day.
    pub clock: fn() -> i64,
}

impl<S> App<S> {
    /// An app with default limits, no trusted origin and the system clock.
    pub fn new(store: S, manifest: Manifest, key: SecretKey) -> App<S> {
        App {
            store,
            manifest,
            key,
            origin_secret: None,
            origin_header: DEFAULT_ORIGIN_HEADER.to_string(),
            limits: Limits::default(),
            clock: crate::clock::now_unix,
        }
    }

    /// The Lambda configuration: everything but the store from the environment.
    pub fn from_env(store: S) -> Result<App<S>, String> {
        let key = std::env::var("YDT_HMAC_KEY")
            .ok()
            .filter(|k| k.len() >= 16)
            .ok_or("YDT_HMAC_KEY must be set to a secret of at least 16 characters")?;
        let manifest = load_manifest(&manifest_path_from_env())?;
        let key = SecretKey::new(key.into_bytes());
        Ok(App::configured(store, manifest, key, Limits::from_env()?))
    }

    /// An app with the given limits and the trusted origin header from the environment
    /// (`YDT_ORIGIN_SECRET`, `YDT_ORIGIN_HEADER`): the settings Lambda and `ydt serve` share.
    pub fn configured(store: S, manifest: Manifest, key: SecretKey, limits: Limits) -> App<S> {
        let mut app = App::new(store, manifest, key);
        app.origin_secret = std::env::var("YDT_ORIGIN_SECRET")
            .ok()
            .filter(|s| !s.is_empty());
        if let Ok(name) = std::env::var("YDT_ORIGIN_HEADER")
            && !name.is_empty()
        {
            app.origin_header = name.to_ascii_lowercase();
        }
        app.limits = limits;
        app
    }
}

pub(crate) const DEFAULT_ORIGIN_HEADER: &str = "x-origin-verify";

/// `YDT_MANIFEST`, else `manifest.json` beside the executable.
pub(crate) fn manifest_path_from_env() -> PathBuf {
    if let Ok(path) = std::env::var("YDT_MANIFEST")
        && !path.is_empty()
    {
        return PathBuf::from(path);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_default()
        .join("manifest.json")
}

pub fn load_manifest(path: &Path) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    serde_json::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))
}

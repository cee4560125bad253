//! Shared helpers for the end-to-end tests: locating the built binaries, temporary site roots,
//! and the fault-injecting proxy that stands between the function's DynamoDB store and moto.

pub mod fault_proxy;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The `ydt` binary of the profile these tests were built with: `target/<profile>/ydt`, found
/// from the test executable (`target/<profile>/deps/<test>-<hash>`). `ydt` is another package's
/// binary, which cargo does not build for this package's tests, so it is built here with
/// `cargo build -p ydt` — once per test process, and always: a target directory shared by
/// several checkouts may hold another checkout's `ydt`, and cargo puts this checkout's back
/// (a no-op build when it is fresh).
pub fn ydt_binary() -> PathBuf {
    static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(ydt) = built.as_ref() {
        return ydt.clone();
    }
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps/");
    let ydt = profile_dir.join(format!("ydt{}", std::env::consts::EXE_SUFFIX));
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.args(["build", "--quiet", "-p", "ydt", "--bin", "ydt"]);
    if release {
        cargo.arg("--release");
    }
    let status = cargo.current_dir(env!("CARGO_MANIFEST_DIR")).status();
    match status {
        Ok(s) if s.success() && ydt.is_file() => {}
        Ok(s) => panic!(
            "`cargo build -p ydt` failed ({s}) or did not produce {}",
            ydt.display()
        ),
        Err(e) if ydt.is_file() => {
            eprintln!(
                "cannot run cargo ({e}); using the existing {}",
                ydt.display()
            )
        }
        Err(e) => panic!(
            "{} is missing and cargo cannot be run to build it: {e}",
            ydt.display()
        ),
    }
    *built = Some(ydt.clone());
    ydt
}

/// A fresh, empty directory under the system temp dir for one test, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("ydt-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

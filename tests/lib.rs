//! Shared helpers for the end-to-end tests: locating the built binaries and temporary site roots.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The `ydt` binary of the profile these tests were built with: `target/<profile>/ydt`, found
/// from the test executable (`target/<profile>/deps/<test>-<hash>`). Built with
/// `cargo build -p ydt` when missing, since `ydt` is another package's binary and cargo does not
/// build it for this package's tests.
pub fn ydt_binary() -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps/");
    let ydt = profile_dir.join(format!("ydt{}", std::env::consts::EXE_SUFFIX));
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if !ydt.is_file() {
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cargo.args(["build", "-p", "ydt", "--bin", "ydt"]);
        if release {
            cargo.arg("--release");
        }
        let status = cargo
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap_or_else(|e| panic!("cannot run cargo to build ydt: {e}"));
        assert!(
            status.success() && ydt.is_file(),
            "`cargo build -p ydt` did not produce {}; build it first",
            ydt.display()
        );
    }
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

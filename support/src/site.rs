//! Throwaway site roots: a copy of the repository's example content and theme that a test may
//! break, the real `ydt` binary to run on it, and reading a written tree back as bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The repository's root, where `content/` and `themes/` hold the example site.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// Copies the example site's `content/` and `themes/` into `root`.
pub fn copy_example(root: &Path) {
    copy_tree(&repo().join("content"), &root.join("content"));
    copy_tree(&repo().join("themes"), &root.join("themes"));
}

/// Copies the directory `from`, with everything under it, to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, by its path relative to `dir` with `/` between the
/// parts; empty when `dir` does not exist.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    if !dir.exists() {
        return BTreeMap::new();
    }
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A copy of the example site in its own temporary directory, removed when dropped, with the
/// `ydt` binary that runs on it.
pub struct Site {
    pub root: PathBuf,
    ydt: PathBuf,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Site {
    /// A copy of the example site, run by the `ydt` at `ydt` (a generator test passes
    /// `env!("CARGO_BIN_EXE_ydt")`).
    pub fn example(ydt: impl Into<PathBuf>) -> Site {
        let root = std::env::temp_dir().join(format!(
            "ydt-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        copy_example(&root);
        Site {
            root,
            ydt: ydt.into(),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Replaces the first occurrence of `from` in a file; panics if it is not there, so a test
    /// never silently breaks nothing.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// The 1-based line and column where `needle` first appears in a file (after an edit).
    pub fn position_of(&self, rel: &str, needle: &str) -> (usize, usize) {
        let text = self.read(rel);
        let at = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {rel}"));
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        (line, col)
    }

    pub fn ydt(&self, args: &[&str]) -> Outcome {
        let out = Command::new(&self.ydt)
            .args(args)
            .arg("--root")
            .arg(&self.root)
            .output()
            .expect("run ydt");
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn check(&self) -> Outcome {
        self.ydt(&["check"])
    }

    pub fn build(&self) -> Outcome {
        self.ydt(&["build"])
    }

    /// Every file under `public/`, path → bytes.
    pub fn output(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.path("public"))
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// What a run of `ydt` gave: its exit code and what it printed.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Asserts that stderr names `file:line:column` and, in the same diagnostic, `message`.
    pub fn assert_error_at(&self, file: &str, (line, col): (usize, usize), message: &str) {
        let place = format!("--> {file}:{line}:{col}");
        let found = self
            .stderr
            .split("\nerror")
            .chain(self.stderr.split("\nwarning"))
            .any(|block| block.contains(&place) && block.contains(message));
        assert!(
            found,
            "expected `{message}` at {place}, got:\n{}",
            self.stderr
        );
    }
}

//! A throwaway site root for CLI tests: a copy of the repository's example content and theme
//! that a test may break, and the real `ydt` binary to run on it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Site {
    pub root: PathBuf,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

impl Site {
    /// A copy of the example site.
    pub fn example() -> Site {
        let root = std::env::temp_dir().join(format!(
            "ydt-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&repo().join("content"), &root.join("content"));
        copy_dir(&repo().join("themes"), &root.join("themes"));
        Site { root }
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
        let out = Command::new(env!("CARGO_BIN_EXE_ydt"))
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
        let mut files = BTreeMap::new();
        let base = self.path("public");
        collect(&base, &base, &mut files);
        files
    }
}

fn collect(base: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(base, &p, files);
        } else {
            files.insert(
                p.strip_prefix(base).unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            );
        }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

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

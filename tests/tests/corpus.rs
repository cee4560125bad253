//! The benchmark corpus is valid content and reproducible: `ydt check` passes on it with no
//! errors, and the same seed writes the same bytes.

use std::path::Path;
use std::process::Command;

use ydt_e2e::{Scratch, ydt_binary};
use ydt_test_support::site::tree;

fn corpus(size: &str, seed: u64, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_ydt-corpus"))
        .args(["--size", size, "--seed", &seed.to_string(), "--out"])
        .arg(out)
        .status()
        .expect("ydt-corpus runs");
    assert!(status.success(), "ydt-corpus --size {size} failed");
}

#[test]
fn the_small_corpus_passes_ydt_check() {
    let scratch = Scratch::new("corpus-check");
    let root = scratch.0.join("site");
    corpus("small", 7, &root);
    let out = Command::new(ydt_binary())
        .args(["check", "--root"])
        .arg(&root)
        .output()
        .expect("ydt runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    let communities = std::fs::read_dir(root.join("content/communities"))
        .unwrap()
        .count();
    assert_eq!(communities, 30);
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let scratch = Scratch::new("corpus-seed");
    let (a, b, c) = (
        scratch.0.join("a"),
        scratch.0.join("b"),
        scratch.0.join("c"),
    );
    corpus("small", 42, &a);
    corpus("small", 42, &b);
    corpus("small", 43, &c);
    let (a, b, c) = (tree(&a), tree(&b), tree(&c));
    assert!(a.len() > 1000, "{} files", a.len());
    assert!(a == b, "two runs with seed 42 differ");
    assert!(a != c, "seeds 42 and 43 gave the same corpus");
}

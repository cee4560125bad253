//! The pre-commit hook (`hooks/pre-commit`, installed with `git config core.hooksPath hooks`):
//! a roster dropped under content/ is refused before it is ever committed, and so is an unmasked
//! identifier; a clean change goes through.

use std::path::Path;
use std::process::{Command, Output};

use ydt_test_support::site::{copy_example, copy_tree, repo};

const YDT: &str = env!("CARGO_BIN_EXE_ydt");

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args([
            "-c",
            "user.name=书记员",
            "-c",
            "user.email=clerk@example.org",
        ])
        .args(args)
        .current_dir(dir)
        .env("YDT", YDT)
        .output()
        .expect("run git")
}

fn commit(dir: &Path, message: &str) -> Output {
    git(dir, &["commit", "-q", "-m", message])
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_hook_refuses_a_roster_and_an_unmasked_number_and_lets_clean_content_through() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_example(root);
    copy_tree(&repo().join("hooks"), &root.join("hooks"));
    assert!(git(root, &["init", "-q"]).status.success());
    // The one install command the docs give.
    assert!(
        git(root, &["config", "core.hooksPath", "hooks"])
            .status
            .success()
    );
    assert!(git(root, &["add", "-A"]).status.success());
    let first = commit(root, "example site");
    assert!(first.status.success(), "{}", text(&first));

    // A roster is ignored by content/.gitignore ...
    let roster = "content/communities/qingshui/records/低保名册.xlsx";
    std::fs::write(root.join(roster), b"PK\x03\x04").unwrap();
    let add = git(root, &["add", roster]);
    assert!(
        !add.status.success(),
        "a roster must be ignored: {}",
        text(&add)
    );
    // ... and refused by the hook when added anyway.
    assert!(git(root, &["add", "-f", roster]).status.success());
    let refused = commit(root, "roster");
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(
        text(&refused).contains("低保名册.xlsx 不是公开内容"),
        "{}",
        text(&refused)
    );
    assert!(text(&refused).contains("提交被拒绝"), "{}", text(&refused));
    assert!(
        git(root, &["rm", "-q", "--cached", roster])
            .status
            .success()
    );

    // What is checked is what is staged: an unmasked mobile in the index is refused.
    let notice = "content/communities/qingshui/community.yaml";
    let original = std::fs::read_to_string(root.join(notice)).unwrap();
    let leaked = original.replacen("name: ", "name: 13955123456 ", 1);
    std::fs::write(root.join(notice), &leaked).unwrap();
    assert!(git(root, &["add", notice]).status.success());
    let refused = commit(root, "leak");
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("mobile"), "{}", text(&refused));

    // Put right, the commit goes through.
    std::fs::write(root.join(notice), &original).unwrap();
    assert!(git(root, &["add", notice]).status.success());
    std::fs::write(root.join("content/communities/qingshui/notices/2026-12-x.md"), "---\ntitle: 关于十二月停水的通知\ndate: 2026-12-02\ncategory: 通知公告\n---\n12月5日停水一天。\n").unwrap();
    assert!(git(root, &["add", "-A", "content"]).status.success());
    let ok = commit(root, "notice");
    assert!(ok.status.success(), "{}", text(&ok));
}

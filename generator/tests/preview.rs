//! `ydt serve` rebuilds one community at a time; what it leaves must be byte for byte what a full
//! build of the same sources gives, after every kind of change a clerk makes.

use std::path::{Path, PathBuf};

use ydt::preview::{LiveSite, Outcome};
use ydt_test_support::site::{Site, copy_tree, tree};

const YDT: &str = env!("CARGO_BIN_EXE_ydt");

const BASE: &str = "http://127.0.0.1:1111";
const RECORD: &str = "content/communities/cuizhuyuan/records/2026-09-caiwu.yaml";

/// Fails naming every file that is missing, extra or different.
fn assert_same_tree(incremental: &Path, full: &Path, after: &str) {
    let (a, b) = (tree(incremental), tree(full));
    let mut problems = Vec::new();
    for (path, bytes) in &b {
        match a.get(path) {
            None => problems.push(format!("missing {path}")),
            Some(got) if got != bytes => problems.push(format!("differs {path}")),
            Some(_) => {}
        }
    }
    problems.extend(
        a.keys()
            .filter(|p| !b.contains_key(*p))
            .map(|p| format!("extra {p}")),
    );
    assert!(
        problems.is_empty(),
        "after {after}, the preview differs from a full build:\n{}",
        problems.join("\n")
    );
    assert!(b.len() > 100, "the full build wrote only {} files", b.len());
}

struct Preview {
    site: Site,
    live: LiveSite,
    full: PathBuf,
}

impl Preview {
    fn start() -> Preview {
        let site = Site::example(YDT);
        let out = site.path(".ydt/public");
        let mut live = LiveSite::new(&site.root, &out, BASE);
        let first = live.rebuild_all();
        assert!(matches!(first, Outcome::Updated { .. }), "{first:?}");
        let full = site.path("full");
        Preview { site, live, full }
    }

    /// Tells the preview that `paths` changed; returns the communities it rebuilt on their own.
    fn changed(&mut self, paths: &[&str]) -> Option<Vec<String>> {
        let paths: Vec<PathBuf> = paths.iter().map(|p| self.site.path(p)).collect();
        match self.live.update(&paths) {
            Outcome::Updated {
                communities,
                changed,
                ..
            } => {
                assert!(changed > 0, "the change to {paths:?} changed no file");
                communities
            }
            Outcome::Failed(report) => panic!("the update failed: {report:?}"),
        }
    }

    /// A full build of the same sources, compared with the preview's folder.
    fn matches_full_build(&self, after: &str) {
        let _ = std::fs::remove_dir_all(&self.full);
        if let Err(report) = ydt::build::build_into(
            &self.site.root,
            &self.full,
            &ydt::build::Options {
                base_url: Some(BASE.to_string()),
                progress: false,
            },
        ) {
            panic!("the full build failed: {report:?}");
        }
        assert_same_tree(&self.site.path(".ydt/public"), &self.full, after);
    }
}

fn only(slug: &str) -> Option<Vec<String>> {
    Some(vec![slug.to_string()])
}

#[test]
fn a_changed_record_rebuilds_its_community_and_matches_a_full_build() {
    let mut p = Preview::start();
    // A row's amount and the summary that quotes the balance: the record page, its CSV and
    // JSON, the entry page's list and the feed change; nothing outside the community but the
    // sitemap's dates may.
    p.site.edit(RECORD, "expense: 3632.00", "expense: 3633.00");
    p.site
        .edit(RECORD, "expense: 47816.93", "expense: 47817.93");
    p.site.edit(RECORD, "190966.54元", "190965.54元");
    let before = tree(&p.site.path(".ydt/public"));
    assert_eq!(p.changed(&[RECORD]), only("cuizhuyuan"));
    let after = tree(&p.site.path(".ydt/public"));
    let page = "c/cuizhuyuan/2026-09-caiwu/index.html";
    assert_ne!(
        before[page], after[page],
        "the record page was not rewritten"
    );
    assert!(String::from_utf8_lossy(&after[page]).contains("47817.93"));
    let others_changed: Vec<&String> = after
        .keys()
        .filter(|k| {
            k.starts_with("c/")
                && !k.starts_with("c/cuizhuyuan/")
                && before.get(*k) != after.get(*k)
        })
        .collect();
    assert!(
        others_changed.is_empty(),
        "other communities' files changed: {others_changed:?}"
    );
    p.matches_full_build("a changed record");

    // A later publication date shows in the sitemap: the site-wide pages follow.
    p.site
        .edit(RECORD, "published: 2026-10-09", "published: 2026-10-12");
    assert_eq!(p.changed(&[RECORD]), only("cuizhuyuan"));
    let sitemap =
        String::from_utf8(std::fs::read(p.site.path(".ydt/public/sitemap.xml")).unwrap()).unwrap();
    assert!(sitemap.contains("2026-10-12"));
    p.matches_full_build("a changed publication date");
}

#[test]
fn added_and_removed_records_notices_and_communities_match_a_full_build() {
    let mut p = Preview::start();

    // A new notice.
    let notice = "content/communities/binhu/notices/2026-11-tingdian.md";
    p.site.write(
        notice,
        "---\ntitle: 停电通知\ndate: 2026-11-20\ncategory: 村务公开\n---\n11月22日8:00至12:00，滨湖社区1至6栋停电检修。\n",
    );
    assert_eq!(p.changed(&[notice]), only("binhu"));
    p.matches_full_build("a new notice");

    // A record deleted: its page, CSV and JSON go.
    std::fs::remove_file(p.site.path(RECORD)).unwrap();
    assert_eq!(p.changed(&[RECORD]), only("cuizhuyuan"));
    assert!(
        !p.site
            .path(".ydt/public/c/cuizhuyuan/2026-09-caiwu")
            .exists()
    );
    p.matches_full_build("a deleted record");

    // A new community: the home page, sitemap and manifest list it.
    let from = p.site.path("content/communities/qingshui");
    let to = p.site.path("content/communities/qingshui-xinyuan");
    copy_tree(&from, &to);
    p.site.edit(
        "content/communities/qingshui-xinyuan/community.yaml",
        "name: 清水苑社区",
        "name: 清水新苑社区",
    );
    assert_eq!(
        p.changed(&["content/communities/qingshui-xinyuan/community.yaml"]),
        only("qingshui-xinyuan")
    );
    assert!(
        String::from_utf8_lossy(&std::fs::read(p.site.path(".ydt/public/index.html")).unwrap())
            .contains("清水新苑")
    );
    p.matches_full_build("a new community");

    // The community removed again, folder and all.
    std::fs::remove_dir_all(&to).unwrap();
    assert_eq!(
        p.changed(&["content/communities/qingshui-xinyuan"]),
        only("qingshui-xinyuan")
    );
    assert!(!p.site.path(".ydt/public/c/qingshui-xinyuan").exists());
    p.matches_full_build("a removed community");

    // Two communities in one save.
    p.site.edit(
        "content/communities/binhu/community.yaml",
        "hours: 工作日",
        "hours: 周一至周五",
    );
    p.site.edit(
        "content/communities/qingshui/community.yaml",
        "address: 合肥市包河区清水苑路35号",
        "address: 合肥市包河区清水苑路37号",
    );
    assert_eq!(
        p.changed(&[
            "content/communities/binhu/community.yaml",
            "content/communities/qingshui/community.yaml",
        ]),
        Some(vec!["binhu".to_string(), "qingshui".to_string()])
    );
    p.matches_full_build("two communities at once");
}

#[test]
fn a_change_outside_the_communities_builds_the_whole_site() {
    let mut p = Preview::start();
    p.site.edit("content/site.yaml", "title: ", "title: 新版");
    assert_eq!(p.changed(&["content/site.yaml"]), None);
    p.matches_full_build("a changed site.yaml");
}

#[test]
fn a_broken_record_leaves_the_preview_as_it_was_until_fixed() {
    let mut p = Preview::start();
    let before = tree(&p.site.path(".ydt/public"));
    p.site.edit(RECORD, "expense: 3632.00", "expense: 36.32.00");
    match p.live.update(&[p.site.path(RECORD)]) {
        Outcome::Failed(report) => {
            let text = format!("{report:?}");
            assert!(text.contains("2026-09-caiwu.yaml"), "{text}");
        }
        other => panic!("a broken record was published: {other:?}"),
    }
    assert!(
        before == tree(&p.site.path(".ydt/public")),
        "a failed update changed the folder"
    );

    p.site.edit(RECORD, "expense: 36.32.00", "expense: 3633.00");
    p.site
        .edit(RECORD, "expense: 47816.93", "expense: 47817.93");
    p.site.edit(RECORD, "190966.54元", "190965.54元");
    assert_eq!(p.changed(&[RECORD]), only("cuizhuyuan"));
    p.matches_full_build("a fixed record");
}

//! The small-power list (小微权力清单) on the example site: the list and each power's page, its
//! steps as an ordered list in order, a community's own power, the links from records, entry
//! pages and /help/, and the mistakes in a power file named with their place.

use ydt_test_support::site::Site;

const YDT: &str = env!("CARGO_BIN_EXE_ydt");

const DIBAO: &str = "content/powers/dibao-shenqing.yaml";
const OWN: &str = "content/communities/cuizhuyuan/powers/laonian-zhucan.yaml";

fn page(files: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> String {
    let bytes = files
        .get(path)
        .unwrap_or_else(|| panic!("{path} missing from the output"));
    String::from_utf8(bytes.clone()).unwrap()
}

/// The `what:` of every step of a power file, in the file's order.
fn steps_of(yaml: &str) -> Vec<String> {
    yaml.lines()
        .filter_map(|l| l.trim().strip_prefix("what: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_list_and_every_power_have_pages_linked_from_the_site() {
    let site = Site::example(YDT);
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = site.output();

    let powers: Vec<String> = std::fs::read_dir(site.path("content/powers"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        powers.len() >= 10,
        "the example has {} powers",
        powers.len()
    );
    let list = page(&files, "quanli/index.html");
    let sitemap = page(&files, "sitemap.xml");
    for id in &powers {
        page(&files, &format!("quanli/{id}/index.html"));
        assert!(
            list.contains(&format!("/quanli/{id}/")),
            "/quanli/ lists {id}"
        );
        assert!(
            sitemap.contains(&format!("https://ydt.example.cn/quanli/{id}/")),
            "the sitemap lists {id}"
        );
    }
    assert!(sitemap.contains("https://ydt.example.cn/quanli/</loc>"));
    let dibao_steps = steps_of(&site.read(DIBAO)).len();
    assert!(
        list.contains(&format!("{dibao_steps}步")),
        "the list gives each power's number of steps"
    );

    // A community's own power has its page under the community, is listed there and on the
    // site-wide list, and is in the sitemap.
    let own = page(&files, "c/cuizhuyuan/quanli/laonian-zhucan/index.html");
    assert!(own.contains("社区老年助餐补贴"));
    assert!(
        page(&files, "c/cuizhuyuan/index.html").contains("/c/cuizhuyuan/quanli/laonian-zhucan/")
    );
    assert!(list.contains("/c/cuizhuyuan/quanli/laonian-zhucan/"));
    assert!(sitemap.contains("https://ydt.example.cn/c/cuizhuyuan/quanli/laonian-zhucan/"));
    assert!(
        !files.contains_key("c/binhu/quanli/laonian-zhucan/index.html"),
        "another community does not get it"
    );

    // Every entry page and /help/ link the list.
    for slug in ["cuizhuyuan", "binhu", "qingshui"] {
        assert!(
            page(&files, &format!("c/{slug}/index.html")).contains("href=/quanli/"),
            "{slug}'s entry page links /quanli/"
        );
    }
    assert!(page(&files, "help/index.html").contains("href=/quanli/"));
}

#[test]
fn a_powers_steps_are_an_ordered_list_in_the_files_order() {
    let site = Site::example(YDT);
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = site.output();
    for (source, path) in [
        (DIBAO, "quanli/dibao-shenqing/index.html"),
        (OWN, "c/cuizhuyuan/quanli/laonian-zhucan/index.html"),
    ] {
        let html = page(&files, path);
        let start = html.find("<ol").expect("the flowchart is an <ol>");
        let end = start + html[start..].find("</ol>").expect("the <ol> is closed");
        let flow = &html[start..end];
        assert!(!flow.contains("<script"), "the flowchart needs no script");
        let steps = steps_of(&site.read(source));
        assert!(steps.len() >= 3, "{source} has its steps");
        assert_eq!(
            flow.matches("<li>").count(),
            steps.len(),
            "one list item per step in {path}"
        );
        let mut at = 0;
        for (n, what) in steps.iter().enumerate() {
            let found = flow[at..]
                .find(what.as_str())
                .unwrap_or_else(|| panic!("step {} of {source} is not in order in {path}", n + 1));
            at += found + what.len();
        }
    }
    let dibao = page(&files, "quanli/dibao-shenqing/index.html");
    for shown in [
        "《社会救助暂行办法》",
        "10个工作日",
        "负面清单",
        "不准优亲厚友",
    ] {
        assert!(dibao.contains(shown), "the 低保 page shows {shown}");
    }
}

#[test]
fn a_record_page_links_the_powers_behind_its_kind() {
    let site = Site::example(YDT);
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = site.output();
    let payouts = page(&files, "c/cuizhuyuan/2026-11-gaoling-jintie/index.html");
    assert!(
        payouts.contains("href=/quanli/gaoling-jintie/"),
        "a payout list links 高龄津贴"
    );
    assert!(
        payouts.contains("href=/c/cuizhuyuan/quanli/laonian-zhucan/"),
        "and the community's own power of that kind"
    );
    assert!(
        !payouts.contains("/quanli/cunji-gongcheng/"),
        "not a power of another kind"
    );
    // Another community's record does not link 翠竹园's own power.
    let other = files
        .keys()
        .find(|p| p.starts_with("c/binhu/") && p.ends_with("/data.json"))
        .map(|p| p.trim_end_matches("data.json").to_string() + "index.html")
        .expect("binhu has a record");
    assert!(!page(&files, &other).contains("laonian-zhucan"));
}

#[test]
fn mistakes_in_a_power_file_are_named_with_their_place() {
    let site = Site::example(YDT);
    site.edit(DIBAO, "acting_body:", "actor:");
    site.edit(DIBAO, "kind: payouts", "kind: payout");
    site.edit(OWN, "basis:", "basiss:");
    site.write("content/powers/Bad_Name.yaml", &site.read(DIBAO));
    let out = site.check();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_error_at(
        DIBAO,
        site.position_of(DIBAO, "actor:"),
        "unknown field `actor`",
    );
    out.assert_error_at(
        OWN,
        site.position_of(OWN, "basiss:"),
        "unknown field `basiss`",
    );
    assert!(
        out.stderr.contains("content/powers/Bad_Name.yaml:1:1") && out.stderr.contains("Bad_Name"),
        "{}",
        out.stderr
    );

    // With the field fixed, the unknown kind is named where it is written.
    site.edit(DIBAO, "actor:", "acting_body:");
    let out = site.check();
    assert_eq!(out.code, 1);
    out.assert_error_at(
        DIBAO,
        site.position_of(DIBAO, "payout"),
        "unknown record kind `payout`",
    );

    // A missing field names the file.
    let site = Site::example(YDT);
    site.edit(DIBAO, "name: 最低生活保障（低保）申请\n", "");
    let out = site.check();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(DIBAO) && out.stderr.contains("missing field `name`"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unmasked_mobile_in_a_power_fails_the_build() {
    for file in [DIBAO, OWN] {
        let site = Site::example(YDT);
        site.edit(
            file,
            "negative_list:\n",
            "negative_list:\n  - 不准拒接群众电话（主任手机 139 5510 2288）\n",
        );
        let out = site.build();
        assert_eq!(out.code, 1, "{file}: {}", out.stderr);
        out.assert_error_at(
            file,
            site.position_of(file, "139 5510 2288"),
            "would be published",
        );
        assert!(
            !site.path("public").exists(),
            "nothing is published from a failed build"
        );
    }
    // A hidden direction control in a power's text is refused too.
    let site = Site::example(YDT);
    site.edit(DIBAO, "name: 最低生活保障", "name: 最低\u{202E}生活保障");
    let out = site.build();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(DIBAO) && out.stderr.contains("invisible character"),
        "{}",
        out.stderr
    );
}

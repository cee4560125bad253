//! No script gets in: a catalogue of script, HTML, attribute and URL injections, direction
//! overrides and very long words, sent through every field a page or an answer shows — content
//! (community, record, notice title and Markdown) through `ydt build`, and a resident's complaint
//! text and a handler's reply through the function's HTML answers — and found escaped or dropped
//! in what comes out. Every page carries a Content-Security-Policy allowing only the site's own
//! scripts and its one hashed inline style. A direction override in content is refused by the
//! build, with its position; from a complaint it is dropped in the function's HTML answers.

use std::path::Path;

use ydt_function::store::local::LocalStore;
use ydt_test_support::site::{copy_example, tree};
use ydt_test_support::{Event, app, call, form_encode};

/// What an attacker writes, one per line of the catalogue.
const CATALOGUE: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    "</title><script>alert(3)</script>",
    "javascript:alert(4)",
    "<a href=\"javascript:alert(5)\">点我</a>",
    "<iframe src=//example.invalid></iframe>",
    DIRECTION_OVERRIDE,
];

/// Refused in content (`ydt build` fails); dropped from the function's HTML answers.
const DIRECTION_OVERRIDE: &str = "\u{202E}1234-56021\u{202C} 倒序显示";

fn long_word() -> String {
    "长".repeat(3000) + &"w".repeat(3000)
}

/// A start tag as a browser reads it: its name and attributes (values unescaped enough to check).
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// The start tags of a page, read as a browser's tokenizer does for these purposes: text inside
/// quoted attribute values, `<title>`, `<textarea>`, `<script>` and `<style>` is not markup.
fn start_tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(open) = html[i..].find('<').map(|o| o + i) {
        i = open + 1;
        if bytes.get(i).is_none_or(|b| !b.is_ascii_alphabetic()) {
            continue;
        }
        let name_end = html[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(html.len(), |e| e + i);
        let name = html[i..name_end].to_ascii_lowercase();
        i = name_end;
        let mut attributes = Vec::new();
        loop {
            while bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
            {
                i += 1;
            }
            match bytes.get(i) {
                None => break,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            let key_end = html[i..]
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>')
                .map_or(html.len(), |e| e + i);
            let key = html[i..key_end].to_ascii_lowercase();
            i = key_end;
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                match bytes.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let end = html[i + 1..]
                            .find(q as char)
                            .map_or(html.len(), |e| e + i + 1);
                        value = html[i + 1..end].to_string();
                        i = (end + 1).min(html.len());
                    }
                    _ => {
                        let end = html[i..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .map_or(html.len(), |e| e + i);
                        value = html[i..end].to_string();
                        i = end;
                    }
                }
            }
            attributes.push((key, value));
        }
        if matches!(name.as_str(), "title" | "textarea" | "script" | "style") {
            let close = format!("</{name}");
            i = html[i..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |e| e + i);
        }
        tags.push(Tag { name, attributes });
    }
    tags
}

/// Tests that the page could not run a script of anyone but the site: no inline or foreign
/// `<script>`, no event-handler attribute, no `javascript:` URL, no frames or plugins.
fn assert_inert(where_: &str, html: &str) {
    for tag in start_tags(html) {
        let attribute = |name: &str| {
            tag.attributes
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if tag.name == "script" {
            let src = attribute("src").unwrap_or("");
            assert!(src.starts_with("/static/"), "{where_}: script {src:?}");
        }
        assert!(
            !matches!(
                tag.name.as_str(),
                "iframe" | "object" | "embed" | "base" | "frame"
            ),
            "{where_}: <{}>",
            tag.name
        );
        for (key, value) in &tag.attributes {
            assert!(
                !key.starts_with("on"),
                "{where_}: <{} {key}={value:?}>",
                tag.name
            );
            let url: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(
                !url.starts_with("javascript:") && !url.starts_with("&#"),
                "{where_}: <{} {key}={value:?}>",
                tag.name
            );
        }
    }
}

/// A YAML double-quoted scalar.
fn yaml(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

fn replace_line(file: &Path, starts_with: &str, new_line: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut done = false;
    let replaced: Vec<String> = text
        .lines()
        .map(|line| {
            if !done && line.starts_with(starts_with) {
                done = true;
                new_line.to_string()
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(
        done,
        "{} has no line starting {starts_with:?}",
        file.display()
    );
    std::fs::write(file, replaced.join("\n") + "\n").unwrap();
}

#[test]
fn injections_in_content_come_out_escaped_under_a_strict_policy() {
    let root = tempfile::tempdir().unwrap();
    copy_example(root.path());
    // The direction override is tried on its own below: the build refuses it.
    let catalogue: Vec<&str> = CATALOGUE
        .iter()
        .copied()
        .filter(|line| *line != DIRECTION_OVERRIDE)
        .collect();
    let all = catalogue.join(" ");
    let community = root.path().join("content/communities/cuizhuyuan");
    replace_line(
        &community.join("community.yaml"),
        "name:",
        &format!("name: {}", yaml(&format!("翠竹园社区{}", CATALOGUE[0]))),
    );
    replace_line(
        &community.join("community.yaml"),
        "  address:",
        &format!("  address: {}", yaml(&all)),
    );
    let record = community.join("records/2026-11-dibao.yaml");
    replace_line(&record, "title:", &format!("title: {}", yaml(&all)));
    replace_line(
        &record,
        "summary:",
        &format!("summary: {}", yaml(&format!("{all} {}", long_word()))),
    );
    replace_line(
        &record,
        "    note:",
        &format!("    note: {}", yaml(CATALOGUE[1])),
    );
    let notice = community.join("notices/2026-11-tingshui.md");
    replace_line(&notice, "title:", &format!("title: {}", yaml(&all)));
    replace_line(&notice, "summary:", &format!("summary: {}", yaml(&all)));
    let mut body = std::fs::read_to_string(&notice).unwrap();
    for line in &catalogue {
        body.push_str(&format!("\n\n{line}\n"));
    }
    body.push_str(&format!(
        "\n\n[点这里](javascript:alert(6)) [也点这里](JaVaScRiPt:alert(7)) \
         ![图](javascript:alert(8)) <javascript:alert(9)>\n\n\
         <div onclick=\"alert(10)\">块</div>\n\n{}\n",
        long_word()
    ));
    std::fs::write(&notice, body).unwrap();

    let out = root.path().join("public");
    let built = ydt::build::build_into(root.path(), &out, &ydt::build::Options::default());
    let summary = built
        .unwrap_or_else(|report| panic!("build failed: {report:?}"))
        .summary;
    assert!(summary.pages > 20);

    let mut pages = 0;
    let mut carried = 0;
    for (where_, bytes) in tree(&out) {
        if !where_.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        assert_inert(&where_, &html);
        assert_policy(&where_, &html);
        pages += 1;
        if html.contains("&lt;script") {
            carried += 1;
        }
    }
    assert!(pages > 20);
    // The escaped text is there (the injection was published as text, not lost silently).
    assert!(
        carried > 5,
        "escaped catalogue text found on only {carried} pages"
    );
    let notice_page =
        std::fs::read_to_string(out.join("c/cuizhuyuan/notices/2026-11-tingshui/index.html"))
            .unwrap();
    assert!(
        notice_page.contains("&lt;img src=x onerror=alert(1)>")
            || notice_page.contains("&lt;img src=x onerror=alert(1)&gt;")
    );
    assert!(
        !notice_page
            .to_ascii_lowercase()
            .contains("javascript:alert(6)\"")
    );
    assert!(
        notice_page.contains("&lt;div onclick"),
        "raw HTML is shown as text"
    );

    // A direction override in a record title and a notice body: refused, each named with its
    // place, and the site built above stays as it was.
    let before = std::fs::read(out.join("index.html")).unwrap();
    replace_line(
        &record,
        "title:",
        &format!("title: {}", yaml(&format!("低保{DIRECTION_OVERRIDE}"))),
    );
    let mut body = std::fs::read_to_string(&notice).unwrap();
    body.push_str(&format!("\n\n{DIRECTION_OVERRIDE}\n"));
    std::fs::write(&notice, body).unwrap();
    let report = ydt::build::build_into(root.path(), &out, &ydt::build::Options::default())
        .map(|_| ())
        .expect_err("a direction override in content must fail the build");
    for file in [
        "content/communities/cuizhuyuan/records/2026-11-dibao.yaml",
        "content/communities/cuizhuyuan/notices/2026-11-tingshui.md",
    ] {
        assert!(
            report.diagnostics.iter().any(|d| {
                d.location().is_some_and(|(path, _, _)| path == file)
                    && d.to_string().contains("U+202E RIGHT-TO-LEFT OVERRIDE")
            }),
            "no refusal of U+202E in {file}: {report:?}"
        );
    }
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), before);
}

/// The page's policy names exactly the hash of its inline style, and nothing looser.
fn assert_policy(where_: &str, html: &str) {
    let named = html
        .find("http-equiv=Content-Security-Policy")
        .or_else(|| html.find("http-equiv=\"Content-Security-Policy\""))
        .unwrap_or_else(|| panic!("{where_}: no Content-Security-Policy"));
    let tag_start = html[..named].rfind("<meta").unwrap();
    let tag_end = named + html[named..].find('>').unwrap();
    let policy = &html[tag_start..tag_end];
    let head_end = html.find("</head>").unwrap();
    assert!(tag_end < head_end);
    if let Some(style_at) = html.find("<style>") {
        assert!(
            tag_end < style_at,
            "{where_}: the policy must come before the style"
        );
        let start = style_at + "<style>".len();
        let end = start + html[start..].find("</style>").unwrap();
        let hash = ydt::render::csp::source_hash(&html.as_bytes()[start..end]);
        assert!(policy.contains(&hash), "{where_}: style hash missing");
    }
    for must in [
        "default-src 'self'",
        "script-src 'self';",
        "img-src 'self' data:",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(
            policy.contains(must),
            "{where_}: policy lacks {must}: {policy}"
        );
    }
    assert!(!policy.contains("unsafe-inline"), "{where_}: {policy}");
}

#[tokio::test]
async fn injections_in_complaints_and_replies_come_out_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(LocalStore::open(dir.path()).unwrap());
    let app = app(store.clone());
    let all = CATALOGUE.join(" ");
    let text = format!("{all} {}", "长".repeat(900));

    // A refused form keeps the resident's text, in the page, escaped.
    let refused = call(
        &app,
        &Event::post_form(
            "/api/submissions",
            &[
                ("community", "cuizhuyuan"),
                ("type", "complaint"),
                ("category", "subsidy"),
                ("body", &text),
                ("contact_name", "张三"),
                ("contact_phone", "not-a-phone"),
            ],
        ),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_inert("refused form page", &refused.text());
    assert!(refused.text().contains("&lt;script&gt;alert(1)"));
    assert_header_policy(&refused);

    // Accepted: the receipt page, then a handler's reply full of injections, then track.
    let accepted = call(
        &app,
        &Event::post_form(
            "/api/submissions",
            &[
                ("community", "cuizhuyuan"),
                ("type", "complaint"),
                ("category", "subsidy"),
                ("body", &text),
            ],
        ),
    )
    .await;
    assert_eq!(accepted.status, 201, "{}", accepted.text());
    assert_inert("receipt page", &accepted.text());
    assert_header_policy(&accepted);
    let (_, case) = store.cases().unwrap().pop().unwrap();
    let case_id = case.case.case_id.clone();
    store
        .edit(
            &case_id,
            Some("办理中"),
            Some(&text),
            "2026-12-02T09:00:00+08:00",
        )
        .unwrap();
    // The query code is on the receipt page, grouped in fours.
    let receipt = accepted.text();
    let digits: String = receipt
        .split("查询码")
        .nth(1)
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .take(16)
        .collect();
    let tracked = call(
        &app,
        &Event::post(
            "/api/track",
            "application/x-www-form-urlencoded",
            &format!(
                "case_id={}&query_code={}",
                form_encode(&case_id),
                form_encode(&digits)
            ),
        ),
    )
    .await;
    assert_eq!(tracked.status, 200, "{}", tracked.text());
    let page = tracked.text();
    assert_inert("track page", &page);
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(
        !page.contains('\u{202E}'),
        "a direction override shown as is"
    );
    assert_header_policy(&tracked);

    // JSON answers are data, never HTML: served as JSON, so a browser never renders them.
    let json = call(
        &app,
        &Event::post_json(
            "/api/track",
            &serde_json::json!({"case_id": case_id, "query_code": digits}),
        ),
    )
    .await;
    assert_eq!(json.status, 200);
    assert!(
        json.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(json.json()["replies"][0]["text"], text);
}

fn assert_header_policy(answer: &ydt_test_support::Answer) {
    let policy = answer
        .header("content-security-policy")
        .expect("Content-Security-Policy header on an HTML answer");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"));
    let html = answer.text();
    let start = html.find("<style>").unwrap() + "<style>".len();
    let end = start + html[start..].find("</style>").unwrap();
    let hash = ydt::render::csp::source_hash(&html.as_bytes()[start..end]);
    assert!(policy.contains(&hash), "{policy} lacks {hash}");
}

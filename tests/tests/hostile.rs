//! Hostile input, property-tested: nothing a clerk commits or a client sends may panic the
//! generator or the handler, or get a 5xx; the privacy guard finds every unmasked identifier
//! however it is surrounded, and never a masked one.
//!
//! Sized for CI by `PROPTEST_CASES` (default below); `tests/fuzz` runs the same properties for
//! minutes. cargo-fuzz needs a nightly toolchain, so the fuzzing here is proptest on stable.
//! proptest prints a failing case shrunk to its smallest form; each one found becomes a plain
//! regression test beside the code it broke. (None has been found so far: 20,000 cases of each
//! property in `bench/fuzz.sh`.)

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use lambda_http::http::{self, Method};
use lambda_http::{Body, Request};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use ydt::checks::privacy::{PublicNumbers, scan};
use ydt_function::store::local::LocalStore;
use ydt_test_support::site::repo;

/// Cases per property in the ordinary test run; `PROPTEST_CASES` overrides it.
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---- the privacy guard ----

/// Chinese text with no digits, letters or separators that could join a number.
fn chinese(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('，'),
            Just('。'),
            proptest::char::range('\u{4e00}', '\u{9fa5}')
        ],
        0..max,
    )
    .prop_map(|c| c.into_iter().collect())
}

fn id_check_digit(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}

/// A resident ID number with a valid check digit and birth date.
fn resident_id() -> impl Strategy<Value = String> {
    (
        110000u32..660000,
        1930u32..2020,
        1u32..=12,
        1u32..=28,
        0u32..1000,
    )
        .prop_map(|(region, year, month, day, sequence)| {
            let first17 = format!("{region:06}{year:04}{month:02}{day:02}{sequence:03}");
            let check = id_check_digit(&first17);
            format!("{first17}{check}")
        })
}

fn luhn_check_digit(payload: &str) -> char {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// A bank card number: 16–19 digits passing the Luhn check.
fn bank_card() -> impl Strategy<Value = String> {
    (15usize..=18).prop_flat_map(|n| {
        (
            "[1-9]",
            proptest::string::string_regex(&format!("[0-9]{{{}}}", n - 1)).unwrap(),
        )
            .prop_map(|(first, rest)| {
                let payload = format!("{first}{rest}");
                let check = luhn_check_digit(&payload);
                format!("{payload}{check}")
            })
    })
}

/// A mainland mobile number as people write it.
fn mobile() -> impl Strategy<Value = String> {
    ("1[3-9][0-9]", "[0-9]{4}", "[0-9]{4}", 0..5u8).prop_map(|(a, b, c, style)| match style {
        0 => format!("{a}{b}{c}"),
        1 => format!("{a} {b} {c}"),
        2 => format!("{a}-{b}-{c}"),
        3 => format!("+86 {a}{b}{c}"),
        _ => format!("+86-{a}-{b}-{c}"),
    })
}

fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32('０' as u32 + (c as u32 - '0' as u32)).unwrap(),
            _ => c,
        })
        .collect()
}

#[test]
fn the_privacy_guard_never_panics() {
    let mut runner = TestRunner::new(config(2000));
    let text = prop_oneof![
        any::<String>(),
        "[0-9０-９ xX*＊+.\\-\u{3000}]{0,60}",
        "[0-9 ]{0,40}[\u{4e00}-\u{4e10}]{0,3}[0-9\\-]{0,30}",
    ];
    runner
        .run(&text, |text| {
            let findings = scan(&text, &PublicNumbers::new(["0551-63516288", "13900000000"]));
            for f in findings {
                prop_assert!(text.is_char_boundary(f.range.start));
                prop_assert!(text.is_char_boundary(f.range.end));
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_privacy_guard_finds_every_unmasked_identifier_in_chinese_text() {
    let mut runner = TestRunner::new(config(1000));
    let identifier = prop_oneof![resident_id(), bank_card(), mobile()];
    let case = (chinese(30), identifier, chinese(30), any::<bool>());
    runner
        .run(&case, |(before, identifier, after, wide)| {
            let identifier = if wide {
                full_width(&identifier)
            } else {
                identifier
            };
            let text = format!("{before}{identifier}{after}");
            let start = before.len();
            let end = start + identifier.len();
            let findings = scan(&text, &PublicNumbers::default());
            prop_assert!(
                findings
                    .iter()
                    .any(|f| f.range.start <= start + 4 && f.range.end >= end - 1),
                "{identifier} not found in {text}: {findings:?}"
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_privacy_guard_never_flags_a_masked_identifier() {
    let mut runner = TestRunner::new(config(1000));
    let masked = prop_oneof![
        resident_id()
            .prop_flat_map(|id| (Just(id), 1usize..=10))
            .prop_map(|(id, stars)| {
                let kept_end = 18 - (10 - stars).clamp(1, 4);
                format!(
                    "{}{}{}",
                    &id[..6],
                    "*".repeat(kept_end - 6),
                    &id[kept_end..]
                )
            }),
        mobile().prop_map(|m| {
            let digits: String = m.chars().filter(char::is_ascii_digit).collect();
            let digits = digits.trim_start_matches("86");
            let digits = if digits.len() == 11 {
                digits
            } else {
                &digits[digits.len() - 11..]
            };
            format!("{}****{}", &digits[..3], &digits[7..])
        }),
        bank_card().prop_map(|c| format!("{}********{}", &c[..4], &c[c.len() - 4..])),
    ];
    let case = (chinese(30), masked, chinese(30));
    runner
        .run(&case, |(before, masked, after)| {
            let text = format!("{before}{masked}{after}");
            let findings = scan(&text, &PublicNumbers::default());
            prop_assert!(findings.is_empty(), "{text}: {findings:?}");
            Ok(())
        })
        .unwrap();
}

/// A separator a clerk might type between the digit groups of one number: spaces of every width,
/// no-break spaces, hyphens and long dashes, dots, and runs such as ` - `.
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" ".to_string()),
        Just("\u{3000}".to_string()), // ideographic space
        Just("\u{a0}".to_string()),   // no-break space
        Just("\u{2002}".to_string()), // en space
        Just("\u{2009}".to_string()), // thin space
        Just("\u{202f}".to_string()), // narrow no-break space
        Just("-".to_string()),
        Just("－".to_string()),
        Just("\u{2013}".to_string()), // en dash
        Just("—".to_string()),        // em dash
        Just("\u{2212}".to_string()), // minus sign
        Just(".".to_string()),
        Just("·".to_string()),
        Just(" - ".to_string()),
        Just(" — ".to_string()),
    ]
}

/// Splits `digits` at `cuts` and joins the parts with `sep` (a dot must join three parts or
/// more, or it reads as a decimal point: the callers' splits always make three or more when
/// a dot is drawn, or use parentheses).
fn joined(digits: &str, cuts: &[usize], sep: &str) -> String {
    let mut out = String::new();
    let mut last = 0;
    for &cut in cuts {
        out.push_str(&digits[last..cut]);
        out.push_str(sep);
        last = cut;
    }
    out.push_str(&digits[last..]);
    out
}

/// A 15-digit first-generation ID: a province's area code, a YYMMDD birth date, a sequence.
fn short_id() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(11u32), Just(34), Just(44), Just(65), Just(82)],
        0u32..10000,
        0u32..100,
        1u32..=12,
        1u32..=28,
        0u32..1000,
    )
        .prop_map(|(province, area, yy, month, day, sequence)| {
            format!("{province:02}{area:04}{yy:02}{month:02}{day:02}{sequence:03}")
        })
}

/// Every spelling of an identifier that round 2 of the guard reads through.
fn new_spelling() -> impl Strategy<Value = String> {
    let id_splits = prop_oneof![
        Just(vec![6]),            // 6 + 12
        Just(vec![14]),           // 14 + 4
        Just(vec![6, 14]),        // 6-8-4
        Just(vec![4, 8, 12, 16]), // groups of four
        Just(vec![6, 10, 14]),    // 6-4-4-4
    ];
    let id = (resident_id(), id_splits, separator()).prop_map(|(id, cuts, sep)| {
        let sep = if sep == "." && cuts.len() == 1 {
            " ".to_string()
        } else {
            sep
        };
        joined(&id, &cuts, &sep)
    });
    let parenthesised_id = resident_id().prop_map(|id| format!("({}){}", &id[..6], &id[6..]));
    let short = (
        short_id(),
        prop_oneof![Just(vec![]), Just(vec![6, 12])],
        separator(),
    )
        .prop_map(|(id, cuts, sep)| joined(&id, &cuts, &sep));
    let mobile = ("1[3-9][0-9]", "[0-9]{4}", "[0-9]{4}", separator(), 0..4u8).prop_map(
        |(a, b, c, sep, style)| match style {
            0 => format!("{a}{sep}{b}{sep}{c}"),
            1 => format!("({a}){b}{c}"),
            2 => format!("（{a}）{b}{sep}{c}"),
            _ => format!("+86 ({a}) {b}{sep}{c}"),
        },
    );
    let card = (bank_card(), separator()).prop_map(|(card, sep)| {
        let cuts: Vec<usize> = (4..card.len()).step_by(4).collect();
        joined(&card, &cuts, &sep)
    });
    prop_oneof![id, parenthesised_id, short, mobile, card]
}

#[test]
fn the_privacy_guard_reads_through_every_separator_a_clerk_types() {
    let mut runner = TestRunner::new(config(1000));
    let case = (chinese(20), new_spelling(), chinese(20), any::<bool>());
    runner
        .run(&case, |(before, spelling, after, wide)| {
            let spelling = if wide {
                full_width(&spelling)
            } else {
                spelling
            };
            let text = format!("{before}{spelling}{after}");
            let start = before.len();
            let end = start + spelling.len();
            let findings = scan(&text, &PublicNumbers::default());
            // The finding lies inside the spelling and covers all but its edges (a leading
            // parenthesis or `+86`).
            prop_assert!(
                findings.iter().any(|f| f.range.start >= start
                    && f.range.start <= start + 6
                    && f.range.end >= end - 4),
                "{spelling:?} not found in {text}: {findings:?}"
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_privacy_guard_lets_benign_numbers_pass_however_they_are_separated() {
    let mut runner = TestRunner::new(config(1000));
    let benign = prop_oneof![
        // An office landline with its area code.
        ("0[1-9][0-9]{1,2}", "[2-8][0-9]{6,7}", separator())
            .prop_map(|(area, number, sep)| format!("({area}){sep}{number}")),
        // An amount with thousands separators, to the fen.
        (1u32..1000, 0u32..1000, 0u32..1000, 0u32..100)
            .prop_map(|(a, b, c, fen)| format!("{a},{b:03},{c:03}.{fen:02}元")),
        // A document number.
        (2000u32..2100, 1u32..300).prop_map(|(year, n)| format!("弋纪〔{year}〕{n}号")),
        // A date.
        (2000u32..2100, 1u32..=12, 1u32..=28, separator())
            .prop_map(|(y, m, d, sep)| format!("{y}{sep}{m:02}{sep}{d:02}")),
        // A masked ID, however separated.
        (resident_id(), separator()).prop_map(|(id, sep)| format!(
            "{}{sep}********{sep}{}",
            &id[..6],
            &id[14..]
        )),
    ];
    let case = (chinese(20), benign, chinese(20));
    runner
        .run(&case, |(before, benign, after)| {
            let text = format!("{before}{benign}{after}");
            let findings = scan(&text, &PublicNumbers::default());
            prop_assert!(findings.is_empty(), "{text}: {findings:?}");
            Ok(())
        })
        .unwrap();
}

// ---- the content loaders ----

/// One copy of the example site for the loader properties: one file in it is rewritten per case.
fn site_copy() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let from = repo().join("content");
        // Only the site file and one community keep each case quick.
        std::fs::create_dir_all(content.join("communities")).unwrap();
        std::fs::copy(from.join("site.yaml"), content.join("site.yaml")).unwrap();
        let community = content.join("communities/cuizhuyuan");
        for sub in ["records", "notices"] {
            std::fs::create_dir_all(community.join(sub)).unwrap();
        }
        let original = from.join("communities/cuizhuyuan");
        std::fs::copy(
            original.join("community.yaml"),
            community.join("community.yaml"),
        )
        .unwrap();
        for file in [
            "records/2026-11-dibao.yaml",
            "records/2026-11-caiwu.yaml",
            "notices/2026-11-tingshui.md",
        ] {
            std::fs::copy(original.join(file), community.join(file)).unwrap();
        }
        let record = community.join("records/2026-11-dibao.yaml");
        let notice = community.join("notices/2026-11-tingshui.md");
        (dir, record, notice)
    })
}

/// A text with random edits: characters and lines deleted, inserted, duplicated.
fn mutated(original: String) -> impl Strategy<Value = String> {
    let edits = proptest::collection::vec(
        (
            0usize..3,
            any::<proptest::sample::Index>(),
            any::<proptest::sample::Index>(),
            prop_oneof![
                "[ -~]{0,8}",
                Just("\n".to_string()),
                Just(": ".to_string()),
                Just("- ".to_string()),
                Just("---\n".to_string()),
                Just("\"".to_string()),
                Just("&a *a !!binary |\n  ".to_string()),
                Just("１３９１２３４５６７８".to_string()),
                "\\PC{0,6}",
            ],
        ),
        1..6,
    );
    edits.prop_map(move |edits| {
        let mut chars: Vec<char> = original.chars().collect();
        for (op, at, len, insert) in edits {
            let at = at.index(chars.len() + 1);
            match op {
                0 => {
                    let end = (at + len.index(40)).min(chars.len());
                    chars.drain(at..end);
                }
                1 => {
                    chars.splice(at..at, insert.chars());
                }
                _ => {
                    let end = (at + len.index(200)).min(chars.len());
                    let copy: Vec<char> = chars[at..end].to_vec();
                    chars.splice(at..at, copy);
                }
            }
        }
        chars.into_iter().collect()
    })
}

fn run_loader_property(file: &Path, default_cases: u32) {
    let original = std::fs::read_to_string(file).unwrap();
    let root = site_copy().0.path().to_path_buf();
    let mut runner = TestRunner::new(config(default_cases));
    let text = prop_oneof![
        mutated(original.clone()),
        any::<String>(),
        "(---\n)?([a-z_]{1,8}: ?[^\n]{0,20}\n){0,8}(---\n)?[^\n]{0,40}",
    ];
    runner
        .run(&text, |text| {
            std::fs::write(file, &text).unwrap();
            // Must not panic; every problem it reports names a position in the file.
            let checked = ydt::build::load_and_check(&root);
            for diagnostic in &checked.report.diagnostics {
                let _ = diagnostic.to_string();
            }
            Ok(())
        })
        .unwrap();
    std::fs::write(file, original).unwrap();
}

#[test]
fn the_content_loaders_never_panic() {
    // The two properties share the copy, so they run one after the other.
    let (_, record, notice) = site_copy();
    run_loader_property(record, 150);
    run_loader_property(notice, 150);
}

// ---- the request parser and router ----

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

fn valid_submission() -> String {
    ydt_test_support::complaint("hostile-key-0001").to_string()
}

fn request_strategy() -> impl Strategy<Value = (String, String, Vec<(String, String)>, Vec<u8>)> {
    let method = prop_oneof![
        Just("POST".to_string()),
        Just("GET".to_string()),
        Just("HEAD".to_string()),
        "[A-Z]{1,10}",
    ];
    let path = prop_oneof![
        Just("/api/submissions".to_string()),
        Just("/api/track".to_string()),
        Just("/api/feedback".to_string()),
        Just("/api/v.gif".to_string()),
        "/api/v.gif\\?(c=[a-z%0-9]{0,12})?(&from=[a-z%0-9&=]{0,12})?",
        "/[a-zA-Z0-9./%_~-]{0,30}(\\?[a-zA-Z0-9=&%]{0,20})?",
    ];
    let content_type = prop_oneof![
        Just("application/json".to_string()),
        Just("application/x-www-form-urlencoded".to_string()),
        Just("application/json; charset=utf-8".to_string()),
        Just("APPLICATION/JSON;;;".to_string()),
        "[ -~]{0,30}",
    ];
    let headers = proptest::collection::vec(
        (
            prop_oneof![
                Just("cloudfront-viewer-address".to_string()),
                Just("x-origin-verify".to_string()),
                Just("referer".to_string()),
                "[a-z-]{1,12}",
            ],
            "[ -~]{0,40}",
        ),
        0..4,
    );
    let body = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        mutated(valid_submission()).prop_map(String::into_bytes),
        "([a-z_]{1,10}=[^&]{0,20}&){0,8}".prop_map(String::into_bytes),
        "\\{\"case_id\":\"[0-9J-]{0,15}\",\"query_code\":\"[0-9 ]{0,20}\"\\}"
            .prop_map(String::into_bytes),
        Just(vec![b'a'; ydt_function::handler::MAX_BODY_BYTES + 1]),
    ];
    (
        method,
        path,
        (content_type, headers).prop_map(|(ct, mut h)| {
            h.push(("content-type".to_string(), ct));
            h
        }),
        body,
    )
}

fn build_request(
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Option<Request> {
    let mut builder = http::Request::builder()
        .method(Method::from_bytes(method.as_bytes()).ok()?)
        .uri(http::Uri::try_from(format!("https://ydt.example{path}")).ok()?);
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match String::from_utf8(body) {
        Ok(text) => Body::Text(text),
        Err(err) => Body::Binary(err.into_bytes()),
    };
    builder.body(body).ok()
}

#[test]
fn the_handler_never_panics_or_answers_5xx() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    let app = ydt_test_support::app(store);
    let mut runner = TestRunner::new(config(400));
    runner
        .run(&request_strategy(), |(method, path, headers, body)| {
            let Some(request) = build_request(&method, &path, &headers, body) else {
                return Ok(());
            };
            let response = runtime()
                .block_on(ydt_function::handle(&app, request))
                .expect("the handler answers every request");
            let status = response.status().as_u16();
            prop_assert!(status < 500, "{method} {path} {headers:?} → {status}");
            Ok(())
        })
        .unwrap();
}

//! Notices: YAML front matter, then Markdown. Markdown becomes HTML here, safely: raw HTML in the
//! Markdown is shown as text (never passed through to residents' pages) and links may only be
//! web, mail or phone links.

use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::yaml::Doc;
use super::{RESERVED_IDS, is_slug};
use crate::diagnostics::{Diagnostic, Report, SourceFile, Span};
use crate::model::{Notice, Text};
use ydt_function::clock::Date;

type S = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: S,
    date: S,
    category: S,
    #[serde(default)]
    summary: Option<S>,
}

/// Categories a notice may carry.
pub(crate) const NOTICE_CATEGORIES: [&str; 5] =
    ["村务公开", "居务公开", "党务公开", "财务公开", "通知公告"];

pub(crate) fn load_notice(file: &Arc<SourceFile>, id: &str, report: &mut Report) -> Option<Notice> {
    if !is_slug(id) || RESERVED_IDS.contains(&id) {
        report.push(
            Diagnostic::error(
                Span::whole(file),
                format!("notice file name `{id}` cannot be used as a notice id"),
            )
            .with_help(
                "name notice files in lowercase ASCII with dashes, e.g. 2026-11-dibao-gongshi.md",
            ),
        );
        return None;
    }
    let text = &file.text;
    let Some(after_open) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        report.push(
            Diagnostic::error(
                Span::new(file, 0, text.find('\n').unwrap_or(text.len())),
                "a notice starts with front matter between two --- lines",
            )
            .with_help("begin the file with ---, then title:, date: and category: lines, then ---"),
        );
        return None;
    };
    let fm_start = text.len() - after_open.len();
    let close = find_closing_fence(after_open);
    let Some((fm_len, body_start_rel)) = close else {
        report.push(
            Diagnostic::error(Span::new(file, 0, 3), "the front matter is never closed")
                .with_help("add a line with --- after the last front matter field"),
        );
        return None;
    };
    let doc = Doc {
        file,
        offset: fm_start,
        line_offset: 1,
    };
    let fm: FrontMatter = match doc.parse(&after_open[..fm_len]) {
        Ok(fm) => fm,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let date_text = doc.text(fm.date);
    let date = match Date::parse(&date_text.value) {
        Ok(d) => d,
        Err(why) => {
            report.push(Diagnostic::error(
                date_text.span.clone(),
                format!("`{}` is not a date: {why}", date_text.value),
            ));
            return None;
        }
    };
    let category = doc.text(fm.category);
    if !NOTICE_CATEGORIES.contains(&category.value.trim()) {
        report.push(
            Diagnostic::error(
                category.span.clone(),
                format!("unknown notice category `{}`", category.value),
            )
            .with_help(format!("use one of: {}", NOTICE_CATEGORIES.join("、"))),
        );
    }
    let body_start = fm_start + body_start_rel;
    let body = Text {
        value: text[body_start..].to_string(),
        span: Span::new(file, body_start, text.len()),
    };
    let (html, raw_html_at) = to_html(&body.value);
    if let Some(at) = raw_html_at {
        report.push(
            Diagnostic::warning(
                body.span.sub(at.clone()),
                "raw HTML in a notice is shown as plain text, not as HTML",
            )
            .with_help("use Markdown instead: **bold**, lists with -, tables with |"),
        );
    }
    Some(Notice {
        id: id.to_string(),
        title: doc.text(fm.title),
        date,
        category,
        summary: fm.summary.map(|s| doc.text(s)),
        body,
        html,
    })
}

/// The length of the front matter and where the body starts, both relative to `after_open`.
fn find_closing_fence(after_open: &str) -> Option<(usize, usize)> {
    let mut pos = 0;
    for line in after_open.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((pos, pos + line.len()));
        }
        pos += line.len();
    }
    None
}

/// Markdown to HTML for residents' pages. Returns the HTML and, if the Markdown held raw HTML,
/// the byte range of the first piece (so the clerk can be told).
pub(crate) fn to_html(markdown: &str) -> (String, Option<std::ops::Range<usize>>) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut raw_html_at = None;
    let events: Vec<Event> = Parser::new_ext(markdown, options)
        .into_offset_iter()
        .map(|(event, range)| match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                raw_html_at.get_or_insert(range);
                Event::Text(html)
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            }),
            other => other,
        })
        .collect();
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, link_phone_numbers(events).into_iter());
    (html, raw_html_at)
}

/// Phone numbers in running text become `tel:` links, so a resident can call with one tap: a
/// landline with its area code or a mobile, as the submission function reads phone numbers
/// (`ydt_function::validate::phone_number`), and the 12388 reporting line. Text already inside a
/// link is left alone. Mobiles that are not listed as public never get this far: the privacy guard
/// refuses them.
fn link_phone_numbers(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut in_link = 0usize;
    for event in events {
        match event {
            Event::Start(Tag::Link { .. }) => {
                in_link += 1;
                out.push(event);
            }
            Event::End(TagEnd::Link) => {
                in_link = in_link.saturating_sub(1);
                out.push(event);
            }
            Event::Text(text) if in_link == 0 => {
                let mut rest = 0;
                for (range, dial) in phone_numbers(&text) {
                    if range.start > rest {
                        out.push(Event::Text(CowStr::from(
                            text[rest..range.start].to_string(),
                        )));
                    }
                    out.push(Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url: CowStr::from(format!("tel:{dial}")),
                        title: CowStr::Borrowed(""),
                        id: CowStr::Borrowed(""),
                    }));
                    out.push(Event::Text(CowStr::from(text[range.clone()].to_string())));
                    out.push(Event::End(TagEnd::Link));
                    rest = range.end;
                }
                if rest == 0 {
                    out.push(Event::Text(text));
                } else if rest < text.len() {
                    out.push(Event::Text(CowStr::from(text[rest..].to_string())));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The phone numbers in `text`: each one's byte range and the number to dial. A candidate is a
/// run of digits and dashes that no other digit, letter, `.` or `,` touches (so amounts, dates
/// and document numbers stay text).
fn phone_numbers(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let bytes = text.as_bytes();
    let touches = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b',' | b'_' | b'/');
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && touches(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'-') {
            i += 1;
        }
        let mut end = i;
        while end > start && bytes[end - 1] == b'-' {
            end -= 1;
        }
        if i < bytes.len() && touches(bytes[i]) {
            continue;
        }
        let candidate = &text[start..end];
        let dial = if candidate == "12388" {
            Some(candidate.to_string())
        } else {
            ydt_function::validate::phone_number(candidate)
                .ok()
                .flatten()
        };
        if let Some(dial) = dial {
            found.push((start..end, dial));
        }
    }
    found
}

/// Only web, mail, phone and site-relative links; anything else (javascript:, data:) goes nowhere.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let has_scheme = lower
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|first| first.contains(':'));
    let allowed = ["http://", "https://", "mailto:", "tel:"]
        .iter()
        .any(|p| lower.starts_with(p));
    if has_scheme && !allowed {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text_and_reported() {
        let (html, at) = to_html("公告\n\n<script>alert(1)</script>\n\n段落<b>粗</b>");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(at.is_some());
    }

    #[test]
    fn script_links_are_neutralised() {
        let (html, _) = to_html(
            "[点我](javascript:alert(1)) [电话](tel:0551-63356110) [网站](https://example.cn/a)",
        );
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"tel:0551-63356110\""));
        assert!(html.contains("href=\"https://example.cn/a\""));
    }

    #[test]
    fn phone_numbers_in_text_become_links_and_look_alikes_stay_text() {
        let (html, _) = to_html(
            "咨询电话：0551-63356110，举报请拨 12388，或 [社区](tel:0551-1) 0551-63356110。\n\n\
             发放金额 1,234.50 元，日期 2026-12-01，文号 弋纪〔2026〕15号，订单 20261201123。",
        );
        assert!(
            html.contains("咨询电话：<a href=\"tel:0551-63356110\">0551-63356110</a>，"),
            "{html}"
        );
        assert!(html.contains("<a href=\"tel:12388\">12388</a>"), "{html}");
        // Already a link: not linked again.
        assert!(html.contains("<a href=\"tel:0551-1\">社区</a>"), "{html}");
        assert_eq!(html.matches("href=\"tel:").count(), 4, "{html}");
        for kept in ["1,234.50", "2026-12-01", "〔2026〕15号", "20261201123"] {
            assert!(
                !html.contains(&format!(">{kept}</a>")),
                "{kept} linked: {html}"
            );
        }
    }

    #[test]
    fn tables_render() {
        let (html, at) = to_html("| 项目 | 金额 |\n| --- | --- |\n| 绿化 | 100.00 |\n");
        assert!(
            html.contains("<table>") && html.contains("<td>100.00</td>"),
            "{html}"
        );
        assert!(at.is_none());
    }
}

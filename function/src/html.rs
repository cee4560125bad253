//! Escaping text for HTML and XML: the one escaper of the function's answer pages, the
//! generator's feeds and sitemaps, and the supervisors' report page.
//!
//! `&`, `<`, `>`, `"` and `'` become references that mean the same in HTML and in XML
//! (`&#39;` rather than `&apos;`, which HTML 4 lacks). Characters that must never reach a reader
//! are dropped: control characters other than newline, tab and carriage return (XML 1.0 forbids
//! them) and the direction overrides and isolates, which would make a reply or a complaint read
//! otherwise than it is written (digits reversed, text hidden).

/// `text`, escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// [`escape`], appended to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    // Most text (every URL of a sitemap) needs nothing: look at bytes first. Only markup
    // characters, controls and the lead bytes of C1 controls (0xC2) and of the direction
    // characters (0xE2) can need care.
    let maybe =
        |b: u8| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0x7f | 0xc2 | 0xe2) || b < 0x20;
    if !text.bytes().any(maybe) || !text.chars().any(needs_care) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if needs_care(c) => {}
            c => out.push(c),
        }
    }
}

/// A phone number as a link a phone can call: `<a href="tel:0551-65551234">0551-65551234</a>`.
/// The number is shown as written; the link keeps only digits, `+` and `-`.
pub fn tel_link(phone: &str) -> String {
    let dial: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '+' | '-'))
        .collect();
    format!("<a href=\"tel:{}\">{}</a>", escape(&dial), escape(phone))
}

/// A character that is escaped or dropped.
fn needs_care(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'')
        || (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_alike_for_html_and_xml() {
        assert_eq!(
            escape(r#"<a href="x">Tom's & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape("第一行\n\t第二行"), "第一行\n\t第二行");
    }

    #[test]
    fn phone_numbers_become_links_a_phone_can_call() {
        assert_eq!(
            tel_link("0551-6555 1234"),
            "<a href=\"tel:0551-65551234\">0551-6555 1234</a>"
        );
        assert_eq!(tel_link("12388"), "<a href=\"tel:12388\">12388</a>");
    }

    #[test]
    fn hidden_and_control_characters_are_dropped() {
        assert_eq!(escape("138\u{202E}4321"), "1384321");
        assert_eq!(escape("a\u{2066}b\u{2069}c"), "abc");
        assert_eq!(escape("bell\u{7}\u{0}end\u{7f}"), "bellend");
    }
}

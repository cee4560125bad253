//! The Content-Security-Policy every page carries in a `<meta http-equiv>`: scripts and styles
//! only from the site itself, so a value that slipped past escaping still cannot run.
//!
//! The theme inlines its CSS in one `<style>` (a page in one round trip), which a strict policy
//! blocks unless it names the style's SHA-256. The hash must be of the bytes the browser sees,
//! which exist only after minifying, so templates write [`policy`] (the tera variable `csp`) with
//! a slot, and [`seal`] fills the slot with the hash of each `<style>` of the finished page.
//! Not here: the function's own HTML answers (see `ydt_function::page`), and the HTTP headers the
//! CDN adds.

use std::cell::RefCell;

use base64::Engine;
use sha2::{Digest, Sha256};

/// Stands where the style hashes go until [`seal`] knows them.
const STYLE_HASHES_SLOT: &str = "'ydt-style-hashes'";

/// The policy as templates write it: `<meta http-equiv="Content-Security-Policy"
/// content="{{ csp | safe }}">`, before any `<style>`.
pub fn policy() -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' {STYLE_HASHES_SLOT}; \
         img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
}

/// `'sha256-…'` of one inline style or script, as CSP names it.
pub fn source_hash(text: &[u8]) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text))
    )
}

/// The finished page with the policy's slot replaced by the hash of each of its `<style>`
/// elements (none: the slot just goes). A page without the slot is returned as it is.
pub fn seal(page: &[u8]) -> Vec<u8> {
    let slot = STYLE_HASHES_SLOT.as_bytes();
    let Some(at) = find(page, slot, 0) else {
        return page.to_vec();
    };
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(open) = find(page, b"<style", from) {
        let Some(start) = find(page, b">", open).map(|end| end + 1) else {
            break;
        };
        let Some(end) = find(page, b"</style", start) else {
            break;
        };
        let hash = style_hash(&page[start..end]);
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
        from = end;
    }
    let mut sealed = Vec::with_capacity(page.len() + 60 * hashes.len());
    sealed.extend_from_slice(&page[..at]);
    sealed.extend_from_slice(hashes.join(" ").as_bytes());
    if hashes.is_empty() {
        // `style-src 'self' ;` → `style-src 'self';`
        while sealed.last() == Some(&b' ') {
            sealed.pop();
        }
    }
    sealed.extend_from_slice(&page[at + slot.len()..]);
    sealed
}

/// [`source_hash`] of a page's style. Every page of a theme inlines the same few kilobytes of
/// CSS, so each thread keeps the last style it hashed: comparing bytes is far cheaper than
/// hashing them again.
fn style_hash(style: &[u8]) -> String {
    thread_local! {
        static LAST: RefCell<(Vec<u8>, String)> = const { RefCell::new((Vec::new(), String::new())) };
    }
    LAST.with_borrow_mut(|(text, hash)| {
        if hash.is_empty() || text.as_slice() != style {
            *hash = source_hash(style);
            text.clear();
            text.extend_from_slice(style);
        }
        hash.clone()
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(haystack.get(from..)?, needle).map(|at| at + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_becomes_the_hash_of_each_style() {
        let page = format!(
            "<html><head><meta http-equiv=Content-Security-Policy content=\"{}\"><style>body{{margin:0}}</style></head><body><style>p{{}}</style></body></html>",
            policy()
        );
        let sealed = String::from_utf8(seal(page.as_bytes())).unwrap();
        assert!(!sealed.contains("ydt-style-hashes"));
        let expected = format!(
            "style-src 'self' {} {};",
            source_hash(b"body{margin:0}"),
            source_hash(b"p{}")
        );
        assert!(sealed.contains(&expected), "{sealed}");
    }

    #[test]
    fn a_page_without_style_allows_only_the_sites_stylesheets() {
        let page = format!("<meta content=\"{}\">", policy());
        let sealed = String::from_utf8(seal(page.as_bytes())).unwrap();
        assert!(sealed.contains("style-src 'self'; img-src"), "{sealed}");
    }

    #[test]
    fn pages_with_different_styles_each_name_their_own() {
        let page = |css: &str| format!("<meta content=\"{}\"><style>{css}</style>", policy());
        for css in ["a{}", "b{}", "a{}"] {
            let sealed = String::from_utf8(seal(page(css).as_bytes())).unwrap();
            assert!(sealed.contains(&source_hash(css.as_bytes())), "{sealed}");
        }
    }

    #[test]
    fn known_hash() {
        // `echo -n 'a{}' | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            source_hash(b"a{}"),
            "'sha256-X1RutGBrXCt9KkSaXMK7tHftWiRscFHOhxsS8tv8hBk='"
        );
    }
}

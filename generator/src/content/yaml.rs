//! Reading YAML with positions: a thin layer over serde-saphyr that turns its locations into our
//! [`Span`]s and its errors into [`Diagnostic`]s. The only YAML loader in the project.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_saphyr::{Location, Spanned};

use crate::diagnostics::{Diagnostic, SourceFile, Span};
use crate::model::Text;

/// A YAML document inside a file: the whole file, or the front matter of a Markdown notice.
#[derive(Clone)]
pub(crate) struct Doc<'a> {
    pub file: &'a Arc<SourceFile>,
    /// Byte offset of the document's first character in the file.
    pub offset: usize,
    /// Lines before the document's first line.
    pub line_offset: usize,
}

impl<'a> Doc<'a> {
    pub(crate) fn whole(file: &'a Arc<SourceFile>) -> Doc<'a> {
        Doc {
            file,
            offset: 0,
            line_offset: 0,
        }
    }

    pub(crate) fn parse<T: DeserializeOwned>(&self, yaml: &str) -> Result<T, Diagnostic> {
        serde_saphyr::from_str(yaml).map_err(|e| self.error_from(&e))
    }

    /// Where a value was written, widened to the whole scalar when its length is known.
    pub(crate) fn span(&self, at: &Location) -> Span {
        let s = at.span();
        match (s.byte_offset(), s.byte_len()) {
            (Some(start), len) => {
                let start = self.offset + start as usize;
                Span::new(self.file, start, start + len.unwrap_or(0) as usize)
            }
            _ if at.line() > 0 => {
                let start = self
                    .file
                    .offset_of(self.line_offset + at.line() as usize, at.column() as usize);
                Span::new(self.file, start, start)
            }
            _ => Span::new(self.file, self.offset, self.offset),
        }
    }

    pub(crate) fn text(&self, value: Spanned<String>) -> Text {
        let span = self.span(&value.referenced);
        Text {
            value: value.value,
            span,
        }
    }

    pub(crate) fn error_from(&self, e: &serde_saphyr::Error) -> Diagnostic {
        let message = plain_message(e);
        let span = match e.location() {
            Some(at) if at.line() > 0 => {
                let start = self
                    .file
                    .offset_of(self.line_offset + at.line() as usize, at.column() as usize);
                Span::new(self.file, start, start + 1)
            }
            _ => Span::new(self.file, self.offset, self.offset),
        };
        let help = help_for(&message);
        let d = Diagnostic::error(span, message);
        match help {
            Some(h) => d.with_help(h),
            None => d,
        }
    }
}

/// serde-saphyr's message without its own location prefix and snippet (we draw our own).
fn plain_message(e: &serde_saphyr::Error) -> String {
    let full = e.without_snippet().to_string();
    let first = full.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let message = match first.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest,
        _ => first,
    };
    // Some messages end with their own "at line N, column M": we show the position already.
    let message = match message.rfind(" at line ") {
        Some(i) if message[i..].contains("column") => &message[..i],
        _ => message,
    };
    if message.is_empty() {
        "this is not valid YAML".to_string()
    } else {
        message.to_string()
    }
}

fn help_for(message: &str) -> Option<&'static str> {
    if message.contains("unknown field") {
        Some("check the spelling of the field name; the expected names are listed above")
    } else if message.contains("missing field") {
        Some("add the field; see content/README.md for what each file needs")
    } else if message.contains("null") {
        Some("give the field a value, or remove the line")
    } else if message.contains("expected") || message.contains("invalid") {
        Some("check the indentation (two spaces per level) and the colon after each field name")
    } else {
        None
    }
}

//! Problems found in the clerks' files, reported the way rustc reports them: the file, line and
//! column, the offending line with a caret under it, and one sentence of help.
//!
//! Every stage pushes into one [`Report`] and keeps going, so a single `ydt check` names every
//! problem at once. Nothing here decides what is wrong; it only says it well.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file the clerks wrote, kept whole so diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators, as clerks see it in git.
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut start = 0;
        for _ in 1..line {
            match self.text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return self.text.len(),
            }
        }
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        start
            + rest[..end]
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(end, |(i, _)| i)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A place in a source file: a byte range, so the caret can underline the whole value.
#[derive(Debug, Clone)]
pub struct Span {
    pub file: Arc<SourceFile>,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: &Arc<SourceFile>, start: usize, end: usize) -> Span {
        let len = file.text.len();
        let start = floor_char_boundary(&file.text, start.min(len));
        let end = floor_char_boundary(&file.text, end.clamp(start, len));
        Span {
            file: Arc::clone(file),
            start,
            end,
        }
    }

    /// The start of the file, for problems that belong to a file as a whole.
    pub fn whole(file: &Arc<SourceFile>) -> Span {
        Span::new(file, 0, 0)
    }

    pub fn line_col(&self) -> (usize, usize) {
        self.file.line_col(self.start)
    }

    /// A narrower span inside this one, `range` being byte offsets into the spanned text.
    pub fn sub(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(&self.file, self.start + range.start, self.start + range.end)
    }

    pub fn text(&self) -> &str {
        &self.file.text[self.start..self.end]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Fails `check` and `build`.
    Error,
    /// Reported, but the site is still built (e.g. a month's disclosure not yet published).
    Warning,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// `None` for problems that belong to no one file (a missing `content/` folder).
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            help: None,
        }
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            span: Some(span),
            help: None,
        }
    }

    /// An error about the site as a whole or a path outside the clerks' files.
    pub fn general(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// `path:line:column`, or just what is known.
    pub fn location(&self) -> Option<(String, usize, usize)> {
        self.span.as_ref().map(|s| {
            let (line, column) = s.line_col();
            (s.file.path.clone(), line, column)
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        if let Some(span) = &self.span {
            let (line, column) = span.line_col();
            let gutter = line.to_string().len();
            let pad = " ".repeat(gutter);
            writeln!(f, "{pad}--> {}:{line}:{column}", span.file.path)?;
            let text = &span.file.text;
            let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[span.start..]
                .find('\n')
                .map_or(text.len(), |i| span.start + i);
            let source_line = text[line_start..line_end].trim_end_matches('\r');
            if !source_line.is_empty() || span.start < text.len() {
                writeln!(f, "{pad} |")?;
                writeln!(f, "{line} | {}", shown(source_line))?;
                let lead: usize = display_width(&shown(&text[line_start..span.start]));
                let end = span.end.min(line_end).max(span.start);
                let width = display_width(&shown(&text[span.start..end])).max(1);
                writeln!(f, "{pad} | {}{}", " ".repeat(lead), "^".repeat(width))?;
            }
            if let Some(help) = &self.help {
                writeln!(f, "{pad} = help: {help}")?;
            }
        } else if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// The diagnostic as a GitHub Actions workflow command (`::error file=…,line=…,col=…::…`),
    /// so a pull request shows it on the changed line. `prefix` is the site root as seen from
    /// the repository root (empty when they are the same), because annotations name files
    /// relative to the repository.
    pub fn github_annotation(&self, prefix: &str) -> String {
        let command = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = self.message.clone();
        if let Some(help) = &self.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        match self.location() {
            Some((path, line, column)) => {
                let file = if prefix.is_empty() {
                    path
                } else {
                    format!("{}/{path}", prefix.trim_end_matches('/'))
                };
                format!(
                    "::{command} file={},line={line},col={column}::{}",
                    escape_property(&file),
                    escape_data(&message)
                )
            }
            None => format!("::{command}::{}", escape_data(&message)),
        }
    }
}

/// Workflow-command message text: `%`, CR and LF are escaped so one diagnostic stays one command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command property values also escape the separators `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The line as a terminal should print it: a direction control or zero-width character is shown
/// as `<U+202E>`, so the snippet reads in the order it is stored and the caret has something to
/// point at.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(crate::checks::controls::is_hidden) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if crate::checks::controls::is_hidden(c) {
                format!("<U+{:04X}>", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Terminal columns of a string: CJK characters take two, so the caret lines up under them.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// Everything found in one run.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(other);
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// Prints every diagnostic on stderr, then the count of errors and warnings (if any).
    pub fn print(&self) {
        for d in &self.diagnostics {
            eprintln!("{d}");
        }
        let (errors, warnings) = (self.error_count(), self.warning_count());
        if errors + warnings > 0 {
            eprintln!("{errors} error(s), {warnings} warning(s)");
        }
    }

    /// Errors first, then warnings; within each, by file and position, so output is stable.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by_key(|d| {
            let place = d.span.as_ref().map(|s| (s.file.path.clone(), s.start));
            (d.severity, place.is_some(), place)
        });
    }
}

/// The path clerks see: relative to the site root, `/`-separated.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_line_column_and_underlines_the_value() {
        let file = SourceFile::new("content/site.yaml", "title: 望湖\nresponse_days: five\n");
        let start = file.text.find("five").unwrap();
        let d = Diagnostic::error(
            Span::new(&file, start, start + 4),
            "response_days must be a whole number",
        )
        .with_help("write the number of working days, e.g. 5");
        let text = d.to_string();
        assert!(text.contains("--> content/site.yaml:2:16"), "{text}");
        assert!(text.contains("2 | response_days: five"), "{text}");
        assert!(text.contains("|                ^^^^"), "{text}");
        assert!(text.contains("= help: write the number"), "{text}");
    }

    #[test]
    fn a_direction_control_is_printed_visibly_with_the_caret_under_it() {
        let file = SourceFile::new("a.yaml", "title: 账号\u{202E}1234\n");
        let start = file.text.find('\u{202E}').unwrap();
        let text = Diagnostic::error(Span::new(&file, start, start + 3), "x").to_string();
        assert!(!text.contains('\u{202E}'), "{text}");
        assert!(text.contains("1 | title: 账号<U+202E>1234"), "{text}");
        assert!(
            text.contains(&format!("| {}^^^^^^^^\n", " ".repeat(11))),
            "{text}"
        );
    }

    #[test]
    fn columns_count_characters_and_carets_follow_wide_characters() {
        let file = SourceFile::new("a.yaml", "名称: 张三\n");
        let start = file.text.find("张三").unwrap();
        assert_eq!(file.line_col(start), (1, 5));
        let text =
            Diagnostic::error(Span::new(&file, start, start + "张三".len()), "x").to_string();
        assert!(text.contains("| ".to_string().as_str()));
        assert!(text.contains("      ^^^^"), "{text}");
        assert_eq!(file.offset_of(1, 5), start);
    }

    #[test]
    fn github_annotations_name_the_file_and_stay_on_one_line() {
        let file = SourceFile::new(
            "content/communities/a/records/2026-11-payouts.yaml",
            "rows:\n  - name: 张三\n",
        );
        let start = file.text.find("张三").unwrap();
        let d = Diagnostic::error(
            Span::new(&file, start, start + "张三".len()),
            "收款人姓名未脱敏: 100% 要写成 张*",
        )
        .with_help("写成 张*");
        assert_eq!(
            d.github_annotation(""),
            "::error file=content/communities/a/records/2026-11-payouts.yaml,line=2,col=11::收款人姓名未脱敏: 100%25 要写成 张*%0Ahelp: 写成 张*"
        );
        assert!(
            d.github_annotation("site")
                .starts_with("::error file=site/content/communities/")
        );
        let w = Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::general("no content, folder")
        };
        assert_eq!(w.github_annotation(""), "::warning::no content, folder");
    }
}

//! `ydt check`: every problem in one run, as rustc-style diagnostics (and, for CI, as GitHub
//! annotations).

use std::path::Path;

use super::{EXIT_CONTENT, EXIT_OK, EXIT_USAGE};
use crate::build::{self, Built};
use crate::render::Discard;

/// How `ydt check` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// rustc-style: the file, line and column, the line itself and a caret (on stderr).
    #[default]
    Human,
    /// Also one GitHub Actions `::error file=…,line=…,col=…::` command per problem (on stdout),
    /// so a pull request shows each problem on the line that has it.
    Github,
}

/// `ydt check`: every problem of the content and the templates, nothing written.
pub fn run(root: &Path, format: DiagnosticFormat) -> u8 {
    if !root.is_dir() {
        eprintln!("error: the site root {} does not exist", root.display());
        return EXIT_USAGE;
    }
    // Render into nothing, so template errors are found too.
    let report = match build::build(root, &Discard, &build::Options::default()) {
        Ok(Built { report, .. }) | Err(report) => report,
    };
    report.print();
    if format == DiagnosticFormat::Github {
        let prefix = github_prefix(root);
        for d in &report.diagnostics {
            println!("{}", d.github_annotation(&prefix));
        }
    }
    if report.has_errors() {
        EXIT_CONTENT
    } else {
        EXIT_OK
    }
}

/// The site root as a prefix for annotation paths, which GitHub reads relative to the checkout
/// (the working directory in CI): empty when the root is the working directory.
fn github_prefix(root: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = if root.is_absolute() {
        root.strip_prefix(&cwd).unwrap_or(root)
    } else {
        root
    };
    let shown = root.to_string_lossy().replace('\\', "/");
    match shown.trim_start_matches("./").trim_end_matches('/') {
        "." | "" => String::new(),
        rest => rest.to_string(),
    }
}

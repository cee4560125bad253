//! `ydt build`: the site into a folder, replaced whole only when the build succeeds.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{EXIT_CONTENT, EXIT_OK, EXIT_USAGE};
use crate::build::{self, Built};

/// `ydt build`: builds the site into `out` (default `<root>/public`).
pub fn run(root: &Path, out: Option<&Path>, base_url: Option<&str>) -> u8 {
    if !root.is_dir() {
        eprintln!("error: the site root {} does not exist", root.display());
        return EXIT_USAGE;
    }
    let out: PathBuf = out.map_or_else(|| root.join("public"), Path::to_path_buf);
    let started = Instant::now();
    let progress = std::io::stderr().is_terminal();
    let options = build::Options {
        base_url: base_url.map(str::to_string),
        progress,
    };
    match build::build_into(root, &out, &options) {
        Ok(Built {
            summary, report, ..
        }) => {
            report.print();
            eprintln!(
                "built {} pages ({} files) from {} records and {} notices in {:.2} s → {}",
                summary.pages,
                summary.files,
                summary.records,
                summary.notices,
                started.elapsed().as_secs_f64(),
                out.display()
            );
            EXIT_OK
        }
        Err(report) => {
            report.print();
            eprintln!("build failed: {} left as it was", out.display());
            EXIT_CONTENT
        }
    }
}

//! The generator: content in, checks, pages out.
//!
//! `content` reads the clerks' files into the `model`, `checks` validate it, `render` turns it
//! into pages and downloads, `output` writes them aside and swaps them in whole.

pub mod cases;
pub mod checks;
pub mod cli;
pub mod content;
pub mod diagnostics;
pub mod kinds;
pub mod model;
pub mod output;
pub mod preview;
pub mod render;
#[cfg(feature = "dynamodb")]
pub mod report;
pub mod serve;

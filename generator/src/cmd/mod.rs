//! The commands behind `ydt`, one file each, each returning the process exit code. They parse
//! nothing (that is `main.rs`), print what the library returns, and decide the exit code; the
//! work itself is the library's ([`crate::build`], [`crate::serve`], …).

pub mod build;
pub mod cases;
pub mod check;
pub mod import;
pub mod new;
#[cfg(feature = "dynamodb")]
pub mod report;
pub mod serve;

/// Success (warnings may have been printed).
pub const EXIT_OK: u8 = 0;
/// The content has errors; nothing was written.
pub const EXIT_CONTENT: u8 = 1;
/// The command could not run as asked: a missing folder, an unknown community or kind.
pub const EXIT_USAGE: u8 = 2;

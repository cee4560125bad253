//! The generator: content in, checks, pages out.
//!
//! [`build`] is the pipeline: [`content`] reads the clerks' files into the [`model`], [`checks`]
//! validate it, [`render`] turns it into pages and downloads, [`output`] writes them aside and
//! swaps them in whole. [`preview`] and [`serve`] keep a built site current while a clerk edits;
//! [`report`] is the supervisors' report; [`import`] turns a clerk's spreadsheet into a record. [`cmd`] holds the commands of `ydt`, which print and
//! decide exit codes; nothing else imports from it.

#![warn(unreachable_pub)]

pub mod build;
pub mod checks;
pub mod cmd;
pub(crate) mod content;
pub mod diagnostics;
pub mod import;
pub mod model;
pub(crate) mod output;
pub mod preview;
pub mod render;
#[cfg(feature = "dynamodb")]
pub(crate) mod report;
pub mod serve;

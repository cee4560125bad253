//! Validation passes over the content: each check reports every problem it finds, never only the first.

pub mod privacy;

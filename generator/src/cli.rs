//! The commands behind `ydt`, returning the process exit code (0 ok, 1 content errors, 2 usage).

use std::path::Path;

pub fn build(_root: &Path, _out: Option<&Path>, _base_url: Option<&str>) -> u8 {
    eprintln!("error: build is not implemented yet");
    2
}

pub fn check(_root: &Path) -> u8 {
    eprintln!("error: check is not implemented yet");
    2
}

pub fn new_record(_root: &Path, _kind: &str, _community: &str, _period: Option<&str>) -> u8 {
    eprintln!("error: new is not implemented yet");
    2
}

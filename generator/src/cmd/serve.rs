//! `ydt serve`: the preview server (see [`crate::serve`]) on a runtime of its own.

use std::path::Path;

use super::EXIT_CONTENT;

pub fn run(root: &Path, port: u16) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the server runtime: {err}");
            return EXIT_CONTENT;
        }
    };
    runtime.block_on(crate::serve::run(root, port))
}

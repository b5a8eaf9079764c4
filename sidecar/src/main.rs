//! `prototyper-sidecar`: `--version` prints the version; otherwise it serves JSON-RPC on stdio
//! until `exit` or EOF, and exits 0 after a clean shutdown, 1 otherwise.

use prototyper_sidecar::rpc::server::{serve, Exit};

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--version") {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "prototyper-sidecar {}", prototyper_sidecar::SIDECAR_VERSION);
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let exit = runtime.block_on(serve(tokio::io::stdin(), std::io::stdout()));
    // Tasks still blocked (a child's pipe, stdin's reader thread) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    std::process::exit(if exit == Exit::Clean { 0 } else { 1 });
}

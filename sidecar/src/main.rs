//! `prototyper-sidecar`: parses the command line and runs the JSON-RPC server on stdio.

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--version") {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "prototyper-sidecar {}", prototyper_sidecar::SIDECAR_VERSION);
        return;
    }
}

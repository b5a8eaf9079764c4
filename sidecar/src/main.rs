//! `prototyper-sidecar`: `--version` prints the version; otherwise it serves JSON-RPC on stdio
//! until `exit` or EOF, and exits 0 after a clean shutdown, 1 otherwise. The answer to the first
//! `initialize` goes out before the async runtime starts (see `Server::answer_initialize`).

use prototyper_sidecar::rpc::server::{Exit, Server};
use tokio::io::AsyncReadExt;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--version") {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "prototyper-sidecar {}", prototyper_sidecar::SIDECAR_VERSION);
        return;
    }
    // The handshake first, on this thread alone: the host waits for the answer to `initialize`
    // before anything else, and starting the runtime's threads would only delay it.
    let server = Server::new(unbuffered_stdout());
    let unserved = server.answer_initialize(&mut std::io::stdin().lock());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let input = std::io::Cursor::new(unserved).chain(tokio::io::stdin());
    let exit = runtime.block_on(server.run(input));
    // Tasks still blocked (a child's pipe, stdin's reader thread) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    std::process::exit(if exit == Exit::Clean { 0 } else { 1 });
}

/// stdout as a plain file: each batch of frames the outbox hands over goes out in one `write`.
/// `std::io::Stdout` is line-buffered and would split every frame at its header's blank line into
/// two writes, so the host would wake twice per message, once for a header alone.
fn unbuffered_stdout() -> std::fs::File {
    #[cfg(unix)]
    let handle = std::os::fd::AsFd::as_fd(&std::io::stdout()).try_clone_to_owned();
    #[cfg(windows)]
    let handle = std::os::windows::io::AsHandle::as_handle(&std::io::stdout()).try_clone_to_owned();
    std::fs::File::from(handle.expect("stdout can be duplicated"))
}

//! Starting, watching and killing child processes, and the table of those still running.
//!
//! Every child runs in its own process group (so killing it kills what it started: `npm run dev`
//! → node → esbuild) with stdin closed, and on Linux with `PR_SET_PDEATHSIG` so it is killed even
//! when the sidecar is SIGKILLed. A thread per pipe (stdout, stderr) reads it in large chunks with
//! blocking reads and hands each read to the child's `Sink` at once (no timers: a read is the
//! batch); channel output is written straight to stdout from that thread (`ChannelSender::send_now`),
//! so a line costs one thread wakeup in the sidecar, and a host that stops reading holds the child
//! back through its pipe. One task per child reaps it, waits for both readers, and only then
//! reports the exit, so output always precedes `Exit` on a channel.
//!
//! On every orderly end (shutdown, EOF on stdin, kill_process) the whole group is killed.
//! PDEATHSIG reaches only the direct child, so when the sidecar is SIGKILLed the host kills the
//! groups of the channels still open (`ChannelProcessGroups` in `src/sidecar/supervisor.ts`).

use super::lines::LineSplitter;
use crate::channel::ChannelSender;
use crate::confine::find_program;
use crate::error::AppError;
use crate::protocol::process::{OutputStream, ProcessEvent};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// Size of one read from a child's pipe. Large, so a fast producer costs few messages.
const READ_CHUNK: usize = 256 * 1024;
/// After the child exits, how long a grandchild still holding its pipes may delay `Exit`.
const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// How long `kill` waits after SIGTERM before SIGKILL.
const TERM_GRACE: Duration = Duration::from_millis(1500);
/// The same at shutdown, when the sidecar is about to exit.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(400);

/// How a process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitInfo {
    pub code: Option<i32>,
    pub signal: Option<String>,
}

impl ExitInfo {
    fn from_status(status: std::process::ExitStatus) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            ExitInfo { code: status.code(), signal: status.signal().map(signal_name) }
        }
        #[cfg(not(unix))]
        {
            ExitInfo { code: status.code(), signal: None }
        }
    }

    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// "exited with code 2" / "was killed by SIGTERM".
    pub fn describe(&self) -> String {
        match (&self.code, &self.signal) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(signal)) => format!("was killed by {signal}"),
            (None, None) => "ended without an exit code".to_string(),
        }
    }
}

pub fn signal_name(signal: i32) -> String {
    let name = match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    name.to_string()
}

/// Where a child's output goes.
#[derive(Clone)]
pub enum Sink {
    /// Lines as `Output` messages on the caller's channel, then `Exit`.
    Channel(Arc<ChannelSender<ProcessEvent>>),
    /// Raw bytes kept for the caller (the `_sync` and `_capture` commands).
    Collect(Arc<Mutex<Collected>>),
    /// Lines handed to a function, from the pipe's reader thread (scaffolding forwards an install's
    /// output on its own channel this way). Nothing is sent when the process exits.
    Lines(Arc<dyn Fn(OutputStream, Vec<String>) + Send + Sync>),
}

/// Output kept for a caller: the first `head_limit` bytes, and a rolling tail for error messages.
pub struct Collected {
    pub head: Vec<u8>,
    pub head_limit: usize,
    pub truncated: bool,
    pub tail: Vec<u8>,
}

/// Bytes of tail kept for error messages (the seed shows the last ~2000 characters).
pub const TAIL_BYTES: usize = 4096;

impl Collected {
    pub fn new(head_limit: usize) -> Arc<Mutex<Collected>> {
        Arc::new(Mutex::new(Collected { head: Vec::new(), head_limit, truncated: false, tail: Vec::new() }))
    }

    fn push(&mut self, bytes: &[u8]) {
        let room = self.head_limit.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..room.min(bytes.len())]);
        if bytes.len() > room {
            self.truncated = true;
        }
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 4 * TAIL_BYTES {
            let cut = self.tail.len() - TAIL_BYTES;
            self.tail.drain(..cut);
        }
    }

    /// The last ~2000 characters of output, for error messages.
    pub fn tail_text(&self) -> String {
        let text = String::from_utf8_lossy(&self.tail);
        let chars: Vec<char> = text.chars().collect();
        let start = chars.len().saturating_sub(2000);
        chars[start..].iter().collect::<String>().trim_end().to_string()
    }
}

/// Processes started by the sidecar that have not been reaped yet; they die with it.
#[derive(Default)]
pub struct ProcessTable {
    running: Mutex<HashMap<u32, watch::Receiver<Option<ExitInfo>>>>,
}

impl ProcessTable {
    fn insert(&self, pid: u32, exit: watch::Receiver<Option<ExitInfo>>) {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).insert(pid, exit);
    }

    fn remove(&self, pid: u32) {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).remove(&pid);
    }

    fn get(&self, pid: u32) -> Option<watch::Receiver<Option<ExitInfo>>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).get(&pid).cloned()
    }

    /// The pids still running.
    pub fn pids(&self) -> Vec<u32> {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).keys().copied().collect()
    }

    /// Kills tracked process `pid` and its group (SIGTERM, then SIGKILL after a grace period) and
    /// waits until it is reaped. False when `pid` is not a process the sidecar is running.
    pub async fn kill(&self, pid: u32) -> bool {
        let Some(exit) = self.get(pid) else { return false };
        terminate_group(pid, exit, TERM_GRACE).await;
        true
    }

    /// Kills tracked process `pid` and its group with SIGKILL at once, for work that is being
    /// thrown away (a cancelled scaffold's install), and waits until it is reaped.
    pub async fn kill_now(&self, pid: u32) -> bool {
        let Some(exit) = self.get(pid) else { return false };
        terminate_group(pid, exit, Duration::ZERO).await;
        true
    }

    /// Kills every tracked process (called by kill_all_processes, at shutdown and on EOF).
    pub async fn kill_all(&self) {
        let running: Vec<(u32, watch::Receiver<Option<ExitInfo>>)> = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(pid, exit)| (*pid, exit.clone()))
            .collect();
        let kills = running.into_iter().map(|(pid, exit)| terminate_group(pid, exit, SHUTDOWN_GRACE));
        futures::future::join_all(kills).await;
    }
}

/// SIGTERM to the group, SIGKILL after `grace`, then waits (briefly) for the reap.
async fn terminate_group(pid: u32, mut exit: watch::Receiver<Option<ExitInfo>>, grace: Duration) {
    signal_group(pid, Signal::Term);
    let exited = tokio::time::timeout(grace, exit.wait_for(Option::is_some)).await.is_ok_and(|r| r.is_ok());
    if !exited {
        signal_group(pid, Signal::Kill);
        let _ = tokio::time::timeout(Duration::from_secs(2), exit.wait_for(Option::is_some)).await;
    }
}

#[derive(Clone, Copy)]
pub enum Signal {
    Term,
    Kill,
}

/// Sends `signal` to the process group led by `pid`.
pub fn signal_group(pid: u32, signal: Signal) {
    #[cfg(unix)]
    {
        let Ok(pgid) = i32::try_from(pid) else { return };
        if pgid <= 1 {
            return; // never signal "every process" or init
        }
        let signal = match signal {
            Signal::Term => libc::SIGTERM,
            Signal::Kill => libc::SIGKILL,
        };
        // SAFETY: killpg only sends a signal; a stale group id fails with ESRCH.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = signal;
        if let Some(mut taskkill) = crate::confine::system_command("taskkill") {
            let _ = taskkill.args(["/T", "/F", "/PID", &pid.to_string()]).output();
        }
    }
}

/// A started child: its pid and a way to await its end.
pub struct Spawned {
    pub pid: u32,
    pub exit: watch::Receiver<Option<ExitInfo>>,
}

impl Spawned {
    /// Waits until the process is reaped and its output fully handed to the sink.
    pub async fn wait(mut self) -> ExitInfo {
        match self.exit.wait_for(Option::is_some).await {
            Ok(exit) => exit.clone().unwrap_or(ExitInfo { code: None, signal: None }),
            Err(_) => ExitInfo { code: None, signal: None },
        }
    }
}

/// Starts `program args` in the folder `cwd` (opened beneath the workspace root by handle),
/// tracked in the state's table, its output going to `sink` (or nowhere when `None`). `program`
/// is a bare name, looked up in the absolute `PATH` entries only.
pub fn spawn(
    state: Arc<crate::context::SidecarState>,
    program: &str,
    args: &[String],
    cwd: &super::Cwd,
    sink: Option<Sink>,
) -> Result<Spawned, AppError> {
    let executable = find_program(program).ok_or_else(|| {
        AppError::process(format!("could not start '{program}': it was not found on PATH; install it or check the command"))
    })?;
    let (mut command, cwd_guard) =
        cwd.root.command(&cwd.folder, &executable).map_err(|err| err.to_app_error(&cwd.folder, "use as the working folder"))?;
    let cwd_shown = if cwd.folder.is_root() { ".".to_string() } else { cwd.folder.wire().to_string() };
    let cwd = Path::new(&cwd_shown);
    command.args(args).stdin(Stdio::null()).kill_on_drop(false);
    // Our own pipes rather than tokio's: they are read by plain threads with blocking reads.
    let pipes = match sink {
        Some(_) => {
            let (stdout_reader, stdout_writer) = std::io::pipe().map_err(|err| spawn_error(program, cwd, err))?;
            let (stderr_reader, stderr_writer) = std::io::pipe().map_err(|err| spawn_error(program, cwd, err))?;
            command.stdout(stdout_writer).stderr(stderr_writer);
            Some((stdout_reader, stderr_reader))
        }
        None => {
            command.stdout(Stdio::null()).stderr(Stdio::null());
            None
        }
    };
    #[cfg(unix)]
    {
        command.process_group(0);
        #[cfg(target_os = "linux")]
        {
            // SAFETY: only async-signal-safe calls (prctl, getppid, _exit) run in the child.
            let parent = std::process::id() as libc::pid_t;
            unsafe {
                command.pre_exec(move || {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    // The sidecar died between fork and prctl: do not outlive it.
                    if libc::getppid() != parent {
                        libc::_exit(1);
                    }
                    Ok(())
                });
            }
        }
    }
    let spawned = command.spawn();
    // Close our copies of the pipes' write ends now, or the readers would never see EOF.
    drop(command);
    drop(cwd_guard);
    let mut child = spawned.map_err(|err| spawn_error(program, cwd, err))?;
    let pid = child.id().ok_or_else(|| AppError::process(format!("'{program}' exited before it could be tracked")))?;
    let (exit_sender, exit_receiver) = watch::channel(None);
    state.processes.insert(pid, exit_receiver.clone());

    let readers: Vec<oneshot::Receiver<()>> = match (pipes, &sink) {
        (Some((stdout, stderr)), Some(sink)) => vec![
            start_reader(pid, stdout, OutputStream::Stdout, sink.clone()),
            start_reader(pid, stderr, OutputStream::Stderr, sink.clone()),
        ],
        _ => Vec::new(),
    };
    tokio::spawn(async move {
        let status = child.wait().await;
        // Reaped: the pid may be reused from now on, so it leaves the table before anything else.
        state.processes.remove(pid);
        // A grandchild may keep the pipes open (a daemon that outlived the group); `Exit` does not
        // wait for it beyond the grace, and its reader stops at its next read (the channel is closed).
        let _ = tokio::time::timeout(DRAIN_GRACE, futures::future::join_all(readers)).await;
        let exit = match status {
            Ok(status) => ExitInfo::from_status(status),
            Err(_) => ExitInfo { code: None, signal: None },
        };
        if let Some(Sink::Channel(channel)) = &sink {
            channel.send(ProcessEvent::Exit { code: exit.code, signal: exit.signal.clone() });
        }
        let _ = exit_sender.send(Some(exit));
    });
    Ok(Spawned { pid, exit: exit_receiver })
}

fn spawn_error(program: &str, cwd: &Path, err: std::io::Error) -> AppError {
    match err.kind() {
        std::io::ErrorKind::NotFound => AppError::process(format!(
            "could not start '{program}': it was not found on PATH; install it or check the command"
        )),
        std::io::ErrorKind::PermissionDenied => {
            AppError::process(format!("could not start '{program}': permission denied ({err})"))
        }
        _ => AppError::process(format!("could not start '{program}' in {}: {err}", cwd.display())),
    }
}

/// Starts the thread that reads `pipe` to its end; the receiver resolves when it is done.
fn start_reader(pid: u32, pipe: std::io::PipeReader, stream: OutputStream, sink: Sink) -> oneshot::Receiver<()> {
    let (done, finished) = oneshot::channel();
    let started = std::thread::Builder::new().name(format!("pipe-{pid}-{stream:?}").to_lowercase()).spawn(move || {
        request_short_slice();
        pump(pipe, stream, &sink);
        let _ = done.send(());
    });
    if let Err(err) = started {
        // Out of threads: the pipe is dropped with the closure, so the child gets EPIPE rather
        // than blocking forever, and the exit is still reported.
        crate::rpc::server::log(&format!("could not start a reader for process {pid}: {err}"));
    }
    finished
}

/// Asks the scheduler for a short time slice for the calling thread (Linux 6.12 and later, whose
/// EEVDF scheduler lets a woken task with a shorter slice preempt the running one). Without it a
/// pipe reader woken by a child's write waits for whatever runs on the CPU to finish its slice
/// (1.4 ms on a 2-core machine), which was most of the sidecar's share of the tail latency of
/// process output.
/// The reader runs for microseconds per wakeup, so it takes nothing from anyone. Older kernels
/// ignore the slice, and a refusal leaves the thread as it was.
fn request_short_slice() {
    #[cfg(target_os = "linux")]
    {
        const SLICE_NS: u64 = 100_000; // the shortest slice the kernel accepts
        // SAFETY: sched_getattr/sched_setattr on the calling thread (pid 0) with a zeroed,
        // correctly sized sched_attr; they only read and write that struct.
        unsafe {
            let mut attr: libc::sched_attr = std::mem::zeroed();
            let size = std::mem::size_of::<libc::sched_attr>() as libc::c_uint;
            if libc::syscall(libc::SYS_sched_getattr, 0, &mut attr as *mut libc::sched_attr, size, 0) != 0 {
                return;
            }
            if attr.sched_policy != libc::SCHED_OTHER as u32 {
                return; // someone chose a policy for us; keep it
            }
            attr.size = size;
            attr.sched_runtime = SLICE_NS;
            libc::syscall(libc::SYS_sched_setattr, 0, &attr as *const libc::sched_attr, 0);
        }
    }
}

/// Reads one pipe to its end, handing every read to the sink.
fn pump(mut pipe: impl Read, stream: OutputStream, sink: &Sink) {
    let mut buffer = vec![0u8; READ_CHUNK];
    let mut splitter = LineSplitter::default();
    loop {
        let read = match pipe.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        match sink {
            Sink::Channel(channel) => {
                // When the host is gone `send_now` drops the message; reading goes on regardless so
                // the child never blocks on a full pipe. Once `Exit` went out (a daemon grandchild
                // still writing after the grace), there is no one left to read for.
                let lines = splitter.push(&buffer[..read]);
                if !lines.is_empty() && !channel.send_now(ProcessEvent::Output { stream, lines }) && channel.is_closed() {
                    return;
                }
            }
            Sink::Collect(collected) => collected.lock().unwrap_or_else(|p| p.into_inner()).push(&buffer[..read]),
            Sink::Lines(deliver) => {
                let lines = splitter.push(&buffer[..read]);
                if !lines.is_empty() {
                    deliver(stream, lines);
                }
            }
        }
    }
    match (sink, splitter.finish()) {
        (Sink::Channel(channel), Some(last)) => {
            channel.send_now(ProcessEvent::Output { stream, lines: vec![last] });
        }
        (Sink::Lines(deliver), Some(last)) => deliver(stream, vec![last]),
        _ => {}
    }
}

//! `kill_port`: finds the processes listening on TCP ports and kills them. On Linux it reads
//! `/proc/net/tcp{,6}` for listening sockets and `/proc/<pid>/fd` for their owners, so no tool is
//! needed; elsewhere it asks `lsof`. Only processes of the sidecar's own user are touched.

use crate::error::AppError;
use std::collections::HashSet;

/// Pids of this user's processes listening on any of `ports`.
pub fn listeners(ports: &[u16]) -> Result<Vec<u32>, AppError> {
    #[cfg(target_os = "linux")]
    {
        linux::listeners(ports)
    }
    #[cfg(not(target_os = "linux"))]
    {
        lsof_listeners(ports)
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;

    /// Socket inodes of TCP sockets in LISTEN state on `ports`.
    fn listening_inodes(ports: &[u16]) -> HashSet<u64> {
        let mut inodes = HashSet::new();
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let Ok(text) = std::fs::read_to_string(table) else { continue };
            inodes.extend(parse_tcp_table(&text, ports));
        }
        inodes
    }

    /// Parses a `/proc/net/tcp` table: `sl local_address rem_address st ... uid timeout inode`.
    pub(super) fn parse_tcp_table(text: &str, ports: &[u16]) -> Vec<u64> {
        const LISTEN: &str = "0A";
        text.lines()
            .skip(1)
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let local = fields.get(1)?;
                let state = fields.get(3)?;
                let inode = fields.get(9)?.parse::<u64>().ok()?;
                let port = u16::from_str_radix(local.rsplit_once(':')?.1, 16).ok()?;
                (*state == LISTEN && ports.contains(&port) && inode != 0).then_some(inode)
            })
            .collect()
    }

    pub fn listeners(ports: &[u16]) -> Result<Vec<u32>, AppError> {
        let inodes = listening_inodes(ports);
        if inodes.is_empty() {
            return Ok(Vec::new());
        }
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        let own = std::process::id();
        let proc_dir = std::fs::read_dir("/proc").map_err(|err| AppError::io(format!("cannot list /proc: {err}")))?;
        let mut pids = Vec::new();
        for entry in proc_dir.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else { continue };
            if pid == own {
                continue;
            }
            use std::os::unix::fs::MetadataExt;
            if entry.metadata().map(|meta| meta.uid() != me).unwrap_or(true) {
                continue; // another user's process: never ours to kill
            }
            let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else { continue };
            let owns_socket = fds.flatten().any(|fd| {
                std::fs::read_link(fd.path())
                    .ok()
                    .and_then(|target| {
                        let target = target.to_str()?.to_owned();
                        target.strip_prefix("socket:[")?.strip_suffix(']')?.parse::<u64>().ok()
                    })
                    .is_some_and(|inode| inodes.contains(&inode))
            });
            if owns_socket {
                pids.push(pid);
            }
        }
        Ok(pids)
    }
}

#[cfg(not(target_os = "linux"))]
fn lsof_listeners(ports: &[u16]) -> Result<Vec<u32>, AppError> {
    let mut pids = HashSet::new();
    for port in ports {
        let output = crate::confine::system_command("lsof").ok_or_else(|| AppError::process("lsof is not installed; install it to free ports"))?
            .args(["-t", &format!("-iTCP:{port}"), "-sTCP:LISTEN", "-u", &whoami()])
            .output()
            .map_err(|err| AppError::process(format!("kill_port needs `lsof`, which could not run: {err}")))?;
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            if let Ok(pid) = line.trim().parse::<u32>() {
                pids.insert(pid);
            }
        }
    }
    pids.remove(&std::process::id());
    Ok(pids.into_iter().collect())
}

#[cfg(not(target_os = "linux"))]
fn whoami() -> String {
    std::env::var("USER").unwrap_or_default()
}

/// SIGKILLs `pid` (as the seed's `kill -9`).
pub fn kill(pid: u32) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(pid) {
        if pid > 1 {
            // SAFETY: kill only sends a signal.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
    #[cfg(not(unix))]
    {
        if let Some(mut taskkill) = crate::confine::system_command("taskkill") {
            let _ = taskkill.args(["/F", "/PID", &pid.to_string()]).output();
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn parses_listening_sockets_only() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0\n\
   1: 0100007F:0BB8 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 12346 1 0\n\
   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 22222 1 0\n";
        assert_eq!(super::linux::parse_tcp_table(table, &[3000]), vec![12345]);
        assert_eq!(super::linux::parse_tcp_table(table, &[8080, 3000]), vec![12345, 22222]);
    }
}

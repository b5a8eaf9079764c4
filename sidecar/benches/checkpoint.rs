//! bench/checkpoint: what a checkpoint costs on a generated workspace of 1,000 and of 10,000
//! files, for a turn that changes 3 files, and what restoring it costs. Run with
//! `node bench/run.mjs checkpoint` (or `cargo bench --bench checkpoint`); prints a table with the
//! target (≤ 100 ms each after the first) and whether it is met.
//!
//! Three figures per workspace, medians of several turns after the first:
//! - a bash turn: the scans before and after the command (the command itself, which changes three
//!   files, is not counted);
//! - a write_file turn: recording three files' before and after contents;
//! - the restore of the turn's three files.
//! The first checkpoint of a workspace stores every file once; it is printed on its own.

// A benchmark's job is to print its figures.
#![allow(clippy::print_stdout)]

use prototyper_sidecar::checkpoint::restore;
use prototyper_sidecar::checkpoint::Checkpoints;
use prototyper_sidecar::confine::{RelPath, Root};
use prototyper_sidecar::editor::Editors;
use prototyper_sidecar::protocol::checkpoint::{CheckpointSelection, CheckpointTarget, RestoreScope};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TURNS: usize = 9;
const TARGET_MS: f64 = 100.0;

/// A workspace of `files` small source files in nested folders (about 2 KB each).
fn generate(dir: &Path, files: usize) {
    let body: String = (0..60).map(|i| format!("export const value{i} = {i}; // some source text\n")).collect();
    for i in 0..files {
        let folder = dir.join(format!("src/module{}/part{}", i % 50, i % 7));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("file{i}.ts")), format!("// file {i}\n{body}")).unwrap();
    }
    std::fs::write(dir.join(".gitignore"), "dist/\n").unwrap();
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

struct Figures {
    first: f64,
    bash_turn: f64,
    write_turn: f64,
    restore: f64,
}

fn measure(files: usize, runtime: &tokio::runtime::Runtime) -> Figures {
    let workspace = tempfile::tempdir().unwrap();
    let storage = tempfile::tempdir().unwrap();
    generate(workspace.path(), files);
    // Files written this moment would count as "racily clean" and be hashed twice; a real
    // workspace's files are older than that.
    std::thread::sleep(Duration::from_millis(120));
    let root = Root::open_ambient(workspace.path()).unwrap();
    let checkpoints = Arc::new(Checkpoints::open(&Root::open_ambient(storage.path()).unwrap(), &root).unwrap());
    let started = Instant::now();
    checkpoints.scan().unwrap();
    let first = ms(started);

    let changed = |turn: usize| -> Vec<String> { (0..3).map(|k| format!("src/module{}/part{}/file{}.ts", (turn * 3 + k) % 50, (turn * 3 + k) % 7, turn * 3 + k)).collect() };
    let (mut bash_turns, mut write_turns, mut restores) = (Vec::new(), Vec::new(), Vec::new());
    for turn in 0..TURNS * 2 {
        let message = format!("m{turn}");
        let recorder = checkpoints.turn(&CheckpointTarget { chat_id: "bench".into(), message_id: message.clone() }).unwrap();
        let paths = changed(turn);
        if turn % 2 == 0 {
            // A bash turn: scan, the command changes three files, scan.
            let started = Instant::now();
            let before = recorder.before_command().unwrap();
            let scan_before = ms(started);
            for path in &paths {
                std::fs::write(workspace.path().join(path), format!("// changed by turn {turn}\n")).unwrap();
            }
            let started = Instant::now();
            let found = recorder.after_command(&before).unwrap();
            bash_turns.push(scan_before + ms(started));
            assert_eq!(found.len(), 3, "the scan finds the command's three changes");
        } else {
            // A write_file turn: each change records the file's content before and after.
            let started = Instant::now();
            for path in &paths {
                let relative = RelPath::parse(path).unwrap();
                let before = std::fs::read(workspace.path().join(path)).unwrap();
                recorder.record_change(&relative, Some(&before), Some(format!("// written by turn {turn}\n").as_bytes()), false).unwrap();
            }
            write_turns.push(ms(started));
            for path in &paths {
                std::fs::write(workspace.path().join(path), format!("// written by turn {turn}\n")).unwrap();
            }
        }
        let selection = CheckpointSelection { chat_id: "bench".into(), message_id: message, scope: RestoreScope::Message, paths: None, overwrite: None };
        let started = Instant::now();
        let result = runtime.block_on(restore::apply(checkpoints.clone(), &Editors::none(), selection)).unwrap();
        restores.push(ms(started));
        assert_eq!(result.restored.len(), 3, "{result:?}");
    }
    // The first turn of each kind warms caches; it is the "first" the target excludes.
    bash_turns.remove(0);
    write_turns.remove(0);
    restores.remove(0);
    Figures { first, bash_turn: median(bash_turns), write_turn: median(write_turns), restore: median(restores) }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let small = measure(1_000, &runtime);
    let large = measure(10_000, &runtime);
    let verdict = |a: f64, b: f64| if a <= TARGET_MS && b <= TARGET_MS { "met" } else { "missed" };
    println!("bench/checkpoint: a turn that changes 3 files (medians of {} turns after the first)\n", TURNS - 1);
    println!("{:<46} {:>12} {:>13} {:>10} {:>8}", "", "1,000 files", "10,000 files", "target", "");
    println!("{:<46} {:>9.1} ms {:>10.1} ms {:>10} {:>8}", "first checkpoint (stores every file once)", small.first, large.first, "-", "");
    for (label, a, b) in [
        ("checkpoint of a bash turn (scan before+after)", small.bash_turn, large.bash_turn),
        ("checkpoint of a write_file turn", small.write_turn, large.write_turn),
        ("restore of the turn's 3 files", small.restore, large.restore),
    ] {
        println!("{label:<46} {a:>9.1} ms {b:>10.1} ms {:>10} {:>8}", "<= 100 ms", verdict(a, b));
    }
}

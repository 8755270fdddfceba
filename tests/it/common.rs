//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use bigvsim::experiment::{Plan, run_batch};
use bigvsim::metrics::{Metric, RunMetrics};
use bigvsim::scenario::{self, LoadedModel};

/// The repository's root (where `models/` lives).
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a model shipped in `models/` by file name.
pub fn model(name: &str) -> LoadedModel {
    let path = root().join("models").join(name);
    scenario::load(path.to_str().unwrap(), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Every model file shipped in `models/`, sorted by name.
pub fn shipped_models() -> Vec<std::path::PathBuf> {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(root().join("models"))
        .expect("models/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    paths.sort();
    paths
}

/// Models with more VMs than this are run on a hundredth of their heads by the tests
/// that run every shipped model.
pub const BIG_SITE_VMS: u64 = 100_000;

/// Loads a shipped model as the tests that run every model do: a model of more than
/// [`BIG_SITE_VMS`] VMs (scaling-1m) on a hundredth of its heads, which exercises the
/// same code at a size a debug build runs in a fraction of a second.
pub fn shipped_model_scaled(path: &std::path::Path) -> LoadedModel {
    let file = path.to_str().unwrap();
    let m = scenario::load(file, &[]).unwrap_or_else(|e| panic!("{e}"));
    if m.scenario.site.vms() <= BIG_SITE_VMS {
        return m;
    }
    let heads = format!("site.heads={}", (m.scenario.site.heads / 100).max(1));
    scenario::load(file, &[heads]).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads a model from text, with overrides.
pub fn model_str(text: &str, sets: &[&str]) -> LoadedModel {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    scenario::load_str("test.ron", text, &sets).unwrap_or_else(|e| panic!("{e}"))
}

/// The path of the built `bigvsim` binary.
pub fn bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_bigvsim"))
}

/// Runs the built binary with `args` from the repository root (so `models/…` paths
/// resolve), stdin closed, and returns its exit status, stdout and stderr.
pub fn bigvsim(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Runs the binary as [`bigvsim`] does, fails the test with the stderr if it does not
/// exit successfully, and returns its stdout.
pub fn bigvsim_ok(args: &[&str]) -> Vec<u8> {
    let out = bigvsim(args);
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    out.stdout
}

/// A finished run of the binary, its streams read as text.
#[derive(Debug)]
pub struct Run {
    /// The exit code, -1 when the process was ended by a signal.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary as [`bigvsim`] does and returns its code and streams as text.
pub fn run(args: &[&str]) -> Run {
    let out = bigvsim(args);
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: stdout_of(&out),
        stderr: stderr_of(&out),
    }
}

/// A run's stdout as text (invalid UTF-8 replaced).
pub fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A run's stderr as text (invalid UTF-8 replaced).
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A run of the binary under a time limit (see [`bigvsim_within`]).
#[derive(Debug)]
pub struct Timed {
    /// The exit code; `None` when killed at the limit or ended by a signal.
    pub code: Option<i32>,
    /// Whether it was still running at the limit and was killed.
    pub killed: bool,
    /// What it wrote, up to its exit or its killing.
    pub stdout: String,
    pub stderr: String,
    /// From the start to its exit or the limit.
    pub took: Duration,
}

/// Runs the binary with `args` from the repository root, stdin closed, polling every
/// 20 ms, and kills it once it has run longer than `limit`.
pub fn bigvsim_within(args: &[&str], limit: Duration) -> Timed {
    let start = Instant::now();
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (code, killed, took) = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break (status.code(), false, start.elapsed());
        }
        if start.elapsed() > limit {
            let took = start.elapsed();
            let _ = child.kill();
            let _ = child.wait();
            break (None, true, took);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    Timed {
        code,
        killed,
        stdout: stdout_of(&out),
        stderr: stderr_of(&out),
        took,
    }
}

/// A fresh, empty directory for one test's files: `<target>/tmp/scratch/<file>-<name>`,
/// where `<file>` is the stem of the test file that calls it (so two test files may use
/// the same name) and `<name>` must be unique within that file. Whatever a previous run
/// left there (a directory or a file) is removed first, so a test starts from nothing;
/// the directory is left behind for inspection after a failure. A test that needs a
/// path that does not exist yet uses a child of it, e.g. `scratch("x").join("out")`.
#[track_caller]
pub fn scratch(name: &str) -> PathBuf {
    let caller = std::path::Path::new(std::panic::Location::caller().file());
    let file = caller
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("test");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("scratch")
        .join(format!("{file}-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Writes `text` to `file` in a fresh [`scratch`] directory `dir` and returns its path.
#[track_caller]
pub fn scratch_file(dir: &str, file: &str, text: &str) -> PathBuf {
    let path = scratch(dir).join(file);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

/// The plan of the tests that check a model's invariants as it runs: `reps`
/// replications from `seed`, invariants checked, outages kept.
pub fn checked(seed: u64, reps: u64) -> Plan {
    Plan {
        check_invariants: true,
        keep_outages: true,
        ..Plan::new(seed, reps)
    }
}

/// The metrics of each replication of a model text with overrides, run as
/// [`checked`]`(seed, reps)`.
pub fn metrics(seed: u64, text: &str, sets: &[&str], reps: u64) -> Vec<RunMetrics> {
    let m = model_str(text, sets);
    let batch = run_batch(&m.scenario, &checked(seed, reps), &|_, _| {}).unwrap();
    batch.replications.iter().map(|r| r.metrics).collect()
}

/// A quiet site of 10 heads × 7 VMs whose only fault is a site-wide supervisor crash
/// at 1 h: restart 5 s, 8 boot slots of a fixed 45 s, no contention. The oracles and
/// the incident tests work their expected values from it by hand.
pub const QUIET: &str = r#"(
    name: "quiet",
    horizon: "1d",
    site: (heads: 10, vms_per_head: 7),
    supervisor: (restart: Fixed("5s")),
    brain: (reboot_concurrency: 8, boot_time: Fixed("45s"), boot_slowdown_per_boot_on_site: 0.0),
    faults: [SupervisorCrash(at: "1h", scope: All)],
)"#;

/// Asserts two runs' replications equal metric by metric, bit for bit (the event count
/// included), and in their censoring; `what` names the comparison in a failure.
pub fn assert_identical(a: &[RunMetrics], b: &[RunMetrics], what: &str) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        for &m in Metric::ALL {
            assert_eq!(
                x[m].to_bits(),
                y[m].to_bits(),
                "{what}, replication {i}: {m:?} {} vs {}",
                x[m],
                y[m]
            );
        }
        assert_eq!(x.censored, y.censored, "{what}, replication {i}: censoring");
    }
}

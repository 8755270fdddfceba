//! Explaining a result: the trace's notes and filters, the incident timeline, and that
//! recording notes changes nothing the model computes.

use bigvsim::engine::Micros;
use bigvsim::experiment::{FNV_OFFSET, fnv1a, trace_hash};
use bigvsim::metrics::Metric;
use bigvsim::model::{Platform, RunOptions};
use bigvsim::report::explain::explain_replication;
use serde_json::Value;

use super::common::{bigvsim, model, scratch};

/// The trace lines of York with extra arguments, parsed.
fn trace(extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["trace", "models/york-2017.ron"];
    args.extend_from_slice(extra);
    let out = bigvsim(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn york_trace_names_every_state_change_with_seconds() {
    // The York incident shows every state change a person reasons about, and every
    // line's t_s is its t_us in seconds.
    let lines = trace(&[]);
    for name in [
        "SupervisorCrashed",
        "VmDied",
        "VmQueued",
        "BootStarted",
        "LinkReconnected",
        "LinkDropped",
        "ReconnectFailed",
        "BugDrawn",
        "VmBooted",
        "PartitionBegan",
    ] {
        assert!(
            lines.iter().any(|l| l["event"] == name),
            "no {name} in the trace"
        );
    }
    for l in &lines {
        let us = l["t_us"].as_u64().unwrap();
        let s = l["t_s"].as_f64().unwrap();
        assert!((s - us as f64 / 1e6).abs() < 1e-6, "{l}");
    }
    // The crashes are the bug's, after the long outage, and 2 000 VMs die of them.
    let crashes: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "SupervisorCrashed")
        .collect();
    // Every head's supervisor crashes, and crash-loops while its link stays down.
    let mut heads: Vec<u64> = crashes
        .iter()
        .map(|l| l["head"].as_u64().unwrap())
        .collect();
    heads.sort_unstable();
    heads.dedup();
    assert_eq!(heads, (0..50).collect::<Vec<u64>>());
    assert!(crashes.len() > 50, "{}", crashes.len());
    assert!(crashes.iter().all(|l| l["cause"] == "bug_on_long_reset"));
    assert_eq!(
        lines.iter().filter(|l| l["event"] == "VmDied").count(),
        2000
    );
}

#[test]
fn trace_filters_choose_lines() {
    // Each filter keeps only its lines, and keeps some.
    let head = trace(&["--head", "3"]);
    assert!(head.len() > 40);
    for l in &head {
        let on_3 = l["head"] == 3 || l["vm"].as_u64().is_some_and(|v| v / 40 == 3);
        assert!(on_3, "{l}");
    }
    let vm = trace(&["--vm", "5"]);
    assert!(!vm.is_empty());
    assert!(vm.iter().all(|l| l["vm"] == 5));
    let names = trace(&["--event", "VmDied", "--event", "LinkReconnected"]);
    assert_eq!(names.len(), 2000 + 64);
    assert!(
        names
            .iter()
            .all(|l| l["event"] == "VmDied" || l["event"] == "LinkReconnected")
    );
    let window = trace(&["--from", "1h", "--to", "61m"]);
    assert!(!window.is_empty());
    assert!(window.iter().all(|l| {
        let t = l["t_us"].as_u64().unwrap();
        (3_600_000_000..=3_660_000_000).contains(&t)
    }));
    let limited = trace(&["--event", "VmQueued", "--limit", "7"]);
    assert_eq!(limited.len(), 7);
    assert!(limited.iter().all(|l| l["event"] == "VmQueued"));
    // An unknown name is bad input and names the known ones.
    let out = bigvsim(&["trace", "models/york-2017.ron", "--event", "VmDead"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("VmDied"));
}

/// The time of a timeline line: its leading number of seconds.
fn line_seconds(line: &str) -> i64 {
    let head: String = line
        .split(" s ")
        .next()
        .unwrap()
        .replace(' ', "")
        .replace('−', "-");
    let first = head.split('–').next().unwrap();
    first.parse().unwrap_or_else(|e| panic!("{line}: {e}"))
}

#[test]
fn explain_ends_at_the_replications_full_recovery() {
    // For several models and replications, the timeline's last line's time is that
    // replication's full_recovery_s (to the second), and the timeline is short.
    for (name, reps) in [
        ("york-2017.ron", 0..3),
        ("york-2017-fast-reboot.ron", 0..2),
        ("york-2017-decoupled.ron", 0..2),
        ("york-2017-patched.ron", 0..2),
    ] {
        let m = model(name);
        for rep in reps {
            let lines = explain_replication(&m.scenario, 1, rep).unwrap();
            let metrics = Platform::new(&m.scenario, RunOptions::default())
                .run(1, rep)
                .unwrap();
            let full = metrics.values[Metric::FullRecoveryS as usize];
            assert!(lines.len() <= 30, "{name} {rep}: {lines:#?}");
            let last = lines.last().unwrap();
            if metrics.values[Metric::WorstIncidentVms as usize] == 0.0 {
                assert!(last.starts_with("no VM went down"), "{last}");
                continue;
            }
            assert_eq!(
                line_seconds(last),
                full.round() as i64,
                "{name} {rep}: {lines:#?}"
            );
            assert!(last.contains(&format!("full_recovery_s {full}")), "{last}");
        }
    }
}

#[test]
fn explain_of_york_tells_the_incident() {
    // The York timeline: the partition 30 s before the crashes, the bug crashing all
    // 50 supervisors (and again while their links stay down) and 2 000 VMs dying from
    // 0 s, the links back, 2 000 boots through
    // 20 slots, and the last VM at full_recovery_s.
    let out = bigvsim(&["explain", "models/york-2017.ron"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(has("−30 s partition of all 50 heads"), "{text}");
    assert!(
        has("s the bug (after a long outage) crashes 50 supervisors")
            && has("times (a crash loop), 2 000 VMs die"),
        "{text}"
    );
    assert!(has("50 links back"), "{text}");
    assert!(has("2 000 boots start through 20 slots"), "{text}");
    let m = model("york-2017.ron");
    let full = Platform::new(&m.scenario, RunOptions::default())
        .run(1, 0)
        .unwrap()
        .values[Metric::FullRecoveryS as usize];
    assert_eq!(line_seconds(lines.last().unwrap()), full.round() as i64);
}

#[test]
fn recording_notes_changes_no_result() {
    // Notes are observations only: with them on, every York variant runs the same
    // events and gives the same metrics as with them off.
    for name in [
        "york-2017.ron",
        "york-2017-decoupled.ron",
        "york-2017-fast-reboot.ron",
        "york-2017-message-queue.ron",
        "york-2017-patched.ron",
        "york-2017-short-reset.ron",
    ] {
        let m = model(name);
        for seed in [1, 7] {
            let (off_hash, off) = trace_hash(&m.scenario, seed, 0).unwrap();
            let mut p = Platform::new(&m.scenario, RunOptions::default());
            let notes = p.record_notes();
            let mut h = FNV_OFFSET;
            let mut noted = 0usize;
            let on = p
                .run_observed(seed, 0, |t: Micros, e| {
                    notes.drain(|_, _| noted += 1);
                    h = fnv1a(&t.to_le_bytes(), h);
                    h = fnv1a(e.name().as_bytes(), h);
                    h = fnv1a(e.json_fields().as_bytes(), h);
                })
                .unwrap();
            assert!(noted > 0, "{name}: no notes recorded");
            assert_eq!(h, off_hash, "{name} seed {seed}: notes changed the events");
            assert_eq!(on, off, "{name} seed {seed}: notes changed the metrics");
        }
    }
}

#[test]
fn report_md_explains_replication_0() {
    // report.md carries the explain timeline of replication 0, ending at its
    // full_recovery_s.
    let dir = scratch("report").join("out");
    let out = bigvsim(&[
        "run",
        "models/york-2017.ron",
        "-r",
        "2",
        "--out",
        dir.to_str().unwrap(),
        "--force",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        md.contains("## Worst incident of replication 0: york-2017"),
        "{md}"
    );
    let m = model("york-2017.ron");
    let full = Platform::new(&m.scenario, RunOptions::default())
        .run(1, 0)
        .unwrap()
        .values[Metric::FullRecoveryS as usize];
    assert!(
        md.contains(&format!("s last VM back (full_recovery_s {full})")),
        "{md}"
    );
}

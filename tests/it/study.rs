//! Comparisons, sweeps and shards through the command line: common random numbers,
//! byte-identical output whatever the threads or shards, and sweeps that move the
//! right way.

use std::process::Command;

use super::common::{bin, root};

fn run(args: &[&str]) -> Vec<u8> {
    let out = Command::new(bin())
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

const DESIGNS: &[&str] = &[
    "models/york-2017.ron",
    "models/york-2017-patched.ron",
    "models/york-2017-decoupled.ron",
    "models/york-2017-message-queue.ron",
    "models/york-2017-fast-reboot.ron",
];

fn compare(extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["compare"];
    args.extend_from_slice(DESIGNS);
    args.extend_from_slice(&["-r", "12", "--format", "json"]);
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn compare_is_identical_across_runs_jobs_and_shards() {
    // Twice, with 1 and 2 threads, and as four shards merged: the same bytes.
    let whole = compare(&["--jobs", "2"]);
    assert_eq!(whole, compare(&["--jobs", "2"]));
    assert_eq!(whole, compare(&["--jobs", "1"]));
    let dir = std::env::temp_dir().join(format!("bigvsim-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut parts = Vec::new();
    // Shards given to merge out of order: merge sorts them.
    for k in [2, 0, 3, 1] {
        let shard = format!("{k}/4");
        let part = compare(&["--shard", &shard]);
        let path = dir.join(format!("part{k}.json"));
        std::fs::write(&path, part).unwrap();
        parts.push(path.to_string_lossy().into_owned());
    }
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend_from_slice(&["--format", "json"]);
    assert_eq!(whole, run(&args));
    // A missing shard is refused.
    let out = Command::new(bin())
        .args(["merge", &parts[0], &parts[1], &parts[2]])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
}

#[test]
fn compare_reports_paired_differences_and_the_incident_designs_lose_no_vm() {
    // Patched, decoupled and message-queue designs have zero VM downtime for the
    // incident; every alternative's paired difference in full_recovery_s has a CI
    // that excludes zero, and the fast reboot queue recovers faster.
    let doc: serde_json::Value = serde_json::from_slice(&compare(&[])).unwrap();
    let designs = doc["designs"].as_array().unwrap();
    assert_eq!(designs.len(), 5);
    for d in &designs[1..4] {
        assert_eq!(
            d["metrics"]["vm_availability"]["min"], 1.0,
            "{}",
            d["model"]
        );
        assert_eq!(d["metrics"]["full_recovery_s"]["max"], 0.0);
    }
    let paired = doc["paired"].as_array().unwrap();
    assert_eq!(paired.len(), 4);
    for p in paired {
        assert_eq!(p["baseline"], "york-2017");
        let ci = p["metrics"]["full_recovery_s"]["ci95"].as_array().unwrap();
        assert!(ci[1].as_f64().unwrap() < 0.0, "{}: {ci:?}", p["model"]);
    }
    let fast = &paired[3]["metrics"]["full_recovery_s"]["mean"];
    assert!(fast.as_f64().unwrap() < -1_000.0);
}

#[test]
fn common_random_numbers_narrow_the_paired_interval() {
    // The year model against the fast reboot queue: the paired CI of the downtime
    // difference is narrower than the independent-seeds (Welch) CI.
    let width = |extra: &[&str]| {
        let mut args = vec![
            "compare",
            "models/york-year.ron",
            "models/york-year-fast-reboot.ron",
            "-r",
            "40",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let doc: serde_json::Value = serde_json::from_slice(&run(&args)).unwrap();
        let ci = &doc["paired"][0]["metrics"]["downtime_min_per_vm_year"]["ci95"];
        ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap()
    };
    let paired = width(&[]);
    let independent = width(&["--independent-seeds"]);
    assert!(paired * 2.0 < independent, "{paired} vs {independent}");
}

#[test]
fn sweep_recovery_falls_as_concurrency_rises() {
    // More boot slots, faster recovery: the mean full_recovery_s strictly decreases
    // over 10, 20, 40, 80 slots, and each point has a CI.
    let doc: serde_json::Value = serde_json::from_slice(&run(&[
        "sweep",
        "models/york-2017.ron",
        "--param",
        "brain.reboot_concurrency=10..40:10",
        "--param",
        "brain.queue_policy=Fifo",
        "-r",
        "8",
        "--format",
        "json",
    ]))
    .unwrap();
    let points = doc["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    let means: Vec<f64> = points
        .iter()
        .map(|p| p["metrics"]["full_recovery_s"]["mean"].as_f64().unwrap())
        .collect();
    assert!(means.windows(2).all(|w| w[1] < w[0]), "{means:?}");
    assert_eq!(points[0]["values"]["brain.reboot_concurrency"], "10");
    assert!(points[0]["metrics"]["full_recovery_s"]["ci95"].is_array());
}

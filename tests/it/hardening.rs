//! Hostile input, one test per class of defect: a work bound that counts what the bug
//! crashes cost, the long-reset bug for every supervisor life, statistics with one
//! replication, arguments that would silently do the wrong thing, all-or-nothing
//! outputs, settings that can never have an effect, `trace` as a Unix tool, names that
//! would break outputs, and the memory bound over all workers.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::common::{bigvsim, bin, root, scratch, scratch_file};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Writes a model text into a scratch folder and returns its path.
fn model_file(name: &str, text: &str) -> PathBuf {
    scratch_file(name, "model.ron", text)
}

/// Every entry under `dir`, sorted, as paths relative to it.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn metric_mean(doc: &serde_json::Value, key: &str) -> f64 {
    doc["metrics"][key]["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("metrics.{key}.mean in {doc}"))
}

fn run_json(model: &Path, sets: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "run",
        model.to_str().unwrap(),
        "-r",
        "1",
        "--format",
        "json",
    ];
    for s in sets {
        args.push("--set");
        args.push(s);
    }
    let o = bigvsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

// ---------------------------------------------------------------------------------
// Class: the up-front work bound must count the VMs each bug crash touches.

#[test]
fn work_bound_counts_the_vms_that_reset_crashes_kill() {
    // 10 heads × 100 000 VMs, every reset crashes the supervisor (killing 100 000 VMs
    // each), and a zero-length site-wide partition 1e8 times a year: about 1e8 × 10
    // crashes of 100 000 VMs a year, hours of work. It must be refused up front, fast.
    let path = model_file(
        "workbound",
        r#"(name: "storm", horizon: "1y", site: (heads: 10, vms_per_head: 100000),
            supervisor: (crash_on_reset: 1.0),
            faults: [RandomPartitions(per_year: 1e8, duration: Fixed("0s"), scope: All)])"#,
    );
    let model = path.to_str().unwrap();
    for args in [vec!["validate", model], vec!["run", model, "-r", "1"]] {
        let start = Instant::now();
        let o = bigvsim(&args);
        let took = start.elapsed();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
        let err = stderr(&o);
        assert!(err.contains("error:"), "{err}");
        assert!(stdout(&o).is_empty());
    }
}

// ---------------------------------------------------------------------------------
// Class: every supervisor life that sees its link down longer than the threshold
// draws the long-reset bug once.

const LONG_RESET_BASE: &str = r#"(
    name: "long-reset",
    horizon: "2h",
    site: (heads: 1, vms_per_head: 4),
    link: (flaps_per_year: 0.0),
    supervisor: (restart: Fixed("30s"), crash_on_reset: 0.0, crash_on_long_reset: 1.0,
                 long_reset_after: "30s"),
    head: (failures_per_year: 0.0, repair: Fixed("60s")),
    brain: (reboot_concurrency: 4, boot_time: Fixed("10s")),
    faults: [
        Partition(at: "1h", duration: Fixed("10m"), scope: All),
        FAULT,
    ],
)"#;

#[test]
fn a_head_repaired_during_a_long_partition_still_meets_the_bug() {
    // The head fails as the 10-minute partition starts and is repaired 60 s later; its
    // supervisor starts 30 s after that (1 h 1 m 30 s) on a link that is still down, so
    // 30 s later (1 h 2 m) the bug must crash it. Before the fix the single draw was
    // spent at 1 h 0 m 30 s on a head that was off: 0 crashes.
    let path = model_file(
        "long-head",
        &LONG_RESET_BASE.replace("FAULT", r#"HeadFailure(at: "1h", scope: All)"#),
    );
    let doc = run_json(&path, &["horizon=3721s"]);
    assert!(
        metric_mean(&doc, "supervisor_crashes") >= 1.0,
        "no crash after the repair: {doc}"
    );
    let before = run_json(&path, &["horizon=3719s"]);
    assert_eq!(metric_mean(&before, "supervisor_crashes"), 0.0);
}

#[test]
fn a_supervisor_restarted_into_a_long_partition_crashes_again_30s_later() {
    // A scheduled crash at 1 h 10 s; the supervisor is back at 1 h 40 s with the link
    // still down, so it crashes again at 1 h 70 s (its own 30 s of watching the link
    // down), and crash-loops every 60 s while the partition lasts.
    let path = model_file(
        "long-restart",
        &LONG_RESET_BASE.replace("FAULT", r#"SupervisorCrash(at: "3610s", scope: All)"#),
    );
    let just_before = run_json(&path, &["horizon=3669s"]);
    assert_eq!(metric_mean(&just_before, "supervisor_crashes"), 1.0);
    let just_after = run_json(&path, &["horizon=3671s"]);
    assert_eq!(metric_mean(&just_after, "supervisor_crashes"), 2.0);
    // 10, 70, 130, …, 550 s into the partition: 10 crashes by 1 h 9 m 20 s.
    let loop_end = run_json(&path, &["horizon=4161s"]);
    assert_eq!(metric_mean(&loop_end, "supervisor_crashes"), 10.0);
}

// ---------------------------------------------------------------------------------
// Class: fewer than two replications have no confidence interval and no verdict.

#[test]
fn one_replication_has_no_ci_and_no_verdict() {
    let o = bigvsim(&[
        "compare",
        "models/york-2017.ron",
        "models/york-2017-fast-reboot.ron",
        "-r",
        "1",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for design in doc["designs"].as_array().unwrap() {
        let ci = &design["metrics"]["full_recovery_s"]["ci95"];
        assert!(ci.is_null(), "a CI from one replication: {ci}");
    }
    for pair in doc["paired"].as_array().unwrap() {
        let verdicts = &pair["verdicts"];
        assert!(
            verdicts.as_array().is_none_or(|v| v.is_empty()),
            "a verdict from one replication: {verdicts}"
        );
        assert!(
            pair["metrics"]["full_recovery_s"]["ci95"].is_null(),
            "{pair}"
        );
    }
    let text = bigvsim(&[
        "compare",
        "models/york-2017.ron",
        "models/york-2017-fast-reboot.ron",
        "-r",
        "1",
    ]);
    assert!(text.status.success(), "{}", stderr(&text));
    let out = stdout(&text);
    assert!(out.contains("n/a"), "{out}");
    // No verdict column says better or worse.
    assert!(
        !out.lines()
            .any(|l| l.trim_end().ends_with(" better") || l.trim_end().ends_with(" worse")),
        "{out}"
    );
    assert!(
        (stdout(&text) + &stderr(&text)).contains("2 replications"),
        "the output says why there is no CI: {out}"
    );
}

// ---------------------------------------------------------------------------------
// Class: arguments that would silently do the wrong thing are refused.

#[test]
fn arguments_that_would_mislead_are_refused() {
    let out = scratch("args-out").join("out");
    let cases: Vec<Vec<String>> = vec![
        // One path swept twice: the second list would overwrite the first.
        vec![
            "sweep",
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurrency=10,20",
            "--param",
            "brain.reboot_concurrency=30,40",
            "-r",
            "2",
        ],
        // An empty --out would write into the current directory.
        vec!["run", "models/york-2017.ron", "-r", "2", "--out", ""],
        // A shard writes a partial result, never a report.
        vec![
            "run",
            "models/york-2017.ron",
            "-r",
            "2",
            "--shard",
            "0/2",
            "--out",
            out.to_str().unwrap(),
        ],
        // A shard's output is always the partial JSON document.
        vec![
            "run",
            "models/york-2017.ron",
            "-r",
            "2",
            "--shard",
            "0/2",
            "--format",
            "text",
        ],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect();
    for case in &cases {
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        let o = bigvsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
        assert_eq!(
            stderr(&o)
                .lines()
                .filter(|l| l.starts_with("error:"))
                .count(),
            1,
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(!out.exists(), "{args:?} created {}", out.display());
    }
}

// ---------------------------------------------------------------------------------
// Class: outputs are all or nothing.

#[test]
fn a_failed_report_leaves_nothing_new() {
    // A runaway run (exit 1) must not leave its --out directory behind.
    let out = scratch("runaway-out").join("out");
    let o = bigvsim(&[
        "run",
        "models/york-2017.ron",
        "-r",
        "2",
        "--set",
        "limits.max_events=100",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!out.exists(), "left {:?}", listing(&out));
    // Nor any temporary directory beside it.
    let parent = out.parent().unwrap();
    let stem = out.file_name().unwrap().to_str().unwrap().to_string();
    let left: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(&stem))
        .collect();
    assert!(left.is_empty(), "left {left:?}");
}

#[test]
fn out_onto_a_non_empty_directory_needs_force() {
    // A directory where report.md must go: refused without --force, untouched; with
    // --force the whole report replaces it.
    let out = scratch("nonempty-out");
    std::fs::create_dir_all(out.join("report.md")).unwrap();
    let before = listing(&out);
    let args = [
        "run",
        "models/york-2017.ron",
        "-r",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = bigvsim(&args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(listing(&out), before);
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = bigvsim(&forced);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("report.md").is_file());
    assert!(out.join("metrics.json").is_file());
    assert!(
        !listing(&out).iter().any(|f| f.contains("tmp")),
        "{:?}",
        listing(&out)
    );
}

#[test]
fn out_under_a_regular_file_fails_cleanly() {
    // No directory can be made under a regular file, whoever runs the test.
    let dir = scratch("under-file");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plain");
    std::fs::write(&file, "x").unwrap();
    let out = file.join("report");
    let o = bigvsim(&[
        "run",
        "models/york-2017.ron",
        "-r",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(listing(&dir), vec!["plain".to_string()]);
}

// ---------------------------------------------------------------------------------
// Class: settings that can never have an effect are errors; validate reports all.

#[test]
fn a_fraction_that_rounds_to_no_head_is_refused() {
    let path = model_file(
        "fraction",
        r#"(name: "tiny", horizon: "1d", site: (heads: 2, vms_per_head: 4),
            faults: [Partition(at: "1h", duration: Fixed("4m"), scope: Fraction(0.1))])"#,
    );
    let o = bigvsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("faults[0].scope"), "{err}");
    assert!(err.contains(":2:"), "names the line: {err}");
}

#[test]
fn validate_reports_every_error_in_a_file() {
    let path = model_file(
        "many-errors",
        r#"(name: "bad", horizon: "1d", site: (heads: 2, vms_per_head: 4),
            link: (flaps_per_year: -1.0),
            supervisor: (crash_on_reset: 1.5),
            brain: (reboot_concurrency: 0))"#,
    );
    let o = bigvsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for field in [
        "link.flaps_per_year",
        "supervisor.crash_on_reset",
        "brain.reboot_concurrency",
    ] {
        assert!(err.contains(field), "{field} missing from: {err}");
    }
}

// ---------------------------------------------------------------------------------
// Class: trace reports a runaway like run does, and stops when its reader goes.

#[test]
fn trace_reports_a_runaway_even_with_a_larger_limit() {
    let o = bigvsim(&[
        "trace",
        "models/york-2017.ron",
        "--set",
        "limits.max_events=100",
        "--limit",
        "1000",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("event limit"), "{}", stderr(&o));
    // A limit below the event limit is not a runaway.
    let o = bigvsim(&[
        "trace",
        "models/york-2017.ron",
        "--set",
        "limits.max_events=100",
        "--limit",
        "50",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 50);
}

#[test]
fn trace_stops_quietly_when_its_reader_goes() {
    // `trace | head -1`: a trace of millions of events must end soon after the pipe
    // closes, with exit 0 and nothing on stderr.
    let mut child = Command::new(bin())
        .args([
            "trace",
            "models/york-year.ron",
            "--set",
            "horizon=1000y",
            "--set",
            "limits.max_events=1000000000",
        ])
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with('{'), "{line}");
    drop(reader);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("trace kept running after its reader went");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert!(err.is_empty(), "{err}");
}

// ---------------------------------------------------------------------------------
// Class: names cannot break outputs; a byte-order mark is fine.

#[test]
fn names_that_would_break_outputs_are_refused() {
    for name in [r#"x\nerror: fake"#, "a|b", "tab\\there", ""] {
        let set = format!("name=\"{name}\"");
        let o = bigvsim(&["validate", "models/york-2017.ron", "--set", &set]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{set}: {err}"
        );
        assert!(err.contains("name"), "{err}");
    }
    // The same names inside a model file.
    let path = model_file(
        "pipe-name",
        r#"(name: "one | two", horizon: "1d", site: (heads: 2, vms_per_head: 4))"#,
    );
    let o = bigvsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(":1:"), "{}", stderr(&o));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let text = std::fs::read_to_string(root().join("models/york-2017.ron")).unwrap();
    let path = model_file("bom", &format!("\u{feff}{text}"));
    let o = bigvsim(&["validate", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------
// Class: the memory bound covers every worker.

#[test]
fn the_memory_bound_covers_all_workers() {
    // A site that fits one worker (over 8 GiB of a 16 GiB limit) but not two, sized
    // from the model's own footprint so the test follows its layout. The refusal
    // comes before anything is allocated.
    let set_heads = "site.heads=1000";
    let set_vms = (1..=40)
        .map(|k| format!("site.vms_per_head={}", k * 25_000))
        .find(|vms| {
            let sets = [set_heads.to_string(), vms.clone()];
            let m = bigvsim::scenario::load(
                root().join("models/york-2017.ron").to_str().unwrap(),
                &sets,
            )
            .unwrap();
            2 * bigvsim::model::Footprint::of(&m.scenario).bytes
                > bigvsim::scenario::MAX_MODEL_BYTES
        })
        .unwrap();
    let set_vms = set_vms.as_str();
    let one = bigvsim(&[
        "validate",
        "models/york-2017.ron",
        "--set",
        set_heads,
        "--set",
        set_vms,
    ]);
    assert!(one.status.success(), "fits one worker: {}", stderr(&one));
    let o = bigvsim(&[
        "run",
        "models/york-2017.ron",
        "--set",
        set_heads,
        "--set",
        set_vms,
        "-r",
        "2",
        "--jobs",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("--jobs"), "{err}");
}

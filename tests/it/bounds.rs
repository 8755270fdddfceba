//! A study's work and the memory of its kept results are bounded before anything
//! runs: every command that runs replications refuses an over-large product of
//! replications × designs × points × samples × probes at once, naming the option at
//! fault and the largest number that fits; and a replication keeps a few hundred bytes
//! (its metrics), not its incident series, beyond what a report's charts draw.

use std::process::Command;
use std::time::Duration;

use bigvsim::experiment::resources::{
    MAX_RUNS, REPLICATION_BYTES, ResourceError, Workload, fit_all, max_probes,
};
use bigvsim::experiment::{
    PLOT_REPLICATIONS, Plan, Replication, Shard, StudyKind, Workers, run_batch,
};
use bigvsim::model::Footprint;
use bigvsim::scenario::MAX_MODEL_BYTES;

use super::common::{QUIET, bigvsim_within, bin, model_str, root, scratch};

/// Runs the binary with `args`, killing it after `limit`: `None` if it was still
/// running then (it had started the work instead of refusing it).
fn run_within(args: &[&str], limit: Duration) -> Option<(i32, String, String, Duration)> {
    let t = bigvsim_within(args, limit);
    (!t.killed).then(|| (t.code.unwrap_or(-1), t.stdout, t.stderr, t.took))
}

/// The refusal of `args`: exit code 2 within a few seconds (a debug build loads the
/// models), nothing on stdout, and one `error:` line naming `option`, which is
/// returned, with the number that fits parsed from "at most N {what} fit".
fn refusal(args: &[&str], option: &str, what: &str) -> (String, u64) {
    let (code, stdout, stderr, took) = run_within(args, Duration::from_secs(20))
        .unwrap_or_else(|| panic!("{args:?} started running instead of refusing"));
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(took < Duration::from_secs(20), "{took:?}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error line: {stderr}"))
        .to_string();
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error")).count(), 1);
    assert!(line.starts_with(&format!("error: {option}")), "{line}");
    let fit = at_most(&line, what);
    (line, fit)
}

/// N in "... at most N {what} fit" at the end of `line`.
fn at_most(line: &str, what: &str) -> u64 {
    line.rsplit("at most ")
        .next()
        .and_then(|rest| rest.split_once(' '))
        .filter(|(_, tail)| tail.starts_with(what))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no \"at most N {what} fit\": {line}"))
}

#[test]
fn a_sweep_too_large_is_refused_before_its_points_load() {
    // 10 000 points × 1 000 000 replications: 10¹⁰ runs. Refused naming
    // --replications and 10⁸ / 10⁴ = 10 000, the most that fit.
    let (line, fit) = refusal(
        &[
            "sweep",
            "models/york-2017.ron",
            "-r",
            "1000000",
            "--param",
            "brain.reboot_concurrency=1..10000:1",
        ],
        "--replications 1000000",
        "replications",
    );
    assert_eq!(fit, MAX_RUNS / 10_000, "{line}");
    assert!(
        line.contains("10000 points × 1000000 replications"),
        "{line}"
    );
    // With more points than the bound even at one replication each, the points are
    // at fault (checked on the accounting: loading 10⁸ points' models is the work).
    let e = Workload::sweep(2, None, 100_020_001)
        .check_runs()
        .unwrap_err();
    assert!(
        e.starts_with("--param: sweep would run 100020001 points"),
        "{e}"
    );
    assert_eq!(at_most(&e, "points"), MAX_RUNS, "{e}");
}

#[test]
fn a_sweep_whose_results_do_not_fit_names_the_replications_that_do() {
    // 300 points × 1 000 000 replications is 3 × 10⁸ runs; at 100 000 replications
    // it is 3 × 10⁷ runs, within the bound, but 300 points' results held twice do not
    // fit in 16 GiB: refused naming the replications that do fit.
    let (line, fit) = refusal(
        &[
            "sweep",
            "models/york-2017.ron",
            "-r",
            "100000",
            "--param",
            "brain.reboot_concurrency=1..300:1",
        ],
        "--replications 100000",
        "replications",
    );
    // The most that fit beside the model's worker (a few megabytes).
    let w = Workload::sweep(100_000, None, 300);
    let limit = MAX_MODEL_BYTES as u128;
    assert!(w.kept_bytes_for(fit) <= limit, "{line}");
    assert!(w.kept_bytes_for(fit + 1) > limit - (64 << 20), "{line}");
    assert!(fit > 10_000 && fit < 100_000, "{line}");
}

#[test]
fn a_sensitivity_study_too_large_is_refused_before_its_samples_load() {
    let (line, fit) = refusal(
        &[
            "sensitivity",
            "models/york-2017.ron",
            "--samples",
            "10000",
            "-r",
            "1000000",
            "--vary",
            "supervisor.crash_on_reset=0.0001..0.01:log",
        ],
        "--replications 1000000",
        "replications",
    );
    assert_eq!(fit, MAX_RUNS / 10_000, "{line}");
    assert!(line.contains("10000 samples"), "{line}");
}

#[test]
fn a_comparison_whose_results_do_not_fit_is_refused() {
    // Ten designs × 1 000 000 replications: 10⁷ runs, but ten million replications'
    // metrics (and the text of replications.csv) do not fit beside a worker.
    let models = [
        "york-2017.ron",
        "york-2017-decoupled.ron",
        "york-2017-fast-reboot.ron",
        "york-2017-message-queue.ron",
        "york-2017-patched-fast-reboot.ron",
        "york-2017-patched.ron",
        "york-2017-per-head-limit.ron",
        "york-2017-short-reset.ron",
        "york-2016-2017.ron",
        "york-2016-2017-drain.ron",
    ];
    let paths: Vec<String> = models.iter().map(|m| format!("models/{m}")).collect();
    let mut args = vec!["compare"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["-r", "1000000", "--format", "json"]);
    let (line, fit) = refusal(&args, "--replications 1000000", "replications");
    let w = Workload::study(StudyKind::Compare, 1_000_000, None, 10);
    let limit = MAX_MODEL_BYTES as u128;
    assert!(w.kept_bytes_for(fit) <= limit, "{line}");
    assert!(w.kept_bytes_for(fit + 1) > limit - (64 << 20), "{line}");
    // The same as shards: each shard's share must fit, and the refusal says so.
    args.extend(["--shard", "0/2"]);
    let (line, fit) = refusal(&args, "--replications 1000000", "replications");
    assert!(line.contains("fit in one shard: use more shards"), "{line}");
    let w = Workload::study(
        StudyKind::Compare,
        1_000_000,
        Shard::parse("0/2", 2).ok(),
        10,
    );
    assert!(w.kept_bytes_for(fit) <= limit && w.kept_bytes_for(fit + 1) > limit - (64 << 20));
}

#[test]
fn a_solve_is_bounded_by_its_probe_cap_and_refuses_what_it_cannot_bound() {
    // Every solve makes at most MAX_PROBES probes, whatever its range and tolerance,
    // so its work is at most MAX_PROBES × replications, within MAX_RUNS for every
    // accepted --replications.
    use bigvsim::experiment::MAX_REPLICATIONS;
    use bigvsim::experiment::solve::{Domain, MAX_PROBES};
    for domain in [
        Domain::Integer {
            lo: 0,
            hi: i64::MAX,
        },
        Domain::Real {
            lo: 0.0,
            hi: 1.0,
            tolerance: f64::MIN_POSITIVE,
        },
        Domain::Real {
            lo: -1e300,
            hi: 1e300,
            tolerance: 1e-300,
        },
        Domain::Duration {
            lo: 0,
            hi: u64::MAX,
            tolerance: 1,
        },
    ] {
        let probes = max_probes(&domain);
        assert!(probes <= MAX_PROBES as u64, "{domain:?}: {probes}");
    }
    assert!(MAX_PROBES as u64 * MAX_REPLICATIONS <= MAX_RUNS);
    // A tolerance the search could never reach is refused before anything runs.
    let (code, _, stderr, took) = run_within(
        &[
            "solve",
            "models/york-2017.ron",
            "--param",
            "supervisor.crash_on_reset=0..1",
            "--tolerance",
            "1e-40",
            "--target",
            "site_recovery_s.p90<=1h",
            "-r",
            "1000000",
        ],
        Duration::from_secs(20),
    )
    .expect("refused, not run");
    assert_eq!(code, 2, "{stderr}");
    assert!(took < Duration::from_secs(20));
    assert!(stderr.starts_with("error: --tolerance 1e-40"), "{stderr}");
}

#[test]
fn a_run_beside_a_large_site_keeps_only_the_replications_that_fit() {
    // A site of about 15 GiB fits one worker, but not beside a million replications'
    // results: refused naming --replications and the most that fit (checked with the
    // library's accounting, so the test allocates nothing).
    let text = "(name: \"t\", horizon: \"1d\",\n site: (heads: 1000, vms_per_head: 10))";
    let (m, sets) = (1..=80)
        .map(|k| {
            let sets = vec![
                "site.heads=1000".to_string(),
                format!("site.vms_per_head={}", k * 10_000),
            ];
            let m = bigvsim::scenario::load_str("t.ron", text, &sets).unwrap();
            (m, sets)
        })
        .take_while(|(m, _)| Footprint::of(&m.scenario).bytes <= MAX_MODEL_BYTES)
        .last()
        .unwrap();
    let worker = Footprint::of(&m.scenario).bytes;
    assert!(worker > MAX_MODEL_BYTES - (2 << 30), "{worker}");
    let work = Workload::study(StudyKind::Run, 1_000_000, None, 1);
    let e = fit_all(&[(&m, sets.clone())], Workers::Default(4), &work).unwrap_err();
    let ResourceError::Work(line) = e else {
        panic!("{e}")
    };
    assert!(line.starts_with("--replications 1000000: "), "{line}");
    let fit = at_most(&line, "replications");
    let room = (MAX_MODEL_BYTES - worker) as u128;
    assert!(work.kept_bytes_for(fit) <= room && work.kept_bytes_for(fit + 1) > room);
    // That many run, on one worker.
    let work = Workload::study(StudyKind::Run, fit, None, 1);
    let f = fit_all(&[(&m, sets)], Workers::Default(4), &work).unwrap();
    assert_eq!(f.workers, 1);
}

#[test]
fn a_replication_keeps_its_metrics_not_its_series() {
    // The per-replication cost is stated and small, and what a batch holds is that
    // cost per replication plus its fixed histograms: no incident series unless a
    // report's charts draw it, and then only for the first PLOT_REPLICATIONS.
    const {
        assert!(REPLICATION_BYTES <= 600);
        assert!(2 * std::mem::size_of::<Replication>() as u64 <= REPLICATION_BYTES);
    }
    let m = model_str(QUIET, &[]);
    let mut plan = Plan::new(3, 40);
    plan.keep_outages = false;
    let batch = run_batch(&m.scenario, &plan, &|_, _| {}).unwrap();
    assert!(batch.replications.iter().all(|r| r.worst_series.is_empty()));
    let per = batch.kept_bytes() - 2 * bigvsim::metrics::histogram::LogHistogram::HELD_BYTES;
    assert!(
        per <= 40 * std::mem::size_of::<Replication>() as u64,
        "{per}"
    );
    // With a report, the first replications keep the series the charts draw; those
    // past PLOT_REPLICATIONS do not.
    let mut plan = Plan::new(3, 8);
    plan.first = PLOT_REPLICATIONS - 4;
    plan.jobs = 3;
    let batch = run_batch(&m.scenario, &plan, &|_, _| {}).unwrap();
    for r in &batch.replications {
        assert_eq!(
            r.worst_series.is_empty(),
            r.index >= PLOT_REPLICATIONS,
            "replication {}",
            r.index
        );
    }
}

#[test]
fn kept_results_do_not_change_what_is_reported() {
    // A report and the JSON of a small study are the same whatever the workers, and
    // the series a report's charts draw are those the recorder made.
    let dir = scratch("jobs");
    let out = |jobs: &str, sub: &str| {
        let d = dir.join(sub);
        let o = Command::new(bin())
            .args([
                "run",
                "models/york-2017.ron",
                "-r",
                "6",
                "--jobs",
                jobs,
                "--out",
            ])
            .arg(&d)
            .args(["--format", "json"])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (o.stdout, d)
    };
    let (a, da) = out("1", "a");
    let (b, db) = out("3", "b");
    assert_eq!(a, b);
    // report.md differs only in the command line it records.
    let read = |d: &std::path::Path, f: &str| {
        let text = std::fs::read_to_string(d.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("| command |"))
            .collect();
        lines.join("\n")
    };
    for f in [
        "replications.csv",
        "report.md",
        "recovery.svg",
        "reboot_queue.svg",
        "outages.csv",
    ] {
        assert!(read(&da, f) == read(&db, f), "{f} differs");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

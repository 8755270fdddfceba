//! Answers at a glance: every command opens with its answer in words, tables that fit
//! in 100 columns, the metrics that fit the model's kind, censoring shown wherever a
//! value was cut by the horizon, and verdicts in words people agree with.

use super::common::{model, model_str, run, shipped_models};
use bigvsim::scenario::ModelKind;

#[test]
fn every_shipped_model_has_the_kind_its_question_needs() {
    // One incident with its recovery (a day, two hours, or 30 days of one scheduled
    // failure) is an incident; months or a year of random faults is operation.
    let expected = [
        ("scale-10k-heads-no-jitter.ron", ModelKind::Incident),
        ("scale-10k-heads.ron", ModelKind::Incident),
        ("scaling-1m.ron", ModelKind::Incident),
        ("york-2016-2017-drain.ron", ModelKind::Operation),
        ("york-2016-2017.ron", ModelKind::Operation),
        ("york-2017-decoupled.ron", ModelKind::Incident),
        ("york-2017-fast-reboot.ron", ModelKind::Incident),
        ("york-2017-message-queue.ron", ModelKind::Incident),
        ("york-2017-patched-fast-reboot.ron", ModelKind::Incident),
        ("york-2017-patched.ron", ModelKind::Incident),
        ("york-2017-per-head-limit.ron", ModelKind::Incident),
        ("york-2017-short-reset.ron", ModelKind::Incident),
        ("york-2017.ron", ModelKind::Incident),
        ("york-maintenance-migrate.ron", ModelKind::Operation),
        ("york-maintenance-reboot.ron", ModelKind::Operation),
        ("york-rack-coupled.ron", ModelKind::Incident),
        ("york-rack-decoupled.ron", ModelKind::Incident),
        ("york-year-decoupled.ron", ModelKind::Operation),
        ("york-year-evacuate.ron", ModelKind::Operation),
        ("york-year-fast-reboot.ron", ModelKind::Operation),
        ("york-year-message-queue.ron", ModelKind::Operation),
        ("york-year-patched.ron", ModelKind::Operation),
        ("york-year.ron", ModelKind::Operation),
    ];
    let shipped: Vec<String> = shipped_models()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: Vec<&str> = expected.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        shipped, listed,
        "every shipped model has its expected kind here"
    );
    for (file, kind) in expected {
        let m = model(file);
        assert_eq!(m.scenario.kind, kind, "{file}");
        assert!(
            m.scenario.kind_inferred,
            "{file} says no kind: it is inferred"
        );
    }
}

#[test]
fn a_kind_given_is_kept_and_the_rule_needs_both_a_long_horizon_and_randomness() {
    let text = |horizon: &str, faults: &str| {
        format!(
            r#"(name: "k", horizon: "{horizon}", site: (heads: 2, vms_per_head: 2), faults: [{faults}])"#
        )
    };
    let random = r#"RandomPartitions(per_year: 6.0, duration: "4m", scope: All)"#;
    let scheduled = r#"Partition(at: "1h", duration: "4m", scope: All)"#;
    let kind = |h: &str, f: &str, sets: &[&str]| model_str(&text(h, f), sets).scenario;
    assert_eq!(kind("365d", random, &[]).kind, ModelKind::Operation);
    assert_eq!(kind("29d", random, &[]).kind, ModelKind::Incident);
    assert_eq!(kind("365d", scheduled, &[]).kind, ModelKind::Incident);
    // A rate of failures is randomness too.
    let heads = kind("365d", scheduled, &["head.failures_per_year=0.2"]);
    assert_eq!(heads.kind, ModelKind::Operation);
    // Given, it is not inferred: `--set kind=...` and the file agree.
    let given = kind("365d", random, &["kind=Incident"]);
    assert_eq!(
        (given.kind, given.kind_inferred),
        (ModelKind::Incident, false)
    );
    // `validate` and `-v` say which kind, and whether it was inferred.
    let v = run(&["validate", "models/york-year.ron"]);
    assert!(
        v.stdout.contains("operation model (inferred)"),
        "{}",
        v.stdout
    );
}

/// The six questions' commands, with few replications (and the 10 000-head storm on
/// fewer points), as the default text prints them.
fn six_questions() -> Vec<Vec<&'static str>> {
    vec![
        vec!["run", "models/york-2017.ron", "-r", "3"],
        vec![
            "compare",
            "models/york-year.ron",
            "models/york-year-patched.ron",
            "models/york-year-decoupled.ron",
            "models/york-year-message-queue.ron",
            "models/york-year-fast-reboot.ron",
            "-r",
            "3",
        ],
        vec![
            "solve",
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurrency=1..400",
            "--target",
            "site_recovery_s.p90<=1h",
            "-r",
            "3",
        ],
        vec![
            "sweep",
            "models/york-2016-2017.ron",
            "--param",
            "changes[1].over=0s,2d,7d,14d,28d,56d",
            "--param",
            "changes[1].restart_supervisor=false,true",
            "-r",
            "3",
        ],
        vec![
            "compare",
            "models/york-2016-2017.ron",
            "models/york-2016-2017-drain.ron",
            "-r",
            "3",
        ],
        vec![
            "compare",
            "models/scale-10k-heads.ron",
            "models/scale-10k-heads-no-jitter.ron",
            "--set",
            "site.heads=500",
            "-r",
            "2",
        ],
        vec![
            "sweep",
            "models/scale-10k-heads.ron",
            "--set",
            "site.heads=500",
            "--param",
            "brain.accept_per_s=50,300",
            "--param",
            "link.reconnect.jitter=0.0,0.2",
            "-r",
            "2",
        ],
        // Which assumptions matter (the York year and a fix, on few samples, so
        // that its warnings, rankings and robustness sentences all print).
        vec![
            "sensitivity",
            "models/york-year.ron",
            "models/york-year-fast-reboot.ron",
            "--samples",
            "12",
            "-r",
            "2",
        ],
    ]
}

#[test]
fn every_command_opens_with_its_answer_and_fits_in_100_columns() {
    // The first line is the answer in words (no table, no provenance header), and no
    // line of the default text is wider than 100 columns.
    for args in six_questions() {
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let first = r.stdout.lines().next().unwrap_or_default();
        let opens = match args[0] {
            "run" => first.contains("the last VM is back after"),
            "compare" => first.starts_with("Ranked on "),
            "sweep" => first.starts_with("Best on "),
            "solve" | "sensitivity" => first.starts_with("Answer: "),
            _ => false,
        };
        assert!(opens, "{args:?} opens with:\n{}", r.stdout);
        assert!(!first.starts_with("model "), "{args:?}");
        let long: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.chars().count() > 100)
            .collect();
        assert!(long.is_empty(), "{args:?}: {long:#?}");
    }
}

#[test]
fn sensitivity_ranks_the_key_metrics_and_all_of_them_with_all() {
    // By default the rankings cover the key metrics; --all ranks every metric that
    // varied, and --wide lets its prose run as long as it is.
    let args = [
        "sensitivity",
        "models/york-2017.ron",
        "--samples",
        "12",
        "-r",
        "2",
    ];
    let short = run(&args).stdout;
    let all = run(&[&args[..], &["--all", "--wide"]].concat());
    assert_eq!(all.code, 0, "{}", all.stderr);
    let rankings = |text: &str| text.lines().filter(|l| l.contains("(R² ")).count();
    assert!(
        rankings(&all.stdout) > rankings(&short),
        "{short}\n---\n{}",
        all.stdout
    );
    assert!(
        short
            .replace("\n  ", " ")
            .contains("--all ranks every metric"),
        "{short}"
    );
    assert!(!all.stdout.contains("--all ranks every metric"));
    assert!(all.stdout.lines().any(|l| l.chars().count() > 100));
}

#[test]
fn all_restores_the_full_tables() {
    // By default a run shows the incident's metrics that are not 0 (no
    // availability, no migrations); --all every metric, with std, min and p99.
    let short = run(&["run", "models/york-2017.ron", "-r", "3"]).stdout;
    let all = run(&["run", "models/york-2017.ron", "-r", "3", "--all"]).stdout;
    for hidden in [
        "vm_availability",
        "migrations (count)",
        "downtime_min_per_vm_year",
    ] {
        assert!(!short.contains(hidden), "{hidden} in\n{short}");
        assert!(all.contains(hidden), "{hidden} not in\n{all}");
    }
    assert!(
        short
            .replace("\n  ", " ")
            .contains("--all shows every metric"),
        "{short}"
    );
    assert!(
        all.contains("Spread over replications") && all.contains("p99"),
        "{all}"
    );
    // An operation comparison hides the worst incident's shape by default.
    let args = [
        "compare",
        "models/york-year.ron",
        "models/york-year-patched.ron",
        "-r",
        "3",
    ];
    let short = run(&args).stdout;
    let all = run(&[&args[..], &["--all"]].concat()).stdout;
    assert!(!short.contains("vm_outage_p99_s"), "{short}");
    assert!(short.contains("downtime_bug_min_per_vm_year"), "{short}");
    assert!(
        all.contains("vm_outage_p99_s") && all.contains("events (count)"),
        "{all}"
    );
}

#[test]
fn values_cut_by_the_horizon_are_marked_in_every_table_and_warned() {
    // York 2017 with a 2 h horizon: the recovery takes about 2 h from a partition at
    // 1 h, so every replication is cut. Each command marks the cut cells with ≥ and
    // warns on stderr, as `run` does.
    let cut = ["--set", "horizon=2h", "-r", "2"];
    let commands: Vec<Vec<&str>> = vec![
        vec!["run", "models/york-2017.ron"],
        vec![
            "compare",
            "models/york-2017.ron",
            "models/york-2017-fast-reboot.ron",
        ],
        vec![
            "sweep",
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurrency=10,40",
        ],
        vec![
            "solve",
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurrency=1..400",
            "--target",
            "site_recovery_s.p90<=1h",
        ],
    ];
    for c in commands {
        let args = [&c[..], &cut[..]].concat();
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let marked = r
            .stdout
            .lines()
            .filter(|l| {
                l.contains("site_recovery_s") || l.starts_with("10 ") || l.starts_with("1 ")
            })
            .chain(r.stdout.lines().filter(|l| l.contains("≥ 3570")))
            .any(|l| l.contains('≥'));
        assert!(marked, "{args:?}:\n{}", r.stdout);
        assert!(
            r.stderr.contains("warning:") && r.stderr.contains("cut by the horizon"),
            "{args:?}: {}",
            r.stderr
        );
    }
    // Without the cut, no mark and no warning.
    let r = run(&[
        "sweep",
        "models/york-2017.ron",
        "--param",
        "brain.reboot_concurrency=10,40",
        "-r",
        "2",
    ]);
    assert!(
        !r.stdout.contains('≥') && !r.stderr.contains("cut by the horizon"),
        "{r:?}"
    );
    // Two cut designs get no better/worse verdict on the cut metric.
    let r = run(&[
        "compare",
        "models/york-2017.ron",
        "models/york-2017-fast-reboot.ron",
        "--set",
        "horizon=2h",
        "-r",
        "3",
    ]);
    // The headline (up to the first blank line), its wrapped lines joined.
    let headline = r
        .stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let change = headline.split("york-2017-fast-reboot vs york-2017:").nth(1);
    assert!(
        change.is_some_and(|c| c.contains("unknown: cut by the horizon")),
        "{}",
        r.stdout
    );
    // A difference between lower bounds has no interval worth printing.
    assert!(
        change.is_some_and(|c| !c.contains("95 % CI")),
        "{}",
        r.stdout
    );
}

#[test]
fn a_real_change_below_min_effect_is_called_real_but_small() {
    use bigvsim::experiment::differences::{Finding, MinEffect, verdict};
    use bigvsim::metrics::{Difference, Metric, summarize};
    // Downtime of 200 min/VM-year in the baseline, a change of +2 to +4 (95 % CI):
    // the interval excludes 0, so the change is real, but at --min-effect 5 % (10
    // min/VM-year) it is too small to matter. At 1 % (2) the interval reaches from the
    // threshold beyond it: worse, maybe by less than 1 %. An interval across 0 is
    // "no difference" within the threshold and inconclusive beyond it.
    let base = summarize(&[199.0, 200.0, 201.0]);
    let d = |lo: f64, hi: f64| Difference {
        mean: (lo + hi) / 2.0,
        ci95_lo: lo,
        ci95_hi: hi,
        paired: true,
        n: 3,
    };
    let find = |lo, hi, pct| {
        let v = verdict(
            Metric::DowntimeMinPerVmYear,
            &d(lo, hi),
            &base,
            MinEffect { percent: pct },
        )
        .expect("judged");
        Finding::of(&v)
    };
    let small = find(2.0, 4.0, 5.0);
    assert_eq!(small, Finding::RealButSmall);
    assert_eq!(
        small.words(MinEffect { percent: 5.0 }),
        "real but small: < 5 %"
    );
    assert_eq!(find(1.0, 4.0, 1.0), Finding::WorseMaybeSmall);
    assert_eq!(find(-4.0, -1.0, 1.0), Finding::BetterMaybeSmall);
    assert_eq!(find(-1.0, 1.0, 5.0), Finding::NoDifference);
    assert_eq!(find(-20.0, 20.0, 5.0), Finding::Inconclusive);
    assert_eq!(find(12.0, 20.0, 5.0), Finding::Worse);
    assert_eq!(find(-20.0, -12.0, 5.0), Finding::Better);
    assert_eq!(
        find(-20.0, 20.0, 5.0).words(MinEffect { percent: 5.0 }),
        "inconclusive: CI spans 0"
    );
}

#[test]
fn report_md_opens_with_the_summary_and_its_tables_fit() {
    // The first section after the provenance table is the Summary, with the same
    // answer the text opens with; every table row but the provenance (model path,
    // command) fits in 100 columns, wide tables split by columns.
    let dir = super::common::scratch("glance-report");
    let out = dir.join("r");
    let args = [
        "compare",
        "models/york-year.ron",
        "models/york-year-patched.ron",
        "models/york-year-decoupled.ron",
        "models/york-year-message-queue.ron",
        "models/york-year-fast-reboot.ron",
        "-r",
        "3",
        "--out",
        out.to_str().unwrap(),
    ];
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let first_section = md.lines().find(|l| l.starts_with("## ")).unwrap();
    assert_eq!(first_section, "## Summary", "{md}");
    let summary = md.split("## Summary").nth(1).unwrap();
    assert!(
        summary.starts_with("\n\n- Ranked on downtime_min_per_vm_year"),
        "{md}"
    );
    let first_text = r.stdout.replace("\n  ", " ");
    let ranked = first_text.lines().next().unwrap();
    assert!(summary.contains(ranked), "{ranked}\n{summary}");
    let wide: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with('|') && l.chars().count() > 100)
        .filter(|l| !l.starts_with("| model |") && !l.starts_with("| command |"))
        .collect();
    assert!(wide.is_empty(), "{wide:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}

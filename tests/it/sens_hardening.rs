//! Hardening of sensitivity studies, warnings and two model semantics: a drained
//! rollout whose steps come faster than a copy is the same rollout undrained; every
//! accumulated duration metric is cut at the horizon and a zero-length stop is no
//! outage; sensitivity ranges are checked at both corners before any run; settings
//! that can never act are warned about; SRRC intervals stay inside −1..+1.

use bigvsim::metrics::Metric;

use super::common::{assert_identical, bigvsim, metrics, model_str, scratch_file};

/// The first seed of the replications this file runs.
const SEED: u64 = 7;

/// Ten heads of 7 VMs with room for 14 (a copy takes 4 s, 2 at a time, a 1 s pause),
/// routine flaps and a long partition of every link now and then, and a restarting
/// rollout at 1 h whose `over` and `order` the tests set.
const ROLLOUT: &str = r#"(
    name: "rollout",
    horizon: "2d",
    site: (heads: 10, vms_per_head: 7, vm_slots_per_head: 14),
    design: (coupling: Coupled, transport: Tcp),
    link: (flaps_per_year: 200.0),
    supervisor: (restart: Fixed("5s")),
    brain: (reboot_concurrency: 8, boot_time: Fixed("45s")),
    migration: (concurrency: 2, vm_memory_gib: 4.0, bandwidth_gib_per_s: 1.0, pause: Fixed("1s")),
    faults: [RandomPartitions(per_year: 100.0, duration: Fixed("2m"), scope: All)],
    changes: [Rollout(at: "1h", over: "10h", set: ["supervisor.crash_on_reset=0.0"], order: Sequential, restart_supervisor: true, drain: LiveMigrate)],
)"#;

#[test]
fn a_rollout_faster_than_a_copy_drains_nothing_and_changes_nothing() {
    // Over "0s" every step fires at one instant; over "1s" (and "3s") every head is
    // reached before the first 4-second copy could land. No head can take a VM in
    // time, so the drained rollout is the undrained one, metric for metric (the event
    // count included: no copy is started and thrown away).
    for over in ["0s", "1s", "3s"] {
        for order in ["Sequential", "Random"] {
            let over_set = format!("changes[0].over={over}");
            let order_set = format!("changes[0].order={order}");
            let drained = metrics(SEED, ROLLOUT, &[&over_set, &order_set], 4);
            let undrained = metrics(
                SEED,
                ROLLOUT,
                &[&over_set, &order_set, "changes[0].drain=None"],
                4,
            );
            assert_identical(&drained, &undrained, &format!("over {over}, {order}"));
            assert!(drained.iter().all(|m| m[Metric::Migrations] == 0.0));
        }
    }
}

#[test]
fn a_drained_rollout_saves_once_steps_leave_time_for_copies() {
    // Over 30 s and more (3 s or more between steps, a 4 s copy, 2 at a time) the
    // drains move nearly every VM and cost a few pauses; just above the copy time a
    // few copies land before their target's step and the restarts they wait for cost
    // at most 2 % more than restarting undrained. No copy is started toward a head
    // whose own step comes before it lands.
    for (over, saves) in [
        ("5s", false),
        ("10s", false),
        ("30s", true),
        ("1m", true),
        ("10m", true),
        ("10h", true),
    ] {
        let over_set = format!("changes[0].over={over}");
        let drained = metrics(SEED, ROLLOUT, &[&over_set], 3);
        let undrained = metrics(SEED, ROLLOUT, &[&over_set, "changes[0].drain=None"], 3);
        for (d, u) in drained.iter().zip(&undrained) {
            let (d, u) = (
                d[Metric::DowntimeMinPerVmYear],
                u[Metric::DowntimeMinPerVmYear],
            );
            if saves {
                assert!(d < u / 10.0, "over {over}: drained {d} vs undrained {u}");
            } else {
                assert!(d <= u * 1.02, "over {over}: drained {d} vs undrained {u}");
            }
        }
    }
}

/// Four heads of 5 VMs with room for 10, maintained about monthly, draining by live
/// migration; the tests set the pause, the work's length and the drain.
const MAINTAINED: &str = r#"(
    name: "maintained",
    horizon: "30d",
    site: (heads: 4, vms_per_head: 5, vm_slots_per_head: 10),
    supervisor: (restart: Fixed("5s")),
    brain: (reboot_concurrency: 8, boot_time: Fixed("45s")),
    head: (failures_per_year: 20.0, repair: Exponential(mean: "4h")),
    maintenance: (per_head_per_year: 24.0, duration: Fixed("20m"), drain: LiveMigrate, max_concurrent_heads: 1),
    migration: (concurrency: 2, vm_memory_gib: 4.0, bandwidth_gib_per_s: 1.0, pause: Fixed("300ms")),
    faults: [RandomPartitions(per_year: 50.0, duration: Fixed("4m"), scope: All)],
)"#;

/// Checks that no duration a run accumulates exceeds what the horizon allows: per-VM
/// times at most horizon × VMs, per-head times at most horizon × heads, and every
/// single span at most the horizon.
fn assert_within_horizon(text: &str, sets: &[&str], what: &str) {
    within_horizon(text, sets, what, 12);
}

fn within_horizon(text: &str, sets: &[&str], what: &str, reps: u64) {
    let m = model_str(text, sets);
    let sc = &m.scenario;
    let horizon_s = sc.horizon_us as f64 / 1e6;
    let vms = sc.site.vms() as f64;
    let heads = sc.site.heads as f64;
    let minutes_per_year = 365.0 * 24.0 * 60.0;
    for (i, r) in metrics(SEED, text, sets, reps).iter().enumerate() {
        let at = |m: Metric| format!("{what}, replication {i}: {m:?} = {}", r[m]);
        let pause = Metric::MigrationPauseS;
        assert!(r[pause] <= horizon_s * vms, "{}", at(pause));
        assert!(
            r[Metric::VmHoursLost] * 3600.0 <= horizon_s * vms * (1.0 + 1e-12),
            "{}",
            at(Metric::VmHoursLost)
        );
        assert!(
            r[Metric::ControlLossHeadS] <= horizon_s * heads,
            "{}",
            at(Metric::ControlLossHeadS)
        );
        for m in [
            Metric::DowntimeMinPerVmYear,
            Metric::DowntimeBugMinPerVmYear,
            Metric::DowntimeBackgroundMinPerVmYear,
            Metric::DowntimeHardwareMinPerVmYear,
            Metric::DowntimeCrashFaultMinPerVmYear,
            Metric::DowntimeMaintenanceMinPerVmYear,
        ] {
            assert!(r[m] <= minutes_per_year * (1.0 + 1e-12), "{}", at(m));
        }
        for m in [
            Metric::FullRecoveryS,
            Metric::Recover50S,
            Metric::Recover90S,
            Metric::Recover99S,
            Metric::SiteRecoveryS,
            Metric::VmOutageP50S,
            Metric::VmOutageP90S,
            Metric::VmOutageP99S,
            Metric::VmOutageMaxS,
            Metric::ControlRecoveryS,
        ] {
            // The outage histogram's buckets may round a span up by a little.
            assert!(r[m] <= horizon_s * 1.01, "{}", at(m));
        }
        assert!(
            r[Metric::VmAvailability] >= 0.0,
            "{}",
            at(Metric::VmAvailability)
        );
    }
}

#[test]
fn no_duration_metric_exceeds_what_the_horizon_allows() {
    // A pause of a thousand years (it used to add 3.15e10 s a migration, 5.99e11 VM-s
    // in this run), a day or a week, a work or repair longer than the run, and the
    // same with a horizon too short for anything to finish.
    let cases: &[&[&str]] = &[
        &["migration.pause=365000d"],
        &["migration.pause=1d"],
        &["migration.pause=7d", "horizon=2d"],
        &["maintenance.duration=100d", "maintenance.drain=Reboot"],
        &["maintenance.duration=100d", "maintenance.drain=None"],
        &["head.repair=1000d", "head.failures_per_year=200"],
        &["faults[0].duration=40d", "migration.pause=5d"],
        &[
            "horizon=1h",
            "migration.pause=1d",
            "maintenance.per_head_per_year=2000",
        ],
    ];
    for sets in cases {
        assert_within_horizon(MAINTAINED, sets, &sets.join(" "));
    }
    assert_within_horizon(super::common::QUIET, &["supervisor.restart=400d"], "quiet");
    // Shipped models, shortened, with pauses and repairs longer than the run.
    for name in [
        "york-maintenance-migrate.ron",
        "york-year-evacuate.ron",
        "york-2017.ron",
    ] {
        let text =
            std::fs::read_to_string(super::common::root().join("models").join(name)).unwrap();
        for sets in [
            &["horizon=10d", "migration.pause=365000d"][..],
            &[
                "horizon=10d",
                "head.repair=100d",
                "head.failures_per_year=50",
            ],
        ] {
            within_horizon(&text, sets, &format!("{name} {}", sets.join(" ")), 2);
        }
    }
    // Paused VMs that die paused (a maintained head's work kills them, here with no
    // failures or partitions) and are migrated again: each pause counts only as served.
    let no_random = ["faults=[]", "head.failures_per_year=0"];
    for pause in ["365000d", "10d", "1h"] {
        let set = format!("migration.pause={pause}");
        let sets: Vec<&str> = no_random.iter().copied().chain([set.as_str()]).collect();
        assert_within_horizon(MAINTAINED, &sets, &sets.join(" "));
    }
}

#[test]
fn a_stop_of_no_length_is_neither_an_outage_nor_an_incident() {
    // Maintenance that stops the VMs for "0s", and a crash whose restart and boots
    // take no time: every VM is back at the instant it stopped, nothing was lost, and
    // no outage or incident is counted.
    let zero_stop = metrics(
        SEED,
        MAINTAINED,
        &[
            "maintenance.drain=None",
            "maintenance.duration=0s",
            "faults=[]",
            "head.failures_per_year=0",
        ],
        3,
    );
    let zero_crash = metrics(
        SEED,
        super::common::QUIET,
        &["supervisor.restart=0s", "brain.boot_time=0s"],
        3,
    );
    for r in zero_stop.iter().chain(&zero_crash) {
        assert_eq!(r[Metric::DowntimeMinPerVmYear], 0.0);
        assert_eq!(r[Metric::VmOutages], 0.0);
        assert_eq!(r[Metric::Incidents], 0.0);
        assert_eq!(r[Metric::FullRecoveryS], 0.0);
        assert_eq!(r[Metric::WorstIncidentVms], 0.0);
        assert_eq!(r[Metric::VmOutageMaxS], 0.0);
    }
    // A stop of a microsecond is one.
    let short = metrics(
        SEED,
        super::common::QUIET,
        &["supervisor.restart=0s", "brain.boot_time=1us"],
        1,
    );
    assert_eq!(short[0][Metric::VmOutages], 70.0);
    assert_eq!(short[0][Metric::Incidents], 1.0);
}

/// A small model with one partition at 2 h, one rollout and a list of ranges the tests
/// replace (`RANGES`).
const RANGED: &str = r#"(
    name: "ranged",
    horizon: "1d",
    site: (heads: 4, vms_per_head: 5),
    link: (reconnect: (initial: "1s", multiplier: 1.6, max: "120s", jitter: 0.2)),
    brain: (boot_time: LogNormal(mean: "45s", sigma: 0.3)),
    faults: [Partition(at: "2h", duration: Fixed("4m"), scope: All)],
    changes: [Rollout(at: "3h", over: "1h", set: ["supervisor.crash_on_reset=0.0"], order: Sequential)],
    uncertain: [
        RANGES
    ],
)"#;

fn ranged(ranges: &str) -> String {
    RANGED.replace("RANGES", ranges)
}

#[test]
fn validate_refuses_ranges_a_sample_could_not_run_and_places_them() {
    // (ranges, the field named, its line and column, words of the message). Line 10
    // holds the list's entries; each case puts the offending entry where the column
    // says.
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            r#"(path: "faults[3].at", range: ("1h", "3h")),"#,
            "uncertain[0].path",
            "test.ron:10:10",
            "the model has 1 faults",
        ),
        (
            r#"(path: "changes[2].over", range: ("1h", "3h")),"#,
            "uncertain[0].path",
            "test.ron:10:10",
            "changes[2].over",
        ),
        (
            r#"(path: "brain.boot_time.mean", range: ("30s", "90s")), (path: "brain.boot_time", range: ("30s", "90s")),"#,
            "uncertain[1].path",
            "test.ron:10:",
            "one inside the other",
        ),
        (
            r#"(path: "link.reconnect.initial", range: ("1s", "10m")),"#,
            "uncertain[0].range",
            "test.ron:10:42",
            "high bound (link.reconnect.initial=10m)",
        ),
        (
            r#"(path: "link.reconnect.max", range: ("100ms", "1m")),"#,
            "uncertain[0].range",
            "test.ron:10:38",
            "low bound (link.reconnect.max=0.1s)",
        ),
        (
            r#"(path: "horizon", range: ("1h", "2d")),"#,
            "uncertain[0].range",
            "test.ron:10:27",
            "is not before the horizon",
        ),
        (
            r#"(path: "changes[0].at", range: ("1h", "2d")),"#,
            "uncertain[0].range",
            "test.ron:10:",
            "high bound",
        ),
        (
            r#"(path: "link.reconnect.initial", range: ("100s", "119s")), (path: "link.reconnect.max", range: ("1s", "120s")),"#,
            "uncertain",
            "test.ron:9:5",
            "with every range at its low bound",
        ),
    ];
    for (ranges, field, place, words) in cases {
        let text = ranged(ranges);
        let e = bigvsim::scenario::load_str("test.ron", &text, &[])
            .err()
            .unwrap_or_else(|| panic!("{ranges}: loads"))
            .to_string();
        assert!(e.starts_with(place), "{ranges}: {e}");
        assert!(e.contains(&format!("field `{field}`")), "{ranges}: {e}");
        assert!(e.contains(words), "{ranges}: {e}");
        assert!(!e.contains('\n'), "{e}");
    }
    // Ranges that hold at every corner load.
    for ranges in [
        r#"(path: "link.reconnect.initial", range: ("1s", "100s")), (path: "link.reconnect.max", range: ("110s", "10m")),"#,
        r#"(path: "horizon", range: ("4h", "2d")), (path: "faults[0].at", range: ("1h", "3h")),"#,
        r#"(path: "brain.boot_time.mean", range: ("30s", "90s")),"#,
    ] {
        bigvsim::scenario::load_str("test.ron", &ranged(ranges), &[])
            .unwrap_or_else(|e| panic!("{ranges}: {e}"));
    }
}

fn sens_plan(samples: u64) -> bigvsim::experiment::sensitivity::SensitivityPlan {
    bigvsim::experiment::sensitivity::SensitivityPlan {
        seed: 1,
        replications: 1,
        samples,
        shard: None,
        jobs: 1,
        check_invariants: false,
    }
}

fn temp_file(name: &str, text: &str) -> String {
    let path = scratch_file(name, name, text);
    path.to_str().unwrap().to_string()
}

/// The error `sensitivity` gives before running anything, as one line.
fn sens_error(paths: &[String], vary: &[&str], samples: u64) -> String {
    use bigvsim::experiment::sensitivity::{SensitivityModels, parse_vary};
    let vary: Vec<_> = vary.iter().map(|v| parse_vary(v).unwrap()).collect();
    let e = SensitivityModels::load(paths, &[], &vary, &sens_plan(samples))
        .err()
        .unwrap_or_else(|| panic!("{vary:?}: loads"))
        .to_string();
    assert!(!e.contains('\n'), "{e}");
    assert!(!e.contains("sample 0"), "{e}");
    e
}

#[test]
fn sensitivity_refuses_vary_ranges_at_their_corners_naming_the_argument() {
    let base = temp_file(
        "ranged.ron",
        &ranged(r#"(path: "brain.boot_time.mean", range: ("30s", "90s")),"#),
    );
    let paths = [base.clone()];
    for (vary, words) in [
        ("faults[2].at=1h..3h", "--vary faults[2].at:"),
        ("changes[4].over=1h..3h", "--vary changes[4].over:"),
        (
            "link.reconnect.initial=1s..10m",
            "--vary link.reconnect.initial:",
        ),
        ("horizon=1h..2d", "--vary horizon:"),
        ("brain.boot_time=30s..90s", "--vary brain.boot_time:"),
        ("faults[0].at=1h..2d", "--vary faults[0].at:"),
    ] {
        let e = sens_error(&paths, &[vary], 8);
        assert!(
            e.starts_with(&format!("error: {words}")) || e.starts_with(words),
            "{vary}: {e}"
        );
    }
    // Two --vary ranges that hold alone but not together (every low bound).
    let e = sens_error(
        &paths,
        &[
            "link.reconnect.initial=100s..119s",
            "link.reconnect.max=1s..120s",
        ],
        8,
    );
    assert!(
        e.contains("--vary") && e.contains("every range at its low bound"),
        "{e}"
    );
}

#[test]
fn the_fewest_samples_are_one_number_in_the_check_and_the_message() {
    // With 1 parameter the fewest samples is 4, with 3 it is 6: every smaller count
    // is refused with that number, and that number runs.
    use bigvsim::experiment::sensitivity::SensitivityModels;
    for (ranges, fewest) in [
        (
            r#"(path: "brain.boot_time.mean", range: ("30s", "90s")),"#,
            4,
        ),
        (
            r#"(path: "brain.boot_time.mean", range: ("30s", "90s")), (path: "link.flaps_per_year", range: (1.0, 5.0)), (path: "brain.reboot_concurrency", range: (5, 9)),"#,
            6,
        ),
    ] {
        let path = temp_file("fewest.ron", &ranged(ranges));
        for samples in 0..fewest {
            let e = sens_error(std::slice::from_ref(&path), &[], samples);
            assert!(
                e.contains(&format!("--samples {samples}:"))
                    && e.contains(&format!("at least {fewest} samples")),
                "{samples}: {e}"
            );
        }
        SensitivityModels::load(std::slice::from_ref(&path), &[], &[], &sens_plan(fewest))
            .unwrap_or_else(|e| panic!("{fewest}: {e}"));
    }
}

/// A synthetic study of `n` samples of `d` parameters whose baseline metrics are a
/// noisy mix of the first two parameters (the noise from `seed`).
fn synthetic(n: usize, d: usize, seed: u64) -> bigvsim::experiment::sensitivity::Sensitivity {
    use bigvsim::experiment::design::DesignInfo;
    use bigvsim::experiment::sensitivity::{ParamRecord, SampleResult, Sensitivity, lhs};
    let points = lhs::latin_hypercube(n, d, seed);
    let mut noise = bigvsim::model::Purpose::Bootstrap.stream(seed, 1, 0);
    let results = points
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let means = Metric::ALL
                .iter()
                .enumerate()
                .map(|(k, _)| {
                    u[0] + 0.3 * u[1 % d]
                        + (k as f64 + 1.0) * 0.2 * (noise.below(1_000_000) as f64 / 1e6)
                })
                .collect();
            SampleResult {
                index: i as u64,
                values: u.clone(),
                means: vec![means],
            }
        })
        .collect();
    Sensitivity {
        designs: vec![DesignInfo {
            name: "synthetic".into(),
            path: "synthetic.ron".into(),
            hash: "0".into(),
        }],
        seed,
        replications: 1,
        samples: n as u64,
        overrides: Vec::new(),
        params: (0..d)
            .map(|j| ParamRecord {
                path: format!("p{j}"),
                lo: 0.0,
                hi: 1.0,
                scale: "linear".into(),
                unit: String::new(),
            })
            .collect(),
        results,
    }
}

#[test]
fn srrc_and_their_intervals_stay_inside_minus_one_to_one_and_few_samples_are_warned() {
    // With 13 to 24 samples of 8 parameters a bootstrap resample is nearly collinear
    // and its coefficients used to reach ±4.5; every effect and interval now lies in
    // −1..+1, and the study says when its samples are too few (fewer than 3 per
    // parameter and intercept, or than 20).
    use bigvsim::experiment::sensitivity::analysis::analyse;
    for (n, d, seed) in [
        (11, 8, 1),
        (13, 8, 2),
        (16, 8, 3),
        (24, 8, 4),
        (9, 6, 5),
        (7, 4, 6),
        (40, 3, 7),
        (27, 8, 8),
    ] {
        let a = analyse(&synthetic(n, d, seed));
        for r in &a.ranking {
            for e in &r.entries {
                assert!(
                    (-1.0..=1.0).contains(&e.effect),
                    "{n}×{d}: effect {}",
                    e.effect
                );
                if let Some((lo, hi)) = e.ci95 {
                    assert!(
                        -1.0 <= lo && lo <= hi && hi <= 1.0,
                        "{n}×{d}: CI {lo}..{hi}"
                    );
                }
            }
        }
        let usable = (3 * (d + 1)).max(20);
        assert_eq!(a.too_few.is_some(), n < usable, "{n}×{d}: {:?}", a.too_few);
        if let Some(w) = &a.too_few {
            assert!(w.contains(&format!("--samples {usable} or more")), "{w}");
        }
    }
}

#[test]
fn too_few_samples_are_warned_on_stderr_and_in_the_text() {
    let path = temp_file(
        "few.ron",
        &super::common::QUIET.replace(
            "faults:",
            r#"uncertain: [(path: "brain.boot_time", range: ("30s", "60s")), (path: "brain.reboot_concurrency", range: (4, 12))],
    faults:"#,
        ),
    );
    let out = bigvsim(&["sensitivity", &path, "-r", "1", "--samples", "8"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("warning: 8 samples are too few"),
        "{stderr}"
    );
    assert!(
        stdout.contains("Warning: 8 samples are too few"),
        "{stdout}"
    );
    let out = bigvsim(&["sensitivity", &path, "-r", "1", "--samples", "20"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("too few"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("too few"));
}

/// The warnings a model gets, as every command prints them.
fn warnings_of(text: &str, sets: &[&str]) -> Vec<String> {
    model_str(text, sets).warnings
}

/// Asserts exactly one warning names `field` and says `words`.
fn assert_warns(text: &str, sets: &[&str], field: &str, words: &str) {
    let w = warnings_of(text, sets);
    let hits: Vec<&String> = w
        .iter()
        .filter(|w| w.contains(&format!("field `{field}`")))
        .collect();
    assert_eq!(hits.len(), 1, "{sets:?}: {w:?}");
    assert!(hits[0].contains(words), "{sets:?}: {w:?}");
    assert!(hits[0].starts_with("test.ron"), "{}", hits[0]);
}

fn assert_no_warning(text: &str, sets: &[&str], field: &str) {
    let w = warnings_of(text, sets);
    assert!(
        !w.iter().any(|w| w.contains(&format!("field `{field}`"))),
        "{sets:?}: {w:?}"
    );
}

/// Four heads of 5 VMs with random head failures and nothing else set.
const PLAIN: &str = r#"(
    name: "plain",
    horizon: "30d",
    site: (heads: 4, vms_per_head: 5),
    head: (failures_per_year: 2.0, repair: Exponential(mean: "4h")),
)"#;

#[test]
fn settings_that_can_never_act_are_warned_about() {
    // Announced failures with no spare slot, or with no random failure to announce.
    let fraction = "head.predicted_fraction";
    assert_warns(
        PLAIN,
        &["head.predicted_fraction=0.5"],
        fraction,
        "no VM can be evacuated",
    );
    assert_warns(
        PLAIN,
        &[
            "head.predicted_fraction=0.5",
            "site.vm_slots_per_head=8",
            "head.failures_per_year=0",
        ],
        fraction,
        "no failure is announced",
    );
    assert_no_warning(
        PLAIN,
        &["head.predicted_fraction=0.5", "site.vm_slots_per_head=8"],
        fraction,
    );
    assert_warns(
        PLAIN,
        &["head.warning=1h"],
        "head.warning",
        "predicted_fraction is 0",
    );
    // An accept timeout without an accept rate; with one it acts.
    assert_warns(
        PLAIN,
        &["brain.accept_timeout=5s"],
        "brain.accept_timeout",
        "without brain.accept_per_s",
    );
    assert_no_warning(
        PLAIN,
        &["brain.accept_timeout=5s", "brain.accept_per_s=10"],
        "brain.accept_timeout",
    );
    // A migration section, or spare slots, with nothing to migrate; any migrating
    // feature makes them act.
    for sets in [
        &["migration.concurrency=4"][..],
        &[
            "migration.pause=1s",
            "maintenance.per_head_per_year=12",
            "maintenance.drain=Reboot",
        ],
    ] {
        assert_warns(PLAIN, sets, "migration", "nothing migrates a VM");
    }
    assert_warns(
        PLAIN,
        &["site.vm_slots_per_head=8"],
        "site.vm_slots_per_head",
        "nothing migrates",
    );
    for acting in [
        &[
            "migration.concurrency=4",
            "site.vm_slots_per_head=8",
            "maintenance.per_head_per_year=12",
            "maintenance.drain=LiveMigrate",
        ][..],
        &[
            "migration.concurrency=4",
            "site.vm_slots_per_head=8",
            "head.predicted_fraction=0.5",
        ],
    ] {
        assert_no_warning(PLAIN, acting, "migration");
        assert_no_warning(PLAIN, acting, "site.vm_slots_per_head");
    }
    // Maintenance settings with no window falling due.
    assert_warns(
        PLAIN,
        &["maintenance.duration=1h"],
        "maintenance.per_head_per_year",
        "no maintenance window",
    );
    // A change that sets nothing and restarts nothing.
    let empty = r#"changes: [At(at: "1h", set: [], restart_supervisor: RESTART)],
)"#;
    let text = PLAIN.replace(
        "\n)",
        &format!("\n    {}", empty.replace("RESTART", "false")),
    );
    assert_warns(&text, &[], "changes[0].set", "changes nothing");
    let text = PLAIN.replace(
        "\n)",
        &format!("\n    {}", empty.replace("RESTART", "true")),
    );
    assert_no_warning(&text, &[], "changes[0].set");
    let rollout = PLAIN.replace(
        "\n)",
        "\n    changes: [Rollout(at: \"1h\", over: \"1d\", set: [], order: Sequential)],\n)",
    );
    assert_warns(&rollout, &[], "changes[0].set", "changes nothing");
    // Targets every run meets or none can.
    for (target, words) in [
        ("vm_availability.mean>=2", "no run can meet it"),
        ("vm_availability.p90<=1", "every run meets it"),
        ("vm_availability.mean>=0", "every run meets it"),
        ("downtime_min_per_vm_year.mean<=-1", "no run can meet it"),
        ("full_recovery_s.p90<=31d", "every run meets it"),
        ("vm_hours_lost.mean>=100000", "no run can meet it"),
        ("supervisor_crashes.mean>=-3", "every run meets it"),
    ] {
        let text = PLAIN.replace("\n)", &format!("\n    targets: [\"{target}\"],\n)"));
        assert_warns(&text, &[], "targets[0]", words);
    }
    for target in [
        "vm_availability.mean>=0.999",
        "full_recovery_s.p90<=1h",
        "downtime_min_per_vm_year.mean<=0",
    ] {
        let text = PLAIN.replace("\n)", &format!("\n    targets: [\"{target}\"],\n)"));
        assert_no_warning(&text, &[], "targets[0]");
    }
    // The plain model itself has nothing to warn of.
    assert!(
        warnings_of(PLAIN, &[]).is_empty(),
        "{:?}",
        warnings_of(PLAIN, &[])
    );
}

#[test]
fn overrides_of_a_run_are_not_held_to_the_file_s_ranges() {
    // The ranges are the file's; a run that removes the fault a range varies, or sets
    // a value a corner would contradict, still runs (a study checks its own overrides).
    let text = ranged(
        r#"(path: "faults[0].at", range: ("1h", "3h")), (path: "link.reconnect.initial", range: ("1s", "100s")),"#,
    );
    bigvsim::scenario::load_str("test.ron", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    for set in ["faults=[]", "link.reconnect.max=50s"] {
        bigvsim::scenario::load_str("test.ron", &text, &[set.to_string()])
            .unwrap_or_else(|e| panic!("{set}: {e}"));
    }
    // The same override in a study is refused before any run, at the file's range.
    let path = temp_file("override.ron", &text);
    use bigvsim::experiment::sensitivity::SensitivityModels;
    let e = SensitivityModels::load(
        &[path],
        &["link.reconnect.max=50s".to_string()],
        &[],
        &sens_plan(8),
    )
    .expect_err("refused")
    .to_string();
    assert!(
        e.contains(":10:") && e.contains("uncertain[1].range") && e.contains("high bound"),
        "{e}"
    );
}

#[test]
fn the_york_year_models_vary_the_site_wide_break_rate() {
    // It rests on three breaks in about six months: 1.2 to 17.5 a year (the exact
    // Poisson 95 % interval of 3 events, doubled), around the models' 6.
    for path in super::common::shipped_models() {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.starts_with("york-year") {
            continue;
        }
        let m = super::common::model(&name);
        let u = m
            .scenario
            .uncertain
            .iter()
            .find(|u| u.path == "faults[0].per_year")
            .unwrap_or_else(|| panic!("{name}: no break rate among {:?}", m.scenario.uncertain));
        assert_eq!((u.lo, u.hi), (1.2, 17.5), "{name}");
        assert!(
            matches!(
                m.scenario.faults[0],
                bigvsim::scenario::Fault::RandomPartitions { per_year, .. } if per_year == 6.0
            ),
            "{name}"
        );
    }
}

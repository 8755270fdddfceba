//! Incidents by size and cause, and recovery values cut by the horizon, worked out by
//! hand on sites simple enough to do so.

use bigvsim::experiment::run_batch;
use bigvsim::metrics::{CUT_METRICS, Metric, OutageCause};

use super::common::{QUIET, checked, model_str};

/// The first seed of the replications this file runs.
const SEED: u64 = 11;

#[test]
fn a_site_wide_crash_is_one_site_incident_with_hand_worked_losses() {
    // 70 VMs die at 1 h. They are reported 5 s later and boot in waves of 8; wave k
    // (k = 1..9, the last of 6 VMs) is up 5 + 45·k s after the crash. So the site
    // recovers in 410 s (the makespan), and the VM-seconds lost are
    //   8·Σ_{k=1..8} (5 + 45k) + 6·(5 + 45·9) = 8·1 660 + 6·410 = 15 740,
    // all of it begun by the scheduled crash fault.
    let m = model_str(QUIET, &[]);
    let batch = run_batch(&m.scenario, &checked(SEED, 2), &|_, _| {}).unwrap();
    let lost_s = 15_740.0;
    let per_vm_year = lost_s / 60.0 / 70.0 * (365.0 / 1.0);
    for r in &batch.replications {
        let v = &r.metrics;
        assert_eq!(v[Metric::SiteIncidents], 1.0);
        assert_eq!(v[Metric::SiteRecoveryS], 410.0);
        assert_eq!(v[Metric::FullRecoveryS], 410.0);
        assert!((v[Metric::VmHoursLost] - lost_s / 3600.0).abs() < 1e-9);
        let crash_fault = v[Metric::DowntimeCrashFaultMinPerVmYear];
        assert!((crash_fault - per_vm_year).abs() < 1e-9, "{crash_fault}");
        assert_eq!(crash_fault, v[Metric::DowntimeMinPerVmYear]);
        for cause in [
            OutageCause::Bug,
            OutageCause::Background,
            OutageCause::Hardware,
        ] {
            assert_eq!(v[cause.downtime_metric()], 0.0, "{}", cause.name());
        }
        assert_eq!(v.censored, 0);
    }
}

#[test]
fn one_head_down_is_not_site_wide_unless_the_fraction_says_so() {
    // Head 0 fails at 1 h and is repaired after exactly 1 h: 7 of 70 VMs (10 %) are
    // down, below the default half of the site, so there is one incident and no
    // site-wide one; every minute lost is hardware's. With a site fraction of 5 % the
    // same incident is site-wide, and its recovery is the full recovery.
    let sets = [
        r#"faults=[HeadFailure(at: "1h", scope: Heads([0]))]"#,
        r#"head.repair=Fixed("1h")"#,
    ];
    let m = model_str(QUIET, &sets);
    let batch = run_batch(&m.scenario, &checked(SEED, 1), &|_, _| {}).unwrap();
    let v = &batch.replications[0].metrics;
    assert_eq!(v[Metric::Incidents], 1.0);
    assert_eq!(v[Metric::SiteIncidents], 0.0);
    assert_eq!(v[Metric::SiteRecoveryS], 0.0);
    assert!(v[Metric::FullRecoveryS] > 3600.0);
    assert_eq!(
        v[Metric::DowntimeHardwareMinPerVmYear],
        v[Metric::DowntimeMinPerVmYear]
    );
    // The head-level incident is what the incident-duration plot draws.
    assert_eq!(batch.head_incident_histogram.count(), 1);
    assert_eq!(
        batch.head_incident_histogram.max_us() as f64,
        v[Metric::FullRecoveryS] * 1e6
    );

    let mut with_fraction = sets.to_vec();
    with_fraction.push("metrics.site_fraction=0.05");
    let m = model_str(QUIET, &with_fraction);
    let batch = run_batch(&m.scenario, &checked(SEED, 1), &|_, _| {}).unwrap();
    let w = &batch.replications[0].metrics;
    assert_eq!(w[Metric::SiteIncidents], 1.0);
    assert_eq!(w[Metric::SiteRecoveryS], v[Metric::FullRecoveryS]);
    assert_eq!(batch.head_incident_histogram.count(), 0);
    // The threshold classifies; it changes no other figure.
    assert_eq!(w[Metric::FullRecoveryS], v[Metric::FullRecoveryS]);
    assert_eq!(w[Metric::VmHoursLost], v[Metric::VmHoursLost]);
}

#[test]
fn downtime_by_cause_adds_up_to_the_total() {
    // Every cause at once over 30 days: the bug (flaps that crash the supervisor),
    // background crashes, head hardware, the scheduled crash and weekly maintenance
    // by reboot. Each part is
    // positive and the parts add up to the total up to float rounding.
    let sets = [
        "horizon=30d",
        "link.flaps_per_year=30",
        "supervisor.crash_on_reset=0.5",
        "supervisor.crashes_per_year=10",
        "head.failures_per_year=5",
        "maintenance.per_head_per_year=52",
    ];
    let m = model_str(QUIET, &sets);
    let batch = run_batch(&m.scenario, &checked(SEED, 4), &|_, _| {}).unwrap();
    let mut seen = [false; OutageCause::ALL.len()];
    for r in &batch.replications {
        let v = &r.metrics;
        let parts: f64 = OutageCause::ALL
            .iter()
            .map(|c| v[c.downtime_metric()])
            .sum();
        let total = v[Metric::DowntimeMinPerVmYear];
        assert!(total > 0.0);
        assert!(
            (parts - total).abs() <= 1e-12 * total,
            "parts {parts} ≠ total {total}"
        );
        for c in OutageCause::ALL {
            seen[c as usize] |= v[c.downtime_metric()] > 0.0;
        }
    }
    assert_eq!(
        seen, [true; 5],
        "every cause should have caused some downtime"
    );
}

#[test]
fn an_incident_open_at_the_horizon_is_censored() {
    // The horizon falls 120 s after the crash: no VM is back (the first wave needs
    // 50 s, then only 16 of 70 are up by 120 s), so every recovery value is cut at
    // 120 s and flagged, in each replication.
    let m = model_str(QUIET, &["horizon=62m"]);
    let batch = run_batch(&m.scenario, &checked(SEED, 3), &|_, _| {}).unwrap();
    for r in &batch.replications {
        assert_eq!(r.metrics[Metric::FullRecoveryS], 120.0);
        assert_eq!(r.metrics[Metric::SiteRecoveryS], 120.0);
        // Control is back when the supervisors are, 5 s after the crash.
        assert_eq!(r.metrics[Metric::ControlRecoveryS], 5.0);
    }
    for r in &batch.replications {
        // No VM is back, so the longest outage is one still running at the horizon.
        assert_eq!(r.metrics[Metric::VmOutageMaxS], 120.0);
    }
    for m in CUT_METRICS {
        // Control, and with it its head-seconds, was back long before the horizon.
        let control = matches!(m, Metric::ControlRecoveryS | Metric::ControlLossHeadS);
        let cut = if control { 0 } else { 3 };
        assert_eq!(batch.censored(*m), cut, "{m:?}");
    }
    // Rates over the horizon are what the horizon holds: never cut.
    for m in [Metric::DowntimeMinPerVmYear, Metric::VmAvailability] {
        assert_eq!(batch.censored(m), 0, "{m:?}");
    }
    // Half the VMs (35) are back after 5 waves, 230 s: well within a 1-day horizon,
    // nothing is cut there.
    let m = model_str(QUIET, &[]);
    let batch = run_batch(&m.scenario, &checked(SEED, 2), &|_, _| {}).unwrap();
    for m in CUT_METRICS {
        assert_eq!(batch.censored(*m), 0, "{m:?}");
    }
}

#[test]
fn run_flags_and_warns_about_recovery_cut_by_the_horizon() {
    // 90 minutes of the York crash: about a fifth of the VMs are back, so every
    // replication's recovery is cut; the JSON counts them and stderr says so.
    let out = super::common::bigvsim(&[
        "run",
        "models/york-2017.ron",
        "--set",
        "horizon=90m",
        "-r",
        "5",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["metrics"]["full_recovery_s"]["censored"], 5);
    assert_eq!(doc["metrics"]["site_recovery_s"]["censored"], 5);
    assert!(doc["metrics"]["vm_availability"].get("censored").is_none());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: york-2017: full_recovery_s was cut by the horizon in 5 of 5"),
        "{stderr}"
    );
}

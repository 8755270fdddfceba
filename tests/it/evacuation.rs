//! Evacuation on a predicted head failure: with every failure announced, room for
//! every VM and no pause, head failures cost nothing; with none announced, or no room to
//! move into, the results are those of a model without prediction, bit for bit.

use bigvsim::experiment::{Plan, run_batch};
use bigvsim::metrics::{Metric, RunMetrics};
use bigvsim::model::{Event, HardwareEvent, Platform, RunOptions};

use super::common::model_str;

/// 4 heads × 5 VMs whose only fault is head hardware: six failures a head a year,
/// repaired in 4 h. A head has room for 20 VMs, so any one head still up can take
/// every VM of a head about to fail; a migration copies 4 GiB at 1 GiB/s, so a drain of
/// 5 VMs, 2 at a time, takes 12 s, far less than the hour of warning.
const FAILING_HEADS: &str = r#"(
    name: "evacuation",
    horizon: "120d",
    site: (heads: 4, vms_per_head: 5, vm_slots_per_head: 20),
    design: (coupling: Decoupled),
    link: (flaps_per_year: 0.0),
    supervisor: (crash_on_reset: 0.0, crash_on_long_reset: 0.0),
    brain: (reboot_concurrency: 20, boot_time: Fixed("45s"),
            boot_slowdown_per_boot_on_head: 0.0, boot_slowdown_per_boot_on_site: 0.0),
    head: (failures_per_year: 6.0, repair: Exponential(mean: "4h"), warning: "1h"),
    migration: (concurrency: 2, vm_memory_gib: 4.0, bandwidth_gib_per_s: 1.0,
                pause: Fixed("0s")),
)"#;

fn runs(sets: &[&str], reps: u64) -> Vec<RunMetrics> {
    let m = model_str(FAILING_HEADS, sets);
    let plan = Plan {
        check_invariants: true,
        keep_outages: true,
        ..Plan::new(5, reps)
    };
    let batch = run_batch(&m.scenario, &plan, &|_, _| {}).unwrap();
    batch.replications.iter().map(|r| r.metrics).collect()
}

#[test]
fn announced_failures_with_room_and_no_pause_cost_nothing() {
    let unpredicted = runs(&[], 4);
    for (m, before) in runs(&["head.predicted_fraction=1"], 4)
        .iter()
        .zip(&unpredicted)
    {
        // The same failures, unannounced, cost downtime: the evacuation is what saves it.
        assert!(before[Metric::DowntimeHardwareMinPerVmYear] > 0.0);
        assert!(m[Metric::Migrations] > 0.0);
        assert_eq!(m[Metric::DowntimeMinPerVmYear], 0.0);
        assert_eq!(m[Metric::MigrationPauseS], 0.0);
        assert_eq!(m[Metric::VmReboots], 0.0);
    }
}

#[test]
fn a_pause_on_evacuation_is_downtime_caused_by_the_hardware() {
    for m in runs(
        &["head.predicted_fraction=1", "migration.pause=Fixed(\"2s\")"],
        4,
    ) {
        assert!(m[Metric::MigrationPauseS] > 0.0);
        assert_eq!(
            m[Metric::DowntimeHardwareMinPerVmYear],
            m[Metric::DowntimeMinPerVmYear]
        );
        assert_eq!(m[Metric::DowntimeMaintenanceMinPerVmYear], 0.0);
        assert_eq!(m[Metric::VmReboots], 0.0);
    }
}

#[test]
fn no_failure_announced_or_no_room_to_move_gives_todays_results() {
    let today = runs(&[], 6);
    // A fraction of 0 draws no coin: the warning's length cannot matter.
    assert_eq!(
        runs(&["head.predicted_fraction=0", "head.warning=\"2h\""], 6),
        today
    );
    // Without spare slots an announced failure moves nothing and draws nothing the
    // failure itself does not: the results are those of unannounced failures.
    // Only the count of events differs: the warnings are events too.
    let full = ["site.vm_slots_per_head=5"];
    let announced = [full[0], "head.predicted_fraction=1"];
    let but_events = |ms: Vec<RunMetrics>| -> Vec<RunMetrics> {
        ms.into_iter()
            .map(|mut m| {
                m.values[Metric::Events as usize] = 0.0;
                m
            })
            .collect()
    };
    let warned = runs(&announced, 6);
    assert!(
        warned
            .iter()
            .zip(runs(&full, 6))
            .all(|(w, f)| w[Metric::Events] > f[Metric::Events])
    );
    assert_eq!(but_events(warned), but_events(runs(&full, 6)));
    assert_eq!(runs(&full, 6), today);
}

#[test]
fn some_failures_are_announced_and_some_are_not() {
    // Half the failures announced: some VMs are saved, others die with their head.
    let all = runs(&[], 8);
    let half = runs(&["head.predicted_fraction=0.5"], 8);
    let total = |ms: &[RunMetrics]| -> f64 {
        ms.iter()
            .map(|m| m[Metric::DowntimeHardwareMinPerVmYear])
            .sum()
    };
    assert!(total(&half) > 0.0);
    assert!(total(&half) < total(&all));
    assert!(half.iter().map(|m| m[Metric::Migrations]).sum::<f64>() > 0.0);
}

#[test]
fn a_trace_shows_the_warning_before_the_failure() {
    let m = model_str(FAILING_HEADS, &["head.predicted_fraction=1"]);
    let mut platform = Platform::new(
        &m.scenario,
        RunOptions {
            check_invariants: true,
            ..RunOptions::default()
        },
    );
    let mut warned = Vec::new();
    let mut failed = 0;
    let metrics = platform.run_observed(5, 0, |t, e| match *e {
        Event::Hardware(HardwareEvent::FailureWarned { head, life }) => {
            warned.push((t, head, life));
        }
        Event::Hardware(HardwareEvent::HeadFailed { head, life }) => {
            failed += 1;
            // Generation `life` ends with this failure: its warning came an hour earlier.
            assert!(
                warned
                    .iter()
                    .any(|&(w, h, l)| h == head && l == life && t - w == 3_600_000_000),
                "failure of head {head} at {t} was not announced an hour ahead"
            );
        }
        _ => {}
    });
    let metrics = metrics.expect("the replication runs");
    assert!(failed > 0);
    assert!(metrics[Metric::Migrations] > 0.0);
}

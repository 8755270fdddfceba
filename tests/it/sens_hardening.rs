//! Hardening of sensitivity studies, warnings and two model semantics: a drained
//! rollout whose steps come faster than a copy is the same rollout undrained; every
//! accumulated duration metric is cut at the horizon and a zero-length stop is no
//! outage; sensitivity ranges are checked at both corners before any run; settings
//! that can never act are warned about; SRRC intervals stay inside −1..+1.

use bigvsim::experiment::{Plan, run_batch};
use bigvsim::metrics::{Metric, RunMetrics};

use super::common::model_str;

fn checked(reps: u64) -> Plan {
    Plan {
        check_invariants: true,
        ..Plan::new(7, reps)
    }
}

fn metrics(text: &str, sets: &[&str], reps: u64) -> Vec<RunMetrics> {
    let m = model_str(text, sets);
    let batch = run_batch(&m.scenario, &checked(reps), &|_, _| {}).unwrap();
    batch.replications.iter().map(|r| r.metrics).collect()
}

fn assert_identical(a: &[RunMetrics], b: &[RunMetrics], what: &str) {
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
            let drained = metrics(ROLLOUT, &[&over_set, &order_set], 4);
            let undrained = metrics(
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
        let drained = metrics(ROLLOUT, &[&over_set], 3);
        let undrained = metrics(ROLLOUT, &[&over_set, "changes[0].drain=None"], 3);
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

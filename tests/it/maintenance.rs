//! Planned maintenance and live migration: the reboot drain's closed form worked out
//! from the windows' times, live migration at no cost with ample room and no pause,
//! its fallback to a reboot without room, and no migration without control.

use bigvsim::engine::US_PER_S;
use bigvsim::experiment::run_batch;
use bigvsim::metrics::{Metric, RunMetrics};
use bigvsim::model::{Event, MaintenanceEvent, Platform, RunOptions};

use super::common::{checked, model_str};

/// The first seed of the replications this file runs.
const SEED: u64 = 3;

/// 4 heads × 5 VMs with nothing but maintenance: monthly windows of a fixed 30 min,
/// boots of a fixed 45 s with a slot for every VM and no contention, so a VM the work
/// kills is down exactly 30 min + 45 s.
const QUIET_MAINTENANCE: &str = r#"(
    name: "maintenance",
    horizon: "120d",
    site: (heads: 4, vms_per_head: 5),
    design: (coupling: Decoupled),
    link: (flaps_per_year: 0.0),
    supervisor: (crash_on_reset: 0.0, crash_on_long_reset: 0.0),
    brain: (reboot_concurrency: 20, boot_time: Fixed("45s"),
            boot_slowdown_per_boot_on_head: 0.0, boot_slowdown_per_boot_on_site: 0.0),
    maintenance: (per_head_per_year: 12.0, duration: Fixed("30m"), drain: Reboot,
                  max_concurrent_heads: 4),
    migration: (concurrency: 2, vm_memory_gib: 4.0, bandwidth_gib_per_s: 1.0,
                pause: Fixed("0s")),
)"#;

const WORK_US: u64 = 30 * 60 * US_PER_S;
const BOOT_US: u64 = 45 * US_PER_S;

fn runs(sets: &[&str], reps: u64) -> Vec<RunMetrics> {
    let m = model_str(QUIET_MAINTENANCE, sets);
    let batch = run_batch(&m.scenario, &checked(SEED, reps), &|_, _| {}).unwrap();
    batch.replications.iter().map(|r| r.metrics).collect()
}

#[test]
fn reboot_drain_costs_the_work_and_one_boot_per_maintenance() {
    // Every window that finds its head idle starts at once (4 heads may be in
    // maintenance at a time) and the work lasts exactly 30 min, so the windows that
    // start are those due at least 30 min after the last start on the head. Each kills
    // the head's 5 VMs for 30 min + 45 s, cut at the horizon.
    let m = model_str(QUIET_MAINTENANCE, &[]);
    let sc = &m.scenario;
    let mut platform = Platform::new(
        sc,
        RunOptions {
            check_invariants: true,
            ..RunOptions::default()
        },
    );
    for rep in 0..3 {
        let mut last_start = [None::<u64>; 4];
        let mut expected_us = 0u64;
        let mut started = 0;
        let metrics = platform
            .run_observed(3, rep, |t, e| {
                if let Event::Maintenance(MaintenanceEvent::MaintenanceDue { head }) = *e {
                    let h = head as usize;
                    if last_start[h].is_none_or(|s| t >= s + WORK_US) {
                        last_start[h] = Some(t);
                        started += 1;
                        expected_us += 5 * (WORK_US + BOOT_US).min(sc.horizon_us - t);
                    }
                }
            })
            .unwrap();
        assert!(started > 0, "rep {rep}: no maintenance");
        let lost_us = metrics[Metric::VmHoursLost] * 3600.0 * US_PER_S as f64;
        assert!(
            (lost_us - expected_us as f64).abs() <= 1e-9 * expected_us as f64,
            "rep {rep}: {lost_us} VM-µs lost, expected {expected_us}"
        );
        assert_eq!(
            metrics[Metric::DowntimeMaintenanceMinPerVmYear],
            metrics[Metric::DowntimeMinPerVmYear]
        );
        assert_eq!(metrics[Metric::Migrations], 0.0);
    }
}

#[test]
fn live_migration_with_ample_room_and_no_pause_costs_nothing() {
    // 10 slots a head: the 3 other heads always have room for the 5 VMs of the one in
    // maintenance (at most 20 VMs in 30 slots).
    for m in runs(
        &[
            "maintenance.drain=LiveMigrate",
            "maintenance.max_concurrent_heads=1",
            "site.vm_slots_per_head=10",
        ],
        4,
    ) {
        assert!(m[Metric::Migrations] > 0.0);
        assert_eq!(m[Metric::DowntimeMinPerVmYear], 0.0);
        assert_eq!(m[Metric::MigrationPauseS], 0.0);
        assert_eq!(m[Metric::VmReboots], 0.0);
    }
}

#[test]
fn a_migration_costs_its_vm_the_pause_alone() {
    // A fixed 2 s pause: the VM-hours lost are the migrations' pauses, every one
    // inside the horizon.
    for m in runs(
        &[
            "maintenance.drain=LiveMigrate",
            "maintenance.max_concurrent_heads=1",
            "site.vm_slots_per_head=10",
            "migration.pause=Fixed(\"2s\")",
        ],
        4,
    ) {
        let migrations = m[Metric::Migrations];
        assert!(migrations > 0.0);
        assert_eq!(m[Metric::MigrationPauseS], 2.0 * migrations);
        assert!((m[Metric::VmHoursLost] * 3600.0 - 2.0 * migrations).abs() < 1e-6);
        assert_eq!(m[Metric::VmReboots], 0.0);
    }
}

#[test]
fn live_migration_without_room_falls_back_to_the_reboot() {
    // No spare slot: every VM is rebooted, exactly as with `drain: Reboot`.
    let migrate = runs(
        &[
            "maintenance.drain=LiveMigrate",
            "maintenance.max_concurrent_heads=1",
        ],
        3,
    );
    let reboot = runs(&["maintenance.max_concurrent_heads=1"], 3);
    assert_eq!(migrate, reboot);
    assert!(migrate.iter().all(|m| m[Metric::Migrations] == 0.0));
    assert!(migrate.iter().all(|m| m[Metric::VmReboots] > 0.0));
}

#[test]
fn no_migration_starts_while_the_brain_has_lost_control() {
    // Every link cut for the whole horizon: each head is drained by reboots alone, and
    // its VMs stay down until the horizon.
    let m = runs(
        &[
            "maintenance.drain=LiveMigrate",
            "site.vm_slots_per_head=10",
            "faults=[Partition(at: \"0s\", duration: Fixed(\"200d\"), scope: All)]",
        ],
        2,
    );
    for m in m {
        assert_eq!(m[Metric::Migrations], 0.0);
        assert!(m[Metric::DowntimeMaintenanceMinPerVmYear] > 0.0);
    }
}

#[test]
fn waiting_heads_keep_to_the_concurrency_limit() {
    // One head at a time, with windows frequent enough to collide: the invariants
    // (checked after every event) hold the limit; the windows merged into a busy
    // head cost nothing extra, so each VM's downtime is at most one window's.
    for m in runs(
        &[
            "maintenance.per_head_per_year=2000",
            "maintenance.max_concurrent_heads=1",
        ],
        2,
    ) {
        assert!(m[Metric::DowntimeMaintenanceMinPerVmYear] > 0.0);
    }
}

#[test]
fn a_migration_whose_heads_lose_control_during_its_copy_fails() {
    // Copies of an hour (3 600 GiB at 1 GiB/s) on links that flap every 5 minutes or
    // so: every copy sees its source or its target lose control, so none completes and
    // every maintained VM is rebooted. With the links quiet the same copies succeed.
    let base = [
        "maintenance.drain=LiveMigrate",
        "maintenance.max_concurrent_heads=1",
        "site.vm_slots_per_head=10",
        "migration.vm_memory_gib=3600",
    ];
    let flapping: Vec<&str> = base
        .iter()
        .copied()
        .chain(["link.flaps_per_year=100000"])
        .collect();
    for m in runs(&flapping, 2) {
        assert_eq!(m[Metric::Migrations], 0.0);
        assert!(m[Metric::VmReboots] > 0.0);
        assert!(m[Metric::DowntimeMaintenanceMinPerVmYear] > 0.0);
    }
    for m in runs(&base, 2) {
        assert!(m[Metric::Migrations] > 0.0);
        assert_eq!(m[Metric::DowntimeMinPerVmYear], 0.0);
    }
}

#[test]
fn fewer_slots_than_vms_are_refused_and_migration_without_room_is_warned_of() {
    let sets = ["site.vm_slots_per_head=4".to_string()];
    let err = bigvsim::scenario::load_str("m.ron", QUIET_MAINTENANCE, &sets).unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("site.vm_slots_per_head")
            && shown.contains("must be ≥ site.vms_per_head (5), found 4"),
        "{shown}"
    );
    let warned = |sets: &[&str]| model_str(QUIET_MAINTENANCE, sets).warnings;
    let w = warned(&["maintenance.drain=LiveMigrate"]);
    assert!(
        w.len() == 1
            && w[0].contains("maintenance.drain")
            && w[0].contains("no VM can be migrated"),
        "{w:?}"
    );
    assert!(warned(&["maintenance.drain=LiveMigrate", "site.vm_slots_per_head=6"]).is_empty());
    // With `drain: Reboot` nothing migrates, so the migration section is idle.
    let w = warned(&[]);
    assert!(
        w.len() == 1 && w[0].contains("field `migration`") && w[0].contains("has no effect"),
        "{w:?}"
    );
}

#[test]
fn stopped_vms_resume_without_a_boot_unless_the_head_failed() {
    // `None`: each window stops the head's VMs for exactly its 30 min and no VM boots;
    // with head failures as well, the VMs of a head that failed during the work do not
    // resume on it (the invariants, checked after every event, find any VM running on
    // failed hardware) but are rebooted once it is repaired.
    for m in runs(&["maintenance.drain=None"], 3) {
        assert!(m[Metric::DowntimeMaintenanceMinPerVmYear] > 0.0);
        assert_eq!(m[Metric::VmReboots], 0.0);
        let lost_s = m[Metric::VmHoursLost] * 3600.0;
        let windows = lost_s / (5.0 * 1800.0);
        assert!(
            (windows - windows.round()).abs() < 1e-6,
            "{windows} windows"
        );
    }
    let failing = runs(
        &[
            "maintenance.drain=None",
            "maintenance.per_head_per_year=2000",
            "head.failures_per_year=200",
        ],
        2,
    );
    assert!(failing.iter().any(|m| m[Metric::VmReboots] > 0.0));
}

#[test]
fn trace_names_the_maintenance_events() {
    // The new events can be picked by name, and each line names its head or VM.
    let out = super::common::bigvsim(&[
        "trace",
        "models/york-maintenance-migrate.ron",
        "--limit",
        "3000",
        "--event",
        "MaintenanceDue",
        "--event",
        "MigrationCopied",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\"event\":\"MaintenanceDue\",\"head\":"),
        "{text}"
    );
    assert!(
        text.contains("\"event\":\"MigrationCopied\",\"vm\":"),
        "{text}"
    );
    assert!(
        text.lines()
            .all(|l| l.contains("MaintenanceDue") || l.contains("MigrationCopied"))
    );
}

#[test]
fn many_heads_drained_at_once_never_leave_a_vm_on_a_head_under_work() {
    // Three heads at a time, windows every few hours, 6 slots for 5 VMs and long
    // copies: targets fall due while copies to them are in flight. The invariants,
    // checked after every event, refuse any VM running on a head being worked on.
    for m in runs(
        &[
            "maintenance.drain=LiveMigrate",
            "maintenance.per_head_per_year=2000",
            "maintenance.max_concurrent_heads=3",
            "site.vm_slots_per_head=6",
            "migration.vm_memory_gib=600",
        ],
        3,
    ) {
        assert!(m[Metric::Migrations] > 0.0);
    }
}

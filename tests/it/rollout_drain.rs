//! A restarting rollout that drains each head first: with room to spare and no other
//! fault it costs no downtime; without the drain every VM dies once, exactly as long
//! as its supervisor's restart and its boot take; a model that does not ask for the
//! drain runs as before; an `At` change that restarts supervisors kills every coupled
//! VM at its time.

use bigvsim::metrics::{Metric, OutageCause, OutageRecord, RunMetrics};
use bigvsim::model::{ChangeEvent, Event, Platform, RunOptions, SupervisorEvent};
use bigvsim::scenario::{RolloutDrain, step_time, validate};

use super::common::{assert_identical, metrics, model_str, root};

/// The first seed of the replications this file runs.
const SEED: u64 = 11;

const S: u64 = 1_000_000;
const H: u64 = 3_600 * S;

/// Ten heads of 7 VMs with room for 14, nothing failing, a fixed 45 s boot with no
/// contention and room in the reboot queue for a whole head, and a sequential
/// rollout from 1 h over 10 h that restarts every supervisor, draining it first: head
/// i is reached at 1 h + i h.
const DRAINED: &str = r#"(
    name: "drained",
    horizon: "1d",
    site: (heads: 10, vms_per_head: 7, vm_slots_per_head: 14),
    design: (coupling: Coupled, transport: Tcp),
    supervisor: (restart: Fixed("5s")),
    brain: (reboot_concurrency: 8, boot_time: Fixed("45s")),
    migration: (concurrency: 2, vm_memory_gib: 4.0, bandwidth_gib_per_s: 1.0, pause: Fixed("0s")),
    changes: [Rollout(at: "1h", over: "10h", set: ["supervisor.crash_on_reset=0.0"], order: Sequential, restart_supervisor: true, drain: LiveMigrate)],
)"#;

/// One replication's outages (with invariants checked) and metrics.
fn outages(text: &str, sets: &[&str]) -> (Vec<OutageRecord>, RunMetrics) {
    let m = model_str(text, sets);
    let options = RunOptions {
        check_invariants: true,
        outage_log_capacity: 10_000,
    };
    let mut p = Platform::new(&m.scenario, options);
    let metrics = p.run(5, 0).unwrap();
    (p.recorder().outage_log().to_vec(), metrics)
}

#[test]
fn a_drained_restart_rollout_costs_no_downtime() {
    let (log, m) = outages(DRAINED, &[]);
    assert!(log.is_empty(), "{log:?}");
    assert_eq!(m[Metric::DowntimeMinPerVmYear], 0.0);
    assert_eq!(m[Metric::VmOutages], 0.0);
    assert_eq!(m[Metric::SupervisorCrashes], 10.0);
    // Every head is drained before its restart: head 0's 7 VMs spread over heads 1
    // to 7 (the roomiest first, the lowest-numbered on a tie), and each later head
    // holds 7 or 8 VMs when it is reached and empties them all into the head
    // restarted an hour before, now the roomiest.
    assert_eq!(m[Metric::Migrations], 7.0 + 7.0 * 8.0 + 2.0 * 7.0);
    assert_eq!(m[Metric::MigrationPauseS], 0.0);
    // The same over replications (nothing here is random but the streams).
    for r in metrics(SEED, DRAINED, &[], 5) {
        assert_eq!(r[Metric::DowntimeMinPerVmYear], 0.0);
        assert_eq!(r[Metric::Migrations], 77.0);
    }
}

#[test]
fn pauses_of_a_rollout_drain_count_as_the_restart_s_cause() {
    // A 300 ms pause per migration, counted under `crash_fault` like the restart the
    // drain avoids: 77 pauses, nothing else down.
    let (log, m) = outages(DRAINED, &["migration.pause=300ms"]);
    assert_eq!(log.len(), 77);
    for o in &log {
        assert_eq!(o.cause, OutageCause::CrashFault);
        assert_eq!(o.end_us, Some(o.start_us + 300_000), "{o:?}");
    }
    assert_eq!(m[Metric::MigrationPauseS], 23.1);
    assert_eq!(
        m[Metric::DowntimeMinPerVmYear],
        m[Metric::DowntimeCrashFaultMinPerVmYear]
    );
}

#[test]
fn without_the_drain_every_vm_dies_once_for_its_restart_and_boot() {
    let (log, m) = outages(DRAINED, &["changes[0].drain=None"]);
    // Head i's 7 VMs die as its supervisor restarts at 1 h + i h; each is reported
    // when the supervisor runs again 5 s later and booted at once (8 boots may run,
    // 7 wait), taking 45 s with no contention: 50 s down, every VM once.
    assert_eq!(log.len(), 70);
    let mut vms: Vec<u32> = log.iter().map(|o| o.vm).collect();
    vms.sort_unstable();
    assert_eq!(vms, (0..70).collect::<Vec<_>>());
    for o in &log {
        assert_eq!(o.cause, OutageCause::CrashFault);
        assert_eq!(o.start_us, H + o.head as u64 * H, "{o:?}");
        assert_eq!(o.end_us, Some(o.start_us + 50 * S), "{o:?}");
    }
    assert_eq!(m[Metric::Migrations], 0.0);
    assert_eq!(m[Metric::VmOutages], 70.0);
    // 70 × 50 s over 70 VM-days: 50 s a VM-day, in minutes per VM-year.
    let closed_form = 50.0 / 60.0 * 365.0;
    let d = m[Metric::DowntimeMinPerVmYear];
    assert!((d - closed_form).abs() < 1e-9, "{d} vs {closed_form}");
}

#[test]
fn a_drain_with_no_room_is_no_drain() {
    // No spare slot: no VM can move, so every head restarts at its step as without
    // a drain, with exactly the same events (the loader warns of it).
    let full = ["site.vm_slots_per_head=7"];
    let m = model_str(DRAINED, &full);
    let w = validate::warnings(&m.scenario);
    assert!(
        w.iter()
            .any(|e| e.path.as_deref() == Some("changes[0].drain")
                && e.message.contains("without spare slots")),
        "{w:?}"
    );
    let none = metrics(
        SEED,
        DRAINED,
        &["site.vm_slots_per_head=7", "changes[0].drain=None"],
        3,
    );
    assert!(none.iter().all(|r| r[Metric::VmOutages] == 70.0));
    assert_identical(
        &metrics(SEED, DRAINED, &full, 3),
        &none,
        "full slots vs no drain",
    );
}

#[test]
fn a_head_out_of_control_restarts_at_once() {
    // Every link down from 30 min for 12 h: no head is controllable when the rollout
    // reaches it (up to 10 h), so none is drained and each restarts at its step.
    let text = DRAINED.replace(
        "    changes:",
        "    faults: [Partition(at: \"30m\", duration: Fixed(\"12h\"), scope: All)],\n    changes:",
    );
    let (log, m) = outages(&text, &[]);
    assert_eq!(m[Metric::Migrations], 0.0);
    assert_eq!(log.len(), 70);
    for o in &log {
        assert_eq!(o.start_us, H + o.head as u64 * H, "{o:?}");
    }
}

#[test]
fn drains_that_outlast_the_time_between_steps_delay_restarts_not_steps() {
    // Steps 36 s apart (6 min over 10 heads) while a copy takes 16 s (4 GiB at
    // 0.25 GiB/s), one at a time: head 0's 7 VMs take 112 s, to heads 1 to 7 in turn
    // (the roomiest idle head, the lowest-numbered on a tie; head 1 is draining by
    // the fourth copy), so heads 1 to 3 are reached while it drains. The steps keep
    // their times; head 0 restarts when its last copy ends, 1 h + 112 s, running
    // again 5 s later; every restart follows its own step, in step order since the
    // drains share the one slot, and the last comes well after the last step.
    let sets = [
        "changes[0].over=6m",
        "migration.concurrency=1",
        "migration.bandwidth_gib_per_s=0.25",
    ];
    let m = model_str(DRAINED, &sets);
    let options = RunOptions {
        check_invariants: true,
        outage_log_capacity: 0,
    };
    let mut p = Platform::new(&m.scenario, options);
    let (mut steps, mut restarts) = (Vec::new(), Vec::new());
    let metrics = p
        .run_observed(5, 0, |t, e| match *e {
            Event::Change(ChangeEvent::ChangeReached { step, .. }) => steps.push((step, t)),
            Event::Supervisor(SupervisorEvent::SupervisorRestarted { head, .. }) => {
                restarts.push((head, t))
            }
            _ => {}
        })
        .unwrap();
    let step_at = |i: u32| step_time(H, 360 * S, 10, i);
    assert_eq!(steps, (0..10).map(|i| (i, step_at(i))).collect::<Vec<_>>());
    assert_eq!(restarts.len(), 10, "{restarts:?}");
    assert_eq!(restarts[0], (0, H + 117 * S));
    for (k, &(head, t)) in restarts.iter().enumerate() {
        assert_eq!(head, k as u32, "{restarts:?}");
        assert!(t >= step_at(head) + 5 * S, "head {head} at {t}");
    }
    assert!(restarts[9].1 > step_at(9) + 10 * 16 * S, "{restarts:?}");
    assert_eq!(metrics[Metric::SupervisorCrashes], 10.0);
    assert!(metrics[Metric::Migrations] >= 7.0);
}

#[test]
fn leaving_the_drain_out_is_drain_none() {
    let york = std::fs::read_to_string(root().join("models/york-2016-2017.ron")).unwrap();
    let restart = york.replace("restart_supervisor: false,", "restart_supervisor: true,");
    assert_ne!(restart, york);
    let explicit = york.replace(
        "restart_supervisor: false,",
        "restart_supervisor: true, drain: None,",
    );
    let a = model_str(&restart, &[]);
    let b = model_str(&explicit, &[]);
    assert_eq!(a.scenario, b.scenario);
    assert_eq!(b.scenario.changes[1].drain, RolloutDrain::None);
    assert_identical(
        &metrics(SEED, &restart, &[], 4),
        &metrics(SEED, &explicit, &[], 4),
        "restart vs explicit drain None",
    );
}

#[test]
fn an_at_change_that_restarts_supervisors_kills_every_coupled_vm_at_its_time() {
    let text = DRAINED.replace(
        r#"changes: [Rollout(at: "1h", over: "10h", set: ["supervisor.crash_on_reset=0.0"], order: Sequential, restart_supervisor: true, drain: LiveMigrate)],"#,
        r#"changes: [At(at: "90m", set: [], restart_supervisor: true)],"#,
    );
    assert_ne!(text, DRAINED);
    let (log, m) = outages(&text, &[]);
    assert_eq!(log.len(), 70);
    assert!(log.iter().all(|o| o.start_us == 90 * 60 * S));
    assert!(log.iter().all(|o| o.cause == OutageCause::CrashFault));
    assert_eq!(m[Metric::SupervisorCrashes], 10.0);
    assert_eq!(m[Metric::Migrations], 0.0);
    // Decoupled, the VMs outlive the restarts.
    let (log, m) = outages(&text, &["design.coupling=Decoupled"]);
    assert!(log.is_empty());
    assert_eq!(m[Metric::SupervisorCrashes], 10.0);
    // Without a restart, nothing happens.
    let (log, _) = outages(&text, &["changes[0].restart_supervisor=false"]);
    assert!(log.is_empty());
}

#[test]
fn a_drain_in_the_decoupled_design_is_warned_about() {
    let drain_warnings = |sets: &[&str]| -> Vec<String> {
        validate::warnings(&model_str(DRAINED, sets).scenario)
            .into_iter()
            .filter(|e| e.path.as_deref() == Some("changes[0].drain"))
            .map(|e| e.message)
            .collect()
    };
    assert!(drain_warnings(&[]).is_empty());
    let w = drain_warnings(&["design.coupling=Decoupled"]);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("saves nothing"), "{}", w[0]);
}

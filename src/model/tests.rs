//! Unit tests of the model as a whole: the invariant checker catches every kind of
//! bookkeeping slip.

use super::invariants;
use super::{Placement, Platform, RunOptions, SupState, VmState, World};
use crate::engine::{self, EngineError, Limits, Micros};

/// 3 heads × 4 VMs, the York partition at 1 h for 4 min, two boot slots, stopped
/// mid-recovery: the partition heals at 1 h 4 min, links come back within two more
/// minutes and each boot takes 45 s, so at 1 h 8 min some VMs still wait or boot.
const SMALL: &str = r#"(
    name: "small",
    horizon: "1h8m",
    site: (heads: 3, vms_per_head: 4),
    link: (reconnect: (initial: "1s", multiplier: 1.6, max: "120s", jitter: 0.2)),
    supervisor: (restart: Fixed("5s"), crash_on_long_reset: 1.0, long_reset_after: "30s"),
    brain: (reboot_concurrency: 2, boot_time: Fixed("45s")),
    faults: [Partition(at: "1h", duration: Fixed("4m"), scope: All)],
)"#;

/// The world at the horizon of [`SMALL`], checked after every event on the way.
fn mid_recovery() -> (Platform, Micros) {
    let sc = crate::scenario::load_str("small.ron", SMALL, &[])
        .unwrap()
        .scenario;
    let mut p = Platform::new(
        &sc,
        RunOptions {
            check_invariants: true,
            outage_log_capacity: 0,
        },
    );
    p.run(1, 0).unwrap();
    let horizon = sc.horizon_us;
    let w = &p.world;
    let count = |s| w.vms.vm.iter().filter(|v| v.state == s).count();
    // The cases below need a VM in each of these states.
    assert!(count(VmState::Running) > 0, "no VM running");
    assert!(count(VmState::Queued) > 0, "no VM queued");
    assert!(count(VmState::Booting) > 0, "no VM booting");
    assert_eq!(invariants::check(w, horizon), Ok(()));
    (p, horizon)
}

/// The first VM in state `s`, and its head.
fn first(w: &World, s: VmState) -> (u32, u32) {
    let vm = w.vms.vm.iter().position(|v| v.state == s).unwrap() as u32;
    (vm, w.placement.head_of(vm))
}

#[test]
fn the_checker_reports_every_kind_of_corruption() {
    // Each case breaks one piece of state of a healthy mid-recovery world, and the
    // checker must name that slip: one case per family of invariants.
    type Corrupt = fn(&mut World, Micros);
    let cases: &[(&str, Corrupt, &str)] = &[
        (
            "placement",
            |w, _| {
                let (vm, h) = first(w, VmState::Running);
                w.placement.set_head_of_unchecked(vm, (h + 1) % 3);
            },
            "placed elsewhere",
        ),
        (
            "the placement table's size",
            |w, _| w.placement = Placement::packed(2, 4, 4),
            "sized for another site",
        ),
        (
            "a head's VM count above its slots",
            |w, _| w.placement.set_count_unchecked(0, 5),
            "has 4 slots",
        ),
        (
            "a VM with no slot",
            |w, _| w.placement.set_count_unchecked(2, 3),
            "no slot on any head",
        ),
        (
            "a VM with two slots",
            |w, _| {
                let vm = w.placement.vms_on(1)[1];
                w.placement.set_slot_unchecked(1, 0, vm);
            },
            "has two slots",
        ),
        (
            "a VM's state",
            |w, _| {
                let (vm, _) = first(w, VmState::Queued);
                w.vms.vm[vm as usize].state = VmState::Dead;
            },
            "counted unreported",
        ),
        (
            "a VM down in the future",
            |w, now| {
                let (vm, _) = first(w, VmState::Queued);
                w.rec.set_down_since_us(vm, now + 1);
            },
            "went down in the future",
        ),
        (
            "a head's booting count",
            |w, _| {
                let (_, h) = first(w, VmState::Booting);
                w.vms.heads[h as usize].booting += 1;
            },
            "VMs booting but",
        ),
        (
            "a head's killable count",
            |w, _| {
                let (_, h) = first(w, VmState::Running);
                w.vms.heads[h as usize].killable -= 1;
            },
            "counted killable",
        ),
        (
            "the per-head boot limit",
            |w, _| w.sc.brain.per_head_concurrency = Some(0),
            "exceed the per-head limit",
        ),
        (
            "boots in flight",
            |w, _| w.brain.in_flight += 1,
            "site-wide but",
        ),
        (
            "the global boot limit",
            |w, _| w.sc.brain.reboot_concurrency = w.brain.in_flight - 1,
            "exceed the limit",
        ),
        (
            "the queue length",
            |w, _| {
                let (vm, h) = first(w, VmState::Running);
                w.brain.queue.push(vm, h, 0);
            },
            "queue holds",
        ),
        (
            "a controllable head with unreported dead VMs",
            |w, _| {
                let (vm, h) = first(w, VmState::Running);
                assert!(w.controllable(h));
                w.vms.vm[vm as usize].state = VmState::Dead;
                w.vms.heads[h as usize].dead_unreported += 1;
            },
            "controllable but has",
        ),
        (
            "a link's causes",
            |w, _| {
                let h = w.links.heads.iter().position(|l| l.up).unwrap();
                w.links.heads[h].causes += 1;
            },
            "link up with",
        ),
        (
            "a head's hardware and supervisor",
            |w, _| {
                let h = w
                    .sups
                    .heads
                    .iter()
                    .position(|s| s.state == SupState::Running);
                w.hw.heads[h.unwrap()].up = false;
            },
            "disagrees with the hardware",
        ),
        (
            "the recorder's VMs down",
            |w, now| {
                let (vm, _) = first(w, VmState::Running);
                w.rec.vm_down(now, vm);
            },
            "recorded down",
        ),
        (
            "the recorder's heads out of control",
            |w, now| w.rec.control_changed(now, 1),
            "heads out of control",
        ),
        ("the brain", |w, _| w.brain.up = false, "brain fails over"),
    ];
    for (what, corrupt, expected) in cases {
        let (mut p, now) = mid_recovery();
        corrupt(&mut p.world, now);
        match invariants::check(&p.world, now) {
            Ok(()) => panic!("corrupting {what} went unnoticed"),
            Err(e) => assert!(
                e.contains(expected),
                "corrupting {what}: expected \"{expected}\", got \"{e}\""
            ),
        }
    }
}

#[test]
fn a_run_with_checks_fails_at_the_first_broken_event() {
    // One head's supervisors crash at 1 h. The world is reset for replication 0 and
    // then one VM of another head is recorded down although it runs. With checks on,
    // the engine stops after the first event with the model's checker's message; with
    // checks off, the same run reaches the horizon (with a wrong downtime).
    let source = SMALL.replace(
        "Partition(at: \"1h\", duration: Fixed(\"4m\"), scope: All)",
        "SupervisorCrash(at: \"1h\", scope: Heads([0]))",
    );
    let sc = crate::scenario::load_str("small.ron", &source, &[])
        .unwrap()
        .scenario;
    for check_invariants in [true, false] {
        let mut p = Platform::new(&sc, RunOptions::default());
        p.world.reset(1, 0, &mut p.sched);
        let vm = p.world.placement.vms_on(2)[0];
        p.world.rec.vm_down(0, vm);
        let limits = Limits {
            horizon_us: sc.horizon_us,
            max_events: sc.limits.max_events,
            check_invariants,
        };
        let end = engine::run(&mut p.world, &mut p.sched, limits, |_, _| {});
        if check_invariants {
            match end {
                Err(EngineError::Invariant { events, what, .. }) => {
                    assert_eq!(events, 1);
                    assert!(what.contains("recorded down"), "{what}");
                }
                other => panic!("expected an invariant error, got {other:?}"),
            }
        } else {
            let end = end.unwrap();
            assert!(end.events > 4, "{end:?}");
        }
    }
}

#[test]
fn the_platform_runs_the_checker_when_asked() {
    // The scenario is told, after the world was built for 3 heads, that the site has
    // 2: the run itself goes on (faults reach heads 0 and 1 only), and only the checker
    // notices, so `check_invariants` (the CLI's `--check`) must turn a clean run into
    // an invariant error at the first event.
    let sc = crate::scenario::load_str("small.ron", SMALL, &[])
        .unwrap()
        .scenario;
    for check_invariants in [true, false] {
        let options = RunOptions {
            check_invariants,
            outage_log_capacity: 0,
        };
        let mut p = Platform::new(&sc, options);
        p.world.sc.site.heads = 2;
        let result = p.run(1, 0);
        if check_invariants {
            match result {
                Err(EngineError::Invariant { events, what, .. }) => {
                    assert_eq!(events, 1);
                    assert!(what.contains("sized for another site"), "{what}");
                }
                other => panic!("expected an invariant error, got {other:?}"),
            }
        } else {
            assert!(result.is_ok(), "{result:?}");
        }
    }
}

#[test]
fn a_replication_on_a_used_platform_equals_one_on_a_new_platform() {
    // Replication 0 of SMALL ends mid-recovery with VMs queued and booting. A platform
    // that ran it must reset every VM before replication 1: its metrics and worst
    // incident then equal those of a new platform running replication 1 first (the
    // first replication of a new platform skips the per-VM rewrite).
    let sc = crate::scenario::load_str("small.ron", SMALL, &[])
        .unwrap()
        .scenario;
    let options = RunOptions {
        check_invariants: true,
        outage_log_capacity: 64,
    };
    let mut used = Platform::new(&sc, options);
    used.run(1, 0).unwrap();
    let again = used.run(1, 1).unwrap();
    let mut new = Platform::new(&sc, options);
    let first = new.run(1, 1).unwrap();
    assert_eq!(again, first);
    assert_eq!(
        used.recorder().worst_incident(),
        new.recorder().worst_incident()
    );
    assert_eq!(used.recorder().outage_log(), new.recorder().outage_log());
}

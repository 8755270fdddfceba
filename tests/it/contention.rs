//! Boot contention split into the head's and the site's: oracles worked by hand on the
//! quiet site (every supervisor crashes at 1 h, restart 5 s, fixed 45 s boots), with
//! the invariant checker on after every event.

use bigvsim::experiment::{Plan, run_batch};
use bigvsim::metrics::Metric;

use super::common::{QUIET, model_str};

/// (full recovery, half recovery) in seconds after the crash, the same in every
/// replication (nothing random is left).
fn recovery(sets: &[&str]) -> (f64, f64) {
    let m = model_str(QUIET, sets);
    let plan = Plan {
        check_invariants: true,
        keep_outages: true,
        ..Plan::new(11, 2)
    };
    let batch = run_batch(&m.scenario, &plan, &|_, _| {}).unwrap();
    let first = &batch.replications[0].metrics;
    for r in &batch.replications {
        assert_eq!(
            r.metrics[Metric::FullRecoveryS],
            first[Metric::FullRecoveryS]
        );
    }
    (first[Metric::FullRecoveryS], first[Metric::Recover50S])
}

#[test]
fn boots_on_one_head_slow_each_other_by_the_head_factor() {
    // One head × 4 VMs, 4 slots, per-head slowdown 0.5: the four boots start together
    // beside 0, 1, 2 and 3 others on the head and take 45·(1 + 0.5·h) s = 45, 67.5,
    // 90 and 112.5 s: the last is up 5 + 112.5 s after the crash, the second (half
    // the VMs) 5 + 67.5 s.
    let one_head = [
        "site=(heads: 1, vms_per_head: 4)",
        "brain.reboot_concurrency=4",
    ];
    let head = [&one_head[..], &["brain.boot_slowdown_per_boot_on_head=0.5"]].concat();
    assert_eq!(recovery(&head), (117.5, 72.5));
    // Site-wide contention counts the same boots there: the same figures.
    let site = [&one_head[..], &["brain.boot_slowdown_per_boot_on_site=0.5"]].concat();
    assert_eq!(recovery(&site), (117.5, 72.5));
    // Both at once add up: 45·(1 + 0.5·3 + 0.25·3) = 146.25 s for the last.
    let both = [
        &one_head[..],
        &[
            "brain.boot_slowdown_per_boot_on_head=0.5",
            "brain.boot_slowdown_per_boot_on_site=0.25",
        ],
    ]
    .concat();
    assert_eq!(recovery(&both).0, 5.0 + 146.25);
}

#[test]
fn boots_on_other_heads_do_not_slow_a_boot_by_the_head_factor() {
    // Four heads × 1 VM, 4 slots: per-head contention is never felt, so every boot
    // takes 45 s (5 + 45 = 50 s); site-wide contention slows them as one head's.
    let four_heads = [
        "site=(heads: 4, vms_per_head: 1)",
        "brain.reboot_concurrency=4",
    ];
    let head = [
        &four_heads[..],
        &["brain.boot_slowdown_per_boot_on_head=0.5"],
    ]
    .concat();
    assert_eq!(recovery(&head), (50.0, 50.0));
    let site = [
        &four_heads[..],
        &["brain.boot_slowdown_per_boot_on_site=0.5"],
    ]
    .concat();
    assert_eq!(recovery(&site), (117.5, 72.5));
}

#[test]
fn a_per_head_limit_of_one_removes_head_contention_from_the_makespan() {
    // H = 4 heads × V = 5 VMs, c = 4 slots, per-head slowdown 1, no site contention.
    // With at most one boot per head every boot runs alone on its head and takes the
    // unloaded 45 s; FIFO then starts one VM of each head (the others are parked), so
    // the site boots in V waves of H: the last VM is up r + V·b = 5 + 5·45 = 230 s
    // after the crash, half (10 VMs) after 3 waves, 5 + 135 = 140 s.
    let site = [
        "site=(heads: 4, vms_per_head: 5)",
        "brain.reboot_concurrency=4",
        "brain.boot_slowdown_per_boot_on_head=1",
    ];
    let limited = [&site[..], &["brain.per_head_concurrency=1"]].concat();
    assert_eq!(recovery(&limited), (230.0, 140.0));
    // Without the limit FIFO puts the 4 slots on head 0 (45, 90, 135, 180 s): slower.
    assert!(recovery(&site).0 > 230.0, "{:?}", recovery(&site));
    // The quiet site's FIFO case with one boot per head (635 s, worked out in the
    // oracles) is not moved by per-head contention either.
    assert_eq!(
        recovery(&[
            "brain.per_head_concurrency=1",
            "brain.boot_slowdown_per_boot_on_head=2"
        ]),
        (635.0, 230.0)
    );
}

//! Racks: heads assigned to racks contiguously, rack-scoped faults and random
//! rack-switch failures, checked against counts worked out by hand with the invariant
//! checker on after every event.

use bigvsim::metrics::{Metric, OutageCause};
use bigvsim::model::{Platform, RunOptions};
use bigvsim::scenario::Site;

use super::common::{bigvsim, model_str};

/// 10 heads × 3 VMs in 3 racks: head h is in rack ⌊3h/10⌋, so rack 0 holds heads
/// 0-3, rack 1 heads 4-6 and rack 2 heads 7-9. The bug crashes a supervisor once its
/// link has been down 30 s; nothing else happens but the faults the test adds.
const RACKED: &str = r#"(
    name: "racked",
    horizon: "1d",
    site: (heads: 10, vms_per_head: 3, racks: 3),
    link: (reconnect: (initial: "1s", multiplier: 1.6, max: "10s", jitter: 0.0)),
    supervisor: (restart: Fixed("5s"), crash_on_long_reset: 1.0, long_reset_after: "30s"),
    brain: (reboot_concurrency: 8, boot_time: Fixed("45s")),
)"#;

/// One replication of `RACKED` with `sets`: its link resets, VM reboots and the heads
/// whose VMs went down.
fn run(sets: &[&str]) -> (f64, f64, Vec<u32>) {
    let m = model_str(RACKED, sets);
    let options = RunOptions {
        check_invariants: true,
        outage_log_capacity: 1000,
    };
    let mut platform = Platform::new(&m.scenario, options);
    let metrics = platform.run(5, 0).unwrap();
    let mut heads: Vec<u32> = platform
        .recorder()
        .outage_log()
        .iter()
        .inspect(|o| assert_eq!(o.cause, OutageCause::Bug))
        .map(|o| o.head)
        .collect();
    heads.sort_unstable();
    heads.dedup();
    (
        metrics[Metric::LinkResets],
        metrics[Metric::VmReboots],
        heads,
    )
}

#[test]
fn heads_fill_racks_in_order() {
    // ⌊h·racks/heads⌋ for 10 heads in 3 racks: 0 0 0 0 1 1 1 2 2 2, and the ranges
    // agree with it; 50 heads in 5 racks are 5 blocks of 10.
    let site = Site {
        heads: 10,
        vms_per_head: 3,
        racks: 3,
    };
    let racks: Vec<u32> = (0..10).map(|h| site.rack_of(h)).collect();
    assert_eq!(racks, [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert_eq!(
        (0..3).map(|r| site.rack_heads(r)).collect::<Vec<_>>(),
        [0..4, 4..7, 7..10]
    );
    let york = Site {
        heads: 50,
        vms_per_head: 40,
        racks: 5,
    };
    assert_eq!(york.rack_heads(3), 30..40);
    assert_eq!(york.rack_of(39), 3);
}

#[test]
fn a_rack_partition_drops_exactly_its_heads_links() {
    // A 4-minute partition of rack 1 resets its 3 heads' links, once each, and the
    // bug then kills their 9 VMs in the Coupled design and none in the Decoupled one.
    let fault = r#"faults=[Partition(at: "1h", duration: Fixed("4m"), scope: Racks([1]))]"#;
    assert_eq!(run(&[fault]), (3.0, 9.0, vec![4, 5, 6]));
    assert_eq!(
        run(&[fault, "design.coupling=Decoupled"]),
        (3.0, 0.0, vec![])
    );
    // Racks 0 and 2: 4 + 3 heads, 21 VMs.
    let two = r#"faults=[Partition(at: "1h", duration: Fixed("4m"), scope: Racks([0, 2]))]"#;
    assert_eq!(run(&[two]), (7.0, 21.0, vec![0, 1, 2, 3, 7, 8, 9]));
}

#[test]
fn a_rack_fraction_takes_whole_racks() {
    // RackFraction(0.3) of 3 racks is round(0.9) = 1 rack, drawn: the heads hit are
    // exactly one rack's, whichever it is.
    let fault = r#"faults=[Partition(at: "1h", duration: Fixed("4m"), scope: RackFraction(0.3))]"#;
    let (resets, reboots, heads) = run(&[fault]);
    let racks = [vec![0, 1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]];
    assert!(racks.contains(&heads), "{heads:?}");
    assert_eq!(resets, heads.len() as f64);
    assert_eq!(reboots, 3.0 * heads.len() as f64);
}

#[test]
fn a_switch_failure_cuts_one_rack() {
    // Switches failing about once a day each, repaired after 4 minutes, over one day:
    // every reset comes from a switch, so each VM outage is on a head of a failed rack,
    // and the resets are whole racks' worth (4 or 3 heads a failure). With no failure
    // rate nothing happens at all.
    let sets = [
        "racks.switch_failures_per_year=365",
        r#"racks.switch_repair=Fixed("4m")"#,
    ];
    let (resets, reboots, heads) = run(&sets);
    assert!(resets > 0.0, "no switch failed in a day");
    assert_eq!(reboots, 3.0 * heads.len() as f64);
    let site = Site {
        heads: 10,
        vms_per_head: 3,
        racks: 3,
    };
    for r in 0..3 {
        let hit = heads.iter().filter(|&&h| site.rack_of(h) == r).count();
        assert!(hit == 0 || hit == site.rack_heads(r).len(), "{heads:?}");
    }
    assert_eq!(run(&[]), (0.0, 0.0, vec![]));
}

#[test]
fn explain_tells_a_switch_failure_by_its_rack() {
    // Proves the incident timeline names a rack-switch failure and its repair, with
    // the heads it cuts (York's 50 heads in 5 racks: 10 a rack), when switch failures
    // are the only faults.
    let out = bigvsim(&[
        "explain",
        "models/york-2017.ron",
        "--set",
        "site.racks=5",
        "--set",
        "racks.switch_failures_per_year=3",
        "--set",
        "racks.switch_repair=20m",
        "--set",
        "faults=[]",
        "--set",
        "horizon=365d",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("'s switch fails, cutting 10 heads"), "{text}");
    assert!(text.contains("'s switch is repaired"), "{text}");
    assert!(text.contains("400 VMs die"), "{text}");
}

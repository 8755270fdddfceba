//! Changes over time: a rollout over no time at all is the patched model, a
//! sequential rollout reaches head i when it says, a random one reaches every head
//! once, and a lowered background crash rate is thinned to the right mean.

use bigvsim::metrics::{Metric, OutageCause, RunMetrics};
use bigvsim::model::{ChangeEvent, Event, Platform, RunOptions};
use bigvsim::scenario::step_time;

use super::common::{QUIET, metrics, model_str, root};

/// The first seed of the replications this file runs.
const SEED: u64 = 7;

/// `text` with `changes` inserted before its `faults:` list.
fn with_changes(text: &str, changes: &str) -> String {
    let at = text
        .find("    faults:")
        .expect("the model has a faults list");
    format!("{}    changes: [{changes}],\n{}", &text[..at], &text[at..])
}

/// Every metric of `a` and `b` equal bit for bit, except the event count, which the
/// change's own events raise by exactly `extra_events`.
fn assert_same(a: &[RunMetrics], b: &[RunMetrics], extra_events: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        for &m in Metric::ALL {
            let (u, v) = (x[m], y[m]);
            if m == Metric::Events {
                assert_eq!(u, v + extra_events, "replication {i}: events");
            } else {
                assert_eq!(
                    u.to_bits(),
                    v.to_bits(),
                    "replication {i}: {m:?} {u} vs {v}"
                );
            }
        }
        assert_eq!(x.censored, y.censored, "replication {i}: censoring");
    }
}

fn york(name: &str) -> String {
    std::fs::read_to_string(root().join("models").join(name)).unwrap()
}

#[test]
fn a_rollout_over_no_time_at_the_start_is_the_patched_model() {
    let patch = r#""supervisor.crash_on_reset=0.0", "supervisor.crash_on_long_reset=0.0""#;
    let patched = metrics(SEED, &york("york-2017-patched.ron"), &[], 20);
    // The bug on a reset made frequent, so that a patch missing either probability
    // shows; the unpatched model loses its VMs both ways.
    let bug = ["supervisor.crash_on_reset=0.3"];
    let unpatched = metrics(SEED, &york("york-2017.ron"), &bug, 20);
    assert!(
        unpatched
            .iter()
            .all(|m| m[Metric::WorstIncidentVms] == 2000.0)
    );
    assert!(
        unpatched
            .iter()
            .all(|m| m[Metric::SupervisorCrashes] > 60.0)
    );
    for order in ["Sequential", "Random"] {
        let text = with_changes(
            &york("york-2017.ron"),
            &format!("Rollout(at: \"0s\", over: \"0s\", set: [{patch}], order: {order})"),
        );
        // One event per head.
        assert_same(&metrics(SEED, &text, &bug, 20), &patched, 50.0);
    }
    let at = with_changes(
        &york("york-2017.ron"),
        &format!("At(at: \"0s\", set: [{patch}])"),
    );
    assert_same(&metrics(SEED, &at, &bug, 20), &patched, 1.0);
}

#[test]
fn raising_the_background_rate_at_the_start_is_the_model_with_that_rate() {
    // Proposals are made at the highest rate and kept without a coin where a head's
    // rate is that rate: the streams are those of the model with the raised rate.
    let base = "supervisor: (restart: Fixed(\"5s\"), crashes_per_year: 20.0)";
    let quiet = QUIET.replace("supervisor: (restart: Fixed(\"5s\"))", base);
    let raised = metrics(
        SEED,
        &quiet,
        &["supervisor.crashes_per_year=50", "horizon=1y"],
        10,
    );
    let text = with_changes(
        &quiet,
        r#"At(at: "0s", set: ["supervisor.crashes_per_year=50"])"#,
    );
    assert!(raised.iter().all(|m| m[Metric::SupervisorCrashes] > 300.0));
    assert_same(&metrics(SEED, &text, &["horizon=1y"], 10), &raised, 1.0);
}

#[test]
fn a_lowered_background_rate_is_thinned_to_its_mean() {
    // 10 heads at 100 crashes a year, lowered to 25 at the start: over 40 years of
    // head-time, 1 000 crashes are expected (std 32) besides the one crash fault.
    let base = "supervisor: (restart: Fixed(\"5s\"), crashes_per_year: 100.0)";
    let quiet = QUIET.replace("supervisor: (restart: Fixed(\"5s\"))", base);
    let text = with_changes(
        &quiet,
        r#"At(at: "0s", set: ["supervisor.crashes_per_year=25"])"#,
    );
    let runs = metrics(SEED, &text, &["horizon=4y"], 1);
    let crashes = runs[0][Metric::SupervisorCrashes] - 10.0;
    assert!(
        (crashes - 1_000.0).abs() < 130.0,
        "{crashes} background crashes"
    );
}

/// QUIET without its fault, Coupled, and a sequential rollout from 1 h over 10 h that
/// restarts every supervisor: head i restarts at 1 h + i h and only its VMs die then.
/// What one replication of [`restarted`] shows: the change's steps with their times,
/// each VM outage's head and start, and the metrics.
type Restarts = (Vec<(u64, ChangeEvent)>, Vec<(u32, u64)>, RunMetrics);

fn restarted(order: &str) -> Restarts {
    let text = QUIET.replace(
        r#"faults: [SupervisorCrash(at: "1h", scope: All)],"#,
        &format!(
            r#"changes: [Rollout(at: "1h", over: "10h", set: ["supervisor.crash_on_reset=0.5"], order: {order}, restart_supervisor: true)],"#
        ),
    );
    let m = model_str(&text, &["link.flaps_per_year=0"]);
    let options = RunOptions {
        check_invariants: true,
        outage_log_capacity: 1000,
    };
    let mut p = Platform::new(&m.scenario, options);
    let mut steps = Vec::new();
    let metrics = p
        .run_observed(3, 0, |t, e| {
            if let Event::Change(c) = e {
                steps.push((t, *c));
            }
        })
        .unwrap();
    let outages = p
        .recorder()
        .outage_log()
        .iter()
        .map(|o| {
            assert_eq!(o.cause, OutageCause::CrashFault);
            (o.head, o.start_us)
        })
        .collect();
    (steps, outages, metrics)
}

#[test]
fn a_sequential_rollout_reaches_head_i_at_its_time() {
    const H: u64 = 3_600_000_000;
    let (steps, outages, m) = restarted("Sequential");
    assert_eq!(steps.len(), 10);
    for (i, &(t, ChangeEvent::ChangeReached { change, step })) in steps.iter().enumerate() {
        assert_eq!((change, step), (0, i as u32));
        assert_eq!(t, H + i as u64 * H);
        assert_eq!(t, step_time(H, 10 * H, 10, i as u32));
    }
    // Head i's 7 VMs die as its supervisor restarts, and no other VM does.
    assert_eq!(outages.len(), 70);
    for (head, start) in outages {
        assert_eq!(start, H + head as u64 * H, "head {head}");
    }
    assert_eq!(m[Metric::SupervisorCrashes], 10.0);
}

#[test]
fn a_random_rollout_reaches_every_head_once_at_the_same_times() {
    const H: u64 = 3_600_000_000;
    let (steps, outages, _) = restarted("Random");
    let times: Vec<u64> = steps.iter().map(|s| s.0).collect();
    assert_eq!(times, (0..10).map(|i| H + i * H).collect::<Vec<_>>());
    let mut heads: Vec<u32> = outages.iter().map(|o| o.0).collect();
    heads.dedup();
    // Every head once, and not in the sequential order (for this seed).
    assert_ne!(heads, (0..10).collect::<Vec<_>>());
    heads.sort_unstable();
    assert_eq!(heads, (0..10).collect::<Vec<_>>());
    for (head, start) in &outages {
        assert_eq!(start % H, 0, "head {head} restarted between steps");
    }
}

#[test]
fn set_reaches_a_change_s_parameters_and_names_what_it_lacks() {
    let text = with_changes(
        QUIET,
        r#"At(at: "1h", set: []), Rollout(at: "1h", over: "2h", set: [])"#,
    );
    let m = model_str(
        &text,
        &[
            "changes[1].over=5h",
            "changes[1].at=30m",
            "changes[1].order=Random",
        ],
    );
    let c = &m.scenario.changes[1];
    assert_eq!((c.at_us, c.over_us), (1_800_000_000, 18_000_000_000));
    assert_eq!(c.order, Some(bigvsim::scenario::RolloutOrder::Random));
    let sets = ["changes[0].over=5h".to_string()];
    let e = bigvsim::scenario::load_str("t.ron", &text, &sets).unwrap_err();
    assert!(
        e.to_string()
            .contains("changes[0] is an `At`, which has no parameter `over`"),
        "{e}"
    );
}

#[test]
fn the_work_bound_counts_the_bug_a_change_raises() {
    // Routine resets on 10 heads of 100 000 VMs: harmless without the bug, a runaway
    // once a change makes every reset crash the supervisor.
    let quiet = r#"(name: "t", horizon: "1y", site: (heads: 10, vms_per_head: 100000),
        link: (flaps_per_year: 1e7), supervisor: (crash_on_reset: 0.0), changes: [])"#;
    assert!(bigvsim::scenario::load_str("t.ron", quiet, &[]).is_ok());
    let raised = quiet.replace(
        "changes: []",
        r#"changes: [At(at: "1h", set: ["supervisor.crash_on_reset=1.0"])]"#,
    );
    let e = bigvsim::scenario::load_str("t.ron", &raised, &[]).unwrap_err();
    assert!(e.to_string().contains("would run for hours"), "{e}");
}

#[test]
fn a_rollout_cut_by_the_horizon_is_warned_about() {
    // From 1 h over 40 h on 10 heads: head k at 1 h + 4k h, so heads 0 to 5 (up to
    // 21 h) fall before the 1-day horizon and heads 6 to 9 never take the change.
    let text = QUIET.replace(
        r#"faults: [SupervisorCrash(at: "1h", scope: All)],"#,
        r#"changes: [Rollout(at: "1h", over: "40h", set: ["supervisor.crash_on_reset=0.0"])],"#,
    );
    let w = bigvsim::scenario::validate::warnings(&model_str(&text, &[]).scenario);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].message.contains("reaches 6 of 10 heads"),
        "{}",
        w[0].message
    );
    let within = model_str(&text, &["changes[0].over=20h"]);
    assert!(bigvsim::scenario::validate::warnings(&within.scenario).is_empty());
}

//! Every model shipped in `models/` validates and runs, with every invariant checked
//! after every event.

use bigvsim::experiment::{Plan, run_batch};
use bigvsim::metrics::Metric;

use super::common::{model, shipped_models};

#[test]
fn every_model_validates_and_runs_with_invariants_checked() {
    // One replication of each model, with the invariant checker after every event
    // (skipped for sites over 20 000 VMs, which run unchecked to keep this fast).
    let names: Vec<String> = shipped_models()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        let m = model(&name);
        let check = m.scenario.site.vms() <= 20_000;
        let plan = Plan {
            check_invariants: check,
            keep_outages: true,
            ..Plan::new(1, 1)
        };
        let batch =
            run_batch(&m.scenario, &plan, &|_, _| {}).unwrap_or_else(|e| panic!("{name}: {e}"));
        let a = batch.replications[0].metrics[Metric::VmAvailability];
        assert!((0.0..=1.0).contains(&a), "{name}: availability {a}");
    }
}

#[test]
fn york_2017_recovers_in_about_two_hours() {
    // The calibration target: the last VM back after about two hours (we require
    // a mean between 6 100 and 8 300 s over 100 replications).
    let m = model("york-2017.ron");
    let batch = run_batch(&m.scenario, &Plan::new(1, 100), &|_, _| {}).unwrap();
    let s = batch.summary(Metric::FullRecoveryS);
    assert!((6_100.0..=8_300.0).contains(&s.mean), "{s:?}");
    assert_eq!(batch.summary(Metric::WorstIncidentVms).min, 2_000.0);
}

#[test]
fn short_reset_costs_control_only() {
    // A 3 s reset trips nothing: availability exactly 1, control loss above 0.
    let m = model("york-2017-short-reset.ron");
    let batch = run_batch(&m.scenario, &Plan::new(1, 30), &|_, _| {}).unwrap();
    assert_eq!(batch.summary(Metric::VmAvailability).min, 1.0);
    assert!(batch.summary(Metric::ControlLossHeadS).min > 0.0);
}

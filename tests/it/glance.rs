//! Answers at a glance: every command opens with its answer in words, tables that fit
//! in 100 columns, the metrics that fit the model's kind, censoring shown wherever a
//! value was cut by the horizon, and verdicts in words people agree with.

use super::common::{model, model_str, run, shipped_models};
use bigvsim::scenario::ModelKind;

#[test]
fn every_shipped_model_has_the_kind_its_question_needs() {
    // One incident with its recovery (a day, two hours, or 30 days of one scheduled
    // failure) is an incident; months or a year of random faults is operation.
    let expected = [
        ("scale-10k-heads-no-jitter.ron", ModelKind::Incident),
        ("scale-10k-heads.ron", ModelKind::Incident),
        ("scaling-1m.ron", ModelKind::Incident),
        ("york-2016-2017-drain.ron", ModelKind::Operation),
        ("york-2016-2017.ron", ModelKind::Operation),
        ("york-2017-decoupled.ron", ModelKind::Incident),
        ("york-2017-fast-reboot.ron", ModelKind::Incident),
        ("york-2017-message-queue.ron", ModelKind::Incident),
        ("york-2017-patched-fast-reboot.ron", ModelKind::Incident),
        ("york-2017-patched.ron", ModelKind::Incident),
        ("york-2017-per-head-limit.ron", ModelKind::Incident),
        ("york-2017-short-reset.ron", ModelKind::Incident),
        ("york-2017.ron", ModelKind::Incident),
        ("york-maintenance-migrate.ron", ModelKind::Operation),
        ("york-maintenance-reboot.ron", ModelKind::Operation),
        ("york-rack-coupled.ron", ModelKind::Incident),
        ("york-rack-decoupled.ron", ModelKind::Incident),
        ("york-year-decoupled.ron", ModelKind::Operation),
        ("york-year-evacuate.ron", ModelKind::Operation),
        ("york-year-fast-reboot.ron", ModelKind::Operation),
        ("york-year-message-queue.ron", ModelKind::Operation),
        ("york-year-patched.ron", ModelKind::Operation),
        ("york-year.ron", ModelKind::Operation),
    ];
    let shipped: Vec<String> = shipped_models()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: Vec<&str> = expected.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        shipped, listed,
        "every shipped model has its expected kind here"
    );
    for (file, kind) in expected {
        let m = model(file);
        assert_eq!(m.scenario.kind, kind, "{file}");
        assert!(
            m.scenario.kind_inferred,
            "{file} says no kind: it is inferred"
        );
    }
}

#[test]
fn a_kind_given_is_kept_and_the_rule_needs_both_a_long_horizon_and_randomness() {
    let text = |horizon: &str, faults: &str| {
        format!(
            r#"(name: "k", horizon: "{horizon}", site: (heads: 2, vms_per_head: 2), faults: [{faults}])"#
        )
    };
    let random = r#"RandomPartitions(per_year: 6.0, duration: "4m", scope: All)"#;
    let scheduled = r#"Partition(at: "1h", duration: "4m", scope: All)"#;
    let kind = |h: &str, f: &str, sets: &[&str]| model_str(&text(h, f), sets).scenario;
    assert_eq!(kind("365d", random, &[]).kind, ModelKind::Operation);
    assert_eq!(kind("29d", random, &[]).kind, ModelKind::Incident);
    assert_eq!(kind("365d", scheduled, &[]).kind, ModelKind::Incident);
    // A rate of failures is randomness too.
    let heads = kind("365d", scheduled, &["head.failures_per_year=0.2"]);
    assert_eq!(heads.kind, ModelKind::Operation);
    // Given, it is not inferred: `--set kind=...` and the file agree.
    let given = kind("365d", random, &["kind=Incident"]);
    assert_eq!(
        (given.kind, given.kind_inferred),
        (ModelKind::Incident, false)
    );
    // `validate` and `-v` say which kind, and whether it was inferred.
    let v = run(&["validate", "models/york-year.ron"]);
    assert!(
        v.stdout.contains("operation model (inferred)"),
        "{}",
        v.stdout
    );
}

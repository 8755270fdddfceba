//! `fit` and `observe`: observations bigvsim makes itself at known parameters are
//! fitted back within the reported 95 % regions; a parameter the observation does
//! not depend on, and two that trade off, are reported as such; the calibrated model
//! loads; the report is written whole.

use serde_json::Value;

use super::common::{bigvsim_ok, run, scratch};

/// A small site-wide storm: 200 VMs on 10 heads all die 30 s into a 4-minute
/// partition, and reboot through a FIFO queue.
const STORM: &str = r#"(
    name: "storm",
    horizon: "1d",
    site: (heads: 10, vms_per_head: 20),
    supervisor: (restart: Fixed("5s"), crash_on_long_reset: 1.0, long_reset_after: "30s"),
    brain: (reboot_concurrency: 10, boot_time: LogNormal(mean: "45s", sigma: 0.3)),
    faults: [Partition(at: "1h", duration: Fixed("4m"), scope: All)],
)"#;

/// A scratch directory `name` holding the storm model and, simulated by `observe`
/// with `sets` under seed 99 (other seeds than the fit's), its observation. The
/// paths of both.
fn observed(name: &str, sets: &[&str]) -> (std::path::PathBuf, String, String) {
    let dir = scratch(name);
    let model = dir.join("storm.ron");
    std::fs::write(&model, STORM).unwrap();
    let model = model.to_str().unwrap().to_string();
    let mut args = vec!["observe", model.as_str(), "--seed", "99"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let csv = bigvsim_ok(&args);
    let obs = dir.join("observed.csv");
    std::fs::write(&obs, csv).unwrap();
    let obs = obs.to_str().unwrap().to_string();
    (dir, model, obs)
}

/// `bigvsim fit MODEL --observed OBS --param P... -r 10 --format json`, parsed.
fn fit_json(model: &str, obs: &str, params: &[&str], extra: &[&str]) -> Value {
    let mut args = vec![
        "fit",
        model,
        "--observed",
        obs,
        "-r",
        "10",
        "--format",
        "json",
    ];
    for p in params {
        args.extend(["--param", p]);
    }
    args.extend(extra);
    serde_json::from_slice(&bigvsim_ok(&args)).unwrap()
}

/// The fitted parameter at `path`.
fn param<'a>(doc: &'a Value, path: &str) -> &'a Value {
    doc["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in {doc}"))
}

#[test]
fn known_parameters_are_fitted_back_within_their_regions() {
    // The boot time sets the slope of the recovery and the supervisor's restart
    // delays its start, so both are identifiable from the curve. For each of three
    // truths, the observation (one replication on seeds the fit does not use) is
    // fitted back: each true value lies in its 95 % region, and each region is
    // narrower than half the range, so the check means something.
    for (mean_s, restart_s) in [(50.0, 30.0), (35.0, 90.0), (80.0, 10.0)] {
        let sets = [
            format!("brain.boot_time.mean={mean_s}s"),
            format!("supervisor.restart={restart_s}s"),
        ];
        let (_dir, model, obs) = observed(
            &format!("truth-{mean_s}"),
            &[sets[0].as_str(), sets[1].as_str()],
        );
        let doc = fit_json(
            &model,
            &obs,
            &[
                "brain.boot_time.mean=20s..120s",
                "supervisor.restart=1s..120s",
            ],
            &[],
        );
        for (path, truth) in [
            ("brain.boot_time.mean", mean_s),
            ("supervisor.restart", restart_s),
        ] {
            let p = param(&doc, path);
            let (lo, hi) = (
                p["region95"][0].as_f64().unwrap(),
                p["region95"][1].as_f64().unwrap(),
            );
            assert!(
                lo <= truth && truth <= hi,
                "{path} = {truth} s outside its region {lo}..{hi}: {}",
                doc["answer"]
            );
            assert!(p["identifiable"] == true, "{path}: {}", doc["answer"]);
            assert!(
                p["region_share"].as_f64().unwrap() < 0.5,
                "{path}: {}",
                doc["answer"]
            );
            assert_eq!(p["unit"], "s");
        }
    }
}

#[test]
fn a_parameter_the_observation_does_not_see_is_not_identifiable() {
    // The storm has no head failures, so head.repair changes nothing: its profile is
    // flat, its region the whole range. The boot time stays identifiable.
    let (_dir, model, obs) = observed("repair", &["brain.boot_time.mean=50s"]);
    let doc = fit_json(
        &model,
        &obs,
        &["brain.boot_time.mean=20s..120s", "head.repair=1h..10h"],
        &[],
    );
    let repair = param(&doc, "head.repair");
    assert_eq!(repair["identifiable"], false, "{}", doc["answer"]);
    assert!(repair["region_share"].as_f64().unwrap() >= 0.9);
    assert_eq!(param(&doc, "brain.boot_time.mean")["identifiable"], true);
    let answer = doc["answer"].to_string();
    assert!(answer.contains("head.repair = "), "{answer}");
    assert!(
        answer.contains("not identifiable from the observation"),
        "{answer}"
    );
}

#[test]
fn per_head_and_site_contention_trade_off() {
    // FIFO boots the VMs head by head, so the 10 boots in flight are all on one head:
    // a slowdown per boot on the head and one per boot on the site slow every boot
    // alike, and the curve fixes only their sum. The fit must say so.
    let (_dir, model, obs) = observed("contention", &["brain.boot_slowdown_per_boot_on_site=0.02"]);
    let doc = fit_json(
        &model,
        &obs,
        &[
            "brain.boot_slowdown_per_boot_on_head=0..0.05",
            "brain.boot_slowdown_per_boot_on_site=0..0.05",
        ],
        &[],
    );
    let answer = doc["answer"].to_string();
    assert!(
        answer.contains(
            "brain.boot_slowdown_per_boot_on_head and brain.boot_slowdown_per_boot_on_site trade off"
        ),
        "{answer}"
    );
    let head = param(&doc, "brain.boot_slowdown_per_boot_on_head");
    assert_eq!(
        head["trades_off_with"][0],
        "brain.boot_slowdown_per_boot_on_site"
    );
}

#[test]
fn the_text_leads_with_the_answer_and_the_run_is_deterministic() {
    let (_dir, model, obs) = observed("text", &["brain.boot_time.mean=50s"]);
    let args = [
        "fit",
        model.as_str(),
        "--observed",
        obs.as_str(),
        "--param",
        "brain.boot_time.mean=20s..120s",
        "-r",
        "5",
    ];
    let a = run(&args);
    assert_eq!(a.code, 0, "{}", a.stderr);
    let answer = a.stdout.lines().nth(3).unwrap();
    assert!(
        answer.starts_with("brain.boot_time.mean = "),
        "{}",
        a.stdout
    );
    assert!(answer.contains(" s (95 % region "), "{answer}");
    assert!(
        a.stderr.contains("fit: seed 1, 5 replications"),
        "{}",
        a.stderr
    );
    assert!(
        a.stderr
            .contains("brain.boot_time.mean in 20s..2m (linear)"),
        "{}",
        a.stderr
    );
    assert_eq!(run(&args).stdout, a.stdout);
}

#[test]
fn the_calibrated_model_and_the_report_are_written_whole() {
    let (dir, model, obs) = observed("write", &["brain.boot_time.mean=60s"]);
    let written = dir.join("calibrated.ron");
    let out = dir.join("report");
    let (w, o) = (written.to_str().unwrap(), out.to_str().unwrap());
    let args = [
        "fit",
        model.as_str(),
        "--observed",
        obs.as_str(),
        "--param",
        "brain.boot_time.mean=20s..120s",
        "-r",
        "5",
        "--write-model",
        w,
        "--out",
        o,
    ];
    let first = run(&args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let text = std::fs::read_to_string(&written).unwrap();
    assert!(text.contains("calibrated by bigvsim"), "{text}");
    assert!(
        text.contains("fit ") && text.contains("--write-model"),
        "{text}"
    );
    assert!(
        text.contains("seed 1, 5 replications a probe; residual "),
        "{text}"
    );
    // It loads, with the fitted value in place of the 45 s the model had.
    let v = run(&["validate", w]);
    assert_eq!(v.code, 0, "{}", v.stderr);
    let doc: Value =
        serde_json::from_slice(&bigvsim_ok(&[&args[..8], &["--format", "json"]].concat())).unwrap();
    let best_s = param(&doc, "brain.boot_time.mean")["best"]
        .as_f64()
        .unwrap();
    let loaded = bigvsim::scenario::load(w, &[]).unwrap();
    let mean_us = match loaded.scenario.brain.boot_time {
        bigvsim::engine::dist::Dist::LogNormal { mean_us, .. } => mean_us,
        other => panic!("{other:?}"),
    };
    assert_eq!(mean_us as f64 / 1e6, best_s);
    for f in ["report.md", "fit.json", "fit.png", "fit.svg"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("![observed over fitted](fit.png)"));
    assert!(md.contains("| incident | compared | observed | simulated | sd | z |"));
    // A second run refuses to replace the model without --force, before running.
    let again = run(&args);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("--write-model") && again.stderr.contains("--force"),
        "{}",
        again.stderr
    );
}

#[test]
fn observe_writes_a_curve_fit_reads() {
    // Every VM of the storm dies at once: the curve starts at 0 VMs up and ends with
    // all 200 back at the incident's full recovery.
    let (_dir, _model, obs) = observed("observe", &[]);
    let text = std::fs::read_to_string(&obs).unwrap();
    let o = bigvsim::scenario::observed::parse_observed(&text).unwrap();
    let down = o.down_curve(200).unwrap().unwrap();
    assert_eq!(down[0], (0.0, 200));
    assert_eq!(down.last().unwrap().1, 0);
    let full = o
        .scalars
        .iter()
        .find(|s| s.metric == bigvsim::metrics::Metric::FullRecoveryS)
        .unwrap();
    assert_eq!(down.last().unwrap().0, full.value);
}

#[test]
fn a_fit_too_large_is_refused_before_it_runs() {
    // Two parameters make at most `max_probes(2)` probes; at 1 000 000 replications a
    // probe that is over the 100 000 000 replications one command may run, and the
    // refusal names the most that fit, within a second.
    let most = bigvsim::experiment::fit::max_probes(2);
    let t = super::common::bigvsim_within(
        &[
            "fit",
            "models/york-2017.ron",
            "--observed",
            "models/observed/york-2017.csv",
            "--param",
            "brain.boot_time.mean=30s..90s",
            "--param",
            "brain.reboot_concurrency=1..50",
            "-r",
            "1000000",
        ],
        std::time::Duration::from_secs(10),
    );
    assert_eq!(t.code, Some(2), "{}", t.stderr);
    assert!(
        t.stderr.contains(&format!(
            "fit would run {most} probes × 1000000 replications"
        )),
        "{}",
        t.stderr
    );
    let fit = bigvsim::experiment::resources::MAX_RUNS / most;
    assert!(
        t.stderr
            .contains(&format!("at most {fit} replications fit")),
        "{}",
        t.stderr
    );
    assert!(t.took < std::time::Duration::from_secs(2), "{:?}", t.took);
}

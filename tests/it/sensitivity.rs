//! `bigvsim sensitivity`: the ranking finds a known strong effect and a known
//! non-effect, robustness counts a constructed case, shards merge byte for byte, and
//! bad ranges are refused with exit code 2.

use bigvsim::experiment::DesignInfo;
use bigvsim::experiment::sensitivity::analysis::analyse;
use bigvsim::experiment::sensitivity::{
    ParamRecord, SampleResult, Sensitivity, SensitivityModels, SensitivityPlan,
};
use bigvsim::metrics::{METRICS, Metric};

use super::common::{bigvsim, scratch_file};

/// A site-wide crash of 10 heads × 7 VMs, rebooted through `reboot_concurrency`
/// slots of LogNormal boots. The boot time's mean drives the recovery; routine
/// flaps do not exist, so their duration cannot matter.
const CRASH: &str = r#"(
    name: "crash",
    horizon: "1d",
    site: (heads: 10, vms_per_head: 7),
    link: (flaps_per_year: 0.0),
    brain: (reboot_concurrency: 8, boot_time: LogNormal(mean: "45s", sigma: 0.3)),
    faults: [SupervisorCrash(at: "1h", scope: All)],
    uncertain: [
        (path: "link.flap_duration.max", range: ("2s", "10s")),
        (path: "brain.boot_time.mean", range: ("20s", "90s")),
        (path: "brain.reboot_concurrency", range: (8, 10)),
    ],
)"#;

/// Writes `text` to a fresh file in the temporary directory and returns its path.
fn temp_model(name: &str, text: &str) -> String {
    let path = scratch_file(name, name, text);
    path.to_str().unwrap().to_string()
}

fn plan(samples: u64, replications: u64) -> SensitivityPlan {
    SensitivityPlan {
        seed: 3,
        replications,
        samples,
        shard: None,
        jobs: 1,
        check_invariants: false,
    }
}

#[test]
fn a_strong_effect_ranks_first_and_a_parameter_without_effect_last() {
    // Proves the ranking on a case whose answer is known: the boot time's mean
    // scales the whole recovery (first, CI excluding 0, positive); the flap duration
    // cannot act without flaps (last, CI containing 0).
    let path = temp_model("crash.ron", CRASH);
    let p = plan(24, 4);
    let models = SensitivityModels::load(&[path], &[], &[], &p).unwrap();
    let s = models.run(&p, &|_, _| {}).unwrap();
    let a = analyse(&s);
    let r = a
        .ranking
        .iter()
        .find(|r| r.metric == Metric::FullRecoveryS)
        .expect("full_recovery_s varies");
    let first = &r.entries[0];
    assert_eq!(s.params[first.param].path, "brain.boot_time.mean");
    let (lo, hi) = first.ci95.unwrap();
    assert!(first.effect > 0.5 && lo > 0.0, "{first:?}");
    assert!(hi >= lo);
    let last = r.entries.last().unwrap();
    assert_eq!(s.params[last.param].path, "link.flap_duration.max");
    let (lo, hi) = last.ci95.unwrap();
    assert!(lo <= 0.0 && hi >= 0.0, "{last:?}");
    assert!(last.effect.abs() < 0.2, "{last:?}");
}

/// A study of two designs over one parameter, built by hand: `gains[i]` is the
/// baseline's downtime minus the design's in sample i (positive: the design wins).
fn constructed(values: &[f64], gains: &[f64]) -> Sensitivity {
    let metrics = METRICS.len();
    let results = values
        .iter()
        .zip(gains)
        .enumerate()
        .map(|(i, (v, g))| {
            let base = vec![100.0 + i as f64; metrics];
            let design: Vec<f64> = base.iter().map(|b| b - g).collect();
            SampleResult {
                index: i as u64,
                values: vec![*v],
                means: vec![base, design],
            }
        })
        .collect();
    Sensitivity {
        designs: vec![
            DesignInfo {
                name: "base".into(),
                ..Default::default()
            },
            DesignInfo {
                name: "fast".into(),
                ..Default::default()
            },
        ],
        seed: 1,
        replications: 1,
        samples: values.len() as u64,
        overrides: vec![],
        params: vec![ParamRecord {
            path: "brain.boot_slowdown_per_boot_on_site".into(),
            lo: 0.0,
            hi: 0.1,
            scale: "linear".into(),
            unit: "per boot in flight".into(),
        }],
        results,
    }
}

#[test]
fn robustness_counts_wins_and_finds_where_a_design_loses() {
    // Proves the robustness figures on a constructed case: of 10 samples the design
    // wins the 7 with slowdown ≤ 0.06 and loses the 3 above, worst at the highest
    // slowdown; the rule found is "slowdown > 0.065", fitting all 10; the Wilson
    // interval of 7/10 is [0.397, 0.892].
    let values: Vec<f64> = (0..10).map(|i| i as f64 / 100.0).collect();
    let gains: Vec<f64> = values
        .iter()
        .map(|v| if *v <= 0.06 { 5.0 } else { -10.0 * v })
        .collect();
    let s = constructed(&values, &gains);
    let a = analyse(&s);
    let r = a
        .robustness
        .iter()
        .find(|r| r.metric == Metric::DowntimeMinPerVmYear)
        .unwrap();
    assert_eq!((r.better, r.worse, r.samples), (7, 3, 10));
    assert!(
        (r.ci95.0 - 0.3968).abs() < 1e-3 && (r.ci95.1 - 0.8922).abs() < 1e-3,
        "{r:?}"
    );
    assert_eq!(r.worst.sample, 9);
    assert!((r.worst.difference - 0.9).abs() < 1e-9, "{r:?}");
    let split = r.loses_when.as_ref().unwrap();
    assert!(split.above && (split.threshold - 0.065).abs() < 1e-12 && split.correct == 10);
    assert!(
        r.sentence.contains("in 70 % of samples")
            && r.sentence
                .contains("when brain.boot_slowdown_per_boot_on_site > 0.065"),
        "{}",
        r.sentence
    );
    // Higher-is-better metrics count the other way: availability rises by `gain`
    // here when the design's value is lower, so the design loses in the 7.
    let avail = a
        .robustness
        .iter()
        .find(|r| r.metric == Metric::VmAvailability)
        .unwrap();
    assert_eq!((avail.better, avail.worse), (3, 7));
}

#[test]
fn shards_merge_into_the_output_of_one_process() {
    // Proves `--shard K/N` + `merge` gives stdout byte-identical to one process, in
    // JSON and in text, with two designs and an uneven split of the samples.
    let base = temp_model("merge-base.ron", CRASH);
    let fast = temp_model(
        "merge-fast.ron",
        &CRASH
            .replace("\"crash\"", "\"crash-fast\"")
            .replace("reboot_concurrency: 8", "reboot_concurrency: 9"),
    );
    let common = ["--samples", "7", "-r", "3", "--seed", "5"];
    let mut whole = vec!["sensitivity", &base, &fast];
    whole.extend(common);
    let json = bigvsim(&[whole.as_slice(), &["--format", "json"]].concat());
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    // The number of worker threads does not change the result.
    let one_job = bigvsim(&[whole.as_slice(), &["--format", "json", "--jobs", "1"]].concat());
    assert_eq!(one_job.stdout, json.stdout);
    let text = bigvsim(&whole);
    let mut parts = Vec::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        let out = bigvsim(&[whole.as_slice(), &["--shard", &shard]].concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        parts.push(temp_model(
            &format!("part-{k}.json"),
            &String::from_utf8(out.stdout).unwrap(),
        ));
    }
    let mut merge = vec!["merge"];
    merge.extend(parts.iter().map(String::as_str));
    let merged = bigvsim(&[merge.as_slice(), &["--format", "json"]].concat());
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(merged.stdout, json.stdout);
    assert_eq!(bigvsim(&merge).stdout, text.stdout);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["samples"], 7);
    assert_eq!(doc["runs"].as_array().unwrap().len(), 7);
    assert!(doc["ranking"]["full_recovery_s"].is_array());
    assert!(doc["robustness"].as_array().is_some_and(|r| !r.is_empty()));
    // A missing shard is refused.
    let gap = bigvsim(&["merge", &parts[0], &parts[2]]);
    assert_eq!(gap.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&gap.stderr).contains("shard 1/3 is missing"));
}

#[test]
fn bad_ranges_are_refused_with_exit_code_2() {
    // Proves each kind of bad range is refused before any run, naming the argument
    // or the file's line and column, with what is allowed.
    let model = temp_model("bad-range-base.ron", CRASH);
    let cases: &[(&str, &str)] = &[
        ("brain.boot_slowdown_per_boot_on_site", "no '='"),
        ("brain.boot_slowdown_per_boot_on_site=0.1", "no `..`"),
        ("brain.queue_policy=1..2", "is a choice, not a number"),
        ("brain.nonsense=1..2", "is not a path of the model"),
        (
            "brain.boot_slowdown_per_boot_on_site=0..20",
            "allows (in [0, 10]), found 20",
        ),
        (
            "brain.boot_slowdown_per_boot_on_site=0.05..0.01",
            "the low bound must be below",
        ),
        (
            "supervisor.crash_on_reset=0..0.01:log",
            "a Log scale needs a range above 0",
        ),
        ("brain.boot_time.mean=1..2", "write the bounds as durations"),
        (
            "brain.boot_time.mean=30s..2m:cubic",
            "unknown scale `cubic`",
        ),
    ];
    for (vary, says) in cases {
        let out = bigvsim(&["sensitivity", &model, "--vary", vary, "-r", "1"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{vary}: {err}");
        assert!(
            err.contains(&format!("--vary {vary}")) && err.contains(says),
            "{vary}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    let bad = temp_model("bad-range-file.ron", &CRASH.replace("(8, 10)", "(0, 10)"));
    let out = bigvsim(&["sensitivity", &bad, "-r", "1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad-range-file.ron:")
            && err.contains("uncertain[2].range")
            && err.contains("at least 1"),
        "{err}"
    );
    // Too few samples for the parameters, and a path varied twice, are refused.
    let out = bigvsim(&["sensitivity", &model, "--samples", "5", "-r", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("ranking 3 parameters needs at least 6 samples")
    );
    let twice = [
        "--vary",
        "link.flaps_per_year=1..2",
        "--vary",
        "link.flaps_per_year=3..4",
    ];
    let out = bigvsim(
        &[
            ["sensitivity", model.as_str(), "-r", "1"].as_slice(),
            &twice,
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this path is varied twice"));
    // A path both varied and fixed by --set is refused.
    let out = bigvsim(&[
        "sensitivity",
        &model,
        "--set",
        "brain.boot_time.mean=40s",
        "-r",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("also fixed by --set"));
}

#[test]
fn a_design_keeps_its_own_value_of_a_varied_field() {
    // Proves that a design which sets a varied field to a value of its own keeps it
    // in every sample (as the patched design keeps its crash probabilities of 0),
    // with a note: here the design's fixed 30 s boots give it the same recovery in
    // every sample, while the baseline's recovery follows the varied boot time.
    // Only the boot time and the flap duration vary here.
    let text = CRASH.replace(
        "        (path: \"brain.reboot_concurrency\", range: (8, 10)),\n",
        "",
    );
    assert_ne!(text, CRASH);
    let base = temp_model("own-base.ron", &text);
    let own = temp_model(
        "own-design.ron",
        // Its own list cannot vary a mean its fixed boots lack (the model would not
        // load); the baseline's list is the one used anyway.
        &text
            .replace("\"crash\"", "\"fixed-boots\"")
            .replace(
                "boot_time: LogNormal(mean: \"45s\", sigma: 0.3)",
                "boot_time: Fixed(\"30s\")",
            )
            .replace(
                "        (path: \"brain.boot_time.mean\", range: (\"20s\", \"90s\")),\n",
                "",
            ),
    );
    let p = plan(6, 2);
    let models = SensitivityModels::load(&[base, own], &[], &[], &p).unwrap();
    assert!(
        models
            .notes
            .iter()
            .any(|n| n.contains("own-design.ron sets `brain.boot_time.mean`")),
        "{:?}",
        models.notes
    );
    let s = models.run(&p, &|_, _| {}).unwrap();
    let recovery = |k: usize| -> Vec<f64> {
        s.results
            .iter()
            .map(|r| r.means[k][Metric::FullRecoveryS as usize])
            .collect()
    };
    let design = recovery(1);
    let base = recovery(0);
    assert!(design.iter().all(|v| *v == design[0]), "{design:?}");
    assert!(base.iter().any(|v| *v != base[0]), "{base:?}");
}

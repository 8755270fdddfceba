//! What scripts reading bigvsim's output rely on: numbers as JSON numbers with their
//! unit beside them, every metric object carrying its unit, `solve` taking what `sweep`
//! takes, short path lists on a typo, and a warning when a sensitivity study has too
//! few samples to rank its parameters.

use serde_json::Value;

use super::common::{bigvsim_ok, run, scratch};
use bigvsim::metrics::METRICS;

/// The JSON document a successful command prints.
fn json_of(args: &[&str]) -> Value {
    serde_json::from_slice(&bigvsim_ok(args)).expect("a JSON document")
}

/// The unit the metric table gives `key`.
fn table_unit(key: &str) -> &'static str {
    METRICS
        .iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("`{key}` is not a metric"))
        .unit
}

/// Checks every metric object in `v` carries its metric's unit: each entry of a
/// `metrics` map (keyed by metric) and each object naming a `metric`. Returns how many
/// it checked, so that a caller can require some.
fn check_units(v: &Value, at: &str) -> usize {
    let mut checked = 0;
    match v {
        Value::Object(map) => {
            if let Some(Value::String(key)) = map.get("metric") {
                assert_eq!(map.get("unit"), Some(&Value::from(table_unit(key))), "{at}");
                checked += 1;
            }
            if let Some(Value::Object(metrics)) = map.get("metrics") {
                for (key, m) in metrics {
                    if m.is_object() {
                        assert_eq!(m["unit"], table_unit(key), "{at}.metrics.{key}");
                        checked += 1;
                    }
                }
            }
            for (k, child) in map {
                checked += check_units(child, &format!("{at}.{k}"));
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                checked += check_units(child, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
    checked
}

#[test]
fn sweep_values_are_numbers_with_their_unit_and_text() {
    // A duration written `1m30s` is 90 seconds, a count `2` is the number 2 (boots), a
    // choice stays its name; the text as written is kept beside them.
    let doc = json_of(&[
        "sweep",
        "models/york-2017.ron",
        "--param",
        "brain.reboot_concurrency=2,4",
        "--param",
        "brain.boot_time.mean=1m30s",
        "--param",
        "brain.queue_policy=Fifo",
        "-r",
        "2",
        "--format",
        "json",
    ]);
    let point = &doc["points"][0];
    assert_eq!(point["values"]["brain.reboot_concurrency"], 2);
    assert_eq!(point["units"]["brain.reboot_concurrency"], "boots");
    assert_eq!(point["values"]["brain.boot_time.mean"], 90.0);
    assert_eq!(point["units"]["brain.boot_time.mean"], "s");
    assert_eq!(point["texts"]["brain.boot_time.mean"], "1m30s");
    assert_eq!(point["values"]["brain.queue_policy"], "Fifo");
    assert_eq!(point["units"]["brain.queue_policy"], "");
    assert_eq!(doc["points"][1]["values"]["brain.reboot_concurrency"], 4);
}

#[test]
fn every_metric_object_carries_its_unit() {
    // run, compare, sweep, solve and sensitivity: each metric summary, paired
    // difference, verdict, target and robustness entry names its unit, the one the
    // metric table gives.
    let docs = [
        json_of(&["run", "models/york-2017.ron", "-r", "2", "--format", "json"]),
        json_of(&[
            "compare",
            "models/york-2017.ron",
            "models/york-2017-patched.ron",
            "-r",
            "2",
            "--format",
            "json",
        ]),
        json_of(&[
            "sweep",
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurrency=2,4",
            "--target",
            "full_recovery_s.p90<=2h",
            "-r",
            "2",
            "--format",
            "json",
        ]),
        json_of(&[
            "solve",
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurrency=1..64",
            "--target",
            "full_recovery_s.p90<=2h",
            "-r",
            "2",
            "--format",
            "json",
        ]),
    ];
    for (i, doc) in docs.iter().enumerate() {
        assert!(check_units(doc, &format!("doc {i}")) > 5, "doc {i}: {doc}");
    }
    // merge of a sweep's shards prints the sweep's document: numbers and units too.
    let dir = scratch("merge-units");
    let mut parts = Vec::new();
    for k in 0..2 {
        let shard = format!("{k}/2");
        let part = bigvsim_ok(&[
            "sweep",
            "models/york-2017.ron",
            "--param",
            "brain.boot_time.mean=1m,2m",
            "-r",
            "2",
            "--shard",
            &shard,
        ]);
        let path = dir.join(format!("part-{k}.json"));
        std::fs::write(&path, part).unwrap();
        parts.push(path.to_string_lossy().into_owned());
    }
    let mut args = vec!["merge", "--format", "json"];
    args.extend(parts.iter().map(String::as_str));
    let merged = json_of(&args);
    assert!(check_units(&merged, "merge") > 5, "{merged}");
    assert_eq!(merged["points"][1]["values"]["brain.boot_time.mean"], 120.0);
    let sens = json_of(&[
        "sensitivity",
        "models/york-2017.ron",
        "models/york-2017-patched.ron",
        "--samples",
        "12",
        "-r",
        "1",
        "--format",
        "json",
    ]);
    assert!(check_units(&sens, "sensitivity") > 0, "{sens}");
    for m in METRICS.iter() {
        assert_eq!(sens["units"][m.key], m.unit, "{}", m.key);
    }
}

#[test]
fn sensitivity_warns_when_its_ranking_cannot_tell_parameters_apart() {
    // 12 samples of york-2017's 8 uncertain parameters: below the usable 27 (3 per
    // coefficient), and the bootstrap intervals of every coefficient overlap. Both
    // warnings go to stderr and into the text output's notes.
    let r = run(&[
        "sensitivity",
        "models/york-2017.ron",
        "--samples",
        "12",
        "-r",
        "1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let apart = "does not tell the parameters apart";
    assert!(
        r.stderr.contains("warning: 12 samples are too few"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(apart), "{}", r.stderr);
    assert!(r.stdout.contains(apart), "{}", r.stdout);
}

#[test]
fn york_models_vary_their_site_wide_break_rate() {
    // Every York model that draws its site-wide breaks at random (a RandomPartitions
    // fault of scope All) and declares what is uncertain varies that rate, which rests
    // on three breaks in about six months: faults[i].per_year, with a comment.
    let mut checked = 0;
    for path in super::common::shipped_models() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("york") || !text.contains("uncertain: [") {
            continue;
        }
        let faults = text.split("faults: [").nth(1).unwrap_or("");
        let faults = faults.split("],").next().unwrap_or("");
        let Some(i) = faults
            .lines()
            .filter(|l| l.trim_start().starts_with(char::is_uppercase))
            .position(|l| l.contains("RandomPartitions") && l.contains("scope: All"))
        else {
            continue;
        };
        let uncertain = text.split("uncertain: [").nth(1).unwrap();
        let entry = format!("(path: \"faults[{i}].per_year\", range: (");
        assert!(
            uncertain.contains(&entry),
            "{name} does not vary its break rate"
        );
        assert!(
            uncertain.contains("three breaks"),
            "{name}: no comment citing why"
        );
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} York year models checked");
}

#[test]
fn solve_takes_the_numeric_paths_sweep_takes() {
    // A number (the brain's accept rate, bisected on reals) and a distribution set to a
    // fixed duration (`brain.boot_time=1m`, as sweep and --set take it): the answer is
    // a JSON number in its unit, inside the range.
    let rate = json_of(&[
        "solve",
        "models/scale-10k-heads.ron",
        "--param",
        "brain.accept_per_s=50..300",
        "--target",
        "control_recovery_s.p90<=10m",
        "-r",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(rate["unit"], "per second", "{rate}");
    let boot = json_of(&[
        "solve",
        "models/york-2017.ron",
        "--param",
        "brain.boot_time=20s..3m",
        "--target",
        "full_recovery_s.p90<=2h",
        "--largest",
        "-r",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(boot["unit"], "s", "{boot}");
    let v = boot["value"].as_f64().expect("a number of seconds");
    assert!((20.0..180.0).contains(&v), "{v}");
    let at = boot["at_value"]["value"].as_f64().unwrap();
    assert!(at <= 7200.0, "{at}");
}

#[test]
fn a_path_typo_lists_the_ten_nearest_paths_and_where_to_see_all() {
    // A misspelt --set (and --param, which sweep applies as --set) names the intended
    // path, the ten nearest, and `validate --list-paths`, in one short line instead
    // of every settable path.
    for args in [
        vec![
            "run",
            "models/york-2017.ron",
            "--set",
            "brain.reboot_concurency=4",
        ],
        vec![
            "sweep",
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurency=4,8",
        ],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(
            r.stderr.len() < 700,
            "{} characters: {}",
            r.stderr.len(),
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("Did you mean `brain.reboot_concurrency`?")
        );
        let listed = r.stderr.split("Nearest settable paths: ").nth(1).unwrap();
        let listed = listed.split(" (").next().unwrap();
        assert_eq!(listed.split(", ").count(), 10, "{listed}");
        assert!(
            r.stderr
                .contains("`bigvsim validate --list-paths` lists them all")
        );
    }
    // The listing: one path a line, every one of them settable (a --set of the path
    // is never refused as an unknown path), the count the message gives.
    let list = run(&["validate", "--list-paths"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let paths: Vec<&str> = list.stdout.lines().collect();
    assert!(paths.contains(&"brain.reboot_concurrency"));
    assert!(paths.contains(&"faults[i].per_year"));
    let typo = run(&["run", "models/york-2017.ron", "--set", "x=1"]);
    assert!(
        typo.stderr.contains(&format!("(10 of {};", paths.len())),
        "{}",
        typo.stderr
    );
    for p in ["brain.boot_time.mean", "link.flaps_per_year", "site.heads"] {
        assert!(paths.contains(&p), "{p}");
        let r = run(&[
            "validate",
            "models/york-2017.ron",
            "--set",
            &format!("{p}=x"),
        ]);
        assert!(!r.stderr.contains("unknown path"), "{p}: {}", r.stderr);
    }
}

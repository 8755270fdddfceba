//! Comparisons, sweeps and shards through the command line: common random numbers,
//! byte-identical output whatever the threads or shards, and sweeps that move the
//! right way.

use super::common::{bigvsim, bigvsim_ok, scratch, stderr_of};

const DESIGNS: &[&str] = &[
    "models/york-2017.ron",
    "models/york-2017-patched.ron",
    "models/york-2017-decoupled.ron",
    "models/york-2017-message-queue.ron",
    "models/york-2017-fast-reboot.ron",
];

fn compare(extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["compare"];
    args.extend_from_slice(DESIGNS);
    args.extend_from_slice(&["-r", "12", "--format", "json"]);
    args.extend_from_slice(extra);
    bigvsim_ok(&args)
}

#[test]
fn compare_is_identical_across_runs_jobs_and_shards() {
    // Twice, with 1 and 2 threads, and as four shards merged: the same bytes.
    let whole = compare(&["--jobs", "2"]);
    assert_eq!(whole, compare(&["--jobs", "2"]));
    assert_eq!(whole, compare(&["--jobs", "1"]));
    let dir = scratch("shards");
    let mut parts = Vec::new();
    // Shards given to merge out of order: merge sorts them.
    for k in [2, 0, 3, 1] {
        let shard = format!("{k}/4");
        let part = compare(&["--shard", &shard]);
        let path = dir.join(format!("part{k}.json"));
        std::fs::write(&path, part).unwrap();
        parts.push(path.to_string_lossy().into_owned());
    }
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend_from_slice(&["--format", "json"]);
    assert_eq!(whole, bigvsim_ok(&args));
    // A missing shard is refused.
    let out = bigvsim(&["merge", &parts[0], &parts[1], &parts[2]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
}

#[test]
fn compare_reports_paired_differences_and_the_incident_designs_lose_no_vm() {
    // Patched, decoupled and message-queue designs have zero VM downtime for the
    // incident; every alternative's paired difference in full_recovery_s has a CI
    // that excludes zero, and the fast reboot queue recovers faster.
    let doc: serde_json::Value = serde_json::from_slice(&compare(&[])).unwrap();
    let designs = doc["designs"].as_array().unwrap();
    assert_eq!(designs.len(), 5);
    for d in &designs[1..4] {
        assert_eq!(
            d["metrics"]["vm_availability"]["min"], 1.0,
            "{}",
            d["model"]
        );
        assert_eq!(d["metrics"]["full_recovery_s"]["max"], 0.0);
    }
    let paired = doc["paired"].as_array().unwrap();
    assert_eq!(paired.len(), 4);
    for p in paired {
        assert_eq!(p["baseline"], "york-2017");
        let ci = p["metrics"]["full_recovery_s"]["ci95"].as_array().unwrap();
        assert!(ci[1].as_f64().unwrap() < 0.0, "{}: {ci:?}", p["model"]);
    }
    let fast = &paired[3]["metrics"]["full_recovery_s"]["mean"];
    assert!(fast.as_f64().unwrap() < -1_000.0);
}

#[test]
fn common_random_numbers_narrow_the_paired_interval() {
    // The year model against the fast reboot queue: the paired CI of the downtime
    // difference is narrower than the independent-seeds (Welch) CI.
    let width = |extra: &[&str]| {
        let mut args = vec![
            "compare",
            "models/york-year.ron",
            "models/york-year-fast-reboot.ron",
            "-r",
            "40",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let doc: serde_json::Value = serde_json::from_slice(&bigvsim_ok(&args)).unwrap();
        let ci = &doc["paired"][0]["metrics"]["downtime_min_per_vm_year"]["ci95"];
        ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap()
    };
    let paired = width(&[]);
    let independent = width(&["--independent-seeds"]);
    assert!(paired * 2.0 < independent, "{paired} vs {independent}");
}

#[test]
fn sweep_recovery_falls_as_concurrency_rises() {
    // More boot slots, faster recovery: the mean full_recovery_s strictly decreases
    // over 10, 20, 40, 80 slots, and each point has a CI.
    let doc: serde_json::Value = serde_json::from_slice(&bigvsim_ok(&[
        "sweep",
        "models/york-2017.ron",
        "--param",
        "brain.reboot_concurrency=10..40:10",
        "--param",
        "brain.queue_policy=Fifo",
        "-r",
        "8",
        "--format",
        "json",
    ]))
    .unwrap();
    let points = doc["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    let means: Vec<f64> = points
        .iter()
        .map(|p| p["metrics"]["full_recovery_s"]["mean"].as_f64().unwrap())
        .collect();
    assert!(means.windows(2).all(|w| w[1] < w[0]), "{means:?}");
    assert_eq!(points[0]["values"]["brain.reboot_concurrency"], 10);
    assert_eq!(points[0]["texts"]["brain.reboot_concurrency"], "10");
    assert!(points[0]["metrics"]["full_recovery_s"]["ci95"].is_array());
}

#[test]
fn sweep_points_are_paired_with_the_first_and_judged_against_targets() {
    // Every point after the first gets its paired difference from the first (same
    // seeds) and verdicts, as compare gives; every point gets each target. More
    // slots recover faster, so each later point is "better" on site_recovery_s.
    let doc: serde_json::Value = serde_json::from_slice(&bigvsim_ok(&[
        "sweep",
        "models/york-2017.ron",
        "--param",
        "brain.reboot_concurrency=10,20,40",
        "--target",
        "site_recovery_s.p90<=2h",
        "-r",
        "6",
        "--format",
        "json",
    ]))
    .unwrap();
    let paired = doc["paired"].as_array().unwrap();
    assert_eq!(paired.len(), 2);
    assert_eq!(paired[0]["baseline"], "brain.reboot_concurrency=10");
    assert_eq!(paired[1]["model"], "brain.reboot_concurrency=40");
    assert_eq!(paired[0]["paired"], true);
    for p in paired {
        let change = p["metrics"]["site_recovery_s"]["mean"].as_f64().unwrap();
        assert!(change < 0.0, "{p}");
        let v = p["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["metric"] == "site_recovery_s")
            .unwrap();
        assert_eq!(v["verdict"], "better", "{v}");
    }
    let points = doc["points"].as_array().unwrap();
    let met: Vec<bool> = points
        .iter()
        .map(|p| p["targets"][0]["met"].as_bool().unwrap())
        .collect();
    // 10 and 20 slots take over 2 h at p90 on York; 40 slots well under.
    assert_eq!(met, [false, false, true]);
    assert_eq!(
        points[2]["targets"][0]["target"],
        "site_recovery_s.p90 <= 2h"
    );
}

#[test]
fn sweep_shards_merge_into_the_output_of_one_process() {
    // A sweep split in three shards (replications K·R/3.. at every point) and merged
    // gives byte-identical JSON to the unsharded sweep, targets included.
    let dir = scratch("sweep-shards");
    let args = [
        "sweep",
        "models/york-2017.ron",
        "--param",
        "brain.reboot_concurrency=10,40",
        "--target",
        "full_recovery_s.mean<=2h",
        "-r",
        "5",
    ];
    let whole = bigvsim_ok(&[&args[..], &["--format", "json"]].concat());
    let parts: Vec<String> = (0..3)
        .map(|k| {
            let path = dir.join(format!("part{k}.json"));
            let shard = format!("{k}/3");
            std::fs::write(
                &path,
                bigvsim_ok(&[&args[..], &["--shard", &shard]].concat()),
            )
            .unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect();
    let mut merge_args = vec!["merge"];
    merge_args.extend(parts.iter().map(String::as_str));
    merge_args.extend(["--format", "json"]);
    let merged = bigvsim_ok(&merge_args);
    assert_eq!(
        String::from_utf8(merged).unwrap(),
        String::from_utf8(whole).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The four part files of `run models/york-2017.ron -r 2 --shard K/4`, written into
/// `dir`: with 2 replications, shards 0 and 2 are empty and shard 1 runs
/// replication 0.
fn four_parts(dir: &std::path::Path) -> Vec<String> {
    (0..4)
        .map(|k| {
            let shard = format!("{k}/4");
            let part = bigvsim_ok(&["run", "models/york-2017.ron", "-r", "2", "--shard", &shard]);
            let path = dir.join(format!("part{k}.json"));
            std::fs::write(&path, part).unwrap();
            path.to_string_lossy().into_owned()
        })
        .collect()
}

/// Runs `merge` on the parts; returns the exit code and stderr.
fn merge(parts: &[String]) -> (Option<i32>, String) {
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    let out = bigvsim(&args);
    (out.status.code(), stderr_of(&out))
}

#[test]
fn merge_refuses_every_invalid_part_field_with_one_line_naming_the_file() {
    // Each mutation of shard 1's part file (the one that ran replication 0) is refused
    // with exit 2 and a single `error: <file>: …` line, never a panic (exit 101) or an
    // abort on a huge allocation: shard indices out of range ([5,4], [0,0]), a shard
    // count of 10^18, no designs, 0 replications, a design seed the study's seed does
    // not give, a histogram whose minimum lies outside its buckets, a replication
    // that is not the shard's, an unknown outage cause, an outage ending before it
    // starts, a field of the wrong type, and another metric list.
    use serde_json::json;
    let dir = scratch("bad-parts");
    let parts = four_parts(&dir);
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&parts[1]).unwrap()).unwrap();
    type Mutation = fn(&mut serde_json::Value);
    let mutations: &[(&str, Mutation)] = &[
        ("shard past the count", |d| d["shard"] = json!([5, 4])),
        ("zero shards", |d| d["shard"] = json!([0, 0])),
        ("10^18 shards", |d| {
            d["shard"] = json!([0, 1_000_000_000_000_000_000u64])
        }),
        ("no designs", |d| d["designs"] = json!([])),
        ("no replications", |d| d["replications"] = json!(0)),
        ("design seed", |d| d["designs"][0]["seed"] = json!(7)),
        ("histogram min", |d| {
            d["designs"][0]["histogram"]["min"] = json!(1_000_000_000_000_000u64)
        }),
        ("replication index", |d| {
            d["designs"][0]["replications"][0]["index"] = json!(1)
        }),
        ("outage cause", |d| {
            d["designs"][0]["first_outages"][0][4] = json!(9)
        }),
        ("outage end", |d| {
            d["designs"][0]["first_outages"][0][3] = json!(0)
        }),
        ("type", |d| d["independent_seeds"] = json!("yes")),
        ("metric keys", |d| d["metric_keys"] = json!(["events"])),
    ];
    for (what, mutate) in mutations {
        let mut doc = good.clone();
        mutate(&mut doc);
        let bad = dir.join("bad.json").to_string_lossy().into_owned();
        std::fs::write(&bad, serde_json::to_string(&doc).unwrap()).unwrap();
        let (code, stderr) = merge(&[
            parts[0].clone(),
            bad.clone(),
            parts[2].clone(),
            parts[3].clone(),
        ]);
        assert_eq!(code, Some(2), "{what}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: {bad}: ")),
            "{what}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
    }
}

#[test]
fn merge_refuses_parts_that_do_not_belong_together_naming_the_file() {
    // Shard 1 of another seed, and shard 1 given twice, are refused with exit 2 and
    // a line naming the offending file; a missing shard is refused too.
    let dir = scratch("mixed-parts");
    let parts = four_parts(&dir);
    let other = dir.join("other.json");
    std::fs::write(
        &other,
        bigvsim_ok(&[
            "run",
            "models/york-2017.ron",
            "-r",
            "2",
            "--shard",
            "1/4",
            "--seed",
            "9",
        ]),
    )
    .unwrap();
    let other = other.to_string_lossy().into_owned();
    let (code, stderr) = merge(&[
        parts[0].clone(),
        other.clone(),
        parts[2].clone(),
        parts[3].clone(),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&other), "{stderr}");
    assert!(stderr.contains("not from the same study"), "{stderr}");
    let (code, stderr) = merge(&[
        parts[0].clone(),
        parts[1].clone(),
        parts[1].clone(),
        parts[3].clone(),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: shard 1/4 is given twice", parts[1])),
        "{stderr}"
    );
    let (code, stderr) = merge(&parts[1..]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("shard 0/4 is missing"), "{stderr}");
}

#[test]
fn merge_never_panics_whatever_a_scalar_of_a_part_file_holds() {
    // Every scalar outside the long per-replication and per-outage lists of shard 1's
    // part file (and the first entry of each list) is replaced in turn by hostile
    // values: 0, -1, 2^64 - 1, 1e18, 0.5, null, a string, an empty list. Merge exits
    // 0 (the value was harmless) or 2 (refused), never 101 (panic) or by a signal.
    use serde_json::{Value, json};
    let dir = scratch("hostile-parts");
    let parts = four_parts(&dir);
    let good: Value = serde_json::from_str(&std::fs::read_to_string(&parts[1]).unwrap()).unwrap();
    fn leaves(v: &Value, path: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    leaves(x, format!("{path}/{k}"), out);
                }
            }
            Value::Array(a) => {
                // The first entry stands for the rest; an empty list is a leaf.
                match a.first() {
                    Some(x) => leaves(x, format!("{path}/0"), out),
                    None => out.push(path),
                }
            }
            _ => out.push(path),
        }
    }
    let mut paths = Vec::new();
    leaves(&good, String::new(), &mut paths);
    assert!(paths.len() > 20, "{paths:?}");
    let hostile = [
        json!(0),
        json!(-1),
        json!(u64::MAX),
        json!(1e18),
        json!(0.5),
        Value::Null,
        json!("x"),
        json!([]),
    ];
    let bad = dir.join("bad.json").to_string_lossy().into_owned();
    let others = [
        parts[0].clone(),
        bad.clone(),
        parts[2].clone(),
        parts[3].clone(),
    ];
    for path in &paths {
        for h in &hostile {
            let mut doc = good.clone();
            *doc.pointer_mut(path).unwrap() = h.clone();
            std::fs::write(&bad, serde_json::to_string(&doc).unwrap()).unwrap();
            let (code, stderr) = merge(&others);
            assert!(
                matches!(code, Some(0) | Some(2)),
                "{path} = {h}: exit {code:?}: {stderr}"
            );
        }
    }
}

#[test]
fn merge_takes_replication_zeros_outages_from_the_shard_that_ran_it() {
    // With -r 2 in 4 shards, shard 0 is empty and shard 1 runs replication 0: the
    // merged outages.csv is the unsharded run's (the 2 000 VMs of the incident and
    // the header), not a header alone.
    let dir = scratch("first-outages");
    let parts = four_parts(&dir);
    let merged = dir.join("merged");
    let whole = dir.join("whole");
    let mut args = vec!["merge".to_string()];
    args.extend(parts.iter().cloned());
    args.extend(["--out".to_string(), merged.to_string_lossy().into_owned()]);
    bigvsim_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    bigvsim_ok(&[
        "run",
        "models/york-2017.ron",
        "-r",
        "2",
        "--out",
        whole.to_str().unwrap(),
    ]);
    let merged = std::fs::read_to_string(merged.join("outages.csv")).unwrap();
    let whole = std::fs::read_to_string(whole.join("outages.csv")).unwrap();
    assert_eq!(whole.lines().count(), 2_001);
    assert_eq!(merged, whole);
}

/// Runs the binary and returns (exit code, stdout, stderr).
fn output(args: &[&str]) -> (Option<i32>, String, String) {
    let out = bigvsim(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `compare york-year york-year-fast-reboot -r R --format json` plus `extra`.
fn year_compare(replications: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "compare",
        "models/york-year.ron",
        "models/york-year-fast-reboot.ron",
        "-r",
        replications,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_slice(&bigvsim_ok(&args)).unwrap()
}

#[test]
fn verdicts_are_objects_with_direction_and_size() {
    // The fast reboot queue lowers the year's downtime by nearly half: the
    // verdict object says "better", with the change in min/VM-year and as a percentage
    // of the baseline's mean. Neutral counts and distribution shapes (outage
    // quantiles, the worst incident) get no verdict object at all.
    let doc = year_compare("12", &[]);
    assert_eq!(doc["min_effect_pct"], 1.0);
    let verdicts = doc["paired"][0]["verdicts"].as_array().unwrap();
    let find = |key: &str| verdicts.iter().find(|v| v["metric"] == key);
    for v in verdicts {
        for field in ["metric", "verdict", "change", "ci95"] {
            assert!(!v[field].is_null(), "{v}: {field}");
        }
        // A relative change needs a baseline other than 0 (no background crashes in
        // the year model: its downtime from them is 0 in both designs).
        assert!(
            v["change_pct"].is_number() || v["change"] == 0.0,
            "{v}: change_pct"
        );
        let allowed = ["better", "worse", "no_material_difference", "inconclusive"];
        assert!(allowed.contains(&v["verdict"].as_str().unwrap()), "{v}");
        // The finer finding refines the verdict and never contradicts it.
        let finding = v["finding"].as_str().unwrap();
        let consistent = match v["verdict"].as_str().unwrap() {
            "better" => finding == "better",
            "worse" => finding == "worse",
            "no_material_difference" => ["no_difference", "real_but_small"].contains(&finding),
            _ => ["inconclusive", "better_maybe_small", "worse_maybe_small"].contains(&finding),
        };
        assert!(consistent, "{v}: finding");
    }
    let down = find("downtime_min_per_vm_year").unwrap();
    assert_eq!(down["verdict"], "better");
    let base = doc["designs"][0]["metrics"]["downtime_min_per_vm_year"]["mean"]
        .as_f64()
        .unwrap();
    let change = down["change"].as_f64().unwrap();
    let pct = down["change_pct"].as_f64().unwrap();
    assert!((pct - 100.0 * change / base).abs() < 1e-9, "{down}");
    assert!((-60.0..-30.0).contains(&pct), "{down}");
    let ci = down["ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= change && change <= ci[1].as_f64().unwrap());
    // Availability is judged like downtime (its percentage is of the unavailability).
    assert_eq!(find("vm_availability").unwrap()["verdict"], "better");
    for none in [
        "vm_reboots",
        "events",
        "link_resets",
        "incidents",
        "vm_outage_p99_s",
        "full_recovery_s",
        "recover_90_s",
    ] {
        assert!(find(none).is_none(), "{none} has a verdict");
    }
}

#[test]
fn min_effect_decides_what_is_material() {
    // The same -45 % change in downtime is "no material difference" once only
    // changes beyond 60 % matter, and "inconclusive" at 45 %, where the CI reaches
    // across the threshold. A min effect without "%" is refused.
    let at = |min: &str| {
        let doc = year_compare("12", &["--min-effect", min]);
        doc["paired"][0]["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["metric"] == "downtime_min_per_vm_year")
            .unwrap()
            .clone()
    };
    let down = at("60%");
    assert_eq!(down["verdict"], "no_material_difference", "{down}");
    let ci = down["ci95_pct"].as_array().unwrap();
    let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert!(lo < -45.0 && hi > -45.0, "{down}");
    assert_eq!(at("45%")["verdict"], "inconclusive");
    let (code, _, err) = output(&[
        "compare",
        "models/york-2017.ron",
        "models/york-2017-fast-reboot.ron",
        "--min-effect",
        "2",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("e.g. 2%"), "{err}");
}

#[test]
fn one_replication_gives_no_verdict() {
    // With one replication there is no CI, so no verdict objects, and the text says so.
    let doc = year_compare("1", &[]);
    assert_eq!(doc["paired"][0]["verdicts"], serde_json::json!([]));
    let (code, text, _) = output(&[
        "compare",
        "models/york-2017.ron",
        "models/york-2017-fast-reboot.ron",
        "-r",
        "1",
    ]);
    assert_eq!(code, Some(0));
    assert!(text.contains("No verdicts: one replication"), "{text}");
    assert!(!text.contains(" better\n"), "{text}");
}

#[test]
fn compare_refuses_two_designs_of_one_name_and_design_set_tells_them_apart() {
    // The same file twice is refused; with one design's boot slots doubled through
    // --design-set, the second design is named after its override and recovers faster.
    let (code, _, err) = output(&["compare", "models/york-2017.ron", "models/york-2017.ron"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("designs 0 (models/york-2017.ron) and 1 (models/york-2017.ron) are both named \"york-2017\""),
        "{err}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&bigvsim_ok(&[
        "compare",
        "models/york-2017.ron",
        "models/york-2017.ron",
        "--design-set",
        "1:brain.reboot_concurrency=40",
        "-r",
        "4",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(doc["designs"][0]["model"], "york-2017");
    assert_eq!(
        doc["designs"][1]["model"],
        "york-2017+brain.reboot_concurrency=40"
    );
    let recovery = |k: usize| {
        doc["designs"][k]["metrics"]["full_recovery_s"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert!(recovery(1) < recovery(0) - 1_000.0, "{doc}");
    assert_eq!(doc["paired"][0]["baseline"], "york-2017");
    // Malformed or out-of-range overrides are refused with exit 2, naming the argument.
    for (bad, why) in [
        ("2:brain.reboot_concurrency=40", "there is no design 2"),
        (
            "x:brain.reboot_concurrency=40",
            "\"x\" is not a design position",
        ),
        ("1:brain.reboot_concurrency", "no '='"),
        (
            "brain.reboot_concurrency=40",
            "no design position before ':'",
        ),
    ] {
        let (code, _, err) = output(&[
            "compare",
            "models/york-2017.ron",
            "models/york-2017.ron",
            "--design-set",
            bad,
        ]);
        assert_eq!(code, Some(2), "{bad}: {err}");
        assert!(err.contains(&format!("--design-set {bad}: {why}")), "{err}");
    }
    // A path the model does not have is the loader's error, as for --set.
    let (code, _, err) = output(&[
        "compare",
        "models/york-2017.ron",
        "models/york-2017.ron",
        "--design-set",
        "1:brain.nonsense=1",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("nonsense"), "{err}");
}

#[test]
fn compare_text_fits_in_100_columns_unless_wide() {
    // Five designs: the design table is split so that no line is longer than 100
    // characters; --wide prints it in one piece, wider. The difference tables carry
    // the verdict of each key metric in words. With --all every metric is a row, and
    // each difference table (its percentages with their CI) is split in two as well.
    let mut args = vec!["compare"];
    args.extend_from_slice(DESIGNS);
    args.extend_from_slice(&["-r", "4", "--all"]);
    let narrow = String::from_utf8(bigvsim_ok(&args)).unwrap();
    let long: Vec<&str> = narrow
        .lines()
        .filter(|l| !l.starts_with("model ") && l.chars().count() > 100)
        .collect();
    assert!(long.is_empty(), "{long:#?}");
    assert_eq!(narrow.matches("\nmetric ").count(), 3 + 2 * 4, "{narrow}");
    args.push("--wide");
    let wide = String::from_utf8(bigvsim_ok(&args)).unwrap();
    assert_eq!(wide.matches("\nmetric ").count(), 1 + 4, "{wide}");
    assert!(wide.lines().any(|l| l.chars().count() > 100));
    let fast = wide
        .split("york-2017-fast-reboot − york-2017")
        .nth(1)
        .unwrap();
    let row = |key: &str| {
        fast.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("{key} in {fast}"))
            .to_string()
    };
    assert!(
        row("downtime_min_per_vm_year").ends_with("  better"),
        "{fast}"
    );
    assert!(row("full_recovery_s").ends_with("none: shape"), "{fast}");
    assert!(row("vm_reboots").ends_with("none: neutral"), "{fast}");
}

#[test]
fn one_replication_has_no_interval_in_any_output() {
    // With one replication no spread can be estimated: every `ci95` and `std` is null
    // (run, a sweep point, a merged shard, a Welch difference with independent seeds),
    // no verdict is given, and the text tables print n/a and say why once.
    let model = "models/york-2017.ron";
    let json =
        |args: &[&str]| -> serde_json::Value { serde_json::from_slice(&bigvsim_ok(args)).unwrap() };
    let no_interval = |m: &serde_json::Value, what: &str| {
        assert!(m["ci95"].is_null(), "{what}: {m}");
        assert!(m["mean"].is_number(), "{what}: {m}");
        if m.get("std").is_some() {
            assert!(m["std"].is_null(), "{what}: {m}");
        }
    };
    let doc = json(&["run", model, "-r", "1", "--format", "json"]);
    no_interval(&doc["metrics"]["full_recovery_s"], "run");
    let doc = json(&[
        "sweep",
        model,
        "--param",
        "brain.reboot_concurrency=10,20",
        "-r",
        "1",
        "--format",
        "json",
    ]);
    for p in doc["points"].as_array().unwrap() {
        no_interval(&p["metrics"]["full_recovery_s"], "sweep");
    }
    let doc = json(&[
        "compare",
        model,
        "models/york-2017-fast-reboot.ron",
        "-r",
        "1",
        "--independent-seeds",
        "--format",
        "json",
    ]);
    let pair = &doc["paired"][0];
    no_interval(&pair["metrics"]["full_recovery_s"], "welch");
    assert_eq!(pair["verdicts"], serde_json::json!([]), "{pair}");
    // A one-replication study split in one shard and merged.
    let dir = scratch("one-rep");
    std::fs::create_dir_all(&dir).unwrap();
    let part = dir.join("part.json");
    std::fs::write(
        &part,
        bigvsim_ok(&["run", model, "-r", "1", "--shard", "0/1"]),
    )
    .unwrap();
    let doc = json(&["merge", part.to_str().unwrap(), "--format", "json"]);
    no_interval(&doc["metrics"]["full_recovery_s"], "merge");
    // Text: n/a in place of the interval and the spread, and the reason once.
    let text = String::from_utf8(bigvsim_ok(&["run", model, "-r", "1", "--all"])).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("full_recovery_s"))
        .unwrap();
    assert_eq!(row.matches("n/a").count(), 2, "{row}");
    assert_eq!(
        text.matches("needs at least 2 replications").count(),
        1,
        "{text}"
    );
    let text = String::from_utf8(bigvsim_ok(&[
        "sweep",
        model,
        "--param",
        "brain.reboot_concurrency=10,20",
        "-r",
        "1",
    ]))
    .unwrap();
    assert!(text.contains("± n/a"), "{text}");
    assert_eq!(
        text.matches("needs at least 2 replications").count(),
        1,
        "{text}"
    );
    // Two replications do have an interval.
    let doc = json(&["run", model, "-r", "2", "--format", "json"]);
    assert!(doc["metrics"]["full_recovery_s"]["ci95"].is_array());
}

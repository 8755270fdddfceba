//! Inputs that must be refused with one line naming the argument or field, one test
//! per class: labels made from typed text, overrides that would silently replace one
//! another or repeat a value, options that would be accepted and ignored, part files
//! holding what no command writes, `--out --force` over the command's own inputs, and
//! memory refusals caused by a `--set`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use super::common::{QUIET, bigvsim, scratch};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `QUIET` (or `text`) written as `name` in `dir`.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Asserts the command is refused as bad input with one `error:` line holding every
/// piece of `says`.
#[track_caller]
fn refused(args: &[&str], says: &[&str]) {
    let o = bigvsim(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?} was not refused: {err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    for s in says {
        assert!(err.contains(s), "{args:?}: `{s}` not in {err}");
    }
}

#[track_caller]
fn accepted(args: &[&str]) -> Output {
    let o = bigvsim(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

#[test]
fn labels_made_from_typed_text_follow_the_name_rules() {
    // Proves a --design-set or --param value that would put `|`, a control or an
    // invisible character, or more than 100 characters into a design's name or a
    // point's label is refused naming the argument (RON comments let such text
    // through the value itself), as is a --set that would put them into the record
    // of overrides; plain values still run.
    let dir = scratch("labels");
    let m = write(&dir, "m.ron", QUIET);
    let long = format!("8 /* {} */", "x".repeat(120));
    let bad_lines = [
        "8 // a|b".to_string(),
        "8 /* a|b */".to_string(),
        "8 /*\n*/".to_string(),
        "8 /*\t*/".to_string(),
        "8 /* \u{200b} */".to_string(),
    ];
    for v in bad_lines.iter().chain(std::iter::once(&long)) {
        let ds = format!("1:brain.reboot_concurrency={v}");
        refused(
            &["compare", &m, &m, "-r", "1", "--design-set", &ds],
            &["--design-set 1:brain.reboot_concurrency="],
        );
        let p = format!("brain.reboot_concurrency={v},9");
        refused(
            &["sweep", &m, "-r", "1", "--param", &p],
            &["--param brain.reboot_concurrency"],
        );
    }
    // A recorded override is not a name: only the rules of one line apply to --set.
    for v in &bad_lines {
        let s = format!("brain.reboot_concurrency={v}");
        refused(
            &["run", &m, "-r", "1", "--set", &s],
            &["--set brain.reboot_concurrency="],
        );
    }
    accepted(&[
        "compare",
        &m,
        &m,
        "-r",
        "1",
        "--design-set",
        "1:brain.reboot_concurrency=9",
    ]);
    accepted(&[
        "sweep",
        &m,
        "-r",
        "1",
        "--param",
        "brain.reboot_concurrency=8,9",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_override_never_silently_replaces_another() {
    // Proves one rule everywhere: a later --design-set of a path a --set or an
    // earlier --design-set already set, a --set of one path spelt two ways, a
    // change's `set:` naming one path twice, and --vary of one path twice are
    // refused; a part after its whole refines it, in sweep, solve and sensitivity
    // alike.
    let dir = scratch("replace");
    let m = write(&dir, "m.ron", QUIET);
    for (common, own) in [
        (
            None,
            [
                "1:brain.reboot_concurrency=9",
                "1:brain.reboot_concurrency=10",
            ],
        ),
        (None, ["1:faults[0].at=2h", "1:faults[00].at=3h"]),
        (
            None,
            [
                "1:brain.reboot_concurrency=9",
                "1:brain=(reboot_concurrency: 7)",
            ],
        ),
        (
            Some("brain.reboot_concurrency=9"),
            ["0:head.repair=1h", "1:brain.reboot_concurrency=10"],
        ),
    ] {
        let mut args = vec!["compare", &m, &m, "-r", "1"];
        if let Some(c) = common {
            args.extend(["--set", c]);
        }
        for o in &own {
            args.extend(["--design-set", o]);
        }
        refused(&args, &["--design-set 1:", "it would overwrite"]);
    }
    refused(
        &[
            "run",
            &m,
            "-r",
            "1",
            "--set",
            "faults[0].at=2h",
            "--set",
            "faults[00].at=3h",
        ],
        &["--set faults[00].at=3h: it would overwrite --set faults[0].at=2h"],
    );
    refused(
        &[
            "explain",
            &m,
            "--set",
            "faults[0].at=2h",
            "--set",
            "faults[00].at=3h",
        ],
        &["--set faults[00].at=3h: it would overwrite --set faults[0].at=2h"],
    );
    // A change that sets one path twice, in an At or a Rollout, spelt alike or not.
    for set in [
        r#"["supervisor.crash_on_reset=0", "supervisor.crash_on_reset=0.5"]"#,
        r#"["supervisor.crash_on_reset=0", "supervisor.crashes_per_year=1", " supervisor.crash_on_reset = 0"]"#,
    ] {
        for change in [
            format!(r#"At(at: "2h", set: {set})"#),
            format!(r#"Rollout(at: "2h", over: "1h", set: {set})"#),
        ] {
            let text = QUIET.replace("faults: [", &format!("changes: [{change}],\n    faults: ["));
            let f = write(&dir, "change.ron", &text);
            refused(
                &["validate", &f],
                &["field `changes[0].set[", "would overwrite"],
            );
        }
    }
    // --vary of one path spelt two ways.
    refused(
        &[
            "sensitivity",
            &m,
            "-r",
            "1",
            "--samples",
            "8",
            "--vary",
            "faults[0].at=1h..2h",
            "--vary",
            "faults[00].at=1h..3h",
        ],
        &["--vary", "varied twice"],
    );
    // A section fixed by --set and one of its fields varied: a refinement, accepted
    // by sweep, solve and sensitivity alike.
    let whole = "supervisor=(restart: Fixed(\"5s\"), crash_on_reset: 0.5)";
    accepted(&[
        "sweep",
        &m,
        "-r",
        "1",
        "--set",
        whole,
        "--param",
        "supervisor.crashes_per_year=0,1",
    ]);
    accepted(&[
        "solve",
        &m,
        "-r",
        "1",
        "--set",
        whole,
        "--param",
        "supervisor.crashes_per_year=0..10",
        "--target",
        "full_recovery_s.mean<=2d",
    ]);
    accepted(&[
        "sensitivity",
        &m,
        "-r",
        "1",
        "--samples",
        "5",
        "--set",
        whole,
        "--vary",
        "supervisor.crashes_per_year=0..10",
    ]);
    // The field fixed and its section varied would replace it: refused.
    refused(
        &[
            "sweep",
            &m,
            "-r",
            "1",
            "--set",
            "supervisor.crash_on_reset=0.5",
            "--param",
            "supervisor=(crash_on_reset: 0.1),(crash_on_reset: 0.2)",
        ],
        &["also fixed by --set"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn values_are_equal_by_their_meaning() {
    // Proves a sweep value listed twice is refused when the two spellings mean the
    // same (numbers, durations, Some(n) and n, a bare duration and Fixed), model
    // targets are compared by meaning, and sensitivity refuses two designs of one
    // name; values that differ still run.
    let dir = scratch("meaning");
    let m = write(&dir, "m.ron", QUIET);
    for p in [
        "brain.reboot_concurrency=10,010",
        "brain.reboot_concurrency=10,+10",
        "supervisor.crash_on_reset=0.1,0.10",
        "supervisor.crash_on_reset=0.5,5e-1",
        "horizon=1d,24h",
        "faults[0].at=10s,10000ms",
        "head.repair=4m,Fixed(\"4m\")",
        "head.repair=Exponential(mean: \"1h\"),Exponential( mean : \"60m\" )",
        "brain.per_head_concurrency=4,Some(4)",
    ] {
        refused(
            &["sweep", &m, "-r", "1", "--param", p],
            &["is listed twice"],
        );
    }
    accepted(&[
        "sweep",
        &m,
        "-r",
        "1",
        "--param",
        "faults[0].at=10s,10001ms",
    ]);
    for (a, b) in [
        ("site_recovery_s.p90<=1h", "site_recovery_s.p90 <= 3600s"),
        ("site_recovery_s.p90<=1h", "site_recovery_s.p90<=60m"),
        (
            "vm_availability.mean>=0.999",
            "vm_availability.mean>=0.9990",
        ),
    ] {
        let text = QUIET.replace(
            "faults: [",
            &format!("targets: [{a:?}, {b:?}],\n    faults: ["),
        );
        let f = write(&dir, "targets.ron", &text);
        refused(&["validate", &f], &["field `targets[1]`", "listed twice"]);
    }
    let other = write(
        &dir,
        "other.ron",
        &QUIET.replace(
            "faults: [",
            "head: (failures_per_year: 1.0),\n    faults: [",
        ),
    );
    refused(
        &[
            "sensitivity",
            &m,
            &other,
            "-r",
            "1",
            "--samples",
            "5",
            "--vary",
            "supervisor.crashes_per_year=0..10",
        ],
        &["are both named \"quiet\""],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn options_are_honoured_or_refused() {
    // Proves every option a command would accept and then ignore is refused with the
    // reason: --wide and --min-effect with --shard, --force without --out, --wide
    // with JSON only, --wide for sensitivity's text, and on merge --target and
    // --min-effect on sensitivity parts and --min-effect on a run's parts.
    let dir = scratch("options");
    let m = write(&dir, "m.ron", QUIET);
    refused(
        &["run", &m, "-r", "2", "--shard", "0/2", "--wide"],
        &["--wide"],
    );
    refused(
        &[
            "sweep",
            &m,
            "-r",
            "2",
            "--shard",
            "0/2",
            "--wide",
            "--param",
            "brain.reboot_concurrency=8,9",
        ],
        &["--wide"],
    );
    refused(
        &[
            "compare",
            &m,
            &m,
            "-r",
            "2",
            "--shard",
            "0/2",
            "--min-effect",
            "5%",
            "--design-set",
            "1:brain.reboot_concurrency=9",
        ],
        &["--min-effect 5%"],
    );
    refused(
        &[
            "sweep",
            &m,
            "-r",
            "2",
            "--shard",
            "0/2",
            "--min-effect",
            "1%",
            "--param",
            "brain.reboot_concurrency=8,9",
        ],
        &["--min-effect 1%"],
    );
    refused(
        &[
            "sensitivity",
            &m,
            "-r",
            "1",
            "--samples",
            "5",
            "--shard",
            "0/2",
            "--wide",
            "--vary",
            "supervisor.crashes_per_year=0..10",
        ],
        &["--wide"],
    );
    // Without --shard, sensitivity honours --wide (its prose is not wrapped): see
    // glance::sensitivity_ranks_the_key_metrics_and_all_of_them_with_all.
    refused(&["run", &m, "-r", "2", "--force"], &["--force"]);
    refused(
        &[
            "solve",
            &m,
            "-r",
            "1",
            "--force",
            "--param",
            "brain.reboot_concurrency=1..10",
            "--target",
            "full_recovery_s.mean<=2d",
        ],
        &["--force"],
    );
    refused(
        &["run", &m, "-r", "2", "--wide", "--format", "json"],
        &["--wide"],
    );
    // Parts of a run and of a sensitivity study.
    let part = |args: &[&str], name: &str| {
        let o = accepted(args);
        write(&dir, name, &String::from_utf8(o.stdout).unwrap())
    };
    let r0 = part(&["run", &m, "-r", "2", "--shard", "0/2"], "r0.json");
    let r1 = part(&["run", &m, "-r", "2", "--shard", "1/2"], "r1.json");
    let sens = [
        "sensitivity",
        &m,
        "-r",
        "1",
        "--samples",
        "5",
        "--vary",
        "supervisor.crashes_per_year=0..10",
        "--shard",
    ];
    let s0 = part(&[&sens[..], &["0/2"]].concat(), "s0.json");
    let s1 = part(&[&sens[..], &["1/2"]].concat(), "s1.json");
    refused(
        &["merge", &r0, &r1, "--min-effect", "5%"],
        &["--min-effect 5%", "run"],
    );
    refused(
        &["merge", &s0, &s1, "--min-effect", "5%"],
        &["--min-effect 5%", "sensitivity"],
    );
    refused(
        &["merge", &s0, &s1, "--target", "site_recovery_s.p90<=1h"],
        &["--target", "sensitivity"],
    );
    accepted(&["merge", &s0, &s1, "--wide", "--all"]);
    accepted(&["merge", &r0, &r1]);
    accepted(&["merge", &s0, &s1]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The part files of `args` run with `--shard k/2`, k = 0, 1.
fn parts(args: &[&str]) -> Vec<(String, String)> {
    (0..2)
        .map(|k| {
            let shard = format!("{k}/2");
            let o = accepted(&[args, &["--shard", &shard]].concat());
            (format!("p{k}"), String::from_utf8(o.stdout).unwrap())
        })
        .collect()
}

/// `text` with `edit` applied to its JSON value.
fn edited(text: &str, edit: &dyn Fn(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(text).unwrap();
    edit(&mut v);
    serde_json::to_string_pretty(&v).unwrap()
}

type Edit = (&'static str, Box<dyn Fn(&mut Value)>);

#[test]
fn merge_checks_every_field_as_the_command_would() {
    // Proves part files edited alike (so they still belong together) to hold what
    // their command never writes are refused by merge, naming the first part: unknown or repeated overrides, names no model may
    // have, two designs of one name, a zero horizon, metric values out of their
    // range, unknown sweep paths, sweep values repeated by meaning, unknown varied
    // paths, scales and ranges outside the schema's; and that a command refuses up
    // front a shard count merge would refuse.
    let dir = scratch("merge");
    let m = write(&dir, "m.ron", QUIET);
    let m2 = write(&dir, "m2.ron", &QUIET.replace("\"quiet\"", "\"quiet2\""));
    let study_edits: Vec<Edit> = vec![
        (
            "unknown override",
            Box::new(|v| v["overrides"] = serde_json::json!(["brain.no_such=1"])),
        ),
        (
            "override value",
            Box::new(|v| v["overrides"] = serde_json::json!(["brain.reboot_concurrency=abc"])),
        ),
        (
            "override twice",
            Box::new(|v| v["overrides"] = serde_json::json!(["head.repair=1h", "head.repair=2h"])),
        ),
        (
            "override with |",
            Box::new(|v| v["overrides"] = serde_json::json!(["brain.reboot_concurrency=4 // |"])),
        ),
        (
            "long name",
            Box::new(|v| v["designs"][0]["name"] = Value::from("n".repeat(100_000))),
        ),
        (
            "name with |",
            Box::new(|v| v["designs"][0]["name"] = Value::from("a|b")),
        ),
        (
            "name with newline",
            Box::new(|v| v["designs"][0]["name"] = Value::from("a\nb")),
        ),
        (
            "blank name",
            Box::new(|v| v["designs"][0]["name"] = Value::from("  ")),
        ),
        (
            "zero horizon",
            Box::new(|v| v["designs"][0]["horizon_us"] = Value::from(0)),
        ),
        (
            "availability",
            Box::new(|v| v["designs"][0]["replications"][0]["metrics"][0] = Value::from(-1e308)),
        ),
        (
            "availability above 1",
            Box::new(|v| v["designs"][0]["replications"][0]["metrics"][0] = Value::from(1.5)),
        ),
        (
            "negative count",
            Box::new(|v| v["designs"][0]["replications"][0]["metrics"][7] = Value::from(-1.0)),
        ),
        (
            "fractional count",
            Box::new(|v| v["designs"][0]["replications"][0]["metrics"][7] = Value::from(0.5)),
        ),
        (
            "target twice",
            Box::new(|v| {
                v["targets"] =
                    serde_json::json!(["site_recovery_s.p90<=1h", "site_recovery_s.p90<=60m"])
            }),
        ),
    ];
    let run = parts(&["run", &m, "-r", "2"]);
    let compare = parts(&["compare", &m, &m2, "-r", "2"]);
    for (what, edit) in &study_edits {
        for ps in [&run, &compare] {
            let mut p = ps.clone();
            for part in &mut p {
                part.1 = edited(&part.1, edit);
            }
            let e = bigvsim::experiment::shard::merge_texts(&p)
                .err()
                .unwrap_or_else(|| panic!("{what}: merged"))
                .to_string();
            assert!(e.starts_with("p0: ") && !e.contains('\n'), "{what}: {e}");
        }
    }
    let mut p = compare.clone();
    p[0].1 = edited(&p[0].1, &|v| v["designs"][1]["name"] = Value::from("quiet"));
    let e = bigvsim::experiment::shard::merge_texts(&p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("both named"), "{e}");
    // A sweep's labels.
    let sweep = parts(&[
        "sweep",
        &m,
        "-r",
        "2",
        "--param",
        "brain.reboot_concurrency=8,9",
    ]);
    let sweep_edits: Vec<Edit> = vec![
        (
            "unknown path",
            Box::new(|v| {
                v["sweep"]["params"] = serde_json::json!(["brain.no_such"]);
                v["designs"][0]["name"] = Value::from("brain.no_such=8");
                v["designs"][1]["name"] = Value::from("brain.no_such=9");
            }),
        ),
        (
            "value twice",
            Box::new(|v| {
                v["sweep"]["values"] = serde_json::json!([["8"], ["08"]]);
                v["designs"][1]["name"] = Value::from("brain.reboot_concurrency=08");
            }),
        ),
        (
            "label",
            Box::new(|v| v["designs"][1]["name"] = Value::from("brain.reboot_concurrency=10")),
        ),
        (
            "model name",
            Box::new(|v| v["sweep"]["model"] = Value::from("a|b")),
        ),
    ];
    for (what, edit) in &sweep_edits {
        let mut p = sweep.clone();
        for part in &mut p {
            part.1 = edited(&part.1, edit);
        }
        let e = bigvsim::experiment::shard::merge_texts(&p)
            .err()
            .unwrap_or_else(|| panic!("{what}: merged"))
            .to_string();
        assert!(e.starts_with("p0: ") && !e.contains('\n'), "{what}: {e}");
    }
    // A sensitivity study's ranges, designs, overrides and results.
    let sens = parts(&[
        "sensitivity",
        &m,
        "-r",
        "1",
        "--samples",
        "5",
        "--vary",
        "supervisor.crash_on_reset=0..1",
    ]);
    let sens_edits: Vec<Edit> = vec![
        (
            "scale",
            Box::new(|v| v["params"][0]["scale"] = Value::from("cubic")),
        ),
        (
            "probability of 5",
            Box::new(|v| v["params"][0]["hi"] = Value::from(5.0)),
        ),
        (
            "unknown path",
            Box::new(|v| v["params"][0]["path"] = Value::from("supervisor.no_such")),
        ),
        (
            "unit",
            Box::new(|v| v["params"][0]["unit"] = Value::from("s")),
        ),
        (
            "values",
            Box::new(|v| v["results"][0]["values"][0] = Value::from(0.123)),
        ),
        (
            "mean",
            Box::new(|v| v["results"][0]["means"][0][0] = Value::from(-1e308)),
        ),
        (
            "long name",
            Box::new(|v| v["designs"][0]["name"] = Value::from("n".repeat(100_000))),
        ),
        (
            "hash",
            Box::new(|v| v["designs"][0]["hash"] = Value::from("xyz")),
        ),
        (
            "unknown override",
            Box::new(|v| v["overrides"] = serde_json::json!(["no.such=1"])),
        ),
        (
            "fixed varied path",
            Box::new(|v| v["overrides"] = serde_json::json!(["supervisor.crash_on_reset=0.5"])),
        ),
    ];
    for (what, edit) in &sens_edits {
        let mut p = sens.clone();
        for part in &mut p {
            part.1 = edited(&part.1, edit);
        }
        let e = bigvsim::experiment::sensitivity::part::merge_texts(&p)
            .err()
            .unwrap_or_else(|| panic!("{what}: merged"));
        assert!(e.starts_with("p0: ") && !e.contains('\n'), "{what}: {e}");
    }
    // Shard counts merge would refuse are refused up front.
    refused(
        &[
            "sensitivity",
            &m,
            "-r",
            "1",
            "--samples",
            "5",
            "--vary",
            "supervisor.crash_on_reset=0..1",
            "--shard",
            "0/10001",
        ],
        &["--shard"],
    );
    refused(
        &["run", &m, "-r", "2", "--shard", "0/1000001"],
        &["--shard"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn out_force_never_deletes_the_inputs() {
    // Proves `--out DIR --force` is refused, and DIR left as it was, when a model
    // file or a part being merged is inside DIR, however its path is written
    // (through `..`, through a link to DIR); a DIR beside the inputs is replaced.
    let dir = scratch("force");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let inside = write(&out, "m.ron", QUIET);
    let outs = out.to_str().unwrap();
    let detour = format!("{}/../out/m.ron", outs);
    let link = dir.join("link");
    std::os::unix::fs::symlink(&out, &link).unwrap();
    let through_link = format!("{}/m.ron", link.to_str().unwrap());
    let beside = write(
        &dir,
        "beside.ron",
        &QUIET.replace("\"quiet\"", "\"beside\""),
    );
    for model in [&inside, &detour, &through_link] {
        refused(
            &["run", model, "-r", "1", "--out", outs, "--force"],
            &["--out", "--force", "m.ron"],
        );
        refused(
            &[
                "compare", &beside, model, "-r", "1", "--out", outs, "--force",
            ],
            &["--out", "m.ron"],
        );
        refused(
            &[
                "sweep",
                model,
                "-r",
                "1",
                "--param",
                "brain.reboot_concurrency=8,9",
                "--out",
                outs,
                "--force",
            ],
            &["--out", "m.ron"],
        );
        assert!(Path::new(&inside).exists());
    }
    // Parts inside the directory.
    for k in 0..2 {
        let shard = format!("{k}/2");
        let o = accepted(&["run", &beside, "-r", "2", "--shard", &shard]);
        std::fs::write(out.join(format!("p{k}.json")), o.stdout).unwrap();
    }
    let p0 = out.join("p0.json");
    let p1 = out.join("p1.json");
    refused(
        &[
            "merge",
            p0.to_str().unwrap(),
            p1.to_str().unwrap(),
            "--out",
            outs,
            "--force",
        ],
        &["--out", "p0.json"],
    );
    assert!(p0.exists() && p1.exists());
    // The report replaces a directory that holds no input.
    accepted(&["run", &beside, "-r", "1", "--out", outs, "--force"]);
    assert!(out.join("report.md").exists() && !Path::new(&inside).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_memory_refusal_names_the_set_that_caused_it() {
    // Proves a model too large because of a --set is refused naming that --set and
    // the field it set, not the site in the file, whatever other --set comes first
    // or after.
    for (sets, blamed, field) in [
        (
            vec!["migration.concurrency=4294967295"],
            "--set migration.concurrency=4294967295",
            "field `migration.concurrency`",
        ),
        (
            vec![
                "brain.reboot_concurrency=30",
                "migration.concurrency=4000000000",
            ],
            "--set migration.concurrency=4000000000",
            "field `migration.concurrency`",
        ),
        (
            vec![
                "migration.concurrency=4000000000",
                "brain.reboot_concurrency=30",
            ],
            "--set migration.concurrency=4000000000",
            "field `migration.concurrency`",
        ),
        (
            vec!["site.vm_slots_per_head=4000000000"],
            "--set site.vm_slots_per_head=4000000000",
            "field `site.vm_slots_per_head`",
        ),
    ] {
        let mut args = vec!["validate", "models/york-maintenance-migrate.ron"];
        for s in &sets {
            args.extend(["--set", s]);
        }
        refused(&args, &[blamed, field]);
    }
}

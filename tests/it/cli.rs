//! The command line as users type it: output contracts, exit codes, error locations.

use std::process::Command;

use super::common::{bigvsim, bin, root, scratch};

#[test]
fn run_json_is_byte_identical_and_has_the_contract_keys() {
    // The same command twice prints the same bytes; the document has the stable keys.
    let args = [
        "run",
        "models/york-2017.ron",
        "-r",
        "20",
        "--format",
        "json",
    ];
    let a = bigvsim(&args);
    let b = bigvsim(&args);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let doc: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(doc["model"], "york-2017");
    assert_eq!(doc["seed"], 1);
    assert_eq!(doc["replications"], 20);
    for key in [
        "vm_availability",
        "downtime_min_per_vm_year",
        "full_recovery_s",
        "vm_outage_p99_s",
        "supervisor_crashes",
        "vm_reboots",
        "events",
    ] {
        let m = &doc["metrics"][key];
        for field in ["mean", "std", "min", "max"] {
            assert!(m[field].is_number(), "{key}.{field}");
        }
        assert_eq!(m["ci95"].as_array().map(|a| a.len()), Some(2), "{key}");
    }
}

#[test]
fn jobs_do_not_change_the_output() {
    // --jobs 1 and --jobs 2 print the same bytes.
    let one = bigvsim(&[
        "run",
        "models/york-year.ron",
        "-r",
        "8",
        "--format",
        "json",
        "--jobs",
        "1",
    ]);
    let two = bigvsim(&[
        "run",
        "models/york-year.ron",
        "-r",
        "8",
        "--format",
        "json",
        "--jobs",
        "2",
    ]);
    assert!(one.status.success());
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn set_changes_the_run_without_editing_the_file() {
    // Doubling the reboot concurrency with no contention halves the boot phase:
    // the recovery time falls well below the baseline.
    let full = |sets: &[&str]| {
        let mut args = vec![
            "run",
            "models/york-2017.ron",
            "-r",
            "10",
            "--format",
            "json",
        ];
        for s in sets {
            args.push("--set");
            args.push(s);
        }
        let out = bigvsim(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["metrics"]["full_recovery_s"]["mean"].as_f64().unwrap()
    };
    let flat = "brain.boot_slowdown_per_boot_on_site=0";
    let base = full(&[flat]);
    let doubled = full(&[flat, "brain.reboot_concurrency=40"]);
    let ratio = doubled / base;
    assert!((0.45..0.6).contains(&ratio), "{doubled} / {base} = {ratio}");
}

#[test]
fn misspelled_field_names_file_line_column_and_field() {
    // `reboot_concurency` on line 3: exit 2, the message names file:3:col, the field
    // path and the nearest valid name.
    let dir = scratch("typo");
    let path = dir.join("typo.ron");
    std::fs::write(
        &path,
        "(\n    name: \"typo\", horizon: \"1d\", site: (heads: 2, vms_per_head: 2),\n    brain: (reboot_concurency: 4),\n)\n",
    )
    .unwrap();
    let out = bigvsim(&["run", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("typo.ron:3:"), "{err}");
    assert!(err.contains("brain.reboot_concurency"), "{err}");
    assert!(err.contains("did you mean `reboot_concurrency`"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn trace_prints_json_lines() {
    // `trace --limit 5` prints exactly five JSON objects with time and event name.
    let out = bigvsim(&["trace", "models/york-2017.ron", "--limit", "5"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["t_us"].is_u64() && v["event"].is_string(), "{l}");
    }
}

#[test]
fn messages_go_to_stderr_and_stdout_carries_only_the_result() {
    // With --out, "report written to" is on stderr; stdout is the table alone, as
    // without --out, and --format json stays one parseable document.
    let dir = scratch("stderr").join("out");
    let dir_arg = dir.to_string_lossy().into_owned();
    let plain = bigvsim(&["run", "models/york-2017.ron", "-r", "2"]);
    let with_out = bigvsim(&["run", "models/york-2017.ron", "-r", "2", "--out", &dir_arg]);
    assert!(with_out.status.success());
    assert_eq!(with_out.stdout, plain.stdout);
    let err = String::from_utf8_lossy(&with_out.stderr);
    assert!(
        err.contains(&format!("report written to {dir_arg}/report.md")),
        "{err}"
    );
    // A report goes into a new (or empty) directory.
    let _ = std::fs::remove_dir_all(&dir);
    let json = bigvsim(&[
        "run",
        "models/york-2017.ron",
        "-r",
        "2",
        "--format",
        "json",
        "--out",
        &dir_arg,
    ]);
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&json.stdout).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_text_fits_in_100_columns_with_units_in_the_label() {
    // One row per metric; the unit is in the row label (the key's suffix or a
    // bracketed unit), not in a column of its own; each row has one number format.
    // With --all: every metric, and the spread over replications in a table of its own.
    let out = bigvsim(&["run", "models/york-year.ron", "-r", "4", "--all"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    let header = text.lines().find(|l| l.starts_with("metric")).unwrap();
    assert!(!header.contains("unit"), "{header}");
    // The metric's row in the means table and in the spread table: mean,
    // ± half-width, std, then min, p50, p90, p99, max, all with the same number of
    // decimals.
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("downtime_min_per_vm_year "))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    let decimals: Vec<usize> = rows
        .iter()
        .flat_map(|row| row.split_whitespace().skip(1))
        .filter(|w| *w != "±")
        .map(|w| w.split('.').nth(1).map_or(0, str::len))
        .collect();
    assert_eq!(decimals.len(), 8, "{rows:?}");
    assert!(decimals.windows(2).all(|w| w[0] == w[1]), "{rows:?}");
    let row = text
        .lines()
        .find(|l| l.starts_with("supervisor_crashes (count)"))
        .unwrap();
    assert!(!row.contains(" count"), "{row}");
}

#[test]
fn validate_verbose_prints_the_resolved_parameters() {
    // validate checks and summarises; with -v it also prints every resolved parameter,
    // defaults and --set overrides included, on stdout.
    let quiet = bigvsim(&["validate", "models/york-2017.ron"]);
    let quiet = String::from_utf8(quiet.stdout).unwrap();
    assert!(
        quiet.starts_with("ok models/york-2017.ron: york-2017"),
        "{quiet}"
    );
    assert!(!quiet.contains("reboot_concurrency"), "{quiet}");
    let out = bigvsim(&[
        "validate",
        "-v",
        "models/york-2017.ron",
        "--set",
        "brain.reboot_concurrency=33",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ok models/york-2017.ron"), "{text}");
    assert!(text.contains("reboot_concurrency: 33"), "{text}");
    assert!(text.contains("boot_slowdown_per_boot_on_site"), "{text}");
}

/// Runs `args` and asserts a refusal: exit 2, nothing on stdout, exactly one `error:`
/// line on stderr (containing `says`).
fn refused(args: &[&str], says: &str) {
    let o = bigvsim(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(o.stdout.is_empty(), "{args:?}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: {err}");
    assert!(errors[0].contains(says), "{args:?}: {err}");
}

#[test]
fn arguments_that_would_silently_mislead_are_refused() {
    // Each of these would run and print something that is not what it says: a
    // sweep row overwritten by a second list for the same path, or by a --set of the
    // swept path, or run twice; an override overwritten by a later one; an empty
    // path; a shard asked for a report or for text; a trace of no events. Each is
    // refused before anything is created.
    let m = "models/york-2017.ron";
    let out = scratch("refused").join("out");
    let out_dir = out.to_str().unwrap();
    let sweep = |extra: &[&'static str]| {
        let mut a = vec!["sweep", m, "-r", "2"];
        a.extend_from_slice(extra);
        a
    };
    refused(
        &sweep(&[
            "--param",
            "brain.reboot_concurrency=10,20",
            "--param",
            "brain.reboot_concurrency=30",
        ]),
        "swept twice",
    );
    refused(
        &sweep(&[
            "--param",
            "brain.reboot_concurrency=10,20",
            "--set",
            "brain.reboot_concurrency=5",
        ]),
        "also fixed by --set",
    );
    refused(
        &sweep(&["--param", "brain.reboot_concurrency=10,20,10"]),
        "listed twice",
    );
    refused(
        &sweep(&["--param", "brain.reboot_concurrency="]),
        "no values",
    );
    for cmd in [vec!["run", m], vec!["validate", m], vec!["trace", m]] {
        let mut a = cmd.clone();
        a.extend_from_slice(&[
            "--set",
            "brain.reboot_concurrency=5",
            "--set",
            "brain.reboot_concurrency =6",
        ]);
        refused(&a, "would overwrite --set brain.reboot_concurrency=5");
    }
    // A whole set after one of its parts would overwrite the part.
    refused(
        &[
            "validate",
            m,
            "--set",
            "brain.reboot_concurrency=5",
            "--set",
            "brain=(reboot_concurrency: 6)",
        ],
        "would overwrite",
    );
    refused(
        &["run", m, "-r", "2", "--out", ""],
        "--out: the path is empty",
    );
    refused(
        &[
            "sweep",
            m,
            "--param",
            "brain.reboot_concurrency=1,2",
            "--out",
            "",
        ],
        "--out",
    );
    refused(&["run", ""], "the path is empty");
    refused(&["merge", ""], "the path is empty");
    refused(
        &["run", m, "-r", "2", "--shard", "0/2", "--out", out_dir],
        "not a report",
    );
    for cmd in [vec!["run", m], vec!["compare", m, m]] {
        let mut a = cmd.clone();
        a.extend_from_slice(&["-r", "2", "--shard", "1/2", "--format", "text"]);
        refused(&a, "always JSON");
    }
    refused(&["trace", m, "--limit", "0"], "--limit must be at least 1");
    refused(&["run", m, "-r", "0"], "--replications must be at least 1");
    refused(&["run", m, "--jobs", "0"], "--jobs must be at least 1");
    refused(&["run", m, "--seed", "18446744073709551616"], "--seed");
    refused(&["compare", m, "-r", "2"], "2 values required");
    assert!(!out.exists(), "a refused command created {out_dir}");
    // A shard prints its partial JSON with the default format or an explicit json.
    for format in [&[][..], &["--format", "json"][..]] {
        let mut a = vec!["run", m, "-r", "2", "--shard", "1/2"];
        a.extend_from_slice(format);
        let o = bigvsim(&a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(doc["format"], "bigvsim-partial-1");
    }
}

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    // `bigvsim run ... | head -1`: once the reader has gone, the output ends with exit
    // 0 and nothing on stderr (no panic from a failed print).
    use std::process::Stdio;
    let mut child = Command::new(bin())
        .args(["run", "models/york-2017.ron", "-r", "2", "--format", "json"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the pipe at once: the document is printed only after the replications
    // have run, so its write meets a reader that has gone.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{:?}", o.status);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The `warning:` lines a successful command prints on stderr.
fn warnings_of(args: &[&str]) -> Vec<String> {
    let out = bigvsim(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    err.lines()
        .filter(|l| l.starts_with("warning:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn sweep_prints_each_warning_once_naming_the_point_it_belongs_to() {
    // Proves a sweep warns as `run` does: the model's own warning once (not once per
    // point), and a warning only some points have once per such point, naming it.
    let m = "models/york-maintenance-migrate.ron";
    let sweep = [
        "sweep",
        m,
        "-r",
        "1",
        "--param",
        "site.vm_slots_per_head=40,44,48",
    ];
    let warnings =
        warnings_of(&[&sweep[..], &["--param", "brain.reboot_concurrency=10,20"]].concat());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    for (w, concurrency) in warnings.iter().zip([10, 20]) {
        assert!(
            w.starts_with(&format!(
                "warning: at site.vm_slots_per_head=40, brain.reboot_concurrency={concurrency}: {m}:"
            )) && w.contains("field `maintenance.drain`: has no effect"),
            "{w}"
        );
    }
    let warnings = warnings_of(&[
        "sweep",
        "models/york-maintenance-reboot.ron",
        "-r",
        "1",
        "--set",
        "maintenance.drain=LiveMigrate",
        "--set",
        "site.vm_slots_per_head=40",
        "--param",
        "brain.reboot_concurrency=10,20,30",
    ]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(!warnings[0].starts_with("warning: at "), "{}", warnings[0]);
}

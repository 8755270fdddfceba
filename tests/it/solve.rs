//! `solve`: goal seeking checked against closed forms, and through the binary.

use bigvsim::experiment::Plan;
use bigvsim::experiment::solve::{Domain, SolveSpec, solve};
use bigvsim::scenario::{self, target::Target};

use super::common::{QUIET, bigvsim, bigvsim_ok, scratch};

/// Solves `spec` on the QUIET model, `reps` replications per probe.
fn solve_quiet(spec: &SolveSpec, reps: u64) -> bigvsim::experiment::solve::Solve {
    solve(
        &|sets| scenario::load_str("quiet.ron", QUIET, sets),
        spec,
        &Plan::new(3, reps),
        &|_, _| {},
    )
    .unwrap()
}

/// Runs `bigvsim solve ARGS` from the repository root; it must succeed. Its stdout.
fn solve_ok(args: &[&str]) -> Vec<u8> {
    bigvsim_ok(&[&["solve"], args].concat())
}

/// A directory holding the QUIET model (with `extra` inserted before its faults), and
/// the model's path.
fn quiet_file(name: &str, extra: &str) -> (std::path::PathBuf, String) {
    let dir = scratch(name);
    let model = dir.join("quiet.ron");
    std::fs::write(
        &model,
        QUIET.replacen("faults:", &format!("{extra}faults:"), 1),
    )
    .unwrap();
    let path = model.to_str().unwrap().to_string();
    (dir, path)
}

/// The smallest number of boot slots c that brings a site-wide crash of `vms` VMs,
/// restart `r_s` and fixed boot `boot_s` back within `target_s`: the makespan is
/// r + ⌈N/c⌉·T, so ⌈N/c⌉ may be at most k = ⌊(target − r)/T⌋ and c = ⌈N/k⌉.
fn closed_form(vms: u64, r_s: u64, boot_s: u64, target_s: u64) -> Option<u64> {
    let k = target_s.checked_sub(r_s)? / boot_s;
    (k > 0).then(|| vms.div_ceil(k))
}

#[test]
fn solve_finds_the_closed_form_number_of_boot_slots() {
    // Several sites (N VMs), boot times (T) and targets: solve's answer is exactly
    // the closed form, and at the slot count below it the target is missed.
    for (heads, per_head, boot_s, target_s) in [
        (10u64, 7u64, 45u64, 410u64),
        (10, 7, 45, 300),
        (20, 10, 30, 200),
        (50, 40, 60, 3600),
        (50, 40, 60, 1000),
    ] {
        let sets: Vec<String> = vec![
            format!("site.heads={heads}"),
            format!("site.vms_per_head={per_head}"),
            format!("brain.boot_time=Fixed(\"{boot_s}s\")"),
        ];
        let target = Target::parse(&format!("full_recovery_s.mean <= {target_s}")).unwrap();
        let spec = SolveSpec {
            param: "brain.reboot_concurrency",
            domain: Domain::Integer { lo: 1, hi: 4000 },
            target: &target,
            largest: false,
            overrides: &sets,
        };
        let s = solve_quiet(&spec, 2);
        let expected = closed_form(heads * per_head, 5, boot_s, target_s);
        assert_eq!(
            s.value.as_deref().map(|v| v.parse::<u64>().unwrap()),
            expected,
            "N={} T={boot_s} target={target_s}: probes {:?}",
            heads * per_head,
            s.probes
                .iter()
                .map(|p| (&p.value, p.result.estimate))
                .collect::<Vec<_>>()
        );
        let c = expected.unwrap();
        // The answer's makespan is the closed form's, and one slot fewer misses.
        let at = s.answer().unwrap();
        let waves = (heads * per_head).div_ceil(c);
        assert_eq!(at.result.estimate, (5 + waves * boot_s) as f64);
        if c > 1 {
            let below = s.neighbour().unwrap();
            assert_eq!(below.value, (c - 1).to_string());
            assert!(!below.result.met);
        }
        assert!(s.monotonicity_breaks().is_empty());
    }
}

#[test]
fn solve_says_when_no_value_in_the_range_meets_the_target() {
    // 70 VMs, 45 s boots, restart 5 s: even unlimited slots take 50 s, so no slot count
    // in 1..100 gets under 40 s. Exit 0, `"value": null`, and the probes made.
    let (dir, model) = quiet_file("solve-none", "");
    let args = [
        model.as_str(),
        "--param",
        "brain.reboot_concurrency=1..100",
        "--target",
        "full_recovery_s.mean<=40s",
        "-r",
        "2",
    ];
    let doc: serde_json::Value =
        serde_json::from_slice(&solve_ok(&[&args[..], &["--format", "json"]].concat())).unwrap();
    assert_eq!(doc["value"], serde_json::Value::Null);
    assert_eq!(doc["param"], "brain.reboot_concurrency");
    let probes = doc["probes"].as_array().unwrap();
    assert!(probes.len() >= 2);
    assert!(probes.iter().all(|p| p["target"]["met"] == false));
    // The text says so in words.
    let text = String::from_utf8(solve_ok(&args)).unwrap();
    assert!(
        text.contains("none of the") && text.contains("values probed in 1..100 meets the target"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn solve_reaches_parameters_inside_distributions_and_faults() {
    // A fault's time: the latest crash whose recovery (410 s: 5 s restart, 9 waves of
    // 45 s) ends by the horizon of 1 d is at 86 400 − 410 = 85 990 s; later crashes
    // are cut by the horizon and cannot meet a `<=` target. Found to within 1 s.
    let target = Target::parse("full_recovery_s.mean <= 410").unwrap();
    let spec = SolveSpec {
        param: "faults[0].at",
        domain: Domain::parse("faults[0].at", "10m", "23h59m", Some("1s")).unwrap(),
        target: &target,
        largest: true,
        overrides: &[],
    };
    let s = solve_quiet(&spec, 2);
    let at = s.answer().unwrap().x / 1e6;
    assert!((85_989.0..=85_990.0).contains(&at), "{at}");
    // A distribution's parameter: the largest mean of exponential boots that still
    // recovers within 30 min exists inside 10 s..10 min, and every probe below it
    // meets the target (the same seeds at every probe make the response monotone).
    let target = Target::parse("full_recovery_s.mean <= 30m").unwrap();
    let sets = vec!["brain.boot_time=Exponential(mean: \"45s\")".to_string()];
    let spec = SolveSpec {
        param: "brain.boot_time.mean",
        domain: Domain::parse("brain.boot_time.mean", "10s", "10m", Some("1s")).unwrap(),
        target: &target,
        largest: true,
        overrides: &sets,
    };
    let s = solve_quiet(&spec, 4);
    let answer = s.answer().unwrap().x;
    assert!(answer > 10e6 && answer < 600e6, "{answer}");
    assert!(s.probes.iter().all(|p| p.result.met == (p.x <= answer)));
    assert!(
        s.monotonicity_breaks().is_empty(),
        "{:?}",
        s.monotonicity_breaks()
    );
}

#[test]
fn solve_refuses_what_it_cannot_solve() {
    for (args, why) in [
        (
            vec!["--param", "brain.reboot_concurrency=1..100"],
            "exactly one target",
        ),
        (
            vec![
                "--param",
                "brain.queue_policy=1..2",
                "--target",
                "full_recovery_s.mean<=1h",
            ],
            "not a number",
        ),
        (
            vec![
                "--param",
                "brain.reboot_concurrency=100..1",
                "--target",
                "full_recovery_s.mean<=1h",
            ],
            "LO must be below HI",
        ),
        (
            vec![
                "--param",
                "brain.reboot_concurrency",
                "--target",
                "full_recovery_s.mean<=1h",
            ],
            "expected PATH=LO..HI",
        ),
        (
            vec![
                "--param",
                "brain.reboot_concurrency=1..100",
                "--target",
                "full_recovery_s.mean<=1h",
                "--set",
                "brain.reboot_concurrency=5",
            ],
            "also fixed by --set",
        ),
        (
            vec![
                "--param",
                "site.heads=0..10",
                "--target",
                "full_recovery_s.mean<=1h",
            ],
            "site.heads",
        ),
    ] {
        let out = bigvsim(&[&["solve", "models/york-2017.ron", "-r", "2"], &args[..]].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(why), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn solve_takes_the_models_own_target_when_it_states_one() {
    // Without --target, the model's single target is solved for: 70 VMs, 45 s boots,
    // restart 5 s, within 410 s: 8 slots (9 waves), as the closed form says.
    let (dir, model) = quiet_file(
        "solve-own",
        "targets: [\"full_recovery_s.mean <= 410\"],\n    ",
    );
    let out = solve_ok(&[
        model.as_str(),
        "--param",
        "brain.reboot_concurrency=1..100",
        "-r",
        "2",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["value"], 8);
    assert_eq!(doc["unit"], "boots");
    assert_eq!(doc["target"], "full_recovery_s.mean <= 410");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn solve_is_the_same_whatever_the_threads() {
    // The same model and seed give byte-identical solve output, with one thread or two.
    let run = |jobs: &str| {
        solve_ok(&[
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurrency=10..80",
            "--target",
            "site_recovery_s.p90<=1.5h",
            "-r",
            "6",
            "--jobs",
            jobs,
            "--format",
            "json",
        ])
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("1"));
}

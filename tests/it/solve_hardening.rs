//! `solve` against exact answers at both ends of the range, in both directions, for
//! whole numbers, numbers and durations; its probe cap, its tolerance floor and its
//! messages; and the one meaning of a target's `met` and `verdict`.

use std::time::Duration;

use bigvsim::experiment::solve::{Domain, Solve, SolveSpec, solve};
use bigvsim::experiment::targets::judge;
use bigvsim::experiment::{Plan, run_batch};
use bigvsim::metrics::{Metric, RunMetrics};
use bigvsim::scenario::{self, target::Op, target::Stat, target::Target};

use super::common::{bigvsim, bigvsim_within, model_str, root};

/// 10 heads × 10 VMs, restart 5 s, 20 boot slots of a fixed 60 s, one site-wide
/// crash at 1 h: the site is back after 5 + ⌈100/c⌉·60 s with c slots.
const TINY: &str = r#"(name: "tiny-crash", horizon: "1d", site: (heads: 10, vms_per_head: 10), supervisor: (restart: Fixed("5s")), brain: (reboot_concurrency: 20, boot_time: Fixed("60s")), faults: [SupervisorCrash(at: "1h", scope: All)])"#;

/// The tiny model's recovery with `c` boot slots, in seconds.
fn tiny_recovery(c: i64) -> f64 {
    (5 + (100 + c - 1) / c * 60) as f64
}

fn solve_tiny(param: &str, domain: Domain, target: &str, largest: bool, sets: &[&str]) -> Solve {
    let target = Target::parse(target).unwrap();
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let spec = SolveSpec {
        param,
        domain,
        target: &target,
        largest,
        overrides: &sets,
    };
    solve(
        &|sets| scenario::load_str("tiny.ron", TINY, sets),
        &spec,
        &Plan::new(1, 2),
        &|_, _| {},
    )
    .unwrap()
}

/// Whether `v op bound`.
fn holds(op: &str, v: f64, bound: f64) -> bool {
    if op == "<=" { v <= bound } else { v >= bound }
}

#[test]
fn solve_gives_the_exact_whole_number_at_either_end_and_inside() {
    // Every direction, operator and bound (answers at LO, at HI, inside, none) on two
    // ranges: solve's answer is the brute-force one over the closed form.
    for (lo, hi) in [(1i64, 100i64), (3, 50)] {
        for op in ["<=", ">="] {
            for bound in [605.0, 6005.0, 65.0, 305.0, 365.0, 40.0, 9000.0, 2045.0] {
                for largest in [false, true] {
                    let meeting: Vec<i64> = (lo..=hi)
                        .filter(|c| holds(op, tiny_recovery(*c), bound))
                        .collect();
                    let expected = if largest {
                        meeting.last()
                    } else {
                        meeting.first()
                    };
                    let s = solve_tiny(
                        "brain.reboot_concurrency",
                        Domain::Integer { lo, hi },
                        &format!("full_recovery_s.mean {op} {bound}"),
                        largest,
                        &[],
                    );
                    assert_eq!(
                        s.value.as_deref().map(|v| v.parse::<i64>().unwrap()),
                        expected.copied(),
                        "{lo}..{hi} {op} {bound} largest={largest}: probes {:?}",
                        s.probes.iter().map(|p| &p.value).collect::<Vec<_>>()
                    );
                }
            }
        }
    }
}

#[test]
fn solve_gives_exact_ends_and_the_threshold_for_numbers_and_durations() {
    // Numbers: with 100 slots one wave of boots, the last started with 99 others in
    // flight: 5 + 60·(1 + 99k) s for a site slowdown k.
    let recovery = |k: f64| 5.0 + 60.0 * (1.0 + 99.0 * k);
    let domain = Domain::parse(
        "brain.boot_slowdown_per_boot_on_site",
        "0",
        "1",
        Some("1e-4"),
    )
    .unwrap();
    for (target, largest, exact) in [
        // The end asked for meets it: exactly that end.
        ("full_recovery_s.mean >= 65", false, Some(0.0)),
        ("full_recovery_s.mean <= 6005", true, Some(1.0)),
        ("full_recovery_s.mean >= 3035", true, Some(1.0)),
        ("full_recovery_s.mean <= 3035", false, Some(0.0)),
        // Inside: the threshold k = 0.5, within the tolerance, on the side asked.
        ("full_recovery_s.mean >= 3035", false, None),
        ("full_recovery_s.mean <= 3035", true, None),
    ] {
        let s = solve_tiny(
            "brain.boot_slowdown_per_boot_on_site",
            domain,
            target,
            largest,
            &["brain.reboot_concurrency=100"],
        );
        let at = s.answer().unwrap_or_else(|| panic!("{target}: no answer"));
        match exact {
            Some(x) => assert_eq!(at.x, x, "{target} largest={largest}"),
            None => {
                assert!((at.x - 0.5).abs() <= 1e-4, "{target}: {}", at.x);
                assert!(at.result.met);
                assert_eq!(at.result.estimate, libm_round_us(recovery(at.x)));
            }
        }
    }
    // Durations: fixed boots of T via a log-normal with no spread; c = 20: 5 + 5T s.
    let sets = ["brain.boot_time=LogNormal(mean: \"60s\", sigma: 0.0)"];
    let domain = Domain::parse("brain.boot_time.mean", "10s", "120s", Some("1s")).unwrap();
    for (target, largest, exact_s) in [
        ("full_recovery_s.mean >= 605", false, Some(120.0)),
        ("full_recovery_s.mean <= 605", true, Some(120.0)),
        ("full_recovery_s.mean >= 55", false, Some(10.0)),
        ("full_recovery_s.mean <= 55", true, Some(10.0)),
        ("full_recovery_s.mean <= 305", true, None),
        ("full_recovery_s.mean >= 305", false, None),
    ] {
        let s = solve_tiny("brain.boot_time.mean", domain, target, largest, &sets);
        let at = s.answer().unwrap_or_else(|| panic!("{target}: no answer"));
        match exact_s {
            Some(x) => assert_eq!(at.x, x * 1e6, "{target} largest={largest}"),
            None => assert!((at.x - 60e6).abs() <= 1e6 + 1.0, "{target}: {}", at.x),
        }
    }
}

/// Seconds rounded to the microsecond, as the recorder keeps them.
fn libm_round_us(s: f64) -> f64 {
    (s * 1e6).round() / 1e6
}

#[test]
fn solve_finds_a_narrow_optimum_between_the_scanned_values() {
    // York with a per-head boot limit: the recovery is least at 2 per head, which the
    // even scan of 1..20 skips; the refinement around the closest probe finds it.
    let out = bigvsim(&[
        "solve",
        "models/york-2017.ron",
        "--param",
        "brain.per_head_concurrency=1..20",
        "--target",
        "full_recovery_s.mean<=6100",
        "-r",
        "5",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["value"], 2, "{}", doc["probes"]);
    assert!(doc["probes"].as_array().unwrap().len() <= 100);
    // Beyond the best the range offers: nothing meets it, and the text says what was
    // probed, the closest value, and that the response is best inside the range.
    let out = bigvsim(&[
        "solve",
        "models/york-2017.ron",
        "--param",
        "brain.per_head_concurrency=1..20",
        "--target",
        "full_recovery_s.mean<=5900",
        "-r",
        "5",
    ]);
    // The answer's sentences are wrapped at 100 columns: joined back for the search.
    let text = String::from_utf8_lossy(&out.stdout).replace("\n  ", " ");
    let n = text
        .lines()
        .find_map(|l| l.strip_prefix("Probes ("))
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    assert!(
        text.contains(&format!(
            "none of the {n} values probed in 1..20 meets the target"
        )),
        "{text}"
    );
    assert!(
        text.contains("The closest, brain.per_head_concurrency=2,"),
        "{text}"
    );
    assert!(text.contains("best inside the range"), "{text}");
}

/// Runs `bigvsim ARGS` on a model file holding `text`; kills it after `limit`.
/// Its exit code (None when killed), stdout and stderr.
fn run_model(
    name: &str,
    text: &str,
    args: &[&str],
    limit: Duration,
) -> (Option<i32>, String, String) {
    let dir = std::env::temp_dir().join(format!("bigvsim-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("tiny.ron");
    std::fs::write(&model, text).unwrap();
    let model = model.to_str().unwrap();
    let mut argv = vec![args[0], model];
    argv.extend_from_slice(&args[1..]);
    let t = bigvsim_within(&argv, limit);
    let _ = std::fs::remove_dir_all(&dir);
    (t.code, t.stdout, t.stderr)
}

#[test]
fn solve_stops_within_its_probe_cap_for_every_tolerance() {
    let limit = Duration::from_secs(60);
    // Below the spacing of floating-point numbers: refused up front, naming
    // --tolerance and the smallest value accepted.
    for (param, tol, smallest) in [
        (
            "supervisor.crash_on_long_reset=0..1",
            "1e-16",
            "2.220446049250313e-16",
        ),
        (
            "brain.boot_slowdown_per_boot_on_site=0..1",
            "1e-300",
            "2.220446049250313e-16",
        ),
        ("brain.boot_time.mean=10s..120s", "0s", "1us"),
    ] {
        let (code, out, err) = run_model(
            "solve-tol",
            &TINY.replace("Fixed(\"60s\")", "Exponential(mean: \"60s\")"),
            &[
                "solve",
                "--param",
                param,
                "--tolerance",
                tol,
                "--target",
                "full_recovery_s.mean>=605",
                "-r",
                "1",
            ],
            limit,
        );
        assert_eq!(code, Some(2), "{param} {tol}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("--tolerance {tol}")) && err.contains(smallest),
            "{err}"
        );
    }
    // At the smallest tolerance accepted, bisection runs to the grain and stops in
    // time, within the cap; the answer is the threshold k = 0.5 to the last bit.
    let (code, out, err) = run_model(
        "solve-tol-ok",
        TINY,
        &[
            "solve",
            "--param",
            "brain.boot_slowdown_per_boot_on_site=0..1",
            "--tolerance",
            "2.220446049250313e-16",
            "--set",
            "brain.reboot_concurrency=100",
            "--target",
            "full_recovery_s.mean>=3035",
            "-r",
            "1",
            "--format",
            "json",
        ],
        limit,
    );
    assert_eq!(code, Some(0), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let probes = doc["probes"].as_array().unwrap().len();
    assert!(probes <= 100, "{probes}");
    assert!(
        (doc["value"].as_f64().unwrap() - 0.5).abs() < 1e-9,
        "{}",
        doc["value"]
    );
    // A domain built by hand with a tolerance below the grain (0) still stops: the
    // midpoint equal to an end ends the search. Numbers, durations, whole numbers.
    for (param, domain, sets) in [
        (
            "brain.boot_slowdown_per_boot_on_site",
            Domain::Real {
                lo: 0.0,
                hi: 1.0,
                tolerance: 0.0,
            },
            vec!["brain.reboot_concurrency=100"],
        ),
        (
            "brain.boot_time.mean",
            Domain::Duration {
                lo: 10_000_000,
                hi: 120_000_000,
                tolerance: 0,
            },
            vec!["brain.boot_time=LogNormal(mean: \"60s\", sigma: 0.0)"],
        ),
        (
            "brain.reboot_concurrency",
            Domain::Integer { lo: 1, hi: 1 << 31 },
            vec![],
        ),
    ] {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let s = solve_tiny(param, domain, "full_recovery_s.mean >= 305", false, &sets);
            let _ = tx.send(s.probes.len());
        });
        let n = rx
            .recv_timeout(limit)
            .unwrap_or_else(|_| panic!("{param}: solve did not stop"));
        assert!(n <= 100, "{param}: {n} probes");
    }
}

#[test]
fn solve_checks_both_ends_against_the_schema_and_names_the_param() {
    let limit = Duration::from_secs(60);
    for (param, says) in [
        (
            "brain.reboot_concurrency=0..10",
            "LO = 0 is outside what brain.reboot_concurrency allows: a whole number from 1 to 4294967295",
        ),
        (
            "brain.reboot_concurrency=1..5000000000",
            "HI = 5000000000 is outside what brain.reboot_concurrency allows",
        ),
        (
            "supervisor.crash_on_reset=0.5..1.5",
            "HI = 1.5 is outside what supervisor.crash_on_reset allows",
        ),
        (
            "brain.accept_per_s=0..10",
            "LO = 0 is outside what brain.accept_per_s allows",
        ),
        ("horizon=0s..2h", "LO = 0s is outside what horizon allows"),
        // A cross-field rule: the fault at 1 h is not before a horizon of 1 h.
        (
            "horizon=1h..2h",
            "at LO (horizon=1h) the model does not load",
        ),
    ] {
        let (code, out, err) = run_model(
            "solve-range",
            TINY,
            &[
                "solve",
                "--param",
                param,
                "--target",
                "full_recovery_s.mean>=605",
                "-r",
                "1",
            ],
            limit,
        );
        assert_eq!(code, Some(2), "{param}: {err}");
        assert!(out.is_empty(), "{param}");
        assert!(
            err.starts_with(&format!("error: --param {param}: ")),
            "{param}: {err}"
        );
        assert!(err.contains(says), "{param}: {err}");
        assert!(!err.contains("--set"), "{param}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let (_, _, err) = run_model(
        "solve-range",
        TINY,
        &[
            "solve",
            "--param",
            "horizon=1h..2h",
            "--target",
            "full_recovery_s.mean>=605",
        ],
        limit,
    );
    assert!(err.contains("faults[0].at"), "{err}");
}

#[test]
fn solve_takes_every_numeric_parameter_and_gives_json_numbers_with_units() {
    let limit = Duration::from_secs(60);
    let json = |args: &[&str]| -> serde_json::Value {
        let (code, out, err) = run_model("solve-json", TINY, args, limit);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        serde_json::from_str(&out).unwrap()
    };
    // An optional number, as sweep takes it: the brain accepts reconnects at a rate.
    let doc = json(&[
        "solve",
        "--param",
        "brain.accept_per_s=1..100",
        "--target",
        "full_recovery_s.mean<=605",
        "-r",
        "1",
        "--format",
        "json",
    ]);
    assert!(doc["value"].is_number(), "{}", doc["value"]);
    assert_eq!(doc["unit"], "per second");
    // A whole number: the number, its unit beside it.
    let doc = json(&[
        "solve",
        "--param",
        "brain.reboot_concurrency=1..100",
        "--target",
        "full_recovery_s.mean<=605",
        "-r",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(doc["value"], 10);
    assert_eq!(doc["unit"], "boots");
    assert_eq!(doc["range"]["lo"], 1);
    assert_eq!(doc["at_neighbour"]["value"], 9);
    assert!(
        doc["probes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["value"].is_i64())
    );
    // A duration: seconds.
    let (code, out, err) = run_model(
        "solve-json-d",
        &TINY.replace("Fixed(\"60s\")", "LogNormal(mean: \"60s\", sigma: 0.0)"),
        &[
            "solve",
            "--param",
            "brain.boot_time.mean=10s..120s",
            "--target",
            "full_recovery_s.mean>=605",
            "-r",
            "1",
            "--format",
            "json",
        ],
        limit,
    );
    assert_eq!(code, Some(0), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["value"], 120.0);
    assert_eq!(doc["unit"], "s");
}

/// Every combination of statistic, operator and censoring: `met` follows the one
/// definition, and the verdict never contradicts it.
#[test]
fn met_and_verdict_follow_one_definition_for_every_stat_op_and_censoring() {
    let m = Metric::FullRecoveryS;
    let base = run_batch(
        &model_str(TINY, &[]).scenario,
        &Plan::new(1, 10),
        &|_, _| {},
    )
    .unwrap();
    let values: [f64; 10] = [
        100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0, 1000.0,
    ];
    let cuts: [(&str, u16); 5] = [
        ("none", 0),
        ("the largest", 1 << 9),
        ("two small", 0b11),
        ("half", 0b10_1010_1010),
        ("all", 0b11_1111_1111),
    ];
    let stats = ["mean", "p10", "p50", "p90"];
    let mut seen = std::collections::BTreeSet::new();
    for (cut_name, cut) in cuts {
        let mut b = base.clone();
        for (i, r) in b.replications.iter_mut().enumerate() {
            r.metrics.values[m as usize] = values[i];
            let bit = RunMetrics::bit(m);
            r.metrics.censored = if cut & (1 << i) != 0 {
                r.metrics.censored | bit
            } else {
                r.metrics.censored & !bit
            };
        }
        let any_cut = cut != 0;
        for stat in stats {
            for op in ["<=", ">="] {
                for bound in [50.0, 150.0, 550.0, 850.0, 950.0, 1000.0, 2000.0] {
                    let t = Target::parse(&format!("full_recovery_s.{stat} {op} {bound}")).unwrap();
                    let r = judge(&t, &b);
                    let what = format!("{} with {cut_name} cut", t.text());
                    // A replication meets the bound only when known to.
                    let known: Vec<bool> = (0..10)
                        .map(|i| {
                            let c = cut & (1 << i) != 0;
                            holds(op, values[i], bound) && !(c && t.op == Op::AtMost)
                        })
                        .collect();
                    let k = known.iter().filter(|x| **x).count() as u64;
                    assert_eq!(r.met_count, k, "{what}");
                    let met = match t.stat {
                        Stat::Mean => {
                            let mean = values.iter().sum::<f64>() / 10.0;
                            holds(op, mean, bound) && !(any_cut && t.op == Op::AtMost)
                        }
                        Stat::Quantile(q) => {
                            let need = if t.op == Op::AtMost { q } else { 1.0 - q };
                            k as f64 >= need * 10.0 - 1e-9
                        }
                    };
                    assert_eq!(r.met, met, "{what}: {r:?}");
                    let v = r.verdict.key();
                    assert!(v != "met" || r.met, "{what}: verdict met, met false");
                    assert!(
                        !(v == "not_met" && r.met),
                        "{what}: verdict not_met, met true"
                    );
                    assert!(any_cut || v != "cut_by_horizon", "{what}");
                    assert!(v != "cut_by_horizon" || !r.met, "{what}");
                    seen.insert((stat == "mean", op, any_cut, v.to_string()));
                }
            }
        }
    }
    // The grid reaches every verdict the definition allows for each combination: a
    // cut mean never meets a `<=` bound, and never misses a `>=` bound for sure.
    for mean in [true, false] {
        for op in ["<=", ">="] {
            for cut in [false, true] {
                let any = |v: &str| seen.contains(&(mean, op, cut, v.to_string()));
                let (can_meet, can_miss) = match (mean && cut, op) {
                    (true, "<=") => (false, true),
                    (true, _) => (true, false),
                    _ => (true, true),
                };
                let what = format!("mean={mean} {op} cut={cut}: {seen:?}");
                assert_eq!(any("met"), can_meet, "{what}");
                assert_eq!(any("not_met"), can_miss, "{what}");
                assert_eq!(any("cut_by_horizon"), cut, "{what}");
            }
        }
    }
}

#[test]
fn run_reports_one_meaning_of_met_under_censoring_and_for_quantiles() {
    // A crash 2 min before the end of the day is cut in every replication: the
    // recorded 120 s is a lower bound of the true 305 s.
    let limit = Duration::from_secs(60);
    let text = TINY.replace("at: \"1h\"", "at: \"23h58m\"");
    let (code, out, err) = run_model(
        "run-cut",
        &text,
        &[
            "run",
            "-r",
            "2",
            "--format",
            "json",
            "--target",
            "full_recovery_s.mean<=1000",
            "--target",
            "full_recovery_s.mean<=100",
            "--target",
            "full_recovery_s.mean>=100",
            "--target",
            "full_recovery_s.mean>=1000",
            "--target",
            "full_recovery_s.p90<=1000",
            "--target",
            "full_recovery_s.p90<=100",
            "--target",
            "full_recovery_s.p10>=100",
            "--target",
            "full_recovery_s.p10>=1000",
        ],
        limit,
    );
    assert_eq!(code, Some(0), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(bool, String)> = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["met"].as_bool().unwrap(),
                t["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        (false, "cut_by_horizon"),
        (false, "not_met"),
        (true, "met"),
        (false, "cut_by_horizon"),
        (false, "cut_by_horizon"),
        (false, "not_met"),
        (true, "too_close_to_call"),
        (false, "cut_by_horizon"),
    ];
    let want: Vec<(bool, String)> = want.iter().map(|(m, v)| (*m, v.to_string())).collect();
    assert_eq!(got, want, "{}", doc["targets"]);
    // A quantile target with 9 of 10 replications meeting p90's bound is met, though
    // the interpolated p90 lies just above it.
    let out = bigvsim(&[
        "run",
        "models/york-2017.ron",
        "-r",
        "10",
        "--format",
        "json",
        "--target",
        "full_recovery_s.p90<=7248.4",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &doc["targets"][0];
    assert_eq!(t["replications_meeting"], 9, "{t}");
    assert!(t["value"].as_f64().unwrap() > 7248.4, "{t}");
    assert_eq!(t["met"], true, "{t}");
}

#[test]
fn the_probe_cap_is_stated_in_the_help_and_the_studies_doc() {
    use bigvsim::experiment::solve::MAX_PROBES;
    let said = format!("at most {MAX_PROBES} probes");
    let help = bigvsim(&["solve", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains(&said), "{help}");
    let readme = std::fs::read_to_string(root().join("docs/studies.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(readme.contains(&said));
}

//! Nothing panics: generated model texts, valid and mutated, with generated `--set`
//! overrides, go through parse → validate → a short simulation with the invariant
//! checker on. Every input must end in a clean result or a clean error, never a panic,
//! a hang or an invariant violation.
//!
//! `cargo test` runs a bounded number of cases (a couple of seconds). Run it longer
//! with, e.g.:
//!
//! ```text
//! PROPTEST_CASES=1000000 cargo test --release --test main proptests -- --nocapture
//! ```
//!
//! A failure prints the (shrunk) model text and overrides; `PROPTEST_RNG_SEED=N`
//! replays a run.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use bigvsim::engine::EngineError;
use bigvsim::metrics::Metric;
use bigvsim::model::{Footprint, Platform, RunOptions};
use bigvsim::scenario::{self, Location};

/// Cases per `cargo test` run unless PROPTEST_CASES says otherwise.
const DEFAULT_CASES: u32 = 1_000;
/// The most events a generated model may run (the test's own limit, below the model's).
const MAX_EVENTS: u64 = 3_000;
/// Generated models larger than this are validated but not run.
const MAX_RUN_BYTES: u64 = 8 << 20;
const MAX_RUN_HEADS: u32 = 200;

/// Picks one of `items`, as a String.
fn one_of(items: &'static [&'static str]) -> BoxedStrategy<String> {
    proptest::sample::select(items)
        .prop_map(str::to_string)
        .boxed()
}

/// Mostly a valid value from `good`, sometimes one from `bad`.
fn mostly(good: &'static [&'static str], bad: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![40 => one_of(good), 1 => one_of(bad)].boxed()
}

fn rate() -> BoxedStrategy<String> {
    prop_oneof![
        40 => one_of(&["0.0", "1.0", "6.0", "52.0", "0.2", "1000.0", "2"]),
        1 => one_of(&["-1.0", "NaN", "inf", "-inf", "1e300", "3.1536e13", "\"x\"", "1e-300", "0"]),
    ]
    .boxed()
}

fn probability() -> BoxedStrategy<String> {
    mostly(
        &["0.0", "1.0", "0.5", "0.001", "0.999"],
        &["1.5", "-0.1", "NaN", "inf", "2", "\"p\""],
    )
    .boxed()
}

fn count() -> BoxedStrategy<String> {
    prop_oneof![
        40 => (1u32..=6).prop_map(|n| n.to_string()),
        1 => one_of(&["0", "-1", "1.5", "4294967296", "100000", "20", "40", "1e3", "\"2\""]),
    ]
    .boxed()
}

fn dur() -> BoxedStrategy<String> {
    mostly(
        &[
            "\"0s\"",
            "\"1us\"",
            "\"250ms\"",
            "\"1s\"",
            "\"5s\"",
            "\"30s\"",
            "\"4m\"",
            "\"1h\"",
            "\"1h30m\"",
            "\"1.5s\"",
            "\"2d\"",
        ],
        &[
            "\"-1s\"",
            "\"abc\"",
            "\"\"",
            "\"0.5us\"",
            "\"5\"",
            "\"1m1m\"",
            "\"584942y\"",
            "5",
            "\"99999999999999999999y\"",
        ],
    )
    .boxed()
}

fn horizon() -> BoxedStrategy<String> {
    mostly(
        &["\"1h\"", "\"1d\"", "\"7d\"", "\"30d\"", "\"1y\""],
        &["\"0s\"", "\"-1d\"", "\"100y\"", "\"1us\"", "\"x\""],
    )
    .boxed()
}

fn float_param() -> BoxedStrategy<String> {
    mostly(
        &["0.3", "1.0", "1.5", "0.5", "2.0", "0.05"],
        &["0.0", "-1.0", "NaN", "inf", "1000.0", "6.0"],
    )
    .boxed()
}

fn dist() -> BoxedStrategy<String> {
    prop_oneof![
        dur().prop_map(|d| format!("Fixed({d})")),
        dur().prop_map(|d| format!("Exponential(mean: {d})")),
        (dur(), dur()).prop_map(|(a, b)| format!("Uniform(min: {a}, max: {b})")),
        (dur(), float_param()).prop_map(|(d, s)| format!("LogNormal(mean: {d}, sigma: {s})")),
        (float_param(), dur()).prop_map(|(k, d)| format!("Weibull(shape: {k}, scale: {d})")),
        proptest::collection::vec(dur(), 0..4)
            .prop_map(|v| format!("Empirical([{}])", v.join(", "))),
    ]
    .boxed()
}

fn scope() -> BoxedStrategy<String> {
    prop_oneof![
        Just("All".to_string()),
        probability().prop_map(|f| format!("Fraction({f})")),
        proptest::collection::vec(0u32..8, 0..4).prop_map(|v| format!(
            "Heads([{}])",
            v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        )),
    ]
    .boxed()
}

fn fault() -> BoxedStrategy<String> {
    prop_oneof![
        (dur(), dist(), scope())
            .prop_map(|(a, d, s)| format!("Partition(at: {a}, duration: {d}, scope: {s})")),
        (rate(), dist(), scope()).prop_map(|(r, d, s)| format!(
            "RandomPartitions(per_year: {r}, duration: {d}, scope: {s})"
        )),
        (dur(), scope()).prop_map(|(a, s)| format!("SupervisorCrash(at: {a}, scope: {s})")),
        dur().prop_map(|a| format!("BrainFailover(at: {a})")),
        (dur(), scope()).prop_map(|(a, s)| format!("HeadFailure(at: {a}, scope: {s})")),
    ]
    .boxed()
}

/// `name: value` pairs of a section, each present or left to its default.
fn fields(pairs: Vec<(&'static str, Option<String>)>) -> String {
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn section(name: &'static str, body: Option<String>) -> (&'static str, Option<String>) {
    (name, body.map(|b| format!("({b})")))
}

/// A model text that is valid more often than not.
fn model_text() -> BoxedStrategy<String> {
    let site = (count(), count()).prop_map(|(h, v)| format!("heads: {h}, vms_per_head: {v}"));
    let design = (
        proptest::option::of(mostly(&["Coupled", "Decoupled"], &["Loose", "coupled"])),
        proptest::option::of(prop_oneof![
            Just("Tcp".to_string()),
            (rate(), dist()).prop_map(|(r, d)| format!(
                "MessageQueue(broker: (failures_per_year: {r}, repair: {d}))"
            )),
        ]),
    )
        .prop_map(|(c, t)| fields(vec![("coupling", c), ("transport", t)]));
    let reconnect = (
        proptest::option::of(dur()),
        proptest::option::of(float_param()),
        proptest::option::of(dur()),
        proptest::option::of(mostly(&["0.0", "0.2", "0.5"], &["1.0", "-0.1", "NaN"])),
    )
        .prop_map(|(i, m, x, j)| {
            fields(vec![
                ("initial", i),
                ("multiplier", m),
                ("max", x),
                ("jitter", j),
            ])
        });
    let link = (
        proptest::option::of(reconnect),
        proptest::option::of(rate()),
        proptest::option::of(dist()),
    )
        .prop_map(|(r, f, d)| {
            fields(vec![
                section("reconnect", r),
                ("flaps_per_year", f),
                ("flap_duration", d),
            ])
        });
    let supervisor = (
        proptest::option::of(dist()),
        proptest::option::of(probability()),
        proptest::option::of(probability()),
        proptest::option::of(dur()),
        proptest::option::of(rate()),
    )
        .prop_map(|(r, p, q, l, c)| {
            fields(vec![
                ("restart", r),
                ("crash_on_reset", p),
                ("crash_on_long_reset", q),
                ("long_reset_after", l),
                ("crashes_per_year", c),
            ])
        });
    let brain = (
        proptest::option::of(count()),
        proptest::option::of(prop_oneof![
            Just("None".to_string()),
            count().prop_map(|c| format!("Some({c})")),
            count(),
        ]),
        proptest::option::of(dist()),
        proptest::option::of(mostly(&["0.0", "0.03", "1.0"], &["-1.0", "11.0", "NaN"])),
        proptest::option::of(mostly(
            &["Fifo", "Random", "RoundRobinHeads"],
            &["Lifo", "RoundRobin"],
        )),
        proptest::option::of(rate()),
        proptest::option::of(dist()),
    )
        .prop_map(|(c, p, b, s, q, f, t)| {
            fields(vec![
                ("reboot_concurrency", c),
                ("per_head_concurrency", p),
                ("boot_time", b),
                ("boot_slowdown_per_concurrent_boot", s),
                ("queue_policy", q),
                ("failovers_per_year", f),
                ("failover_time", t),
            ])
        });
    let head = (proptest::option::of(rate()), proptest::option::of(dist()))
        .prop_map(|(f, r)| fields(vec![("failures_per_year", f), ("repair", r)]));
    let faults =
        proptest::collection::vec(fault(), 0..3).prop_map(|f| format!("[{}]", f.join(", ")));
    let limits = mostly(&["1000000", "500", "1"], &["0", "-5", "1.5"])
        .prop_map(|n| format!("max_events: {n}"));
    (
        horizon(),
        site,
        (
            proptest::option::of(design),
            proptest::option::of(link),
            proptest::option::of(supervisor),
            proptest::option::of(brain),
        ),
        (
            proptest::option::of(head),
            proptest::option::of(faults),
            proptest::option::of(limits),
        ),
    )
        .prop_map(|(h, site, (d, l, s, b), (hd, f, lim))| {
            let body = fields(vec![
                ("name", Some("\"fuzz\"".to_string())),
                ("horizon", Some(h)),
                ("site", Some(format!("({site})"))),
                section("design", d),
                section("link", l),
                section("supervisor", s),
                section("brain", b),
                section("head", hd),
                ("faults", f),
                section("limits", lim),
            ]);
            format!("(\n    {}\n)\n", body.replace(", ", ",\n    "))
        })
        .boxed()
}

/// Characters mutations insert: RON's punctuation, digits and letters of its words.
const MUTATION_CHARS: &[char] = &[
    '(', ')', '[', ']', ',', ':', '"', '.', '-', '0', '1', '9', 'e', 'x', 'N', 'S', '_', ' ', '\n',
    '/', '*', 'é',
];

/// A text edit at a position given as a fraction of the text's length.
#[derive(Clone, Debug)]
enum Mutation {
    Delete(f64, usize),
    Insert(f64, char),
    Duplicate(f64, usize),
    Replace(f64, char),
}

fn mutation() -> BoxedStrategy<Mutation> {
    let at = 0.0..1.0f64;
    let c = proptest::sample::select(MUTATION_CHARS);
    prop_oneof![
        (at.clone(), 1usize..12).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (at.clone(), c.clone()).prop_map(|(a, c)| Mutation::Insert(a, c)),
        (at.clone(), 1usize..30).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (at, c).prop_map(|(a, c)| Mutation::Replace(a, c)),
    ]
    .boxed()
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in mutations {
        let pos = |a: f64, len: usize| ((a * len as f64) as usize).min(len);
        match *m {
            Mutation::Delete(a, n) => {
                let i = pos(a, chars.len());
                let j = (i + n).min(chars.len());
                chars.drain(i..j);
            }
            Mutation::Insert(a, c) => {
                let i = pos(a, chars.len());
                chars.insert(i, c);
            }
            Mutation::Duplicate(a, n) => {
                let i = pos(a, chars.len());
                let j = (i + n).min(chars.len());
                let copy: Vec<char> = chars[i..j].to_vec();
                chars.splice(j..j, copy);
            }
            Mutation::Replace(a, c) => {
                let i = pos(a, chars.len());
                if i < chars.len() {
                    chars[i] = c;
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// Overrides as users type them: known paths (and a few typos) with values of every
/// kind, good and bad.
fn set_arg() -> BoxedStrategy<String> {
    let path = prop_oneof![
        8 => proptest::sample::select(scenario::SET_PATHS).prop_map(str::to_string),
        1 => one_of(&["faults[0]", "faults[1]", "faults[9]", "brain.reboot_concurency", "", "site.heads.x", "faults[x]"]),
    ];
    let value = prop_oneof![
        count(),
        rate(),
        dur(),
        dist(),
        fault(),
        one_of(&[
            "",
            "(",
            "None",
            "Some(2)",
            "Fifo",
            "Decoupled",
            "[]",
            "(heads: 2, vms_per_head: 2)",
            "5s",
            "2d"
        ]),
    ];
    prop_oneof![
        10 => (path, value).prop_map(|(p, v)| format!("{p}={v}")),
        1 => one_of(&["no-equals-sign", "=", "==1"]),
    ]
    .boxed()
}

/// One generated case: the model text (maybe mutated), its overrides and a seed.
fn case() -> BoxedStrategy<(String, Vec<String>, u64)> {
    (
        model_text(),
        prop_oneof![
            2 => Just(Vec::new()),
            1 => proptest::collection::vec(mutation(), 1..4),
        ],
        prop_oneof![
            3 => Just(Vec::new()),
            1 => proptest::collection::vec(set_arg(), 1..3),
        ],
        any::<u64>(),
    )
        .prop_map(|(text, mutations, sets, seed)| (mutate(&text, &mutations), sets, seed))
        .boxed()
}

/// Parse → validate → run: Ok or a clean error, and the checks that make "clean" mean
/// something.
fn exercise(text: &str, sets: &[String], seed: u64) -> Result<(), TestCaseError> {
    let loaded = match scenario::load_str("fuzz.ron", text, sets) {
        Ok(m) => m,
        Err(e) => {
            // A clean error names the file, has a message, points inside the file (or
            // at the override it came from) and prints on one line.
            let shown = e.to_string();
            prop_assert!(shown.starts_with("fuzz.ron"), "{shown}");
            prop_assert!(!e.message().trim().is_empty(), "{shown}");
            prop_assert!(!shown.contains('\n'), "multi-line error: {shown}");
            match &e.error.location {
                Location::At { line, column } => {
                    prop_assert!(*line >= 1 && *column >= 1, "{shown}");
                    prop_assert!(*line <= text.lines().count() + 1, "{shown}");
                }
                Location::Set(arg) => prop_assert!(sets.contains(arg), "{shown}"),
                Location::File => {}
            }
            return Ok(());
        }
    };
    // What `--verbose` prints is a model file: it must load back to the same scenario.
    let resolved = loaded.resolved_ron();
    let again = scenario::load_str("resolved.ron", &resolved, &[]).map_err(|e| {
        TestCaseError::fail(format!("resolved model does not load: {e}\n{resolved}"))
    })?;
    prop_assert_eq!(&again.scenario, &loaded.scenario);

    let mut sc = loaded.scenario;
    if sc.site.heads > MAX_RUN_HEADS || Footprint::of(&sc).bytes > MAX_RUN_BYTES {
        return Ok(());
    }
    sc.limits.max_events = sc.limits.max_events.min(MAX_EVENTS);
    let options = RunOptions {
        check_invariants: true,
        outage_log_capacity: 64,
    };
    let mut platform = Platform::new(&sc, options);
    match platform.run(seed, 0) {
        Ok(m) => {
            prop_assert!(m[Metric::Events] <= sc.limits.max_events as f64);
            let a = m[Metric::VmAvailability];
            prop_assert!((0.0..=1.0).contains(&a), "availability {a}");
        }
        // The test's own limit (or the model's) stopped a busy model: a clean stop.
        Err(EngineError::EventLimit { .. }) => {}
        // A full queue or a broken invariant on a validated model is a bug.
        Err(e) => {
            return Err(TestCaseError::fail(format!("seed {seed}: {e}")));
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

#[test]
fn generated_models_parse_validate_and_run_without_panicking() {
    // Proves no model text or override, valid or mutated, makes parse → validate → a
    // short run (invariants checked after every event) panic, hang, fill the event
    // queue or break an invariant; every rejection is a one-line error naming the file.
    // Also proves the resolved model (what --verbose prints) reloads to the same
    // scenario. PROPTEST_CASES sets the number of cases (1 000 by default).
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let started = std::time::Instant::now();
    let mut runner = TestRunner::new(config.clone());
    let result = runner.run(&case(), |(text, sets, seed)| exercise(&text, &sets, seed));
    if let Err(e) = result {
        panic!("{e}");
    }
    if config.cases > DEFAULT_CASES {
        eprintln!(
            "proptests: {} cases passed in {:.1} s",
            config.cases,
            started.elapsed().as_secs_f64()
        );
    }
}

#[test]
fn generator_produces_models_that_run() {
    // Proves the generator is useful: a good share of its unmutated texts are valid
    // models (so the simulation is exercised, not only the parser), and some are not.
    let mut runner = TestRunner::deterministic();
    let mut valid = 0;
    let total = 200;
    for _ in 0..total {
        let text = model_text()
            .new_tree(&mut runner)
            .expect("a value")
            .current();
        if scenario::load_str("gen.ron", &text, &[]).is_ok() {
            valid += 1;
        }
    }
    assert!(
        valid >= total / 10,
        "only {valid} of {total} generated models are valid"
    );
    assert!(
        valid < total,
        "every generated model is valid: no bad input generated"
    );
}

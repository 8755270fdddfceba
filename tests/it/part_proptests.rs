//! Nothing panics on a part file: two real part files of a `-r 2` study in 2 shards,
//! mutated at random (bytes edited, or one JSON value replaced by a hostile one), go
//! through `merge` in-process. Every input must end in a merged study or a clean
//! error, never a panic.
//!
//! `cargo test` runs a bounded number of cases; `PROPTEST_CASES=N` runs more (the
//! same variable as the model-text property test).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use bigvsim::experiment::shard::merge_texts;

use super::common::bigvsim;

/// Cases per `cargo test` run unless PROPTEST_CASES says otherwise.
const DEFAULT_CASES: u32 = 200;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// The two part files of `run models/york-2017.ron -r 2` in 2 shards.
fn parts() -> [String; 2] {
    let part = |k: u32| {
        let o = bigvsim(&[
            "run",
            "models/york-2017.ron",
            "-r",
            "2",
            "--shard",
            &format!("{k}/2"),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    [part(0), part(1)]
}

/// A mutation of a part file's text.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the bytes at `at..at+len` (positions modulo the length) with `with`.
    Bytes { at: usize, len: usize, with: String },
    /// Replace the `nth` JSON value (in a depth-first walk) with `with`.
    Value { nth: usize, with: Value },
}

fn hostile_value() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e300)),
        Just(json!(0.5)),
        Just(Value::Null),
        Just(json!("")),
        Just(json!([])),
        Just(json!({})),
        Just(json!([0, 0])),
        Just(json!([5, 4])),
        Just(json!([0, 1e18])),
        any::<u64>().prop_map(|n| json!(n)),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z0-9_]{0,12}".prop_map(|s| json!(s)),
    ]
    .boxed()
}

fn mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..8, "[\\[\\]{}\",:0-9a-z.-]{0,6}")
            .prop_map(|(at, len, with)| Mutation::Bytes { at, len, with }),
        (any::<usize>(), hostile_value()).prop_map(|(nth, with)| Mutation::Value { nth, with }),
    ]
    .boxed()
}

/// The number of values in `v`, itself included.
fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(m) => m.values().map(count).sum(),
        _ => 0,
    }
}

/// Replaces the `nth` value of `v` (depth first, `v` itself is 0) with `with`.
fn replace(v: &mut Value, nth: &mut usize, with: &Value) -> bool {
    if *nth == 0 {
        *v = with.clone();
        return true;
    }
    *nth -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| replace(x, nth, with)),
        Value::Object(m) => m.values_mut().any(|x| replace(x, nth, with)),
        _ => false,
    }
}

fn mutate(text: &str, m: &Mutation) -> String {
    match m {
        Mutation::Bytes { at, len, with } => {
            let bytes = text.as_bytes();
            let at = at % bytes.len().max(1);
            let end = (at + len).min(bytes.len());
            let mut out = bytes[..at].to_vec();
            out.extend_from_slice(with.as_bytes());
            out.extend_from_slice(&bytes[end..]);
            String::from_utf8_lossy(&out).into_owned()
        }
        Mutation::Value { nth, with } => {
            let mut doc: Value = serde_json::from_str(text).unwrap();
            let mut nth = nth % count(&doc);
            replace(&mut doc, &mut nth, with);
            serde_json::to_string(&doc).unwrap()
        }
    }
}

#[test]
fn mutated_part_files_never_make_merge_panic() {
    // Proves no mutation of either part file, by bytes or by one value, makes merge
    // panic: it merges or refuses. The unmutated parts merge (a check that the setup
    // is real), and a good share of the mutations are refused (a check that the
    // mutations reach what merge reads).
    let good = parts();
    let named = |texts: &[String]| -> Vec<(String, String)> {
        texts
            .iter()
            .enumerate()
            .map(|(k, t)| (format!("part{k}.json"), t.clone()))
            .collect()
    };
    assert!(
        merge_texts(&named(&good)).is_ok(),
        "the unmutated parts merge"
    );
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let refused = std::cell::Cell::new(0u32);
    // A fixed sequence unless PROPTEST_RANDOM is set, as in `proptests`.
    let mut runner = if std::env::var_os("PROPTEST_RANDOM").is_some() {
        TestRunner::new(config.clone())
    } else {
        TestRunner::new_with_rng(
            config.clone(),
            proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm),
        )
    };
    let result = runner.run(&(0usize..2, mutation()), |(which, m)| {
        let mut texts = good.clone();
        texts[which] = mutate(&texts[which], &m);
        if merge_texts(&named(&texts)).is_err() {
            refused.set(refused.get() + 1);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        refused.get() * 4 >= config.cases,
        "only {} of {} mutations were refused",
        refused.get(),
        config.cases
    );
}

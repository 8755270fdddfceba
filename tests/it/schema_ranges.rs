//! Every range the schema declares is enforced: a walk of every field and of every
//! variant parameter below it (a distribution's, a scope's, a fault's, the broker's)
//! sets a value just outside the range through `--set`, on each side that has a
//! bound, and proves it refused naming the value's path and what the range allows;
//! a value just inside is not refused for its range.

use bigvsim::scenario::schema::{self, DISTRIBUTIONS, FAULTS, Kind, Range, SCOPES};
use bigvsim::scenario::{self, ScenarioError};
use std::collections::BTreeSet;

/// A small valid model every probe changes one value of.
const BASE: &str = r#"(name: "t", horizon: "1y", site: (heads: 4, vms_per_head: 2, racks: 2))"#;

/// One value to try: the text of a whole field value holding it, the path the value
/// sits at below the field, and the variant a tuple variant's value is named by.
#[derive(Clone, Debug)]
struct Probe {
    text: String,
    below: String,
    variant: &'static str,
    range: Range,
    inside: bool,
    /// The variant and parameter the value is (`LogNormal.sigma`), or "" for a field.
    param: String,
}

/// Values just outside `range` and just inside it, as RON text for `kind`.
fn values(kind: Kind, range: Range) -> (Vec<String>, Vec<String>) {
    let num = |v: f64| format!("{v:?}");
    let nums = |out: &[f64], ins: &[f64]| {
        (
            out.iter().map(|v| num(*v)).collect(),
            ins.iter().map(|v| num(*v)).collect(),
        )
    };
    match range {
        Range::Any => (vec![], vec![]),
        Range::Name => {
            let long = "x".repeat(schema::MAX_NAME_CHARS);
            (
                vec!["\"\"".to_string(), format!("\"{long}x\"")],
                vec!["\"x\"".to_string(), format!("\"{long}\"")],
            )
        }
        Range::Positive => {
            assert_eq!(kind, Kind::Duration, "a positive range on {kind:?}");
            (vec!["\"0s\"".to_string()], vec!["\"1us\"".to_string()])
        }
        Range::AtLeast(n) => {
            let out = n
                .checked_sub(1)
                .map(|m| m.to_string())
                .into_iter()
                .collect();
            (out, vec![n.to_string()])
        }
        Range::Rate => nums(&[-f64::from_bits(1), f64::INFINITY], &[0.0]),
        Range::Probability => nums(&[-f64::from_bits(1), 1.0f64.next_up()], &[0.0, 1.0]),
        Range::Closed(lo, hi) => nums(&[lo.next_down(), hi.next_up()], &[lo, hi]),
        Range::HalfOpen(lo, hi) => nums(&[lo.next_down(), hi], &[lo, hi.next_down()]),
        Range::OpenClosed(lo, hi) => nums(&[lo, hi.next_up()], &[lo.next_up(), hi]),
    }
}

/// Where the text of parameter `name`'s value is in `text` (`Weibull(shape: 1.5,
/// ...)`); an empty place at the end when the example leaves the parameter out.
fn param_at(text: &str, name: &str) -> (usize, usize) {
    let key = format!("{name}: ");
    let Some(start) = [format!("({key}"), format!(" {key}")]
        .iter()
        .filter_map(|k| text.find(k.as_str()).map(|i| i + k.len()))
        .min()
    else {
        return (text.len(), text.len());
    };
    let mut depth = 0i32;
    let mut in_string = false;
    for (i, c) in text[start..].char_indices() {
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            '(' | '[' => depth += 1,
            ')' | ']' if depth == 0 => return (start, start + i),
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => return (start, start + i),
            _ => {}
        }
    }
    panic!("parameter {name} of {text} does not end")
}

/// Every probe of a value of `kind` with `range`; `example` is a valid value of it
/// (for a record, whose fields are then changed one at a time).
fn probes(kind: Kind, range: Range, example: &str) -> Vec<Probe> {
    let (outside, inside) = values(kind, range);
    let mut out: Vec<Probe> = outside
        .into_iter()
        .map(|t| (t, false))
        .chain(inside.into_iter().map(|t| (t, true)))
        .map(|(text, inside)| Probe {
            text,
            below: String::new(),
            variant: "",
            range,
            inside,
            param: String::new(),
        })
        .collect();
    match kind {
        Kind::List(inner) => {
            for p in probes(*inner, range, "") {
                out.push(Probe {
                    text: format!("[{}]", p.text),
                    below: format!("[0]{}", p.below),
                    ..p
                });
            }
        }
        Kind::Faults => out.extend(probes(Kind::List(&Kind::Choice(FAULTS)), Range::Any, "")),
        Kind::Record(params) => {
            for param in params {
                let (start, end) = param_at(example, param.name);
                for p in probes(param.kind, param.range, &example[start..end]) {
                    out.push(Probe {
                        text: format!("{}{}{}", &example[..start], p.text, &example[end..]),
                        below: format!(".{}{}", param.name, p.below),
                        param: if p.param.is_empty() {
                            param.name.to_string()
                        } else {
                            p.param.clone()
                        },
                        ..p
                    });
                }
            }
        }
        kind => {
            for v in kind.variants().unwrap_or_default() {
                if let [param] = v.params
                    && param.name.is_empty()
                {
                    let inner = &v.example[v.name.len() + 1..v.example.len() - 1];
                    for p in probes(param.kind, param.range, inner) {
                        out.push(Probe {
                            text: format!("{}({})", v.name, p.text),
                            variant: if p.below.is_empty() {
                                v.name
                            } else {
                                p.variant
                            },
                            param: if p.param.is_empty() {
                                format!("{}.", v.name)
                            } else {
                                p.param.clone()
                            },
                            ..p
                        });
                    }
                    continue;
                }
                for param in v.params {
                    let (start, end) = param_at(v.example, param.name);
                    for p in probes(param.kind, param.range, &v.example[start..end]) {
                        out.push(Probe {
                            text: format!("{}{}{}", &v.example[..start], p.text, &v.example[end..]),
                            below: format!(".{}{}", param.name, p.below),
                            param: if p.param.is_empty() {
                                format!("{}.{}", v.name, param.name)
                            } else if !p.param.contains('.') {
                                format!("{}.{}", v.name, p.param)
                            } else {
                                p.param.clone()
                            },
                            ..p
                        });
                    }
                }
            }
        }
    }
    out
}

fn lines(e: &ScenarioError) -> String {
    e.lines().join("\n")
}

#[test]
fn every_declared_range_refuses_a_value_just_outside_it() {
    scenario::load_str("m.ron", BASE, &[]).expect("the base model is valid");
    let mut ranged_fields = BTreeSet::new();
    let mut params = BTreeSet::new();
    let mut tried = 0;
    for field in schema::FIELDS {
        for p in probes(field.kind, field.range, "") {
            let path = format!("{}{}", field.path, p.below);
            let set = format!("{}={}", field.path, p.text);
            let result = scenario::load_str("m.ron", BASE, std::slice::from_ref(&set));
            // What the range check says: the path, then what the range allows.
            let said = match p.range {
                Range::Name => format!("field `{path}`: "),
                range => {
                    let what = if p.variant.is_empty() {
                        String::new()
                    } else {
                        format!("{} ", p.variant)
                    };
                    let allowed = range
                        .allowed()
                        .expect("a declared range says what it allows");
                    format!("field `{path}`: {what}must be {allowed}")
                }
            };
            if p.inside {
                if let Err(e) = &result {
                    assert!(
                        !lines(e).contains(&said),
                        "--set {set}: a value just inside is refused for its range: {}",
                        lines(e)
                    );
                }
            } else {
                let Err(e) = result else {
                    panic!("--set {set}: a value just outside is accepted");
                };
                assert!(
                    lines(&e).contains(&said),
                    "--set {set}: refused without saying `{said}`: {}",
                    lines(&e)
                );
                if p.below.is_empty() {
                    ranged_fields.insert(field.path);
                }
                params.insert(p.param.clone());
            }
            tried += 1;
        }
    }
    // Every field with a range was refused a value outside it...
    let declared: BTreeSet<&str> = schema::FIELDS
        .iter()
        .filter(|f| f.range != Range::Any)
        .map(|f| f.path)
        .collect();
    assert_eq!(ranged_fields, declared);
    // ... and every variant parameter with one, wherever it sits.
    let mut declared = BTreeSet::new();
    let broker = schema::variant(schema::TRANSPORTS, "MessageQueue")
        .and_then(|v| v.param("broker"))
        .expect("the broker");
    for v in DISTRIBUTIONS.iter().chain(SCOPES).chain(FAULTS) {
        for p in v.params.iter().filter(|p| p.range != Range::Any) {
            declared.insert(format!("{}.{}", v.name, p.name));
        }
    }
    if let Kind::Record(fields) = broker.kind {
        for p in fields.iter().filter(|p| p.range != Range::Any) {
            declared.insert(format!("MessageQueue.{}", p.name));
        }
    }
    params.remove("");
    assert_eq!(params, declared.into_iter().collect());
    assert!(tried > 100, "{tried} probes");
}

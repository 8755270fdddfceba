//! The schema against the serde mirror: every field, variant and parameter of one is
//! in the other, and every schema path can be set.

use super::*;
use crate::scenario::raw::{RawFault, RawScenario};

/// The names serde expects where `text` puts an unknown name, read from its error:
/// the fields of a struct or the variants of an enum.
fn expected_names(error: ron::Error) -> Vec<String> {
    match error {
        ron::Error::NoSuchStructField { expected, .. }
        | ron::Error::NoSuchEnumVariant { expected, .. } => {
            expected.iter().map(|s| s.to_string()).collect()
        }
        other => panic!("expected an unknown-name error, got {other:?}"),
    }
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    items.map(str::to_string).collect()
}

fn parse_fault(text: &str) -> Result<RawFault, ron::Error> {
    crate::scenario::ron_options()
        .from_str(text)
        .map_err(|e| e.code)
}

#[test]
fn every_raw_field_is_in_the_schema_and_back() {
    // Proves the table and the serde mirror list the same fields: serde's own list of
    // allowed names (from the error for an unknown one) equals the schema's, for the
    // model's top level and for every section.
    let top: RawScenario = defaults();
    let error = crate::scenario::ron_options()
        .from_str::<RawScenario>("(bogus: 0)")
        .unwrap_err()
        .code;
    let roots = names(
        FIELDS
            .iter()
            .filter(|f| !f.path.contains('.'))
            .map(|f| f.path),
    );
    assert_eq!(expected_names(error), roots);
    for section in FIELDS.iter().filter(|f| f.kind == Kind::Section) {
        let mut raw = top.clone();
        let error = section.set(&mut raw, "(bogus: 0)").unwrap_err();
        let children = names(section.children().map(|f| f.name()));
        assert_eq!(expected_names(error), children, "{}", section.path);
    }
}

#[test]
fn every_raw_variant_and_parameter_is_in_the_schema_and_back() {
    // Proves each enum-valued field, distribution, scope and fault has exactly the
    // variants serde knows, each variant's named parameters are serde's, and every
    // example in the schema reads as a value of its kind.
    let mut raw = defaults();
    for field in FIELDS {
        let Some(variants) = field.kind.variants() else {
            continue;
        };
        let bogus = if field.kind == Kind::Faults {
            "[Bogus]"
        } else {
            "Bogus"
        };
        let error = field.set(&mut raw, bogus).unwrap_err();
        assert_eq!(
            expected_names(error),
            names(variants.iter().map(|v| v.name)),
            "{}",
            field.path
        );
        for v in variants {
            let example = if field.kind == Kind::Faults {
                format!("[{}]", v.example)
            } else {
                v.example.to_string()
            };
            field
                .set(&mut raw, &example)
                .unwrap_or_else(|e| panic!("{}: {example}: {e}", field.path));
        }
    }
    let scope = |s: &str| format!("Partition(at: \"1h\", duration: Fixed(\"1s\"), scope: {s})");
    let error = parse_fault(&scope("Bogus")).unwrap_err();
    assert_eq!(expected_names(error), names(SCOPES.iter().map(|v| v.name)));
    for v in SCOPES {
        parse_fault(&scope(v.example)).unwrap_or_else(|e| panic!("{}: {e}", v.example));
    }
    // Named parameters: an unknown one lists the real ones.
    let dist = field("brain.boot_time").expect("a distribution field");
    for v in DISTRIBUTIONS
        .iter()
        .filter(|v| v.params.iter().all(|p| !p.name.is_empty()))
    {
        let error = dist
            .set(&mut raw, &format!("{}(bogus: 0)", v.name))
            .unwrap_err();
        assert_eq!(
            expected_names(error),
            names(v.params.iter().map(|p| p.name))
        );
    }
    for v in FAULTS {
        let error = parse_fault(&format!("{}(bogus: 0)", v.name)).unwrap_err();
        assert_eq!(
            expected_names(error),
            names(v.params.iter().map(|p| p.name))
        );
    }
    let transport = field("design.transport").expect("the transport field");
    let error = transport
        .set(&mut raw, "MessageQueue(broker: (bogus: 0))")
        .unwrap_err();
    assert_eq!(expected_names(error), names(BROKER.iter().map(|p| p.name)));
}

#[test]
fn every_schema_path_is_settable_and_reads_back() {
    // Proves `--set PATH=VALUE` reaches every field of the table: setting a field to
    // a changed value changes exactly that field as read back through the schema,
    // and setting it to its own text leaves the model unchanged.
    let base = defaults();
    for field in FIELDS {
        let mut raw = base.clone();
        let text = field.get(&raw);
        field
            .set(&mut raw, &text)
            .unwrap_or_else(|e| panic!("{} = {text}: {e}", field.path));
        assert_eq!(raw, base, "{}", field.path);
    }
    let mut raw = base.clone();
    let concurrency = field("brain.reboot_concurrency").expect("a field");
    concurrency.set(&mut raw, "41").expect("a whole number");
    assert_eq!(raw.brain.reboot_concurrency, 41);
    assert_eq!(concurrency.get(&raw), "41");
    assert_eq!(SET_PATHS, names(FIELDS.iter().map(|f| f.path)).as_slice());
}

#[test]
fn ranges_allow_and_describe_their_bounds() {
    // Proves the range checks validation uses, at their edges: [1, 100] holds 1 and
    // 100 but not 0.99 or NaN; [0, 1) refuses 1; (0, 1] refuses 0; a rate refuses a
    // negative or infinite value; "at least 1" refuses 0.
    assert!(Range::Closed(1.0, 100.0).allows(1.0));
    assert!(Range::Closed(1.0, 100.0).allows(100.0));
    assert!(!Range::Closed(1.0, 100.0).allows(0.99));
    assert!(!Range::Closed(1.0, 100.0).allows(f64::NAN));
    assert!(!Range::HalfOpen(0.0, 1.0).allows(1.0));
    assert!(!Range::OpenClosed(0.0, 1.0).allows(0.0));
    assert!(Range::OpenClosed(0.0, 1.0).allows(1.0));
    assert!(!Range::Rate.allows(-1.0));
    assert!(!Range::Rate.allows(f64::INFINITY));
    assert!(!Range::Probability.allows(f64::NAN));
    assert!(!Range::AtLeast(1).allows(0.0));
    assert_eq!(
        Range::HalfOpen(0.0, 1.0).allowed().as_deref(),
        Some("in [0, 1)")
    );
    assert_eq!(Range::Any.allowed(), None);
    let expected = field("limits.max_events").expect("a field").expected();
    assert_eq!(expected, "a whole number from 1 to 18446744073709551615");
}

#[test]
fn resolve_finds_kinds_below_fields() {
    // Proves paths below a field resolve through the schema's variants: a
    // distribution's `mean` is a positive duration, a fault's `scope` a scope, the
    // broker's `failures_per_year` a rate, `sigma` a number in [0, 5]; a field itself
    // gives its own kind and range; unknown names give None.
    assert_eq!(resolve("brain.boot_time.mean"), Some((Duration, Positive)));
    assert_eq!(resolve("faults[3].scope"), Some((Scope, Any)));
    assert_eq!(
        resolve("design.transport.broker.failures_per_year"),
        Some((Number, Rate))
    );
    assert_eq!(
        resolve("link.flap_duration.sigma"),
        Some((Number, Closed(0.0, 5.0)))
    );
    assert_eq!(resolve("brain.reboot_concurrency"), Some((U32, AtLeast(1))));
    assert_eq!(resolve("brain.boot_time[2]"), Some((Dist, Any)));
    assert_eq!(resolve("brain.bogus"), None);
    assert_eq!(resolve("brain.boot_time.bogus"), None);
    assert_eq!(resolve("bogus"), None);
}

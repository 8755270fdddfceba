//! Validation's unit tests.
use super::*;

/// The scenario, or the first problem.
fn check(sets: &[&str]) -> Result<Scenario, FieldError> {
    let mut raw = schema::defaults();
    raw.name = "test".to_string();
    for arg in sets {
        super::super::apply_set(&mut raw, arg).expect("a valid override");
    }
    validate(&raw).map_err(|mut errors| errors.remove(0))
}

#[test]
fn every_variant_of_the_schema_validates() {
    // Proves validation knows every distribution, scope and fault the schema lists
    // (each example validates, so every range lookup by name finds its parameter),
    // and the message-queue transport's broker fields.
    let horizon = "horizon=2h";
    for d in schema::DISTRIBUTIONS {
        check(&[horizon, &format!("brain.boot_time={}", d.example)])
            .unwrap_or_else(|e| panic!("{}: {e:?}", d.example));
    }
    for f in schema::FAULTS {
        check(&[horizon, "site.heads=8", &format!("faults[0]={}", f.example)])
            .unwrap_or_else(|e| panic!("{}: {e:?}", f.example));
    }
    for s in schema::SCOPES {
        let fault = format!(
            "faults[0]=SupervisorCrash(at: \"1h\", scope: {})",
            s.example
        );
        check(&[horizon, "site.heads=8", "site.racks=4", &fault])
            .unwrap_or_else(|e| panic!("{fault}: {e:?}"));
    }
    let transport = schema::TRANSPORTS
        .iter()
        .map(|t| format!("design.transport={}", t.example));
    for t in transport {
        check(&[&t]).unwrap_or_else(|e| panic!("{t}: {e:?}"));
    }
}

#[test]
fn ranges_come_from_the_schema() {
    // Proves the bounds and messages of validation are the schema's, at the edges:
    // a multiplier of 1 and 100 passes and 0.5 is refused as "in [1, 100]"; a
    // jitter of 1 is refused as "in [0, 1)"; sigma 5 passes and 5.5 is refused as
    // "in [0, 5]"; a Fraction scope of 0 is refused as "in (0, 1]".
    assert!(check(&["link.reconnect.multiplier=1"]).is_ok());
    assert!(check(&["link.reconnect.multiplier=100"]).is_ok());
    let e = check(&["link.reconnect.multiplier=0.5"]).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("link.reconnect.multiplier"));
    assert_eq!(e.message, "must be in [1, 100], found 0.5");
    let e = check(&["link.reconnect.jitter=1"]).unwrap_err();
    assert_eq!(e.message, "must be in [0, 1), found 1");
    assert!(check(&["brain.boot_time=LogNormal(mean: \"45s\", sigma: 5)"]).is_ok());
    let e = check(&["brain.boot_time=LogNormal(mean: \"45s\", sigma: 5.5)"]).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("brain.boot_time.sigma"));
    assert_eq!(e.message, "must be in [0, 5], found 5.5");
    let fault = "faults[0]=SupervisorCrash(at: \"1h\", scope: Fraction(0))";
    let e = check(&["horizon=2h", fault]).unwrap_err();
    assert_eq!(e.message, "Fraction must be in (0, 1], found 0");
    let e = check(&["brain.per_head_concurrency=0"]).unwrap_err();
    assert_eq!(e.message, "must be at least 1 (or None), found 0");
}

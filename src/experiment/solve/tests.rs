use super::*;

/// The value found and the values probed when `meets` says which values meet.
fn bisect(d: &Domain, largest: bool, meets: impl Fn(f64) -> bool) -> (Option<f64>, Vec<f64>) {
    let s = search(d, largest, |x| Ok::<_, ()>(Reading::of(meets(x)))).unwrap();
    (s.value, s.probed)
}

#[test]
fn bisection_finds_the_exact_integer_threshold() {
    // meets(x) ⇔ x ≥ 37 over 1..=100: 37 exactly, in at most 2 + ⌈log2 99⌉ probes.
    let d = Domain::Integer { lo: 1, hi: 100 };
    let (v, probed) = bisect(&d, false, |x| x >= 37.0);
    assert_eq!(v, Some(37.0));
    assert!(probed.len() <= 2 + 7, "{probed:?}");
    // The largest x with x ≤ 37.
    assert_eq!(bisect(&d, true, |x| x <= 37.0).0, Some(37.0));
    // The lower end already meets it; nothing meets it.
    assert_eq!(bisect(&d, false, |_| true).0, Some(1.0));
    assert_eq!(bisect(&d, false, |_| false).0, None);
    // Only the lower end side meets it: the smallest value is the lower end, the
    // largest the boundary.
    assert_eq!(bisect(&d, false, |x| x < 10.0).0, Some(1.0));
    assert_eq!(bisect(&d, true, |x| x < 10.0).0, Some(9.0));
    assert_eq!(bisect(&d, true, |x| x > 10.0).0, Some(100.0));
    // A U-shaped response met only in 40..=70: the scan finds the inside, and
    // bisection the smallest (largest) value that meets it.
    assert_eq!(
        bisect(&d, false, |x| (40.0..=70.0).contains(&x)).0,
        Some(40.0)
    );
    assert_eq!(
        bisect(&d, true, |x| (40.0..=70.0).contains(&x)).0,
        Some(70.0)
    );
}

#[test]
fn a_narrow_optimum_between_scanned_values_is_found_by_refining() {
    // Met only at 2, between the scanned 1 and 3: the refinement around the
    // closest probe finds it.
    let d = Domain::Integer { lo: 1, hi: 20 };
    let s = search(&d, false, |x| {
        Ok::<_, ()>(Reading {
            meets: x == 2.0,
            shortfall: (x - 2.0).abs(),
        })
    })
    .unwrap();
    assert_eq!(s.value, Some(2.0), "{:?}", s.probed);
    assert!(s.probed.len() <= 2 + SCAN_POINTS + REFINE_PROBES);
    let mut p = s.probed.clone();
    p.sort_by(f64::total_cmp);
    p.dedup();
    assert_eq!(
        p.len(),
        s.probed.len(),
        "a value probed twice: {:?}",
        s.probed
    );
}

#[test]
fn bisection_of_reals_and_durations_stops_at_the_tolerance() {
    let d = Domain::Real {
        lo: 0.0,
        hi: 1.0,
        tolerance: 1e-3,
    };
    let v = bisect(&d, false, |x| x >= 0.3).0.unwrap();
    assert!((0.3..=0.301).contains(&v), "{v}");
    let d = Domain::parse("brain.boot_time.mean", "10s", "100s", Some("1s")).unwrap();
    let v = bisect(&d, false, |x| x >= 42.5e6).0.unwrap();
    assert!((42.5e6..=43.5e6).contains(&v), "{v}");
    assert!(d.text(v).ends_with('s'), "{}", d.text(v));
}

#[test]
fn bisection_stops_at_the_grain_of_the_values() {
    // A tolerance below the spacing of floating-point numbers (as a hand-built
    // domain may hold) still ends: a midpoint equal to an end stops the search.
    for (lo, hi) in [(0.0, 1.0), (1e15, 1e15 + 1.0), (-1.0, 1e-300)] {
        let d = Domain::Real {
            lo,
            hi,
            tolerance: 0.0,
        };
        let t = (lo + hi) / 2.0;
        let s = search(&d, false, |x| Ok::<_, ()>(Reading::of(x >= t))).unwrap();
        assert!(
            s.probed.len() <= MAX_PROBES,
            "{lo}..{hi}: {}",
            s.probed.len()
        );
        assert!(s.value.is_some());
    }
    // The default tolerance is never below the spacing either.
    let d = Domain::parse(
        "supervisor.crash_on_long_reset",
        "0.999999999999999",
        "1",
        None,
    )
    .unwrap();
    let Domain::Real { tolerance, .. } = d else {
        panic!("{d:?}")
    };
    assert!(tolerance >= float_spacing(0.0, 1.0));
}

#[test]
fn domains_follow_the_schema() {
    assert_eq!(
        Domain::parse("brain.reboot_concurrency", "1", "200", None),
        Ok(Domain::Integer { lo: 1, hi: 200 })
    );
    assert!(matches!(
        Domain::parse("supervisor.crash_on_reset", "0", "0.1", None),
        Ok(Domain::Real { .. })
    ));
    assert!(matches!(
        Domain::parse("brain.accept_per_s", "1", "100", None),
        Ok(Domain::Real { .. })
    ));
    for (path, lo, hi, why) in [
        (
            "brain.reboot_concurrency",
            "1.5",
            "10",
            "not a whole number",
        ),
        ("brain.reboot_concurrency", "10", "1", "LO must be below HI"),
        ("brain.queue_policy", "1", "2", "not a number"),
        (
            "brain.reboot_concurrency",
            "0",
            "10",
            "LO = 0 is outside what brain.reboot_concurrency allows: a whole number from 1",
        ),
        (
            "supervisor.crash_on_reset",
            "0",
            "2",
            "HI = 2 is outside what supervisor.crash_on_reset allows",
        ),
        (
            "brain.reboot_concurency",
            "1",
            "2",
            "did you mean `brain.reboot_concurrency`",
        ),
        ("brain.boot_time.mean", "1", "2s", "expected a duration"),
    ] {
        let e = Domain::parse(path, lo, hi, None).unwrap_err().to_string();
        assert!(e.contains(why), "{path} {lo}..{hi}: {e}");
    }
}

#[test]
fn every_numeric_path_sweep_takes_solve_takes_too() {
    // Every settable path whose value is a whole number, a number, a duration or a
    // distribution (which `--set` and `sweep` take as a fixed duration) has a domain:
    // a range of its kind is accepted, or refused only for the range itself.
    let mut solvable = 0;
    for path in crate::scenario::settable_paths() {
        let path = path.replace("[i]", "[0]");
        let Some((kind, _)) = schema::resolve(&path) else {
            continue;
        };
        let (lo, hi) = match kind {
            Kind::Count { .. } | Kind::OptionalCount => ("1", "2"),
            Kind::Number | Kind::OptionalNumber => ("0.25", "0.5"),
            Kind::Duration | Kind::Dist => ("1s", "2s"),
            _ => continue,
        };
        match Domain::parse(&path, lo, hi, None) {
            Ok(_) | Err(DomainError::Range(_)) => solvable += 1,
            Err(e) => panic!("{path}={lo}..{hi}: {e}"),
        }
    }
    assert!(solvable > 80, "{solvable}");
    // A distribution is solved as a duration: seconds, bisected to the microsecond grain.
    assert!(matches!(
        Domain::parse("brain.boot_time", "20s", "3m", None),
        Ok(Domain::Duration {
            lo: 20_000_000,
            hi: 180_000_000,
            ..
        })
    ));
}

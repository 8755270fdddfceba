//! `--set PATH=VALUE` overrides: the paths and what each accepts come from the schema
//! table ([`super::schema::FIELDS`]); `faults[i]` replaces or appends one fault.

use super::below::{self, Problem};
use super::diagnose::field_error;
use super::error::{FieldError, Location, printable};
use super::raw::{RawDist, RawFault, RawScenario, RawTransport};
use super::schema::{self, FAULTS, Kind};
use super::{ron_options, suggest};

/// Applies one `PATH=VALUE` override; returns the field path it set. Errors name the
/// `--set` argument.
pub fn apply_set(raw: &mut RawScenario, arg: &str) -> Result<String, FieldError> {
    let blame = |path: Option<&str>, message: String| FieldError {
        path: path.map(str::to_string),
        location: Location::Set(arg.to_string()),
        message,
    };
    let Some((path, value)) = arg.split_once('=') else {
        return Err(blame(
            None,
            "expected PATH=VALUE, e.g. brain.reboot_concurrency=40".to_string(),
        ));
    };
    let path = path.trim();
    let value = value.trim();
    if let Some(field) = schema::field(path) {
        // A bare duration where a distribution is wanted means `Fixed`.
        let stored = if field.kind == Kind::Dist {
            below::dist(path, value)
                .and_then(|d| field.set(raw, &ron::to_string(&d).unwrap_or_default()))
        } else {
            field.set(raw, value)
        };
        return stored
            .map(|()| path.to_string())
            .map_err(|code| blame(Some(path), unreadable(value, &field.expected(), &code)));
    }
    if let Some(result) = set_below(raw, path, value) {
        return result.map(|()| path.to_string()).map_err(|problem| {
            let message = match problem {
                Problem::NoSuchParam(message) => message,
                Problem::Unreadable { expected, code } => unreadable(value, &expected, &code),
            };
            blame(Some(path), message)
        });
    }
    // `faults[i]` replaces fault i, or appends one when i is the number of faults.
    if let Some(index) = path
        .strip_prefix("faults[")
        .and_then(|rest| rest.strip_suffix(']'))
    {
        let n = raw.faults.len();
        let i: usize = index
            .parse()
            .map_err(|_| blame(Some(path), format!("`{index}` is not a fault index")))?;
        if i > n {
            return Err(blame(
                Some(path),
                format!("the model has {n} faults: use an index from 0 to {n} (to append)"),
            ));
        }
        let fault: RawFault = ron_options().from_str(value).map_err(|e| {
            let expected = format!("a fault such as {}", FAULTS[0].example);
            blame(Some(path), unreadable(value, &expected, &e.code))
        })?;
        if i == n {
            raw.faults.push(fault);
        } else {
            raw.faults[i] = fault;
        }
        return Ok(path.to_string());
    }
    let hint = suggest::nearest_path(path)
        .map(|s| format!(" Did you mean `{s}`?"))
        .unwrap_or_default();
    Err(blame(
        Some(path),
        format!("unknown path.{hint} {}", suggest::paths_hint(path)),
    ))
}

/// A path as it is meant: trimmed, with every index written as its number
/// (`faults[00].at` is `faults[0].at`), so that two spellings of one path compare equal.
pub fn canonical_path(path: &str) -> String {
    let path = path.trim();
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let close = rest.find(']').unwrap_or(rest.len());
        let index = &rest[..close];
        match index.trim().parse::<u64>() {
            Ok(i) => out.push_str(&i.to_string()),
            Err(_) => out.push_str(index),
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The path an override `PATH=VALUE` sets, as meant (see [`canonical_path`]).
pub fn override_path(arg: &str) -> String {
    canonical_path(arg.split_once('=').map_or(arg, |(path, _)| path))
}

/// True when an override of `later` after one of `earlier` replaces what `earlier`
/// set: the same path, or a field that contains it (`brain` after
/// `brain.reboot_concurrency`). Setting a part after its whole
/// (`brain.reboot_concurrency` after `brain`) refines it and is not a replacement.
/// Paths are compared as meant ([`canonical_path`]).
pub fn replaces(later: &str, earlier: &str) -> bool {
    let (later, earlier) = (canonical_path(later), canonical_path(earlier));
    earlier == later
        || earlier
            .strip_prefix(&later)
            .is_some_and(|rest| rest.starts_with(['.', '[']))
}

/// True when paths `a` and `b` set some of the same value, one way or the other:
/// values applied together at every point of a study (sweep parameters, varied
/// paths) must not overlap, whatever their order.
pub fn overlap(a: &str, b: &str) -> bool {
    replaces(a, b) || replaces(b, a)
}

/// The first override of `args` (each `PATH=VALUE`, applied in order) that replaces
/// an earlier one, as (its index, the earlier one's index). The one rule for `--set`,
/// `--design-set`, sweep and solve `--param`, sensitivity `--vary` and a change's
/// `set:` list: a later value never silently wins.
pub fn first_replacement<S: AsRef<str>>(args: &[S]) -> Option<(usize, usize)> {
    args.iter().enumerate().find_map(|(i, later)| {
        let path = override_path(later.as_ref());
        args[..i]
            .iter()
            .position(|earlier| replaces(&path, &override_path(earlier.as_ref())))
            .map(|j| (i, j))
    })
}

/// True when values `a` and `b` of the value at `path` mean the same: numbers by
/// their value (`10`, `010`, `10.0`), durations by their length (`10s`, `10000ms`),
/// `Some(x)` as `x` where a value may be absent, a bare duration as `Fixed` where a
/// distribution is wanted; spacing and comments do not count.
pub fn same_value(path: &str, a: &str, b: &str) -> bool {
    value_meaning(path, a) == value_meaning(path, b)
}

/// Value `text` of the value at `path`, written so that values of the same meaning
/// are written alike (see [`same_value`]).
pub fn value_meaning(path: &str, text: &str) -> String {
    let kind = schema::resolve(&canonical_path(path)).map(|(kind, _)| kind);
    let mut v = meaning_tokens(text);
    if matches!(kind, Some(Kind::OptionalCount | Kind::OptionalNumber))
        && let Some(inner) = v.strip_prefix("Some(").and_then(|r| r.strip_suffix(')'))
    {
        v = inner.to_string();
    }
    if kind == Some(Kind::Dist) && v.starts_with("#D") && !v.contains('(') {
        v = format!("Fixed({v})");
    }
    v
}

/// RON-like text token by token: numbers as `#N` and their value, durations (quoted
/// or bare) as `#D` and their microseconds, other strings quoted, words and
/// punctuation as they are; blanks and comments dropped.
fn meaning_tokens(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            i += 1;
            match super::duration::parse_duration_us(&s) {
                Ok(us) => out.push_str(&format!("#D{us}")),
                Err(_) => out.push_str(&format!("{s:?}")),
            }
        } else if c.is_ascii_digit()
            || (matches!(c, '-' | '+' | '.') && next.is_some_and(|n| n.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || chars[i] == '_'
                    || (matches!(chars[i], '-' | '+') && matches!(chars[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            let token: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            out.push_str(&number_meaning(&token));
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.extend(&chars[start..i]);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// A number or bare duration token as its meaning (see [`meaning_tokens`]).
fn number_meaning(token: &str) -> String {
    let unsigned = token.strip_prefix('+').unwrap_or(token);
    if let Ok(n) = unsigned.parse::<i128>() {
        return format!("#N{n}");
    }
    if let Ok(x) = unsigned.parse::<f64>()
        && x.is_finite()
    {
        if x.fract() == 0.0 && x.abs() < 1e18 {
            return format!("#N{}", x as i128);
        }
        return format!("#N{x:?}");
    }
    match super::duration::parse_duration_us(unsigned) {
        Ok(us) => format!("#D{us}"),
        Err(_) => token.to_string(),
    }
}

/// Checks an override's text as a recorded override must be (in a part file): a
/// `PATH=VALUE` whose path `--set` knows and whose text fits on one line of a report;
/// a value for a field of the schema must also read as that field's kind.
pub fn check_override_text(arg: &str) -> Result<(), String> {
    let Some((path, value)) = arg.split_once('=') else {
        return Err(format!("`{}` is not PATH=VALUE", printable(arg)));
    };
    if let Some(problem) = super::error::line_problem(arg) {
        return Err(format!("`{}` {problem}", printable(arg)));
    }
    let path = canonical_path(path);
    let pattern = index_pattern(&path);
    if !schema::settable_paths().contains(&pattern) {
        return Err(format!("`{}`: unknown path `{path}`", printable(arg)));
    }
    if let Some(field) = schema::field(&path) {
        let mut raw = schema::defaults();
        apply_set(&mut raw, &format!("{}={value}", field.path))
            .map_err(|e| format!("`{}`: {}", printable(arg), e.message))?;
    }
    Ok(())
}

/// `path` with every index written `i` (`faults[2].at` is `faults[i].at`), as
/// [`schema::settable_paths`] lists the paths below a list.
fn index_pattern(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                out.push_str("[i");
            }
            ']' => {
                depth = depth.saturating_sub(1);
                out.push(']');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// True when targets `a` and `b` say the same: the same metric, statistic and
/// comparison, and bounds of the same value (`<= 1h` is `<= 3600s`).
pub fn same_target(
    a: &crate::scenario::target::Target,
    b: &crate::scenario::target::Target,
) -> bool {
    a.metric == b.metric && a.stat == b.stat && a.op == b.op && a.value == b.value
}

/// Sets a value below a field (a parameter of a distribution, a fault or the
/// broker); `None` when `path` is not below a field that has parameters.
fn set_below(raw: &mut RawScenario, path: &str, value: &str) -> Option<Result<(), Problem>> {
    // `faults[i].rest`: a parameter of an existing fault.
    if let Some((index, rest)) = path
        .strip_prefix("faults[")
        .and_then(|r| r.split_once("]."))
    {
        let n = raw.faults.len();
        let Some(fault) = index
            .parse::<usize>()
            .ok()
            .and_then(|i| raw.faults.get_mut(i))
        else {
            return Some(Err(Problem::NoSuchParam(format!(
                "the model has {n} faults: use an index from 0 to {} to set a fault's \
                 parameter (or faults[{n}]=... to append one)",
                n.saturating_sub(1)
            ))));
        };
        return Some(below::set_fault(
            fault,
            &format!("faults[{index}]"),
            rest,
            value,
        ));
    }
    // `changes[i].name`: a parameter of an existing change.
    if let Some((index, rest)) = path
        .strip_prefix("changes[")
        .and_then(|r| r.split_once("]."))
    {
        let n = raw.changes.len();
        let Some(change) = index
            .parse::<usize>()
            .ok()
            .and_then(|i| raw.changes.get_mut(i))
        else {
            return Some(Err(Problem::NoSuchParam(format!(
                "the model has {n} changes: use an index from 0 to {} to set a change's \
                 parameter",
                n.saturating_sub(1)
            ))));
        };
        let what = format!("changes[{index}]");
        return Some(below::set_change(change, &what, rest, value));
    }
    // The longest field of the schema that `path` is below.
    let field = schema::FIELDS
        .iter()
        .filter(|f| {
            path.strip_prefix(f.path)
                .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|f| f.path.len())?;
    let rest = &path[field.path.len() + 1..];
    let current = field.get(raw);
    let result = match field.kind {
        Kind::Dist => {
            let mut d: RawDist = ron_options().from_str(&current).ok()?;
            below::set_dist_param(&mut d, field.path, rest, value).map(|()| d.to_text())
        }
        Kind::Choice(variants) if std::ptr::eq(variants, schema::TRANSPORTS) => {
            let mut t: RawTransport = ron_options().from_str(&current).ok()?;
            below::set_transport(&mut t, field.path, rest, value).map(|()| t.to_text())
        }
        _ => return None,
    };
    Some(result.map(|text| {
        // The value came from a typed raw value: it reads back.
        let _ = field.set(raw, &text);
    }))
}

/// A raw value written back as RON, for a field's setter.
trait ToText {
    fn to_text(&self) -> String;
}

impl<T: serde::Serialize> ToText for T {
    fn to_text(&self) -> String {
        ron::to_string(self).unwrap_or_default()
    }
}

/// The message for a value `text` that does not read as `expected`.
fn unreadable(text: &str, expected: &str, code: &ron::Error) -> String {
    let detail = match code {
        ron::Error::NoSuchEnumVariant { .. }
        | ron::Error::NoSuchStructField { .. }
        | ron::Error::MissingStructField { .. } => {
            format!(" ({})", field_error("", code, None).message)
        }
        _ => String::new(),
    };
    if text.is_empty() {
        return format!("the value is empty: expected {expected}");
    }
    format!(
        "cannot read `{}`: expected {expected}{detail}",
        printable(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::raw::{Dur, RawBroker, RawScope};

    fn dur(s: &str) -> Dur {
        Dur(s.to_string())
    }

    /// The defaults with one partition and a message-queue transport, after `sets`.
    fn after(sets: &[&str]) -> Result<RawScenario, FieldError> {
        let mut raw = schema::defaults();
        raw.faults.push(RawFault::Partition {
            at: dur("1h"),
            duration: RawDist::Fixed(dur("4m")),
            scope: RawScope::All,
        });
        for arg in sets {
            apply_set(&mut raw, arg)?;
        }
        Ok(raw)
    }

    #[test]
    fn overrides_and_values_compare_by_meaning() {
        // Proves paths compare with their indices as numbers, a whole replaces its
        // parts and not the reverse, and values compare by what they mean.
        assert_eq!(canonical_path(" faults[007].at "), "faults[7].at");
        assert!(replaces("faults[00].at", "faults[0].at"));
        assert!(replaces("brain", "brain.reboot_concurrency"));
        assert!(!replaces("brain.reboot_concurrency", "brain"));
        assert!(!replaces("a.bc", "a.b") && overlap("brain.reboot_concurrency", "brain"));
        assert_eq!(
            first_replacement(&["a.b=1", "c=2", "a=(b: 3)"]),
            Some((2, 0))
        );
        assert_eq!(first_replacement(&["a=(b: 3)", "a.b=1"]), None);
        for (path, a, b) in [
            ("brain.reboot_concurrency", "10", "010"),
            ("brain.reboot_concurrency", "10", "10.0"),
            ("supervisor.crash_on_reset", "0.1", "0.10"),
            ("supervisor.crash_on_reset", "1e-1", "0.1"),
            ("horizon", "10s", "\"10000ms\""),
            ("head.repair", "4m", "Fixed(\"240s\")"),
            (
                "head.repair",
                "Exponential(mean: \"1h\")",
                "Exponential(mean:\"60m\") // x",
            ),
            ("brain.per_head_concurrency", "Some(4)", "4"),
        ] {
            assert!(same_value(path, a, b), "{path}: {a} vs {b}");
        }
        for (path, a, b) in [
            ("brain.reboot_concurrency", "10", "11"),
            ("horizon", "10s", "10001ms"),
            ("head.repair", "Fixed(\"4m\")", "Exponential(mean: \"4m\")"),
            ("brain.queue_policy", "Fifo", "Random"),
        ] {
            assert!(!same_value(path, a, b), "{path}: {a} vs {b}");
        }
    }

    #[test]
    fn set_reaches_parameters_below_fields() {
        // Proves --set reaches a fault's parameter, a distribution's parameter, the
        // broker's fields and a fault's distribution's parameter, and that a bare
        // duration where a distribution is wanted means Fixed.
        let raw = after(&[
            r#"faults[0].duration=Fixed("10m")"#,
            "brain.boot_time.mean=60s",
            "head.repair=4h",
            r#"design.transport=MessageQueue(broker: (failures_per_year: 2.0, repair: Fixed("1m")))"#,
            "design.transport.broker.failures_per_year=3",
            "design.transport.broker.repair=Exponential(mean: \"15m\")",
            "design.transport.broker.repair.mean=20m",
            "faults[0].at=2h",
            "faults[0].scope=Heads([0])",
        ])
        .unwrap();
        let RawFault::Partition {
            at,
            duration,
            scope,
        } = &raw.faults[0]
        else {
            panic!("{:?}", raw.faults);
        };
        assert_eq!(*duration, RawDist::Fixed(dur("10m")));
        assert_eq!(*at, dur("2h"));
        assert_eq!(*scope, RawScope::Heads(vec![0]));
        assert_eq!(
            raw.brain.boot_time,
            RawDist::LogNormal {
                mean: dur("60s"),
                sigma: 0.3
            }
        );
        assert_eq!(raw.head.repair, RawDist::Fixed(dur("4h")));
        assert_eq!(
            raw.design.transport,
            RawTransport::MessageQueue {
                broker: RawBroker {
                    failures_per_year: 3.0,
                    repair: RawDist::Exponential { mean: dur("20m") }
                }
            }
        );
        let raw = after(&["faults[0]=RandomPartitions(per_year: 1.0, duration: Exponential(mean: \"3m\"), scope: All)", "faults[0].per_year=6", "faults[0].duration.mean=5m"]).unwrap();
        assert_eq!(
            raw.faults[0],
            RawFault::RandomPartitions {
                per_year: 6.0,
                duration: RawDist::Exponential { mean: dur("5m") },
                scope: RawScope::All
            }
        );
    }

    #[test]
    fn set_below_a_field_says_what_exists() {
        // Proves a parameter the value does not have names the ones it has, a broker
        // field under Tcp says to set the transport first, a fault index past the end
        // says how many faults there are, and a value that does not read names the
        // --set argument and what the parameter takes.
        let message = |set: &str| {
            let e = after(&[set]).unwrap_err();
            assert_eq!(e.location, Location::Set(set.to_string()));
            e.message
        };
        assert!(message("brain.boot_time.shape=2")
            .contains("brain.boot_time is `LogNormal(mean:\"45s\",sigma:0.3)`, which has no parameter `shape`; its parameters: `mean`, `sigma`"));
        assert!(
            message("design.transport.broker.failures_per_year=3")
                .contains("design.transport is `Tcp`, which has no broker")
        );
        assert!(message("faults[1].at=1h").contains("the model has 1 faults"));
        assert!(
            message("faults[0].per_year=3")
                .contains("faults[0] is a `Partition`, which has no parameter `per_year`")
        );
        assert!(
            message("brain.boot_time.sigma=abc").contains("cannot read `abc`: expected a number")
        );
        assert!(message("brain.boot_tme.mean=1s").contains("brain.boot_time.mean, "));
        assert!(message("brain.boot_tme.mean=1s").contains("validate --list-paths"));
        // What is allowed, exactly: the real least value and the range of a number.
        assert!(
            message("brain.reboot_concurrency=-5").ends_with("a whole number from 1 to 4294967295")
        );
        assert!(
            message("brain.per_head_concurrency=-5")
                .ends_with("a whole number n from 1 to 4294967295")
        );
        assert!(message("link.reconnect.jitter=x").ends_with("0.5 or 52.0, in [0, 1)"));
        assert!(message("brain.boot_time.sigma=x").ends_with("0.5 or 52.0, in [0, 5]"));
    }
}

//! The `changes:` list: when each change happens, and what it sets. A change may set
//! only the values the model reads per head at the moment it uses them (the bug's
//! probabilities and the background crash rate); every other path is refused with
//! the list of those it may set, since the model has already acted on it.

use super::super::error::FieldError;
use super::super::raw::{Dur, RawChange, RawOrder, RawScenario};
use super::super::schema::{self, field_path};
use super::super::types::{Change, ChangePath, RolloutOrder, Scenario};
use super::{Problems, VResult, duration, verr};
use crate::engine::Micros;
use crate::scenario::overrides;

/// The paths a change may set, with what each becomes in the model.
const SETTABLE: [(&str, ChangePath); 3] = [
    (
        field_path!("supervisor.crash_on_reset"),
        ChangePath::CrashOnReset,
    ),
    (
        field_path!("supervisor.crash_on_long_reset"),
        ChangePath::CrashOnLongReset,
    ),
    (
        field_path!("supervisor.crashes_per_year"),
        ChangePath::CrashesPerYear,
    ),
];

/// Every change of `raw`, checked; problems are recorded in `p`. `horizon_us` is
/// `None` when the horizon itself is wrong.
pub(super) fn check_all(
    p: &mut Problems,
    raw: &RawScenario,
    horizon_us: Option<Micros>,
) -> Vec<Change> {
    let mut out = Vec::with_capacity(raw.changes.len());
    for (i, c) in raw.changes.iter().enumerate() {
        let field = |leaf: &str| format!("{}[{i}].{leaf}", field_path!("changes"));
        let (at, over, set, order, restart) = match c {
            RawChange::At { at, set } => (at, None, set, None, false),
            RawChange::Rollout {
                at,
                over,
                set,
                order,
                restart_supervisor,
            } => (at, Some(over), set, Some(*order), *restart_supervisor),
        };
        let at_us = p.take(when(&field("at"), at, horizon_us), 0);
        let over_us = over.map_or(0, |o| p.take(duration(&field("over"), o), 0));
        let mut values = Vec::with_capacity(set.len());
        for (j, entry) in set.iter().enumerate() {
            let at = format!("{}[{j}]", field("set"));
            if let Some(v) = p.take(setting(&at, raw, entry).map(Some), None) {
                values.push(v);
            }
        }
        out.push(Change {
            at_us,
            over_us,
            order: order.map(|o| match o {
                RawOrder::Sequential => RolloutOrder::Sequential,
                RawOrder::Random => RolloutOrder::Random,
            }),
            set: values,
            restart_supervisor: restart,
        });
    }
    out
}

/// A change's start, which must fall before the horizon.
fn when(field: &str, d: &Dur, horizon_us: Option<Micros>) -> VResult<Micros> {
    let at_us = duration(field, d)?;
    match horizon_us {
        Some(h) if at_us >= h => verr(
            field,
            format!(
                "{:?} is not before the horizon: the change would never happen",
                d.0
            ),
        ),
        _ => Ok(at_us),
    }
}

/// One `"path=value"` entry: read as `--set` reads it (the same messages for an
/// unknown path or a value that does not read), then checked to be a path a change
/// may set and a value in the range the schema allows there.
fn setting(field: &str, raw: &RawScenario, entry: &str) -> VResult<(ChangePath, f64)> {
    let allowed = || {
        let paths: Vec<&str> = SETTABLE.iter().map(|(p, _)| *p).collect();
        paths.join(", ")
    };
    let mut scratch = raw.clone();
    let path =
        overrides::apply_set(&mut scratch, entry).map_err(|e| FieldError::new(field, e.message))?;
    let Some(&(_, which)) = SETTABLE.iter().find(|(p, _)| *p == path) else {
        return verr(
            field,
            format!(
                "`{path}` cannot change during a run (only the values each head reads as it uses them can); a change may set: {}",
                allowed()
            ),
        );
    };
    let (_, value) = entry.split_once('=').unwrap_or_default();
    let (_, range) = schema::resolve(&path).unwrap_or((schema::Kind::Number, schema::Range::Any));
    let v: f64 = schema::parse(value.trim()).map_err(|e| FieldError::new(field, e.to_string()))?;
    match range.allowed() {
        Some(what) if !range.allows(v) => {
            verr(field, format!("`{path}` must be {what}, found {v}"))
        }
        _ => Ok((which, v)),
    }
}

/// A rollout whose last head falls at or after the horizon leaves some heads without
/// the change: legitimate (a history cut short), but worth saying.
pub(super) fn warnings(sc: &Scenario, out: &mut Vec<FieldError>) {
    for (i, c) in sc.changes.iter().enumerate() {
        if c.order.is_none() {
            continue;
        }
        let heads = sc.site.heads;
        let reached = (0..heads)
            .take_while(|&k| {
                super::super::types::step_time(c.at_us, c.over_us, heads, k) < sc.horizon_us
            })
            .count();
        if reached < heads as usize {
            out.push(FieldError::new(
                format!("{}[{i}].over", field_path!("changes")),
                format!(
                    "the rollout reaches {reached} of {heads} heads before the horizon; the others never take the change"
                ),
            ));
        }
    }
}

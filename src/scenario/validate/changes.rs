//! The `changes:` list: when each change happens, and what it sets. A change may set
//! only the values the model reads per head at the moment it uses them (the bug's
//! probabilities and the background crash rate); every other path is refused with
//! the list of those it may set, since the model has already acted on it.

use super::super::error::FieldError;
use super::super::raw::{Dur, RawChange, RawScenario};
use super::super::schema::{self, field_path};
use super::super::types::{Change, ChangePath, Coupling, RolloutDrain, Scenario};
use super::{Problems, VResult, duration, verr};
use crate::engine::Micros;
use crate::metrics::format::fmt_input;
use crate::scenario::error::printable;
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
        let (at, over, set, order, restart, drain) = match c {
            RawChange::At {
                at,
                set,
                restart_supervisor,
            } => (at, None, set, None, *restart_supervisor, RolloutDrain::None),
            RawChange::Rollout {
                at,
                over,
                set,
                order,
                restart_supervisor,
                drain,
            } => (
                at,
                Some(over),
                set,
                Some(*order),
                *restart_supervisor,
                *drain,
            ),
        };
        let drain = p.take(
            rollout_drain(&field("drain"), raw, restart, drain),
            RolloutDrain::None,
        );
        let at_us = p.take(when(&field("at"), at, horizon_us), 0);
        let over_us = over.map_or(0, |o| p.take(duration(&field("over"), o), 0));
        let mut values = Vec::with_capacity(set.len());
        for (j, entry) in set.iter().enumerate() {
            let at = format!("{}[{j}]", field("set"));
            if let Some((_, earlier)) =
                overrides::first_replacement(&set[..=j]).filter(|(later, _)| *later == j)
            {
                p.errors.push(FieldError::new(
                    &at,
                    format!(
                        "`{}` would overwrite `{}` (set[{earlier}]): a change sets each path once",
                        printable(entry),
                        printable(&set[earlier])
                    ),
                ));
                continue;
            }
            if let Some(v) = p.take(setting(&at, raw, entry).map(Some), None) {
                values.push(v);
            }
        }
        out.push(Change {
            at_us,
            over_us,
            order,
            set: values,
            restart_supervisor: restart,
            drain,
        });
    }
    out
}

/// A rollout's drain: live migration drains a head before its supervisor restarts,
/// so it needs a restart to drain for and another head to move the VMs to. The
/// `migration:` settings it uses (or their defaults, as for maintenance) are checked
/// with that section.
fn rollout_drain(
    field: &str,
    raw: &RawScenario,
    restart: bool,
    drain: RolloutDrain,
) -> VResult<RolloutDrain> {
    match drain {
        RolloutDrain::None => Ok(RolloutDrain::None),
        RolloutDrain::LiveMigrate if !restart => verr(
            field,
            "LiveMigrate drains a head before its supervisor restarts, and this rollout \
             restarts none: set `restart_supervisor: true`, or `drain: None`",
        ),
        RolloutDrain::LiveMigrate if raw.site.heads < 2 => verr(
            field,
            format!(
                "LiveMigrate needs another head to move the VMs to, and {} has {}: \
                 `drain: None`, or at least 2 heads",
                field_path!("site.heads"),
                raw.site.heads
            ),
        ),
        RolloutDrain::LiveMigrate => Ok(RolloutDrain::LiveMigrate),
    }
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
        Some(what) if !range.allows(v) => verr(
            field,
            format!("`{path}` must be {what}, found {}", fmt_input(v)),
        ),
        _ => Ok((which, v)),
    }
}

/// A rollout whose last head falls at or after the horizon leaves some heads without
/// the change: legitimate (a history cut short), but worth saying.
pub(super) fn warnings(sc: &Scenario, out: &mut Vec<FieldError>) {
    drain_warnings(sc, out);
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

/// A rollout drain that can never move a VM (no spare slot anywhere), or that has
/// nothing to save (a restart keeps the VMs in the `Decoupled` design).
fn drain_warnings(sc: &Scenario, out: &mut Vec<FieldError>) {
    for (i, c) in sc.changes.iter().enumerate() {
        if c.drain != RolloutDrain::LiveMigrate {
            continue;
        }
        let field = format!("{}[{i}].drain", field_path!("changes"));
        if sc.design.coupling == Coupling::Decoupled {
            out.push(FieldError::new(
                field,
                "saves nothing: in the Decoupled design a supervisor restart keeps the \
                 head's VMs, so draining only moves them, each at the cost of its pause",
            ));
        } else if sc.maintenance.vm_slots_per_head == sc.site.vms_per_head {
            out.push(FieldError::new(
                field,
                "has no effect: without spare slots (site.vm_slots_per_head = \
                 site.vms_per_head) no VM can be migrated, and every one dies with its \
                 supervisor as with `drain: None`",
            ));
        }
    }
}

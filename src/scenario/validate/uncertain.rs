//! The `uncertain:` list: each entry's path must name a numeric value of the model
//! (a number, a whole number, a duration, or a distribution varied as `Fixed`), its
//! range must lie inside what that value allows, and a log scale needs a range above
//! zero. The model never reads these entries; `bigvsim sensitivity` samples them.
//!
//! A sample sets every varied path at once, so the list is also checked as a whole
//! before any run: no path lies within another (one would overwrite the other), and
//! the model stays valid at both corners of every range (each bound alone, the others
//! as the model has them) and with every range at its low bound, then at its high
//! bound ([`corners`]).

use super::super::duration;
use super::super::error::FieldError;
use super::super::overrides::apply_set;
use super::super::raw::{RawBound, RawScenario, RawUncertain};
use super::super::schema::{self, Kind, Range};
use super::super::types::{Scale, Uncertain, UncertainKind};
use super::{Problems, VResult, verr};
use crate::metrics::format::fmt_input;

/// Every entry of the list, checked; problems are recorded in `p`. A path given
/// twice is refused, since one entry would silently overwrite the other.
pub(super) fn check_all(p: &mut Problems, list: &[RawUncertain]) -> Vec<Uncertain> {
    let mut out: Vec<Uncertain> = Vec::with_capacity(list.len());
    for (i, u) in list.iter().enumerate() {
        let field = format!("uncertain[{i}]");
        match entry(&field, u) {
            Ok(checked) => {
                if out.iter().any(|o| {
                    super::super::overrides::overlap(&o.path, &checked.path)
                        && !nested(&o.path, &checked.path)
                }) {
                    p.errors.push(FieldError::new(
                        format!("{field}.path"),
                        format!("`{}` is listed twice; give each path one range", u.path),
                    ));
                } else if let Some(o) = out.iter().find(|o| nested(&o.path, &checked.path)) {
                    p.errors.push(FieldError::new(
                        format!("{field}.path"),
                        format!(
                            "`{}` and `{}` are both varied, one inside the other: a sample would set one over the other; vary one of them",
                            o.path, checked.path
                        ),
                    ));
                } else {
                    out.push(checked);
                }
            }
            Err(e) => p.errors.push(e),
        }
    }
    out
}

/// One entry, checked; `field` is its path in the model (`uncertain[2]`), used in
/// messages.
pub fn entry(field: &str, u: &RawUncertain) -> VResult<Uncertain> {
    let path_field = format!("{field}.path");
    let range_field = format!("{field}.range");
    let path = u.path.trim();
    let Some((kind, range)) = schema::resolve(path) else {
        return verr(
            &path_field,
            format!(
                "`{path}` is not a path of the model; give a numeric path as `--set` takes it, e.g. brain.boot_slowdown_per_boot_on_site"
            ),
        );
    };
    let (kind, max) = match kind {
        Kind::Number => (UncertainKind::Number, f64::INFINITY),
        Kind::Count { max } => (UncertainKind::Whole, max as f64),
        Kind::Duration => (UncertainKind::Duration, f64::INFINITY),
        Kind::Dist => (UncertainKind::FixedDuration, f64::INFINITY),
        other => {
            return verr(
                &path_field,
                format!(
                    "`{path}` is a {}, not a number, whole number, duration or distribution",
                    other.name()
                ),
            );
        }
    };
    let durations = matches!(kind, UncertainKind::Duration | UncertainKind::FixedDuration);
    let bound = |b: &RawBound| -> VResult<f64> {
        match (b, durations) {
            (RawBound::Number(v), false) => Ok(*v),
            (RawBound::Duration(d), true) => duration::parse_duration_us(&d.0)
                .map(|us| us as f64)
                .map_err(|m| FieldError::new(&range_field, m)),
            (RawBound::Number(v), true) => verr(
                &range_field,
                format!(
                    "`{path}` is a duration: write the bounds as durations such as (\"30s\", \"5m\"), found {}",
                    fmt_input(*v)
                ),
            ),
            (RawBound::Duration(d), false) => verr(
                &range_field,
                format!(
                    "`{path}` is a number: write the bounds as numbers such as (0.0, 0.06), found {:?}",
                    d.0
                ),
            ),
        }
    };
    let lo = bound(&u.range.0)?;
    let hi = bound(&u.range.1)?;
    if !(lo.is_finite() && hi.is_finite()) {
        return verr(&range_field, "the bounds must be finite numbers");
    }
    if lo >= hi {
        return verr(
            &range_field,
            format!(
                "the low bound must be below the high bound, found ({}, {})",
                written(&u.range.0),
                written(&u.range.1)
            ),
        );
    }
    // A duration allows any length unless it must be positive; a number is checked
    // against its range, and a whole number against its largest value too.
    let allowed = |v: f64| {
        if durations {
            range != Range::Positive || v > 0.0
        } else {
            range.allows(v) && v <= max
        }
    };
    for v in [lo, hi] {
        if !allowed(v) {
            let what = if durations {
                "longer than 0".to_string()
            } else {
                let mut what = range.allowed().unwrap_or_else(|| "any number".to_string());
                if max.is_finite() {
                    what.push_str(&format!(" and at most {}", fmt_input(max)));
                }
                what
            };
            return verr(
                &range_field,
                format!(
                    "the range must lie inside what `{path}` allows ({what}), found {}",
                    fmt_input(v)
                ),
            );
        }
    }
    let scale = u.scale;
    if scale == Scale::Log && lo <= 0.0 {
        return verr(
            &format!("{field}.scale"),
            format!("a Log scale needs a range above 0, found a low bound of {lo}"),
        );
    }
    Ok(Uncertain {
        path: path.to_string(),
        lo,
        hi,
        scale,
        kind,
    })
}

/// A bound as the user wrote it: `0.05`, `"90s"`.
fn written(b: &RawBound) -> String {
    match b {
        RawBound::Number(v) => format!("{v}"),
        RawBound::Duration(d) => format!("{:?}", d.0),
    }
}

/// Whether `a` and `b` are different paths one inside the other (`brain.boot_time`
/// and `brain.boot_time.mean`): setting both sets one over the other.
pub fn nested(a: &str, b: &str) -> bool {
    let inside = |inner: &str, outer: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    inside(a, b) || inside(b, a)
}

/// The value at `u` in [0, 1] of the range, in the path's own unit (microseconds for
/// a duration), rounded to what the path holds.
pub fn value_at(p: &Uncertain, u: f64) -> f64 {
    let v = match p.scale {
        Scale::Linear => p.lo + u * (p.hi - p.lo),
        Scale::Log => libm::exp(libm::log(p.lo) + u * (libm::log(p.hi) - libm::log(p.lo))),
    };
    // Rounding error must not carry a value outside the range it was checked in.
    let v = v.clamp(p.lo, p.hi);
    match p.kind {
        UncertainKind::Number => v,
        _ => libm::round(v).clamp(libm::ceil(p.lo), libm::floor(p.hi)),
    }
}

/// The `--set` argument that applies value `v` (in the path's own unit) of `p`.
/// Numbers are written in the shortest form that reads back to the same value, a
/// duration in whole microseconds, and a distribution as that duration (`Fixed`).
pub fn set_arg(p: &Uncertain, v: f64) -> String {
    match p.kind {
        UncertainKind::Number => format!("{}={v:?}", p.path),
        UncertainKind::Whole => format!("{}={}", p.path, v as u64),
        UncertainKind::Duration | UncertainKind::FixedDuration => {
            format!("{}={}us", p.path, v as u64)
        }
    }
}

/// The `--set` argument that puts `p` at its low or high bound, durations written as
/// the shortest exact duration (`10m`), for messages.
fn bound_arg(p: &Uncertain, high: bool) -> String {
    let v = value_at(p, if high { 1.0 } else { 0.0 });
    match p.kind {
        UncertainKind::Duration | UncertainKind::FixedDuration => {
            format!("{}={}", p.path, duration::format_duration_us(v as u64))
        }
        _ => set_arg(p, v),
    }
}

/// A corner of the ranges a study must be able to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    /// Range `index` at its low (`high: false`) or high bound, the others as the
    /// model has them.
    One { index: usize, high: bool },
    /// Every range at its low or high bound at once.
    All { high: bool },
}

impl Corner {
    fn bound(high: bool) -> &'static str {
        if high { "high" } else { "low" }
    }
}

/// Why the model fails at a corner: the corner, whether the `--set` of a bound itself
/// failed (a path that does not exist in this model, such as a fault it lacks) rather
/// than the model it made, and the problem on one line.
#[derive(Clone, Debug, PartialEq)]
pub struct CornerFailure {
    pub corner: Corner,
    pub unsettable: bool,
    pub message: String,
}

impl CornerFailure {
    /// The problem as the corner's own words: `at its low bound (x=1) ...` for one
    /// range, `with every range at its high bound ...` for all.
    pub fn describe(&self, params: &[Uncertain]) -> String {
        let sets = |high: bool, which: &[&Uncertain]| {
            which
                .iter()
                .map(|p| bound_arg(p, high))
                .collect::<Vec<_>>()
                .join(" ")
        };
        match self.corner {
            Corner::One { index, high } => format!(
                "at its {} bound ({}) {}",
                Corner::bound(high),
                sets(high, &[&params[index]]),
                self.message
            ),
            Corner::All { high } => format!(
                "with every range at its {} bound ({}) {}",
                Corner::bound(high),
                sets(high, &params.iter().collect::<Vec<_>>()),
                self.message
            ),
        }
    }
}

/// Checks that `raw` (its own `uncertain:` list aside) stays valid with each range of
/// `params` at each of its bounds alone, and with all of them at their low bounds,
/// then at their high bounds; the first corner that fails, if any.
pub fn corners(raw: &RawScenario, params: &[Uncertain]) -> Result<(), CornerFailure> {
    let mut list: Vec<(Corner, Vec<&Uncertain>)> = Vec::new();
    for (index, p) in params.iter().enumerate() {
        for high in [false, true] {
            list.push((Corner::One { index, high }, vec![p]));
        }
    }
    if params.len() > 1 {
        for high in [false, true] {
            list.push((Corner::All { high }, params.iter().collect()));
        }
    }
    for (corner, which) in list {
        let high = match corner {
            Corner::One { high, .. } | Corner::All { high } => high,
        };
        let mut at = raw.clone();
        at.uncertain.clear();
        let fail = |unsettable: bool, e: FieldError| CornerFailure {
            corner,
            unsettable,
            message: match &e.path {
                Some(path) => format!("cannot hold: field `{path}`: {}", e.message),
                None => format!("cannot hold: {}", e.message),
            },
        };
        for p in which {
            apply_set(&mut at, &bound_arg(p, high)).map_err(|e| fail(true, e))?;
        }
        if let Err(errors) = super::validate(&at)
            && let Some(e) = errors.into_iter().next()
        {
            return Err(fail(false, e));
        }
    }
    Ok(())
}

/// The model's own `uncertain:` list checked at its corners (for a file as written:
/// `--set` may change what a range needs, and a sensitivity study checks its ranges
/// with its overrides itself): an error at the range
/// (or the path, when a bound cannot even be set) of the entry at fault, or at the
/// list for a combination.
pub fn check_corners(raw: &RawScenario, params: &[Uncertain]) -> Result<(), FieldError> {
    corners(raw, params).map_err(|f| {
        let field = match f.corner {
            Corner::One { index, .. } => format!(
                "uncertain[{}].{}",
                entry_index(raw, &params[index].path),
                if f.unsettable { "path" } else { "range" }
            ),
            Corner::All { .. } => "uncertain".to_string(),
        };
        FieldError::new(field, f.describe(params))
    })
}

/// The place in the model's list of the entry of `path`.
fn entry_index(raw: &RawScenario, path: &str) -> usize {
    raw.uncertain
        .iter()
        .position(|u| u.path.trim() == path)
        .unwrap_or(0)
}

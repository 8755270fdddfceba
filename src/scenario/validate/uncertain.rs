//! The `uncertain:` list: each entry's path must name a numeric value of the model
//! (a number, a whole number, a duration, or a distribution varied as `Fixed`), its
//! range must lie inside what that value allows, and a log scale needs a range above
//! zero. The model never reads these entries; `bigvsim sensitivity` samples them.

use super::super::duration;
use super::super::error::FieldError;
use super::super::raw::{RawBound, RawUncertain};
use super::super::schema::{self, Kind, Range};
use super::super::types::{Scale, Uncertain, UncertainKind};
use super::{Problems, VResult, verr};

/// Every entry of the list, checked; problems are recorded in `p`. A path given
/// twice is refused, since one entry would silently overwrite the other.
pub(super) fn check_all(p: &mut Problems, list: &[RawUncertain]) -> Vec<Uncertain> {
    let mut out: Vec<Uncertain> = Vec::with_capacity(list.len());
    for (i, u) in list.iter().enumerate() {
        let field = format!("uncertain[{i}]");
        match entry(&field, u) {
            Ok(checked) => {
                if out.iter().any(|o| o.path == checked.path) {
                    p.errors.push(FieldError::new(
                        format!("{field}.path"),
                        format!("`{}` is listed twice; give each path one range", u.path),
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
                    "`{path}` is a duration: write the bounds as durations such as (\"30s\", \"5m\"), found {v}"
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
                    what.push_str(&format!(" and at most {max}"));
                }
                what
            };
            return verr(
                &range_field,
                format!("the range must lie inside what `{path}` allows ({what}), found {v}"),
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

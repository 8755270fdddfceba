//! Cleaning a line chart's series before layout and drawing: unusable values
//! dropped (leaving gaps), band rows ordered, and series that draw the same line
//! as an earlier one found, so they can be dashed and named "same as" it.

use plotters::style::RGBColor;

use super::layout::min_max;
use super::{LineChart, PALETTE};

/// A series after cleaning: maximal runs of consecutive usable points, and
/// runs of usable band rows with `low <= high`.
pub(super) struct CleanSeries {
    pub label: String,
    pub color: RGBColor,
    /// 0 for a solid line; k > 0 for the k-th dash pattern, given to a series
    /// that coincides with an earlier one so that both remain visible.
    pub dash: usize,
    pub runs: Vec<Vec<(f64, f64)>>,
    pub band_runs: Vec<Vec<(f64, f64, f64)>>,
    /// Usable points the horizon cut (a lower bound of the true value): drawn as
    /// hollow markers.
    pub hollow: Vec<(f64, f64)>,
}

/// Splits `items` into maximal runs of elements accepted by `keep`, so that a
/// dropped value leaves a visible gap rather than a misleading straight line.
fn split_runs<T: Copy>(items: &[T], keep: impl Fn(&T) -> bool) -> Vec<Vec<T>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for item in items {
        if keep(item) {
            current.push(*item);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Dash length and gap (pixels) of the dash patterns, in the order they are
/// given to coinciding series.
pub(super) const DASHES: [(u32, u32); 4] = [(10, 6), (3, 4), (16, 5), (6, 10)];

/// The height of a line through `points` (sorted by x) at `x`: linear between
/// points, the end values beyond them.
fn height_at(points: &[(f64, f64)], x: f64) -> f64 {
    match points.partition_point(|p| p.0 <= x) {
        0 => points[0].1,
        i if i == points.len() => points[i - 1].1,
        i => {
            let (a, b) = (points[i - 1], points[i]);
            a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0)
        }
    }
}

/// Whether every point of `a` lies on the line of `b`, give or take `dy` in
/// height and `dx` sideways: the height `b` takes somewhere within `dx` of the
/// point's x is within `dy` of it. The line through `b` is continuous, so it
/// takes every height between those at `x - dx`, `x` and `x + dx`.
fn lies_on(a: &[(f64, f64)], b: &[(f64, f64)], dx: f64, dy: f64) -> bool {
    a.iter().all(|&(x, y)| {
        let hs = [height_at(b, x - dx), height_at(b, x), height_at(b, x + dx)];
        let lo = hs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = hs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        y >= lo - dy && y <= hi + dy
    })
}

/// Whether two series draw one line: each lies on the other (see [`lies_on`]),
/// even when their points lie on different x grids.
fn coincide(a: &[(f64, f64)], b: &[(f64, f64)], dx: f64, dy: f64) -> bool {
    let ok =
        |p: &[(f64, f64)]| !p.is_empty() && p.iter().all(|q| q.0.is_finite() && q.1.is_finite());
    ok(a) && ok(b) && lies_on(a, b, dx, dy) && lies_on(b, a, dx, dy)
}

/// A series drawn over an earlier one.
#[derive(Clone, Copy, Debug, PartialEq)]
struct SameAs {
    /// The earlier series.
    of: usize,
    /// Equal to it, not only within a line's width of it at this scale.
    exact: bool,
}

/// For each series, the first earlier series it coincides with: exactly, or
/// within about a line's width (half a percent of each axis span; sideways only
/// on a linear x axis) so that the eye could not tell them apart.
fn same_as(chart: &LineChart) -> Vec<Option<SameAs>> {
    let points = || chart.series.iter().flat_map(|s| s.points.iter());
    let span = |v: Option<(f64, f64)>| v.map(|(lo, hi)| hi - lo).unwrap_or(0.0);
    let dy = span(min_max(points().map(|p| p.1).filter(|y| y.is_finite()))) * 0.005;
    let dx = if chart.x_log {
        0.0
    } else {
        span(min_max(points().map(|p| p.0).filter(|x| x.is_finite()))) * 0.005
    };
    let mut out: Vec<Option<SameAs>> = Vec::with_capacity(chart.series.len());
    for (i, s) in chart.series.iter().enumerate() {
        let first = (0..i)
            .filter(|&j| out[j].is_none())
            .find(|&j| coincide(&chart.series[j].points, &s.points, dx, dy))
            .map(|j| SameAs {
                of: j,
                exact: chart.series[j].points == s.points,
            });
        out.push(first);
    }
    out
}

/// The chart's series cleaned: non-finite values (and, on a logarithmic x axis,
/// x <= 0) dropped, leaving gaps, with colours and dash patterns given.
pub(super) fn clean_series(chart: &LineChart) -> Vec<CleanSeries> {
    let x_ok = |x: f64| x.is_finite() && (!chart.x_log || x > 0.0);
    let same = same_as(chart);
    chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let runs = split_runs(&s.points, |&(x, y)| x_ok(x) && y.is_finite());
            let band_runs = s
                .band
                .as_deref()
                .map(|band| {
                    let ordered: Vec<_> = band
                        .iter()
                        .map(|&(x, a, b)| (x, a.min(b), a.max(b)))
                        .collect();
                    split_runs(&ordered, |&(x, a, b)| {
                        x_ok(x) && a.is_finite() && b.is_finite()
                    })
                })
                .unwrap_or_default();
            let (label, dash) = match same[i] {
                Some(same_as) => {
                    let j = same_as.of;
                    let dash = same[..i]
                        .iter()
                        .filter(|o| o.is_some_and(|o| o.of == j))
                        .count()
                        + 1;
                    let of = &chart.series[j].label;
                    let label = match (s.label.is_empty(), same_as.exact) {
                        (true, _) => String::new(),
                        (false, true) => format!("{} (same as {of})", s.label),
                        (false, false) => format!("{} (same as {of} at this scale)", s.label),
                    };
                    (label, dash)
                }
                None => (s.label.clone(), 0),
            };
            let hollow = s
                .points
                .iter()
                .zip(&s.hollow)
                .filter(|(p, h)| **h && x_ok(p.0) && p.1.is_finite())
                .map(|(p, _)| *p)
                .collect();
            CleanSeries {
                hollow,
                label,
                color: PALETTE[i % PALETTE.len()],
                dash,
                runs,
                band_runs,
            }
        })
        .collect()
}

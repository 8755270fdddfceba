//! Line charts: series with optional confidence bands, on a linear or
//! logarithmic x axis, with a legend in the emptiest corner.

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::font;
use super::layout::{draw_no_data, draw_title, max_label_width, min_max, pad_linear, pad_log};
use super::{BAND_ALPHA, DESC_SIZE, LEGEND_SIZE, LineChart, PALETTE, PlotError, TICK_SIZE, perr};
use crate::metrics::format::{AxisFormat, fmt_compact};

/// A series after cleaning: maximal runs of consecutive usable points, and
/// runs of usable band rows with `low <= high`.
struct CleanSeries {
    label: String,
    color: RGBColor,
    /// 0 for a solid line; k > 0 for the k-th dash pattern, given to a series
    /// that coincides with an earlier one so that both remain visible.
    dash: usize,
    runs: Vec<Vec<(f64, f64)>>,
    band_runs: Vec<Vec<(f64, f64, f64)>>,
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
const DASHES: [(u32, u32); 4] = [(10, 6), (3, 4), (16, 5), (6, 10)];

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

fn clean_series(chart: &LineChart) -> Vec<CleanSeries> {
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
            CleanSeries {
                label,
                color: PALETTE[i % PALETTE.len()],
                dash,
                runs,
                band_runs,
            }
        })
        .collect()
}

/// A tick label on a logarithmic axis: only at 1, 2 and 5 times a power of ten,
/// since labels at every tick (…, 80, 90, 100) run into each other near the top
/// of each decade. The unlabelled ticks keep their grid lines.
fn log_tick(v: f64) -> String {
    if !(v.is_finite() && v > 0.0) {
        return String::new();
    }
    let mantissa = v / 10f64.powf(v.log10().floor());
    if [1.0, 2.0, 5.0, 10.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 1e-6 * m)
    {
        fmt_compact(v)
    } else {
        String::new()
    }
}

/// Picks the plot corner that the fewest data points fall into, so that the
/// legend hides as little of the data as possible. Coordinates are
/// normalised to the unit square of the plotting area.
fn legend_corner(normalised: &[(f64, f64)]) -> SeriesLabelPosition {
    // The legend box covers roughly this fraction of the plot in each
    // direction; a slightly generous estimate keeps lines clear of its edge.
    const W: f64 = 0.4;
    const H: f64 = 0.35;
    let corners = [
        (SeriesLabelPosition::UpperRight, 1.0 - W, 1.0, 1.0 - H, 1.0),
        (SeriesLabelPosition::UpperLeft, 0.0, W, 1.0 - H, 1.0),
        (SeriesLabelPosition::LowerRight, 1.0 - W, 1.0, 0.0, H),
        (SeriesLabelPosition::LowerLeft, 0.0, W, 0.0, H),
    ];
    let mut best = SeriesLabelPosition::UpperRight;
    let mut best_count = usize::MAX;
    for (pos, x0, x1, y0, y1) in corners {
        let count = normalised
            .iter()
            .filter(|&&(x, y)| x >= x0 && x <= x1 && y >= y0 && y <= y1)
            .count();
        // Strictly fewer points wins, so ties keep the conventional upper
        // right position and the choice is deterministic.
        if count < best_count {
            best = pos;
            best_count = count;
        }
    }
    best
}

/// Draws line charts stacked top to bottom, each in an equal share of the
/// height, for quantities whose scales differ too much to share an axis.
pub(super) fn draw_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    charts: &[LineChart],
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    // One width for every panel's y labels keeps their x axes aligned.
    let mut y_area = 0;
    for chart in charts {
        if let Some((lo, hi)) = y_range(chart, &clean_series(chart))? {
            y_area = y_area.max(y_label_area(root, chart, lo, hi));
        }
    }
    let areas = root.split_evenly((charts.len().max(1), 1));
    for (area, chart) in areas.iter().zip(charts) {
        draw_line_chart_in(area, chart, y_area)?;
    }
    Ok(())
}

/// The y range of a chart's data and target line, padded, or `None` when there
/// is nothing to plot.
fn y_range(chart: &LineChart, series: &[CleanSeries]) -> Result<Option<(f64, f64)>, PlotError> {
    let target = chart.target.as_ref().filter(|t| t.y.is_finite());
    let ys = series
        .iter()
        .flat_map(|s| {
            let pts = s.runs.iter().flatten().map(|p| p.1);
            let band = s.band_runs.iter().flatten().flat_map(|b| [b.1, b.2]);
            pts.chain(band)
        })
        .chain(target.map(|t| t.y));
    let Some((y_lo, y_hi)) = min_max(ys) else {
        return Ok(None);
    };
    let (y_lo, y_hi) = if chart.y_from_zero {
        (y_lo.min(0.0), y_hi.max(0.0))
    } else {
        (y_lo, y_hi)
    };
    pad_linear(y_lo, y_hi).map(Some)
}

/// The width of the y tick labels and axis description of a y range.
fn y_label_area<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    y_lo: f64,
    y_hi: f64,
) -> u32 {
    // Tick labels at the ends and the middle of the range bound the widest
    // label well enough for sizing the label area.
    let y_fmt = AxisFormat::for_range(y_lo, y_hi);
    let samples = [y_lo, (y_lo + y_hi) / 2.0, y_hi, -y_hi.abs().max(y_lo.abs())];
    let tick_w = max_label_width(root, samples.iter().map(|v| y_fmt.format(*v)));
    tick_w + if chart.y_label.is_empty() { 20 } else { 50 }
}

pub(super) fn draw_line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
) -> Result<(), PlotError> {
    draw_line_chart_in(root, chart, 0)
}

/// Draws a line chart whose y label area is at least `min_y_area` pixels wide.
fn draw_line_chart_in<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    min_y_area: u32,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    let top = draw_title(root, &chart.title)?;
    let series = clean_series(chart);

    let xs = series.iter().flat_map(|s| {
        let pts = s.runs.iter().flatten().map(|p| p.0);
        let band = s.band_runs.iter().flatten().map(|b| b.0);
        pts.chain(band)
    });
    let target = chart.target.as_ref().filter(|t| t.y.is_finite());
    let (Some((x_lo, x_hi)), Some((y_lo, y_hi))) = (min_max(xs), y_range(chart, &series)?) else {
        return draw_no_data(root, &chart.x_label, &chart.y_label, top);
    };
    let (x_lo, x_hi) = if chart.x_log {
        pad_log(x_lo, x_hi)?
    } else {
        pad_linear(x_lo, x_hi)?
    };

    let y_fmt = AxisFormat::for_range(y_lo, y_hi);
    let y_fmt_fn = move |v: &f64| y_fmt.format(*v);
    let x_fmt = AxisFormat::for_range(x_lo, x_hi);
    let x_fmt_fn: Box<dyn Fn(&f64) -> String> = if chart.x_log {
        Box::new(|v: &f64| log_tick(*v))
    } else {
        Box::new(move |v: &f64| x_fmt.format(*v))
    };

    let y_area = y_label_area(root, chart, y_lo, y_hi).max(min_y_area);

    let normalise_x = |x: f64| {
        if chart.x_log {
            (x.ln() - x_lo.ln()) / (x_hi.ln() - x_lo.ln())
        } else {
            (x - x_lo) / (x_hi - x_lo)
        }
    };
    let normalised: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.runs.iter().flatten())
        .map(|&(x, y)| (normalise_x(x), (y - y_lo) / (y_hi - y_lo)))
        .collect();
    let corner = legend_corner(&normalised);

    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(top)
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(if chart.x_label.is_empty() { 35 } else { 60 })
        .y_label_area_size(y_area);
    let axes = Axes {
        x_label: &chart.x_label,
        y_label: &chart.y_label,
        x_fmt: &*x_fmt_fn,
        y_fmt: &y_fmt_fn,
        legend: series.len() > 1,
        markers: chart.markers,
        target: target.map(|t| (t.y, t.label.as_str(), x_lo, x_hi)),
    };
    if chart.x_log {
        let ctx = builder
            .build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)
            .map_err(perr)?;
        draw_line_body(ctx, &series, &axes, corner)
    } else {
        let ctx = builder
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .map_err(perr)?;
        draw_line_body(ctx, &series, &axes, corner)
    }
}

/// Axis descriptions and tick formatters shared by both x-axis scales.
struct Axes<'a> {
    x_label: &'a str,
    y_label: &'a str,
    x_fmt: &'a dyn Fn(&f64) -> String,
    y_fmt: &'a dyn Fn(&f64) -> String,
    /// Whether to draw a legend: only with more than one series.
    legend: bool,
    /// Whether every point gets a marker.
    markers: bool,
    /// A target line: its height, label and the x range it spans.
    target: Option<(f64, &'a str, f64, f64)>,
}

/// Draws the mesh, bands, lines and legend. It is generic over the x
/// coordinate so that linear and logarithmic charts share one code path.
fn draw_line_body<'a, DB, X>(
    mut ctx: ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    series: &[CleanSeries],
    axes: &Axes<'_>,
    corner: SeriesLabelPosition,
) -> Result<(), PlotError>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut mesh = ctx.configure_mesh();
    mesh.x_labels(10)
        .y_labels(8)
        .max_light_lines(1)
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04));
    if !axes.x_label.is_empty() {
        mesh.x_desc(axes.x_label);
    }
    if !axes.y_label.is_empty() {
        mesh.y_desc(axes.y_label);
    }
    mesh.draw().map_err(perr)?;

    // All bands go first so that no band covers another series' line.
    for s in series {
        let fill = s.color.mix(BAND_ALPHA).filled();
        let polygons = s.band_runs.iter().filter(|r| r.len() >= 2).map(|run| {
            let upper = run.iter().map(|&(x, _, hi)| (x, hi));
            let lower = run.iter().rev().map(|&(x, lo, _)| (x, lo));
            Polygon::new(upper.chain(lower).collect::<Vec<_>>(), fill)
        });
        ctx.draw_series(polygons).map_err(perr)?;
    }

    if let Some((y, label, x_lo, x_hi)) = axes.target {
        let style = BLACK.mix(0.7).stroke_width(1);
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x_lo, y), (x_hi, y)],
            8,
            5,
            style,
        )))
        .map_err(perr)?;
        let text_style = font(LEGEND_SIZE).pos(Pos::new(HPos::Right, VPos::Bottom));
        ctx.plotting_area()
            .draw(&Text::new(label.to_string(), (x_hi, y), text_style))
            .map_err(perr)?;
    }

    // Solid lines first and dashed ones (curves that coincide with an earlier
    // one) on top, so that the gaps in the dashes show both.
    let solid_first = series
        .iter()
        .filter(|s| s.dash == 0)
        .chain(series.iter().filter(|s| s.dash > 0));
    for s in solid_first {
        let line = s.color.stroke_width(2);
        let runs = s.runs.iter().filter(|r| r.len() >= 2);
        if s.dash == 0 {
            ctx.draw_series(runs.map(|run| PathElement::new(run.clone(), line)))
                .map_err(perr)?;
        } else {
            let (size, gap) = DASHES[(s.dash - 1) % DASHES.len()];
            ctx.draw_series(runs.map(|run| DashedPathElement::new(run.clone(), size, gap, line)))
                .map_err(perr)?;
        }
        // Isolated points would be invisible as lines, so they always get
        // markers; with `markers`, every point does.
        let dots = s
            .runs
            .iter()
            .filter(|r| axes.markers || r.len() == 1)
            .flatten()
            .copied();
        ctx.draw_series(dots.map(|p| Circle::new(p, 4, s.color.filled())))
            .map_err(perr)?;
    }

    // The legend lists the series in their given order, whatever the drawing
    // order; each entry is attached to an empty series of its own.
    let mut any_label = false;
    for s in series {
        if !axes.legend || s.label.is_empty() {
            continue;
        }
        any_label = true;
        let color = s.color;
        let has_band = !s.band_runs.is_empty();
        let dash = s.dash;
        let marker = axes.markers;
        ctx.draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(perr)?
            .label(s.label.clone())
            .legend(move |(x, y)| {
                let band_style = if has_band {
                    color.mix(BAND_ALPHA).filled()
                } else {
                    TRANSPARENT.filled()
                };
                let line: DynElement<'static, _, _> = if dash == 0 {
                    PathElement::new(vec![(0, 0), (24, 0)], color.stroke_width(2)).into_dyn()
                } else {
                    let (size, gap) = DASHES[(dash - 1) % DASHES.len()];
                    DashedPathElement::new(
                        vec![(0, 0), (24, 0)],
                        size.min(8),
                        gap.min(4),
                        color.stroke_width(2),
                    )
                    .into_dyn()
                };
                let dot = if marker { 4 } else { 0 };
                EmptyElement::at((x, y))
                    + Rectangle::new([(0, -6), (24, 6)], band_style)
                    + line
                    + Circle::new((12, 0), dot, color.filled())
            });
    }

    if any_label {
        ctx.configure_series_labels()
            .position(corner)
            .margin(12)
            .legend_area_size(30)
            .label_font(font(LEGEND_SIZE))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(perr)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_labelled_at_1_2_5_only() {
        let labels: Vec<String> = [10.0, 20.0, 30.0, 50.0, 90.0, 100.0, 0.2]
            .iter()
            .map(|&v| log_tick(v))
            .collect();
        assert_eq!(labels, ["10", "20", "", "50", "", "100", "0.2"]);
    }

    #[test]
    fn legend_avoids_occupied_corner() {
        let pts: Vec<(f64, f64)> = (0..10).map(|i| (0.9 + i as f64 * 0.01, 0.9)).collect();
        assert!(matches!(
            legend_corner(&pts),
            SeriesLabelPosition::UpperLeft
        ));
        assert!(matches!(
            legend_corner(&[]),
            SeriesLabelPosition::UpperRight
        ));
    }
}

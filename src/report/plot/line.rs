//! Line charts: series with optional confidence bands, on a linear or
//! logarithmic x axis, with a legend in the emptiest corner.

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::font::font;
use super::layout::{draw_no_data, draw_title, max_label_width, min_max, pad_linear, pad_log};
use super::{BAND_ALPHA, DESC_SIZE, LEGEND_SIZE, LineChart, PALETTE, PlotError, TICK_SIZE, perr};
use crate::metrics::format::{AxisFormat, fmt_compact};

/// A series after cleaning: maximal runs of consecutive usable points, and
/// runs of usable band rows with `low <= high`.
struct CleanSeries {
    label: String,
    color: RGBColor,
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

fn clean_series(chart: &LineChart) -> Vec<CleanSeries> {
    let x_ok = |x: f64| x.is_finite() && (!chart.x_log || x > 0.0);
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
            CleanSeries {
                label: s.label.clone(),
                color: PALETTE[i % PALETTE.len()],
                runs,
                band_runs,
            }
        })
        .collect()
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

pub(super) fn draw_line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    let top = draw_title(root, &chart.title)?;
    let series = clean_series(chart);

    let xs = series.iter().flat_map(|s| {
        let pts = s.runs.iter().flatten().map(|p| p.0);
        let band = s.band_runs.iter().flatten().map(|b| b.0);
        pts.chain(band)
    });
    let ys = series.iter().flat_map(|s| {
        let pts = s.runs.iter().flatten().map(|p| p.1);
        let band = s.band_runs.iter().flatten().flat_map(|b| [b.1, b.2]);
        pts.chain(band)
    });
    let (Some((x_lo, x_hi)), Some((y_lo, y_hi))) = (min_max(xs), min_max(ys)) else {
        return draw_no_data(root, &chart.x_label, &chart.y_label, top);
    };
    let (y_lo, y_hi) = if chart.y_from_zero {
        (y_lo.min(0.0), y_hi.max(0.0))
    } else {
        (y_lo, y_hi)
    };
    let (y_lo, y_hi) = pad_linear(y_lo, y_hi)?;
    let (x_lo, x_hi) = if chart.x_log {
        pad_log(x_lo, x_hi)?
    } else {
        pad_linear(x_lo, x_hi)?
    };

    let y_fmt = AxisFormat::for_range(y_lo, y_hi);
    let y_fmt_fn = move |v: &f64| y_fmt.format(*v);
    let x_fmt = AxisFormat::for_range(x_lo, x_hi);
    let x_fmt_fn: Box<dyn Fn(&f64) -> String> = if chart.x_log {
        Box::new(|v: &f64| fmt_compact(*v))
    } else {
        Box::new(move |v: &f64| x_fmt.format(*v))
    };

    // Tick labels at the ends and the middle of the range bound the widest
    // label well enough for sizing the label area.
    let samples = [y_lo, (y_lo + y_hi) / 2.0, y_hi, -y_hi.abs().max(y_lo.abs())];
    let tick_w = max_label_width(root, samples.iter().map(|v| y_fmt.format(*v)));
    let y_area = tick_w + if chart.y_label.is_empty() { 20 } else { 50 };

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

    let mut any_label = false;
    for s in series {
        let line = s.color.stroke_width(2);
        let lines = s.runs.iter().filter(|r| r.len() >= 2);
        let anno = ctx
            .draw_series(lines.map(|run| PathElement::new(run.clone(), line)))
            .map_err(perr)?;
        if !s.label.is_empty() {
            // The legend entry is attached even when the series has no
            // plottable points, so the legend always lists every series.
            any_label = true;
            let color = s.color;
            let has_band = !s.band_runs.is_empty();
            anno.label(s.label.clone()).legend(move |(x, y)| {
                let band_style = if has_band {
                    color.mix(BAND_ALPHA).filled()
                } else {
                    TRANSPARENT.filled()
                };
                EmptyElement::at((x, y))
                    + Rectangle::new([(0, -6), (24, 6)], band_style)
                    + PathElement::new(vec![(0, 0), (24, 0)], color.stroke_width(2))
            });
        }
        // Isolated points would be invisible as lines, so they get markers.
        let singles = s.runs.iter().filter(|r| r.len() == 1).map(|r| r[0]);
        ctx.draw_series(singles.map(|p| Circle::new(p, 4, s.color.filled())))
            .map_err(perr)?;
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

//! Line charts: series with optional confidence bands, on a linear or
//! logarithmic x axis, with a legend in the emptiest corner.

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{
    LegendPlace, LineLayout, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, XScale, layout_of,
    line_layout,
};
use super::clean::{CleanSeries, DASHES, clean_series};
use super::font::font;
use super::layout::{draw_no_data, draw_notes, draw_title};
use super::{BAND_ALPHA, DESC_SIZE, LEGEND_SIZE, LineChart, PlotError, TICK_SIZE, perr};
use crate::metrics::format::{AxisFormat, fmt_compact};

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

/// Draws line charts stacked top to bottom, each in an equal share of the
/// height, for quantities whose scales differ too much to share an axis.
pub(super) fn draw_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    charts: &[LineChart],
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    let areas = root.split_evenly((charts.len().max(1), 1));
    // One width for every panel's y labels keeps their x axes aligned.
    let mut y_area = 0;
    for (area, chart) in areas.iter().zip(charts) {
        if let Some(l) = line_layout(chart, area.dim_in_pixel(), 0)? {
            y_area = y_area.max(l.y_area);
        }
    }
    for (area, chart) in areas.iter().zip(charts) {
        draw_line_chart_in(area, chart, y_area)?;
    }
    Ok(())
}

pub(super) fn draw_line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
) -> Result<(), PlotError> {
    draw_line_chart_in(root, chart, 0)
}

/// Draws a line chart whose y label area is at least `min_y_area` pixels wide,
/// as [`line_layout`] lays it out.
fn draw_line_chart_in<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    min_y_area: u32,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    let title_h = draw_title(root, &chart.title)?;
    let series = clean_series(chart);
    let Some(layout) = layout_of(chart, &series, root.dim_in_pixel(), min_y_area)? else {
        return draw_no_data(root, &chart.x_label, &chart.y_label, title_h);
    };
    draw_notes(root, &layout.notes, title_h)?;
    let (x_lo, x_hi) = layout.x;
    let (y_lo, y_hi) = layout.y;
    let y_fmt = AxisFormat::for_range(y_lo, y_hi);
    let y_fmt_fn = move |v: &f64| y_fmt.format(*v);
    let x_fmt = AxisFormat::for_range(x_lo, x_hi);
    let x_fmt_fn: Box<dyn Fn(&f64) -> String> = match layout.x_scale {
        XScale::Log => Box::new(|v: &f64| log_tick(*v)),
        XScale::Linear => Box::new(move |v: &f64| x_fmt.format(*v)),
        XScale::Categorical => Box::new(|_: &f64| String::new()),
    };

    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(layout.top)
        .margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .margin_bottom(MARGIN_BOTTOM + layout.below_h())
        .x_label_area_size(layout.x_area)
        .y_label_area_size(layout.y_area);
    let axes = Axes {
        chart,
        layout: &layout,
        x_fmt: &*x_fmt_fn,
        y_fmt: &y_fmt_fn,
    };
    if layout.x_scale == XScale::Log {
        let ctx = builder
            .build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)
            .map_err(perr)?;
        draw_line_body(root, ctx, &series, &axes)
    } else {
        let ctx = builder
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .map_err(perr)?;
        draw_line_body(root, ctx, &series, &axes)
    }
}

/// The chart, its layout and the tick formatters shared by every x-axis scale.
struct Axes<'a> {
    chart: &'a LineChart,
    layout: &'a LineLayout,
    x_fmt: &'a dyn Fn(&f64) -> String,
    y_fmt: &'a dyn Fn(&f64) -> String,
}

/// Draws the mesh, bands, lines, target and legend. It is generic over the x
/// coordinate so that linear and logarithmic charts share one code path.
fn draw_line_body<'a, DB, X>(
    root: &DrawingArea<DB, Shift>,
    mut ctx: ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    series: &[CleanSeries],
    axes: &Axes<'_>,
) -> Result<(), PlotError>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let (chart, layout) = (axes.chart, axes.layout);
    let categorical = layout.x_scale == XScale::Categorical;
    let mut mesh = ctx.configure_mesh();
    mesh.x_labels(if categorical { 0 } else { 10 })
        .y_labels(8)
        .max_light_lines(1)
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04));
    if !chart.x_label.is_empty() {
        mesh.x_desc(&chart.x_label);
    }
    if !chart.y_label.is_empty() {
        mesh.y_desc(&chart.y_label);
    }
    mesh.draw().map_err(perr)?;
    let (x_lo, x_hi) = layout.x;
    let (y_lo, y_hi) = layout.y;

    if categorical {
        // Each category gets a grid line and its label under the axis.
        for (i, name) in chart.x_categories.iter().enumerate() {
            let x = i as f64;
            ctx.draw_series(std::iter::once(PathElement::new(
                vec![(x, y_lo), (x, y_hi)],
                BLACK.mix(0.12),
            )))
            .map_err(perr)?;
            let p = ctx.backend_coord(&(x, y_lo));
            let style = font(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(name.clone(), (p.0, p.1 + 8), style))
                .map_err(perr)?;
        }
    }

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

    // The plot area's top left, for the layout's pixel boxes.
    let origin = {
        let (px, py) = ctx.backend_coord(&(x_lo, y_hi));
        (px, py)
    };
    if let (Some(t), Some(place)) = (chart.target.as_ref(), layout.target_label) {
        let style = BLACK.mix(0.7).stroke_width(1);
        ctx.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x_lo, t.y), (x_hi, t.y)],
            8,
            5,
            style,
        )))
        .map_err(perr)?;
        let (x0, y0, x1, y1) = place.rect;
        let at = (
            origin.0 + if place.right { x1 as i32 } else { x0 as i32 },
            origin.1 + ((y0 + y1) / 2.0) as i32,
        );
        let h = if place.right { HPos::Right } else { HPos::Left };
        root.draw(&Text::new(
            t.label.clone(),
            at,
            font(LEGEND_SIZE).pos(Pos::new(h, VPos::Center)),
        ))
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
        // markers; with `markers`, every point does. A point the horizon cut
        // is hollow.
        let dots = s
            .runs
            .iter()
            .filter(|r| chart.markers || r.len() == 1)
            .flatten()
            .copied()
            .filter(|p| !s.hollow.contains(p));
        ctx.draw_series(dots.map(|p| Circle::new(p, 4, s.color.filled())))
            .map_err(perr)?;
        for p in &s.hollow {
            ctx.draw_series([
                Circle::new(*p, 5, WHITE.filled()),
                Circle::new(*p, 5, s.color.stroke_width(2)),
            ])
            .map_err(perr)?;
        }
    }

    if let Some(legend) = &layout.legend {
        let (x0, y0, x1, y1) = legend.rect;
        let base = match legend.place {
            LegendPlace::Inside(_) => (origin.0 + x0 as i32, origin.1 + y0 as i32),
            // Below the x axis area, from the left edge of the y label area.
            LegendPlace::Below => (
                origin.0 - layout.y_area as i32,
                origin.1 + layout.plot.1 as i32 + layout.x_area as i32 + 4,
            ),
        };
        if matches!(legend.place, LegendPlace::Inside(_)) {
            let (w, h) = ((x1 - x0) as i32, (y1 - y0) as i32);
            let rect = [base, (base.0 + w, base.1 + h)];
            root.draw(&Rectangle::new(rect, WHITE.mix(0.85).filled()))
                .map_err(perr)?;
            root.draw(&Rectangle::new(rect, BLACK.mix(0.3)))
                .map_err(perr)?;
        }
        for &(i, (dx, dy)) in &legend.entries {
            let s = &series[i];
            let (x, y) = (base.0 + dx, base.1 + dy + 11);
            if !s.band_runs.is_empty() {
                root.draw(&Rectangle::new(
                    [(x, y - 6), (x + 24, y + 6)],
                    s.color.mix(BAND_ALPHA).filled(),
                ))
                .map_err(perr)?;
            }
            let line = s.color.stroke_width(2);
            if s.dash == 0 {
                root.draw(&PathElement::new(vec![(x, y), (x + 24, y)], line))
                    .map_err(perr)?;
            } else {
                let (size, gap) = DASHES[(s.dash - 1) % DASHES.len()];
                root.draw(&DashedPathElement::new(
                    vec![(x, y), (x + 24, y)],
                    size.min(8),
                    gap.min(4),
                    line,
                ))
                .map_err(perr)?;
            }
            if chart.markers {
                root.draw(&Circle::new((x + 12, y), 4, s.color.filled()))
                    .map_err(perr)?;
            }
            root.draw(&Text::new(
                s.label.clone(),
                (x + 32, y),
                font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(perr)?;
        }
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
}

//! Design comparison charts: one row per design with its point estimate and
//! 95 % confidence interval, drawn horizontally so long names stay readable.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::NOT_FROM_ZERO;
use super::font::font;
use super::layout::{draw_no_data, draw_notes, draw_title, fit_text, min_max, pad_linear};
use super::{
    BarChart, CATEGORY_SIZE, CROWDED_CATEGORY_SIZE, DESC_SIZE, HEIGHT, MIN_CATEGORY_SIZE, PALETTE,
    PlotError, TICK_SIZE, WIDTH, perr,
};
use crate::metrics::format::{AxisFormat, fmt_compact};

pub(super) fn draw_bar_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &BarChart,
) -> Result<(), PlotError> {
    draw_rows(root, chart, false)
}

/// What a chart of rows shows, worked out before drawing (tests check it): the
/// value axis, the rows whose value or interval the axis cuts, and the notes under
/// the title.
#[derive(Clone, Debug, PartialEq)]
pub struct RowLayout {
    /// The drawn value range: the chart's fixed `axis`, or the data padded.
    pub range: (f64, f64),
    /// Rows whose value or interval reaches past the axis: cut at its end and
    /// marked with an arrow.
    pub clipped: Vec<usize>,
    pub notes: Vec<String>,
}

/// The layout of a chart of rows (bars from 0 with `from_zero`, points otherwise);
/// `None` when no value is finite.
pub fn row_layout(chart: &BarChart, from_zero: bool) -> Result<Option<RowLayout>, PlotError> {
    let values = chart.bars.iter().flat_map(|b| {
        let ci = if b.ci95.0.is_finite() && b.ci95.1.is_finite() {
            vec![b.ci95.0, b.ci95.1]
        } else {
            Vec::new()
        };
        std::iter::once(b.value).chain(ci)
    });
    // Bars start at 0, so the axis must reach it.
    let values = values.chain(from_zero.then_some(0.0));
    let Some((lo, hi)) = min_max(values.filter(|v| v.is_finite())) else {
        return Ok(None);
    };
    let range = match chart.axis {
        Some(r) => r,
        None => pad_linear(lo, hi)?,
    };
    let past = |v: f64| v.is_finite() && (v < range.0 || v > range.1);
    let clipped: Vec<usize> = (0..chart.bars.len())
        .filter(|&i| {
            let b = &chart.bars[i];
            past(b.value)
                || (b.ci95.0.is_finite()
                    && b.ci95.1.is_finite()
                    && (past(b.ci95.0) || past(b.ci95.1)))
        })
        .collect();
    let mut notes = Vec::new();
    if !clipped.is_empty() {
        notes.push(format!(
            "{} of {} rows reach past the axis ({} to {}): cut at its end and marked with an arrow",
            clipped.len(),
            chart.bars.len(),
            fmt_compact(range.0),
            fmt_compact(range.1)
        ));
    }
    if range.0 > 0.0 {
        notes.push(NOT_FROM_ZERO.to_string());
    }
    Ok(Some(RowLayout {
        range,
        clipped,
        notes,
    }))
}

/// Draws one row per bar: a point, or with `from_zero` a bar from 0 to the value (a
/// tornado chart), each with its CI whiskers, on the axis [`row_layout`] chooses.
pub(super) fn draw_rows<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &BarChart,
    from_zero: bool,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    let title_h = draw_title(root, &chart.title)?;
    let bars = &chart.bars;
    let Some(layout) = row_layout(chart, from_zero)? else {
        return draw_no_data(root, &chart.y_label, "", title_h);
    };
    let top = draw_notes(root, &layout.notes, title_h)?;
    let (lo, hi) = layout.range;
    let clamp = |v: f64| v.clamp(lo, hi);
    let fmt = AxisFormat::for_range(lo, hi);
    let fmt_fn = move |v: &f64| fmt.format(*v);

    // Rows share the plot height; the category font shrinks with the row
    // height so that labels of adjacent rows never overlap.
    let n = bars.len();
    let x_area = if chart.y_label.is_empty() { 35 } else { 60 };
    let plot_h = HEIGHT.saturating_sub(top + x_area + 10) as f64;
    let row_h = plot_h / n as f64;
    let max_size = CATEGORY_SIZE
        .min((row_h * 0.75).floor())
        .max(CROWDED_CATEGORY_SIZE);
    let min_size = MIN_CATEGORY_SIZE.min(max_size);
    // Category labels may take up to 40 % of the width; longer ones are
    // shrunk and then shortened in the middle.
    let max_label_px = WIDTH * 2 / 5;
    let fitted: Vec<(String, f64)> = bars
        .iter()
        .map(|b| fit_text(root, &b.label, max_label_px, max_size, min_size))
        .collect();
    // One shared size keeps the column uniform; it is the smallest any label
    // needed, and labels fitted at a larger size are re-fitted at it.
    let size = fitted.iter().map(|f| f.1).fold(max_size, f64::min);
    let labels: Vec<String> = bars
        .iter()
        .map(|b| fit_text(root, &b.label, max_label_px, size, size).0)
        .collect();
    let label_w = labels
        .iter()
        .filter_map(|l| root.estimate_text_size(l, &font(size)).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0);

    // A point's marker (radius `r`) may sit on the value axis, at a value of 0;
    // the labels keep clear of it by that radius plus a gap.
    let r = (row_h * 0.25).clamp(3.0, 7.0) as i32;
    let label_gap = 8 + r;

    // Row i is drawn at y = n - 1 - i so that the first bar is at the top,
    // matching reading order.
    let mut ctx = ChartBuilder::on(root)
        .margin_top(top)
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(x_area)
        .y_label_area_size(label_w + 16 + r as u32)
        .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
        .map_err(perr)?;

    let mut mesh = ctx.configure_mesh();
    mesh.disable_y_mesh()
        .y_labels(0)
        .x_labels(10)
        .max_light_lines(1)
        .x_label_formatter(&fmt_fn)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04));
    if !chart.y_label.is_empty() {
        mesh.x_desc(&chart.y_label);
    }
    mesh.draw().map_err(perr)?;

    let row_y = |i: usize| (n - 1 - i) as f64;

    // Faint row guides help the eye travel from a long label to its point.
    ctx.draw_series(
        (0..n).map(|i| PathElement::new(vec![(lo, row_y(i)), (hi, row_y(i))], BLACK.mix(0.06))),
    )
    .map_err(perr)?;
    if lo < 0.0 && hi > 0.0 {
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            BLACK.mix(0.45).stroke_width(1),
        )))
        .map_err(perr)?;
    }

    let color = PALETTE[0];
    let cap = (row_h * 0.3).clamp(2.0, 10.0) as i32;
    if from_zero {
        let half = (row_h * 0.3).clamp(3.0, 20.0) as i32;
        for (i, bar) in bars.iter().enumerate().filter(|(_, b)| b.value.is_finite()) {
            let p0 = ctx.backend_coord(&(0.0, row_y(i)));
            let p1 = ctx.backend_coord(&(clamp(bar.value), row_y(i)));
            root.draw(&Rectangle::new(
                [(p0.0, p0.1 - half), (p1.0, p1.1 + half)],
                color.mix(0.75).filled(),
            ))
            .map_err(perr)?;
        }
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = row_y(i);
        let (a, b) = (bar.ci95.0.min(bar.ci95.1), bar.ci95.0.max(bar.ci95.1));
        let style = BLACK.mix(0.8).stroke_width(2);
        if a.is_finite() && b.is_finite() {
            let pa = ctx.backend_coord(&(clamp(a), y));
            let pb = ctx.backend_coord(&(clamp(b), y));
            root.draw(&PathElement::new(vec![pa, pb], style))
                .map_err(perr)?;
            // A cap at an end inside the axis, an arrow at one the axis cuts.
            for (p, cut) in [(pa, a < lo), (pb, b > hi)] {
                if !cut {
                    root.draw(&PathElement::new(
                        vec![(p.0, p.1 - cap), (p.0, p.1 + cap)],
                        style,
                    ))
                    .map_err(perr)?;
                }
            }
        }
        // An arrow at each end of the axis this row reaches past.
        if layout.clipped.contains(&i) {
            let reach = [bar.value, a, b];
            for (end, dir) in [(lo, -1), (hi, 1)] {
                let past = reach
                    .iter()
                    .any(|v| v.is_finite() && (v - end) * f64::from(dir) > 0.0);
                if past {
                    let p = ctx.backend_coord(&(end, y));
                    let tip = (p.0 + dir * 2, p.1);
                    let back = p.0 - dir * 12;
                    root.draw(&Polygon::new(
                        vec![tip, (back, p.1 - 8), (back, p.1 + 8)],
                        RED.mix(0.85).filled(),
                    ))
                    .map_err(perr)?;
                }
            }
        }
        if bar.value.is_finite() && from_zero {
            // Drawn before the rows, under the whiskers.
        } else if bar.value.is_finite() {
            let p = ctx.backend_coord(&(clamp(bar.value), y));
            root.draw(&Circle::new(p, r, color.filled()))
                .map_err(perr)?;
            root.draw(&Circle::new(p, r, BLACK.mix(0.6).stroke_width(1)))
                .map_err(perr)?;
        } else {
            let p = ctx.backend_coord(&(lo, y));
            let grey = BLACK.mix(0.5);
            let style = font(size)
                .color(&grey)
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new("n/a", (p.0 + 8, p.1), style))
                .map_err(perr)?;
        }
        // Category labels are placed by hand, right-aligned against the
        // axis, because plotters' tick labels cannot be shortened per row.
        let p = ctx.backend_coord(&(lo, y));
        let style = font(size).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(labels[i].clone(), (p.0 - label_gap, p.1), style))
            .map_err(perr)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Bar;
    use super::*;

    #[test]
    fn a_fixed_axis_cuts_and_marks_what_reaches_past_it() {
        // A coefficient's axis is −1..+1 whatever the data: an interval to 1.4 is cut
        // (row 0) and noted, one inside is not (row 1).
        let bar = |value, ci95| Bar {
            label: "p".into(),
            value,
            ci95,
        };
        let chart = BarChart {
            bars: vec![bar(0.9, (0.5, 1.4)), bar(-0.2, (-0.5, 0.1))],
            axis: Some((-1.0, 1.0)),
            ..Default::default()
        };
        let l = row_layout(&chart, true).unwrap().unwrap();
        assert_eq!(l.range, (-1.0, 1.0));
        assert_eq!(l.clipped, [0]);
        assert!(l.notes[0].starts_with("1 of 2 rows reach past the axis (-1 to 1)"));
        // Without a fixed axis the data set it, padded by 4 % of their span.
        let free = BarChart {
            axis: None,
            ..chart
        };
        let l = row_layout(&free, true).unwrap().unwrap();
        assert!(
            l.clipped.is_empty() && (l.range.1 - 1.4 - 0.076).abs() < 1e-9,
            "{l:?}"
        );
    }
}

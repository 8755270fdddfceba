//! Stacked rows: each row's parts (fractions of one whole) laid side by side from 0
//! to 1, each part in its own colour, named in a legend under the title and
//! labelled with its percentage where it is wide enough. Used for the share of
//! samples in which a design is better than, tied with or worse than the baseline,
//! so a tie is never drawn as a loss.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::backend::{render_png, render_svg};
use super::font::font;
use super::layout::{draw_no_data, draw_title, fit_text};
use super::{
    CATEGORY_SIZE, DESC_SIZE, LEGEND_SIZE, MIN_CATEGORY_SIZE, PALETTE, PlotError, TICK_SIZE, WIDTH,
    perr,
};
use crate::metrics::format::fmt_compact;

/// One row: its label and its parts' fractions, in the chart's part order.
#[derive(Debug, Clone, Default)]
pub struct StackRow {
    pub label: String,
    pub values: Vec<f64>,
}

/// Rows of parts of a whole, on a fixed 0 to 1 axis.
#[derive(Debug, Clone, Default)]
pub struct StackedChart {
    pub title: String,
    /// Description of the value axis, with units.
    pub x_label: String,
    /// The parts' names, in drawing order (left to right).
    pub parts: Vec<String>,
    pub rows: Vec<StackRow>,
}

/// The value axis of every stacked chart: the whole, 0 to 1.
pub const STACK_RANGE: (f64, f64) = (0.0, 1.0);

/// Colours of the parts: better (green), tied (grey), worse (red); further parts
/// take the palette.
fn part_color(k: usize) -> RGBColor {
    match k {
        0 => PALETTE[3],
        1 => RGBColor(0xba, 0xb0, 0xac),
        2 => PALETTE[2],
        _ => PALETTE[k % PALETTE.len()],
    }
}

/// Renders a stacked chart as an SVG document.
pub fn stacked_svg(chart: &StackedChart) -> Result<String, PlotError> {
    render_svg(|root| draw_stacked(root, chart))
}

/// Renders a stacked chart as the bytes of a PNG file.
pub fn stacked_png(chart: &StackedChart) -> Result<Vec<u8>, PlotError> {
    render_png(|root| draw_stacked(root, chart))
}

fn draw_stacked<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &StackedChart,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    let mut top = draw_title(root, &chart.title)?;
    if chart.rows.is_empty() {
        return draw_no_data(root, &chart.x_label, "", top);
    }
    // The legend: one line of swatches and names, centred under the title.
    let widths: Vec<i32> = chart
        .parts
        .iter()
        .map(|p| {
            root.estimate_text_size(p, &font(LEGEND_SIZE))
                .map_or(0, |(w, _)| w as i32)
                + 40
        })
        .collect();
    let mut x = (WIDTH as i32 - widths.iter().sum::<i32>()) / 2;
    let y = top as i32 + 8;
    for (k, (part, w)) in chart.parts.iter().zip(&widths).enumerate() {
        root.draw(&Rectangle::new(
            [(x, y - 7), (x + 18, y + 7)],
            part_color(k).filled(),
        ))
        .map_err(perr)?;
        root.draw(&Text::new(
            part.clone(),
            (x + 24, y),
            font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(perr)?;
        x += w;
    }
    top += 26;

    let labels: Vec<(String, f64)> = chart
        .rows
        .iter()
        .map(|r| {
            fit_text(
                root,
                &r.label,
                WIDTH * 2 / 5,
                CATEGORY_SIZE,
                MIN_CATEGORY_SIZE,
            )
        })
        .collect();
    let size = labels.iter().map(|l| l.1).fold(CATEGORY_SIZE, f64::min);
    let label_w = labels
        .iter()
        .filter_map(|l| root.estimate_text_size(&l.0, &font(size)).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0);
    let n = chart.rows.len();
    let (lo, hi) = STACK_RANGE;
    let mut ctx = ChartBuilder::on(root)
        .margin_top(top)
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(if chart.x_label.is_empty() { 35 } else { 60 })
        .y_label_area_size(label_w + 20)
        .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
        .map_err(perr)?;
    let mut mesh = ctx.configure_mesh();
    mesh.disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .x_label_formatter(&|v: &f64| fmt_compact(*v))
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04));
    if !chart.x_label.is_empty() {
        mesh.x_desc(&chart.x_label);
    }
    mesh.draw().map_err(perr)?;
    let row_h = ctx.backend_coord(&(0.0, 0.0)).1 - ctx.backend_coord(&(0.0, 1.0)).1;
    let half = (f64::from(row_h) * 0.3).clamp(3.0, 24.0) as i32;
    for (i, row) in chart.rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let mut from = 0.0;
        for (k, v) in row.values.iter().enumerate() {
            if !(v.is_finite() && *v > 0.0) {
                continue;
            }
            let to = (from + v).min(hi);
            let p0 = ctx.backend_coord(&(from, y));
            let p1 = ctx.backend_coord(&(to, y));
            root.draw(&Rectangle::new(
                [(p0.0, p0.1 - half), (p1.0, p1.1 + half)],
                part_color(k).filled(),
            ))
            .map_err(perr)?;
            if *v >= 0.08 {
                root.draw(&Text::new(
                    format!("{} %", fmt_compact((v * 100.0).round())),
                    ((p0.0 + p1.0) / 2, p0.1),
                    font(TICK_SIZE)
                        .color(&WHITE)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(perr)?;
            }
            from = to;
        }
        let p = ctx.backend_coord(&(lo, y));
        root.draw(&Text::new(
            labels[i].0.clone(),
            (p.0 - 10, p.1),
            font(size).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(perr)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tie_is_a_part_of_its_own() {
        // Three parts, each in its own colour: the SVG holds one filled rectangle per
        // non-zero part (4 here) beside the legend's 3 swatches and the background.
        let chart = StackedChart {
            title: "Better, tied or worse".into(),
            x_label: "fraction of samples".into(),
            parts: vec!["better".into(), "tied".into(), "worse".into()],
            rows: vec![
                StackRow {
                    label: "fast: full_recovery_s".into(),
                    values: vec![0.5, 0.5, 0.0],
                },
                StackRow {
                    label: "fast: site_recovery_s".into(),
                    values: vec![0.25, 0.0, 0.75],
                },
            ],
        };
        let svg = stacked_svg(&chart).unwrap();
        let grey = "fill=\"#BAB0AC\"";
        assert_eq!(svg.matches(grey).count(), 2, "legend and one tied part");
        assert_eq!(svg.matches("<rect").count(), 1 + 3 + 4, "{svg}");
        assert!(svg.contains("tied") && svg.contains("75 %"));
        assert_eq!(&stacked_png(&chart).unwrap()[..4], b"\x89PNG");
    }
}

//! Chart rendering for simulation reports: line charts (time series with
//! optional confidence bands) and per-design comparison charts (point
//! estimates with 95 % confidence-interval error bars), as SVG text or PNG
//! bytes.
//!
//! All text is rendered with the DejaVu Sans font embedded in the binary by
//! the `dejavu` crate, so charts render identically on machines without any
//! system fonts. The font is registered with plotters under the family name
//! `"sans-serif"` the first time any chart is drawn; this registration is
//! process-wide, so other plotters users in the same process also get DejaVu
//! Sans for that family.
//!
//! In PNG output every glyph is placed by this module rather than by
//! plotters alone: plotters 0.3.7 drops each glyph's left side bearing and
//! sets the baseline too high, which makes words look unevenly spaced and
//! tick labels sit above their ticks. The private `GlyphFix` backend
//! wrapper (in `backend`) corrects both using metrics ab_glyph reads from
//! the same embedded font (in `font`). SVG output contains real
//! `<text>` elements with `font-family="sans-serif"`, so there the viewer's
//! own sans-serif font is used and exact text widths may differ slightly.
//!
//! Rendering is deterministic: the same chart always yields byte-identical
//! SVG and PNG output.
//!
//! Degenerate input never panics. Non-finite values (and, on a logarithmic
//! x axis, non-positive x values) are dropped; gaps they leave break the line
//! instead of bridging it. A chart with nothing left to plot is still
//! rendered, with its title, axis labels and a "no data" note in the middle,
//! so a report stays complete. [`PlotError`] is returned only when drawing
//! itself fails or the data span cannot be represented (for example values
//! near `f64::MAX` whose range overflows).
//!
//! The module is split by job: `font` (the embedded font and its metrics),
//! `backend` (rendering to SVG and PNG, with the glyph correction), `layout`
//! (titles, fitted text and axis ranges), `line` and `bar` (the two chart
//! kinds). Tick labels are formatted by [`crate::metrics::format`], the one
//! number formatter of every output.

mod axes;
mod backend;
mod bar;
mod blank;
mod clean;
mod font;
mod layout;
mod line;
mod stacked;
#[cfg(test)]
mod tests;
mod tornado;

use std::fmt;

use plotters::prelude::*;

pub use axes::{Corner, LegendPlace, LineLayout, NOT_FROM_ZERO, XScale, line_layout, x_scale_for};
use backend::{render_png, render_svg};
use bar::draw_bar_chart;
pub use bar::{RowLayout, row_layout};
pub use blank::{bar_blank, line_blank};
use line::{draw_line_chart, draw_panels};
pub use stacked::{STACK_RANGE, StackRow, StackedChart, stacked_png, stacked_svg};
pub use tornado::{tornado_png, tornado_svg};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1000;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 600;

const TITLE_SIZE: f64 = 26.0;
const MIN_TITLE_SIZE: f64 = 14.0;
const DESC_SIZE: f64 = 18.0;
const TICK_SIZE: f64 = 15.0;
const LEGEND_SIZE: f64 = 15.0;
/// Notes under the title ("y axis does not start at 0").
const NOTE_SIZE: f64 = 14.0;
const CATEGORY_SIZE: f64 = 15.0;
/// Long category labels shrink down to this size before they are shortened,
/// because a shortened label at a readable size beats a tiny complete one.
const MIN_CATEGORY_SIZE: f64 = 12.0;
/// Floor for category labels when many rows leave little height per row.
const CROWDED_CATEGORY_SIZE: f64 = 8.0;

/// Fraction of the data span added on each side of an axis so that extreme
/// points do not sit on the frame.
const MARGIN_FRACTION: f64 = 0.04;

/// A colour-blind-friendly qualitative palette (Tableau 10, with the yellow
/// darkened so that it stays visible on white). Series beyond ten reuse the
/// colours in order.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xc9, 0xa2, 0x27),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x79, 0x70, 0x6e),
];

/// Opacity of confidence bands; low enough that overlapping bands and the
/// grid stay visible through them.
const BAND_ALPHA: f64 = 0.2;

/// A line on a chart: points (x, y) in data units, optionally with a shaded
/// band (x, y_low, y_high).
///
/// Points are joined in the order given, so they should normally be sorted
/// by x. Band rows are likewise joined in order (the upper edge forwards,
/// the lower edge backwards), so they must be sorted by x as well. A series
/// with an empty label gets no legend entry.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Legend text; empty for no legend entry.
    pub label: String,
    /// Points `(x, y)` in data units, joined in order.
    pub points: Vec<(f64, f64)>,
    /// Optional shaded band rows `(x, y_low, y_high)`, sorted by x.
    pub band: Option<Vec<(f64, f64, f64)>>,
    /// Which points the horizon cut (their value a lower bound of the true one),
    /// parallel to `points`; drawn as hollow markers with a note. Empty: none.
    pub hollow: Vec<bool>,
}

/// A chart of one or more lines sharing the same axes.
///
/// Labels should carry units, e.g. "time since incident start (min)"; an
/// empty label leaves that axis undescribed. `y_from_zero` forces the y axis
/// to include zero; `x_log` makes the x axis logarithmic, in which case
/// points with x <= 0 are dropped. A legend is drawn when there are two or
/// more series and at least one has a non-empty label, in the plot corner with
/// the fewest points (a single series is named by the title and axis labels).
/// Series take their colours from a fixed ten-colour palette in order. A series
/// whose points coincide with an earlier one's is drawn dashed, so both stay
/// visible, and its legend entry says "same as" the earlier one.
#[derive(Debug, Clone, Default)]
pub struct LineChart {
    /// Title drawn centred above the plot.
    pub title: String,
    /// Description of the x axis, with units.
    pub x_label: String,
    /// Description of the y axis, with units.
    pub y_label: String,
    /// The lines, drawn in order with palette colours.
    pub series: Vec<Series>,
    /// Whether the y axis must include zero.
    pub y_from_zero: bool,
    /// Whether the x axis is logarithmic.
    pub x_log: bool,
    /// Whether every point gets a marker (for data measured at a few grid
    /// points, where the line between them is only a guide).
    pub markers: bool,
    /// An optional horizontal target line with its label.
    pub target: Option<TargetLine>,
    /// Labels of a categorical x axis: point x = i is drawn at the i-th label,
    /// evenly spaced. Empty for a numeric axis.
    pub x_categories: Vec<String>,
    /// Notes shown under the title (what the axes leave out, for example), each
    /// on its own line; the layout adds its own (see [`LineLayout`]).
    pub notes: Vec<String>,
}

/// A horizontal reference line across a line chart (a goal such as "recovery
/// within 1 h"), drawn dashed and labelled at its right end.
#[derive(Debug, Clone, Default)]
pub struct TargetLine {
    /// The line's height, in y data units.
    pub y: f64,
    /// Text drawn just above the line.
    pub label: String,
}

/// One bar (or point) per design with a 95 % confidence interval error bar.
///
/// `ci95` is `(low, high)`; the order is normalised if it is reversed, and a
/// non-finite bound suppresses the error bar. A non-finite `value` keeps the
/// row (so the design is still listed) but marks it "n/a".
#[derive(Debug, Clone, Default)]
pub struct Bar {
    /// Category (design) name shown beside the row.
    pub label: String,
    /// Point estimate.
    pub value: f64,
    /// 95 % confidence interval `(low, high)`.
    pub ci95: (f64, f64),
}

/// A comparison of designs: one row per bar, drawn horizontally so that long
/// design names stay readable. `y_label` describes the value (it appears on
/// the horizontal value axis).
#[derive(Debug, Clone, Default)]
pub struct BarChart {
    /// Title drawn centred above the plot.
    pub title: String,
    /// Description of the value axis, with units.
    pub y_label: String,
    /// One row per bar, listed top to bottom in this order.
    pub bars: Vec<Bar>,
    /// A fixed value axis (a coefficient's −1 to +1); values and intervals past it
    /// are cut at its end and marked. `None`: the data's range, padded.
    pub axis: Option<(f64, f64)>,
}

/// A chart could not be rendered; the message says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotError(pub String);

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plot error: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

/// Converts any plotters error into a [`PlotError`]. The backend error types
/// differ per backend, so a generic conversion keeps the call sites short.
fn perr<E: fmt::Display>(e: E) -> PlotError {
    PlotError(e.to_string())
}

/// Renders a line chart as an SVG document.
pub fn line_chart_svg(chart: &LineChart) -> Result<String, PlotError> {
    render_svg(|root| draw_line_chart(root, chart))
}

/// Renders a line chart as the bytes of a PNG file.
pub fn line_chart_png(chart: &LineChart) -> Result<Vec<u8>, PlotError> {
    render_png(|root| draw_line_chart(root, chart))
}

/// Renders line charts stacked as panels as an SVG document.
pub fn panels_svg(charts: &[LineChart]) -> Result<String, PlotError> {
    render_svg(|root| draw_panels(root, charts))
}

/// Renders line charts stacked as panels as the bytes of a PNG file.
pub fn panels_png(charts: &[LineChart]) -> Result<Vec<u8>, PlotError> {
    render_png(|root| draw_panels(root, charts))
}

/// Renders a design comparison chart as an SVG document.
pub fn bar_chart_svg(chart: &BarChart) -> Result<String, PlotError> {
    render_svg(|root| draw_bar_chart(root, chart))
}

/// Renders a design comparison chart as the bytes of a PNG file.
pub fn bar_chart_png(chart: &BarChart) -> Result<Vec<u8>, PlotError> {
    render_png(|root| draw_bar_chart(root, chart))
}

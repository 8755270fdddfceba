//! Tornado charts: one horizontal bar per parameter from 0 to its influence, with
//! the influence's 95 % CI as whiskers, most influential at the top. The rows are
//! laid out as the design comparison charts are (labels, axis, zero line).

use super::backend::{render_png, render_svg};
use super::bar::draw_rows;
use super::{BarChart, PlotError};

/// Renders a tornado chart as an SVG document.
pub fn tornado_svg(chart: &BarChart) -> Result<String, PlotError> {
    render_svg(|root| draw_rows(root, chart, true))
}

/// Renders a tornado chart as the bytes of a PNG file.
pub fn tornado_png(chart: &BarChart) -> Result<Vec<u8>, PlotError> {
    render_png(|root| draw_rows(root, chart, true))
}

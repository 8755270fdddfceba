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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::Bar;

    #[test]
    fn a_tornado_draws_a_bar_from_zero_for_each_parameter() {
        // Proves the chart renders with effects on both sides of 0 and a missing
        // interval: a PNG, and an SVG with one filled bar per finite effect (the
        // design comparison chart draws none).
        let chart = BarChart {
            title: "What moves full_recovery_s".into(),
            y_label: "SRRC".into(),
            bars: vec![
                Bar {
                    label: "brain.boot_time.mean".into(),
                    value: 0.8,
                    ci95: (0.6, 0.95),
                },
                Bar {
                    label: "brain.reboot_concurrency".into(),
                    value: -0.4,
                    ci95: (-0.6, -0.2),
                },
                Bar {
                    label: "link.flap_duration.max".into(),
                    value: 0.01,
                    ci95: (f64::NAN, f64::NAN),
                },
            ],
            axis: None,
        };
        let png = tornado_png(&chart).unwrap();
        assert_eq!(&png[..4], b"\x89PNG");
        let rects = |svg: &str| svg.matches("<rect").count();
        let tornado = tornado_svg(&chart).unwrap();
        let points = super::super::bar_chart_svg(&chart).unwrap();
        assert_eq!(rects(&tornado), rects(&points) + 3, "{tornado}");
    }
}

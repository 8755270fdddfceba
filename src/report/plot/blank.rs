//! Whether a chart is worth drawing. A chart with no data, or one whose every value
//! is the same (all 0 in particular), is a flat line or a row of equal points: it
//! says nothing the report's text does not, and suggests there is something to
//! see. Reports leave such charts out and say why in one line.

use super::layout::min_max;
use super::{BarChart, LineChart};
use crate::metrics::format::fmt_compact;

/// Why `chart` is not worth drawing, or `None` when it is: no usable point, or every
/// point at one height (whatever the bands around them: a curve that does not move
/// shows no effect). The target line is not data.
pub fn line_blank(chart: &LineChart) -> Option<String> {
    let ys = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1));
    let what = if chart.y_label.is_empty() {
        "the value"
    } else {
        chart.y_label.as_str()
    };
    flat(ys, what, "at every point")
}

/// Why a bar chart is not worth drawing: no finite value, or every value equal with
/// no interval around it.
pub fn bar_blank(chart: &BarChart) -> Option<String> {
    let values = chart.bars.iter().flat_map(|b| {
        let ci = [b.ci95.0, b.ci95.1].into_iter().filter(|v| v.is_finite());
        std::iter::once(b.value).chain(ci)
    });
    let what = if chart.y_label.is_empty() {
        "the value"
    } else {
        chart.y_label.as_str()
    };
    flat(values, what, "for every design")
}

fn flat(values: impl Iterator<Item = f64>, what: &str, everywhere: &str) -> Option<String> {
    match min_max(values.filter(|v| v.is_finite())) {
        None => Some(format!("no data: {what} has no value to draw")),
        Some((lo, hi)) if lo == hi => Some(format!(
            "{what} is {} {everywhere}: a flat line says no more than that",
            fmt_compact(lo)
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Bar, Series};
    use super::*;

    #[test]
    fn empty_and_flat_charts_are_not_worth_drawing() {
        let chart = |ys: &[f64]| LineChart {
            y_label: "migrations (count)".into(),
            series: vec![Series {
                points: ys.iter().enumerate().map(|(i, y)| (i as f64, *y)).collect(),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            line_blank(&chart(&[0.0, 0.0, 0.0])).unwrap(),
            "migrations (count) is 0 at every point: a flat line says no more than that"
        );
        assert!(line_blank(&chart(&[])).unwrap().starts_with("no data"));
        assert!(
            line_blank(&chart(&[f64::NAN]))
                .unwrap()
                .starts_with("no data")
        );
        assert_eq!(line_blank(&chart(&[1.0, 1.0, 2.0])), None);
        // Equal values with an interval around them are worth a bar chart.
        let bars = |ci: (f64, f64)| BarChart {
            y_label: "downtime (min)".into(),
            bars: vec![
                Bar {
                    label: "a".into(),
                    value: 0.0,
                    ci95: ci,
                },
                Bar {
                    label: "b".into(),
                    value: 0.0,
                    ci95: (0.0, 0.0),
                },
            ],
            ..Default::default()
        };
        assert!(
            bar_blank(&bars((0.0, 0.0)))
                .unwrap()
                .contains("is 0 for every design")
        );
        assert_eq!(bar_blank(&bars((-1.0, 1.0))), None);
    }
}

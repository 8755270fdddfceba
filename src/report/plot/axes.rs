//! What a line chart shows before any pixel is drawn: its x scale, the axis ranges,
//! the notes under its title, and where the legend and the target's label go. The
//! drawing code follows [`line_layout`] exactly, so tests check a chart's ranges and
//! placements on the returned [`LineLayout`] without rendering it.
//!
//! The rules:
//! - x: swept values that include 0 beside positive ones, or whose largest is more
//!   than [`LOG_RATIO`] times the smallest, are not spread on a linear axis
//!   ([`x_scale_for`]); categories are evenly spaced and labelled.
//! - y: an axis asked to start at 0 starts there unless the data's spread is under
//!   [`SMALL_EFFECT`] of their level, when it fits the data and says so in a note.
//! - The legend goes in the first corner of the plot that covers no data (no line,
//!   band, marker or target line); when every corner does, below the plot.
//! - The target's label goes at the end of its line, above or below it, where it
//!   covers the least data and not the legend.

use super::clean::{CleanSeries, clean_series};
use super::font::text_width_px;
use super::layout::{NOTE_H, min_max, pad_linear, pad_log};
use super::{LEGEND_SIZE, LineChart, PlotError, TICK_SIZE};
use crate::metrics::format::AxisFormat;

/// Values whose largest is more than this many times their smallest get a
/// logarithmic axis: on a linear one the small ones would sit on top of each other.
pub const LOG_RATIO: f64 = 100.0;

/// A y axis asked to start at 0 fits the data instead when their spread is less
/// than this fraction of their level: from 0, the effect would be a flat line.
pub const SMALL_EFFECT: f64 = 0.5;

/// The note a chart carries when its y axis does not start at 0.
pub const NOT_FROM_ZERO: &str = "the y axis does not start at 0";

/// The note a chart carries when some of its points are lower bounds.
pub const HOLLOW_NOTE: &str =
    "hollow markers: cut by the horizon, the true value is at least the one shown (≥)";

/// How the x axis places values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XScale {
    Linear,
    Log,
    /// Evenly spaced, labelled categories: point x = i at the i-th label.
    Categorical,
}

/// The scale for an axis of `xs` (the values of a swept parameter): categorical when
/// they include 0 (or less) beside positive values, logarithmic when positive and
/// spanning more than [`LOG_RATIO`], linear otherwise.
pub fn x_scale_for(xs: &[f64]) -> XScale {
    let xs: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let positive = xs.iter().filter(|x| **x > 0.0).count();
    if positive > 0 && positive < xs.len() && xs.iter().all(|x| *x >= 0.0) {
        return XScale::Categorical;
    }
    match min_max(xs.iter().copied()) {
        Some((lo, hi)) if positive == xs.len() && hi / lo > LOG_RATIO => XScale::Log,
        _ => XScale::Linear,
    }
}

/// A corner of the plot area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
}

/// Where the legend goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendPlace {
    /// Inside the plot, in a corner that covers no data.
    Inside(Corner),
    /// Below the plot (every corner would cover data).
    Below,
}

/// The legend's box and its entries.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    pub place: LegendPlace,
    /// The box in pixels of the plot area (x right, y down from its top left);
    /// below the plot, y is from the bottom of the x axis area.
    pub rect: Rect,
    /// Each entry: the series index and its offset within the box.
    pub entries: Vec<(usize, (i32, i32))>,
}

/// A rectangle in pixels: left, top, right, bottom.
pub type Rect = (f64, f64, f64, f64);

/// Where the target line's label goes: at which end and on which side of the line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelPlace {
    pub right: bool,
    pub above: bool,
    /// The label's box in pixels of the plot area.
    pub rect: Rect,
}

/// Everything the drawing of a line chart decides from its data.
#[derive(Clone, Debug, PartialEq)]
pub struct LineLayout {
    pub x_scale: XScale,
    /// The drawn x and y ranges, data units.
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// The extent of the data drawn (points, bands and the target line).
    pub data_x: (f64, f64),
    pub data_y: (f64, f64),
    /// Notes under the title: the chart's own, then the layout's.
    pub notes: Vec<String>,
    /// Pixels above the plot (title and notes), of the y and x label areas, and the
    /// plot area's size.
    pub top: u32,
    pub y_area: u32,
    pub x_area: u32,
    pub plot: (f64, f64),
    pub legend: Option<Legend>,
    pub target_label: Option<LabelPlace>,
}

/// Height of a legend entry and of a note line, pixels.
const ROW_H: i32 = 22;
/// Margins around the chart (as `line.rs` builds it) and of a legend from the frame.
pub(super) const MARGIN_LEFT: u32 = 10;
pub(super) const MARGIN_RIGHT: u32 = 30;
pub(super) const MARGIN_BOTTOM: u32 = 10;
const LEGEND_MARGIN: f64 = 12.0;

impl LineLayout {
    /// The pixel position (in the plot area) of a data point.
    pub fn to_px(&self, x: f64, y: f64) -> (f64, f64) {
        let nx = if self.x_scale == XScale::Log {
            (x.ln() - self.x.0.ln()) / (self.x.1.ln() - self.x.0.ln())
        } else {
            (x - self.x.0) / (self.x.1 - self.x.0)
        };
        let ny = (y - self.y.0) / (self.y.1 - self.y.0);
        (nx * self.plot.0, (1.0 - ny) * self.plot.1)
    }

    /// Pixels below the x axis area that a legend placed below takes.
    pub fn below_h(&self) -> u32 {
        match &self.legend {
            Some(l) if l.place == LegendPlace::Below => (l.rect.3 - l.rect.1) as u32 + 6,
            _ => 0,
        }
    }
}

/// The layout of `chart` in an area of `size` pixels, with a y label area at least
/// `min_y_area` wide (panels share one); `None` when nothing is left to plot.
pub fn line_layout(
    chart: &LineChart,
    size: (u32, u32),
    min_y_area: u32,
) -> Result<Option<LineLayout>, PlotError> {
    let series = clean_series(chart);
    layout_of(chart, &series, size, min_y_area)
}

pub(super) fn layout_of(
    chart: &LineChart,
    series: &[CleanSeries],
    size: (u32, u32),
    min_y_area: u32,
) -> Result<Option<LineLayout>, PlotError> {
    let x_scale = if !chart.x_categories.is_empty() {
        XScale::Categorical
    } else if chart.x_log {
        XScale::Log
    } else {
        XScale::Linear
    };
    let target = chart.target.as_ref().filter(|t| t.y.is_finite());
    let xs = series.iter().flat_map(|s| {
        let pts = s.runs.iter().flatten().map(|p| p.0);
        let band = s.band_runs.iter().flatten().map(|b| b.0);
        pts.chain(band)
    });
    let ys = series
        .iter()
        .flat_map(|s| {
            let pts = s.runs.iter().flatten().map(|p| p.1);
            let band = s.band_runs.iter().flatten().flat_map(|b| [b.1, b.2]);
            pts.chain(band)
        })
        .chain(target.map(|t| t.y));
    let (Some(data_x), Some(data_y)) = (min_max(xs), min_max(ys)) else {
        return Ok(None);
    };
    let x = match x_scale {
        XScale::Categorical => (
            -0.5,
            (chart.x_categories.len() as f64).max(data_x.1 + 1.0) - 0.5,
        ),
        XScale::Log => pad_log(data_x.0, data_x.1)?,
        XScale::Linear => pad_linear(data_x.0, data_x.1)?,
    };
    let (lo, hi) = data_y;
    let small = if lo > 0.0 {
        hi - lo < SMALL_EFFECT * hi
    } else if hi < 0.0 {
        hi - lo < SMALL_EFFECT * -lo
    } else {
        false
    };
    let y = if chart.y_from_zero && !small {
        pad_linear(lo.min(0.0), hi.max(0.0))?
    } else {
        pad_linear(lo, hi)?
    };

    let mut notes = chart.notes.clone();
    if y.0 > 0.0 {
        notes.push(NOT_FROM_ZERO.to_string());
    }
    if series.iter().any(|s| !s.hollow.is_empty()) {
        notes.push(HOLLOW_NOTE.to_string());
    }
    let title_h = if chart.title.trim().is_empty() {
        10
    } else {
        48
    };
    let top = title_h + NOTE_H * notes.len() as u32;
    let y_fmt = AxisFormat::for_range(y.0, y.1);
    let tick_w = [y.0, (y.0 + y.1) / 2.0, y.1, -y.1.abs().max(y.0.abs())]
        .iter()
        .map(|v| text_width_px(&y_fmt.format(*v), TICK_SIZE))
        .max()
        .unwrap_or(0);
    let y_area = (tick_w + if chart.y_label.is_empty() { 20 } else { 50 }).max(min_y_area);
    let x_area = if chart.x_label.is_empty() { 35 } else { 60 };
    let plot_w = size.0 as f64 - (MARGIN_LEFT + MARGIN_RIGHT + y_area) as f64;
    let plot_h = size.1 as f64 - (top + MARGIN_BOTTOM + x_area) as f64;
    let mut layout = LineLayout {
        x_scale,
        x,
        y,
        data_x,
        data_y,
        notes,
        top,
        y_area,
        x_area,
        plot: (plot_w.max(1.0), plot_h.max(1.0)),
        legend: None,
        target_label: None,
    };
    layout.legend = legend(chart, series, &layout);
    if let Some(l) = &layout.legend
        && l.place == LegendPlace::Below
    {
        layout.plot.1 = (layout.plot.1 - f64::from(layout.below_h())).max(1.0);
    }
    layout.target_label = target.map(|t| {
        let ink = ink(series, &layout, None);
        let w = f64::from(text_width_px(&format!("{}  ", t.label), LEGEND_SIZE));
        let (_, py) = layout.to_px(0.0, t.y);
        let legend_rect = layout
            .legend
            .as_ref()
            .filter(|l| l.place != LegendPlace::Below)
            .map(|l| l.rect);
        let mut best: Option<(usize, LabelPlace)> = None;
        for (right, above) in [(true, true), (false, true), (true, false), (false, false)] {
            let x0 = if right { layout.plot.0 - 6.0 - w } else { 6.0 };
            let (y0, y1) = if above {
                (py - 20.0, py - 2.0)
            } else {
                (py + 2.0, py + 20.0)
            };
            let rect = (x0, y0, x0 + w, y1);
            let inside = y0 >= 0.0 && y1 <= layout.plot.1;
            let hits = hits(&ink, rect)
                + legend_rect.map_or(0, |l| usize::from(overlap(l, rect))) * 1000
                + usize::from(!inside) * 100;
            if best.as_ref().is_none_or(|(h, _)| hits < *h) {
                best = Some((hits, LabelPlace { right, above, rect }));
            }
        }
        best.map(|b| b.1).expect("four candidates")
    });
    Ok(Some(layout))
}

/// Whether two rectangles overlap.
fn overlap(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// What the data draw, in pixels of the plot area: vertical segments (x, top,
/// bottom) sampled every few pixels along lines and across bands; a point is a
/// segment of no height, its marker's size added when boxes are tested.
fn ink(series: &[CleanSeries], l: &LineLayout, target: Option<f64>) -> Vec<(f64, f64, f64)> {
    let mut out = Vec::new();
    let step = 3.0;
    for s in series {
        for run in &s.runs {
            for w in run.windows(2) {
                let (a, b) = (l.to_px(w[0].0, w[0].1), l.to_px(w[1].0, w[1].1));
                let n = ((b.0 - a.0).hypot(b.1 - a.1) / step).ceil().max(1.0) as usize;
                for k in 0..=n {
                    let t = k as f64 / n as f64;
                    let y = a.1 + (b.1 - a.1) * t;
                    out.push((a.0 + (b.0 - a.0) * t, y, y));
                }
            }
            for p in run.iter().take(1).chain(run.last()) {
                let q = l.to_px(p.0, p.1);
                out.push((q.0, q.1, q.1));
            }
        }
        for p in &s.hollow {
            let q = l.to_px(p.0, p.1);
            out.push((q.0, q.1, q.1));
        }
        for run in &s.band_runs {
            for w in run.windows(2) {
                let (a_hi, a_lo) = (l.to_px(w[0].0, w[0].2), l.to_px(w[0].0, w[0].1));
                let (b_hi, b_lo) = (l.to_px(w[1].0, w[1].2), l.to_px(w[1].0, w[1].1));
                let n = ((b_hi.0 - a_hi.0).abs() / step).ceil().max(1.0) as usize;
                for k in 0..=n {
                    let t = k as f64 / n as f64;
                    let x = a_hi.0 + (b_hi.0 - a_hi.0) * t;
                    out.push((
                        x,
                        a_hi.1 + (b_hi.1 - a_hi.1) * t,
                        a_lo.1 + (b_lo.1 - a_lo.1) * t,
                    ));
                }
            }
        }
    }
    if let Some(y) = target {
        let (_, py) = l.to_px(l.x.0, y);
        let n = (l.plot.0 / step).ceil() as usize;
        out.extend((0..=n).map(|k| (k as f64 * step, py, py)));
    }
    out
}

/// How many ink segments fall in `r`, widened by a marker's radius.
fn hits(ink: &[(f64, f64, f64)], r: Rect) -> usize {
    let pad = 5.0;
    ink.iter()
        .filter(|(x, top, bottom)| {
            *x >= r.0 - pad && *x <= r.2 + pad && *bottom >= r.1 - pad && *top <= r.3 + pad
        })
        .count()
}

/// The legend: in the first corner that covers no data, else below the plot.
fn legend(chart: &LineChart, series: &[CleanSeries], l: &LineLayout) -> Option<Legend> {
    let labelled: Vec<usize> = (0..series.len())
        .filter(|&i| !series[i].label.is_empty())
        .collect();
    if series.len() < 2 || labelled.is_empty() {
        return None;
    }
    // Swatch (24 px), a gap, the text, padding.
    let entry_w = |i: usize| 24 + 8 + text_width_px(&series[i].label, LEGEND_SIZE) as i32 + 14;
    let w = labelled.iter().map(|&i| entry_w(i)).max().unwrap_or(0) + 10;
    let h = ROW_H * labelled.len() as i32 + 8;
    let (w, h) = (f64::from(w), f64::from(h));
    let ink = ink(series, l, chart.target.as_ref().map(|t| t.y));
    let (pw, ph) = l.plot;
    for corner in [
        Corner::UpperRight,
        Corner::UpperLeft,
        Corner::LowerRight,
        Corner::LowerLeft,
    ] {
        let x0 = match corner {
            Corner::UpperRight | Corner::LowerRight => pw - LEGEND_MARGIN - w,
            _ => LEGEND_MARGIN,
        };
        let y0 = match corner {
            Corner::UpperRight | Corner::UpperLeft => LEGEND_MARGIN,
            _ => ph - LEGEND_MARGIN - h,
        };
        let rect = (x0, y0, x0 + w, y0 + h);
        if x0 < 0.0 || y0 < 0.0 || hits(&ink, rect) > 0 {
            continue;
        }
        let entries = labelled
            .iter()
            .enumerate()
            .map(|(k, &i)| (i, (5, 4 + ROW_H * k as i32)))
            .collect();
        return Some(Legend {
            place: LegendPlace::Inside(corner),
            rect,
            entries,
        });
    }
    // Below the plot: entries flow left to right in rows as wide as the area.
    let max_w = (pw + f64::from(l.y_area)) as i32;
    let (mut x, mut row) = (0, 0);
    let mut entries = Vec::new();
    for &i in &labelled {
        let ew = entry_w(i) + 10;
        if x > 0 && x + ew > max_w {
            x = 0;
            row += 1;
        }
        entries.push((i, (x + 5, 4 + ROW_H * row)));
        x += ew;
    }
    let rows = f64::from(row + 1);
    Some(Legend {
        place: LegendPlace::Below,
        rect: (0.0, 0.0, f64::from(max_w), rows * f64::from(ROW_H) + 8.0),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Series, TargetLine};
    use super::*;

    fn line(points: Vec<(f64, f64)>) -> Series {
        Series {
            label: "a".into(),
            points,
            ..Default::default()
        }
    }

    #[test]
    fn swept_values_across_orders_of_magnitude_or_from_zero_are_not_linear() {
        // 0 s, 30 min, 1 h, 6 h, 2 d, 7 d, 14 d in days: 0 among positives.
        let over = [0.0, 1.0 / 48.0, 1.0 / 24.0, 0.25, 2.0, 7.0, 14.0];
        assert_eq!(x_scale_for(&over), XScale::Categorical);
        // 1..400 spans 400×: logarithmic; 10..80 spans 8×: linear.
        assert_eq!(x_scale_for(&[1.0, 10.0, 400.0]), XScale::Log);
        assert_eq!(x_scale_for(&[10.0, 20.0, 40.0, 80.0]), XScale::Linear);
        assert_eq!(x_scale_for(&[-1.0, 0.0, 1.0]), XScale::Linear);
    }

    #[test]
    fn a_small_effect_on_a_high_level_fits_the_axis_and_says_so() {
        // 120 to 126 from 0 would be a flat line at the top: the axis fits
        // 120..126 (padded by 4 % of the span) and carries the note.
        let chart = LineChart {
            series: vec![line(vec![(1.0, 120.0), (2.0, 126.0)])],
            y_from_zero: true,
            ..Default::default()
        };
        let l = line_layout(&chart, (1000, 600), 0).unwrap().unwrap();
        assert!(
            (l.y.0 - 119.76).abs() < 1e-9 && (l.y.1 - 126.24).abs() < 1e-9,
            "{l:?}"
        );
        assert!(l.notes.iter().any(|n| n == NOT_FROM_ZERO));
        // 20 to 126 is a large effect: from 0, no note.
        let chart = LineChart {
            series: vec![line(vec![(1.0, 20.0), (2.0, 126.0)])],
            y_from_zero: true,
            ..Default::default()
        };
        let l = line_layout(&chart, (1000, 600), 0).unwrap().unwrap();
        assert_eq!(l.y.0, 0.0);
        assert!(l.notes.is_empty());
    }

    #[test]
    fn the_legend_and_the_target_label_keep_off_the_data() {
        // A line falling from the upper left to the lower right fills two corners;
        // the legend goes in an empty one, and the target label beside the line
        // where no data are.
        let falling: Vec<(f64, f64)> = (0..=100).map(|i| (i as f64, 100.0 - i as f64)).collect();
        let chart = LineChart {
            series: vec![
                line(falling.clone()),
                Series {
                    label: "b".into(),
                    points: falling.iter().map(|p| (p.0, p.1 * 0.9)).collect(),
                    ..Default::default()
                },
            ],
            target: Some(TargetLine {
                y: 90.0,
                label: "target: 90".into(),
            }),
            ..Default::default()
        };
        let l = line_layout(&chart, (1000, 600), 0).unwrap().unwrap();
        let legend = l.legend.clone().unwrap();
        assert!(
            matches!(
                legend.place,
                LegendPlace::Inside(Corner::UpperRight | Corner::LowerLeft)
            ),
            "{legend:?}"
        );
        let series = clean_series(&chart);
        let data = ink(&series, &l, Some(90.0));
        assert_eq!(hits(&data, legend.rect), 0);
        let label = l.target_label.unwrap();
        assert_eq!(hits(&ink(&series, &l, None), label.rect), 0, "{label:?}");
        assert!(!overlap(label.rect, legend.rect));
    }

    #[test]
    fn a_legend_that_fits_in_no_corner_goes_below() {
        // Bands filling the whole plot leave no empty corner.
        let full = Series {
            label: "everywhere".into(),
            points: vec![(0.0, 5.0), (10.0, 5.0)],
            band: Some(vec![(0.0, 0.0, 10.0), (10.0, 0.0, 10.0)]),
            ..Default::default()
        };
        let chart = LineChart {
            series: vec![
                full.clone(),
                Series {
                    label: "again".into(),
                    ..full
                },
            ],
            ..Default::default()
        };
        let l = line_layout(&chart, (1000, 600), 0).unwrap().unwrap();
        assert_eq!(l.legend.as_ref().unwrap().place, LegendPlace::Below);
        assert!(l.below_h() > 0);
    }
}

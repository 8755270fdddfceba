//! Layout shared by both chart kinds: fitted text, the title, the "no data"
//! frame and the padded axis ranges.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::font;
use super::{
    DESC_SIZE, MARGIN_FRACTION, MIN_TITLE_SIZE, NOTE_SIZE, PlotError, TITLE_SIZE, WIDTH, perr,
};

/// Shrinks `text` to fit `max_px` pixels: first by reducing the font size down
/// to `min_size`, then by cutting characters from the middle and inserting an
/// ellipsis. The middle is cut because design names usually differ at both
/// ends (a family prefix and a variant suffix).
pub(super) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    max_px: u32,
    max_size: f64,
    min_size: f64,
) -> (String, f64) {
    let width = |t: &str, size: f64| {
        area.estimate_text_size(t, &font(size))
            .map(|(w, _)| w)
            .unwrap_or(u32::MAX)
    };
    let mut size = max_size;
    while size > min_size && width(text, size) > max_px {
        size -= 1.0;
    }
    if width(text, size) <= max_px {
        return (text.to_string(), size);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut keep = chars.len();
    while keep > 1 {
        keep -= 1;
        let head = keep.div_ceil(2);
        let tail = keep / 2;
        let candidate: String = chars[..head]
            .iter()
            .chain(std::iter::once(&'…'))
            .chain(chars[chars.len() - tail..].iter())
            .collect();
        if width(&candidate, size) <= max_px {
            return (candidate, size);
        }
    }
    ("…".to_string(), size)
}

/// Adds a margin around `[lo, hi]` on a linear axis. An empty span is widened
/// around the value. The margin never pushes the axis across zero when the
/// data stay on one side of it, so all-positive data start at exactly zero
/// when their minimum is zero.
pub(super) fn pad_linear(lo: f64, hi: f64) -> Result<(f64, f64), PlotError> {
    let span = hi - lo;
    if !span.is_finite() {
        return Err(PlotError("data range is too large to plot".into()));
    }
    let (a, b) = if span <= f64::EPSILON * lo.abs().max(hi.abs()) || span == 0.0 {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - d, hi + d)
    } else {
        let m = span * MARGIN_FRACTION;
        (lo - m, hi + m)
    };
    let a = if lo >= 0.0 && a < 0.0 { 0.0 } else { a };
    // The upper side is only clamped when the lower one was not, so that an
    // all-zero series still gets a non-empty range above zero.
    let b = if hi <= 0.0 && b > 0.0 && a < 0.0 {
        0.0
    } else {
        b
    };
    if !(a.is_finite() && b.is_finite()) || a >= b {
        return Err(PlotError("data range cannot be represented".into()));
    }
    Ok((a, b))
}

/// Adds a multiplicative margin around a positive `[lo, hi]` for a
/// logarithmic axis, widening a single value to a factor of two each way.
pub(super) fn pad_log(lo: f64, hi: f64) -> Result<(f64, f64), PlotError> {
    let ratio = hi / lo;
    if !ratio.is_finite() {
        return Err(PlotError("data range is too large to plot".into()));
    }
    let (a, b) = if ratio <= 1.0 + 1e-9 {
        (lo / 2.0, hi * 2.0)
    } else {
        let f = ratio.powf(MARGIN_FRACTION);
        (lo / f, hi * f)
    };
    if !(a.is_finite() && b.is_finite()) || a <= 0.0 || a >= b {
        return Err(PlotError("data range cannot be represented".into()));
    }
    Ok((a, b))
}

/// Minimum and maximum of an iterator of finite values, or `None` if empty.
pub(super) fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Draws the title at the top of `root` (shrunk or shortened to fit) and
/// returns the height it occupies, so that the chart can be built below it.
pub(super) fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<u32, PlotError> {
    if title.trim().is_empty() {
        return Ok(10);
    }
    let (text, size) = fit_text(root, title, WIDTH - 40, TITLE_SIZE, MIN_TITLE_SIZE);
    let style = font(size).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(text, (WIDTH as i32 / 2, 24), style))
        .map_err(perr)?;
    Ok(48)
}

/// Draws `notes` under a title `title_h` pixels high, one line each in grey, and
/// returns the height both take.
pub(super) fn draw_notes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    notes: &[String],
    title_h: u32,
) -> Result<u32, PlotError> {
    let grey = BLACK.mix(0.65);
    let w = root.dim_in_pixel().0;
    for (k, note) in notes.iter().enumerate() {
        let (text, size) = fit_text(root, note, w - 40, NOTE_SIZE, 11.0);
        let style = font(size)
            .color(&grey)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let y = (title_h + NOTE_H * k as u32) as i32 + 2;
        root.draw(&Text::new(text, (w as i32 / 2, y), style))
            .map_err(perr)?;
    }
    Ok(title_h + NOTE_H * notes.len() as u32)
}

/// Height of a note line under a title, pixels.
pub(super) const NOTE_H: u32 = 18;

/// Draws a frame with axis descriptions and a centred "no data" note, used
/// when nothing plottable remains after cleaning.
pub(super) fn draw_no_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_label: &str,
    y_label: &str,
    top: u32,
) -> Result<(), PlotError> {
    let mut ctx = ChartBuilder::on(root)
        .margin_top(top)
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(perr)?;
    let mut mesh = ctx.configure_mesh();
    mesh.disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .axis_desc_style(font(DESC_SIZE));
    if !x_label.is_empty() {
        mesh.x_desc(x_label);
    }
    if !y_label.is_empty() {
        mesh.y_desc(y_label);
    }
    mesh.draw().map_err(perr)?;
    let grey = BLACK.mix(0.5);
    let style = font(22.0)
        .color(&grey)
        .pos(Pos::new(HPos::Center, VPos::Center));
    ctx.draw_series(std::iter::once(Text::new("no data", (0.5, 0.5), style)))
        .map_err(perr)?;
    Ok(())
}

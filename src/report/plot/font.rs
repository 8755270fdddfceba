//! The embedded DejaVu Sans font: its registration with plotters and the glyph
//! metrics (through ab_glyph) that the PNG glyph correction needs.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use plotters::prelude::*;

use super::PlotError;

/// The font family name the embedded font is registered under. Using the
/// generic "sans-serif" name means plotters' own defaults resolve to it too.
const FONT: &str = "sans-serif";

/// Registers the embedded DejaVu Sans font exactly once per process. The
/// outcome is cached so that a (theoretical) failure is reported on every
/// call rather than only the first.
pub(super) fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "embedded DejaVu Sans font could not be parsed".to_string())
        })
        .clone()
        .map_err(PlotError)
}

/// Glyph placement metrics of the embedded font, as ab_glyph reads them.
///
/// Plotters 0.3.7 rasterises each ab_glyph glyph at the pen position but
/// drops the glyph's left side bearing, so narrow glyphs such as "l" or "t"
/// end up shifted left and words look unevenly spaced ("coupl ed"). Only the
/// bearings (plus the cap height, for vertical centring) are needed to
/// correct that; advances and kerning still come from plotters' own layout so
/// that measured and drawn text agree.
pub(super) struct FontMetrics {
    font: FontRef<'static>,
    /// `ascent - descent` in font units; ab_glyph scales a font so that this
    /// height equals the requested pixel size.
    height: f64,
    /// Height of capital letters and digits in font units.
    cap_height: f64,
}

impl FontMetrics {
    /// The metrics of the embedded font, or `None` if it cannot be parsed (then
    /// registering it fails too, so no chart is drawn without them).
    pub(super) fn get() -> Option<&'static FontMetrics> {
        static METRICS: OnceLock<Option<FontMetrics>> = OnceLock::new();
        METRICS
            .get_or_init(|| FontMetrics::of(dejavu::sans::regular()))
            .as_ref()
    }

    fn of(bytes: &'static [u8]) -> Option<FontMetrics> {
        let font = FontRef::try_from_slice(bytes).ok()?;
        let height = f64::from(font.height_unscaled());
        // DejaVu's OS/2 table predates the cap height field, so the cap height
        // is taken from the top of the "H" glyph's outline.
        let cap_height = font
            .outline(font.glyph_id('H'))
            .map_or(0.0, |o| f64::from(o.bounds.min.y.max(o.bounds.max.y)));
        (height > 0.0).then_some(FontMetrics {
            font,
            height,
            cap_height,
        })
    }

    /// The left side bearing of `c` in pixels at a font size of `size` pixels;
    /// 0 for a character the font lacks, which plotters draws as nothing.
    pub(super) fn bearing_px(&self, c: char, size: f64) -> f64 {
        let id = self.font.glyph_id(c);
        if id.0 == 0 {
            return 0.0;
        }
        f64::from(self.font.h_side_bearing_unscaled(id)) * size / self.height
    }

    /// The width of `text` in pixels at a font size of `size` pixels: the sum of
    /// its glyphs' advances, as the layout needs it before anything is drawn.
    pub(super) fn width_px(&self, text: &str, size: f64) -> f64 {
        text.chars()
            .map(|c| f64::from(self.font.h_advance_unscaled(self.font.glyph_id(c))))
            .sum::<f64>()
            * size
            / self.height
    }

    /// How far to move glyphs down, in pixels, so that capitals and digits
    /// are centred in the box plotters lays text out in.
    ///
    /// Plotters puts the baseline at half the font size below the top of a
    /// layout box that is `size / 1.24` high. That leaves digits about a
    /// fifth of the font size too high: y tick labels sit visibly above their
    /// ticks. Centring the cap height in the box fixes every anchor at once.
    pub(super) fn baseline_shift_px(&self, size: f64) -> i32 {
        if self.cap_height <= 0.0 {
            return 0;
        }
        let box_height = size / 1.24;
        let cap = self.cap_height * size / self.height;
        (box_height / 2.0 + cap / 2.0 - size / 2.0).round() as i32
    }
}

/// The width of `text` in pixels at `size` pixels in the embedded font; an
/// estimate of 0.6 `size` per character should the font not parse (then no chart
/// is drawn anyway).
pub(super) fn text_width_px(text: &str, size: f64) -> u32 {
    FontMetrics::get()
        .map(|m| m.width_px(text, size))
        .unwrap_or(0.6 * size * text.chars().count() as f64)
        .ceil() as u32
}

/// The embedded font at `size` pixels.
pub(super) fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_metrics_are_read_from_embedded_font() {
        // Values from DejaVu Sans 2.37: ascent 1901, descent -483, the "H"
        // glyph is 1493 units tall and "l" has a 193 unit left bearing.
        let m = FontMetrics::get().unwrap();
        assert_eq!(m.height, 2384.0);
        assert_eq!(m.cap_height, 1493.0);
        assert_eq!(m.bearing_px('l', 2384.0), 193.0);
        assert_eq!(m.baseline_shift_px(15.0), 3);
    }
}

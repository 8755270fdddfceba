//! Rendering a chart to SVG text or PNG bytes. PNG text goes through
//! [`GlyphFix`], which places every glyph by the embedded font's own metrics.

use image::ImageEncoder;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::Pos;
// The backend traits are not re-exported by plotters but are needed to wrap
// a backend; `BackendStyle` is referred to by path because importing it would
// make `stroke_width` ambiguous on colours.
use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind};

use super::font::{FontMetrics, ensure_font};
use super::{HEIGHT, PlotError, WIDTH, perr};

pub(super) fn render_svg<F>(draw: F) -> Result<String, PlotError>
where
    F: for<'a> FnOnce(&DrawingArea<SVGBackend<'a>, Shift>) -> Result<(), PlotError>,
{
    ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(perr)?;
    }
    Ok(svg)
}

pub(super) fn render_png<F>(draw: F) -> Result<Vec<u8>, PlotError>
where
    F: for<'a> FnOnce(&DrawingArea<GlyphFix<BitMapBackend<'a>>, Shift>) -> Result<(), PlotError>,
{
    ensure_font()?;
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root =
            GlyphFix(BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT))).into_drawing_area();
        draw(&root)?;
        root.present().map_err(perr)?;
    }
    // The encoder uses fixed default settings and no timestamps, so equal
    // pixel buffers always give equal files.
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&rgb, WIDTH, HEIGHT, image::ColorType::Rgb8)
        .map_err(perr)?;
    Ok(png)
}

/// A text style wrapper that draws one character at a time, each shifted by
/// its left side bearing, and moves the baseline so that text is centred on
/// its anchor (see [`FontMetrics`]). Pen positions are the widths
/// plotters itself reports for each prefix, so kerning and the text's
/// measured size are unchanged.
struct BearingCorrected<'a, S>(&'a S);

impl<S: BackendTextStyle> BackendTextStyle for BearingCorrected<'_, S> {
    type FontError = S::FontError;

    fn color(&self) -> BackendColor {
        self.0.color()
    }
    fn size(&self) -> f64 {
        self.0.size()
    }
    fn transform(&self) -> FontTransform {
        self.0.transform()
    }
    fn style(&self) -> plotters_backend::FontStyle {
        self.0.style()
    }
    fn anchor(&self) -> Pos {
        self.0.anchor()
    }
    fn family(&self) -> plotters_backend::FontFamily<'_> {
        self.0.family()
    }
    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), Self::FontError> {
        self.0.layout_box(text)
    }
    fn draw<E, DrawFunc: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        text: &str,
        pos: BackendCoord,
        mut draw: DrawFunc,
    ) -> Result<Result<(), E>, Self::FontError> {
        let Some(metrics) = FontMetrics::get() else {
            return self.0.draw(text, pos, draw);
        };
        let size = self.0.size();
        let y = pos.1 + metrics.baseline_shift_px(size);
        let mut buf = [0u8; 4];
        for (offset, c) in text.char_indices() {
            let ((x0, _), (x1, _)) = self.0.layout_box(&text[..offset])?;
            let pen = if offset == 0 { 0 } else { x1 - x0 };
            let x = pos.0 + pen + metrics.bearing_px(c, size).floor() as i32;
            if let Err(e) = self.0.draw(c.encode_utf8(&mut buf), (x, y), &mut draw)? {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }
}

/// A drawing backend wrapper that forwards everything to the wrapped backend
/// except text, which it draws through [`BearingCorrected`]. Only raster
/// output needs it; SVG text is laid out by the viewer.
pub(super) struct GlyphFix<DB>(DB);

impl<DB: DrawingBackend> DrawingBackend for GlyphFix<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_text(text, &BearingCorrected(style), pos)
    }
    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(text, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, (iw, ih), src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::font::font;

    /// The leftmost column with ink after drawing `text` at x = 50, through the
    /// glyph correction or straight through plotters.
    fn ink_left(text: &str, corrected: bool) -> Option<usize> {
        const W: usize = 200;
        let mut rgb = vec![255u8; W * 100 * 3];
        {
            let mut plain = BitMapBackend::with_buffer(&mut rgb, (W as u32, 100));
            let style = font(40.0);
            if corrected {
                let mut fixed = GlyphFix(plain);
                fixed.draw_text(text, &style, (50, 50)).unwrap();
                fixed.present().unwrap();
            } else {
                plain.draw_text(text, &style, (50, 50)).unwrap();
                plain.present().unwrap();
            }
        }
        (0..W).find(|&x| (0..100).any(|y| rgb[3 * (y * W + x)] != 255))
    }

    #[test]
    fn glyphs_are_moved_right_by_their_left_bearing() {
        // Plotters 0.3.7 draws a glyph's outline at the pen position, dropping its
        // left side bearing; the correction puts it back. "l" has a bearing of 193
        // of 2384 font units: 3.2 px at 40 px, drawn 3 px further right.
        ensure_font().unwrap();
        let plain = ink_left("l", false).unwrap();
        let corrected = ink_left("l", true).unwrap();
        assert_eq!(corrected, plain + 3);
    }
}

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
//! wrapper corrects both using
//! metrics read from the same embedded font. SVG output contains real
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

use std::fmt;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};

use image::ImageEncoder;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
// The backend traits are not re-exported by plotters but are needed to wrap
// a backend; `BackendStyle` is referred to by path because importing it would
// make `stroke_width` ambiguous on colours.
use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1000;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 600;

/// The font family name the embedded font is registered under. Using the
/// generic "sans-serif" name means plotters' own defaults resolve to it too.
const FONT: &str = "sans-serif";
const TITLE_SIZE: f64 = 26.0;
const MIN_TITLE_SIZE: f64 = 14.0;
const DESC_SIZE: f64 = 18.0;
const TICK_SIZE: f64 = 15.0;
const LEGEND_SIZE: f64 = 15.0;
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
}

/// A chart of one or more lines sharing the same axes.
///
/// Labels should carry units, e.g. "time since incident start (min)"; an
/// empty label leaves that axis undescribed. `y_from_zero` forces the y axis
/// to include zero; `x_log` makes the x axis logarithmic, in which case
/// points with x <= 0 are dropped. A legend is drawn whenever at least one
/// series has a non-empty label, in the plot corner with the fewest points.
/// Series take their colours from a fixed ten-colour palette in order.
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

/// Renders a design comparison chart as an SVG document.
pub fn bar_chart_svg(chart: &BarChart) -> Result<String, PlotError> {
    render_svg(|root| draw_bar_chart(root, chart))
}

/// Renders a design comparison chart as the bytes of a PNG file.
pub fn bar_chart_png(chart: &BarChart) -> Result<Vec<u8>, PlotError> {
    render_png(|root| draw_bar_chart(root, chart))
}

/// Registers the embedded DejaVu Sans font exactly once per process. The
/// outcome is cached so that a (theoretical) failure is reported on every
/// call rather than only the first.
fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "embedded DejaVu Sans font could not be parsed".to_string())
        })
        .clone()
        .map_err(PlotError)
}

fn render_svg<F>(draw: F) -> Result<String, PlotError>
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

fn render_png<F>(draw: F) -> Result<Vec<u8>, PlotError>
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

/// Glyph placement metrics of the embedded font, as ab_glyph reads them.
///
/// Plotters 0.3.7 rasterises each ab_glyph glyph at the pen position but
/// drops the glyph's left side bearing, so narrow glyphs such as "l" or "t"
/// end up shifted left and words look unevenly spaced ("coupl ed"). Only the
/// bearings (plus the cap height, for vertical centring) are needed to
/// correct that; advances and kerning still come from plotters' own layout so
/// that measured and drawn text agree.
struct FontMetrics {
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
    fn get() -> Option<&'static FontMetrics> {
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
    fn bearing_px(&self, c: char, size: f64) -> f64 {
        let id = self.font.glyph_id(c);
        if id.0 == 0 {
            return 0.0;
        }
        f64::from(self.font.h_side_bearing_unscaled(id)) * size / self.height
    }

    /// How far to move glyphs down, in pixels, so that capitals and digits
    /// are centred in the box plotters lays text out in.
    ///
    /// Plotters puts the baseline at half the font size below the top of a
    /// layout box that is `size / 1.24` high. That leaves digits about a
    /// fifth of the font size too high: y tick labels sit visibly above their
    /// ticks. Centring the cap height in the box fixes every anchor at once.
    fn baseline_shift_px(&self, size: f64) -> i32 {
        if self.cap_height <= 0.0 {
            return 0;
        }
        let box_height = size / 1.24;
        let cap = self.cap_height * size / self.height;
        (box_height / 2.0 + cap / 2.0 - size / 2.0).round() as i32
    }
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
struct GlyphFix<DB>(DB);

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

fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size))
}

/// Shrinks `text` to fit `max_px` pixels: first by reducing the font size down
/// to `min_size`, then by cutting characters from the middle and inserting an
/// ellipsis. The middle is cut because design names usually differ at both
/// ends (a family prefix and a variant suffix).
fn fit_text<DB: DrawingBackend>(
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

/// How tick values on one linear axis are printed: divided by `scale`, with a
/// fixed number of decimals chosen from the axis span, trailing zeros removed
/// and a magnitude suffix appended. Very small or very large magnitudes fall
/// back to scientific notation.
#[derive(Debug, Clone, Copy)]
struct TickFormat {
    scale: f64,
    suffix: &'static str,
    decimals: usize,
    scientific: bool,
}

impl TickFormat {
    fn for_range(lo: f64, hi: f64) -> Self {
        let magnitude = lo.abs().max(hi.abs());
        // Plotters places at most about ten labels, so the step is roughly a
        // tenth of the span; one extra decimal covers steps such as 0.25.
        let step = ((hi - lo).abs() / 10.0).max(f64::MIN_POSITIVE);
        if magnitude != 0.0 && !(1e-3..1e12).contains(&magnitude) {
            let digits = (magnitude.log10().floor() - step.log10().floor()).clamp(0.0, 6.0);
            return TickFormat {
                scale: 1.0,
                suffix: "",
                decimals: digits as usize + 1,
                scientific: true,
            };
        }
        let (scale, suffix) = if magnitude >= 1e9 {
            (1e9, "G")
        } else if magnitude >= 1e6 {
            (1e6, "M")
        } else if magnitude >= 1e4 {
            (1e3, "k")
        } else {
            (1.0, "")
        };
        let decimals = (-(step / scale).log10()).ceil().clamp(0.0, 8.0) as usize + 1;
        TickFormat {
            scale,
            suffix,
            decimals,
            scientific: false,
        }
    }

    fn format(&self, v: f64) -> String {
        if !v.is_finite() {
            return String::new();
        }
        if self.scientific {
            return format_scientific(v, self.decimals);
        }
        let text = format!("{:.*}", self.decimals, v / self.scale);
        let text = trim_zeros(&text);
        // Formatting can produce "-0" for tiny negative values; show "0".
        if text == "-0" || text == "0" {
            return "0".to_string();
        }
        format!("{text}{}", self.suffix)
    }
}

/// Removes trailing zeros after the decimal point, and the point itself when
/// nothing follows it.
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Scientific notation with at most `decimals` mantissa decimals, trailing
/// zeros removed ("5e-7" rather than "5.00e-7").
fn format_scientific(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$e}");
    match s.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
        None => s,
    }
}

/// Compact formatting of a single value with three significant digits, used
/// on logarithmic axes where every label has its own magnitude.
fn format_compact(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if !(1e-3..1e12).contains(&a) {
        return format_scientific(v, 2);
    }
    let (scale, suffix) = if a >= 1e9 {
        (1e9, "G")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let scaled = v / scale;
    let decimals = (2.0 - scaled.abs().log10().floor()).clamp(0.0, 6.0) as usize;
    let text = format!("{scaled:.decimals$}");
    format!("{}{suffix}", trim_zeros(&text))
}

/// Adds a margin around `[lo, hi]` on a linear axis. An empty span is widened
/// around the value. The margin never pushes the axis across zero when the
/// data stay on one side of it, so all-positive data start at exactly zero
/// when their minimum is zero.
fn pad_linear(lo: f64, hi: f64) -> Result<(f64, f64), PlotError> {
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
fn pad_log(lo: f64, hi: f64) -> Result<(f64, f64), PlotError> {
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
fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A series after cleaning: maximal runs of consecutive usable points, and
/// runs of usable band rows with `low <= high`.
struct CleanSeries {
    label: String,
    color: RGBColor,
    runs: Vec<Vec<(f64, f64)>>,
    band_runs: Vec<Vec<(f64, f64, f64)>>,
}

/// Splits `items` into maximal runs of elements accepted by `keep`, so that a
/// dropped value leaves a visible gap rather than a misleading straight line.
fn split_runs<T: Copy>(items: &[T], keep: impl Fn(&T) -> bool) -> Vec<Vec<T>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for item in items {
        if keep(item) {
            current.push(*item);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn clean_series(chart: &LineChart) -> Vec<CleanSeries> {
    let x_ok = |x: f64| x.is_finite() && (!chart.x_log || x > 0.0);
    chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let runs = split_runs(&s.points, |&(x, y)| x_ok(x) && y.is_finite());
            let band_runs = s
                .band
                .as_deref()
                .map(|band| {
                    let ordered: Vec<_> = band
                        .iter()
                        .map(|&(x, a, b)| (x, a.min(b), a.max(b)))
                        .collect();
                    split_runs(&ordered, |&(x, a, b)| {
                        x_ok(x) && a.is_finite() && b.is_finite()
                    })
                })
                .unwrap_or_default();
            CleanSeries {
                label: s.label.clone(),
                color: PALETTE[i % PALETTE.len()],
                runs,
                band_runs,
            }
        })
        .collect()
}

/// Picks the plot corner that the fewest data points fall into, so that the
/// legend hides as little of the data as possible. Coordinates are
/// normalised to the unit square of the plotting area.
fn legend_corner(normalised: &[(f64, f64)]) -> SeriesLabelPosition {
    // The legend box covers roughly this fraction of the plot in each
    // direction; a slightly generous estimate keeps lines clear of its edge.
    const W: f64 = 0.4;
    const H: f64 = 0.35;
    let corners = [
        (SeriesLabelPosition::UpperRight, 1.0 - W, 1.0, 1.0 - H, 1.0),
        (SeriesLabelPosition::UpperLeft, 0.0, W, 1.0 - H, 1.0),
        (SeriesLabelPosition::LowerRight, 1.0 - W, 1.0, 0.0, H),
        (SeriesLabelPosition::LowerLeft, 0.0, W, 0.0, H),
    ];
    let mut best = SeriesLabelPosition::UpperRight;
    let mut best_count = usize::MAX;
    for (pos, x0, x1, y0, y1) in corners {
        let count = normalised
            .iter()
            .filter(|&&(x, y)| x >= x0 && x <= x1 && y >= y0 && y <= y1)
            .count();
        // Strictly fewer points wins, so ties keep the conventional upper
        // right position and the choice is deterministic.
        if count < best_count {
            best = pos;
            best_count = count;
        }
    }
    best
}

/// Draws the title at the top of `root` (shrunk or shortened to fit) and
/// returns the height it occupies, so that the chart can be built below it.
fn draw_title<DB: DrawingBackend>(
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

/// Draws a frame with axis descriptions and a centred "no data" note, used
/// when nothing plottable remains after cleaning.
fn draw_no_data<DB: DrawingBackend>(
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

/// Width in pixels of the widest of `labels` at tick font size, used to size
/// the y label area so tick labels never collide with the axis description.
fn max_label_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: impl Iterator<Item = String>,
) -> u32 {
    labels
        .filter_map(|l| root.estimate_text_size(&l, &font(TICK_SIZE)).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0)
}

fn draw_line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    let top = draw_title(root, &chart.title)?;
    let series = clean_series(chart);

    let xs = series.iter().flat_map(|s| {
        let pts = s.runs.iter().flatten().map(|p| p.0);
        let band = s.band_runs.iter().flatten().map(|b| b.0);
        pts.chain(band)
    });
    let ys = series.iter().flat_map(|s| {
        let pts = s.runs.iter().flatten().map(|p| p.1);
        let band = s.band_runs.iter().flatten().flat_map(|b| [b.1, b.2]);
        pts.chain(band)
    });
    let (Some((x_lo, x_hi)), Some((y_lo, y_hi))) = (min_max(xs), min_max(ys)) else {
        return draw_no_data(root, &chart.x_label, &chart.y_label, top);
    };
    let (y_lo, y_hi) = if chart.y_from_zero {
        (y_lo.min(0.0), y_hi.max(0.0))
    } else {
        (y_lo, y_hi)
    };
    let (y_lo, y_hi) = pad_linear(y_lo, y_hi)?;
    let (x_lo, x_hi) = if chart.x_log {
        pad_log(x_lo, x_hi)?
    } else {
        pad_linear(x_lo, x_hi)?
    };

    let y_fmt = TickFormat::for_range(y_lo, y_hi);
    let y_fmt_fn = move |v: &f64| y_fmt.format(*v);
    let x_fmt = TickFormat::for_range(x_lo, x_hi);
    let x_fmt_fn: Box<dyn Fn(&f64) -> String> = if chart.x_log {
        Box::new(|v: &f64| format_compact(*v))
    } else {
        Box::new(move |v: &f64| x_fmt.format(*v))
    };

    // Tick labels at the ends and the middle of the range bound the widest
    // label well enough for sizing the label area.
    let samples = [y_lo, (y_lo + y_hi) / 2.0, y_hi, -y_hi.abs().max(y_lo.abs())];
    let tick_w = max_label_width(root, samples.iter().map(|v| y_fmt.format(*v)));
    let y_area = tick_w + if chart.y_label.is_empty() { 20 } else { 50 };

    let normalise_x = |x: f64| {
        if chart.x_log {
            (x.ln() - x_lo.ln()) / (x_hi.ln() - x_lo.ln())
        } else {
            (x - x_lo) / (x_hi - x_lo)
        }
    };
    let normalised: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.runs.iter().flatten())
        .map(|&(x, y)| (normalise_x(x), (y - y_lo) / (y_hi - y_lo)))
        .collect();
    let corner = legend_corner(&normalised);

    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(top)
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(if chart.x_label.is_empty() { 35 } else { 60 })
        .y_label_area_size(y_area);
    let axes = Axes {
        x_label: &chart.x_label,
        y_label: &chart.y_label,
        x_fmt: &*x_fmt_fn,
        y_fmt: &y_fmt_fn,
    };
    if chart.x_log {
        let ctx = builder
            .build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)
            .map_err(perr)?;
        draw_line_body(ctx, &series, &axes, corner)
    } else {
        let ctx = builder
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .map_err(perr)?;
        draw_line_body(ctx, &series, &axes, corner)
    }
}

/// Axis descriptions and tick formatters shared by both x-axis scales.
struct Axes<'a> {
    x_label: &'a str,
    y_label: &'a str,
    x_fmt: &'a dyn Fn(&f64) -> String,
    y_fmt: &'a dyn Fn(&f64) -> String,
}

/// Draws the mesh, bands, lines and legend. It is generic over the x
/// coordinate so that linear and logarithmic charts share one code path.
fn draw_line_body<'a, DB, X>(
    mut ctx: ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    series: &[CleanSeries],
    axes: &Axes<'_>,
    corner: SeriesLabelPosition,
) -> Result<(), PlotError>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut mesh = ctx.configure_mesh();
    mesh.x_labels(10)
        .y_labels(8)
        .max_light_lines(1)
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04));
    if !axes.x_label.is_empty() {
        mesh.x_desc(axes.x_label);
    }
    if !axes.y_label.is_empty() {
        mesh.y_desc(axes.y_label);
    }
    mesh.draw().map_err(perr)?;

    // All bands go first so that no band covers another series' line.
    for s in series {
        let fill = s.color.mix(BAND_ALPHA).filled();
        let polygons = s.band_runs.iter().filter(|r| r.len() >= 2).map(|run| {
            let upper = run.iter().map(|&(x, _, hi)| (x, hi));
            let lower = run.iter().rev().map(|&(x, lo, _)| (x, lo));
            Polygon::new(upper.chain(lower).collect::<Vec<_>>(), fill)
        });
        ctx.draw_series(polygons).map_err(perr)?;
    }

    let mut any_label = false;
    for s in series {
        let line = s.color.stroke_width(2);
        let lines = s.runs.iter().filter(|r| r.len() >= 2);
        let anno = ctx
            .draw_series(lines.map(|run| PathElement::new(run.clone(), line)))
            .map_err(perr)?;
        if !s.label.is_empty() {
            // The legend entry is attached even when the series has no
            // plottable points, so the legend always lists every series.
            any_label = true;
            let color = s.color;
            let has_band = !s.band_runs.is_empty();
            anno.label(s.label.clone()).legend(move |(x, y)| {
                let band_style = if has_band {
                    color.mix(BAND_ALPHA).filled()
                } else {
                    TRANSPARENT.filled()
                };
                EmptyElement::at((x, y))
                    + Rectangle::new([(0, -6), (24, 6)], band_style)
                    + PathElement::new(vec![(0, 0), (24, 0)], color.stroke_width(2))
            });
        }
        // Isolated points would be invisible as lines, so they get markers.
        let singles = s.runs.iter().filter(|r| r.len() == 1).map(|r| r[0]);
        ctx.draw_series(singles.map(|p| Circle::new(p, 4, s.color.filled())))
            .map_err(perr)?;
    }

    if any_label {
        ctx.configure_series_labels()
            .position(corner)
            .margin(12)
            .legend_area_size(30)
            .label_font(font(LEGEND_SIZE))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(perr)?;
    }
    Ok(())
}

fn draw_bar_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &BarChart,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(perr)?;
    let top = draw_title(root, &chart.title)?;
    let bars = &chart.bars;

    let values = bars.iter().flat_map(|b| {
        let ci = if b.ci95.0.is_finite() && b.ci95.1.is_finite() {
            vec![b.ci95.0, b.ci95.1]
        } else {
            Vec::new()
        };
        std::iter::once(b.value).chain(ci)
    });
    let Some((lo, hi)) = min_max(values.filter(|v| v.is_finite())) else {
        return draw_no_data(root, &chart.y_label, "", top);
    };
    let (lo, hi) = pad_linear(lo, hi)?;
    let fmt = TickFormat::for_range(lo, hi);
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

    // Row i is drawn at y = n - 1 - i so that the first bar is at the top,
    // matching reading order.
    let mut ctx = ChartBuilder::on(root)
        .margin_top(top)
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(x_area)
        .y_label_area_size(label_w + 16)
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
    for (i, bar) in bars.iter().enumerate() {
        let y = row_y(i);
        let (a, b) = (bar.ci95.0.min(bar.ci95.1), bar.ci95.0.max(bar.ci95.1));
        if a.is_finite() && b.is_finite() {
            let pa = ctx.backend_coord(&(a, y));
            let pb = ctx.backend_coord(&(b, y));
            let style = BLACK.mix(0.8).stroke_width(2);
            for element in [
                PathElement::new(vec![pa, pb], style),
                PathElement::new(vec![(pa.0, pa.1 - cap), (pa.0, pa.1 + cap)], style),
                PathElement::new(vec![(pb.0, pb.1 - cap), (pb.0, pb.1 + cap)], style),
            ] {
                root.draw(&element).map_err(perr)?;
            }
        }
        if bar.value.is_finite() {
            let p = ctx.backend_coord(&(bar.value, y));
            let r = (row_h * 0.25).clamp(3.0, 7.0) as i32;
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
        root.draw(&Text::new(labels[i].clone(), (p.0 - 8, p.1), style))
            .map_err(perr)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_line_chart() -> LineChart {
        let xs: Vec<f64> = (0..=60).map(|i| i as f64).collect();
        let series = (0..3)
            .map(|k| {
                let points: Vec<(f64, f64)> = xs
                    .iter()
                    .map(|&x| (x, 20.0 + 10.0 * k as f64 + 8.0 * (x / 9.0 + k as f64).sin()))
                    .collect();
                let band = points.iter().map(|&(x, y)| (x, y - 3.0, y + 3.0)).collect();
                Series {
                    label: format!("design-{k}"),
                    points,
                    band: Some(band),
                }
            })
            .collect();
        LineChart {
            title: "Queue length over time".into(),
            x_label: "time since incident start (min)".into(),
            y_label: "queue length (vehicles)".into(),
            series,
            y_from_zero: true,
            x_log: false,
        }
    }

    fn sample_bar_chart() -> BarChart {
        let names = [
            "york-2017-decoupled",
            "york-2017-coupled",
            "baseline",
            "london-2019-adaptive-signal-control-with-priority",
            "mixed",
        ];
        BarChart {
            title: "Mean delay per design".into(),
            y_label: "mean delay (s)".into(),
            bars: names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let v = 40.0 + 7.5 * i as f64;
                    Bar {
                        label: n.to_string(),
                        value: v,
                        ci95: (v - 3.0 - i as f64, v + 4.0),
                    }
                })
                .collect(),
        }
    }

    fn decode(png: &[u8]) -> image::RgbImage {
        image::load_from_memory(png).expect("PNG decodes").to_rgb8()
    }

    const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

    #[test]
    fn line_svg_contains_title_and_legend() {
        let svg = line_chart_svg(&sample_line_chart()).unwrap();
        assert!(svg.contains("Queue length over time"));
        for k in 0..3 {
            assert!(svg.contains(&format!("design-{k}")));
        }
        assert!(svg.contains("time since incident start (min)"));
    }

    #[test]
    fn bar_svg_contains_title_and_labels() {
        let svg = bar_chart_svg(&sample_bar_chart()).unwrap();
        assert!(svg.contains("Mean delay per design"));
        assert!(svg.contains("york-2017-decoupled"));
        assert!(svg.contains("mean delay (s)"));
    }

    #[test]
    fn png_has_signature_and_size() {
        for png in [
            line_chart_png(&sample_line_chart()).unwrap(),
            bar_chart_png(&sample_bar_chart()).unwrap(),
        ] {
            assert_eq!(png[..8], PNG_SIGNATURE);
            let img = decode(&png);
            assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
        }
    }

    #[test]
    fn output_is_deterministic() {
        let line = sample_line_chart();
        let bar = sample_bar_chart();
        assert_eq!(
            line_chart_svg(&line).unwrap(),
            line_chart_svg(&line).unwrap()
        );
        assert_eq!(
            line_chart_png(&line).unwrap(),
            line_chart_png(&line).unwrap()
        );
        assert_eq!(bar_chart_svg(&bar).unwrap(), bar_chart_svg(&bar).unwrap());
        assert_eq!(bar_chart_png(&bar).unwrap(), bar_chart_png(&bar).unwrap());
    }

    /// Counts pixels that differ from white in a rectangle.
    fn ink(img: &image::RgbImage, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
        let mut n = 0;
        for y in y0..y1 {
            for x in x0..x1 {
                if img.get_pixel(x, y).0 != [255, 255, 255] {
                    n += 1;
                }
            }
        }
        n
    }

    #[test]
    fn title_is_rasterised_with_embedded_font() {
        let chart = sample_line_chart();
        let with_title = decode(&line_chart_png(&chart).unwrap());
        let without_title = decode(
            &line_chart_png(&LineChart {
                title: String::new(),
                ..chart
            })
            .unwrap(),
        );
        // The title band sits above the plotting area, so any ink there is
        // the title's glyphs; anti-aliasing produces grey levels as well.
        let titled = ink(&with_title, 0, 0, WIDTH, 40);
        assert!(titled > 300, "title area has only {titled} ink pixels");
        let greys = (0..40)
            .flat_map(|y| (0..WIDTH).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let p = with_title.get_pixel(x, y).0;
                p[0] > 30 && p[0] < 225 && p[0] == p[1] && p[1] == p[2]
            })
            .count();
        assert!(greys > 50, "no anti-aliased glyph edges found");
        assert_eq!(ink(&without_title, 0, 0, WIDTH, 8), 0);
    }

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

    #[test]
    fn degenerate_line_inputs_do_not_panic() {
        let base = sample_line_chart();
        let cases: Vec<Vec<Series>> = vec![
            vec![],
            vec![Series::default()],
            vec![Series {
                label: "one".into(),
                points: vec![(3.0, 7.0)],
                band: Some(vec![(3.0, 6.0, 8.0)]),
            }],
            vec![Series {
                label: "flat".into(),
                points: vec![(0.0, 5.0), (1.0, 5.0), (2.0, 5.0)],
                band: None,
            }],
            vec![Series {
                label: "zeros".into(),
                points: vec![(0.0, 0.0), (0.0, 0.0)],
                band: None,
            }],
            vec![Series {
                label: "nan".into(),
                points: vec![
                    (0.0, f64::NAN),
                    (1.0, f64::INFINITY),
                    (f64::NEG_INFINITY, 1.0),
                    (2.0, 3.0),
                    (3.0, f64::NAN),
                    (4.0, 4.0),
                    (5.0, 4.5),
                ],
                band: Some(vec![(0.0, f64::NAN, 1.0), (1.0, 5.0, 2.0), (2.0, 1.0, 4.0)]),
            }],
            vec![Series {
                label: "all nan".into(),
                points: vec![(f64::NAN, f64::NAN)],
                band: None,
            }],
            vec![Series {
                label: "tiny".into(),
                points: vec![(0.0, 1e-12), (1e-9, 2e-12)],
                band: None,
            }],
            vec![Series {
                label: "huge".into(),
                points: vec![(0.0, 1e15), (1.0, 1e15 + 1.0)],
                band: None,
            }],
        ];
        for series in cases {
            for x_log in [false, true] {
                for y_from_zero in [false, true] {
                    let chart = LineChart {
                        series: series.clone(),
                        x_log,
                        y_from_zero,
                        ..base.clone()
                    };
                    line_chart_svg(&chart).unwrap();
                    line_chart_png(&chart).unwrap();
                }
            }
        }
        // A span that overflows f64 is reported, not drawn.
        let overflow = LineChart {
            series: vec![Series {
                label: "overflow".into(),
                points: vec![(0.0, -f64::MAX), (1.0, f64::MAX)],
                band: None,
            }],
            ..base
        };
        assert!(line_chart_png(&overflow).is_err());
    }

    #[test]
    fn empty_chart_says_no_data() {
        let chart = LineChart {
            title: "Nothing".into(),
            ..Default::default()
        };
        assert!(line_chart_svg(&chart).unwrap().contains("no data"));
        let bars = BarChart {
            title: "Nothing".into(),
            ..Default::default()
        };
        assert!(bar_chart_svg(&bars).unwrap().contains("no data"));
    }

    #[test]
    fn log_axis_drops_non_positive_x() {
        let chart = LineChart {
            title: "log".into(),
            x_label: "offered load (veh/h)".into(),
            y_label: "delay (s)".into(),
            series: vec![Series {
                label: "a".into(),
                points: vec![(-1.0, 5.0), (0.0, 6.0), (10.0, 7.0), (1000.0, 9.0)],
                band: None,
            }],
            y_from_zero: false,
            x_log: true,
        };
        let svg = line_chart_svg(&chart).unwrap();
        assert!(svg.contains("offered load"));
        line_chart_png(&chart).unwrap();
    }

    #[test]
    fn degenerate_bar_inputs_do_not_panic() {
        let cases = vec![
            vec![],
            vec![Bar {
                label: "only".into(),
                value: 3.0,
                ci95: (3.0, 3.0),
            }],
            vec![
                Bar {
                    label: "nan".into(),
                    value: f64::NAN,
                    ci95: (f64::NAN, f64::INFINITY),
                },
                Bar {
                    label: "reversed".into(),
                    value: -2.0,
                    ci95: (1.0, -4.0),
                },
            ],
            vec![Bar {
                label: String::new(),
                value: f64::NAN,
                ci95: (0.0, 0.0),
            }],
            (0..60)
                .map(|i| Bar {
                    label: format!("design-with-a-rather-long-name-number-{i}"),
                    value: i as f64,
                    ci95: (i as f64 - 1.0, i as f64 + 1.0),
                })
                .collect(),
        ];
        for bars in cases {
            let chart = BarChart {
                title: "t".into(),
                y_label: "v".into(),
                bars,
            };
            bar_chart_svg(&chart).unwrap();
            bar_chart_png(&chart).unwrap();
        }
    }

    #[test]
    fn tick_labels_are_compact() {
        let f = TickFormat::for_range(0.0, 0.3);
        assert_eq!(f.format(0.1 + 0.2), "0.3");
        assert_eq!(f.format(-1e-17), "0");
        let f = TickFormat::for_range(0.0, 120_000.0);
        assert_eq!(f.format(40_000.0), "40k");
        let f = TickFormat::for_range(1_000_000.0, 1_000_010.0);
        assert_eq!(f.format(1_000_005.0), "1.000005M");
        let f = TickFormat::for_range(0.0, 60.0);
        assert_eq!(f.format(10.0), "10");
        assert_eq!(f.format(12.5), "12.5");
        let f = TickFormat::for_range(0.0, 1e-6);
        assert_eq!(f.format(5e-7), "5e-7");
        assert_eq!(format_compact(1000.0), "1000");
        assert_eq!(format_compact(20_000.0), "20k");
        assert_eq!(format_compact(0.05), "0.05");
        assert_eq!(format_compact(1e-5), "1e-5");
        for v in [0.1, 0.7, 1.0 / 3.0, 123.456, 9.99e11] {
            assert!(format_compact(v).len() <= 6, "{}", format_compact(v));
        }
    }

    #[test]
    fn legend_avoids_occupied_corner() {
        let pts: Vec<(f64, f64)> = (0..10).map(|i| (0.9 + i as f64 * 0.01, 0.9)).collect();
        assert!(matches!(
            legend_corner(&pts),
            SeriesLabelPosition::UpperLeft
        ));
        assert!(matches!(
            legend_corner(&[]),
            SeriesLabelPosition::UpperRight
        ));
    }

    /// Writes sample charts for visual inspection to the directory named by
    /// `PLOT_SAMPLE_DIR`, or `out/` under the crate root. It is ignored by
    /// default because it writes files; run it with
    /// `cargo test write_samples -- --ignored`.
    #[test]
    #[ignore]
    fn write_samples() {
        let dir = std::env::var_os("PLOT_SAMPLE_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("out"));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
        let line = sample_line_chart();
        write("line.png", &line_chart_png(&line).unwrap());
        write("line.svg", line_chart_svg(&line).unwrap().as_bytes());
        let mut log = line.clone();
        log.title = "Delay against offered load".into();
        log.x_label = "offered load (veh/h)".into();
        log.y_label = "mean delay (s)".into();
        log.x_log = true;
        log.y_from_zero = false;
        for s in &mut log.series {
            for p in &mut s.points {
                p.0 = 10f64.powf(1.0 + p.0 / 20.0);
            }
            if let Some(b) = &mut s.band {
                for r in b {
                    r.0 = 10f64.powf(1.0 + r.0 / 20.0);
                }
            }
        }
        write("line_log.png", &line_chart_png(&log).unwrap());
        let mut single = line.clone();
        single.title = "A single point and a gap".into();
        single.series = vec![
            Series {
                label: "single".into(),
                points: vec![(5.0, 1.5)],
                band: None,
            },
            Series {
                label: "with gap".into(),
                points: vec![
                    (0.0, 1.0),
                    (1.0, 1.2),
                    (2.0, f64::NAN),
                    (3.0, 1.1),
                    (4.0, 1.3),
                ],
                band: None,
            },
        ];
        write("line_degenerate.png", &line_chart_png(&single).unwrap());
        let empty = LineChart {
            title: "Empty".into(),
            x_label: "time (min)".into(),
            y_label: "count".into(),
            ..Default::default()
        };
        write("line_empty.png", &line_chart_png(&empty).unwrap());
        let bar = sample_bar_chart();
        write("bar.png", &bar_chart_png(&bar).unwrap());
        write("bar.svg", bar_chart_svg(&bar).unwrap().as_bytes());
        let many = BarChart {
            title: "Many designs with long names and a negative effect".into(),
            y_label: "change in delay relative to baseline (%)".into(),
            bars: (0..25)
                .map(|i| Bar {
                    label: format!("york-2017-decoupled-variant-{i}-extended-signal-plan"),
                    value: i as f64 - 8.0,
                    ci95: (i as f64 - 11.0, i as f64 - 5.0),
                })
                .collect(),
        };
        write("bar_many.png", &bar_chart_png(&many).unwrap());
        let long = BarChart {
            title: "An extremely long title that keeps going well past the width of the chart so that it has to be shortened somewhere".into(),
            y_label: "vehicle-hours of delay".into(),
            bars: vec![
                Bar {
                    label: "a-design-name-so-long-that-it-cannot-fit-even-at-the-smallest-font-size-allowed-for-category-labels-v2".into(),
                    value: 250_000.0,
                    ci95: (180_000.0, 330_000.0),
                },
                Bar {
                    label: "short".into(),
                    value: 120_000.0,
                    ci95: (110_000.0, 131_000.0),
                },
                Bar {
                    label: "missing".into(),
                    value: f64::NAN,
                    ci95: (f64::NAN, f64::NAN),
                },
            ],
        };
        write("bar_long.png", &bar_chart_png(&long).unwrap());
        let big = LineChart {
            title: "Large negative values, unlabelled series".into(),
            x_label: "simulated time (s)".into(),
            y_label: "net flow balance (veh)".into(),
            series: vec![Series {
                label: String::new(),
                points: (0..200)
                    .map(|i| (i as f64 * 36.0, -150_000.0 + 900.0 * i as f64))
                    .collect(),
                band: None,
            }],
            y_from_zero: false,
            x_log: false,
        };
        write("line_big.png", &line_chart_png(&big).unwrap());
    }
}

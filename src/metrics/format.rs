//! One number format for every output: text tables, report.md and plot labels all
//! print numbers through these functions. Tables and reports use [`fmt_num`] and
//! [`fmt_metric`]; plot axes use [`AxisFormat`] (linear) and [`fmt_compact`]
//! (logarithmic), which print the same numbers more tightly because a tick label
//! sits beside its neighbours.

use crate::metrics::Metric;

/// Formats a number for a table: enough digits to read, no float noise.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if a == 0.0 {
        "0".to_string()
    } else if x.fract() == 0.0 && a < 1e15 {
        // Counts and exact values read better without decimals.
        format!("{x:.0}")
    } else if a >= 1e6 {
        format!("{x:.3e}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.3}")
    } else if a >= 1e-3 {
        format!("{x:.6}")
    } else {
        format!("{x:.3e}")
    }
}

/// Formats a number the user wrote, for an error message: as written when that is
/// short (`0.25`, `-5`, `1e-9`), in scientific notation when its plain form would run
/// to dozens of digits (`1e300`, not three hundred zeros).
pub fn fmt_input(x: f64) -> String {
    let plain = format!("{x}");
    if plain.len() <= 16 || !x.is_finite() {
        plain
    } else {
        format!("{x:e}")
    }
}

/// Availability needs more digits than other fractions: show it with 6 decimals.
pub fn fmt_metric(m: Metric, x: f64) -> String {
    if m == Metric::VmAvailability {
        if !x.is_finite() {
            return format!("{x}");
        }
        format!("{x:.6}")
    } else {
        fmt_num(x)
    }
}

/// How tick values on one linear plot axis are printed: divided by `scale`, with a
/// fixed number of decimals chosen from the axis span, trailing zeros removed
/// and a magnitude suffix appended. Very small or very large magnitudes fall
/// back to scientific notation.
#[derive(Debug, Clone, Copy)]
pub struct AxisFormat {
    scale: f64,
    suffix: &'static str,
    decimals: usize,
    scientific: bool,
}

impl AxisFormat {
    /// The format for an axis spanning `[lo, hi]`.
    pub fn for_range(lo: f64, hi: f64) -> Self {
        let magnitude = lo.abs().max(hi.abs());
        // Plotters places at most about ten labels, so the step is roughly a
        // tenth of the span; one extra decimal covers steps such as 0.25.
        let step = ((hi - lo).abs() / 10.0).max(f64::MIN_POSITIVE);
        if magnitude != 0.0 && !(1e-3..1e12).contains(&magnitude) {
            let digits = (magnitude.log10().floor() - step.log10().floor()).clamp(0.0, 6.0);
            return AxisFormat {
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
        AxisFormat {
            scale,
            suffix,
            decimals,
            scientific: false,
        }
    }

    /// One tick label; empty for a non-finite value.
    pub fn format(&self, v: f64) -> String {
        if !v.is_finite() {
            return String::new();
        }
        if self.scientific {
            return fmt_scientific(v, self.decimals);
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
fn fmt_scientific(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$e}");
    match s.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
        None => s,
    }
}

/// A single value with three significant digits and a magnitude suffix, for
/// logarithmic plot axes where every label has its own magnitude.
pub fn fmt_compact(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if !(1e-3..1e12).contains(&a) {
        return fmt_scientific(v, 2);
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

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_from_the_user_are_short_in_messages() {
        use super::fmt_input;
        assert_eq!(fmt_input(0.25), "0.25");
        assert_eq!(fmt_input(-5.0), "-5");
        assert_eq!(fmt_input(1e300), "1e300");
        assert_eq!(fmt_input(-1e308), "-1e308");
        assert_eq!(fmt_input(1.5e-300), "1.5e-300");
        assert_eq!(fmt_input(f64::NAN), "NaN");
        for x in [
            1e20,
            123456789012345678.0,
            1e-20,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            assert!(fmt_input(x).len() <= 24, "{x}: {}", fmt_input(x));
        }
    }

    use super::*;

    #[test]
    fn table_numbers_drop_float_noise() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(1200.0), "1200");
        assert_eq!(fmt_num(0.1 + 0.2), "0.300000");
        assert_eq!(fmt_num(123.456), "123.5");
        assert_eq!(fmt_num(2.5e7 + 0.5), "2.500e7");
        assert_eq!(fmt_num(f64::NAN), "NaN");
        assert_eq!(fmt_metric(Metric::VmAvailability, 1.0), "1.000000");
        assert_eq!(fmt_metric(Metric::VmReboots, 1.0), "1");
    }

    #[test]
    fn tick_labels_are_compact() {
        let f = AxisFormat::for_range(0.0, 0.3);
        assert_eq!(f.format(0.1 + 0.2), "0.3");
        assert_eq!(f.format(-1e-17), "0");
        let f = AxisFormat::for_range(0.0, 120_000.0);
        assert_eq!(f.format(40_000.0), "40k");
        let f = AxisFormat::for_range(1_000_000.0, 1_000_010.0);
        assert_eq!(f.format(1_000_005.0), "1.000005M");
        let f = AxisFormat::for_range(0.0, 60.0);
        assert_eq!(f.format(10.0), "10");
        assert_eq!(f.format(12.5), "12.5");
        let f = AxisFormat::for_range(0.0, 1e-6);
        assert_eq!(f.format(5e-7), "5e-7");
        assert_eq!(fmt_compact(1000.0), "1000");
        assert_eq!(fmt_compact(20_000.0), "20k");
        assert_eq!(fmt_compact(0.05), "0.05");
        assert_eq!(fmt_compact(1e-5), "1e-5");
        for v in [0.1, 0.7, 1.0 / 3.0, 123.456, 9.99e11] {
            assert!(fmt_compact(v).len() <= 6, "{}", fmt_compact(v));
        }
    }
}

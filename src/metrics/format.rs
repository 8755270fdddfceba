//! One number format for every output: text tables, report.md and plot labels all
//! print numbers through these functions.

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

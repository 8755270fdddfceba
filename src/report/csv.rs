//! The CSV files of a report: every replication's metrics, the outage log and the
//! sweep table.

use crate::engine::US_PER_S;
use crate::experiment::{Study, Sweep, point_summaries};
use crate::metrics::METRICS;

/// Quotes a CSV field when it needs it (RFC 4180: a comma, a quote or a line break),
/// doubling the quotes inside.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A number for CSV: shortest exact form, empty for NaN.
pub fn csv_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// The sweep as CSV: one row per point; mean, CI, std and quantiles over
/// replications of every metric.
pub fn sweep_csv(sw: &Sweep) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = sw.params.iter().map(|p| csv_field(p)).collect();
    for d in METRICS {
        for suffix in ["mean", "ci95_lo", "ci95_hi", "std", "p50", "p90", "p99"] {
            header.push(format!("{}_{suffix}", d.key));
        }
    }
    out.push_str(&header.join(","));
    out.push('\n');
    for (values, batch) in &sw.points {
        let mut row: Vec<String> = values.iter().map(|v| csv_field(v)).collect();
        for s in point_summaries(batch) {
            row.extend([
                csv_num(s.mean),
                csv_num(s.ci95_lo),
                csv_num(s.ci95_hi),
                csv_num(s.std),
                csv_num(s.p50),
                csv_num(s.p90),
                csv_num(s.p99),
            ]);
        }
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Every metric of every replication, one row per design and replication.
pub(super) fn replications_csv(study: &Study) -> String {
    let mut out = String::from("design,replication");
    for d in METRICS {
        out.push(',');
        out.push_str(d.key);
    }
    out.push('\n');
    for (info, b) in &study.designs {
        for r in &b.replications {
            out.push_str(&format!("{},{}", csv_field(&info.name), r.index));
            for v in r.metrics.values {
                out.push(',');
                out.push_str(&csv_num(v));
            }
            out.push('\n');
        }
    }
    out
}

/// The first VM outages of replication 0 of each design; `end_s` is empty for a VM
/// still down at the horizon.
pub(super) fn outages_csv(study: &Study) -> String {
    let mut out = String::from("design,vm,head,start_s,end_s,cause\n");
    let s = |us: u64| format!("{}", us as f64 / US_PER_S as f64);
    for (info, b) in &study.designs {
        for o in &b.first_outages {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                csv_field(&info.name),
                o.vm,
                o.head,
                s(o.start_us),
                o.end_us.map(s).unwrap_or_default(),
                o.cause.name()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One CSV record read back as RFC 4180 says (quoted fields, `""` for a quote).
    fn read_record(line: &str) -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut chars = line.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    if let Some(f) = fields.last_mut() {
                        f.push('"');
                    }
                }
                (_, '"') => quoted = !quoted,
                (false, ',') => fields.push(String::new()),
                (_, c) => {
                    if let Some(f) = fields.last_mut() {
                        f.push(c);
                    }
                }
            }
        }
        assert!(!quoted, "unclosed quote in {line:?}");
        fields
    }

    #[test]
    fn names_with_commas_quotes_and_newlines_are_quoted() {
        // Proves csv_field quotes exactly the fields that need it (a comma, a quote, a
        // line break), doubles quotes inside, and that a row of such names reads back
        // as the same fields.
        assert_eq!(csv_field("patched"), "patched");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("the \"fast\" one"), "\"the \"\"fast\"\" one\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("cr\rlf"), "\"cr\rlf\"");
        assert_eq!(csv_field(""), "");
        let names = ["plain", "a, b", "say \"hi\"", "x\ny", "\"", ",", "é, ü"];
        let row: Vec<String> = names.iter().map(|n| csv_field(n)).collect();
        assert_eq!(read_record(&row.join(",")), names);
    }

    #[test]
    fn numbers_are_exact_and_nan_is_empty() {
        // Proves csv_num writes the shortest exact form and leaves NaN and infinities
        // empty.
        assert_eq!(csv_num(0.1), "0.1");
        assert_eq!(csv_num(2.5e6), "2500000");
        assert_eq!(csv_num(-1e-7), "-0.0000001");
        assert_eq!(csv_num(f64::NAN), "");
        assert_eq!(csv_num(f64::INFINITY), "");
    }
}

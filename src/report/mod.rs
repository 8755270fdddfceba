//! Presenting results: text tables, the JSON documents of the output contract, and
//! (with `--out`) report files and plots. Besides the CLI, the only writer of files.

pub mod plot;

use serde_json::{Value, json};

use crate::experiment::Batch;
use crate::metrics::{METRICS, Metric, Summary};

/// Provenance of a run: what was run, with which seed and version.
#[derive(Clone, Debug)]
pub struct Provenance {
    pub model_name: String,
    pub model_path: String,
    /// FNV-1a of the model file's bytes, hex.
    pub model_hash: String,
    pub seed: u64,
    pub replications: u64,
    pub overrides: Vec<String>,
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// JSON for a numeric summary: `{ mean, std, ci95: [lo, hi], min, max }`.
pub fn summary_json(s: &Summary) -> Value {
    json!({
        "mean": num(s.mean),
        "std": num(s.std),
        "ci95": [num(s.ci95_lo), num(s.ci95_hi)],
        "min": num(s.min),
        "max": num(s.max),
    })
}

/// A finite number as JSON; NaN and infinities (which JSON lacks) become null.
pub fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Every metric's summary, keyed by metric key.
pub fn metrics_json(batch: &Batch) -> Value {
    let mut map = serde_json::Map::new();
    for m in Metric::ALL {
        map.insert(
            METRICS[*m as usize].key.to_string(),
            summary_json(&batch.summary(*m)),
        );
    }
    Value::Object(map)
}

/// The `run --format json` document.
pub fn run_json(p: &Provenance, batch: &Batch) -> Value {
    json!({
        "model": p.model_name,
        "model_path": p.model_path,
        "model_hash": p.model_hash,
        "overrides": p.overrides,
        "seed": p.seed,
        "replications": p.replications,
        "version": VERSION,
        "metrics": metrics_json(batch),
    })
}

/// Formats a number for a table: enough digits to read, no float noise.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if a == 0.0 {
        "0".to_string()
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
fn fmt_metric(m: Metric, x: f64) -> String {
    if m == Metric::VmAvailability {
        if !x.is_finite() {
            return format!("{x}");
        }
        format!("{x:.6}")
    } else {
        fmt_num(x)
    }
}

/// Lays out rows as an aligned text table (first column left, others right).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            if i == 0 {
                out.push_str(c);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(c);
            }
        }
        out.push('\n');
    };
    line(
        &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        &mut out,
    );
    line(
        &width.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
        &mut out,
    );
    for r in rows {
        line(r, &mut out);
    }
    out
}

/// The `run` summary as a text table.
pub fn run_text(p: &Provenance, batch: &Batch) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "model {} ({}, hash {})\nseed {}, {} replications, bigvsim {}\n",
        p.model_name, p.model_path, p.model_hash, p.seed, p.replications, VERSION
    ));
    if !p.overrides.is_empty() {
        out.push_str(&format!("overrides: {}\n", p.overrides.join(" ")));
    }
    out.push('\n');
    let rows: Vec<Vec<String>> = Metric::ALL
        .iter()
        .map(|m| {
            let d = &METRICS[*m as usize];
            let s = batch.summary(*m);
            vec![
                d.key.to_string(),
                d.unit.to_string(),
                fmt_metric(*m, s.mean),
                format!(
                    "[{}, {}]",
                    fmt_metric(*m, s.ci95_lo),
                    fmt_metric(*m, s.ci95_hi)
                ),
                fmt_metric(*m, s.std),
                fmt_metric(*m, s.min),
                fmt_metric(*m, s.max),
            ]
        })
        .collect();
    out.push_str(&table(
        &["metric", "unit", "mean", "95% CI", "std", "min", "max"],
        &rows,
    ));
    out
}

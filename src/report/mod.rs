//! Presenting results: text tables, the JSON documents of the output contract, and
//! (with `--out`) report files and plots. Besides the CLI, the only writer of files.

pub mod files;
pub mod plot;

use serde_json::{Value, json};

use crate::experiment::Batch;
use crate::experiment::{Study, Sweep, point_summaries, verdict};
use crate::metrics::{METRICS, Metric, Summary};

pub use crate::VERSION;
pub use crate::metrics::format::{fmt_metric, fmt_num};

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

/// The metrics shown in text comparisons and sweeps (JSON has them all).
pub const KEY_METRICS: &[Metric] = &[
    Metric::VmAvailability,
    Metric::DowntimeMinPerVmYear,
    Metric::FullRecoveryS,
    Metric::VmOutageP99S,
    Metric::ControlLossHeadS,
    Metric::SupervisorCrashes,
    Metric::VmReboots,
];

fn header_lines(study: &Study) -> String {
    let mut out = String::new();
    for (info, _) in &study.designs {
        out.push_str(&format!(
            "model {} ({}, hash {})\n",
            info.name, info.path, info.hash
        ));
    }
    out.push_str(&format!(
        "seed {}, {} replications{}, bigvsim {}\n",
        study.seed,
        study.replications,
        if study.independent_seeds {
            ", independent seeds per design"
        } else if study.designs.len() > 1 {
            ", common random numbers (replication i of every design uses the same seed)"
        } else {
            ""
        },
        VERSION
    ));
    if !study.overrides.is_empty() {
        out.push_str(&format!("overrides: {}\n", study.overrides.join(" ")));
    }
    out
}

fn mean_ci(m: Metric, s: &Summary) -> String {
    format!(
        "{} [{}, {}]",
        fmt_metric(m, s.mean),
        fmt_metric(m, s.ci95_lo),
        fmt_metric(m, s.ci95_hi)
    )
}

/// A heading row (`design` then each metric's heading) and one row per design of
/// `mean [95% CI]`.
pub fn design_rows(study: &Study, metrics: &[Metric]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["design".to_string()];
    header.extend(metrics.iter().map(|m| METRICS[*m as usize].heading()));
    let rows = study
        .designs
        .iter()
        .map(|(info, b)| {
            let mut row = vec![info.name.clone()];
            row.extend(metrics.iter().map(|m| mean_ci(*m, &b.summary(*m))));
            row
        })
        .collect();
    (header, rows)
}

/// One row per design after the first: its difference against the first, `mean [95%
/// CI]` for each metric; and the plain-words verdicts where a CI excludes zero.
pub fn difference_rows(study: &Study, metrics: &[Metric]) -> (Vec<Vec<String>>, Vec<String>) {
    let Some((base, _)) = study.designs.first() else {
        return (Vec::new(), Vec::new());
    };
    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    for (d, (info, _)) in study.differences().iter().zip(study.designs.iter().skip(1)) {
        let mut row = vec![info.name.clone()];
        for m in metrics {
            let x = &d[*m as usize];
            row.push(format!(
                "{} [{}, {}]",
                fmt_metric(*m, x.mean),
                fmt_metric(*m, x.ci95_lo),
                fmt_metric(*m, x.ci95_hi)
            ));
            if let Some(v) = verdict(&info.name, &base.name, *m, x) {
                verdicts.push(v);
            }
        }
        rows.push(row);
    }
    (rows, verdicts)
}

/// The `run` summary as a text table (the first design of the study).
pub fn run_text(study: &Study) -> String {
    let mut out = header_lines(study);
    out.push('\n');
    let Some((_, batch)) = study.designs.first() else {
        return out;
    };
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

/// The `run --format json` document.
pub fn run_json(study: &Study) -> Value {
    let (info, batch) = match study.designs.first() {
        Some((i, b)) => (i.clone(), Some(b)),
        None => (Default::default(), None),
    };
    json!({
        "model": info.name,
        "model_path": info.path,
        "model_hash": info.hash,
        "overrides": study.overrides,
        "seed": study.seed,
        "replications": study.replications,
        "version": VERSION,
        "metrics": batch.map(metrics_json).unwrap_or(Value::Null),
    })
}

/// The `compare --format json` document.
pub fn compare_json(study: &Study) -> Value {
    let designs: Vec<Value> = study
        .designs
        .iter()
        .map(|(info, batch)| {
            json!({
                "model": info.name,
                "model_path": info.path,
                "model_hash": info.hash,
                "metrics": metrics_json(batch),
            })
        })
        .collect();
    let base = study
        .designs
        .first()
        .map(|(i, _)| i.name.clone())
        .unwrap_or_default();
    let paired: Vec<Value> = study
        .differences()
        .iter()
        .zip(study.designs.iter().skip(1))
        .map(|(diffs, (info, _))| {
            let mut metrics = serde_json::Map::new();
            let mut verdicts = Vec::new();
            for (m, d) in Metric::ALL.iter().zip(diffs) {
                metrics.insert(
                    METRICS[*m as usize].key.to_string(),
                    json!({ "mean": num(d.mean), "ci95": [num(d.ci95_lo), num(d.ci95_hi)] }),
                );
                if KEY_METRICS.contains(m)
                    && let Some(v) = verdict(&info.name, &base, *m, d)
                {
                    verdicts.push(v);
                }
            }
            json!({
                "model": info.name,
                "baseline": base,
                "paired": !study.independent_seeds,
                "metrics": metrics,
                "verdicts": verdicts,
            })
        })
        .collect();
    json!({
        "seed": study.seed,
        "replications": study.replications,
        "independent_seeds": study.independent_seeds,
        "overrides": study.overrides,
        "version": VERSION,
        "designs": designs,
        "paired": paired,
    })
}

/// The `compare` summary: each design's key metrics, then the differences against
/// the first design with verdicts.
pub fn compare_text(study: &Study) -> String {
    let mut out = header_lines(study);
    out.push_str("\nEach design: mean [95% CI]\n\n");
    let (header, rows) = design_rows(study, KEY_METRICS);
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&table(&header_refs, &rows));
    if study.designs.len() < 2 {
        return out;
    }
    out.push_str(&format!(
        "\nDifference against {} (design − baseline): mean [95% CI], {}\n\n",
        study.designs[0].0.name,
        if study.independent_seeds {
            "unpaired (Welch), independent seeds"
        } else {
            "paired over replications"
        }
    ));
    let (rows, verdicts) = difference_rows(study, KEY_METRICS);
    out.push_str(&table(&header_refs, &rows));
    out.push_str("\nVerdicts (where the 95% CI excludes zero):\n");
    for v in &verdicts {
        out.push_str(&format!("  {v}\n"));
    }
    if verdicts.is_empty() {
        out.push_str(
            "  none: no difference is distinguishable from noise at this replication count\n",
        );
    }
    out
}

/// The `sweep` document: every point's parameter values and metric summaries.
pub fn sweep_json(sw: &Sweep) -> Value {
    let points: Vec<Value> = sw
        .points
        .iter()
        .map(|(values, batch)| {
            let mut v = serde_json::Map::new();
            for (p, x) in sw.params.iter().zip(values) {
                v.insert(p.clone(), Value::String(x.clone()));
            }
            json!({ "values": v, "metrics": metrics_json(batch) })
        })
        .collect();
    json!({
        "model": sw.design.name,
        "model_path": sw.design.path,
        "model_hash": sw.design.hash,
        "seed": sw.seed,
        "replications": sw.replications,
        "overrides": sw.overrides,
        "version": VERSION,
        "params": sw.params,
        "points": points,
    })
}

/// The sweep as a text table of key metrics.
pub fn sweep_text(sw: &Sweep) -> String {
    let mut out = format!(
        "model {} ({}, hash {})\nseed {}, {} replications per point (the same seeds at every point), bigvsim {}\n",
        sw.design.name, sw.design.path, sw.design.hash, sw.seed, sw.replications, VERSION
    );
    if !sw.overrides.is_empty() {
        out.push_str(&format!("overrides: {}\n", sw.overrides.join(" ")));
    }
    out.push_str("\nmean [95% CI] at each point\n\n");
    let mut header: Vec<String> = sw.params.clone();
    for m in KEY_METRICS {
        let d = &METRICS[*m as usize];
        header.push(d.heading());
    }
    let rows: Vec<Vec<String>> = sw
        .points
        .iter()
        .map(|(values, batch)| {
            let mut row = values.clone();
            let s = point_summaries(batch);
            row.extend(KEY_METRICS.iter().map(|m| mean_ci(*m, &s[*m as usize])));
            row
        })
        .collect();
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&table(&refs, &rows));
    out
}

/// Quotes a CSV field when it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
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

/// The sweep as CSV: one row per point; mean, CI and std of every metric.
pub fn sweep_csv(sw: &Sweep) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = sw.params.iter().map(|p| csv_field(p)).collect();
    for d in METRICS {
        for suffix in ["mean", "ci95_lo", "ci95_hi", "std"] {
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
            ]);
        }
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

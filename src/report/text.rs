//! The text summaries that `run`, `compare` and `sweep` print, and the summary rows
//! report.md shares with them.

use crate::VERSION;
use crate::experiment::{Study, Sweep, point_summaries, verdict};
use crate::metrics::format::fmt_metric;
use crate::metrics::{METRICS, Metric, STEADY_STATE_HORIZON_US, Summary, display_order};

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
    Metric::SiteRecoveryS,
    Metric::VmOutageP99S,
    Metric::ControlLossHeadS,
    Metric::SupervisorCrashes,
    Metric::VmReboots,
];

/// The key metrics of an incident model (a horizon under 30 days), whose availability
/// and downtime per VM-year mostly measure the horizon: recovery times and VM-hours
/// lost lead instead.
pub const INCIDENT_KEY_METRICS: &[Metric] = &[
    Metric::FullRecoveryS,
    Metric::SiteRecoveryS,
    Metric::VmHoursLost,
    Metric::VmOutageP99S,
    Metric::ControlLossHeadS,
    Metric::SupervisorCrashes,
    Metric::VmReboots,
];

/// The key metrics of a study: [`INCIDENT_KEY_METRICS`] when a design's horizon is
/// under [`STEADY_STATE_HORIZON_US`], otherwise [`KEY_METRICS`].
pub fn key_metrics(study: &Study) -> &'static [Metric] {
    let short = study
        .designs
        .iter()
        .any(|(_, b)| b.horizon_us != 0 && b.horizon_us < STEADY_STATE_HORIZON_US);
    if short {
        INCIDENT_KEY_METRICS
    } else {
        KEY_METRICS
    }
}

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

/// `mean [lo, hi]` of metric `m`, the cell of every summary table.
fn mean_ci(m: Metric, mean: f64, lo: f64, hi: f64) -> String {
    format!(
        "{} [{}, {}]",
        fmt_metric(m, mean),
        fmt_metric(m, lo),
        fmt_metric(m, hi)
    )
}

/// [`mean_ci`] of a summary.
fn summary_ci(m: Metric, s: &Summary) -> String {
    mean_ci(m, s.mean, s.ci95_lo, s.ci95_hi)
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
            row.extend(metrics.iter().map(|m| {
                let cell = summary_ci(*m, &b.summary(*m));
                // A mean over values cut by the horizon is a lower bound.
                if b.censored(*m) > 0 {
                    format!("≥ {cell}")
                } else {
                    cell
                }
            }));
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
            row.push(mean_ci(*m, x.mean, x.ci95_lo, x.ci95_hi));
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
    let rows: Vec<Vec<String>> = display_order(batch.horizon_us)
        .iter()
        .map(|m| {
            let d = &METRICS[*m as usize];
            let s = batch.summary(*m);
            // Values cut by the horizon are lower bounds: the mean and the largest
            // are once any replication was cut, the smallest when all were.
            let cut = batch.censored(*m);
            let at_least = |bound: bool, x: f64| {
                let v = fmt_metric(*m, x);
                if bound { format!("≥ {v}") } else { v }
            };
            vec![
                d.key.to_string(),
                d.unit.to_string(),
                at_least(cut > 0, s.mean),
                format!(
                    "[{}, {}]",
                    fmt_metric(*m, s.ci95_lo),
                    fmt_metric(*m, s.ci95_hi)
                ),
                fmt_metric(*m, s.std),
                at_least(cut > 0 && cut == s.n, s.min),
                at_least(cut > 0, s.max),
            ]
        })
        .collect();
    out.push_str(&table(
        &["metric", "unit", "mean", "95% CI", "std", "min", "max"],
        &rows,
    ));
    if Metric::ALL.iter().any(|m| batch.censored(*m) > 0) {
        out.push_str(
            "≥: an incident was still open at the horizon, so the value is a lower bound\n",
        );
    }
    out
}

/// The `compare` summary: each design's key metrics, then the differences against
/// the first design with verdicts.
pub fn compare_text(study: &Study) -> String {
    let mut out = header_lines(study);
    out.push_str("\nEach design: mean [95% CI]\n\n");
    let (header, rows) = design_rows(study, key_metrics(study));
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
    let (rows, verdicts) = difference_rows(study, key_metrics(study));
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

/// A heading row (each parameter, then each key metric's heading) and one row per
/// sweep point of its parameter values and `mean [95% CI]` of each key metric.
pub fn sweep_rows(sw: &Sweep) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = sw.params.clone();
    header.extend(KEY_METRICS.iter().map(|m| METRICS[*m as usize].heading()));
    let rows = sw
        .points
        .iter()
        .map(|(values, batch)| {
            let mut row = values.clone();
            let s = point_summaries(batch);
            row.extend(KEY_METRICS.iter().map(|m| summary_ci(*m, &s[*m as usize])));
            row
        })
        .collect();
    (header, rows)
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
    let (header, rows) = sweep_rows(sw);
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&table(&refs, &rows));
    out
}

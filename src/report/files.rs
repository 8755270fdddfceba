//! The report directory (`--out DIR`): report.md, metrics.json, CSVs and plots.
//!
//! Every file is rendered in memory first; only when all of them exist are they written,
//! each under a temporary name and then renamed into place. So a failed run, or a
//! failure while rendering, leaves no partial report behind.

use std::path::{Path, PathBuf};

use super::plot::{self, Bar, BarChart, LineChart, Series};
use super::{
    KEY_METRICS, VERSION, compare_json, csv_field, csv_num, design_rows, difference_rows, fmt_num,
    run_json, sweep_csv, sweep_json,
};
use crate::engine::US_PER_S;
use crate::experiment::Batch;
use crate::experiment::{Study, StudyKind, Sweep, point_summaries};
use crate::metrics::{METRICS, Metric, SeriesPoint};

/// A problem with the report directory.
#[derive(Debug)]
pub struct ReportError(pub String);

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportError {}

/// Makes sure `dir` is (or can become) a writable directory, before any simulation.
pub fn prepare_dir(dir: &str) -> Result<(), ReportError> {
    let path = Path::new(dir);
    if path.exists() && !path.is_dir() {
        return Err(ReportError(format!(
            "--out {dir}: exists and is not a directory; give a directory path"
        )));
    }
    std::fs::create_dir_all(path)
        .map_err(|e| ReportError(format!("--out {dir}: cannot create the directory: {e}")))?;
    let probe = path.join(format!(".bigvsim-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| ReportError(format!("--out {dir}: cannot write there: {e}")))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes rendered files into `dir` atomically: temp name, then rename.
fn commit(dir: &str, files: Vec<(String, Vec<u8>)>) -> Result<(), ReportError> {
    prepare_dir(dir)?;
    let dir = PathBuf::from(dir);
    let mut temps = Vec::with_capacity(files.len());
    for (name, bytes) in &files {
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        if let Err(e) = std::fs::write(&tmp, bytes) {
            for t in &temps {
                let _ = std::fs::remove_file(t);
            }
            let _ = std::fs::remove_file(&tmp);
            return Err(ReportError(format!(
                "cannot write {}: {e}",
                dir.join(name).display()
            )));
        }
        temps.push(tmp);
    }
    for ((name, _), tmp) in files.iter().zip(&temps) {
        std::fs::rename(tmp, dir.join(name)).map_err(|e| {
            ReportError(format!(
                "cannot move {} into place: {e}",
                dir.join(name).display()
            ))
        })?;
    }
    Ok(())
}

fn plot_err(e: plot::PlotError) -> ReportError {
    ReportError(format!("cannot draw a plot: {e}"))
}

/// Renders a line chart as `name.png` and `name.svg`.
fn line_files(
    name: &str,
    chart: &LineChart,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), ReportError> {
    files.push((
        format!("{name}.png"),
        plot::line_chart_png(chart).map_err(plot_err)?,
    ));
    files.push((
        format!("{name}.svg"),
        plot::line_chart_svg(chart).map_err(plot_err)?.into_bytes(),
    ));
    Ok(())
}

fn bar_files(
    name: &str,
    chart: &BarChart,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), ReportError> {
    files.push((
        format!("{name}.png"),
        plot::bar_chart_png(chart).map_err(plot_err)?,
    ));
    files.push((
        format!("{name}.svg"),
        plot::bar_chart_svg(chart).map_err(plot_err)?.into_bytes(),
    ));
    Ok(())
}

/// The value of a decimated step series at `t` (the last point at or before `t`).
fn step_value(points: &[SeriesPoint], t_us: u64, field: impl Fn(&SeriesPoint) -> u32) -> f64 {
    match points.partition_point(|p| p.since_start_us <= t_us) {
        0 => 0.0,
        i => field(&points[i - 1]) as f64,
    }
}

/// Quantile q of sorted values (linear interpolation between order statistics).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (sorted[j] - sorted[i]) * (pos - i as f64)
}

/// Median and 10–90 % band across replications of a per-incident series, on a grid of
/// `n` points from the incident start to the longest incident's end.
fn median_band(
    batch: &Batch,
    label: &str,
    field: impl Fn(&SeriesPoint) -> u32 + Copy,
) -> Option<Series> {
    let series: Vec<&[SeriesPoint]> = batch
        .replications
        .iter()
        .map(|r| r.worst_series.as_slice())
        .filter(|s| !s.is_empty())
        .collect();
    let end_us = series
        .iter()
        .filter_map(|s| s.last())
        .map(|p| p.since_start_us)
        .max()?;
    let n = 240u64;
    let mut points = Vec::with_capacity(n as usize + 1);
    let mut band = Vec::with_capacity(n as usize + 1);
    let mut values = Vec::with_capacity(series.len());
    for i in 0..=n {
        let t = end_us * i / n;
        values.clear();
        values.extend(series.iter().map(|s| step_value(s, t, field)));
        values.sort_by(f64::total_cmp);
        let x = t as f64 / (60.0 * US_PER_S as f64);
        points.push((x, quantile(&values, 0.5)));
        band.push((x, quantile(&values, 0.1), quantile(&values, 0.9)));
    }
    Some(Series {
        label: label.to_string(),
        points,
        band: Some(band),
    })
}

/// The empirical CDF of VM outage durations (minutes) from a batch's histogram.
fn outage_cdf(batch: &Batch, label: &str) -> Series {
    let h = &batch.outage_histogram;
    let total = h.count().max(1) as f64;
    let mut acc = 0u64;
    let points = h
        .iter_nonempty()
        .map(|(_, upper, count)| {
            acc += count;
            let upper = upper.min(h.max_us()).max(1);
            (upper as f64 / (60.0 * US_PER_S as f64), acc as f64 / total)
        })
        .collect();
    Series {
        label: label.to_string(),
        points,
        band: None,
    }
}

fn metric_bars(study: &Study, m: Metric) -> BarChart {
    let d = &METRICS[m as usize];
    BarChart {
        title: format!("{} per design, mean with 95 % CI", d.key),
        y_label: format!("{} ({})", d.key, d.unit),
        bars: study
            .designs
            .iter()
            .map(|(info, b)| {
                let s = b.summary(m);
                Bar {
                    label: info.name.clone(),
                    value: s.mean,
                    ci95: (s.ci95_lo, s.ci95_hi),
                }
            })
            .collect(),
    }
}

fn md_table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|", header.join(" | "));
    for (i, _) in header.iter().enumerate() {
        out.push_str(if i == 0 { "---|" } else { "---:|" });
    }
    out.push('\n');
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out
}

fn replications_csv(study: &Study) -> String {
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

fn outages_csv(study: &Study) -> String {
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

/// Writes the report of a `run` or `compare` (or their merge) into `dir`.
pub fn write_study_report(dir: &str, study: &Study, command: &str) -> Result<(), ReportError> {
    let single = study.kind == StudyKind::Run;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();

    // Plots, from the recorded results only.
    let recovery = LineChart {
        title: "Recovery: VMs down from the start of the worst incident (median, 10–90 % band)"
            .into(),
        x_label: "time since the incident started (min)".into(),
        y_label: "VMs down".into(),
        series: study
            .designs
            .iter()
            .filter_map(|(info, b)| median_band(b, &info.name, |p| p.vms_down))
            .collect(),
        y_from_zero: true,
        x_log: false,
    };
    line_files("recovery", &recovery, &mut files)?;
    let cdf = LineChart {
        title: "VM outage durations: cumulative distribution over all replications".into(),
        x_label: "outage duration (min, log scale)".into(),
        y_label: "fraction of VM outages ≤ duration".into(),
        series: study
            .designs
            .iter()
            .filter(|(_, b)| b.outage_histogram.count() > 0)
            .map(|(info, b)| outage_cdf(b, &info.name))
            .collect(),
        y_from_zero: true,
        x_log: true,
    };
    line_files("outage_cdf", &cdf, &mut files)?;
    bar_files(
        "availability",
        &metric_bars(study, Metric::VmAvailability),
        &mut files,
    )?;
    bar_files(
        "downtime",
        &metric_bars(study, Metric::DowntimeMinPerVmYear),
        &mut files,
    )?;
    if let Some((info, b)) = study.designs.first() {
        let queue = LineChart {
            title: format!(
                "Reboot queue during the worst incident ({}, median, 10–90 % band)",
                info.name
            ),
            x_label: "time since the incident started (min)".into(),
            y_label: "VMs".into(),
            series: [
                median_band(b, "waiting in the reboot queue", |p| p.queued),
                median_band(b, "boots in flight", |p| p.booting),
            ]
            .into_iter()
            .flatten()
            .collect(),
            y_from_zero: true,
            x_log: false,
        };
        line_files("reboot_queue", &queue, &mut files)?;
    }

    // Data files.
    let doc = if single {
        run_json(study)
    } else {
        compare_json(study)
    };
    files.push((
        "metrics.json".into(),
        (serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n").into_bytes(),
    ));
    files.push((
        "replications.csv".into(),
        replications_csv(study).into_bytes(),
    ));
    files.push(("outages.csv".into(), outages_csv(study).into_bytes()));

    // report.md last: it describes the files above.
    let mut md = format!(
        "# bigvsim {}: {}\n\n",
        if single { "run" } else { "design comparison" },
        study
            .designs
            .iter()
            .map(|(i, _)| i.name.as_str())
            .collect::<Vec<_>>()
            .join(" vs ")
    );
    md.push_str("| | |\n|---|---|\n");
    for (info, _) in &study.designs {
        md.push_str(&format!(
            "| model | `{}` (`{}`, FNV-1a {}) |\n",
            info.name, info.path, info.hash
        ));
    }
    md.push_str(&format!(
        "| seed | {} |\n| replications | {} |\n| random numbers | {} |\n| bigvsim | {} |\n| overrides | {} |\n| command | `{}` |\n\n",
        study.seed,
        study.replications,
        if study.independent_seeds {
            "independent seeds per design"
        } else {
            "common: replication i of every design uses the same seed"
        },
        VERSION,
        if study.overrides.is_empty() { "none".to_string() } else { format!("`{}`", study.overrides.join(" ")) },
        command,
    ));
    md.push_str("## Summary (mean [95 % CI] over replications)\n\n");
    let (h, rows) = design_rows(study, KEY_METRICS);
    md.push_str(&md_table(&h, &rows));
    if !single {
        let base = &study.designs[0].0.name;
        md.push_str(&format!(
            "\n## Difference against {base} (design − baseline, {})\n\n",
            if study.independent_seeds {
                "unpaired, Welch"
            } else {
                "paired over replications"
            }
        ));
        let (rows, verdicts) = difference_rows(study, KEY_METRICS);
        md.push_str(&md_table(&h, &rows));
        md.push_str("\nWhere the 95 % CI excludes zero:\n\n");
        if verdicts.is_empty() {
            md.push_str("- none\n");
        }
        for v in verdicts {
            md.push_str(&format!("- {v}\n"));
        }
    }
    md.push_str("\n## Plots\n\n");
    md.push_str("Recovery curve: VMs down over time from the start of each replication's worst incident.\n\n![recovery](recovery.png)\n\n");
    md.push_str("Reboot queue: VMs waiting and boots in flight during the worst incident.\n\n![reboot queue](reboot_queue.png)\n\n");
    md.push_str("VM outage durations over all replications (designs with identical outages draw over each other; the last listed is on top).\n\n![outage CDF](outage_cdf.png)\n\n");
    md.push_str("Availability and downtime per design, with 95 % confidence intervals.\n\n![availability](availability.png)\n\n![downtime](downtime.png)\n\n");
    md.push_str("## Files\n\n- `metrics.json`: the `--format json` document\n- `replications.csv`: every metric of every replication\n- `outages.csv`: every VM outage of replication 0 (end_s empty: still down at the horizon)\n- each plot as PNG and SVG\n\n## All metrics\n\n");
    let (h, rows) = design_rows(study, Metric::ALL);
    md.push_str(&md_table(&h, &rows));
    md.push_str("\nUnits: ");
    md.push_str(
        &METRICS
            .iter()
            .map(|d| format!("`{}` {} ({})", d.key, d.unit, d.description))
            .collect::<Vec<_>>()
            .join("; "),
    );
    md.push('\n');
    if study.designs.iter().any(|(_, b)| b.first_outages_truncated) {
        md.push_str("\nNote: outages.csv holds only the first outages of replication 0 (the log is bounded).\n");
    }
    files.push(("report.md".into(), md.into_bytes()));
    commit(dir, files)
}

/// Writes the report of a sweep into `dir`.
pub fn write_sweep_report(dir: &str, sw: &Sweep, command: &str) -> Result<(), ReportError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let numeric: Vec<Option<f64>> = sw
        .points
        .iter()
        .map(|(v, _)| v.first().and_then(|x| x.parse::<f64>().ok()))
        .collect();
    let x_name = sw.params.first().cloned().unwrap_or_default();
    let mut plotted = Vec::new();
    if numeric.iter().all(Option::is_some) {
        for m in [
            Metric::FullRecoveryS,
            Metric::DowntimeMinPerVmYear,
            Metric::VmAvailability,
            Metric::VmOutageP99S,
        ] {
            let d = &METRICS[m as usize];
            // One line per combination of the other parameters.
            let mut series: Vec<Series> = Vec::new();
            for ((values, batch), x) in sw.points.iter().zip(&numeric) {
                let label = if values.len() > 1 {
                    sw.params[1..]
                        .iter()
                        .zip(&values[1..])
                        .map(|(p, v)| format!("{p}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                } else {
                    d.key.to_string()
                };
                let s = point_summaries(batch)[m as usize];
                let x = x.unwrap_or(f64::NAN);
                let idx = match series.iter().position(|s| s.label == label) {
                    Some(i) => i,
                    None => {
                        series.push(Series {
                            label: label.clone(),
                            points: Vec::new(),
                            band: Some(Vec::new()),
                        });
                        series.len() - 1
                    }
                };
                series[idx].points.push((x, s.mean));
                if let Some(b) = &mut series[idx].band {
                    b.push((x, s.ci95_lo, s.ci95_hi));
                }
            }
            let chart = LineChart {
                title: format!("{} vs {x_name} (mean, 95 % CI band)", d.key),
                x_label: x_name.clone(),
                y_label: format!("{} ({})", d.key, d.unit),
                series,
                y_from_zero: m != Metric::VmAvailability,
                x_log: false,
            };
            let name = format!("sweep_{}", d.key);
            line_files(&name, &chart, &mut files)?;
            plotted.push(name);
        }
    }
    files.push((
        "metrics.json".into(),
        (serde_json::to_string_pretty(&sweep_json(sw)).unwrap_or_default() + "\n").into_bytes(),
    ));
    files.push(("sweep.csv".into(), sweep_csv(sw).into_bytes()));
    let mut md = format!(
        "# bigvsim sweep: {} over {}\n\n| | |\n|---|---|\n| model | `{}` (`{}`, FNV-1a {}) |\n| seed | {} (the same seeds at every point) |\n| replications per point | {} |\n| bigvsim | {} |\n| overrides | {} |\n| command | `{}` |\n\n## Summary (mean [95 % CI])\n\n",
        sw.design.name,
        sw.params.join(", "),
        sw.design.name,
        sw.design.path,
        sw.design.hash,
        sw.seed,
        sw.replications,
        VERSION,
        if sw.overrides.is_empty() {
            "none".to_string()
        } else {
            format!("`{}`", sw.overrides.join(" "))
        },
        command
    );
    let mut header = sw.params.clone();
    header.extend(KEY_METRICS.iter().map(|m| {
        let d = &METRICS[*m as usize];
        d.heading()
    }));
    let rows: Vec<Vec<String>> = sw
        .points
        .iter()
        .map(|(values, batch)| {
            let s = point_summaries(batch);
            let mut row = values.clone();
            row.extend(KEY_METRICS.iter().map(|m| {
                let x = &s[*m as usize];
                format!(
                    "{} [{}, {}]",
                    fmt_num(x.mean),
                    fmt_num(x.ci95_lo),
                    fmt_num(x.ci95_hi)
                )
            }));
            row
        })
        .collect();
    md.push_str(&md_table(&header, &rows));
    if plotted.is_empty() {
        md.push_str("\nNo plots: the first swept parameter is not numeric.\n");
    } else {
        md.push_str("\n## Plots\n\n");
        for name in &plotted {
            md.push_str(&format!("![{name}]({name}.png)\n\n"));
        }
    }
    md.push_str("## Files\n\n- `metrics.json`: the `sweep --format json` document\n- `sweep.csv`: one row per point; mean, CI and std of every metric\n");
    files.push(("report.md".into(), md.into_bytes()));
    commit(dir, files)
}

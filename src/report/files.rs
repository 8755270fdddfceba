//! The report directory (`--out DIR`): report.md, metrics.json, CSVs and plots.
//!
//! Every file is rendered in memory first; only when all of them exist are they written,
//! each under a temporary name and then renamed into place. So a failed run, or a
//! failure while rendering, leaves no partial report behind.

use std::path::{Path, PathBuf};

use super::charts::{Chart, ChartSpec, ReportKind, charts_for};
use super::csv::{self, sweep_csv};
use super::plot::PlotError;
use super::text::sweep_rows;
use super::text::{KEY_METRICS, design_rows, difference_rows};
use super::{compare_json, run_json, sweep_json};
use crate::VERSION;
use crate::experiment::{Study, StudyKind, Sweep};
use crate::metrics::{METRICS, Metric};

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

/// Renders every chart of `kind` that has something to draw as `{key}.png` and
/// `{key}.svg`, and returns the report.md "Plots" text that shows them (empty when
/// no chart was drawn).
fn chart_files(
    kind: ReportKind,
    draw: impl Fn(&ChartSpec) -> Option<Chart>,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<String, ReportError> {
    let plot_err = |e: PlotError| ReportError(format!("cannot draw a plot: {e}"));
    let mut md = String::new();
    for spec in charts_for(kind) {
        let Some(chart) = draw(spec) else {
            continue;
        };
        files.push((format!("{}.png", spec.key), chart.png().map_err(plot_err)?));
        files.push((
            format!("{}.svg", spec.key),
            chart.svg().map_err(plot_err)?.into_bytes(),
        ));
        if let Some(caption) = spec.caption {
            md.push_str(caption);
            md.push_str("\n\n");
        }
        md.push_str(&format!("![{}]({}.png)\n\n", spec.alt, spec.key));
    }
    Ok(md)
}

/// A JSON document as the text of a file. Serialising a `Value` cannot fail today,
/// but should it ever, the report fails rather than holding an empty file.
fn json_file(doc: &serde_json::Value) -> Result<Vec<u8>, ReportError> {
    let text = serde_json::to_string_pretty(doc)
        .map_err(|e| ReportError(format!("cannot serialise metrics.json: {e}")))?;
    Ok((text + "\n").into_bytes())
}

/// A markdown table (first column left, others right).
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

/// Writes the report of a `run` or `compare` (or their merge) into `dir`.
pub fn write_study_report(dir: &str, study: &Study, command: &str) -> Result<(), ReportError> {
    let single = study.kind == StudyKind::Run;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();

    // Plots, from the recorded results only.
    let kind = if single {
        ReportKind::Run
    } else {
        ReportKind::Compare
    };
    let plots = chart_files(kind, |spec| spec.draw_study(study), &mut files)?;

    // Data files.
    let doc = if single {
        run_json(study)
    } else {
        compare_json(study)
    };
    files.push(("metrics.json".into(), json_file(&doc)?));
    files.push((
        "replications.csv".into(),
        csv::replications_csv(study).into_bytes(),
    ));
    files.push(("outages.csv".into(), csv::outages_csv(study).into_bytes()));

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
    md.push_str(&plots);
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
    let plots = chart_files(ReportKind::Sweep, |spec| spec.draw_sweep(sw), &mut files)?;
    files.push(("metrics.json".into(), json_file(&sweep_json(sw))?));
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
    let (header, rows) = sweep_rows(sw);
    md.push_str(&md_table(&header, &rows));
    if plots.is_empty() {
        md.push_str("\nNo plots: the first swept parameter is not numeric.\n");
    } else {
        md.push_str("\n## Plots\n\n");
        md.push_str(&plots);
    }
    md.push_str("## Files\n\n- `metrics.json`: the `sweep --format json` document\n- `sweep.csv`: one row per point; mean, CI and std of every metric\n");
    files.push(("report.md".into(), md.into_bytes()));
    commit(dir, files)
}

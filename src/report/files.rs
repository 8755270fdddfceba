//! The report directory (`--out DIR`): report.md, metrics.json, CSVs and plots.
//!
//! Outputs are all or nothing. Every file is rendered in memory first; then the whole
//! report is written into a temporary directory beside the target (same parent, so the
//! final rename stays on one file system) and renamed into place. Any failure removes
//! the temporary directory and every parent directory this run created, so nothing new
//! remains. An existing non-empty target is refused unless `--force`, which replaces it
//! as a whole: the old directory is moved aside, the new one renamed in, the old one
//! deleted.

use std::path::{Path, PathBuf};

use super::charts::{ChartSpec, Drawn, ReportKind, charts_for};
use super::csv::{self, sweep_csv};
use super::headline;
use super::omit::PlotsText;
use super::plot::PlotError;
use super::target_charts::{study_target_charts, sweep_target_charts};
use super::targets::targets_markdown;
use super::text::sweep_rows;
use super::text::{design_rows, difference_rows};
use super::{compare_json, run_json, sweep_json};
use crate::VERSION;
use crate::experiment::{Study, StudyKind, Sweep};
use crate::metrics::{CUT_METRICS, METRICS, Metric};

/// A problem with the report directory.
#[derive(Debug)]
pub struct ReportError(pub String);

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportError {}

/// Where a report goes: the target, its parent, and the names used beside it.
struct Target {
    path: PathBuf,
    parent: PathBuf,
    /// The directory the report is built in before it is renamed to `path`.
    tmp: PathBuf,
    /// Where an existing target is moved while the new one is renamed in.
    old: PathBuf,
}

impl Target {
    fn of(dir: &str) -> Result<Target, ReportError> {
        if dir.is_empty() {
            return Err(ReportError(
                "--out: the directory path is empty; give a directory path".into(),
            ));
        }
        let path = PathBuf::from(dir);
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Err(ReportError(format!(
                "--out {dir}: give a directory by name (the report is built beside it and renamed into place)"
            )));
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let pid = std::process::id();
        Ok(Target {
            tmp: parent.join(format!(".{name}.tmp-{pid}")),
            old: parent.join(format!(".{name}.old-{pid}")),
            path,
            parent,
        })
    }

    /// The parent directories that do not exist yet, deepest first.
    fn missing_parents(&self) -> Vec<PathBuf> {
        self.parent
            .ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .take_while(|a| std::fs::symlink_metadata(a).is_err())
            .map(Path::to_path_buf)
            .collect()
    }
}

/// Checks, before any simulation, that a report can be written to `dir`: it is absent
/// or an empty directory (or `force` allows replacing a non-empty one), and a
/// directory can be created beside it. Creates nothing that remains.
pub fn prepare_dir(dir: &str, force: bool) -> Result<(), ReportError> {
    let t = Target::of(dir)?;
    if let Ok(meta) = std::fs::metadata(&t.path) {
        if !meta.is_dir() {
            return Err(ReportError(format!(
                "--out {dir}: exists and is not a directory; give a directory path"
            )));
        }
        let empty = std::fs::read_dir(&t.path)
            .map_err(|e| ReportError(format!("--out {dir}: cannot read the directory: {e}")))?
            .next()
            .is_none();
        if !empty && !force {
            return Err(ReportError(format!(
                "--out {dir}: the directory is not empty; give a new or empty directory, or add --force to replace it as a whole"
            )));
        }
    }
    // The nearest existing ancestor must be a directory this process can create the
    // temporary report directory in.
    let missing = t.missing_parents();
    let base = missing
        .last()
        .and_then(|m| m.parent())
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(&t.parent);
    let probe = base.join(format!(".bigvsim-write-test-{}", std::process::id()));
    std::fs::create_dir(&probe).map_err(|e| {
        // Under a path that is not a directory (or does not exist yet) the directory
        // itself cannot be made; otherwise its parent refuses new entries.
        if missing.is_empty() && base.is_dir() {
            ReportError(format!("--out {dir}: cannot write there: {e}"))
        } else {
            ReportError(format!("--out {dir}: cannot create the directory: {e}"))
        }
    })?;
    let _ = std::fs::remove_dir(&probe);
    Ok(())
}

/// Refuses a `--force` that would delete the command's own inputs (a model file, the
/// parts being merged): one inside the directory `dir`, which `--force` replaces as a
/// whole. Paths are compared as the file system resolves them (links followed), both
/// for the input itself and for the entry naming it.
pub fn refuse_inputs_inside(dir: &str, inputs: &[String]) -> Result<(), ReportError> {
    let Ok(root) = std::fs::canonicalize(dir) else {
        // An absent directory holds nothing to delete.
        return Ok(());
    };
    for input in inputs {
        let path = Path::new(input);
        let entry = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .and_then(|p| std::fs::canonicalize(p).ok())
            .zip(path.file_name())
            .map(|(parent, name)| parent.join(name));
        let inside = [std::fs::canonicalize(path).ok(), entry]
            .into_iter()
            .flatten()
            .any(|p| p.starts_with(&root));
        if inside {
            return Err(ReportError(format!(
                "--out {dir} --force would delete {input}, an input of this command inside it: write the report to another directory, or move the input out first"
            )));
        }
    }
    Ok(())
}

/// A plot that could not be drawn, as a report error.
fn plot_error(e: PlotError) -> ReportError {
    ReportError(format!("cannot draw a plot: {e}"))
}

/// Writes rendered files as the report directory `dir`, all or nothing.
pub(crate) fn commit(
    dir: &str,
    force: bool,
    files: Vec<(String, Vec<u8>)>,
) -> Result<(), ReportError> {
    // report.html is converted from report.md here, so every report has one.
    let files = super::html::with_html(files).map_err(ReportError)?;
    // Checked again: the directory may have changed during the simulation.
    prepare_dir(dir, force)?;
    let t = Target::of(dir)?;
    let created = t.missing_parents();
    let undo = |t: &Target| {
        let _ = std::fs::remove_dir_all(&t.tmp);
        for p in &created {
            let _ = std::fs::remove_dir(p);
        }
    };
    let fail = |t: &Target, msg: String| {
        undo(t);
        Err(ReportError(msg))
    };
    if let Err(e) = std::fs::create_dir_all(&t.parent) {
        return fail(&t, format!("--out {dir}: cannot create the directory: {e}"));
    }
    let _ = std::fs::remove_dir_all(&t.tmp);
    if let Err(e) = std::fs::create_dir(&t.tmp) {
        return fail(&t, format!("--out {dir}: cannot write there: {e}"));
    }
    for (name, bytes) in &files {
        if let Err(e) = std::fs::write(t.tmp.join(name), bytes) {
            return fail(
                &t,
                format!("cannot write {}: {e}", t.path.join(name).display()),
            );
        }
    }
    if std::fs::symlink_metadata(&t.path).is_err() {
        if let Err(e) = std::fs::rename(&t.tmp, &t.path) {
            return fail(
                &t,
                format!("--out {dir}: cannot move the report into place: {e}"),
            );
        }
        return Ok(());
    }
    // An existing (empty, or with --force non-empty) directory is replaced as a whole.
    if let Err(e) = std::fs::rename(&t.path, &t.old) {
        return fail(
            &t,
            format!("--out {dir}: cannot move the old directory aside: {e}"),
        );
    }
    if let Err(e) = std::fs::rename(&t.tmp, &t.path) {
        let _ = std::fs::rename(&t.old, &t.path);
        return fail(
            &t,
            format!("--out {dir}: cannot move the report into place: {e}"),
        );
    }
    std::fs::remove_dir_all(&t.old).map_err(|e| {
        ReportError(format!(
            "--out {dir}: the report is written, but the old directory, moved to {}, cannot be removed: {e}",
            t.old.display()
        ))
    })
}

/// Renders every chart of `kind` worth drawing as `{key}.png` and `{key}.svg`, and
/// returns the report.md text that shows them, the first (the key plot) apart, and
/// one line for each chart left out (see [`super::omit`]).
fn chart_files(
    kind: ReportKind,
    draw: impl Fn(&ChartSpec) -> Drawn,
    note: impl Fn(&ChartSpec) -> String,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<PlotsText, ReportError> {
    let plot_err = |e: PlotError| ReportError(format!("cannot draw a plot: {e}"));
    let mut text = PlotsText::default();
    for spec in charts_for(kind) {
        let chart = match draw(spec) {
            Ok(chart) => chart,
            Err(why) => {
                text.omit(spec.key, spec.alt, &why);
                continue;
            }
        };
        files.push((format!("{}.png", spec.key), chart.png().map_err(plot_err)?));
        files.push((
            format!("{}.svg", spec.key),
            chart.svg().map_err(plot_err)?.into_bytes(),
        ));
        let mut md = String::new();
        if let Some(caption) = spec.caption {
            md.push_str(caption);
            md.push_str(&note(spec));
            md.push_str("\n\n");
        }
        md.push_str(&format!("![{}]({}.png)\n\n", spec.alt, spec.key));
        text.add(md);
    }
    Ok(text)
}

/// A JSON document as the text of a file. Serialising a `Value` cannot fail today,
/// but should it ever, the report fails rather than holding an empty file.
pub(super) fn json_file(doc: &serde_json::Value) -> Result<Vec<u8>, ReportError> {
    let text = serde_json::to_string_pretty(doc)
        .map_err(|e| ReportError(format!("cannot serialise metrics.json: {e}")))?;
    Ok((text + "\n").into_bytes())
}

/// The worst incident of replication 0 of each design, as `bigvsim explain` prints it.
fn explain_section(explain: &[(String, Vec<String>)]) -> String {
    let mut md = String::new();
    for (design, lines) in explain {
        md.push_str(&format!(
            "\n## Worst incident of replication 0: {design}\n\nAs `bigvsim explain` prints it; times in seconds from the incident's first VM death.\n\n```text\n{}\n```\n",
            lines.join("\n")
        ));
    }
    md
}

/// Writes the report of a `run` or `compare` (or their merge) into `dir`.
/// One sentence per design and recovery metric the horizon cut in some replication:
/// an incident was still open at the end, so the value recorded is a lower bound.
/// Printed on stderr by `run` and `compare`, and written in report.md.
pub fn censoring_notes(study: &Study) -> Vec<String> {
    let mut notes = Vec::new();
    for (info, batch) in &study.designs {
        for m in CUT_METRICS {
            let k = batch.censored(*m);
            if k > 0 {
                notes.push(format!(
                    "{}: `{}` was cut by the horizon in {k} of {} replications (an incident was still open at the end); the true value is at least the one shown, so lengthen the horizon to measure it",
                    info.name,
                    METRICS[*m as usize].key,
                    batch.replications.len()
                ));
            }
        }
    }
    notes
}

/// What the incident charts' captions must add: the replications that had no
/// site-wide incident, which the charts show through their worst incident instead.
fn site_fallback_note(study: &Study, spec: &ChartSpec) -> String {
    if !matches!(spec.key, "recovery" | "reboot_queue") {
        return String::new();
    }
    let mut note = String::new();
    for (info, b) in &study.designs {
        let none = b
            .values(Metric::SiteIncidents)
            .iter()
            .filter(|v| **v == 0.0)
            .count();
        if none > 0 {
            note.push_str(&format!(
                " {none} of {} replications of {} had no site-wide incident: their worst incident is drawn instead.",
                b.replications.len(),
                info.name
            ));
        }
    }
    note
}

/// Writes the report of a study with each design's worst incident of replication 0
/// explained (`explain`: design name and its timeline lines).
pub fn write_study_report_explained(
    dir: &str,
    force: bool,
    study: &Study,
    command: &str,
    explain: &[(String, Vec<String>)],
) -> Result<(), ReportError> {
    let single = study.kind == StudyKind::Run;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();

    // Plots, from the recorded results only.
    let kind = if single {
        ReportKind::Run
    } else {
        ReportKind::Compare
    };
    let mut plots = chart_files(
        kind,
        |spec| spec.draw_study(study),
        |spec| site_fallback_note(study, spec),
        &mut files,
    )?;

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
    md.push_str(&summary_section(study));
    md.push_str("## Key metrics (mean [95 % CI] over replications)\n\n");
    let shown = headline::shown_metrics(
        headline::kind_of(study),
        study.designs.iter().map(|(_, b)| b),
        false,
    );
    let (h, rows) = design_rows(study, &shown);
    md.push_str(&headline::md_fitted(1, &h, &rows, headline::TEXT_COLUMNS));
    let cut = censoring_notes(study);
    if !cut.is_empty() {
        md.push_str("\nCut by the horizon (values marked ≥ are lower bounds, not results):\n\n");
        for note in cut {
            md.push_str(&format!("- {note}\n"));
        }
    }
    md.push_str(&plots.key_md());
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
        let (rows, verdicts) = difference_rows(study, &shown);
        md.push_str(&headline::md_fitted(1, &h, &rows, headline::TEXT_COLUMNS));
        md.push_str("\nWhere the 95 % CI excludes zero:\n\n");
        if verdicts.is_empty() {
            md.push_str("- none\n");
        }
        for v in verdicts {
            md.push_str(&format!("- {v}\n"));
        }
    }
    md.push_str(&explain_section(explain));
    let target_plots = super::target_charts::target_chart_files(
        &study_target_charts(study),
        &mut files,
        &mut plots,
    )
    .map_err(plot_error)?;
    if !study.targets.is_empty() {
        let names: Vec<String> = study.designs.iter().map(|(i, _)| i.name.clone()).collect();
        md.push('\n');
        md.push_str(&targets_markdown(
            "design",
            &names
                .into_iter()
                .zip(study.target_results())
                .collect::<Vec<_>>(),
        ));
        md.push_str("Each design's values over replications, sorted, with the target as a dashed line: a `pNN <=` target is met where the curve at NN % lies under the line.\n\n");
        md.push_str(&target_plots);
    }
    md.push_str(&plots.rest_md());
    md.push_str("## Files\n\n- `report.html`: this report as one self-contained page\n- `metrics.json`: the `--format json` document\n- `replications.csv`: every metric of every replication\n- `outages.csv`: every VM outage of replication 0 (end_s empty: still down at the horizon)\n- each plot as PNG and SVG\n\n## All metrics\n\n");
    let (h, rows) = design_rows(study, Metric::ALL);
    md.push_str(&headline::md_fitted(1, &h, &rows, headline::TEXT_COLUMNS));
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
    commit(dir, force, files)
}

/// report.md's opening section: the answer in words, as the text output opens, and
/// the verdicts on the primary metric.
fn summary_section(study: &Study) -> String {
    let lines = match (study.kind, study.designs.first()) {
        (StudyKind::Run, Some((info, b))) => headline::run_headline(&info.name, b),
        _ => headline::compare_headline(study),
    };
    let mut md = String::from("## Summary\n\n");
    for l in lines {
        md.push_str(&format!("- {l}\n"));
    }
    if study.designs.iter().any(|(_, b)| {
        crate::metrics::Metric::ALL
            .iter()
            .any(|m| b.censored(*m) > 0)
    }) {
        md.push_str(
            "- Some values were cut by the horizon: they are marked ≥ and are lower bounds.\n",
        );
    }
    md.push('\n');
    md
}

/// Writes the report of a sweep into `dir`.
pub fn write_sweep_report(
    dir: &str,
    force: bool,
    sw: &Sweep,
    study: &Study,
    command: &str,
) -> Result<(), ReportError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut plots = chart_files(
        ReportKind::Sweep,
        |spec| spec.draw_sweep(sw),
        |_| String::new(),
        &mut files,
    )?;
    files.push(("metrics.json".into(), json_file(&sweep_json(sw, study))?));
    files.push(("sweep.csv".into(), sweep_csv(sw).into_bytes()));
    let mut md = format!(
        "# bigvsim sweep: {} over {}\n\n| | |\n|---|---|\n| model | `{}` (`{}`, FNV-1a {}) |\n| seed | {} (the same seeds at every point) |\n| replications per point | {} |\n| bigvsim | {} |\n| overrides | {} |\n| command | `{}` |\n\n## Summary\n\n{}\n## Key metrics (mean [95 % CI])\n\n",
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
        command,
        headline::sweep_headline(sw)
            .iter()
            .map(|l| format!("- {l}\n"))
            .collect::<String>()
    );
    let (header, rows) = sweep_rows(sw);
    md.push_str(&headline::md_fitted(
        sw.params.len(),
        &header,
        &rows,
        headline::TEXT_COLUMNS,
    ));
    md.push_str(&plots.key_md());
    md.push('\n');
    md.push_str(&super::sweep::sweep_differences_markdown(study));
    let target_plots = super::target_charts::target_chart_files(
        &sweep_target_charts(sw, &study.target_results()),
        &mut files,
        &mut plots,
    )
    .map_err(plot_error)?;
    plots.prepend(target_plots);
    md.push_str(&plots.rest_md());
    md.push_str("## Files\n\n- `report.html`: this report as one self-contained page\n- `metrics.json`: the `sweep --format json` document\n- `sweep.csv`: one row per point; mean, CI and std of every metric\n");
    files.push(("report.md".into(), md.into_bytes()));
    commit(dir, force, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bigvsim-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_write_error_leaves_nothing_new() {
        // The second file cannot be written (its folder does not exist): neither the
        // report, nor its temporary directory, nor the parents this run made remain.
        let root = scratch("write-error");
        let target = root.join("new/parents/report");
        let files = vec![
            ("report.md".to_string(), b"# r\n".to_vec()),
            ("missing/metrics.json".to_string(), b"{}".to_vec()),
        ];
        let err = commit(target.to_str().unwrap(), false, files).unwrap_err();
        assert!(err.0.contains("metrics.json"), "{err}");
        assert!(names(&root).is_empty(), "{:?}", names(&root));
    }

    #[test]
    fn force_replaces_a_directory_as_a_whole() {
        // An old file not in the new report does not survive; nothing is left beside.
        let root = scratch("force");
        let target = root.join("report");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("stale.png"), b"old").unwrap();
        let files = || vec![("report.md".to_string(), b"# new\n".to_vec())];
        let dir = target.to_str().unwrap();
        assert!(
            commit(dir, false, files())
                .unwrap_err()
                .0
                .contains("--force")
        );
        assert_eq!(names(&target), ["stale.png"]);
        commit(dir, true, files()).unwrap();
        assert_eq!(names(&target), ["report.html", "report.md"]);
        assert_eq!(names(&root), ["report"]);
    }

    #[test]
    fn an_empty_directory_is_filled() {
        let root = scratch("empty");
        let target = root.join("report");
        std::fs::create_dir_all(&target).unwrap();
        let files = vec![("report.md".to_string(), b"# r\n".to_vec())];
        commit(target.to_str().unwrap(), false, files).unwrap();
        assert_eq!(names(&target), ["report.html", "report.md"]);
        assert_eq!(names(&root), ["report"]);
    }
}

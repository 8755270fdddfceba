//! What a sweep adds to its table: every point against the first (paired, on the
//! same seeds) with verdicts, and the targets judged at every point. A sweep is a
//! study of its points here ([`crate::experiment::Sweep::to_study`]), so these are
//! the same figures `compare` gives.

use serde_json::Value;

use super::json::paired_json;
use super::targets::{targets_json, targets_markdown, targets_text};
use super::text::{KEY_METRICS, difference_rows, fitted_table};
use crate::experiment::Study;
use crate::experiment::targets::TargetVerdict;
use crate::metrics::METRICS;

/// The paired-difference table against the first point, and the verdict sentences.
fn rows(study: &Study) -> (Vec<String>, Vec<Vec<String>>, Vec<String>) {
    let (rows, verdicts) = difference_rows(study, KEY_METRICS);
    let mut header = vec!["point".to_string()];
    header.extend(KEY_METRICS.iter().map(|m| METRICS[*m as usize].heading()));
    (header, rows, verdicts)
}

/// The name of the first point, the baseline of the differences.
fn baseline(study: &Study) -> String {
    study
        .designs
        .first()
        .map(|(i, _)| i.name.clone())
        .unwrap_or_default()
}

/// Text: each point's change from the first, then the targets.
pub fn sweep_differences_text(study: &Study, width: Option<usize>) -> String {
    let mut out = String::new();
    if study.designs.len() > 1 {
        out.push_str(&format!(
            "\nChange from the first point ({}), paired over the same seeds: change [95% CI]\n\n",
            baseline(study)
        ));
        let (header, rows, verdicts) = rows(study);
        out.push_str(&fitted_table(1, &header, &rows, width));
        if !verdicts.is_empty() {
            out.push('\n');
            for v in verdicts {
                out.push_str(&format!("- {v}\n"));
            }
        }
    }
    let answers = target_answers(study);
    if !answers.is_empty() {
        out.push('\n');
        for a in answers {
            out.push_str(&format!("{}\n", a.replace('`', "")));
        }
    }
    out.push_str(&targets_text("point", &labelled_targets(study), width));
    out
}

/// One sentence per target: the points that meet it, and those that meet it with 95 %
/// confidence.
pub fn target_answers(study: &Study) -> Vec<String> {
    let labelled = labelled_targets(study);
    let n = labelled.len();
    study
        .targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let met: Vec<&str> = labelled
                .iter()
                .filter(|(_, r)| r[k].met)
                .map(|(l, _)| l.as_str())
                .collect();
            let sure: Vec<&str> = labelled
                .iter()
                .filter(|(_, r)| r[k].verdict == TargetVerdict::Met)
                .map(|(l, _)| l.as_str())
                .collect();
            if met.is_empty() {
                format!("`{}` is met at none of the {n} points.", t.text())
            } else {
                format!(
                    "`{}` is met at {} of the {n} points ({}); with 95 % confidence at {}.",
                    t.text(),
                    met.len(),
                    met.join("; "),
                    if sure.is_empty() {
                        "none".to_string()
                    } else {
                        sure.join("; ")
                    }
                )
            }
        })
        .collect()
}

/// Every point's targets, labelled by the point.
fn labelled_targets(study: &Study) -> Vec<(String, Vec<crate::experiment::targets::TargetResult>)> {
    study
        .designs
        .iter()
        .map(|(i, _)| i.name.clone())
        .zip(study.target_results())
        .collect()
}

/// JSON: `paired` (every point after the first against it, as in `compare`) and each
/// point's `targets`.
pub fn sweep_extra_json(study: &Study) -> (Value, Vec<Value>) {
    let targets = study
        .target_results()
        .iter()
        .map(|r| targets_json(r))
        .collect();
    (Value::Array(paired_json(study)), targets)
}

/// Markdown for report.md: the differences table, the verdicts and the targets.
pub fn sweep_differences_markdown(study: &Study) -> String {
    let mut md = String::new();
    if study.designs.len() > 1 {
        md.push_str(&format!(
            "## Change from the first point ({}), paired over the same seeds\n\n",
            baseline(study)
        ));
        let (header, rows, verdicts) = rows(study);
        md.push_str(&super::files::md_table(&header, &rows));
        if !verdicts.is_empty() {
            md.push('\n');
            for v in verdicts {
                md.push_str(&format!("- {v}\n"));
            }
        }
        md.push('\n');
    }
    for a in target_answers(study) {
        md.push_str(&format!("**Answer:** {a}\n\n"));
    }
    md.push_str(&targets_markdown("point", &labelled_targets(study)));
    md
}

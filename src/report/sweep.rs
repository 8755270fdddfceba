//! What a sweep adds to its table: every point against the first (paired, on the
//! same seeds) with verdicts, and the targets judged at every point. A sweep is a
//! study of its points here ([`crate::experiment::Sweep::to_study`]), so these are
//! the same figures `compare` gives.

use serde_json::Value;

use serde_json::json;

use super::cells::{fitted_table, md_table, num};
use super::json::{metrics_json, paired_json, param_value};
use super::targets::{targets_json, targets_markdown, targets_text};
use super::text::{Fixed, KEY_METRICS, difference_rows, half_width, no_ci_note};
use crate::VERSION;
use crate::experiment::targets::TargetVerdict;
use crate::experiment::{Study, Sweep, point_summaries};
use crate::metrics::METRICS;
use crate::metrics::Summary;

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
        md.push_str(&md_table(&header, &rows));
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

/// The sweep as a text table of key metrics: one column per metric, each column in one
/// number format, split to fit in `width` characters (the parameter columns repeated).
pub fn sweep_text(sw: &Sweep, study: &Study, width: Option<usize>) -> String {
    let mut out = format!(
        "model {} ({}, hash {})\nseed {}, {} replications per point (the same seeds at every point), bigvsim {}\n",
        sw.design.name, sw.design.path, sw.design.hash, sw.seed, sw.replications, VERSION
    );
    if !sw.overrides.is_empty() {
        out.push_str(&format!("overrides: {}\n", sw.overrides.join(" ")));
    }
    out.push_str("\nmean ± half-width of the 95% CI at each point\n\n");
    let mut header: Vec<String> = sw.params.clone();
    header.extend(KEY_METRICS.iter().map(|m| METRICS[*m as usize].heading()));
    let sums: Vec<Vec<Summary>> = sw.points.iter().map(|(_, b)| point_summaries(b)).collect();
    let formats: Vec<Fixed> = KEY_METRICS
        .iter()
        .map(|m| {
            Fixed::of(
                *m,
                sums.iter().flat_map(|s| {
                    let s = &s[*m as usize];
                    [s.mean, half_width(s).unwrap_or(0.0)]
                }),
            )
        })
        .collect();
    let rows: Vec<Vec<String>> = sw
        .points
        .iter()
        .zip(&sums)
        .map(|((values, _), s)| {
            let mut row = values.clone();
            row.extend(KEY_METRICS.iter().zip(&formats).map(|(m, f)| {
                let s = &s[*m as usize];
                f.pm(s.mean, half_width(s))
            }));
            row
        })
        .collect();
    out.push_str(&fitted_table(sw.params.len(), &header, &rows, width));
    out.push_str(&no_ci_note([sw.replications as usize]));
    out.push_str(&sweep_differences_text(study, width));
    out
}

/// The `sweep` document: every point's parameter values, metric summaries and targets,
/// and (`paired`) every point after the first against the first, on the same seeds.
pub fn sweep_json(sw: &Sweep, study: &Study) -> Value {
    let (paired, targets) = sweep_extra_json(study);
    let points: Vec<Value> = sw
        .points
        .iter()
        .zip(targets)
        .map(|((values, batch), targets)| {
            // Each value as a number where it is one, its unit and the text as given.
            let (mut v, mut units, mut texts) = Default::default();
            for (p, x) in sw.params.iter().zip(values) {
                let (value, unit) = param_value(p, x);
                insert(&mut v, p, value);
                insert(&mut units, p, json!(unit));
                insert(&mut texts, p, json!(x));
            }
            json!({
                "values": Value::Object(v),
                "units": Value::Object(units),
                "texts": Value::Object(texts),
                "metrics": metrics_json(batch),
                "targets": targets,
            })
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
        "min_effect_pct": num(sw.min_effect.percent),
        "params": sw.params,
        "points": points,
        "paired": paired,
    })
}

/// Adds `key: value` to a JSON object.
fn insert(map: &mut serde_json::Map<String, Value>, key: &str, value: Value) {
    map.insert(key.to_string(), value);
}

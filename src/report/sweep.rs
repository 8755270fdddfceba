//! What a sweep adds to its table: every point against the first (paired, on the
//! same seeds) with verdicts, and the targets judged at every point. A sweep is a
//! study of its points here ([`crate::experiment::Sweep::to_study`]), so these are
//! the same figures `compare` gives.

use serde_json::Value;

use serde_json::json;

use super::cells::{fitted_table, num};
use super::headline;
use super::json::{metrics_json, paired_json, param_value};
use super::targets::{targets_json, targets_markdown, targets_text};
use super::text::{Fixed, KEY_METRICS, difference_rows, half_width, more_hint, no_ci_note};
use crate::VERSION;
use crate::experiment::targets::TargetVerdict;
use crate::experiment::{Study, Sweep, point_summaries};
use crate::metrics::Summary;
use crate::metrics::{METRICS, Metric};

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
        md.push_str(&headline::md_fitted(
            1,
            &header,
            &rows,
            headline::TEXT_COLUMNS,
        ));
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

/// The sweep's text: the answer in words, then one row per point with the metrics
/// that fit the model's kind (at most [`SWEEP_COLUMNS`] of them, the primary first),
/// then the targets. `all`: one column per key metric, each in one number format,
/// split to fit in `width` characters (the parameter columns repeated), and every
/// point's change from the first with its verdicts.
pub fn sweep_text(sw: &Sweep, study: &Study, width: Option<usize>, all: bool) -> String {
    let mut out = headline::wrap(&headline::sweep_headline(sw), width.unwrap_or(usize::MAX));
    out.push_str(&format!(
        "\nmodel {} ({}, hash {})\nseed {}, {} replications per point (the same seeds at every point), bigvsim {}\n",
        sw.design.name, sw.design.path, sw.design.hash, sw.seed, sw.replications, VERSION
    ));
    if !sw.overrides.is_empty() {
        out.push_str(&format!("overrides: {}\n", sw.overrides.join(" ")));
    }
    out.push_str("\nmean ± half-width of the 95% CI at each point\n\n");
    let batches: Vec<&crate::experiment::Batch> = sw.points.iter().map(|(_, b)| b).collect();
    let kind = batches
        .first()
        .map_or(crate::scenario::ModelKind::Incident, |b| b.kind);
    let metrics: Vec<Metric> = if all {
        KEY_METRICS.to_vec()
    } else {
        let primary = headline::primary_of(kind, batches.iter().copied());
        let mut m = vec![primary];
        m.extend(
            headline::shown_metrics(kind, batches.iter().copied(), false)
                .into_iter()
                .filter(|x| *x != primary),
        );
        m.truncate(SWEEP_COLUMNS);
        m
    };
    // By default a parameter's column is headed by its path's last part when those
    // are distinct (`over` for `changes[1].over`), so more metrics fit.
    let short: Vec<String> = sw
        .params
        .iter()
        .map(|p| p.rsplit('.').next().unwrap_or(p).to_string())
        .collect();
    let distinct = short
        .iter()
        .enumerate()
        .all(|(i, a)| !short[..i].contains(a));
    let shorten = !all && distinct && short != sw.params;
    let mut header: Vec<String> = if shorten {
        short.clone()
    } else {
        sw.params.clone()
    };
    if shorten {
        out.push_str(&format!(
            "({})\n\n",
            short
                .iter()
                .zip(&sw.params)
                .filter(|(s, p)| s != p)
                .map(|(s, p)| format!("{s}: {p}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    header.extend(metrics.iter().map(|m| METRICS[*m as usize].heading()));
    let sums: Vec<Vec<Summary>> = sw.points.iter().map(|(_, b)| point_summaries(b)).collect();
    let formats: Vec<Fixed> = metrics
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
        .map(|((values, batch), s)| {
            let mut row = values.clone();
            row.extend(metrics.iter().zip(&formats).map(|(m, f)| {
                let s = &s[*m as usize];
                let cell = f.pm(s.mean, half_width(s));
                if batch.censored(*m) > 0 {
                    format!("≥ {cell}")
                } else {
                    cell
                }
            }));
            row
        })
        .collect();
    // By default the columns that fit in the width, the primary metric's always.
    let (header, rows) = match width.filter(|_| !all) {
        Some(w) => {
            let col = |i: usize| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header[i].chars().count()])
                    .max()
                    .unwrap_or(0)
                    + 2
            };
            let p = sw.params.len();
            let mut used: usize = (0..p).map(col).sum();
            let mut keep = p;
            while keep < header.len() && (keep == p || used + col(keep) <= w) {
                used += col(keep);
                keep += 1;
            }
            let cut = |r: &Vec<String>| r[..keep].to_vec();
            (cut(&header), rows.iter().map(cut).collect())
        }
        None => (header, rows),
    };
    out.push_str(&fitted_table(sw.params.len(), &header, &rows, width));
    out.push_str(&no_ci_note([sw.replications as usize]));
    if sw
        .points
        .iter()
        .any(|(_, b)| Metric::ALL.iter().any(|m| b.censored(*m) > 0))
    {
        out.push_str(
            "≥: an incident was still open at the horizon, so the value is a lower bound\n",
        );
    }
    if all {
        out.push_str(&sweep_differences_text(study, width));
    } else {
        out.push_str(&targets_only_text(study, width));
        out.push_str(&more_hint(header.len() - sw.params.len(), kind, width));
    }
    out
}

/// The most metric columns a default sweep table shows.
pub const SWEEP_COLUMNS: usize = 3;

/// The targets' answers and table, without the differences (`--all` adds them).
fn targets_only_text(study: &Study, width: Option<usize>) -> String {
    let mut out = String::new();
    let answers: Vec<String> = target_answers(study)
        .iter()
        .map(|a| a.replace('`', ""))
        .collect();
    if !answers.is_empty() {
        out.push('\n');
        out.push_str(&headline::wrap(&answers, width.unwrap_or(usize::MAX)));
    }
    out.push_str(&targets_text("point", &labelled_targets(study), width));
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

//! The outputs of `bigvsim sensitivity`: the text tables and sentences, the JSON
//! document, and the report directory's `report.md` with its tornado and robustness
//! plots.

use serde_json::{Value, json};

use super::files::{ReportError, commit};
use super::json::num;
use super::plot::{
    Bar, BarChart, PlotError, StackRow, StackedChart, bar_blank, stacked_png, stacked_svg,
    tornado_png, tornado_svg,
};
use super::text::table;
use crate::VERSION;
use crate::experiment::sensitivity::Sensitivity;
use crate::experiment::sensitivity::analysis::{Analysis, Ranking, value_text};
use crate::metrics::format::{fmt_metric, fmt_num};
use crate::metrics::{METRICS, Metric};

/// The metrics the text output ranks (JSON ranks every key metric).
pub const TEXT_METRICS: &[Metric] = &[
    Metric::FullRecoveryS,
    Metric::SiteRecoveryS,
    Metric::VmHoursLost,
    Metric::VmAvailability,
    Metric::DowntimeMinPerVmYear,
    Metric::SupervisorCrashes,
];

/// An interval as `[lo, hi]`, or null.
fn ci(ci: Option<(f64, f64)>) -> Value {
    ci.map_or(Value::Null, |(lo, hi)| json!([num(lo), num(hi)]))
}

/// The `--format json` document (and the report's `sensitivity.json`).
pub fn sensitivity_json(s: &Sensitivity, a: &Analysis) -> Value {
    let mut ranking = serde_json::Map::new();
    let mut r2 = serde_json::Map::new();
    for r in &a.ranking {
        let key = METRICS[r.metric as usize].key.to_string();
        let entries: Vec<Value> = r
            .entries
            .iter()
            .map(|e| {
                json!({
                    "path": s.params[e.param].path,
                    "effect": num(e.effect),
                    "ci95": ci(e.ci95),
                })
            })
            .collect();
        ranking.insert(key.clone(), Value::Array(entries));
        r2.insert(key, num(r.r2));
    }
    let robustness: Vec<Value> = a
        .robustness
        .iter()
        .map(|r| {
            json!({
                "design": s.designs[r.design].name,
                "metric": METRICS[r.metric as usize].key,
                "unit": METRICS[r.metric as usize].unit,
                "samples": r.samples,
                "better": r.better,
                "worse": r.worse,
                "fraction_better": num(r.better as f64 / r.samples.max(1) as f64),
                "ci95": [num(r.ci95.0), num(r.ci95.1)],
                "worst": {
                    "sample": r.worst.sample,
                    "values": values_json(s, &r.worst.values),
                    "difference": num(r.worst.difference),
                },
                "loses_when": r.loses_when.as_ref().map_or(Value::Null, |sp| json!({
                    "path": s.params[sp.column].path,
                    "above": sp.above,
                    "threshold": num(sp.threshold),
                    "fits": sp.correct,
                })),
                "sentence": r.sentence,
            })
        })
        .collect();
    let runs: Vec<Value> = s
        .results
        .iter()
        .map(|r| {
            let mut means = serde_json::Map::new();
            for (d, m) in s.designs.iter().zip(&r.means) {
                let mut per = serde_json::Map::new();
                for metric in Metric::ALL {
                    per.insert(
                        METRICS[*metric as usize].key.to_string(),
                        num(m[*metric as usize]),
                    );
                }
                means.insert(d.name.clone(), Value::Object(per));
            }
            json!({
                "sample": r.index,
                "values": values_json(s, &r.values),
                "means": means,
            })
        })
        .collect();
    json!({
        "command": "sensitivity",
        "version": VERSION,
        "seed": s.seed,
        "replications": s.replications,
        "samples": s.samples,
        "measure": "standardised rank regression coefficients (SRRC) of the baseline's per-sample means, percentile bootstrap 95 % CIs over samples",
        "designs": s.designs.iter().map(|d| json!({
            "name": d.name, "path": d.path, "hash": d.hash,
        })).collect::<Vec<_>>(),
        "overrides": s.overrides,
        "parameters": s.params.iter().map(|p| json!({
            "path": p.path, "lo": num(p.lo), "hi": num(p.hi), "scale": p.scale, "unit": p.unit,
        })).collect::<Vec<_>>(),
        "ranking": ranking,
        "r2": r2,
        "units": Metric::ALL.iter().map(|m| {
            let def = &METRICS[*m as usize];
            (def.key.to_string(), json!(def.unit))
        }).collect::<serde_json::Map<_, _>>(),
        "warnings": a.too_few.iter().chain(&a.unresolved).collect::<Vec<_>>(),
        "constant": a.constant.iter().map(|m| METRICS[*m as usize].key).collect::<Vec<_>>(),
        "robustness": robustness,
        "runs": runs,
    })
}

/// A sample's values keyed by path.
fn values_json(s: &Sensitivity, values: &[f64]) -> Value {
    let mut map = serde_json::Map::new();
    for (p, v) in s.params.iter().zip(values) {
        map.insert(p.path.clone(), num(*v));
    }
    Value::Object(map)
}

/// An interval of SRRCs in text.
fn ci_text(ci: Option<(f64, f64)>) -> String {
    ci.map_or("n/a".to_string(), |(lo, hi)| {
        format!("{lo:+.2} to {hi:+.2}")
    })
}

/// One metric's ranking as table rows.
fn ranking_rows(s: &Sensitivity, r: &Ranking) -> Vec<Vec<String>> {
    r.entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = &s.params[e.param];
            let zero = e.ci95.is_some_and(|(lo, hi)| lo <= 0.0 && hi >= 0.0);
            vec![
                format!("{}", i + 1),
                p.path.clone(),
                format!("{:+.2}", e.effect),
                ci_text(e.ci95),
                if zero { "no clear effect" } else { "" }.to_string(),
            ]
        })
        .collect()
}

/// The parameters' ranges as table rows.
fn param_rows(s: &Sensitivity) -> Vec<Vec<String>> {
    s.params
        .iter()
        .map(|p| {
            vec![
                p.path.clone(),
                value_text(p, p.lo),
                value_text(p, p.hi),
                p.scale.clone(),
            ]
        })
        .collect()
}

/// The one-sentence answer: what moves the site-wide recovery most (or the downtime
/// per VM-year, or else the first ranked metric). Site-wide metrics lead: over a long
/// horizon the worst incident is usually one head's hardware repair, which no
/// assumption about the site-wide failure moves.
pub fn answer(s: &Sensitivity, a: &Analysis) -> String {
    let lead = [Metric::SiteRecoveryS, Metric::DowntimeMinPerVmYear]
        .iter()
        .find_map(|m| a.ranking.iter().find(|r| r.metric == *m))
        .or(a.ranking.first());
    match lead {
        Some(r) => {
            let top = &r.entries[0];
            let key = METRICS[r.metric as usize].key;
            let dir = if top.effect >= 0.0 { "raises" } else { "lowers" };
            format!(
                "Of the {} assumptions varied, `{}` moves {key} most (a higher value {dir} it; SRRC {:+.2}, 95 % CI {}; the ranks explain R² = {:.2} of its variation).",
                s.params.len(),
                s.params[top.param].path,
                top.effect,
                ci_text(top.ci95),
                r.r2
            )
        }
        None => "No key metric varied across the samples: the assumptions, over their ranges, do not move the results.".to_string(),
    }
}

/// The text summary: the answer first, then the study, its warnings, the ranking of
/// each key metric and the robustness of the verdicts. Prose wraps to `width`
/// (`None`: as long as it is); `all` ranks every metric, not just the key ones.
pub fn sensitivity_text(s: &Sensitivity, a: &Analysis, width: Option<usize>, all: bool) -> String {
    let wrap = |text: String| super::headline::wrap(&[text], width.unwrap_or(usize::MAX));
    let shown = |m: Metric| all || TEXT_METRICS.contains(&m);
    let mut out = wrap(format!("Answer: {}", answer(s, a).replace('`', "")));
    out.push('\n');
    out.push_str(&wrap(format!(
        "bigvsim {VERSION} sensitivity: {} samples (Latin hypercube) × {} replications, seed {}, designs: {}",
        s.samples,
        s.replications,
        s.seed,
        s.designs
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )));
    out.push('\n');
    for w in a.too_few.iter().chain(&a.unresolved) {
        out.push_str(&wrap(format!("Warning: {w}.")));
        out.push('\n');
    }
    out.push_str("Varied:\n");
    out.push_str(&table(
        &["parameter", "low", "high", "scale"],
        &param_rows(s),
    ));
    out.push('\n');
    out.push_str(&wrap(format!(
        "Influence on {} (SRRC: standardised rank regression coefficient of each metric's mean per sample, from -1 to +1; 95 % bootstrap CI):",
        s.designs[0].name
    )));
    for r in a.ranking.iter().filter(|r| shown(r.metric)) {
        let def = &METRICS[r.metric as usize];
        out.push('\n');
        out.push_str(&wrap(format!(
            "{} (R² {:.2}{})",
            def.heading(),
            r.r2,
            if r.r2 < 0.5 {
                ": the ranks explain little; effects may interact or be non-monotone"
            } else {
                ""
            }
        )));
        out.push_str(&table(
            &["rank", "parameter", "SRRC", "95 % CI", ""],
            &ranking_rows(s, r),
        ));
    }
    let constant: Vec<&str> = a
        .constant
        .iter()
        .filter(|m| shown(**m))
        .map(|m| METRICS[*m as usize].key)
        .collect();
    if !constant.is_empty() {
        out.push('\n');
        out.push_str(&wrap(format!(
            "The same in every sample (nothing to rank): {}",
            constant.join(", ")
        )));
    }
    if !a.robustness.is_empty() {
        out.push_str("\nRobustness of the verdicts across the samples:\n");
        // Site-wide metrics first, the worst incident (over a long horizon usually
        // one head's hardware repair) last.
        let mut rows: Vec<_> = a.robustness.iter().filter(|r| shown(r.metric)).collect();
        rows.sort_by_key(|r| r.metric == Metric::FullRecoveryS);
        for r in rows {
            out.push_str(&wrap(if r.better + r.worse == 0 {
                format!("- {}", r.sentence)
            } else {
                format!(
                    "- {} Worst case: sample {} ({}), difference {}.",
                    r.sentence,
                    r.worst.sample,
                    s.params
                        .iter()
                        .zip(&r.worst.values)
                        .map(|(p, v)| format!("{} = {}", p.path, value_text(p, *v)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    fmt_metric(r.metric, r.worst.difference)
                )
            }));
        }
    }
    if !all {
        out.push('\n');
        out.push_str(&wrap(
            "Only the key metrics are ranked here; --all ranks every metric, --format json has them all."
                .to_string(),
        ));
    }
    out
}

/// The report's Markdown, with the plots it links to (`tornado-METRIC.png`,
/// `robustness.png`) and the command that made it.
pub fn sensitivity_markdown(
    s: &Sensitivity,
    a: &Analysis,
    command: &str,
    plots: &[(String, String)],
) -> String {
    let mut md = String::from("# Sensitivity study\n\n");
    md.push_str(&format!(
        "**Question.** How much does each uncertain assumption move the results of {}{}?\n\n",
        s.designs[0].name,
        if s.designs.len() > 1 {
            ", and does each design's advantage over it hold wherever the assumptions lie"
        } else {
            ""
        }
    ));
    md.push_str(&format!("**Answer.** {}\n\n", answer(s, a)));
    if let Some(w) = &a.too_few {
        md.push_str(&format!("**Warning.** {w}.\n\n"));
    }
    // The verdicts that hold whatever the horizon: the worst incident's recovery and
    // the VM-hours lost.
    for r in a
        .robustness
        .iter()
        .filter(|r| [Metric::FullRecoveryS, Metric::VmHoursLost].contains(&r.metric))
    {
        md.push_str(&format!("{}\n\n", r.sentence));
    }
    md.push_str(&format!(
        "Command: `{command}`. bigvsim {VERSION}, seed {}, {} samples × {} replications; every sample runs every design on the same seeds.\n\n",
        s.seed, s.samples, s.replications
    ));
    md.push_str("| design | model | hash |\n|---|---|---|\n");
    for d in &s.designs {
        md.push_str(&format!("| {} | `{}` | `{}` |\n", d.name, d.path, d.hash));
    }
    md.push_str(
        "\n## Varied assumptions\n\n| parameter | low | high | scale |\n|---|---:|---:|---|\n",
    );
    for row in param_rows(s) {
        md.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            row[0], row[1], row[2], row[3]
        ));
    }
    md.push_str("\n## Influence\n\nSRRC: the standardised coefficient of a regression of the metric's rank on the parameters' ranks, over the samples (−1 to +1; its sign says which way a higher value moves the metric); 95 % CI by percentile bootstrap over the samples. R² says how much of the metric's variation the ranks explain.\n");
    for r in a
        .ranking
        .iter()
        .filter(|r| TEXT_METRICS.contains(&r.metric))
    {
        let key = METRICS[r.metric as usize].key;
        md.push_str(&format!(
            "\n### {key} (R² {:.2})\n\n| rank | parameter | SRRC | 95 % CI | |\n|---:|---|---:|---|---|\n",
            r.r2
        ));
        for row in ranking_rows(s, r) {
            md.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        if let Some((file, title)) = plots.iter().find(|(f, _)| f == &format!("tornado-{key}")) {
            md.push_str(&format!("\n![{title}]({file}.png)\n"));
        }
    }
    if !a.robustness.is_empty() {
        md.push_str("\n## Robustness of the verdicts\n\n");
        for r in &a.robustness {
            md.push_str(&format!("- {}\n", r.sentence));
        }
        if plots.iter().any(|(f, _)| f == "robustness") {
            md.push_str("\n![Samples in which each design is better than, tied with or worse than the baseline](robustness.png)\n");
        }
    }
    md.push_str(&format!(
        "\nEvery sample's values and per-sample means are in `sensitivity.json` ({} samples).\n",
        fmt_num(s.results.len() as f64)
    ));
    md
}

/// The tornado chart of one metric: each parameter's SRRC with its 95 % CI, most
/// influential first.
fn tornado(s: &Sensitivity, r: &Ranking) -> BarChart {
    BarChart {
        title: format!(
            "What moves {} ({}): SRRC with 95 % CI",
            METRICS[r.metric as usize].key, s.designs[0].name
        ),
        y_label: "standardised rank regression coefficient".to_string(),
        bars: r
            .entries
            .iter()
            .map(|e| Bar {
                label: s.params[e.param].path.clone(),
                value: e.effect,
                ci95: e.ci95.unwrap_or((f64::NAN, f64::NAN)),
            })
            .collect(),
        // A coefficient lies in −1 to +1; an interval past it is cut and marked.
        axis: Some((-1.0, 1.0)),
    }
}

/// The robustness chart: for each design and text metric, the fractions of samples
/// in which the design is better than the baseline, tied with it and worse: a tie
/// is a part of its own, never counted as a loss.
fn robustness_chart(s: &Sensitivity, a: &Analysis) -> StackedChart {
    StackedChart {
        title: format!(
            "Samples in which each design is better than, tied with or worse than {}",
            s.designs[0].name
        ),
        x_label: "fraction of samples".to_string(),
        parts: vec!["better".into(), "tied".into(), "worse".into()],
        rows: a
            .robustness
            .iter()
            .filter(|r| TEXT_METRICS.contains(&r.metric))
            .map(|r| {
                let n = r.samples.max(1) as f64;
                let tied = r.samples.saturating_sub(r.better + r.worse);
                StackRow {
                    label: format!(
                        "{}: {}",
                        s.designs[r.design].name, METRICS[r.metric as usize].key
                    ),
                    values: vec![r.better as f64 / n, tied as f64 / n, r.worse as f64 / n],
                }
            })
            .collect(),
    }
}

/// Writes the report of a study into `dir`, all or nothing: report.md,
/// sensitivity.json, a tornado plot per ranked text metric and the robustness plot
/// (PNG and SVG).
pub fn write_sensitivity_report(
    dir: &str,
    force: bool,
    s: &Sensitivity,
    a: &Analysis,
    command: &str,
) -> Result<(), ReportError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut plots: Vec<(String, String)> = Vec::new();
    let plot_err = |e: PlotError| ReportError(format!("cannot draw a plot: {e}"));
    for r in a
        .ranking
        .iter()
        .filter(|r| TEXT_METRICS.contains(&r.metric))
    {
        let name = format!("tornado-{}", METRICS[r.metric as usize].key);
        let chart = tornado(s, r);
        if bar_blank(&chart).is_some() {
            continue;
        }
        files.push((
            format!("{name}.png"),
            tornado_png(&chart).map_err(plot_err)?,
        ));
        files.push((
            format!("{name}.svg"),
            tornado_svg(&chart).map_err(plot_err)?.into_bytes(),
        ));
        plots.push((name, chart.title));
    }
    let robust = robustness_chart(s, a);
    if !robust.rows.is_empty() {
        files.push((
            "robustness.png".into(),
            stacked_png(&robust).map_err(plot_err)?,
        ));
        files.push((
            "robustness.svg".into(),
            stacked_svg(&robust).map_err(plot_err)?.into_bytes(),
        ));
        plots.push(("robustness".into(), robust.title));
    }
    let doc = serde_json::to_string_pretty(&sensitivity_json(s, a))
        .map_err(|e| ReportError(format!("cannot serialise sensitivity.json: {e}")))?;
    files.push(("sensitivity.json".into(), (doc + "\n").into_bytes()));
    files.push((
        "report.md".into(),
        sensitivity_markdown(s, a, command, &plots).into_bytes(),
    ));
    commit(dir, force, files)
}

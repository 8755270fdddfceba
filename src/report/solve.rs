//! The outputs of `solve`: the answer in one sentence, the probes, the JSON document
//! and the report with the response curve and the target line.

use serde_json::{Value, json};

use super::cells::md_table;
use super::cells::{fitted_table, num};
use super::files::{ReportError, commit, json_file};
use super::json::metric_summary_json;
use super::plot::{self, LineChart, Series, TargetLine};
use super::series::TimeUnit;
use super::targets::{estimate_words, meeting_words, target_json};
use crate::VERSION;
use crate::engine::US_PER_S;
use crate::experiment::solve::{Domain, MAX_PROBES, Probe, Solve, shortfall};
use crate::metrics::METRICS;
use crate::metrics::format::fmt_metric;
use crate::scenario::schema;

/// The question a solve answers, in words.
pub fn question(s: &Solve) -> String {
    let (lo, hi) = range_text(s);
    format!(
        "the {} {} in {lo}..{hi} with {}",
        if s.largest { "largest" } else { "smallest" },
        s.param,
        s.target.text()
    )
}

fn range_text(s: &Solve) -> (String, String) {
    match s.domain {
        Domain::Integer { lo, hi } => (lo.to_string(), hi.to_string()),
        Domain::Real { lo, hi, .. } => (format!("{lo}"), format!("{hi}")),
        Domain::Duration { lo, hi, .. } => (
            crate::scenario::duration::format_duration_us(lo),
            crate::scenario::duration::format_duration_us(hi),
        ),
    }
}

/// A probe's figures in words: "site_recovery_s.p90 = 3581 s (19 of 20 …), met".
fn probe_words(s: &Solve, p: &Probe) -> String {
    format!(
        "{}.{} = {} ({} replications meet the bound; verdict: {})",
        METRICS[s.target.metric as usize].key,
        s.target.stat_text(),
        estimate_words(&p.result),
        meeting_words(&p.result),
        p.result.verdict.words()
    )
}

/// The answer in one sentence, with the figures at the answer and at its neighbour.
pub fn answer(s: &Solve) -> String {
    let mut out = answer_words(s);
    if s.capped {
        out.push_str(&format!(
            " The search stopped at its cap of {MAX_PROBES} probes before reaching its tolerance."
        ));
    }
    out
}

fn answer_words(s: &Solve) -> String {
    let Some(a) = s.answer() else {
        return none_meets(s);
    };
    let mut out = format!("{} = {}: {}.", s.param, a.value, probe_words(s, a));
    match s.neighbour() {
        Some(n) => out.push_str(&format!(
            " At {}, the nearest value probed that does not meet it: {}.",
            n.value,
            probe_words(s, n)
        )),
        None => out.push_str(&format!(
            " It is the {} end of the range: the range may not reach the threshold.",
            if s.largest { "upper" } else { "lower" }
        )),
    }
    out
}

/// When no probe meets the target: what was probed, the probe nearest to meeting it,
/// and what the probes say of the values between them.
fn none_meets(s: &Solve) -> String {
    let (lo, hi) = range_text(s);
    let sorted = s.sorted_probes();
    let closest = sorted
        .iter()
        .enumerate()
        .min_by(|(_, p), (_, q)| shortfall(&p.result).total_cmp(&shortfall(&q.result)));
    let Some((i, p)) = closest else {
        return format!("no value in {lo}..{hi} was probed.");
    };
    let mut out = format!(
        "none of the {} values probed in {lo}..{hi} meets the target. The closest, {}={}, gives {}.",
        s.probes.len(),
        s.param,
        p.value,
        probe_words(s, p)
    );
    if i > 0 && i + 1 < sorted.len() {
        let (below, above) = (sorted[i - 1], sorted[i + 1]);
        let left = [below, above]
            .iter()
            .any(|n| s.domain.middle(n.x, p.x).is_some());
        out.push_str(&if left {
            format!(
                " The response is not monotone: it is best inside the range, between {} and {}, where a value not probed may still meet the target (a sweep over that span would show).",
                below.value, above.value
            )
        } else {
            format!(
                " The response is not monotone: it is best inside the range, at {}, and no value between it and its neighbours {} and {} is left to probe at this tolerance.",
                p.value, below.value, above.value
            )
        });
    } else if !s.monotonicity_breaks().is_empty() {
        out.push_str(" The response is not monotone across the probes: a value between them may still meet the target.");
    } else {
        out.push_str(" The response is monotone across the probes and best at an end: under bisection's assumption no value in the range meets the target.");
    }
    out
}

/// The unit of the solved parameter's values in JSON: seconds for a duration, the
/// schema's unit for a number (None when it has none).
pub fn value_unit(s: &Solve) -> Option<&'static str> {
    match s.domain {
        Domain::Duration { .. } => Some("s"),
        _ => schema::field(&schema::without_indices(&s.param))
            .map(|f| f.unit)
            .filter(|u| !u.is_empty()),
    }
}

/// A value of the solved parameter (microseconds for a duration) as a JSON number:
/// a whole number, a number, or a duration in seconds.
fn value_json(s: &Solve, x: f64) -> Value {
    match s.domain {
        Domain::Integer { .. } => json!(x as i64),
        Domain::Real { .. } => num(x),
        Domain::Duration { .. } => num(x / US_PER_S as f64),
    }
}

/// The probes as table rows, sorted by the parameter's value; a probe whose values
/// were cut by the horizon has its figures marked `≥` (lower bounds). Without `all`,
/// the mean and its interval are left out.
fn probe_rows(s: &Solve, all: bool) -> (Vec<String>, Vec<Vec<String>>) {
    let m = s.target.metric;
    let mut header = vec![
        s.param.clone(),
        format!("{}.{}", METRICS[m as usize].key, s.target.stat_text()),
        "mean".to_string(),
        "95% CI of the mean".to_string(),
        "replications meeting it".to_string(),
        "meets it".to_string(),
    ];
    let mut rows: Vec<Vec<String>> = s
        .sorted_probes()
        .iter()
        .map(|p| {
            let mark = if p.censored > 0 { "≥ " } else { "" };
            vec![
                p.value.clone(),
                format!("{mark}{}", estimate_words(&p.result)),
                format!("{mark}{}", fmt_metric(m, p.summary.mean)),
                p.summary.ci95().map_or("n/a".to_string(), |(lo, hi)| {
                    format!("{} to {}", fmt_metric(m, lo), fmt_metric(m, hi))
                }),
                meeting_words(&p.result),
                if p.result.met { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    if !all {
        for r in std::iter::once(&mut header).chain(rows.iter_mut()) {
            r.drain(2..4);
        }
    }
    (header, rows)
}

/// One warning per probe whose target metric was cut by the horizon, for stderr.
pub fn censoring_warnings(s: &Solve) -> Vec<String> {
    s.sorted_probes()
        .iter()
        .filter(|p| p.censored > 0)
        .map(|p| {
            format!(
                "at {}={}: {} was cut by the horizon in {} of {} replications (an incident was still open at the end); the true value is at least the one shown, so lengthen the horizon to measure it",
                s.param,
                p.value,
                METRICS[s.target.metric as usize].key,
                p.censored,
                p.summary.n
            )
        })
        .collect()
}

fn header_text(s: &Solve) -> String {
    let mut out = format!(
        "model {} ({}, hash {})\nseed {}, {} replications per probe (the same seeds at every probe), bigvsim {}\n",
        s.design.name, s.design.path, s.design.hash, s.seed, s.replications, VERSION
    );
    if !s.overrides.is_empty() {
        out.push_str(&format!("overrides: {}\n", s.overrides.join(" ")));
    }
    out
}

/// The `solve` text output: the answer first, in words, then the probes.
pub fn solve_text(s: &Solve, width: Option<usize>, all: bool) -> String {
    let mut out = super::headline::wrap(
        &[
            format!("Answer: {}", answer(s)),
            format!("Question: {}.", question(s)),
        ],
        width.unwrap_or(usize::MAX),
    );
    out.push('\n');
    out.push_str(&header_text(s));
    out.push_str(&format!(
        "\nProbes ({} made, sorted by value):\n\n",
        s.probes.len()
    ));
    let (header, rows) = probe_rows(s, all);
    out.push_str(&fitted_table(1, &header, &rows, width));
    if s.probes.iter().any(|p| p.censored > 0) {
        out.push_str(
            "≥: an incident was still open at the horizon, so the value is a lower bound\n",
        );
    }
    if !all {
        out.push_str("(--all adds each probe's mean and its 95% CI)\n");
    }
    out.push_str(&monotonicity_text(s));
    out
}

fn monotonicity_text(s: &Solve) -> String {
    let breaks = s.monotonicity_breaks();
    if breaks.is_empty() {
        "\nThe response is monotone across the probes, as bisection assumes.\n".to_string()
    } else {
        format!(
            "\nWarning: bisection assumes a monotone response, and it is not monotone across the probes:\n{}\nThe answer may not be the only crossing: check with a sweep over the range.\n",
            breaks
                .iter()
                .map(|b| format!("  - {b}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    }
}

/// The `solve --format json` document. Values of the parameter are JSON numbers in
/// the unit given by `unit`: whole numbers, numbers, and durations in seconds.
pub fn solve_json(s: &Solve) -> Value {
    let (lo, hi) = s.domain.ends();
    let probes: Vec<Value> = s
        .probes
        .iter()
        .map(|p| {
            json!({
                "value": value_json(s, p.x),
                "metric": metric_summary_json(s.target.metric, &p.summary),
                "target": target_json(&p.result),
            })
        })
        .collect();
    json!({
        "model": s.design.name,
        "model_path": s.design.path,
        "model_hash": s.design.hash,
        "seed": s.seed,
        "replications": s.replications,
        "overrides": s.overrides,
        "version": VERSION,
        "param": s.param,
        "range": { "lo": value_json(s, lo), "hi": value_json(s, hi) },
        "largest": s.largest,
        "target": s.target.text(),
        "value": s.answer().map_or(Value::Null, |p| value_json(s, p.x)),
        "unit": value_unit(s),
        "capped": s.capped,
        "at_value": s.answer().map_or(Value::Null, |p| target_json(&p.result)),
        "at_neighbour": s.neighbour().map_or(Value::Null, |p| json!({
            "value": value_json(s, p.x),
            "target": target_json(&p.result),
        })),
        "monotone": s.monotonicity_breaks().is_empty(),
        "monotonicity_breaks": s.monotonicity_breaks(),
        "probes": probes,
    })
}

/// The response curve: the target's statistic at every probe against the parameter,
/// with the target as a horizontal line.
pub fn curve(s: &Solve) -> LineChart {
    let m = s.target.metric;
    let def = &METRICS[m as usize];
    let probes = s.sorted_probes();
    let (scale, unit) = if def.unit == "s" {
        let max = probes
            .iter()
            .map(|p| p.result.estimate)
            .chain([s.target.value])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let u = TimeUnit::for_max(max, true);
        (u.secs, u.name)
    } else {
        (1.0, def.unit)
    };
    let (x_scale, x_label) = match s.domain {
        Domain::Duration { .. } => (US_PER_S as f64, format!("{} (s)", s.param)),
        _ => (1.0, s.param.clone()),
    };
    // Probes over more than two orders of magnitude go on a logarithmic axis.
    let xs: Vec<f64> = probes.iter().map(|p| p.x / x_scale).collect();
    let x_log = plot::x_scale_for(&xs) == plot::XScale::Log;
    let x_label = if x_log {
        format!("{x_label}, log scale")
    } else {
        x_label
    };
    // A probe with replications the horizon cut, whose meeting the bound is
    // unknown, shows a lower bound: hollow.
    let hollow: Vec<bool> = probes.iter().map(|p| p.result.unknown_count > 0).collect();
    LineChart {
        title: format!("Solve: {} ({})", question(s), s.design.name),
        x_label,
        y_label: format!("{}.{} ({unit})", def.key, s.target.stat_text()),
        series: vec![Series {
            label: String::new(),
            points: probes
                .iter()
                .map(|p| (p.x / x_scale, p.result.estimate / scale))
                .collect(),
            band: None,
            hollow: if hollow.contains(&true) {
                hollow
            } else {
                Vec::new()
            },
        }],
        y_from_zero: true,
        markers: true,
        x_log,
        target: Some(TargetLine {
            y: s.target.value / scale,
            label: format!("target: {}", s.target.text()),
        }),
        ..Default::default()
    }
}

/// Writes the report of a solve into `dir`, all or nothing.
pub fn write_solve_report(
    dir: &str,
    force: bool,
    s: &Solve,
    command: &str,
) -> Result<(), ReportError> {
    let plot_err = |e: plot::PlotError| ReportError(format!("cannot draw a plot: {e}"));
    let chart = curve(s);
    let mut files = vec![
        (
            "solve.png".to_string(),
            plot::line_chart_png(&chart).map_err(plot_err)?,
        ),
        (
            "solve.svg".to_string(),
            plot::line_chart_svg(&chart).map_err(plot_err)?.into_bytes(),
        ),
        ("solve.json".to_string(), json_file(&solve_json(s))?),
    ];
    let (header, rows) = probe_rows(s, true);
    let md = format!(
        "# bigvsim solve: {}\n\n**Question:** {}.\n\n**Answer:** {}\n\n| | |\n|---|---|\n| model | `{}` (`{}`, FNV-1a {}) |\n| seed | {} (the same seeds at every probe) |\n| replications per probe | {} |\n| bigvsim | {} |\n| overrides | {} |\n| command | `{}` |\n\n## Response curve\n\nThe target's statistic at every probe, with the target as a dashed line. Bisection assumes the response crosses the target once.\n\n![solve curve](solve.png)\n\n## Probes\n\n{}\n{}\n## Files\n\n- `report.html`: this report as one self-contained page\n- `solve.json`: the `solve --format json` document\n",
        question(s),
        question(s),
        answer(s),
        s.design.name,
        s.design.path,
        s.design.hash,
        s.seed,
        s.replications,
        VERSION,
        if s.overrides.is_empty() {
            "none".to_string()
        } else {
            format!("`{}`", s.overrides.join(" "))
        },
        command,
        md_table(&header, &rows),
        monotonicity_text(s),
    );
    files.push(("report.md".to_string(), md.into_bytes()));
    commit(dir, force, files)
}

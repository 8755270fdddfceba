//! Targets in the outputs: the text table, the JSON entries and the report.md section
//! that `run`, `compare`, `sweep` and `solve` share.

use serde_json::{Value, json};

use super::cells::{fitted_table, num};
use crate::experiment::targets::TargetResult;
use crate::metrics::METRICS;
use crate::metrics::format::fmt_metric;
use crate::scenario::target::Op;

/// A fraction as a percentage with at most one decimal: `97.5%`.
fn pct(x: f64) -> String {
    let s = format!("{:.1}", 100.0 * x);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

/// "17 of 20 (85%, 95% CI 64–95%)".
pub fn meeting_words(r: &TargetResult) -> String {
    let ci = r.ci95.map_or(String::new(), |(lo, hi)| {
        format!(", 95% CI {}–{}", pct(lo), pct(hi))
    });
    format!("{} of {} ({}{ci})", r.met_count, r.n, pct(r.fraction_met))
}

/// The statistic's value with its unit: `7399 s`, `0.956113`.
pub fn estimate_words(r: &TargetResult) -> String {
    let m = r.target.metric;
    let unit = METRICS[m as usize].unit;
    let v = fmt_metric(m, r.estimate);
    if unit == "fraction" {
        v
    } else {
        format!("{v} {unit}")
    }
}

/// One row per (label, target): the target, the label (a design or a sweep point),
/// the statistic's value, whether it meets the bound, the replications meeting it
/// and the verdict. `label_name` heads the label column.
pub fn targets_text(
    label_name: &str,
    results: &[(String, Vec<TargetResult>)],
    width: Option<usize>,
) -> String {
    if results.iter().all(|(_, r)| r.is_empty()) {
        return String::new();
    }
    let header: Vec<String> = [
        "target",
        label_name,
        "value",
        "replications meeting it",
        "verdict",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = Vec::new();
    for (label, rs) in results {
        for r in rs {
            rows.push(vec![
                r.target.text(),
                label.clone(),
                estimate_words(r),
                meeting_words(r),
                r.verdict.words().to_string(),
            ]);
        }
    }
    let mut out = String::from("\nTargets\n\n");
    out.push_str(&fitted_table(2, &header, &rows, width));
    out.push_str(
        "value: the statistic the target bounds, over replications. Verdicts are at 95%\n\
         confidence; \"too close to call\" means more replications would tell. A quantile\n\
         target pNN <= v is met when at least NN% of replications meet the bound (pNN >= v:\n\
         at least 100-NN%); its verdict compares the 95% CI of the fraction meeting it with\n\
         that share. A mean target is met when the mean meets the bound; its verdict\n\
         compares the mean's 95% CI with the bound. A replication cut by the horizon never\n\
         meets a `<=` bound, nor does a mean over one; where cut replications decide, the\n\
         verdict is \"unknown: cut by the horizon\".\n",
    );
    out
}

/// One target's JSON: `{ target, metric, stat, bound: { op, value }, value, met,
/// fraction_met, ci95, replications, replications_meeting, verdict }`; `ci95` is the
/// Wilson interval of `fraction_met`, a mean target adds `mean_ci95`, and a result
/// with replications cut by the horizon whose meeting the bound is unknown adds
/// `replications_unknown`.
pub fn target_json(r: &TargetResult) -> Value {
    let t = &r.target;
    let mut v = json!({
        "target": t.text(),
        "metric": METRICS[t.metric as usize].key,
        "unit": METRICS[t.metric as usize].unit,
        "stat": t.stat_text(),
        "bound": {
            "op": match t.op { Op::AtMost => "<=", Op::AtLeast => ">=" },
            "value": num(t.value),
        },
        "value": num(r.estimate),
        "met": r.met,
        "fraction_met": num(r.fraction_met),
        "ci95": r.ci95.map_or(Value::Null, |(lo, hi)| json!([num(lo), num(hi)])),
        "replications": r.n,
        "replications_meeting": r.met_count,
        "verdict": r.verdict.key(),
    });
    if let Value::Object(map) = &mut v {
        if let Some((lo, hi)) = r.mean_ci95 {
            map.insert("mean_ci95".to_string(), json!([num(lo), num(hi)]));
        }
        if r.unknown_count > 0 {
            map.insert("replications_unknown".to_string(), json!(r.unknown_count));
        }
    }
    v
}

/// Every result's JSON, in order.
pub fn targets_json(results: &[TargetResult]) -> Value {
    Value::Array(results.iter().map(target_json).collect())
}

/// The report.md section: a Markdown table of every target on every label.
pub fn targets_markdown(label_name: &str, results: &[(String, Vec<TargetResult>)]) -> String {
    if results.iter().all(|(_, r)| r.is_empty()) {
        return String::new();
    }
    let mut out = format!(
        "## Targets\n\n| target | {label_name} | value | meets it | replications meeting it | verdict |\n|---|---|---:|---|---|---|\n"
    );
    for (label, rs) in results {
        for r in rs {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                r.target.text(),
                label,
                estimate_words(r),
                if r.met { "yes" } else { "no" },
                meeting_words(r),
                r.verdict.words()
            ));
        }
    }
    out.push_str(
        "\nA quantile target `pNN <= v` is met when at least NN % of replications meet the bound (`pNN >= v`: at least 100 − NN %); its verdict compares the Wilson 95 % CI of the fraction meeting it with that share. A mean target is met when the mean meets the bound; its verdict compares the mean's 95 % CI with the bound. A replication cut by the horizon never meets a `<=` bound, nor does a mean over one; where cut replications decide, the verdict is \"unknown: cut by the horizon\" (lengthen the horizon).\n\n",
    );
    out
}

//! The JSON documents of the output contract (`--format json` and metrics.json).

use serde_json::{Value, json};

pub use super::cells::num;
use super::targets::targets_json;
use crate::VERSION;
use crate::experiment::Batch;
use crate::experiment::Study;
use crate::experiment::differences::Verdict;
use crate::metrics::{CUT_METRICS, METRICS, Metric, Summary};
use crate::scenario::duration::parse_duration_us;
use crate::scenario::schema::{self, Kind};

/// A parameter's value, from the text a user wrote for it (`--param`, `--vary`,
/// `--design-set`), as JSON: a whole number or a number as a JSON number, a duration
/// (or a distribution set to a fixed duration) as a number of seconds; anything else
/// (a choice, `None`, a whole distribution) stays the text. Returns the value and its
/// unit ("" when it has none).
pub fn param_value(path: &str, text: &str) -> (Value, &'static str) {
    let t = text.trim();
    let field_unit = || {
        schema::field(&schema::without_indices(path))
            .map(|f| f.unit)
            .unwrap_or("")
    };
    match schema::resolve(path).map(|(kind, _)| kind) {
        Some(Kind::Count { .. } | Kind::OptionalCount) if t.parse::<i64>().is_ok() => {
            (json!(t.parse::<i64>().unwrap_or_default()), field_unit())
        }
        Some(Kind::Number | Kind::OptionalNumber) if t.parse::<f64>().is_ok_and(f64::is_finite) => {
            (num(t.parse::<f64>().unwrap_or_default()), field_unit())
        }
        Some(Kind::Duration | Kind::Dist) => match parse_duration_us(t.trim_matches('"')) {
            Ok(us) => (num(us as f64 / 1e6), "s"),
            Err(_) => (Value::String(text.to_string()), ""),
        },
        _ => match t {
            "true" => (Value::Bool(true), ""),
            "false" => (Value::Bool(false), ""),
            _ => (Value::String(text.to_string()), ""),
        },
    }
}

/// A metric's unit, as its table row gives it.
pub fn unit_of(m: Metric) -> &'static str {
    METRICS[m as usize].unit
}

/// `summary_json` with the metric's unit beside the figures.
pub fn metric_summary_json(m: Metric, s: &Summary) -> Value {
    let mut v = summary_json(s);
    if let Value::Object(fields) = &mut v {
        fields.insert("unit".to_string(), json!(unit_of(m)));
    }
    v
}

/// JSON for a numeric summary: `{ mean, std, ci95: [lo, hi], min, max, p50, p90, p99 }`
/// (quantiles over replications); `std` and `ci95` are null when there are too few
/// replications to estimate them.
pub fn summary_json(s: &Summary) -> Value {
    json!({
        "mean": num(s.mean),
        "std": s.std_dev().map_or(Value::Null, num),
        "ci95": ci_json(s.ci95()),
        "min": num(s.min),
        "max": num(s.max),
        "p50": num(s.p50),
        "p90": num(s.p90),
        "p99": num(s.p99),
    })
}

/// An interval as `[lo, hi]`, or null when there is none.
fn ci_json(ci: Option<(f64, f64)>) -> Value {
    ci.map_or(Value::Null, |(lo, hi)| json!([num(lo), num(hi)]))
}

/// Every metric's summary, keyed by metric key.
pub fn metrics_json(batch: &Batch) -> Value {
    let mut map = serde_json::Map::new();
    for m in Metric::ALL {
        let mut summary = metric_summary_json(*m, &batch.summary(*m));
        // A recovery metric says in how many replications the horizon cut it.
        if CUT_METRICS.contains(m)
            && let Value::Object(fields) = &mut summary
        {
            fields.insert("censored".to_string(), json!(batch.censored(*m)));
        }
        map.insert(METRICS[*m as usize].key.to_string(), summary);
    }
    Value::Object(map)
}

/// The `run --format json` document.
pub fn run_json(study: &Study) -> Value {
    let (info, batch) = match study.designs.first() {
        Some((i, b)) => (i.clone(), Some(b)),
        None => (Default::default(), None),
    };
    json!({
        "model": info.name,
        "model_path": info.path,
        "model_hash": info.hash,
        "overrides": study.overrides,
        "seed": study.seed,
        "replications": study.replications,
        "version": VERSION,
        "metrics": batch.map(metrics_json).unwrap_or(Value::Null),
        "targets": study.target_results().first().map_or(json!([]), |r| targets_json(r)),
    })
}

/// One verdict: `{ metric, verdict, change, change_pct, ci95, ci95_pct }`, the change
/// in the metric's unit and in percent of the baseline's mean (null when that is 0).
pub fn verdict_json(v: &Verdict) -> Value {
    json!({
        "metric": METRICS[v.metric as usize].key,
        "unit": unit_of(v.metric),
        "verdict": v.judgement.key(),
        "finding": crate::experiment::differences::Finding::of(v).key(),
        "change": num(v.change),
        "change_pct": v.change_pct.map_or(Value::Null, num),
        "ci95": [num(v.ci95.0), num(v.ci95.1)],
        "ci95_pct": v.ci95_pct.map_or(Value::Null, |(lo, hi)| json!([num(lo), num(hi)])),
    })
}

/// Every design after the first against the first: `{ model, baseline, paired,
/// metrics: { KEY: { mean, ci95 } }, verdicts }`.
pub fn paired_json(study: &Study) -> Vec<Value> {
    let base = study
        .designs
        .first()
        .map(|(i, _)| i.name.clone())
        .unwrap_or_default();
    let verdicts = study.verdicts();
    study
        .differences()
        .iter()
        .zip(study.designs.iter().skip(1))
        .zip(&verdicts)
        .map(|((diffs, (info, _)), judged)| {
            let mut metrics = serde_json::Map::new();
            for (m, d) in Metric::ALL.iter().zip(diffs) {
                metrics.insert(
                    METRICS[*m as usize].key.to_string(),
                    json!({ "mean": num(d.mean), "ci95": ci_json(d.ci95()), "unit": unit_of(*m) }),
                );
            }
            json!({
                "model": info.name,
                "baseline": base,
                "paired": !study.independent_seeds,
                "metrics": metrics,
                "verdicts": judged.iter().map(verdict_json).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The `compare --format json` document.
pub fn compare_json(study: &Study) -> Value {
    let designs: Vec<Value> = study
        .designs
        .iter()
        .zip(study.target_results())
        .map(|((info, batch), targets)| {
            json!({
                "model": info.name,
                "model_path": info.path,
                "model_hash": info.hash,
                "metrics": metrics_json(batch),
                "targets": targets_json(&targets),
            })
        })
        .collect();
    let paired = paired_json(study);
    json!({
        "seed": study.seed,
        "replications": study.replications,
        "independent_seeds": study.independent_seeds,
        "min_effect_pct": num(study.min_effect.percent),
        "overrides": study.overrides,
        "version": VERSION,
        "designs": designs,
        "paired": paired,
    })
}

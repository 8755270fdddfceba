//! A fit's answer in words and tables, its JSON document, its report directory (the
//! observed curves over the fitted model's band, the residual per decile), and the
//! observation file `bigvsim observe` writes.

use serde_json::{Value, json};

use super::cells::{fitted_table, md_table, num};
use super::files::{ReportError, commit, json_file};
use super::plot::{self, LineChart, Series};
use super::series::{TimeUnit, median_band};
use crate::VERSION;
use crate::experiment::Batch;
use crate::experiment::fit::objective::{DECILES, TermKind};
use crate::experiment::fit::observe::Monitored;
use crate::experiment::fit::region::CHI2_95;
use crate::experiment::fit::{Estimate, Fit};
use crate::experiment::sensitivity::{shown, unit};
use crate::metrics::format::fmt_num;
use crate::metrics::{METRICS, Metric};
use crate::scenario::Uncertain;

/// The unit written after a value in text: a short unit (`s`, `boots`); none for a
/// fraction, a count or a unit that is a phrase (the JSON carries every unit).
fn short_unit(p: &Uncertain) -> Option<&'static str> {
    let u = unit(p);
    (!(u.is_empty() || u == "fraction" || u == "count" || u.contains(' '))).then_some(u)
}

/// `v` of `p` as shown, with its unit: `50.3 s`, `0.012`, `25 boots`.
fn value_text(p: &Uncertain, v: f64) -> String {
    let n = fmt_num(shown(p, v));
    match short_unit(p) {
        Some(u) => format!("{n} {u}"),
        None => n,
    }
}

/// The 95 % region of an estimate as words: `47–54 s`.
fn region_text(p: &Uncertain, e: &Estimate) -> String {
    let (lo, hi) = (fmt_num(shown(p, e.lo)), fmt_num(shown(p, e.hi)));
    match short_unit(p) {
        Some(u) => format!("{lo}–{hi} {u}"),
        None => format!("{lo}–{hi}"),
    }
}

/// The answer in sentences: one per parameter, then the trade-offs.
pub fn answer_lines(f: &Fit) -> Vec<String> {
    let mut lines = Vec::new();
    for (p, e) in f.params.iter().zip(&f.estimates) {
        let mut s = format!(
            "{} = {} (95 % region {})",
            p.path,
            value_text(p, e.value),
            region_text(p, e)
        );
        if !e.identifiable {
            s.push_str(&format!(
                ": not identifiable from the observation (the region covers {:.0} % of the range {}..{}); the value is one of many that fit equally well",
                e.share * 100.0,
                value_text(p, p.lo),
                value_text(p, p.hi)
            ));
        }
        lines.push(s);
    }
    for (i, e) in f.estimates.iter().enumerate() {
        for &j in e
            .trades_with
            .iter()
            .filter(|&&j| j > i || !f.estimates[j].trades_with.contains(&i))
        {
            lines.push(format!(
                "warning: {} and {} trade off against each other: the observation fixes a combination of them more tightly than either (the best value of one moves with the other across its region); if one is known, fix it with --set and fit the other",
                f.params[i].path, f.params[j].path
            ));
        }
    }
    lines
}

/// The residual in words: its value against what chance would give.
fn residual_text(f: &Fit) -> String {
    format!(
        "residual {} over {} terms ({} degrees of freedom: about {} expected by chance alone{})",
        fmt_num(f.objective),
        f.terms.len(),
        f.dof,
        f.dof,
        if f.threshold > CHI2_95 + 1e-9 {
            "; the regions are widened by the residual per degree of freedom"
        } else {
            ""
        }
    )
}

/// The parameters' table rows.
fn param_rows(f: &Fit) -> (Vec<String>, Vec<Vec<String>>) {
    let header = [
        "parameter",
        "best",
        "95% lo",
        "95% hi",
        "range",
        "identifiable",
    ]
    .map(String::from)
    .to_vec();
    let rows = f
        .params
        .iter()
        .zip(&f.estimates)
        .map(|(p, e)| {
            vec![
                p.path.clone(),
                value_text(p, e.value),
                value_text(p, e.lo),
                value_text(p, e.hi),
                format!("{}..{}", value_text(p, p.lo), value_text(p, p.hi)),
                if e.identifiable { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    (header, rows)
}

/// The residual per term: each decile step and scalar, observed against simulated.
fn residual_rows(f: &Fit) -> (Vec<String>, Vec<Vec<String>>) {
    let header = ["incident", "compared", "observed", "simulated", "sd", "z"]
        .map(String::from)
        .to_vec();
    let rows = f
        .terms
        .iter()
        .map(|t| {
            let what = match t.what {
                TermKind::Step(d) => {
                    if d == 0 {
                        "0→10 % back (s)".to_string()
                    } else {
                        format!("{}→{} % back (s)", d * 10, (d + 1) * 10)
                    }
                }
                TermKind::Scalar(m) => METRICS[m as usize].heading(),
            };
            vec![
                f.observed[t.incident].file.clone(),
                what,
                fmt_num(t.observed),
                fmt_num(t.simulated),
                fmt_num(t.sd),
                format!("{:+.2}", t.z()),
            ]
        })
        .collect();
    (header, rows)
}

fn header_text(f: &Fit) -> String {
    let files: Vec<&str> = f.observed.iter().map(|o| o.file.as_str()).collect();
    format!(
        "fit of {} ({}, hash {}) to {}\nseed {}, {} replications a probe (the same seeds at every probe), {} probes, bigvsim {}\n",
        f.design.name,
        f.design.path,
        f.design.hash,
        files.join(", "),
        f.seed,
        f.replications,
        f.probes,
        VERSION
    )
}

/// A fit as text: the answer in words first, then the tables.
pub fn fit_text(f: &Fit, width: Option<usize>) -> String {
    let mut out = header_text(f);
    out.push('\n');
    for l in answer_lines(f) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(&residual_text(f));
    out.push_str("\n\n");
    let (h, r) = param_rows(f);
    out.push_str(&fitted_table(1, &h, &r, width));
    out.push('\n');
    let (h, r) = residual_rows(f);
    out.push_str(&fitted_table(2, &h, &r, width));
    out
}

/// A fit as JSON, every number with its unit.
pub fn fit_json(f: &Fit) -> Value {
    let params: Vec<Value> = f
        .params
        .iter()
        .zip(&f.estimates)
        .map(|(p, e)| {
            json!({
                "path": p.path,
                "unit": unit(p),
                "scale": match p.scale { crate::scenario::Scale::Log => "log", _ => "linear" },
                "range": [num(shown(p, p.lo)), num(shown(p, p.hi))],
                "best": num(shown(p, e.value)),
                "region95": [num(shown(p, e.lo)), num(shown(p, e.hi))],
                "region_share": num(e.share),
                "identifiable": e.identifiable,
                "trades_off_with": e.trades_with.iter().map(|&j| f.params[j].path.clone()).collect::<Vec<_>>(),
                "profile": e.profile.iter().map(|(x, v)| json!({"value": num(shown(p, *x)), "objective": num(*v)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let terms: Vec<Value> = f
        .terms
        .iter()
        .map(|t| {
            let (what, unit) = match t.what {
                TermKind::Step(d) => (format!("recover_step_{}_{}_pct", d * 10, (d + 1) * 10), "s"),
                TermKind::Scalar(m) => (
                    METRICS[m as usize].key.to_string(),
                    METRICS[m as usize].unit,
                ),
            };
            json!({
                "incident": f.observed[t.incident].file,
                "compared": what,
                "unit": unit,
                "observed": num(t.observed),
                "simulated": num(t.simulated),
                "sd": num(t.sd),
                "z": num(t.z()),
            })
        })
        .collect();
    let deciles: Vec<Value> = (0..DECILES)
        .map(|d| {
            let (mean, p10, p90) = f.bands[d];
            json!({
                "pct": (d + 1) * 10,
                "simulated_mean_s": num(mean),
                "simulated_p10_s": num(p10),
                "simulated_p90_s": num(p90),
                "observed_s": f.observed.iter().map(|o| o.deciles_s[d].map_or(Value::Null, num)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "model": f.design.name,
        "model_path": f.design.path,
        "model_hash": f.design.hash,
        "seed": f.seed,
        "replications": f.replications,
        "overrides": f.overrides,
        "version": VERSION,
        "observed": f.observed.iter().map(|o| json!({"file": o.file, "peak_vms_down": o.peak, "scalars": o.scalars.len()})).collect::<Vec<_>>(),
        "params": params,
        "residual": num(f.objective),
        "degrees_of_freedom": f.dof,
        "region_threshold": num(f.threshold),
        "probes": f.probes,
        "terms": terms,
        "deciles": deciles,
        "answer": answer_lines(f),
    })
}

/// The observed curves (VMs up) over the fitted model's median and 10–90 % band.
pub fn curve_chart(f: &Fit, band: &Batch, vms: u64) -> LineChart {
    let end_s = f
        .observed
        .iter()
        .filter_map(|o| o.down.last().map(|p| p.0))
        .fold(
            super::series::incident_extent(std::iter::once(band)).map_or(0.0, |e| e.span_s),
            f64::max,
        );
    let unit = TimeUnit::for_max(end_s, true);
    let vms32 = u32::try_from(vms).unwrap_or(u32::MAX);
    let mut series: Vec<Series> = Vec::new();
    if let Some(s) = median_band(
        band,
        "fitted model: median, 10–90 % band",
        unit,
        Some(end_s),
        move |p| vms32.saturating_sub(p.vms_down),
    ) {
        series.push(s);
    }
    for o in &f.observed {
        series.push(Series {
            label: format!("observed: {}", o.file),
            points: o
                .down
                .iter()
                .map(|(t, d)| (t / unit.secs, vms.saturating_sub(*d) as f64))
                .collect(),
            band: None,
            hollow: Vec::new(),
        });
    }
    LineChart {
        title: format!("Observed recovery over the fitted {}", f.design.name),
        x_label: format!("time since the first VM death ({})", unit.name),
        y_label: "VMs up (VMs)".into(),
        series,
        y_from_zero: true,
        ..Default::default()
    }
}

/// Writes a fit's report into `dir`, all or nothing: report.md, fit.json and the
/// curve chart as PNG and SVG. `band` is a batch at the answer that kept its series.
pub fn write_fit_report(
    dir: &str,
    force: bool,
    f: &Fit,
    band: &Batch,
    vms: u64,
    command: &str,
) -> Result<(), ReportError> {
    let plot_err = |e: plot::PlotError| ReportError(format!("cannot draw a plot: {e}"));
    let chart = curve_chart(f, band, vms);
    let mut files = vec![
        (
            "fit.png".to_string(),
            plot::line_chart_png(&chart).map_err(plot_err)?,
        ),
        (
            "fit.svg".to_string(),
            plot::line_chart_svg(&chart).map_err(plot_err)?.into_bytes(),
        ),
        ("fit.json".to_string(), json_file(&fit_json(f))?),
    ];
    let (ph, pr) = param_rows(f);
    let (rh, rr) = residual_rows(f);
    let answer: String = answer_lines(f).iter().map(|l| format!("- {l}\n")).collect();
    let md = format!(
        "# bigvsim fit: {}\n\n**Answer:**\n\n{answer}\n{}.\n\n| | |\n|---|---|\n| model | `{}` (`{}`, FNV-1a {}) |\n| observed | {} |\n| seed | {} (the same seeds at every probe) |\n| replications per probe | {} |\n| probes | {} |\n| bigvsim | {} |\n| overrides | {} |\n| command | `{}` |\n\n## Parameters\n\nThe approximate 95 % region is where the profile of the objective (the least residual with the parameter held, the others free) is within {} of the minimum. A region covering 90 % of the range or more: not identifiable.\n\n{}\n## Recovery: observed and fitted\n\nVMs up from the first VM death: each observed curve, and the fitted model's median with its 10–90 % band over the replications.\n\n![observed over fitted](fit.png)\n\n## Residual per decile\n\nThe steps between the times by which each tenth of the VMs was back, observed against the fitted model's mean, and their standardized difference z (observed − simulated) / sd.\n\n{}\n## Files\n\n- `fit.json`: the `fit --format json` document\n- `fit.png`, `fit.svg`: the chart above\n",
        f.design.name,
        residual_text(f),
        f.design.name,
        f.design.path,
        f.design.hash,
        f.observed
            .iter()
            .map(|o| format!("`{}`", o.file))
            .collect::<Vec<_>>()
            .join(", "),
        f.seed,
        f.replications,
        f.probes,
        VERSION,
        if f.overrides.is_empty() {
            "none".to_string()
        } else {
            format!("`{}`", f.overrides.join(" "))
        },
        command,
        fmt_num(f.threshold),
        md_table(&ph, &pr),
        md_table(&rh, &rr),
    );
    files.push(("report.md".to_string(), md.into_bytes()));
    commit(dir, force, files)
}

/// The metrics an observation written by `observe` holds besides the curve.
pub const OBSERVED_METRICS: [Metric; 4] = [
    Metric::FullRecoveryS,
    Metric::WorstIncidentVms,
    Metric::SupervisorCrashes,
    Metric::VmReboots,
];

/// A monitored replication in the observation format, after `comments` (each a line
/// of its own, `# ` added).
pub fn observation_csv(m: &Monitored, comments: &[String]) -> String {
    let mut out: String = comments.iter().map(|c| format!("# {c}\n")).collect();
    if !m.curve.is_empty() {
        out.push_str("t_s,vms_up\n");
        for (t, up) in &m.curve {
            out.push_str(&format!("{t},{up}\n"));
        }
    }
    out.push_str("metric,value,sd\n");
    for metric in OBSERVED_METRICS {
        out.push_str(&format!(
            "{},{},\n",
            METRICS[metric as usize].key, m.metrics[metric]
        ));
    }
    out
}

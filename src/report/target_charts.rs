//! Charts of targets, with the target drawn as a dashed line: for a run or a
//! comparison, each design's values over replications sorted (its quantile curve: a
//! `pNN <= v` target is met where the curve at NN % lies under the line); for a sweep,
//! the target's statistic against the first swept parameter with the 10–90 % band of
//! replications.

use super::omit::PlotsText;
use super::plot::{self, LineChart, Series, TargetLine};
use super::series::{SweepAxis, TimeUnit};
use crate::experiment::targets::TargetResult;
use crate::experiment::{Study, Sweep};
use crate::metrics::METRICS;
use crate::metrics::stats::quantile;
use crate::scenario::target::{Stat, Target};

/// The unit a target's metric is drawn in: seconds become minutes or hours when long.
fn scale(t: &Target, max: f64) -> (f64, String) {
    let def = &METRICS[t.metric as usize];
    if def.unit == "s" {
        let u = TimeUnit::for_max(max.max(t.value), true);
        (u.secs, u.name.to_string())
    } else {
        (1.0, def.unit.to_string())
    }
}

fn target_line(t: &Target, scale: f64) -> Option<TargetLine> {
    Some(TargetLine {
        y: t.value / scale,
        label: format!("target: {}", t.text()),
    })
}

/// One chart per target of a run or comparison: each design's sorted values.
pub fn study_target_charts(study: &Study) -> Vec<LineChart> {
    study
        .targets
        .iter()
        .map(|t| {
            // Each replication's value with whether the horizon cut it.
            let sorted: Vec<(String, Vec<(f64, bool)>)> = study
                .designs
                .iter()
                .map(|(info, b)| {
                    let mut v: Vec<(f64, bool)> = b
                        .replications
                        .iter()
                        .map(|r| (r.metrics[t.metric], r.metrics.is_censored(t.metric)))
                        .collect();
                    v.sort_by(|a, b| a.0.total_cmp(&b.0));
                    (info.name.clone(), v)
                })
                .collect();
            let max = sorted
                .iter()
                .flat_map(|(_, v)| v.last().map(|p| p.0))
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            let (k, unit) = scale(t, max);
            let series = sorted
                .into_iter()
                .map(|(name, v)| {
                    let n = v.len();
                    Series {
                        label: name,
                        // Value i of n sits at the fraction (i + 1) / n of replications
                        // at or below it.
                        points: v
                            .iter()
                            .enumerate()
                            .map(|(i, x)| (100.0 * (i + 1) as f64 / n as f64, x.0 / k))
                            .collect(),
                        band: None,
                        hollow: if v.iter().any(|x| x.1) {
                            v.iter().map(|x| x.1).collect()
                        } else {
                            Vec::new()
                        },
                    }
                })
                .collect();
            LineChart {
                title: format!(
                    "{} over replications, sorted, against the target {}",
                    METRICS[t.metric as usize].key,
                    t.text()
                ),
                x_label: "replications at or below the value (%)".into(),
                y_label: format!("{} ({unit})", METRICS[t.metric as usize].key),
                series,
                y_from_zero: true,
                markers: true,
                target: target_line(t, k),
                ..Default::default()
            }
        })
        .collect()
}

/// One chart per target of a sweep: the statistic at each point against the first
/// swept parameter (one line per combination of the others), with the 10–90 % band
/// of replications, on the x axis [`SweepAxis`] chooses.
pub fn sweep_target_charts(sw: &Sweep, results: &[Vec<TargetResult>]) -> Vec<LineChart> {
    let axis = SweepAxis::of(sw);
    let xs = &axis.xs;
    sw.targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let bands: Vec<(f64, f64)> = sw
                .points
                .iter()
                .map(|(_, b)| {
                    let mut v = b.values(t.metric);
                    v.sort_by(f64::total_cmp);
                    (quantile(&v, 0.1), quantile(&v, 0.9))
                })
                .collect();
            let max = bands
                .iter()
                .map(|b| b.1)
                .chain(results.iter().map(|r| r[k].estimate))
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            let (s, unit) = scale(t, max);
            let mut series: Vec<Series> = Vec::new();
            for (i, (values, _)) in sw.points.iter().enumerate() {
                let label = sw.label(&values[1.min(values.len())..]);
                let idx = match series.iter().position(|x| x.label == label) {
                    Some(i) => i,
                    None => {
                        series.push(Series {
                            label,
                            points: Vec::new(),
                            band: Some(Vec::new()),
                            hollow: Vec::new(),
                        });
                        series.len() - 1
                    }
                };
                series[idx].points.push((xs[i], results[i][k].estimate / s));
                series[idx]
                    .hollow
                    .push(sw.points[i].1.censored(t.metric) > 0);
                if let Some(b) = &mut series[idx].band {
                    b.push((xs[i], bands[i].0 / s, bands[i].1 / s));
                }
            }
            for line in &mut series {
                if !line.hollow.contains(&true) {
                    line.hollow.clear();
                }
            }
            let stat = match t.stat {
                Stat::Mean => "mean".to_string(),
                Stat::Quantile(_) => t.stat_text(),
            };
            LineChart {
                title: format!(
                    "{}.{stat} vs {} (band: 10–90 % of replications), target {}",
                    METRICS[t.metric as usize].key,
                    sw.params.first().cloned().unwrap_or_default(),
                    t.text()
                ),
                x_label: axis.label.clone(),
                y_label: format!("{}.{stat} ({unit})", METRICS[t.metric as usize].key),
                series,
                y_from_zero: true,
                markers: true,
                target: target_line(t, s),
                x_log: axis.log,
                x_categories: axis.categories.clone(),
                ..Default::default()
            }
        })
        .collect()
}

/// Renders `charts` as `target_K.png` and `.svg` into `files`, and returns the
/// report.md lines that show them; a chart not worth drawing (see
/// [`plot::line_blank`]) gets its line in `plots` instead.
pub fn target_chart_files(
    charts: &[LineChart],
    files: &mut Vec<(String, Vec<u8>)>,
    plots: &mut PlotsText,
) -> Result<String, plot::PlotError> {
    let mut md = String::new();
    for (k, c) in charts.iter().enumerate() {
        let key = format!("target_{}", k + 1);
        if let Some(why) = plot::line_blank(c) {
            plots.omit(&key, &c.title, &why);
            continue;
        }
        files.push((format!("{key}.png"), plot::line_chart_png(c)?));
        files.push((format!("{key}.svg"), plot::line_chart_svg(c)?.into_bytes()));
        md.push_str(&format!("![{}]({key}.png)\n\n", c.title));
    }
    Ok(md)
}

//! The text summaries that `run`, `compare` and `sweep` print, and the summary rows
//! report.md shares with them.

pub use super::cells::{fitted_table, table};
use super::headline;
use crate::VERSION;
use crate::experiment::differences::{Verdict, sentence};
use crate::experiment::{Study, Sweep, point_summaries};
use crate::metrics::format::fmt_metric;
use crate::metrics::stats::NO_CI_REASON;
use crate::metrics::{Difference, METRICS, Metric, Summary, display_order};
use crate::scenario::ModelKind;

/// The metrics shown in text comparisons and sweeps (JSON has them all).
pub const KEY_METRICS: &[Metric] = &[
    Metric::VmAvailability,
    Metric::DowntimeMinPerVmYear,
    Metric::FullRecoveryS,
    Metric::SiteRecoveryS,
    Metric::ControlRecoveryS,
    Metric::VmOutageP99S,
    Metric::ControlLossHeadS,
    Metric::SupervisorCrashes,
    Metric::VmReboots,
];

fn header_lines(study: &Study) -> String {
    let mut out = String::new();
    for (info, _) in &study.designs {
        out.push_str(&format!(
            "model {} ({}, hash {})\n",
            info.name, info.path, info.hash
        ));
    }
    out.push_str(&format!(
        "seed {}, {} replications, bigvsim {}\n{}",
        study.seed,
        study.replications,
        VERSION,
        if study.independent_seeds {
            "independent seeds per design\n"
        } else if study.designs.len() > 1 {
            "common random numbers: replication i of every design uses the same seed\n"
        } else {
            ""
        },
    ));
    if !study.overrides.is_empty() {
        out.push_str(&format!("overrides: {}\n", study.overrides.join(" ")));
    }
    out
}

/// What a table prints where there is no interval (or spread) to print.
const NOT_AVAILABLE: &str = "n/a";

/// `[lo, hi]` of metric `m`, or `n/a` when there is no interval.
fn ci_cell(m: Metric, ci: Option<(f64, f64)>) -> String {
    match ci {
        Some((lo, hi)) => format!("[{}, {}]", fmt_metric(m, lo), fmt_metric(m, hi)),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// `mean [lo, hi]` of metric `m`, the cell of every summary table; `mean [n/a]` when
/// there is no interval.
fn mean_ci(m: Metric, mean: f64, ci: Option<(f64, f64)>) -> String {
    match ci {
        Some(_) => format!("{} {}", fmt_metric(m, mean), ci_cell(m, ci)),
        None => format!("{} [{NOT_AVAILABLE}]", fmt_metric(m, mean)),
    }
}

/// [`mean_ci`] of a summary.
fn summary_ci(m: Metric, s: &Summary) -> String {
    mean_ci(m, s.mean, s.ci95())
}

/// [`mean_ci`] of a difference.
fn difference_ci(m: Metric, d: &Difference) -> String {
    mean_ci(m, d.mean, d.ci95())
}

/// The line that says, once, why the tables above print `n/a`; empty when every
/// figure has its interval.
pub(super) fn no_ci_note(replications: impl IntoIterator<Item = usize>) -> String {
    if replications
        .into_iter()
        .any(|n| n < crate::metrics::stats::MIN_REPLICATIONS_FOR_CI)
    {
        format!("\n{NOT_AVAILABLE}: {NO_CI_REASON}\n")
    } else {
        String::new()
    }
}

/// The replications of each design of a study.
fn study_replications(study: &Study) -> impl Iterator<Item = usize> + '_ {
    study.designs.iter().map(|(_, b)| b.replications.len())
}

/// A heading row (`design` then each metric's heading) and one row per design of
/// `mean [95% CI]`.
pub fn design_rows(study: &Study, metrics: &[Metric]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["design".to_string()];
    header.extend(metrics.iter().map(|m| METRICS[*m as usize].heading()));
    let rows = study
        .designs
        .iter()
        .map(|(info, b)| {
            let mut row = vec![info.name.clone()];
            row.extend(metrics.iter().map(|m| {
                let cell = summary_ci(*m, &b.summary(*m));
                // A mean over values cut by the horizon is a lower bound.
                if b.censored(*m) > 0 {
                    format!("≥ {cell}")
                } else {
                    cell
                }
            }));
            row
        })
        .collect();
    (header, rows)
}

/// One row per design after the first: its difference against the first, `mean [95%
/// CI]` for each metric; and the verdict on each of those metrics, in one sentence,
/// where its CI excludes zero (report.md lists them under that heading).
pub fn difference_rows(study: &Study, metrics: &[Metric]) -> (Vec<Vec<String>>, Vec<String>) {
    let Some((base, _)) = study.designs.first() else {
        return (Vec::new(), Vec::new());
    };
    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    let all = study.verdicts();
    for ((d, (info, _)), judged) in study
        .differences()
        .iter()
        .zip(study.designs.iter().skip(1))
        .zip(&all)
    {
        let mut row = vec![info.name.clone()];
        for m in metrics {
            let x = &d[*m as usize];
            row.push(difference_ci(*m, x));
        }
        rows.push(row);
        verdicts.extend(
            judged
                .iter()
                .filter(|v| metrics.contains(&v.metric) && v.ci95.0 * v.ci95.1 > 0.0)
                .map(|v| sentence(&info.name, &base.name, v, study.min_effect)),
        );
    }
    (rows, verdicts)
}

/// One number format for the figures of one metric that sit side by side (a row of
/// a metric-per-row table, a column of a metric-per-column one): a fixed number of
/// decimals, chosen from the largest magnitude, so that the figures line up and read
/// alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixed {
    decimals: usize,
}

impl Fixed {
    /// The format for metric `m`'s `values` (NaN and infinities are skipped).
    /// Availability keeps 6 decimals, since its differences lie in the fourth;
    /// whole numbers get none; otherwise about four significant digits for the
    /// largest value, and at most 6 decimals.
    pub fn of(m: Metric, values: impl IntoIterator<Item = f64>) -> Fixed {
        if m == Metric::VmAvailability {
            return Fixed { decimals: 6 };
        }
        let mut largest = 0.0_f64;
        let mut whole = true;
        for x in values.into_iter().filter(|x| x.is_finite()) {
            largest = largest.max(x.abs());
            whole &= x.fract() == 0.0;
        }
        let decimals = if whole || largest == 0.0 || largest >= 1000.0 {
            0
        } else {
            (3 - libm::floor(libm::log10(largest)) as i64).clamp(0, 6) as usize
        };
        Fixed { decimals }
    }

    /// `x` with this format's decimals; `n/a` when it is not a number. A value that
    /// rounds to zero prints as `0`, never `-0`.
    pub fn fmt(self, x: f64) -> String {
        if !x.is_finite() {
            return "n/a".to_string();
        }
        let s = format!("{x:.*}", self.decimals);
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => s,
        }
    }

    /// `mean ± half-width`, the cell of the comparison tables; `± n/a` when the
    /// interval cannot be formed (fewer than two replications).
    pub fn pm(self, mean: f64, half: Option<f64>) -> String {
        let half = half.filter(|h| h.is_finite());
        format!(
            "{} ± {}",
            self.fmt(mean),
            half.map_or("n/a".to_string(), |h| self.fmt(h))
        )
    }
}

/// Half the width of a summary's 95 % CI, or None with fewer than two values.
pub(super) fn half_width(s: &Summary) -> Option<f64> {
    (s.n >= 2).then(|| (s.ci95_hi - s.ci95_lo) / 2.0)
}

/// The `run` summary: the answer in words, then one row per metric, each row in one
/// number format (the unit is in the metric's label). By default the metrics that fit
/// the model's kind, without those 0 in every replication, and the mean, its interval
/// and the spread; `all`: every metric and every column.
pub fn run_text(study: &Study, width: Option<usize>, all: bool) -> String {
    let Some((info, batch)) = study.designs.first() else {
        return header_lines(study);
    };
    let mut out = headline::wrap(
        &headline::run_headline(&info.name, batch),
        width.unwrap_or(usize::MAX),
    );
    out.push('\n');
    out.push_str(&header_lines(study));
    out.push('\n');
    let metrics: Vec<Metric> = if all {
        display_order(batch.horizon_us)
    } else {
        headline::shown_metrics(batch.kind, [batch], false)
    };
    let rows: Vec<Vec<String>> = metrics
        .iter()
        .map(|m| {
            let s = batch.summary(*m);
            let half = half_width(&s);
            let f = Fixed::of(*m, [s.mean, s.std, s.min, s.max, s.p50, s.p90, s.p99]);
            // Values cut by the horizon are lower bounds: the mean and the largest
            // are once any replication was cut, the smallest when all were.
            let cut = batch.censored(*m);
            let at_least = |bound: bool, x: f64| {
                let v = f.fmt(x);
                if bound { format!("≥ {v}") } else { v }
            };
            vec![
                METRICS[*m as usize].heading(),
                at_least(cut > 0, s.mean),
                half.map_or("n/a".to_string(), |h| format!("± {}", f.fmt(h))),
                f.fmt(s.std),
                at_least(cut > 0 && cut == s.n, s.min),
                // A quantile is a lower bound once the replications at or below it
                // include a cut one; which those are is not kept, so mark it as
                // soon as any was cut.
                at_least(cut > 0, s.p50),
                at_least(cut > 0, s.p90),
                at_least(cut > 0, s.p99),
                at_least(cut > 0, s.max),
            ]
        })
        .collect();
    let header: Vec<String> = [
        "metric", "mean", "95% CI", "std", "min", "p50", "p90", "p99", "max",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let columns = |cols: &[usize]| -> (Vec<String>, Vec<Vec<String>>) {
        let pick = |r: &[String]| cols.iter().map(|&i| r[i].clone()).collect();
        (pick(&header), rows.iter().map(|r| pick(r)).collect())
    };
    match (width, all) {
        (None, true) => out.push_str(&fitted_table(1, &header, &rows, None)),
        // Narrow: the mean with its interval, then the spread over replications,
        // rather than wherever the width happens to cut.
        (Some(_), true) => {
            let (h, r) = columns(&[0, 1, 2, 3]);
            out.push_str(&fitted_table(1, &h, &r, width));
            out.push_str(
                "
Spread over replications (quantiles: p99 of fewer than 100 lies between the two largest)

",
            );
            let (h, r) = columns(&[0, 4, 5, 6, 7, 8]);
            out.push_str(&fitted_table(1, &h, &r, width));
        }
        (_, false) => {
            let (h, r) = columns(&[0, 1, 2, 5, 6, 8]);
            out.push_str(&fitted_table(1, &h, &r, width));
        }
    }
    out.push_str(&no_ci_note(study_replications(study)));
    out.push_str(&study_targets_text(study, width));
    if Metric::ALL.iter().any(|m| batch.censored(*m) > 0) {
        out.push_str(
            "≥: an incident was still open at the horizon, so the value is a lower bound\n",
        );
    }
    if !all {
        out.push_str(&more_hint(metrics.len(), batch.kind, width));
    }
    out
}

/// The line that says what `--all` adds.
pub(super) fn more_hint(shown: usize, kind: ModelKind, width: Option<usize>) -> String {
    let text = format!(
        "{shown} of {} metrics shown: those that fit the {} model and are not 0 everywhere. --all shows every metric and column; --format json has them all.",
        Metric::ALL.len(),
        kind.word()
    );
    format!("\n{}", headline::wrap(&[text], width.unwrap_or(usize::MAX)))
}

/// The `compare` summary: the designs ranked in words, each design's metrics (one row
/// per metric, one column per design), then each design's change against the first
/// with its verdicts. By default the metrics that fit the model's kind, without those
/// 0 in every design; `all`: the key metrics of every kind and the verdict notes.
pub fn compare_text(study: &Study, width: Option<usize>, all: bool) -> String {
    let mut out = headline::wrap(
        &headline::compare_headline(study),
        width.unwrap_or(usize::MAX),
    );
    out.push('\n');
    out.push_str(&header_lines(study));
    out.push_str("\nEach design: mean ± half-width of the 95% CI\n\n");
    let kind = headline::kind_of(study);
    let metrics: Vec<Metric> = if all {
        Metric::ALL.to_vec()
    } else {
        headline::shown_metrics(kind, study.designs.iter().map(|(_, b)| b), false)
    };
    let mut header = vec!["metric".to_string()];
    header.extend(study.designs.iter().map(|(info, _)| info.name.clone()));
    let rows: Vec<Vec<String>> = metrics
        .iter()
        .map(|m| {
            let sums: Vec<Summary> = study.designs.iter().map(|(_, b)| b.summary(*m)).collect();
            let f = Fixed::of(
                *m,
                sums.iter()
                    .flat_map(|s| [s.mean, half_width(s).unwrap_or(0.0)]),
            );
            let mut row = vec![METRICS[*m as usize].heading()];
            row.extend(study.designs.iter().zip(&sums).map(|((_, b), s)| {
                let cell = f.pm(s.mean, half_width(s));
                if b.censored(*m) > 0 {
                    format!("≥ {cell}")
                } else {
                    cell
                }
            }));
            row
        })
        .collect();
    out.push_str(&fitted_table(1, &header, &rows, width));
    let Some(((base, base_batch), rest)) = study.designs.split_first() else {
        return out;
    };
    let n = base_batch.replications.len();
    let verdicts = study.verdicts();
    for (((info, batch), diffs), judged) in rest.iter().zip(study.differences()).zip(&verdicts) {
        let title = format!(
            "{} − {} ({}): change ± half-width of the 95% CI",
            info.name,
            base.name,
            if study.independent_seeds {
                "unpaired (Welch), independent seeds"
            } else {
                "paired over replications"
            }
        );
        out.push('\n');
        out.push_str(&headline::wrap(&[title], width.unwrap_or(usize::MAX)));
        out.push('\n');
        let rows: Vec<Vec<String>> = metrics
            .iter()
            .map(|m| {
                let d = &diffs[*m as usize];
                let half = (n >= 2).then(|| (d.ci95_hi - d.ci95_lo) / 2.0);
                let f = Fixed::of(*m, [d.mean, half.unwrap_or(0.0)]);
                let verdict: Option<&Verdict> = judged.iter().find(|v| v.metric == *m);
                let cut = base_batch.censored(*m) > 0 || batch.censored(*m) > 0;
                vec![
                    METRICS[*m as usize].heading(),
                    format!("{}{}", if cut { "≈ " } else { "" }, f.pm(d.mean, half)),
                    headline::percent_words(
                        *m,
                        &base_batch.summary(*m),
                        &batch.summary(*m),
                        verdict,
                        all,
                    ),
                    headline::verdict_words(study, *m, verdict, cut),
                ]
            })
            .collect();
        let header: Vec<String> = ["metric", "change", "% of baseline", "verdict"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        out.push_str(&fitted_table(1, &header, &rows, width));
    }
    let note = format!(
        "Verdicts: better or worse when the whole 95% CI lies beyond ±{} of the baseline's mean (--min-effect); \"real but small\" when it excludes 0 but lies within; \"better/worse, maybe by < {}\" when it excludes 0 but reaches within; \"no difference\" when it spans 0 within; inconclusive when it spans 0 and reaches beyond. None for neutral counts nor for distribution shapes (outage quantiles, the worst incident); \"context\" for a count that includes planned work. ≈: a value was cut by the horizon in one of the designs. vm_availability's percentages are of the baseline's unavailability.",
        study.min_effect, study.min_effect
    );
    out.push('\n');
    out.push_str(&headline::wrap(&[note], width.unwrap_or(usize::MAX)));
    if n < 2 {
        out.push_str(&no_ci_note([n]));
        out.push_str("No verdicts: one replication gives no confidence interval.\n");
    }
    out.push_str(&study_targets_text(study, width));
    if Metric::ALL
        .iter()
        .any(|m| study.designs.iter().any(|(_, b)| b.censored(*m) > 0))
    {
        out.push_str(
            "≥: an incident was still open at the horizon, so the value is a lower bound\n",
        );
    }
    if !all {
        out.push_str(&more_hint(metrics.len(), kind, width));
    }
    out
}

/// The targets table of a study, one row per design and target (empty without
/// targets).
fn study_targets_text(study: &Study, width: Option<usize>) -> String {
    let results: Vec<(String, Vec<_>)> = study
        .designs
        .iter()
        .map(|(info, _)| info.name.clone())
        .zip(study.target_results())
        .collect();
    super::targets::targets_text("design", &results, width)
}

/// A heading row (each parameter, then each key metric's heading) and one row per
/// sweep point of its parameter values and `mean [95% CI]` of each key metric.
pub fn sweep_rows(sw: &Sweep) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = sw.params.clone();
    header.extend(KEY_METRICS.iter().map(|m| METRICS[*m as usize].heading()));
    let rows = sw
        .points
        .iter()
        .map(|(values, batch)| {
            let mut row = values.clone();
            let s = point_summaries(batch);
            row.extend(KEY_METRICS.iter().map(|m| summary_ci(*m, &s[*m as usize])));
            row
        })
        .collect();
    (header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_keeps_one_format_for_a_metric() {
        // 594.2, 438.0 and 56.276 share one decimal (the largest is in the hundreds);
        // counts stay whole; availability keeps six decimals; -0.04 rounds to "0.0".
        let f = Fixed::of(Metric::DowntimeMinPerVmYear, [594.2, 438.0, 56.276]);
        assert_eq!(
            [f.fmt(594.2), f.fmt(438.0), f.fmt(56.276), f.fmt(-0.04)],
            ["594.2", "438.0", "56.3", "0.0"]
        );
        let c = Fixed::of(Metric::VmReboots, [17885.0, 437.0]);
        assert_eq!(c.pm(17885.0, Some(2375.4)), "17885 ± 2375");
        let a = Fixed::of(Metric::VmAvailability, [0.5]);
        assert_eq!(a.pm(0.998869, Some(0.000137)), "0.998869 ± 0.000137");
        let small = Fixed::of(Metric::VmOutageP50S, [0.0123]);
        assert_eq!(small.fmt(0.0123), "0.01230");
        assert_eq!(small.pm(f64::NAN, None), "n/a ± n/a");
    }

    #[test]
    fn fitted_tables_split_columns_to_fit_and_repeat_the_labels() {
        // Four 10-character columns after an 8-character label: 8 + 4 × 12 = 56
        // characters, so a width of 40 takes two columns per table, and None one table.
        let header: Vec<String> = ["label", "a", "b", "c", "d"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows = vec![
            std::iter::once("row-name".to_string())
                .chain((0..4).map(|i| format!("{i:>10}")))
                .collect::<Vec<_>>(),
        ];
        let split = fitted_table(1, &header, &rows, Some(40));
        assert_eq!(split.matches("row-name").count(), 2, "{split}");
        assert!(split.lines().all(|l| l.chars().count() <= 40), "{split}");
        let whole = fitted_table(1, &header, &rows, None);
        assert_eq!(whole.matches("row-name").count(), 1, "{whole}");
        assert_eq!(whole.lines().next().unwrap().chars().count(), 8 + 4 * 12);
    }
}

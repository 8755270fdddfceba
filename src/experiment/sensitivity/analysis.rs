//! From a study's per-sample means to its answers: each key metric's parameters
//! ranked by influence (SRRC with bootstrap 95 % intervals, on the baseline design),
//! and for every other design how often it beats the baseline, its worst case, and
//! the region where it loses.

use super::{ParamRecord, Sensitivity};
use crate::metrics::format::{fmt_metric, fmt_num};
use crate::metrics::influence::{Split, best_split, bootstrap_srrc, srrc};
use crate::metrics::stats::wilson95;
use crate::metrics::{Basis, Direction, METRICS, Metric};
use crate::model::Purpose;

/// Bootstrap resamples per metric.
pub const RESAMPLES: usize = 1000;

/// The metrics a study ranks and judges: the worst incident's recovery, and every
/// metric a comparison judges.
/// The worst incident's recovery leads: it is what an incident model is about.
pub fn key_metrics() -> Vec<Metric> {
    std::iter::once(Metric::FullRecoveryS)
        .chain(
            Metric::ALL
                .iter()
                .copied()
                .filter(|m| METRICS[*m as usize].judged()),
        )
        .collect()
}

/// One parameter's influence on one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Influence {
    /// Index into the study's parameters.
    pub param: usize,
    /// The standardised rank regression coefficient, in [-1, 1].
    pub effect: f64,
    /// Its percentile bootstrap 95 % interval (None when too few resamples could be
    /// regressed).
    pub ci95: Option<(f64, f64)>,
}

/// The parameters ranked for one metric, most influential first.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    pub metric: Metric,
    /// R² of the rank regression: how much of the metric's ranking the parameters
    /// explain as monotone effects.
    pub r2: f64,
    pub entries: Vec<Influence>,
}

/// The worst sample for a design: where its difference from the baseline is most
/// adverse.
#[derive(Clone, Debug, PartialEq)]
pub struct Worst {
    pub sample: u64,
    pub values: Vec<f64>,
    /// Design minus baseline, in the metric's unit.
    pub difference: f64,
}

/// How a design fares against the baseline on one metric across the samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Robustness {
    /// Index of the design (≥ 1).
    pub design: usize,
    pub metric: Metric,
    pub samples: u64,
    pub better: u64,
    pub worse: u64,
    /// Wilson 95 % interval of the fraction of samples in which it is better.
    pub ci95: (f64, f64),
    pub worst: Worst,
    /// The best one-parameter rule for where it loses.
    pub loses_when: Option<Split>,
    pub sentence: String,
}

/// Everything a study's outputs say.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// A warning when the samples are too few for a usable ranking
    /// ([`super::usable_samples`]).
    pub too_few: Option<String>,
    /// A warning when some rankings cannot tell their parameters apart
    /// ([`unresolved`]).
    pub unresolved: Option<String>,
    pub ranking: Vec<Ranking>,
    /// Key metrics that took one value in every sample: nothing to rank.
    pub constant: Vec<Metric>,
    pub robustness: Vec<Robustness>,
}

/// Column j of the sample values.
fn columns(s: &Sensitivity) -> Vec<Vec<f64>> {
    (0..s.params.len())
        .map(|j| s.results.iter().map(|r| r.values[j]).collect())
        .collect()
}

/// Design `k`'s mean of `m` in every sample.
fn means(s: &Sensitivity, k: usize, m: Metric) -> Vec<f64> {
    s.results.iter().map(|r| r.means[k][m as usize]).collect()
}

/// Analyses a whole study (every sample present).
pub fn analyse(s: &Sensitivity) -> Analysis {
    let x = columns(s);
    let mut ranking = Vec::new();
    let mut constant = Vec::new();
    for m in key_metrics() {
        let y = means(s, 0, m);
        let Some(fit) = srrc(&x, &y) else {
            constant.push(m);
            continue;
        };
        let mut rng = Purpose::Bootstrap.stream(s.seed, 0, m as u64);
        let cis = bootstrap_srrc(&x, &y, RESAMPLES, &mut rng);
        let mut entries: Vec<Influence> = fit
            .coefficients
            .iter()
            .zip(cis)
            .enumerate()
            .map(|(param, (&effect, ci95))| Influence {
                param,
                effect,
                ci95,
            })
            .collect();
        // Stable: equal influences keep the order the parameters were declared in.
        entries.sort_by(|a, b| b.effect.abs().total_cmp(&a.effect.abs()));
        ranking.push(Ranking {
            metric: m,
            r2: fit.r2,
            entries,
        });
    }
    let mut robustness = Vec::new();
    for k in 1..s.designs.len() {
        for m in key_metrics() {
            let def = &METRICS[m as usize];
            if def.direction == Direction::Neutral {
                continue;
            }
            robustness.push(robust(s, &x, k, m));
        }
    }
    Analysis {
        too_few: too_few(s.samples, s.params.len()),
        unresolved: unresolved(&ranking),
        ranking,
        constant,
        robustness,
    }
}

/// The warning of a study of `samples` samples of `params` parameters too few for a
/// usable ranking, if it is one.
pub fn too_few(samples: u64, params: usize) -> Option<String> {
    let usable = super::usable_samples(params);
    (samples < usable).then(|| {
        format!(
            "{samples} samples are too few to rank {params} parameters usefully: the coefficients and their intervals are loose; use --samples {usable} or more (3 per parameter and intercept, at least 20)"
        )
    })
}

/// Whether a ranking tells its parameters apart: not when it ranks two or more and
/// the 95 % CIs of all their coefficients overlap (share a point: the highest lower
/// end is at or below the lowest upper end), since then any order of them is
/// consistent with the samples. A coefficient without a CI counts as overlapping.
pub fn separates(r: &Ranking) -> bool {
    if r.entries.len() < 2 {
        return true;
    }
    let mut lo = f64::NEG_INFINITY;
    let mut hi = f64::INFINITY;
    for e in &r.entries {
        if let Some((l, h)) = e.ci95 {
            lo = lo.max(l);
            hi = hi.min(h);
        }
    }
    lo > hi
}

/// The warning of rankings that do not tell their parameters apart ([`separates`]),
/// naming their metrics, if there are any.
pub fn unresolved(ranking: &[Ranking]) -> Option<String> {
    let keys: Vec<&str> = ranking
        .iter()
        .filter(|r| !separates(r))
        .map(|r| METRICS[r.metric as usize].key)
        .collect();
    (!keys.is_empty()).then(|| {
        format!(
            "the ranking of {} does not tell the parameters apart: the 95 % CIs of all its coefficients overlap; more samples (--samples) narrow them",
            keys.join(", ")
        )
    })
}

/// Design `k` against the baseline on metric `m`.
fn robust(s: &Sensitivity, x: &[Vec<f64>], k: usize, m: Metric) -> Robustness {
    let def = &METRICS[m as usize];
    // Positive `gain`: the design is better in that sample.
    let sign = if def.direction == Direction::HigherIsBetter {
        1.0
    } else {
        -1.0
    };
    let base = means(s, 0, m);
    let design = means(s, k, m);
    let diff: Vec<f64> = design.iter().zip(&base).map(|(d, b)| d - b).collect();
    let better = diff.iter().filter(|d| sign * **d > 0.0).count() as u64;
    let loses: Vec<bool> = diff.iter().map(|d| sign * d < 0.0).collect();
    let worse = loses.iter().filter(|l| **l).count() as u64;
    let n = diff.len() as u64;
    let worst_at = (0..diff.len())
        .min_by(|&a, &b| (sign * diff[a]).total_cmp(&(sign * diff[b])))
        .unwrap_or(0);
    let worst = Worst {
        sample: s.results.get(worst_at).map_or(0, |r| r.index),
        values: s
            .results
            .get(worst_at)
            .map_or(Vec::new(), |r| r.values.clone()),
        difference: diff.get(worst_at).copied().unwrap_or(0.0),
    };
    let loses_when = best_split(x, &loses);
    let ci95 = wilson95(better, n.max(1)).unwrap_or((0.0, 1.0));
    let sentence = sentence(s, k, m, better, worse, n, ci95, &loses_when, &worst);
    Robustness {
        design: k,
        metric: m,
        samples: n,
        better,
        worse,
        ci95,
        worst,
        loses_when,
        sentence,
    }
}

/// The share of samples a losing-region rule must classify correctly to be stated as
/// "it loses when ...".
pub const SPLIT_FITS: f64 = 0.9;

/// A split as words: `brain.boot_slowdown_per_boot_on_site > 0.05`.
pub fn split_text(p: &ParamRecord, sp: &Split) -> String {
    format!(
        "{} {} {}",
        p.path,
        if sp.above { ">" } else { "<" },
        value_text(p, sp.threshold)
    )
}

/// A value of a parameter in words: `0.05`, `45 s`.
pub fn value_text(p: &ParamRecord, v: f64) -> String {
    if p.unit == "s" {
        format!("{} s", fmt_num(v))
    } else {
        fmt_num(v)
    }
}

/// The verdict in one sentence, as an engineer would say it in a design review.
#[allow(clippy::too_many_arguments)]
fn sentence(
    s: &Sensitivity,
    k: usize,
    m: Metric,
    better: u64,
    worse: u64,
    n: u64,
    ci95: (f64, f64),
    split: &Option<Split>,
    worst: &Worst,
) -> String {
    let def = &METRICS[m as usize];
    let key = def.key;
    let name = &s.designs[k].name;
    let ties = n.saturating_sub(better + worse);
    if ties == n {
        return format!("{name} and the baseline give the same {key} in every sample.");
    }
    let pct = |x: f64| format!("{:.0} %", 100.0 * x);
    let head = format!(
        "{name} beats the baseline on {key} in {} of samples ({better} of {n}, 95 % CI {}–{})",
        pct(better as f64 / n.max(1) as f64),
        pct(ci95.0),
        pct(ci95.1)
    );
    let tail = if worse == 0 {
        if ties == 0 {
            "; it never loses".to_string()
        } else {
            format!("; it never loses (the same in {ties})")
        }
    } else {
        let worst_text = format!(
            "at worst {}{} {}",
            if worst.difference >= 0.0 { "+" } else { "−" },
            fmt_metric(m, worst.difference.abs()),
            def.unit
        );
        let samples = if worse == 1 { "sample" } else { "samples" };
        match split {
            // A rule is worth stating only when it tells nearly every sample apart.
            Some(sp) if sp.correct as f64 >= SPLIT_FITS * n as f64 => {
                let p = &s.params[sp.column];
                format!(
                    "; it loses ({worse} {samples}, {worst_text}) when {} (this rule fits {} of {n} samples)",
                    split_text(p, sp),
                    sp.correct
                )
            }
            Some(sp) => format!(
                "; it loses in {worse} {samples} ({worst_text}), which no single assumption separates from the others (the best rule, {}, fits only {} of {n})",
                split_text(&s.params[sp.column], sp),
                sp.correct
            ),
            None => format!(
                "; it loses in {worse} {samples} ({worst_text}), which no single assumption separates from the others"
            ),
        }
    };
    let shape = if METRICS[m as usize].basis == Basis::Shape {
        " (a worst-incident figure: read it with its basis in mind)"
    } else {
        ""
    };
    format!("{head}{tail}{shape}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ranking of full_recovery_s with these 95 % CIs.
    fn ranking(cis: &[(f64, f64)]) -> Ranking {
        Ranking {
            metric: Metric::FullRecoveryS,
            r2: 0.5,
            entries: cis
                .iter()
                .enumerate()
                .map(|(param, &(lo, hi))| Influence {
                    param,
                    effect: (lo + hi) / 2.0,
                    ci95: Some((lo, hi)),
                })
                .collect(),
        }
    }

    #[test]
    fn a_ranking_separates_its_parameters_unless_every_interval_overlaps() {
        // [0.5, 0.9] and [-0.1, 0.3] are apart: the first parameter matters more.
        assert!(separates(&ranking(&[(0.5, 0.9), (-0.1, 0.3)])));
        // Three intervals sharing 0.2 (the highest lower end 0.2 ≤ the lowest upper
        // end 0.25): any order fits.
        let loose = ranking(&[(0.2, 0.9), (-0.3, 0.25), (0.0, 0.4)]);
        assert!(!separates(&loose));
        // One interval apart from the others is enough to rank something.
        assert!(separates(&ranking(&[(0.6, 0.9), (-0.3, 0.25), (0.0, 0.4)])));
        // A single parameter has nothing to be told apart from.
        assert!(separates(&ranking(&[(-0.5, 0.5)])));
        let w = unresolved(&[loose]).expect("a warning");
        assert!(w.contains("full_recovery_s"), "{w}");
        assert_eq!(unresolved(&[ranking(&[(0.5, 0.9), (-0.1, 0.3)])]), None);
    }
}

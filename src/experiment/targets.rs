//! Judging targets (service-level objectives) on a batch of replications.
//!
//! Each target gets two answers. The point answer, `met`: does the statistic it
//! bounds meet the bound? And the verdict, the answer with its uncertainty at 95 %
//! confidence. One definition holds for every command that judges targets (`run`,
//! `compare`, `sweep`, `merge`, `solve` and a model's `targets:`):
//!
//! - A replication meets the bound when its value does. A replication the horizon cut
//!   (an incident still open at the end) holds only a lower bound of its true value:
//!   it meets a `>=` bound when the lower bound does (and is unknown otherwise), never
//!   meets a `<=` bound (it is unknown when the lower bound is within the bound, and
//!   misses it otherwise).
//! - A quantile target `pQ <= v` is met when the fraction of replications that meet
//!   the bound is at least Q (`pQ >= v`: at least 1 − Q). Its verdict compares the
//!   Wilson 95 % interval of that fraction with Q.
//! - A mean target is met when the mean meets the bound and the cut replications
//!   cannot undo it (their true values are larger, so a cut mean never meets a `<=`
//!   bound). Its verdict compares the mean's Student-t 95 % interval with the bound.
//! - The verdict is `met` only when the target is met and `not_met` only when it is
//!   not; when the cut replications decide and their true values are unknown, the
//!   verdict is `cut_by_horizon`: a longer horizon would tell.

use super::Batch;
use crate::metrics::stats::{quantile, summarize, wilson95};
use crate::scenario::target::{Op, Stat, Target};

/// What can be said of a target with 95 % confidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetVerdict {
    /// Met, and the 95 % interval lies entirely on the right side.
    Met,
    /// Not met, and the 95 % interval lies entirely on the wrong side.
    NotMet,
    /// The interval straddles the bound: more replications would tell.
    TooCloseToCall,
    /// Too few replications for an interval.
    NoInterval,
    /// Not met as far as the run shows, but replications cut by the horizon decide,
    /// and their true values are unknown: a longer horizon would tell.
    CutByHorizon,
}

impl TargetVerdict {
    /// The key in JSON and CSV.
    pub fn key(self) -> &'static str {
        match self {
            TargetVerdict::Met => "met",
            TargetVerdict::NotMet => "not_met",
            TargetVerdict::TooCloseToCall => "too_close_to_call",
            TargetVerdict::NoInterval => "no_interval",
            TargetVerdict::CutByHorizon => "cut_by_horizon",
        }
    }

    /// The verdict in words, for tables.
    pub fn words(self) -> &'static str {
        match self {
            TargetVerdict::Met => "met",
            TargetVerdict::NotMet => "not met",
            TargetVerdict::TooCloseToCall => "too close to call",
            TargetVerdict::NoInterval => "n/a (1 replication)",
            TargetVerdict::CutByHorizon => "unknown: cut by the horizon (lengthen it)",
        }
    }
}

/// One target judged on one batch.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetResult {
    pub target: Target,
    /// Replications judged.
    pub n: usize,
    /// The statistic the target bounds (the mean or the quantile), in the metric's
    /// unit; over cut replications, a lower bound of it.
    pub estimate: f64,
    /// Whether the target is met (see the module's definition).
    pub met: bool,
    /// Replications known to meet the bound.
    pub met_count: u64,
    /// Replications cut by the horizon whose meeting the bound is unknown.
    pub unknown_count: u64,
    /// `met_count / n` (NaN when n = 0).
    pub fraction_met: f64,
    /// Wilson 95 % interval of `fraction_met`.
    pub ci95: Option<(f64, f64)>,
    /// The mean's Student-t 95 % interval (mean targets only).
    pub mean_ci95: Option<(f64, f64)>,
    pub verdict: TargetVerdict,
}

/// Judges `target` on the replications of `batch`.
pub fn judge(target: &Target, batch: &Batch) -> TargetResult {
    let m = target.metric;
    let replications: Vec<(f64, bool)> = batch
        .replications
        .iter()
        .map(|r| (r.metrics[m], r.metrics.is_censored(m)))
        .collect();
    judge_replications(target, &replications)
}

/// Whether one replication meets the bound: `Some(true)` or `Some(false)` when known,
/// `None` when the horizon cut it and its true value decides.
fn meets(target: &Target, value: f64, cut: bool) -> Option<bool> {
    let holds = target.holds(value);
    match (cut, target.op) {
        (false, _) => Some(holds),
        // The true value is at least `value`.
        (true, Op::AtLeast) => holds.then_some(true),
        (true, Op::AtMost) => (!holds).then_some(false),
    }
}

/// Judges `target` on the replications' values, each with whether the horizon cut it
/// (its value then a lower bound of the true one).
pub fn judge_replications(target: &Target, replications: &[(f64, bool)]) -> TargetResult {
    let n = replications.len();
    let values: Vec<f64> = replications.iter().map(|r| r.0).collect();
    let cut = replications.iter().any(|r| r.1);
    let (mut met_count, mut unknown_count) = (0u64, 0u64);
    for &(v, c) in replications {
        match meets(target, v, c) {
            Some(true) => met_count += 1,
            Some(false) => {}
            None => unknown_count += 1,
        }
    }
    let ci95 = wilson95(met_count, n as u64);
    let fraction_met = met_count as f64 / n as f64;
    let (estimate, mean_ci95, met, verdict) = match target.stat {
        Stat::Mean => {
            let s = summarize(&values);
            let ci = s.ci95();
            let holds = n > 0 && target.holds(s.mean);
            // The true mean is at least the mean seen: a cut batch's mean keeps an
            // `>=` bound it meets, and cannot be said to meet a `<=` bound.
            let met = holds && !(cut && target.op == Op::AtMost);
            let verdict = if cut && !met && (holds || target.op == Op::AtLeast) {
                TargetVerdict::CutByHorizon
            } else {
                match ci {
                    None => TargetVerdict::NoInterval,
                    Some((lo, hi)) if met && target.holds(lo) && target.holds(hi) => {
                        TargetVerdict::Met
                    }
                    Some((lo, hi)) if !met && !target.holds(lo) && !target.holds(hi) => {
                        TargetVerdict::NotMet
                    }
                    Some(_) => TargetVerdict::TooCloseToCall,
                }
            };
            (s.mean, ci, met, verdict)
        }
        Stat::Quantile(q) => {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            // The fraction meeting an `>=` bound is judged against 1 − q: `p10 >= v`
            // says at least 90 % of replications are at least v.
            let need = match target.op {
                Op::AtMost => q,
                Op::AtLeast => 1.0 - q,
            };
            // Counts against a fraction, with room for the rounding of `need`.
            let enough = |k: u64| n > 0 && k as f64 >= need * n as f64 - 1e-9;
            let met = enough(met_count);
            let verdict = if met {
                match ci95 {
                    _ if n < 2 => TargetVerdict::NoInterval,
                    Some((lo, _)) if lo >= need => TargetVerdict::Met,
                    _ => TargetVerdict::TooCloseToCall,
                }
            } else if enough(met_count + unknown_count) {
                TargetVerdict::CutByHorizon
            } else {
                // Even if every unknown replication met it, too few would.
                match wilson95(met_count + unknown_count, n as u64) {
                    _ if n < 2 => TargetVerdict::NoInterval,
                    Some((_, hi)) if hi < need => TargetVerdict::NotMet,
                    _ => TargetVerdict::TooCloseToCall,
                }
            };
            (quantile(&sorted, q), None, met, verdict)
        }
    };
    TargetResult {
        target: target.clone(),
        n,
        estimate,
        met,
        met_count,
        unknown_count,
        fraction_met,
        ci95,
        mean_ci95,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Target {
        Target::parse(text).unwrap()
    }

    /// Judges uncut `values`, checking that `met_count` of them meet the bound.
    fn judge_values(target: &Target, values: &[f64], met_count: u64) -> TargetResult {
        let reps: Vec<(f64, bool)> = values.iter().map(|v| (*v, false)).collect();
        let r = judge_replications(target, &reps);
        assert_eq!(r.met_count, met_count, "{}", target.text());
        r
    }

    #[test]
    fn a_quantile_target_is_judged_by_the_fraction_meeting_it() {
        // 100 values 1..=100 s: p90 is 90.1 s. `p90 <= 95` holds at the point and 95
        // of 100 meet the bound; Wilson's interval for 95/100 is (0.888, 0.978),
        // above 0.9 at its upper end only: too close to call.
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let r = judge_values(&t("full_recovery_s.p90 <= 95"), &values, 95);
        assert!(r.met);
        assert!((r.estimate - 90.1).abs() < 1e-9, "{}", r.estimate);
        assert_eq!(r.fraction_met, 0.95);
        assert_eq!(r.verdict, TargetVerdict::TooCloseToCall);
        // All 100 at most 100 s: the interval's lower end (0.963) clears 0.9.
        let r = judge_values(&t("full_recovery_s.p90 <= 100"), &values, 100);
        assert_eq!(r.verdict, TargetVerdict::Met);
        // 50 of 100 meet it: the interval's upper end (0.597) is below 0.9.
        let r = judge_values(&t("full_recovery_s.p90 <= 50"), &values, 50);
        assert!(!r.met);
        assert_eq!(r.verdict, TargetVerdict::NotMet);
    }

    #[test]
    fn an_at_least_quantile_is_judged_against_its_complement() {
        // `p10 >= 11`: 90 of 1..=100 are at least 11, and 90 % is what p10 needs, but
        // the interval straddles it.
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let r = judge_values(&t("vm_availability.p10 >= 11"), &values, 90);
        assert_eq!(r.verdict, TargetVerdict::TooCloseToCall);
        let r = judge_values(&t("vm_availability.p10 >= 2"), &values, 99);
        assert_eq!(r.verdict, TargetVerdict::Met);
    }

    #[test]
    fn a_mean_target_is_judged_by_the_means_interval() {
        let values = [10.0, 11.0, 12.0, 13.0];
        let r = judge_values(&t("full_recovery_s.mean <= 20"), &values, 4);
        assert_eq!((r.met, r.verdict), (true, TargetVerdict::Met));
        assert_eq!(r.estimate, 11.5);
        let r = judge_values(&t("full_recovery_s.mean <= 11.6"), &values, 2);
        assert_eq!((r.met, r.verdict), (true, TargetVerdict::TooCloseToCall));
        let r = judge_values(&t("full_recovery_s.mean >= 20"), &values, 0);
        assert_eq!((r.met, r.verdict), (false, TargetVerdict::NotMet));
        let one = judge_values(&t("full_recovery_s.mean <= 20"), &[10.0], 1);
        assert_eq!(one.verdict, TargetVerdict::NoInterval);
    }
}

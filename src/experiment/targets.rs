//! Judging targets (service-level objectives) on a batch of replications.
//!
//! Each target gets two answers. The point answer: does the statistic it bounds
//! (the mean, or a quantile over replications) meet the bound? And the answer with
//! its uncertainty: the fraction of replications that meet the bound, with a Wilson
//! 95 % interval, which is the estimated probability that one more run of the site
//! (one more replication: a day, a year) meets it. A quantile target `pQ <= v` is
//! met when at least a fraction Q of the replications are at most v, so its verdict
//! compares that interval with Q; a mean target's verdict compares the mean's own
//! 95 % interval with the bound.

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
}

impl TargetVerdict {
    /// The key in JSON and CSV.
    pub fn key(self) -> &'static str {
        match self {
            TargetVerdict::Met => "met",
            TargetVerdict::NotMet => "not_met",
            TargetVerdict::TooCloseToCall => "too_close_to_call",
            TargetVerdict::NoInterval => "no_interval",
        }
    }

    /// The verdict in words, for tables.
    pub fn words(self) -> &'static str {
        match self {
            TargetVerdict::Met => "met",
            TargetVerdict::NotMet => "not met",
            TargetVerdict::TooCloseToCall => "too close to call",
            TargetVerdict::NoInterval => "n/a (1 replication)",
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
    /// unit.
    pub estimate: f64,
    /// Whether `estimate` meets the bound.
    pub met: bool,
    /// Replications whose value meets the bound.
    pub met_count: u64,
    /// `met_count / n` (NaN when n = 0).
    pub fraction_met: f64,
    /// Wilson 95 % interval of `fraction_met`.
    pub ci95: Option<(f64, f64)>,
    /// The mean's Student-t 95 % interval (mean targets only).
    pub mean_ci95: Option<(f64, f64)>,
    pub verdict: TargetVerdict,
}

/// Judges `target` on the replications of `batch`.
///
/// A replication the horizon cut (an incident still open) holds a lower bound of its
/// true value: it meets an `>=` bound if the lower bound does, and never meets a
/// `<=` bound, since its true value is unknown beyond the horizon.
pub fn judge(target: &Target, batch: &Batch) -> TargetResult {
    let m = target.metric;
    let values = batch.values(m);
    let met_count = batch
        .replications
        .iter()
        .filter(|r| {
            let cut = r.metrics.is_censored(m);
            target.holds(r.metrics[m]) && !(cut && target.op == Op::AtMost)
        })
        .count() as u64;
    let mut r = judge_values(target, &values, met_count);
    // With a replication cut by the horizon, a `<=` statistic is only a lower
    // bound: the mean cannot be said to meet it, and a quantile only when enough
    // replications meet it outright.
    if target.op == Op::AtMost && batch.censored(m) > 0 {
        r.met = match target.stat {
            Stat::Mean => false,
            Stat::Quantile(q) => r.met && r.fraction_met >= q,
        };
    }
    r
}

/// Judges `target` on `values` of which `met_count` meet its bound.
pub fn judge_values(target: &Target, values: &[f64], met_count: u64) -> TargetResult {
    let n = values.len();
    let ci95 = wilson95(met_count, n as u64);
    let fraction_met = met_count as f64 / n as f64;
    let (estimate, mean_ci95, verdict) = match target.stat {
        Stat::Mean => {
            let s = summarize(values);
            let ci = s.ci95();
            let verdict = match ci {
                None => TargetVerdict::NoInterval,
                Some((lo, hi)) if target.holds(lo) && target.holds(hi) => TargetVerdict::Met,
                Some((lo, hi)) if !target.holds(lo) && !target.holds(hi) => TargetVerdict::NotMet,
                Some(_) => TargetVerdict::TooCloseToCall,
            };
            (s.mean, ci, verdict)
        }
        Stat::Quantile(q) => {
            let mut sorted = values.to_vec();
            sorted.sort_by(f64::total_cmp);
            // The fraction meeting an `>=` bound is judged against 1 − q: `p10 >= v`
            // says at least 90 % of replications are at least v.
            let need = match target.op {
                Op::AtMost => q,
                Op::AtLeast => 1.0 - q,
            };
            let verdict = match ci95 {
                _ if n < 2 => TargetVerdict::NoInterval,
                None => TargetVerdict::NoInterval,
                Some((lo, _)) if lo >= need => TargetVerdict::Met,
                Some((_, hi)) if hi < need => TargetVerdict::NotMet,
                Some(_) => TargetVerdict::TooCloseToCall,
            };
            (quantile(&sorted, q), None, verdict)
        }
    };
    TargetResult {
        target: target.clone(),
        n,
        estimate,
        met: n > 0 && target.holds(estimate),
        met_count,
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

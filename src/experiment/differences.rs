//! How the designs of a study differ from the first (the baseline), metric by metric,
//! and the plain-words verdict on each difference whose interval excludes zero.

use super::Batch;
use super::study::DesignInfo;
use crate::metrics::format::fmt_num;
use crate::metrics::stats::{Difference, LengthMismatch, paired_difference, welch_difference};
use crate::metrics::{METRICS, Metric};

/// Every design after the first against the first, metric by metric: paired over
/// replications when the designs shared their seeds, Welch's interval when not.
pub fn differences(
    designs: &[(DesignInfo, Batch)],
    paired: bool,
) -> Result<Vec<Vec<Difference>>, LengthMismatch> {
    let Some(((_, base), rest)) = designs.split_first() else {
        return Ok(Vec::new());
    };
    rest.iter()
        .map(|(_, b)| {
            Metric::ALL
                .iter()
                .map(|m| {
                    let (base, design) = (base.values(*m), b.values(*m));
                    if paired {
                        paired_difference(&base, &design)
                    } else {
                        Ok(welch_difference(&base, &design))
                    }
                })
                .collect()
        })
        .collect()
}

/// A plain-words verdict on one difference, or None when the CI includes zero or
/// there is no CI (fewer than two replications).
pub fn verdict(design: &str, baseline: &str, m: Metric, d: &Difference) -> Option<String> {
    if !d.significant() {
        return None;
    }
    let def = &METRICS[m as usize];
    let better = (d.mean > 0.0) == def.higher_is_better;
    let (verb, amount) = if d.mean > 0.0 {
        ("raises", d.mean)
    } else {
        ("lowers", -d.mean)
    };
    let (lo, hi) = if d.mean > 0.0 {
        (d.ci95_lo, d.ci95_hi)
    } else {
        (-d.ci95_hi, -d.ci95_lo)
    };
    Some(format!(
        "{design} {verb} {} by {} {} (95 % CI {} to {}) vs {baseline}: {}",
        def.key,
        fmt_num(amount),
        def.unit,
        fmt_num(lo),
        fmt_num(hi),
        if better { "better" } else { "worse" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_say_which_way_and_whether_it_helps() {
        // full_recovery_s is lower-is-better. A difference of -1.5 s with CI
        // [-2.4187, -0.5813] reads "fast lowers full_recovery_s by 1.500 s (95 % CI
        // 0.581300 to 2.419) vs base: better" (the interval turned round to the
        // amount lowered); +1.5 s with CI [0.5, 2.5] is "worse"; a CI that includes
        // zero gives no verdict.
        let lowered = Difference {
            mean: -1.5,
            ci95_lo: -2.418_7,
            ci95_hi: -0.581_3,
            paired: true,
            n: 4,
        };
        assert_eq!(
            verdict("fast", "base", Metric::FullRecoveryS, &lowered).as_deref(),
            Some(
                "fast lowers full_recovery_s by 1.500 s (95 % CI 0.581300 to 2.419) vs base: better"
            )
        );
        let raised = Difference {
            mean: 1.5,
            ci95_lo: 0.5,
            ci95_hi: 2.5,
            paired: true,
            n: 4,
        };
        assert_eq!(
            verdict("slow", "base", Metric::FullRecoveryS, &raised).as_deref(),
            Some(
                "slow raises full_recovery_s by 1.500 s (95 % CI 0.500000 to 2.500) vs base: worse"
            )
        );
        let unsure = Difference {
            ci95_hi: 0.1,
            ..lowered
        };
        assert_eq!(
            verdict("fast", "base", Metric::FullRecoveryS, &unsure),
            None
        );
        // One replication: whatever its numbers, no interval and so no verdict.
        let single = Difference { n: 1, ..lowered };
        assert_eq!(
            verdict("fast", "base", Metric::FullRecoveryS, &single),
            None
        );
    }
}

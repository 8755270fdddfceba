//! How the designs of a study differ from the first (the baseline), metric by metric,
//! and the verdict on each difference: better, worse, no material difference or
//! inconclusive, judged against the smallest change that matters ([`MinEffect`]).

use super::Batch;
use super::design::DesignInfo;
use crate::metrics::format::fmt_metric;
use crate::metrics::stats::{Difference, LengthMismatch, paired_difference, welch_difference};
use crate::metrics::{Direction, METRICS, Metric, Summary};

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

/// The smallest change that matters in practice, as a percentage of the baseline's
/// mean: a difference whose whole 95 % CI lies within ± this much is "no material
/// difference". `--min-effect 2%`; 1 % unless given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinEffect {
    pub percent: f64,
}

impl Default for MinEffect {
    fn default() -> MinEffect {
        MinEffect { percent: 1.0 }
    }
}

impl MinEffect {
    /// Parses `2%` (or `2 %`, `0.5%`). The percent sign is required, so that the value
    /// cannot be mistaken for an amount in the metric's unit.
    pub fn parse(text: &str) -> Result<MinEffect, String> {
        let bad = || {
            format!(
                "--min-effect {text:?}: expected a percentage of the baseline's mean from 0% to 100%, e.g. 2%"
            )
        };
        let number = text.trim().strip_suffix('%').ok_or_else(bad)?;
        let percent: f64 = number.trim().parse().map_err(|_| bad())?;
        if !(0.0..=100.0).contains(&percent) {
            return Err(bad());
        }
        Ok(MinEffect { percent })
    }

    /// The threshold in the metric's unit for a baseline whose relative changes are
    /// taken of `base` (see [`crate::metrics::MetricDef::relative_base`]).
    pub fn threshold(self, base: f64) -> f64 {
        self.percent / 100.0 * base.abs()
    }
}

impl std::fmt::Display for MinEffect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} %", self.percent)
    }
}

/// What a difference means for a design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// The whole CI lies beyond the threshold, on the better side.
    Better,
    /// The whole CI lies beyond the threshold, on the worse side.
    Worse,
    /// The whole CI lies within ± the threshold: whatever the change is, it is too
    /// small to matter.
    NoMaterialDifference,
    /// The CI reaches across the threshold (or zero): more replications are needed
    /// to say.
    Inconclusive,
}

impl Judgement {
    /// The key in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Judgement::Better => "better",
            Judgement::Worse => "worse",
            Judgement::NoMaterialDifference => "no_material_difference",
            Judgement::Inconclusive => "inconclusive",
        }
    }

    /// The words in text.
    pub fn words(self) -> &'static str {
        match self {
            Judgement::Better => "better",
            Judgement::Worse => "worse",
            Judgement::NoMaterialDifference => "no material difference",
            Judgement::Inconclusive => "inconclusive",
        }
    }
}

/// What a difference is, in the words a reader agrees with: [`Judgement`] told
/// apart by whether the 95 % CI excludes zero, so that a change that is certainly
/// there but small is not called inconclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The whole CI lies beyond `--min-effect`, on the better side.
    Better,
    /// The whole CI lies beyond `--min-effect`, on the worse side.
    Worse,
    /// The CI excludes zero on the better side but reaches inside `--min-effect`: a
    /// real improvement, perhaps smaller than the smallest change that matters.
    BetterMaybeSmall,
    /// As [`Finding::BetterMaybeSmall`], on the worse side.
    WorseMaybeSmall,
    /// The CI excludes zero and lies within ± `--min-effect`: real but too small to
    /// matter.
    RealButSmall,
    /// The CI spans zero and lies within ± `--min-effect`: no difference that matters.
    NoDifference,
    /// The CI spans zero and reaches beyond `--min-effect`: more replications needed.
    Inconclusive,
}

impl Finding {
    /// The finding of a verdict: its judgement, and whether its CI excludes zero.
    pub fn of(v: &Verdict) -> Finding {
        let (lo, hi) = v.ci95;
        let real = lo > 0.0 || hi < 0.0;
        let better_side =
            (lo > 0.0) == (METRICS[v.metric as usize].direction == Direction::HigherIsBetter);
        match (v.judgement, real) {
            (Judgement::Better, _) => Finding::Better,
            (Judgement::Worse, _) => Finding::Worse,
            (Judgement::NoMaterialDifference, true) => Finding::RealButSmall,
            (Judgement::NoMaterialDifference, false) => Finding::NoDifference,
            (Judgement::Inconclusive, true) if better_side => Finding::BetterMaybeSmall,
            (Judgement::Inconclusive, true) => Finding::WorseMaybeSmall,
            (Judgement::Inconclusive, false) => Finding::Inconclusive,
        }
    }

    /// The key in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Finding::Better => "better",
            Finding::Worse => "worse",
            Finding::BetterMaybeSmall => "better_maybe_small",
            Finding::WorseMaybeSmall => "worse_maybe_small",
            Finding::RealButSmall => "real_but_small",
            Finding::NoDifference => "no_difference",
            Finding::Inconclusive => "inconclusive",
        }
    }

    /// The words in text, with the smallest change that matters where it decides.
    pub fn words(self, min_effect: MinEffect) -> String {
        match self {
            Finding::Better => "better".to_string(),
            Finding::Worse => "worse".to_string(),
            Finding::BetterMaybeSmall => format!("better, maybe by < {min_effect}"),
            Finding::WorseMaybeSmall => format!("worse, maybe by < {min_effect}"),
            Finding::RealButSmall => format!("real but small: < {min_effect}"),
            Finding::NoDifference => "no difference".to_string(),
            Finding::Inconclusive => "inconclusive: CI spans 0".to_string(),
        }
    }
}

/// The verdict on one metric of one design against the baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    pub metric: Metric,
    pub judgement: Judgement,
    /// Design − baseline, in the metric's unit, with its 95 % CI.
    pub change: f64,
    pub ci95: (f64, f64),
    /// The change and its CI as a percentage of the baseline's mean (of its
    /// unavailability for availability; the baseline taken as fixed); None when that
    /// is 0.
    pub change_pct: Option<f64>,
    pub ci95_pct: Option<(f64, f64)>,
}

/// The verdict on difference `d` in metric `m`, or None when none can be given: the
/// metric is neutral or describes a distribution's shape (see
/// [`crate::metrics::MetricDef::judged`]), or the baseline has fewer than two
/// replications, so the difference has no CI.
pub fn verdict(
    m: Metric,
    d: &Difference,
    baseline: &Summary,
    min_effect: MinEffect,
) -> Option<Verdict> {
    let def = &METRICS[m as usize];
    let (lo, hi) = (d.ci95_lo, d.ci95_hi);
    if !def.judged() || baseline.n < 2 || !(lo.is_finite() && hi.is_finite() && d.mean.is_finite())
    {
        return None;
    }
    let base = def.relative_base(baseline.mean);
    let t = min_effect.threshold(base);
    let judgement = if lo >= -t && hi <= t {
        Judgement::NoMaterialDifference
    } else if lo > t || hi < -t {
        let up = lo > t;
        if up == (def.direction == Direction::HigherIsBetter) {
            Judgement::Better
        } else {
            Judgement::Worse
        }
    } else {
        Judgement::Inconclusive
    };
    let pct = |x: f64| 100.0 * x / base;
    let relative = base != 0.0 && base.is_finite();
    Some(Verdict {
        metric: m,
        judgement,
        change: d.mean,
        ci95: (lo, hi),
        change_pct: relative.then(|| pct(d.mean)),
        ci95_pct: relative.then(|| (pct(lo), pct(hi))),
    })
}

/// A percentage with a sign and two decimals (`+0.03 %`, `-26.29 %`); a value that
/// rounds to zero is `0.00 %`, with no sign.
pub fn fmt_pct(x: f64) -> String {
    let s = format!("{x:+.2}");
    if s[1..] == *"0.00" {
        "0.00 %".to_string()
    } else {
        format!("{s} %")
    }
}

/// A verdict in one sentence: "fast vs base: full_recovery_s -1.500 s (95 % CI
/// -2.419 to -0.581300), -15.00 % (CI -24.19 % to -5.81 %): better".
pub fn sentence(design: &str, baseline: &str, v: &Verdict, min_effect: MinEffect) -> String {
    let def = &METRICS[v.metric as usize];
    let m = v.metric;
    let relative = match (v.change_pct, v.ci95_pct) {
        (Some(p), Some((lo, hi))) => {
            format!(", {} (CI {} to {})", fmt_pct(p), fmt_pct(lo), fmt_pct(hi))
        }
        _ => String::new(),
    };
    format!(
        "{design} vs {baseline}: {} {} {} (95 % CI {} to {}){relative}: {}",
        def.key,
        fmt_metric(m, v.change),
        def.unit,
        fmt_metric(m, v.ci95.0),
        fmt_metric(m, v.ci95.1),
        Finding::of(v).words(min_effect)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(n: usize, mean: f64) -> Summary {
        Summary {
            n,
            mean,
            std: 1.0,
            ci95_lo: mean - 1.0,
            ci95_hi: mean + 1.0,
            min: mean - 2.0,
            max: mean + 2.0,
            p50: mean,
            p90: mean + 1.5,
            p99: mean + 2.0,
        }
    }

    fn diff(lo: f64, hi: f64) -> Difference {
        Difference {
            mean: (lo + hi) / 2.0,
            ci95_lo: lo,
            ci95_hi: hi,
            paired: true,
            n: 30,
        }
    }

    fn judge(m: Metric, base_mean: f64, lo: f64, hi: f64) -> Option<Judgement> {
        verdict(
            m,
            &diff(lo, hi),
            &baseline(30, base_mean),
            MinEffect::default(),
        )
        .map(|v| v.judgement)
    }

    #[test]
    fn verdicts_weigh_the_whole_interval_against_the_threshold() {
        // Downtime is lower-is-better; with a baseline mean of 200 the default 1 %
        // threshold is 2 min/VM-year. A CI wholly below -2 is better, wholly above +2
        // worse, wholly within ±2 no material difference; a CI across -2, +2 or zero
        // is inconclusive.
        let m = Metric::DowntimeMinPerVmYear;
        assert_eq!(judge(m, 200.0, -40.0, -20.0), Some(Judgement::Better));
        assert_eq!(judge(m, 200.0, 20.0, 40.0), Some(Judgement::Worse));
        assert_eq!(
            judge(m, 200.0, -1.0, 1.5),
            Some(Judgement::NoMaterialDifference)
        );
        assert_eq!(judge(m, 200.0, 1.0, 6.0), Some(Judgement::Inconclusive));
        assert_eq!(judge(m, 200.0, -6.0, 6.0), Some(Judgement::Inconclusive));
        // Availability is higher-is-better: a rise beyond 1 % of 0.5 is better.
        let a = Metric::VmAvailability;
        assert_eq!(judge(a, 0.5, 0.01, 0.02), Some(Judgement::Better));
        assert_eq!(judge(a, 0.5, -0.02, -0.01), Some(Judgement::Worse));
        // Availability's percentages are of the baseline's unavailability: 0.998 to
        // 0.999 halves the downtime, +50 %, and is better, though only 0.1 % of 0.998.
        let v = verdict(
            a,
            &diff(0.0009, 0.0011),
            &baseline(30, 0.998),
            MinEffect::default(),
        )
        .unwrap();
        assert_eq!(v.judgement, Judgement::Better);
        assert!((v.change_pct.unwrap() - 50.0).abs() < 1e-9, "{v:?}");
        // --min-effect 10% makes the 20 to 40 rise above 200 immaterial only in part:
        // the threshold 20 is the CI's lower end, so it is inconclusive; at 25 % it is
        // no material difference.
        let at = |percent: f64| {
            verdict(
                m,
                &diff(20.0, 40.0),
                &baseline(30, 200.0),
                MinEffect { percent },
            )
            .map(|v| v.judgement)
        };
        assert_eq!(at(10.0), Some(Judgement::Inconclusive));
        assert_eq!(at(25.0), Some(Judgement::NoMaterialDifference));
    }

    #[test]
    fn verdicts_give_the_change_in_units_and_in_percent_of_the_baseline() {
        // -40 to -20 around a baseline of 200: change -30 = -15 %, CI -20 % to -10 %.
        let v = verdict(
            Metric::DowntimeMinPerVmYear,
            &diff(-40.0, -20.0),
            &baseline(30, 200.0),
            MinEffect::default(),
        )
        .unwrap();
        assert_eq!((v.change, v.ci95), (-30.0, (-40.0, -20.0)));
        assert_eq!(v.change_pct, Some(-15.0));
        assert_eq!(v.ci95_pct, Some((-20.0, -10.0)));
        assert_eq!(
            sentence("fast", "base", &v, MinEffect::default()),
            "fast vs base: downtime_min_per_vm_year -30 min/VM-year (95 % CI -40 to -20), \
             -15.00 % (CI -20.00 % to -10.00 %): better"
        );
        // A baseline of 0 has no relative change, and its threshold is 0: an interval
        // of exactly [0, 0] is no material difference, anything wholly above 0 worse.
        let z = Metric::ControlLossHeadS;
        let v = verdict(z, &diff(0.0, 0.0), &baseline(30, 0.0), MinEffect::default()).unwrap();
        assert_eq!(
            (v.judgement, v.change_pct, v.ci95_pct),
            (Judgement::NoMaterialDifference, None, None)
        );
        assert_eq!(judge(z, 0.0, 1.0, 2.0), Some(Judgement::Worse));
    }

    #[test]
    fn no_verdict_for_neutral_counts_shapes_or_a_single_replication() {
        // vm_reboots is neutral, vm_outage_p99_s and full_recovery_s describe a
        // distribution's shape; one replication (or an interval that is not finite)
        // has no CI to judge by.
        assert_eq!(judge(Metric::VmReboots, 100.0, 50.0, 60.0), None);
        assert_eq!(judge(Metric::VmOutageP99S, 100.0, 50.0, 60.0), None);
        assert_eq!(judge(Metric::FullRecoveryS, 100.0, -60.0, -50.0), None);
        let d = Metric::DowntimeMinPerVmYear;
        let one = verdict(
            d,
            &diff(50.0, 60.0),
            &baseline(1, 100.0),
            MinEffect::default(),
        );
        assert_eq!(one, None);
        assert_eq!(judge(d, 100.0, f64::NAN, f64::NAN), None);
    }

    #[test]
    fn min_effect_takes_a_percentage_only() {
        assert_eq!(MinEffect::parse("2%"), Ok(MinEffect { percent: 2.0 }));
        assert_eq!(MinEffect::parse(" 0.5 % "), Ok(MinEffect { percent: 0.5 }));
        assert_eq!(MinEffect::parse("0%"), Ok(MinEffect { percent: 0.0 }));
        for bad in ["2", "-1%", "101%", "two%", "%", "NaN%"] {
            let e = MinEffect::parse(bad).unwrap_err();
            assert!(e.contains("e.g. 2%"), "{bad}: {e}");
        }
        assert_eq!(MinEffect::default().threshold(-300.0), 3.0);
    }
}

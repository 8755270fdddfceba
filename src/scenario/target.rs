//! Targets (service-level objectives) on a metric: `site_recovery_s.p90 <= 1h`,
//! `vm_availability.mean >= 0.9995`. One syntax for a model file's `targets: [...]`
//! and the command line's `--target`.
//!
//! A target names a metric (a key of [`crate::metrics::METRICS`]), a statistic over
//! replications (`mean`, or a quantile `pNN` with 0 < NN < 100) and a bound (`<=` or
//! `>=`, also written `≤` `≥`). The bound is in the metric's unit; a metric in
//! seconds also takes a duration (`1h`, `90s`, `1h30m`).

use super::duration::parse_duration_us;
use crate::engine::US_PER_S;
use crate::metrics::{METRICS, Metric};

/// The statistic over replications that a target bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stat {
    /// The mean over replications.
    Mean,
    /// The `q` quantile over replications, 0 < q < 1.
    Quantile(f64),
}

/// Which side of the bound meets the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    AtMost,
    AtLeast,
}

/// A target on one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub metric: Metric,
    pub stat: Stat,
    pub op: Op,
    /// The bound, in the metric's unit.
    pub value: f64,
    /// The bound as written (`1h`), for outputs.
    pub value_text: String,
}

pub use super::schema::TARGET_FORM;

impl Target {
    /// Parses `METRIC.STAT<=VALUE` (spaces allowed around the operator).
    pub fn parse(text: &str) -> Result<Target, String> {
        let bad = |why: String| {
            format!(
                "`{}`: {why}; expected {TARGET_FORM}",
                super::error::printable(text)
            )
        };
        let (lhs, op, rhs) = [("<=", Op::AtMost), (">=", Op::AtLeast)]
            .into_iter()
            .chain([("≤", Op::AtMost), ("≥", Op::AtLeast)])
            .find_map(|(sym, op)| text.split_once(sym).map(|(l, r)| (l, op, r)))
            .ok_or_else(|| bad("no `<=` or `>=`".to_string()))?;
        // Metric keys have no dots, and a quantile may have one (`p99.9`).
        let (key, stat) = lhs
            .trim()
            .split_once('.')
            .ok_or_else(|| bad("no `.STAT` after the metric".to_string()))?;
        let metric = Metric::ALL
            .iter()
            .copied()
            .find(|m| METRICS[*m as usize].key == key)
            .ok_or_else(|| {
                let keys: Vec<&str> = METRICS.iter().map(|d| d.key).collect();
                let hint = super::suggest::nearest(key, &keys)
                    .map_or(String::new(), |k| format!(" (did you mean `{k}`?)"));
                bad(format!(
                    "`{}` is not a metric{hint}",
                    super::error::printable(key)
                ))
            })?;
        let stat = parse_stat(stat).map_err(bad)?;
        let value_text = rhs.trim().trim_matches('"').to_string();
        let value = parse_value(metric, &value_text).map_err(bad)?;
        Ok(Target {
            metric,
            stat,
            op,
            value,
            value_text,
        })
    }

    /// The statistic as written: `mean`, `p90`, `p99.9`.
    pub fn stat_text(&self) -> String {
        match self.stat {
            Stat::Mean => "mean".to_string(),
            Stat::Quantile(q) => format!("p{}", trim_number(q * 100.0)),
        }
    }

    /// The target as one would write it: `site_recovery_s.p90 <= 1h`.
    pub fn text(&self) -> String {
        let op = match self.op {
            Op::AtMost => "<=",
            Op::AtLeast => ">=",
        };
        format!(
            "{}.{} {op} {}",
            METRICS[self.metric as usize].key,
            self.stat_text(),
            self.value_text
        )
    }

    /// Whether the value `x` of one replication (or of the statistic) meets the bound.
    pub fn holds(&self, x: f64) -> bool {
        match self.op {
            Op::AtMost => x <= self.value,
            Op::AtLeast => x >= self.value,
        }
    }
}

/// `mean` or `pNN` (0 < NN < 100) → the statistic.
fn parse_stat(text: &str) -> Result<Stat, String> {
    let text = text.trim();
    if text == "mean" {
        return Ok(Stat::Mean);
    }
    let pct = text
        .strip_prefix('p')
        .and_then(|n| n.parse::<f64>().ok())
        .ok_or_else(|| format!("`{text}` is not a statistic"))?;
    if !(pct > 0.0 && pct < 100.0) {
        return Err(format!(
            "`{text}`: a quantile must lie strictly between p0 and p100 (a maximum over replications only grows with more of them: bound a high quantile such as p99 instead)"
        ));
    }
    Ok(Stat::Quantile(pct / 100.0))
}

/// The bound in the metric's unit: a number, or for a metric in seconds a duration.
fn parse_value(metric: Metric, text: &str) -> Result<f64, String> {
    if let Ok(v) = text.parse::<f64>() {
        return if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("`{text}` is not a finite number"))
        };
    }
    if METRICS[metric as usize].unit == "s" {
        let us = parse_duration_us(text).map_err(|e| format!("`{text}`: {e}"))?;
        return Ok(us as f64 / US_PER_S as f64);
    }
    Err(format!(
        "`{text}` is not a number (in {})",
        METRICS[metric as usize].unit
    ))
}

/// A number without trailing zeros: 90, 99.9.
fn trim_number(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let t = Target::parse("site_recovery_s.p90<=1h").unwrap();
        assert_eq!(
            (t.metric, t.stat, t.op, t.value),
            (
                Metric::SiteRecoveryS,
                Stat::Quantile(0.9),
                Op::AtMost,
                3600.0
            )
        );
        assert_eq!(t.text(), "site_recovery_s.p90 <= 1h");
        let t = Target::parse(" vm_availability.mean >= 0.9995 ").unwrap();
        assert_eq!((t.stat, t.op, t.value), (Stat::Mean, Op::AtLeast, 0.9995));
        assert!(t.holds(0.9995) && !t.holds(0.999));
        let t = Target::parse("full_recovery_s.p99.9 ≤ 7200").unwrap();
        assert_eq!(t.stat_text(), "p99.9");
        assert_eq!(t.value, 7200.0);
    }

    #[test]
    fn refuses_what_it_cannot_read_and_says_what_is_allowed() {
        for (text, why) in [
            ("site_recovery_s.p90 = 1h", "no `<=` or `>=`"),
            ("site_recovery_s<=1h", "no `.STAT`"),
            ("site_recovery.p90<=1h", "did you mean `site_recovery_s`"),
            ("site_recovery_s.p100<=1h", "strictly between"),
            ("site_recovery_s.max<=1h", "not a statistic"),
            ("site_recovery_s.p90<=1 hour", "1 hour"),
            ("vm_availability.mean>=1h", "not a number (in fraction)"),
            ("vm_availability.mean>=NaN", "not a finite number"),
        ] {
            let e = Target::parse(text).unwrap_err();
            assert!(
                e.contains(why) && e.contains("expected METRIC.STAT"),
                "{text}: {e}"
            );
        }
    }
}

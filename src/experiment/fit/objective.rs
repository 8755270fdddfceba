//! The distance between a simulated and an observed incident.
//!
//! Both are reduced to the times by which 10 %, 20 %, ..., 100 % of the VMs that went
//! down ran again. The distance compares the *steps* between consecutive deciles
//! (the first from the incident's start), not the deciles themselves: a replication
//! that recovers slowly is slow at every decile at once, so the deciles are strongly
//! correlated, while the steps are close to independent, and a sum of squared
//! standardized steps behaves like a chi-square. Each step's difference is divided by
//! its standard deviation: the spread of the simulated step over the replications
//! (the incident is one draw of the model; the mean over R replications adds 1/R of
//! it) and the observation's own grain at each end (a crossing between two samples Δ
//! apart, with n VMs back between them, is known to Δ/(2√n): the wobble of n
//! arrivals about the straight line drawn between the samples; at most Δ/√12, a
//! crossing anywhere between them). A scalar observation adds one term the same way, with
//! its `sd` in place of the grain.

use crate::engine::{Micros, US_PER_S};
use crate::metrics::{Metric, RECOVERY_QUANTILES, RunMetrics};
use crate::scenario::observed::{Observation, ObservedError, Scalar};

/// The deciles a curve is compared on (the first ten of [`RECOVERY_QUANTILES`]).
pub const DECILES: usize = 10;

/// A standard deviation never taken below this many seconds, so that a model without
/// spread and a curve without grain still give a finite distance.
const FLOOR_S: f64 = 1.0;

/// A scalar's standard deviation is never taken below this share of its value (or of
/// 1 for a value under 1).
const SCALAR_FLOOR: f64 = 1e-3;

/// One observed incident, reduced to what the objective compares.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedIncident {
    /// The file it came from, for outputs.
    pub file: String,
    /// (seconds since the first death, VMs down) as observed.
    pub down: Vec<(f64, u64)>,
    /// The most VMs down at once: the VMs the incident took down.
    pub peak: u64,
    /// Seconds until each decile of them ran again; None when the curve ends first.
    pub deciles_s: [Option<f64>; DECILES],
    /// The grain of each decile's time: Δ/(2√n) for the samples around it Δ apart with
    /// n VMs back between them, at most Δ/√12.
    pub grain_s: [f64; DECILES],
    pub scalars: Vec<Scalar>,
}

impl ObservedIncident {
    /// Reduces an observation of a model with `model_vms` VMs.
    pub fn new(
        file: &str,
        o: &Observation,
        model_vms: u64,
    ) -> Result<ObservedIncident, ObservedError> {
        let down = o.down_curve(model_vms)?.unwrap_or_default();
        let (peak, deciles_s, grain_s) = observed_deciles(&down);
        Ok(ObservedIncident {
            file: file.to_string(),
            down,
            peak,
            deciles_s,
            grain_s,
            scalars: o.scalars.clone(),
        })
    }
}

/// The peak of VMs down, and the time at which each decile of them was back (the
/// first time after the peak the count down fell to `peak − ceil(q·peak)` or below,
/// interpolated linearly between the two samples around it) with its grain.
pub fn observed_deciles(down: &[(f64, u64)]) -> (u64, [Option<f64>; DECILES], [f64; DECILES]) {
    let mut deciles = [None; DECILES];
    let mut grain = [0.0; DECILES];
    let Some((at_peak, &(_, peak))) = down
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.1.cmp(&b.1.1).then(b.0.cmp(&a.0)))
    else {
        return (0, deciles, grain);
    };
    if peak == 0 {
        return (0, deciles, grain);
    }
    for (d, q) in RECOVERY_QUANTILES[..DECILES].iter().enumerate() {
        let k = (libm::ceil(q * peak as f64) as u64).clamp(1, peak);
        let left = (peak - k) as f64;
        let Some(j) = (at_peak + 1..down.len()).find(|&j| down[j].1 as f64 <= left) else {
            continue;
        };
        let (t0, n0) = (down[j - 1].0, down[j - 1].1 as f64);
        let (t1, n1) = (down[j].0, down[j].1 as f64);
        // n0 > left ≥ n1: the count crossed `left` between the two samples.
        let f = (n0 - left) / (n0 - n1);
        deciles[d] = Some(t0 + f * (t1 - t0));
        let between = (n0 - n1).max(1.0);
        grain[d] = ((t1 - t0) / (2.0 * between.sqrt())).min((t1 - t0) / 12f64.sqrt());
    }
    (peak, deciles, grain)
}

/// What one replication contributes: the worst incident's decile times (seconds) and
/// every metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub deciles_s: [f64; DECILES],
    pub metrics: RunMetrics,
}

impl Sample {
    /// A replication's sample from its worst incident's recovery times (all 0 when no
    /// VM went down).
    pub fn new(
        recover_us: Option<[Micros; RECOVERY_QUANTILES.len()]>,
        metrics: RunMetrics,
    ) -> Self {
        let mut deciles_s = [0.0; DECILES];
        if let Some(r) = recover_us {
            for (d, us) in deciles_s.iter_mut().zip(r) {
                *d = us as f64 / US_PER_S as f64;
            }
        }
        Sample { deciles_s, metrics }
    }
}

/// Mean and variance (n − 1) of values.
fn mean_var(v: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = v.clone().count() as f64;
    if n == 0.0 {
        return (0.0, 0.0);
    }
    let mean = v.clone().sum::<f64>() / n;
    let var = if n > 1.0 {
        v.map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var)
}

/// One term of the distance, kept for the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// Index of the observed incident.
    pub incident: usize,
    pub what: TermKind,
    pub observed: f64,
    /// The simulated mean over the replications.
    pub simulated: f64,
    /// The standard deviation the difference is divided by.
    pub sd: f64,
}

/// What a term compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermKind {
    /// The step from decile `d − 1` (the start for 0) to decile `d`, in seconds.
    Step(usize),
    Scalar(Metric),
}

impl Term {
    /// The standardized difference.
    pub fn z(&self) -> f64 {
        (self.observed - self.simulated) / self.sd
    }
}

/// The distance of `samples` (one probe's replications) from the observed incidents:
/// the sum of the squared standardized differences, and its terms.
pub fn distance(observed: &[ObservedIncident], samples: &[Sample]) -> (f64, Vec<Term>) {
    let r = samples.len().max(1) as f64;
    let mut terms = Vec::new();
    for (k, o) in observed.iter().enumerate() {
        let mut prev_obs = Some(0.0);
        for d in 0..DECILES {
            let obs = o.deciles_s[d];
            if let (Some(a), Some(b)) = (prev_obs, obs) {
                let step =
                    |s: &Sample| s.deciles_s[d] - if d == 0 { 0.0 } else { s.deciles_s[d - 1] };
                let (mean, var) = mean_var(samples.iter().map(step));
                let g0 = if d == 0 { 0.0 } else { o.grain_s[d - 1] };
                let grain2 = g0 * g0 + o.grain_s[d] * o.grain_s[d];
                let sd = (var * (1.0 + 1.0 / r) + grain2 + FLOOR_S * FLOOR_S).sqrt();
                terms.push(Term {
                    incident: k,
                    what: TermKind::Step(d),
                    observed: b - a,
                    simulated: mean,
                    sd,
                });
            }
            prev_obs = obs;
        }
        for s in &o.scalars {
            let (mean, var) = mean_var(samples.iter().map(|x| x.metrics[s.metric]));
            let floor = SCALAR_FLOOR * s.value.abs().max(1.0);
            let own = s.sd.unwrap_or(0.0);
            let sd = (var * (1.0 + 1.0 / r) + own * own + floor * floor).sqrt();
            terms.push(Term {
                incident: k,
                what: TermKind::Scalar(s.metric),
                observed: s.value,
                simulated: mean,
                sd,
            });
        }
    }
    let total = terms.iter().map(|t| t.z() * t.z()).sum();
    (total, terms)
}

/// The simulated decile times' mean, 10th and 90th percentiles over the samples.
pub fn decile_bands(samples: &[Sample]) -> [(f64, f64, f64); DECILES] {
    let mut out = [(0.0, 0.0, 0.0); DECILES];
    for (d, slot) in out.iter_mut().enumerate() {
        let mut v: Vec<f64> = samples.iter().map(|s| s.deciles_s[d]).collect();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            if v.is_empty() {
                0.0
            } else {
                v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
            }
        };
        let (mean, _) = mean_var(v.iter().copied());
        *slot = (mean, at(0.1), at(0.9));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_of_a_sampled_curve_are_interpolated() {
        // 10 VMs down at t=0, then 2 back every 100 s: 8 at 100, 6 at 200, ... 0 at
        // 500. 10 % (1 VM back, 9 down) falls halfway to the first sample: 50 s; 20 %
        // (8 down) at 100 s; 100 % at 500 s. The grain, with 2 VMs back between
        // samples, is 100/(2√2) = 35.4 s, above 100/√12 = 28.9 s, so 28.9 s.
        let down = [
            (0.0, 10),
            (100.0, 8),
            (200.0, 6),
            (300.0, 4),
            (400.0, 2),
            (500.0, 0),
        ];
        let (peak, d, g) = observed_deciles(&down);
        assert_eq!(peak, 10);
        assert_eq!(d[0], Some(50.0));
        assert_eq!(d[1], Some(100.0));
        assert_eq!(d[2], Some(150.0));
        assert_eq!(d[9], Some(500.0));
        assert!((g[0] - 100.0 / 12f64.sqrt()).abs() < 1e-9);
        // A curve that stops before the end leaves the late deciles unobserved.
        let (_, d, _) = observed_deciles(&down[..3]);
        assert_eq!(d[3], Some(200.0));
        assert_eq!(d[4], None);
    }

    #[test]
    fn the_distance_standardizes_steps_by_spread_and_grain() {
        // Two replications whose first decile is 40 and 60 s (mean 50, variance 200)
        // and whose later deciles are all 100 s more each. An observation of a 70 s
        // first step with no grain: sd = sqrt(200·(1 + 1/2) + 0 + 1) = sqrt(301).
        let rep = |first: f64| {
            let mut deciles_s = [0.0; DECILES];
            for (d, x) in deciles_s.iter_mut().enumerate() {
                *x = first + 100.0 * d as f64;
            }
            Sample {
                deciles_s,
                metrics: RunMetrics {
                    values: [0.0; crate::metrics::METRICS.len()],
                    censored: 0,
                },
            }
        };
        let mut deciles_s = [None; DECILES];
        deciles_s[0] = Some(70.0);
        let o = ObservedIncident {
            file: "x".into(),
            down: Vec::new(),
            peak: 10,
            deciles_s,
            grain_s: [0.0; DECILES],
            scalars: Vec::new(),
        };
        let (total, terms) = distance(&[o], &[rep(40.0), rep(60.0)]);
        assert_eq!(terms.len(), 1);
        assert_eq!(terms[0].simulated, 50.0);
        assert!((terms[0].sd - 301f64.sqrt()).abs() < 1e-9);
        assert!((total - 400.0 / 301.0).abs() < 1e-9);
    }
}

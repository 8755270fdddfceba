//! Calibration: the parameters of a model that best reproduce observed incidents.
//!
//! Each probe sets the parameters (as `--set` overrides), runs the same replications
//! on the same seeds (common random numbers, so the objective moves with the
//! parameters and not with luck) and measures the distance of the simulated worst
//! incident from the observed ones ([`objective`]). The search ([`search`]) starts
//! from a Latin hypercube over the box and refines the best start by Nelder–Mead;
//! [`region`] then profiles each parameter for its approximate 95 % region and tells
//! when the observation cannot pin a parameter down. Every probe is counted up front
//! ([`max_probes`]), so the study is bounded like every other.

pub mod objective;
pub mod observe;
pub mod region;
pub mod search;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::design::DesignInfo;
use super::study::RunFailure;
use super::{Plan, ReplicationError};
use crate::model::{Platform, RunOptions};
use crate::scenario::validate::uncertain::{set_arg, value_at};
use crate::scenario::{LoadedModel, Scale, Scenario, ScenarioError, Uncertain};
use objective::{ObservedIncident, Sample, Term, distance};
use region::{CHI2_95, Profile, TRADE_OFF_SHARE, profile, profile_probes};

/// The most parameters one fit searches.
pub const MAX_PARAMS: usize = 8;

/// The most probes a fit of `p` parameters makes: the start, Nelder–Mead, the
/// profiles, and the last batch at the answer.
pub fn max_probes(p: usize) -> u64 {
    (search::start_points(p) + search::nelder_mead_probes(p) + 1 + profile_probes(p) + 1) as u64
}

/// What a fit asks.
pub struct FitSpec<'a> {
    pub params: &'a [Uncertain],
    pub observed: &'a [ObservedIncident],
    /// The common `--set` overrides, before the parameters'.
    pub overrides: &'a [String],
}

/// One parameter's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The best value, in the path's own unit (microseconds for a duration).
    pub value: f64,
    /// The approximate 95 % region's ends.
    pub lo: f64,
    pub hi: f64,
    /// The share of the range the region covers.
    pub share: f64,
    pub identifiable: bool,
    /// The other parameters (indices) it trades off against.
    pub trades_with: Vec<usize>,
    /// The profile: (value, least objective there), by value.
    pub profile: Vec<(f64, f64)>,
}

/// A fit's answer.
#[derive(Clone, Debug)]
pub struct Fit {
    pub design: DesignInfo,
    pub seed: u64,
    pub replications: u64,
    pub overrides: Vec<String>,
    pub params: Vec<Uncertain>,
    pub observed: Vec<ObservedIncident>,
    pub estimates: Vec<Estimate>,
    /// The objective at the answer (the residual), its terms, and the number of
    /// terms less the parameters.
    pub objective: f64,
    pub terms: Vec<Term>,
    pub dof: usize,
    /// How far above the minimum the 95 % regions reach: [`CHI2_95`], scaled up by
    /// the residual per degree of freedom when the model misses the observation by
    /// more than chance would.
    pub threshold: f64,
    /// The simulated deciles at the answer: (mean, p10, p90) seconds.
    pub bands: [(f64, f64, f64); objective::DECILES],
    /// Distinct points run.
    pub probes: usize,
}

impl Fit {
    /// The `--set` arguments that apply the answer.
    pub fn best_sets(&self) -> Vec<String> {
        self.params
            .iter()
            .zip(&self.estimates)
            .map(|(p, e)| set_arg(p, e.value))
            .collect()
    }
}

/// Why a fit has no answer.
#[derive(Debug)]
pub enum FitError {
    /// The model does not load with these `--set` arguments.
    Model {
        sets: Vec<String>,
        error: Box<ScenarioError>,
    },
    Run(RunFailure),
}

/// The parameters' values at unit-cube point `u`.
fn values_at(params: &[Uncertain], u: &[f64]) -> Vec<f64> {
    params.iter().zip(u).map(|(p, x)| value_at(p, *x)).collect()
}

/// Where value `v` of `p` lies in the unit cube.
pub fn unit_of(p: &Uncertain, v: f64) -> f64 {
    let u = match p.scale {
        Scale::Linear => (v - p.lo) / (p.hi - p.lo),
        Scale::Log => (libm::log(v) - libm::log(p.lo)) / (libm::log(p.hi) - libm::log(p.lo)),
    };
    if u.is_finite() {
        u.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Runs `plan`'s replications of `sc` and keeps each one's [`Sample`], in
/// replication order; `progress(done)` after each. The lowest failing replication is
/// the error, whatever the threads.
pub fn run_samples(
    sc: &Scenario,
    plan: &Plan,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Sample>, ReplicationError> {
    let jobs = plan.jobs.max(1).min(plan.count.max(1) as usize) as u64;
    let done = AtomicU64::new(0);
    let worker = |w: u64| {
        let mut platform = Platform::new(
            sc,
            RunOptions {
                check_invariants: plan.check_invariants,
                outage_log_capacity: 0,
            },
        );
        let mut out: Vec<(u64, Result<Sample, ReplicationError>)> = Vec::new();
        for i in (w..plan.count).step_by(jobs as usize) {
            let index = plan.first + i;
            let r = platform.run(plan.seed, index).map(|m| {
                let inc = platform.recorder().worst_incident();
                Sample::new(inc.map(|w| w.recover_us), m)
            });
            let failed = r.is_err();
            out.push((
                index,
                r.map_err(|error| ReplicationError {
                    seed: plan.seed,
                    replication: index,
                    error,
                }),
            ));
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            if failed {
                break;
            }
        }
        out
    };
    let mut all: Vec<(u64, Result<Sample, ReplicationError>)> = if jobs == 1 {
        worker(0)
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..jobs).map(|w| s.spawn(move || worker(w))).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Fits `spec`: `load(sets)` loads the model with the given overrides, and every
/// probe runs `plan`'s replications. `progress(done, total)` counts replications
/// against the most the fit may run.
pub fn fit(
    load: &dyn Fn(&[String]) -> Result<LoadedModel, ScenarioError>,
    spec: &FitSpec,
    plan: &Plan,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Fit, FitError> {
    let model_error = |sets: &[String], e: ScenarioError| FitError::Model {
        sets: sets.to_vec(),
        error: Box::new(e),
    };
    let base = load(spec.overrides).map_err(|e| model_error(spec.overrides, e))?;
    let p = spec.params.len();
    let total = max_probes(p) * plan.count;
    // Every point run, by its `--set` arguments: integer parameters and points moved
    // to the box's face repeat, and are run once.
    let mut cache: BTreeMap<Vec<String>, (f64, Vec<Term>, Vec<Sample>)> = BTreeMap::new();
    let mut run_point = |u: &[f64]| -> Result<f64, FitError> {
        let values = values_at(spec.params, u);
        let own: Vec<String> = spec
            .params
            .iter()
            .zip(&values)
            .map(|(p, v)| set_arg(p, *v))
            .collect();
        if let Some(hit) = cache.get(&own) {
            return Ok(hit.0);
        }
        let mut sets = spec.overrides.to_vec();
        sets.extend(own.iter().cloned());
        let m = load(&sets).map_err(|e| model_error(&sets, e))?;
        let before = cache.len() as u64 * plan.count;
        let samples =
            run_samples(&m.scenario, plan, &|d| progress(before + d, total)).map_err(|error| {
                FitError::Run(RunFailure {
                    path: m.path.clone(),
                    error,
                })
            })?;
        let (d, terms) = distance(spec.observed, &samples);
        cache.insert(own, (d, terms, samples));
        Ok(d)
    };
    let starts = search::start(p, plan.seed, &mut run_point)?;
    let first = starts
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .cloned()
        .unwrap_or((Vec::new(), f64::INFINITY));
    let mut best = search::nelder_mead(first, search::nelder_mead_probes(p), &mut run_point)?;
    // The regions' width: the chi-square point, scaled by the residual per degree of
    // freedom when the fit is worse than chance allows.
    // The number of terms depends on the observations only.
    let terms_n = distance(spec.observed, &[]).1.len();
    let dof = terms_n.saturating_sub(p).max(1);
    let threshold = CHI2_95 * (best.1 / dof as f64).max(1.0);
    let mut profiles: Vec<Profile> = Vec::with_capacity(p);
    for i in 0..p {
        let prof = profile(i, &best, threshold, &mut run_point)?;
        // A profile may find a better point than the search did.
        if let Some(better) = prof
            .points
            .iter()
            .filter(|q| q.1 < best.1)
            .min_by(|a, b| a.1.total_cmp(&b.1))
        {
            best = (better.2.clone(), better.1);
        }
        profiles.push(prof);
    }
    let values = values_at(spec.params, &best.0);
    let key: Vec<String> = spec
        .params
        .iter()
        .zip(&values)
        .map(|(p, v)| set_arg(p, *v))
        .collect();
    let (objective, terms, samples) = cache.get(&key).cloned().expect("the best point was run");
    let estimates = spec
        .params
        .iter()
        .enumerate()
        .map(|(i, par)| {
            let prof = &profiles[i];
            let identifiable = prof.identifiable();
            let trades_with = (0..p)
                .filter(|&j| {
                    j != i
                        && (prof.moves(j) >= TRADE_OFF_SHARE
                            || profiles[j].moves(i) >= TRADE_OFF_SHARE)
                })
                .collect();
            Estimate {
                value: values[i],
                lo: value_at(par, prof.lo),
                hi: value_at(par, prof.hi),
                share: prof.hi - prof.lo,
                identifiable,
                trades_with,
                profile: prof
                    .points
                    .iter()
                    .map(|(x, v, _)| (value_at(par, *x), *v))
                    .collect(),
            }
        })
        .collect();
    Ok(Fit {
        design: DesignInfo::of(&base),
        seed: plan.seed,
        replications: plan.count,
        overrides: spec.overrides.to_vec(),
        params: spec.params.to_vec(),
        observed: spec.observed.to_vec(),
        estimates,
        objective,
        dof: terms.len().saturating_sub(p),
        terms,
        threshold,
        bands: objective::decile_bands(&samples),
        probes: cache.len(),
    })
}

//! Sensitivity studies: how much each uncertain assumption moves the results, and
//! whether a design's advantage holds across all of them.
//!
//! The assumptions are the first model's `uncertain:` list plus `--vary`. A Latin
//! hypercube ([`lhs`]) picks the samples; every sample runs every design on the same
//! replication seeds (common random numbers), with the sample's values applied as
//! `--set` overrides, and keeps each metric's mean over the replications
//! ([`SampleResult`]). [`analysis`] turns those means into the ranking and the
//! robustness of verdicts; [`part`] writes and merges shards of the samples.

pub mod analysis;
pub mod lhs;
pub mod part;

use serde::{Deserialize, Serialize};

use super::design::{DesignInfo, Shard};
use super::study::RunFailure;
use super::sweep::{overwrites, set_path};
use super::{Plan, run_batch};
use crate::metrics::{Metric, summarize};
use crate::scenario::raw::{Dur, RawBound, RawUncertain};
use crate::scenario::{self, LoadedModel, Scale, ScenarioError, Uncertain, UncertainKind};

/// The most samples one study runs (each is a model loaded per design up front).
pub const MAX_SAMPLES: u64 = 10_000;

/// Parses `--vary PATH=LO..HI[:log]` and checks it as a model's `uncertain:` entry
/// would be; errors name the argument.
pub fn parse_vary(arg: &str) -> Result<Uncertain, String> {
    let bad = |why: &str| {
        format!(
            "--vary {arg}: {why}; expected PATH=LO..HI or PATH=LO..HI:log (e.g. brain.boot_slowdown_per_boot_on_site=0..0.06, brain.boot_time.mean=30s..90s)"
        )
    };
    let (path, spec) = arg.split_once('=').ok_or_else(|| bad("no '='"))?;
    let (range, scale) = match spec.rsplit_once(':') {
        Some((range, "log")) => (range, Scale::Log),
        Some((range, "linear")) => (range, Scale::Linear),
        Some((_, other)) => return Err(bad(&format!("unknown scale `{other}`"))),
        None => (spec, Scale::Linear),
    };
    let (lo, hi) = range
        .split_once("..")
        .ok_or_else(|| bad("no `..` between the bounds"))?;
    let bound = |text: &str| -> Result<RawBound, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(bad("a bound is empty"));
        }
        Ok(match text.parse::<f64>() {
            Ok(v) => RawBound::Number(v),
            Err(_) => RawBound::Duration(Dur(text.to_string())),
        })
    };
    let raw = RawUncertain {
        path: path.trim().to_string(),
        range: (bound(lo)?, bound(hi)?),
        scale,
    };
    scenario::validate::uncertain::entry("--vary", &raw)
        .map_err(|e| format!("--vary {arg}: {}", e.message))
}

/// The ranges a study varies: the baseline model's, each `--vary` replacing the entry
/// of its path or adding one.
pub fn ranges(base: &[Uncertain], vary: &[Uncertain]) -> Vec<Uncertain> {
    let mut out = base.to_vec();
    for v in vary {
        match out.iter_mut().find(|u| u.path == v.path) {
            Some(u) => *u = v.clone(),
            None => out.push(v.clone()),
        }
    }
    out
}

/// The value at `u` in (0, 1) of the range, in the path's own unit (microseconds for
/// a duration), rounded to what the path holds.
pub fn value_at(p: &Uncertain, u: f64) -> f64 {
    let v = match p.scale {
        Scale::Linear => p.lo + u * (p.hi - p.lo),
        Scale::Log => libm::exp(libm::log(p.lo) + u * (libm::log(p.hi) - libm::log(p.lo))),
    };
    // Rounding error must not carry a value outside the range it was checked in.
    let v = v.clamp(p.lo, p.hi);
    match p.kind {
        UncertainKind::Number => v,
        _ => libm::round(v).clamp(libm::ceil(p.lo), libm::floor(p.hi)),
    }
}

/// The `--set` argument that applies value `v` (in the path's own unit) of `p`.
/// Numbers are written in the shortest form that reads back to the same value, a
/// duration in whole microseconds, and a distribution as that duration (`Fixed`).
pub fn set_arg(p: &Uncertain, v: f64) -> String {
    match p.kind {
        UncertainKind::Number => format!("{}={v:?}", p.path),
        UncertainKind::Whole => format!("{}={}", p.path, v as u64),
        UncertainKind::Duration | UncertainKind::FixedDuration => {
            format!("{}={}us", p.path, v as u64)
        }
    }
}

/// Value `v` of `p` as shown in outputs: durations in seconds, others as they are.
pub fn shown(p: &Uncertain, v: f64) -> f64 {
    match p.kind {
        UncertainKind::Duration | UncertainKind::FixedDuration => v / 1e6,
        _ => v,
    }
}

/// The unit values of `p` are shown in.
pub fn unit(p: &Uncertain) -> &'static str {
    match p.kind {
        UncertainKind::Duration | UncertainKind::FixedDuration => "s",
        _ => scenario::schema::field(&scenario::schema::without_indices(&p.path))
            .map_or("", |f| f.unit),
    }
}

/// Whether `design` holds the same value as `base` in the model field that contains
/// `path` (the longest field path that is a prefix of it).
fn same_field(base: &LoadedModel, design: &LoadedModel, path: &str) -> bool {
    let plain = scenario::schema::without_indices(path);
    scenario::schema::FIELDS
        .iter()
        .filter(|f| {
            plain
                .strip_prefix(f.path)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
        .max_by_key(|f| f.path.len())
        .is_none_or(|f| f.get(&base.raw) == f.get(&design.raw))
}

/// A varied parameter as recorded in outputs and part files: the range in the unit
/// shown (seconds for durations).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamRecord {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    /// "linear" or "log".
    pub scale: String,
    pub unit: String,
}

impl ParamRecord {
    pub fn of(p: &Uncertain) -> ParamRecord {
        ParamRecord {
            path: p.path.clone(),
            lo: shown(p, p.lo),
            hi: shown(p, p.hi),
            scale: match p.scale {
                Scale::Linear => "linear",
                Scale::Log => "log",
            }
            .to_string(),
            unit: unit(p).to_string(),
        }
    }
}

/// One sample's results: its index in the hypercube, the values applied (as shown),
/// and each design's mean of every metric over the replications, `means[design]`
/// in [`Metric::ALL`] order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleResult {
    pub index: u64,
    pub values: Vec<f64>,
    pub means: Vec<Vec<f64>>,
}

/// Everything a sensitivity study (or one shard of it) produced, from which every
/// output is computed: the same whether it ran in one process or was merged.
#[derive(Clone, Debug, PartialEq)]
pub struct Sensitivity {
    pub designs: Vec<DesignInfo>,
    pub seed: u64,
    pub replications: u64,
    pub samples: u64,
    pub overrides: Vec<String>,
    pub params: Vec<ParamRecord>,
    /// In sample order.
    pub results: Vec<SampleResult>,
}

/// How to run a study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SensitivityPlan {
    pub seed: u64,
    pub replications: u64,
    pub samples: u64,
    pub shard: Option<Shard>,
    pub jobs: usize,
    pub check_invariants: bool,
}

impl SensitivityPlan {
    /// The samples this process runs.
    pub fn range(&self) -> std::ops::Range<u64> {
        self.shard
            .map_or(0..self.samples, |s| s.range(self.samples))
    }
}

/// Why a study cannot run.
#[derive(Debug)]
pub enum SensitivityError {
    /// Nothing to vary, too many samples, or a range that contradicts `--set`.
    Setup(String),
    /// A model, or a model at one sample, does not load.
    Model(Box<ScenarioError>, Option<String>),
}

impl std::fmt::Display for SensitivityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SensitivityError::Setup(e) => f.write_str(e),
            SensitivityError::Model(e, None) => e.fmt(f),
            SensitivityError::Model(e, Some(at)) => write!(
                f,
                "{e}
  (at {at})"
            ),
        }
    }
}

impl std::error::Error for SensitivityError {}

/// One sample ready to run.
#[derive(Debug)]
struct SampleModels {
    index: u64,
    /// The values in each path's own unit.
    values: Vec<f64>,
    /// One model per design.
    models: Vec<LoadedModel>,
    /// The sample's `--set` arguments.
    sets: Vec<String>,
}

/// A study ready to run: every sample's model of every design loaded, and so
/// validated, before any runs.
#[derive(Debug)]
pub struct SensitivityModels {
    pub designs: Vec<DesignInfo>,
    pub overrides: Vec<String>,
    pub params: Vec<Uncertain>,
    pub samples: u64,
    /// Notes for stderr (designs whose own ranges are not used).
    pub notes: Vec<String>,
    /// The designs as given (with `--set`, without any sample's values), for `-v`.
    pub base: Vec<LoadedModel>,
    runs: Vec<SampleModels>,
}

impl SensitivityModels {
    /// Loads the designs, works out the ranges (the first model's plus `vary`) and
    /// loads every design at every sample of this process's share.
    pub fn load(
        paths: &[String],
        sets: &[String],
        vary: &[Uncertain],
        plan: &SensitivityPlan,
    ) -> Result<SensitivityModels, SensitivityError> {
        let setup = SensitivityError::Setup;
        if plan.samples < 2 || plan.samples > MAX_SAMPLES {
            return Err(setup(format!(
                "--samples {}: from 2 to {MAX_SAMPLES} (a ranking needs at least more samples than parameters)",
                plan.samples
            )));
        }
        let base: Vec<LoadedModel> = paths
            .iter()
            .map(|p| {
                scenario::load(p, sets).map_err(|e| SensitivityError::Model(Box::new(e), None))
            })
            .collect::<Result<_, _>>()?;
        if let Some((j, v)) = vary
            .iter()
            .enumerate()
            .find(|(j, v)| vary[..*j].iter().any(|w| w.path == v.path))
        {
            return Err(setup(format!(
                "--vary {}: this path is varied twice (argument {}); give it one range",
                v.path,
                j + 1
            )));
        }
        let params = ranges(&base[0].scenario.uncertain, vary);
        if params.is_empty() {
            return Err(setup(format!(
                "{}: nothing to vary; declare `uncertain: [ (path: \"brain.boot_slowdown_per_boot_on_site\", range: (0.0, 0.06)) ]` in the model or give --vary PATH=LO..HI",
                paths[0]
            )));
        }
        // The regression has one coefficient per parameter and an intercept, and the
        // bootstrap needs a few samples beyond that to resample.
        let needed = params.len() as u64 + 3;
        if plan.samples < needed {
            return Err(setup(format!(
                "--samples {}: ranking {} parameters needs at least {needed} samples (32 or more give useful intervals)",
                plan.samples,
                params.len()
            )));
        }
        for p in &params {
            if let Some(set) = sets
                .iter()
                .find(|s| overwrites(&p.path, set_path(s)) || overwrites(set_path(s), &p.path))
            {
                return Err(setup(format!(
                    "`{}` is varied but also fixed by --set {set}; a varied path takes its values from its range only",
                    p.path
                )));
            }
        }
        // Warnings about the models as given, as every command prints them.
        let mut notes: Vec<String> = base
            .iter()
            .flat_map(|m| m.warnings.iter().map(|w| format!("warning: {w}")))
            .collect();
        for m in &base[1..] {
            if !m.scenario.uncertain.is_empty()
                && m.scenario.uncertain != base[0].scenario.uncertain
            {
                notes.push(format!(
                    "note: {} declares other uncertain ranges than {}; the ranges of the first model (and --vary) are used for every design",
                    m.path, base[0].path
                ));
            }
        }
        // applies[k][j]: whether parameter j is varied in design k. A design that sets
        // the field holding it to something of its own (the patched design's crash
        // probabilities of 0) keeps its value: varying it would undo the design.
        let applies: Vec<Vec<bool>> = base
            .iter()
            .map(|m| {
                params
                    .iter()
                    .map(|p| same_field(&base[0], m, &p.path))
                    .collect()
            })
            .collect();
        for (m, a) in base.iter().zip(&applies).skip(1) {
            for (p, _) in params.iter().zip(a).filter(|(_, a)| !**a) {
                notes.push(format!(
                    "note: {} sets `{}` (or the field holding it) to its own value, which it keeps in every sample",
                    m.path, p.path
                ));
            }
        }
        let unit_points = lhs::latin_hypercube(plan.samples as usize, params.len(), plan.seed);
        let mut runs = Vec::new();
        for i in plan.range() {
            let values: Vec<f64> = params
                .iter()
                .zip(&unit_points[i as usize])
                .map(|(p, u)| value_at(p, *u))
                .collect();
            let sample_sets: Vec<String> = params
                .iter()
                .zip(&values)
                .map(|(p, v)| set_arg(p, *v))
                .collect();
            let models = paths
                .iter()
                .zip(&applies)
                .map(|(p, a)| {
                    let own: Vec<String> = sample_sets
                        .iter()
                        .zip(a)
                        .filter(|(_, a)| **a)
                        .map(|(s, _)| s.clone())
                        .collect();
                    scenario::load(p, &[sets, own.as_slice()].concat()).map_err(|e| {
                        SensitivityError::Model(
                            Box::new(e),
                            Some(format!("sample {i}: {}", sample_sets.join(" "))),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            runs.push(SampleModels {
                index: i,
                values,
                models,
                sets: sample_sets,
            });
        }
        Ok(SensitivityModels {
            designs: base.iter().map(DesignInfo::of).collect(),
            overrides: sets.to_vec(),
            params,
            samples: plan.samples,
            notes,
            base,
            runs,
        })
    }

    /// Every model to run with the overrides it was loaded with, for the memory check.
    pub fn models_with_sets(&self) -> Vec<(&LoadedModel, Vec<String>)> {
        self.runs
            .iter()
            .flat_map(|run| {
                run.models.iter().map(move |m| {
                    let mut all = self.overrides.clone();
                    all.extend(run.sets.iter().cloned());
                    (m, all)
                })
            })
            .collect()
    }

    /// Runs every design at every sample of this share; `progress(done, total)`
    /// counts replications.
    pub fn run(
        self,
        plan: &SensitivityPlan,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Sensitivity, RunFailure> {
        let designs = self.designs.len() as u64;
        let total = self.runs.len() as u64 * designs * plan.replications;
        let batch_plan = Plan {
            seed: plan.seed,
            first: 0,
            count: plan.replications,
            jobs: plan.jobs,
            check_invariants: plan.check_invariants,
            // Its reports have no `outages.csv`.
            keep_outages: false,
        };
        let mut results = Vec::with_capacity(self.runs.len());
        let mut done = 0;
        for SampleModels {
            index,
            values,
            models,
            ..
        } in self.runs
        {
            let mut means = Vec::with_capacity(models.len());
            for m in &models {
                let base = done;
                let batch = run_batch(&m.scenario, &batch_plan, &|d, _| progress(base + d, total))
                    .map_err(|error| RunFailure {
                        path: m.path.clone(),
                        error,
                    })?;
                done += plan.replications;
                means.push(
                    Metric::ALL
                        .iter()
                        .map(|metric| summarize(&batch.values(*metric)).mean)
                        .collect(),
                );
            }
            results.push(SampleResult {
                index,
                values: self
                    .params
                    .iter()
                    .zip(&values)
                    .map(|(p, v)| shown(p, *v))
                    .collect(),
                means,
            });
        }
        Ok(Sensitivity {
            designs: self.designs,
            seed: plan.seed,
            replications: plan.replications,
            samples: plan.samples,
            overrides: self.overrides,
            params: self.params.iter().map(ParamRecord::of).collect(),
            results,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_arguments_become_checked_ranges_and_values_round_trip() {
        // Proves `--vary` reads numbers, durations and a log scale; a sampled value is
        // kept inside its range, a log range's midpoint is the geometric mean, whole
        // numbers and durations are rounded, and the `--set` text reads back.
        let slow = parse_vary("brain.boot_slowdown_per_boot_on_site=0..0.06").unwrap();
        assert_eq!((slow.lo, slow.hi, slow.scale), (0.0, 0.06, Scale::Linear));
        assert!((value_at(&slow, 0.5) - 0.03).abs() < 1e-15);
        let crash = parse_vary("supervisor.crash_on_reset=0.0001..0.01:log").unwrap();
        assert!((value_at(&crash, 0.5) - 0.001).abs() < 1e-12);
        assert!(value_at(&crash, 1.0) <= 0.01 && value_at(&crash, 0.0) >= 0.0001);
        let boot = parse_vary("brain.boot_time.mean=30s..90s").unwrap();
        assert_eq!(
            (boot.lo, boot.hi, boot.kind),
            (30e6, 90e6, UncertainKind::Duration)
        );
        let v = value_at(&boot, 1.0 / 3.0);
        assert_eq!(v, 50e6);
        assert_eq!(set_arg(&boot, v), "brain.boot_time.mean=50000000us");
        assert_eq!(shown(&boot, v), 50.0);
        let slots = parse_vary("brain.reboot_concurrency=10..40").unwrap();
        assert_eq!(value_at(&slots, 0.51), 25.0);
        assert_eq!(set_arg(&slots, 25.0), "brain.reboot_concurrency=25");
        let tiny = Uncertain {
            kind: UncertainKind::Number,
            ..crash.clone()
        };
        let text = set_arg(&tiny, 1.234_567_890_123e-5);
        let mut raw = scenario::schema::defaults();
        scenario::apply_set(&mut raw, &text).unwrap();
        assert_eq!(raw.supervisor.crash_on_reset, 1.234_567_890_123e-5);
        // --vary replaces the model's range of the same path and adds new ones.
        let merged = ranges(
            &[crash.clone(), slow.clone()],
            &[boot.clone(), slow.clone()],
        );
        assert_eq!(merged.len(), 3);
        assert!(parse_vary("supervisor.restart=1..30").is_err());
        assert!(parse_vary("supervisor.restart=1s..30s").is_ok());
    }
}

//! Studies: one or more designs run over the same replications (common random
//! numbers), whole or as one shard of a study split over machines.
//!
//! What a study is made of (its kind, designs, seeds and shards) is in
//! [`super::design`]; the paired differences between the designs live in
//! [`super::differences`], shard files and their merging in [`super::shard`], sweeps
//! over parameters in [`super::sweep`].

use super::design::{DesignInfo, Shard, StudyKind, SweepLabels, design_seed};
use super::differences::{MinEffect, Verdict, differences, verdict};
use super::targets::{TargetResult, judge};
use super::{Batch, Plan, ReplicationError, run_batch};
use crate::metrics::stats::{Difference, LengthMismatch};
use crate::scenario::LoadedModel;
use crate::scenario::target::Target;

/// The results of every design of a study.
#[derive(Clone, Debug)]
pub struct Study {
    pub kind: StudyKind,
    pub seed: u64,
    /// Replications of the whole study (a shard holds a subset).
    pub replications: u64,
    pub independent_seeds: bool,
    pub overrides: Vec<String>,
    pub designs: Vec<(DesignInfo, Batch)>,
    /// Every design after the first against the first, metric by metric; computed
    /// once, when the study is built, so a pairing error surfaces there.
    differences: Vec<Vec<Difference>>,
    /// The smallest change that matters, for the verdicts. An output setting, not a
    /// result: it does not travel in shard files, and `merge` takes it again.
    pub min_effect: MinEffect,
    /// The targets every design is judged against: those the models declare, then
    /// those given with `--target`, each once.
    pub targets: Vec<Target>,
    /// For a sweep: its parameters and each point's values (the designs are the
    /// points).
    pub sweep: Option<SweepLabels>,
}

impl Study {
    /// A study of `designs`, with the differences of each design against the first.
    ///
    /// Designs run on common random numbers are paired replication by replication,
    /// so each must hold the same number of replications.
    pub fn new(
        kind: StudyKind,
        seed: u64,
        replications: u64,
        independent_seeds: bool,
        overrides: Vec<String>,
        designs: Vec<(DesignInfo, Batch)>,
    ) -> Result<Study, LengthMismatch> {
        let differences = differences(&designs, !independent_seeds)?;
        Ok(Study {
            kind,
            seed,
            replications,
            independent_seeds,
            overrides,
            designs,
            differences,
            min_effect: MinEffect::default(),
            targets: Vec::new(),
            sweep: None,
        })
    }

    /// Adds `more` targets, skipping any already judged.
    pub fn add_targets<'a>(&mut self, more: impl IntoIterator<Item = &'a Target>) {
        for t in more {
            if !self
                .targets
                .iter()
                .any(|o| crate::scenario::overrides::same_target(o, t))
            {
                self.targets.push(t.clone());
            }
        }
    }

    /// Every target judged on every design, design by design.
    pub fn target_results(&self) -> Vec<Vec<TargetResult>> {
        self.designs
            .iter()
            .map(|(_, b)| self.targets.iter().map(|t| judge(t, b)).collect())
            .collect()
    }

    /// Every design after the first against the first, metric by metric (in
    /// [`crate::metrics::Metric::ALL`] order).
    pub fn differences(&self) -> &[Vec<Difference>] {
        &self.differences
    }

    /// The verdicts of every design after the first against the first, one per metric
    /// that can be judged (in [`crate::metrics::Metric::ALL`] order). None are given
    /// with fewer than two replications, since there is no CI to judge by.
    pub fn verdicts(&self) -> Vec<Vec<Verdict>> {
        let Some((_, base)) = self.designs.first() else {
            return Vec::new();
        };
        self.differences
            .iter()
            .map(|diffs| {
                crate::metrics::Metric::ALL
                    .iter()
                    .zip(diffs)
                    .filter_map(|(m, d)| verdict(*m, d, &base.summary(*m), self.min_effect))
                    .collect()
            })
            .collect()
    }
}

/// How to run a study.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyPlan {
    pub kind: StudyKind,
    pub seed: u64,
    /// Replications of the whole study.
    pub replications: u64,
    /// Run only this part of the replications, for `merge` to combine later.
    pub shard: Option<Shard>,
    pub independent_seeds: bool,
    /// The `--set` overrides every design was loaded with, for the record.
    pub overrides: Vec<String>,
    /// Worker threads (1 = serial). Results do not depend on it.
    pub jobs: usize,
    /// Check invariants after every event.
    pub check_invariants: bool,
    /// Keep replication 0's individual outages (for `outages.csv`).
    pub keep_outages: bool,
}

impl StudyPlan {
    /// The replications each design runs: all of them, or the shard's.
    pub fn range(&self) -> std::ops::Range<u64> {
        self.shard
            .map_or(0..self.replications, |s| s.range(self.replications))
    }
}

/// A replication that failed, and the model file it ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFailure {
    pub path: String,
    pub error: ReplicationError,
}

/// Why a study has no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StudyError {
    /// A replication failed (a runaway model, or a bug).
    Run(RunFailure),
    /// The designs' results cannot be paired.
    Pairing(LengthMismatch),
}

impl std::fmt::Display for StudyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StudyError::Run(r) => write!(f, "{}: {}", r.path, r.error),
            StudyError::Pairing(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StudyError {}

/// Runs every design over the plan's replications (all of them, or the shard's);
/// `progress(done, total)` counts replications over all designs.
pub fn run_study(
    models: &[LoadedModel],
    plan: &StudyPlan,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Study, StudyError> {
    let range = plan.range();
    let per_design = range.end - range.start;
    let total = per_design * models.len() as u64;
    let mut designs = Vec::with_capacity(models.len());
    for (k, m) in models.iter().enumerate() {
        let p = Plan {
            seed: design_seed(plan.seed, k, plan.independent_seeds),
            first: range.start,
            count: per_design,
            jobs: plan.jobs,
            check_invariants: plan.check_invariants,
            keep_outages: plan.keep_outages,
        };
        let base = k as u64 * per_design;
        let batch =
            run_batch(&m.scenario, &p, &|d, _| progress(base + d, total)).map_err(|error| {
                StudyError::Run(RunFailure {
                    path: m.path.clone(),
                    error,
                })
            })?;
        designs.push((DesignInfo::of(m), batch));
    }
    let mut study = Study::new(
        plan.kind,
        plan.seed,
        plan.replications,
        plan.independent_seeds,
        plan.overrides.clone(),
        designs,
    )
    .map_err(StudyError::Pairing)?;
    study.add_targets(models.iter().flat_map(|m| &m.scenario.targets));
    Ok(study)
}

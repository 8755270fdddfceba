//! Replications: the layer users drive. Runs R replications of a scenario (on several
//! threads if asked; the results are identical to a serial run because replication i
//! always uses stream coordinates (seed, i) and lands in slot i), and keeps what the
//! reports need beyond the per-run metrics.
//!
//! [`resources`] checks, before anything is allocated, that the workers asked for fit
//! in memory together.

pub mod design;
pub mod differences;
pub mod explain;
pub mod fit;
pub mod resources;
pub mod sensitivity;
pub mod shard;
pub mod solve;
pub mod study;
pub mod sweep;
pub mod targets;

pub use design::{DesignInfo, Shard, StudyKind, design_seed};
pub use differences::verdict;
pub use resources::{Fitted, ResourceError, Workers, Workload, fit_all, fit_workers};
pub use shard::MergeError;
pub use study::{RunFailure, Study, StudyError, StudyPlan, run_study};
pub use sweep::{Param, Sweep, SweepError, point_summaries};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::{EngineError, Micros};
use crate::metrics::histogram::LogHistogram;
use crate::metrics::{Metric, OutageRecord, RunMetrics, SeriesPoint, Summary, summarize};
use crate::model::{Platform, RunOptions};
use crate::scenario::ModelKind;
use crate::scenario::Scenario;

/// How to run a batch of replications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub seed: u64,
    /// Replication indices `first..first + count`.
    pub first: u64,
    pub count: u64,
    /// Worker threads (1 = serial). Results do not depend on it.
    pub jobs: usize,
    /// Check invariants after every event.
    pub check_invariants: bool,
    /// Keep what only a report's files (or a part file for one) use: replication 0's
    /// individual outages (up to [`OUTAGE_LOG_CAPACITY`], for `outages.csv`) and the
    /// incident series of the first [`PLOT_REPLICATIONS`] replications (for the
    /// recovery and reboot-queue charts). Without them the batch's `first_outages` and
    /// every replication's `worst_series` are empty.
    pub keep_outages: bool,
}

impl Plan {
    pub fn new(seed: u64, replications: u64) -> Plan {
        Plan {
            seed,
            first: 0,
            count: replications,
            jobs: 1,
            check_invariants: false,
            keep_outages: true,
        }
    }
}

/// A replication that failed: which one, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicationError {
    pub seed: u64,
    pub replication: u64,
    pub error: EngineError,
}

impl std::fmt::Display for ReplicationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seed {}, replication {}: {}",
            self.seed, self.replication, self.error
        )
    }
}

impl std::error::Error for ReplicationError {}

/// One replication's results.
#[derive(Clone, Debug)]
pub struct Replication {
    pub index: u64,
    pub metrics: RunMetrics,
    /// The decimated time series the recovery plot shows: the worst site-wide
    /// incident's, or the worst incident's when none was site-wide (empty if no VM
    /// went down, and for every replication but the first [`PLOT_REPLICATIONS`] of a
    /// plan that keeps no report's data).
    pub worst_series: Vec<SeriesPoint>,
}

impl Replication {
    /// The bytes this replication holds: its metrics and index, and its series.
    pub fn kept_bytes(&self) -> u64 {
        (std::mem::size_of::<Replication>()
            + self.worst_series.capacity() * std::mem::size_of::<SeriesPoint>()) as u64
    }
}

/// Everything a batch produced, in replication order.
#[derive(Clone, Debug)]
pub struct Batch {
    pub seed: u64,
    /// The simulated time of each replication (0 when not known, as in part files
    /// from before it was recorded).
    pub horizon_us: Micros,
    /// What the model is for (`Incident` or `Operation`), which decides what its
    /// outputs lead with.
    pub kind: ModelKind,
    pub replications: Vec<Replication>,
    /// VM outage durations of every replication.
    pub outage_histogram: LogHistogram,
    /// Durations of the incidents of every replication that were not site-wide.
    pub head_incident_histogram: LogHistogram,
    /// Individual outages of replication 0, if the batch ran it (bounded).
    pub first_outages: Vec<OutageRecord>,
    pub first_outages_truncated: bool,
}

impl Batch {
    /// The values of one metric, in replication order.
    pub fn values(&self, m: Metric) -> Vec<f64> {
        self.replications.iter().map(|r| r.metrics[m]).collect()
    }

    pub fn summary(&self, m: Metric) -> Summary {
        summarize(&self.values(m))
    }

    /// The bytes this batch holds: every replication's, and its two histograms.
    pub fn kept_bytes(&self) -> u64 {
        let replications: u64 = self.replications.iter().map(Replication::kept_bytes).sum();
        let spare = self.replications.capacity() - self.replications.len();
        replications
            + (spare * std::mem::size_of::<Replication>()) as u64
            + 2 * LogHistogram::HELD_BYTES
            + (self.first_outages.capacity() * std::mem::size_of::<OutageRecord>()) as u64
    }

    /// Replications whose value of metric `m` was cut by the horizon.
    pub fn censored(&self, m: Metric) -> usize {
        self.replications
            .iter()
            .filter(|r| r.metrics.is_censored(m))
            .count()
    }
}

/// The most replications one study runs: every replication's metrics are kept in
/// memory (a few hundred bytes each, see [`resources`]), and room for all of them is
/// allocated up front.
pub const MAX_REPLICATIONS: u64 = 1_000_000;

/// The replications whose incident series a report's charts draw (the median and
/// 10–90 % band of the recovery and of the reboot queue): the first ones, so that a
/// report's memory does not grow with the replications beyond the metrics.
pub const PLOT_REPLICATIONS: u64 = 1000;

/// The most individual outages kept for `outages.csv`.
pub const OUTAGE_LOG_CAPACITY: usize = 100_000;

/// What one worker thread produced: its replications (in the order it ran them), the
/// histogram of their outages, replication 0's outage log if it ran it, and the
/// failure that stopped it, if any.
#[derive(Default)]
struct WorkerResult {
    replications: Vec<Replication>,
    outage_histogram: LogHistogram,
    head_incident_histogram: LogHistogram,
    first_outages: Option<(Vec<OutageRecord>, bool)>,
    failure: Option<ReplicationError>,
}

/// Runs the plan's replications; `progress(done, total)` is called after each one.
///
/// Each worker returns what it ran through its thread's result rather than through
/// shared slots, so there is no lock to poison: a worker that panics propagates its
/// panic to the caller, and nothing is silently lost.
pub fn run_batch(
    sc: &Scenario,
    plan: &Plan,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Batch, ReplicationError> {
    let total = plan.count;
    let jobs = plan.jobs.max(1).min(total.max(1) as usize);
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    // The lowest replication known to have failed (u64::MAX: none yet).
    let first_failure = AtomicU64::new(u64::MAX);

    let worker = || {
        let options = RunOptions {
            check_invariants: plan.check_invariants,
            outage_log_capacity: if plan.keep_outages {
                OUTAGE_LOG_CAPACITY
            } else {
                0
            },
        };
        let mut platform = Platform::new(sc, options);
        let mut mine = WorkerResult::default();
        // Room for this worker's share up front: a serial batch never grows its list.
        mine.replications
            .reserve_exact(usize::try_from(total.div_ceil(jobs as u64)).unwrap_or(0));
        loop {
            // Replications are claimed in increasing order, and every one claimed
            // below a known failure still runs: so the lowest failing replication
            // always runs and is the one reported, whatever the number of threads.
            // Replications above a failure are not worth starting.
            let i = next.fetch_add(1, Ordering::Relaxed);
            let index = plan.first + i;
            if i >= total || index > first_failure.load(Ordering::Relaxed) {
                break;
            }
            match platform.run(plan.seed, index) {
                Ok(metrics) => {
                    let rec = platform.recorder();
                    mine.outage_histogram.merge(rec.outage_histogram());
                    mine.head_incident_histogram
                        .merge(rec.head_incident_histogram());
                    if index == 0 {
                        mine.first_outages =
                            Some((rec.outage_log().to_vec(), rec.outage_log_full()));
                    }
                    let worst_series = if plan.keep_outages && index < PLOT_REPLICATIONS {
                        rec.plot_series().to_vec()
                    } else {
                        Vec::new()
                    };
                    mine.replications.push(Replication {
                        index,
                        metrics,
                        worst_series,
                    });
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress(d, total);
                }
                Err(error) => {
                    first_failure.fetch_min(index, Ordering::Relaxed);
                    mine.failure = Some(ReplicationError {
                        seed: plan.seed,
                        replication: index,
                        error,
                    });
                    break;
                }
            }
        }
        mine
    };
    let results: Vec<WorkerResult> = if jobs == 1 {
        vec![worker()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..jobs).map(|_| s.spawn(worker)).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };

    // Report the lowest failing replication, so the error is the same whatever the
    // number of threads.
    if let Some(e) = results
        .iter()
        .filter_map(|r| r.failure.clone())
        .min_by_key(|e| e.replication)
    {
        return Err(e);
    }
    // The first worker's replications grow into the batch's, so a serial batch is
    // never copied.
    let mut replications = Vec::new();
    // Histogram merging is addition of counts: the order of workers does not matter.
    let mut outage_histogram = LogHistogram::new();
    let mut head_incident_histogram = LogHistogram::new();
    let mut first_outages = None;
    for r in results {
        if replications.is_empty() {
            replications = r.replications;
            replications.reserve_exact(total as usize - replications.len());
        } else {
            replications.extend(r.replications);
        }
        outage_histogram.merge(&r.outage_histogram);
        head_incident_histogram.merge(&r.head_incident_histogram);
        first_outages = first_outages.or(r.first_outages);
    }
    // Replication i lands in slot i whatever thread ran it.
    replications.sort_by_key(|r| r.index);
    assert!(
        replications
            .iter()
            .map(|r| r.index)
            .eq(plan.first..plan.first + total),
        "a batch without failures ran every replication of its plan exactly once"
    );
    // Only the batch that runs replication 0 keeps individual outages (for
    // `outages.csv`); the others have none to keep.
    let (first_outages, first_outages_truncated) = match first_outages {
        Some(log) => log,
        None => {
            assert!(
                plan.first > 0 || total == 0,
                "replication 0 ran but left no log"
            );
            (Vec::new(), false)
        }
    };
    Ok(Batch {
        seed: plan.seed,
        horizon_us: sc.horizon_us,
        kind: sc.kind,
        replications,
        outage_histogram,
        head_incident_histogram,
        first_outages,
        first_outages_truncated,
    })
}

/// FNV-1a over bytes: a stable, dependency-free hash for traces and model files.
pub fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Runs one replication and returns a hash of its whole event trace (time and event
/// of every live event), for determinism checks.
pub fn trace_hash(sc: &Scenario, seed: u64, rep: u64) -> Result<(u64, RunMetrics), EngineError> {
    let mut platform = Platform::new(sc, RunOptions::default());
    let mut h = FNV_OFFSET;
    let m = platform.run_observed(seed, rep, |t: Micros, e| {
        h = fnv1a(&t.to_le_bytes(), h);
        h = fnv1a(e.name().as_bytes(), h);
        h = fnv1a(e.json_fields().as_bytes(), h);
    })?;
    Ok((h, m))
}

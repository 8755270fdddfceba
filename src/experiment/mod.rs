//! Replications: the layer users drive. Runs R replications of a scenario (on several
//! threads if asked; the results are identical to a serial run because replication i
//! always uses stream coordinates (seed, i) and lands in slot i), and keeps what the
//! reports need beyond the per-run metrics.

pub mod study;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::engine::{EngineError, Micros};
use crate::metrics::histogram::LogHistogram;
use crate::metrics::{Metric, OutageRecord, RunMetrics, SeriesPoint, Summary, summarize};
use crate::model::{Platform, RunOptions};
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
}

impl Plan {
    pub fn new(seed: u64, replications: u64) -> Plan {
        Plan {
            seed,
            first: 0,
            count: replications,
            jobs: 1,
            check_invariants: false,
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
    /// The worst incident's decimated time series (empty if no VM went down).
    pub worst_series: Vec<SeriesPoint>,
}

/// Everything a batch produced, in replication order.
#[derive(Clone, Debug)]
pub struct Batch {
    pub seed: u64,
    pub replications: Vec<Replication>,
    /// VM outage durations of every replication.
    pub outage_histogram: LogHistogram,
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
}

/// The most individual outages kept for `outages.csv`.
pub const OUTAGE_LOG_CAPACITY: usize = 100_000;

/// Runs the plan's replications; `progress(done, total)` is called after each one.
pub fn run_batch(
    sc: &Scenario,
    plan: &Plan,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Batch, ReplicationError> {
    let total = plan.count;
    let jobs = plan.jobs.max(1).min(total.max(1) as usize);
    let slots: Vec<Mutex<Option<Replication>>> = (0..total).map(|_| Mutex::new(None)).collect();
    let first_detail: Mutex<Option<(Vec<OutageRecord>, bool)>> = Mutex::new(None);
    let histograms: Vec<Mutex<LogHistogram>> =
        (0..jobs).map(|_| Mutex::new(LogHistogram::new())).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failure: Mutex<Option<ReplicationError>> = Mutex::new(None);

    let worker = |w: usize| {
        let options = RunOptions {
            check_invariants: plan.check_invariants,
            outage_log_capacity: OUTAGE_LOG_CAPACITY,
        };
        let mut platform = Platform::new(sc, options);
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i as u64 >= total || failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                break;
            }
            let index = plan.first + i as u64;
            match platform.run(plan.seed, index) {
                Ok(metrics) => {
                    let rec = platform.recorder();
                    if let Ok(mut h) = histograms[w].lock() {
                        h.merge(rec.outage_histogram());
                    }
                    if index == 0
                        && let Ok(mut d) = first_detail.lock()
                    {
                        *d = Some((rec.outage_log().to_vec(), rec.outage_log_full()));
                    }
                    let r = Replication {
                        index,
                        metrics,
                        worst_series: rec.worst_series().to_vec(),
                    };
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(r);
                    }
                    let d = done.fetch_add(1, Ordering::Relaxed) as u64 + 1;
                    progress(d, total);
                }
                Err(error) => {
                    if let Ok(mut f) = failure.lock() {
                        // Keep the failure of the lowest replication, so the error is
                        // the same whatever the number of threads.
                        let replace = match &*f {
                            None => true,
                            Some(prev) => index < prev.replication,
                        };
                        if replace {
                            *f = Some(ReplicationError {
                                seed: plan.seed,
                                replication: index,
                                error,
                            });
                        }
                    }
                    break;
                }
            }
        }
    };
    if jobs == 1 {
        worker(0);
    } else {
        std::thread::scope(|s| {
            for w in 0..jobs {
                let worker = &worker;
                s.spawn(move || worker(w));
            }
        });
    }
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    let replications: Vec<Replication> = slots
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect();
    debug_assert_eq!(replications.len() as u64, total);
    // Histogram merging is addition of counts: the order of workers does not matter.
    let mut outage_histogram = LogHistogram::new();
    for h in histograms {
        if let Ok(h) = h.into_inner() {
            outage_histogram.merge(&h);
        }
    }
    let (first_outages, first_outages_truncated) =
        first_detail.into_inner().ok().flatten().unwrap_or_default();
    Ok(Batch {
        seed: plan.seed,
        replications,
        outage_histogram,
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

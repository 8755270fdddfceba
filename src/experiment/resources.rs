//! Resources a study asks of the machine, checked before anything is allocated.
//!
//! Every worker thread builds its own platform, so the memory a command needs is one
//! model's footprint times the workers that run at once, plus the results it keeps:
//! a few hundred bytes per replication of every batch held at once ([`Workload`]).
//! The replications a command runs in all (replications × designs × points × samples
//! × probes) are bounded too, by [`MAX_RUNS`]. These checks live here, above both the
//! scenario loader and the model, because they need the model's footprint, the number
//! of workers and the shape of the study, none of which a model file knows about.

use std::mem::size_of;

use super::design::{Shard, StudyKind};
use super::solve::{Domain, MAX_PROBES, REFINE_PROBES, SCAN_POINTS};
use super::{OUTAGE_LOG_CAPACITY, PLOT_REPLICATIONS, Replication};
use crate::metrics::histogram::LogHistogram;
use crate::metrics::recorder::SERIES_CAPACITY;
use crate::metrics::{METRICS, OutageRecord, SeriesPoint};
use crate::model::Footprint;
use crate::scenario::written_at;
use crate::scenario::{FieldError, LoadedModel, Location, MAX_MODEL_BYTES, ScenarioError};

/// The most replications one command runs, over all its designs, sweep points,
/// sensitivity samples and solve probes (each shard counts its own share): at a
/// millisecond each, a day of one core.
pub const MAX_RUNS: u64 = 100_000_000;

/// Bytes each replication of a batch held in memory costs at most: its metrics and
/// index ([`Replication`], kept), a second copy while the workers' lists are put in
/// order, and a value and its sorted copy while each metric is summarised.
pub const REPLICATION_BYTES: u64 = 2 * size_of::<Replication>() as u64 + 16;

/// Bytes each replication of a run or a comparison costs on top of
/// [`REPLICATION_BYTES`] while its per-replication text is written: a row of
/// `replications.csv`, or its record in a part file, built as a JSON tree (measured:
/// about 2.1 KiB for the 29 metrics; counted as 80 bytes a metric).
pub const TEXT_BYTES: u64 = 80 * METRICS.len() as u64;

/// How much larger an incident series is as a part file's JSON tree than as points
/// (measured: about 11 times).
const SERIES_AS_JSON: u64 = 12;

/// Bytes each batch held costs whatever its replications: its two histograms.
pub const BATCH_BYTES: u64 = 2 * LogHistogram::HELD_BYTES;

/// Bytes a report's data costs a batch of `replications`: replication 0's outage log
/// and the incident series of the first [`PLOT_REPLICATIONS`], each at its largest and
/// as a part file writes it.
pub fn report_bytes(replications: u64) -> u64 {
    let series = SERIES_AS_JSON * (SERIES_CAPACITY * size_of::<SeriesPoint>()) as u64;
    replications.min(PLOT_REPLICATIONS) * series
        + (OUTAGE_LOG_CAPACITY * size_of::<OutageRecord>()) as u64
}

/// One number a command multiplies its batches by, and the option that sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factor {
    pub count: u64,
    /// What is counted, plural (`designs`, `points`).
    pub what: &'static str,
    /// The option (or argument) that sets it, as a refusal names it.
    pub option: String,
}

/// What a command will run, for the up-front bounds on its work and on the memory of
/// the results it keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    pub command: &'static str,
    /// `--replications` as given.
    pub replications: u64,
    /// Set when this process runs one shard of the replications (run, compare, sweep).
    pub shard: Option<Shard>,
    /// What multiplies the batches (designs, points, samples, probes).
    pub factors: Vec<Factor>,
    /// Batches whose replications are all held in memory at once, copies included.
    pub held: u64,
    /// Whether each replication's text is written and a report's data kept (run and
    /// compare).
    pub report: bool,
}

impl Workload {
    /// One batch of `replications`: `trace`, `explain` and library uses.
    pub fn batch(replications: u64) -> Workload {
        Workload {
            command: "run",
            replications,
            shard: None,
            factors: Vec::new(),
            held: 1,
            report: false,
        }
    }

    /// `run` or `compare` of `designs` models, whole or one shard of the replications:
    /// every design's replications are held together, with a report's data.
    pub fn study(kind: StudyKind, replications: u64, shard: Option<Shard>, designs: u64) -> Self {
        Workload {
            command: kind.command(),
            replications,
            shard,
            factors: vec![Factor {
                count: designs,
                what: "designs",
                option: "the model files".into(),
            }],
            held: designs,
            report: true,
        }
    }

    /// `sweep` over `points` grid points: every point's replications are held, twice
    /// (the sweep, and the study of its points it is printed from).
    pub fn sweep(replications: u64, shard: Option<Shard>, points: u64) -> Workload {
        Workload {
            command: "sweep",
            replications,
            shard,
            factors: vec![Factor {
                count: points,
                what: "points",
                option: "--param".into(),
            }],
            held: 2 * points,
            report: false,
        }
    }

    /// `solve` over `domain`: one batch per probe, held one at a time.
    pub fn solve(replications: u64, domain: &Domain) -> Workload {
        Workload {
            command: "solve",
            replications,
            shard: None,
            factors: vec![Factor {
                count: max_probes(domain),
                what: "probes",
                option: "--param".into(),
            }],
            held: 1,
            report: false,
        }
    }

    /// `fit` of `params` parameters: at most [`super::fit::max_probes`] batches, one
    /// held at a time.
    pub fn fit(replications: u64, params: usize) -> Workload {
        Workload {
            command: "fit",
            replications,
            shard: None,
            factors: vec![Factor {
                count: super::fit::max_probes(params),
                what: "probes",
                option: "--param".into(),
            }],
            held: 1,
            report: false,
        }
    }

    /// `sensitivity` of `samples` samples (this shard's) × `designs` models: one batch
    /// held at a time.
    pub fn sensitivity(replications: u64, samples: u64, designs: u64) -> Workload {
        Workload {
            command: "sensitivity",
            replications,
            shard: None,
            factors: vec![
                Factor {
                    count: samples,
                    what: "samples",
                    option: format!("--samples {samples}"),
                },
                Factor {
                    count: designs,
                    what: "designs",
                    option: "the model files".into(),
                },
            ],
            held: 1,
            report: false,
        }
    }

    /// The replications each batch of this process runs: all, or the shard's share.
    pub fn per_batch(&self) -> u64 {
        self.shard.map_or(self.replications, |s| {
            let r = s.range(self.replications);
            r.end - r.start
        })
    }

    /// Batches run one after the other: the product of the factors.
    pub fn batches(&self) -> u128 {
        self.factors.iter().map(|f| f.count as u128).product()
    }

    /// Replications run in all.
    pub fn runs(&self) -> u128 {
        self.batches() * self.per_batch() as u128
    }

    /// Bytes one replication of a held batch costs.
    pub fn bytes_per_replication(&self) -> u64 {
        REPLICATION_BYTES + if self.report { TEXT_BYTES } else { 0 }
    }

    /// Bytes the results kept cost at most with `per_batch` replications per batch.
    pub fn kept_bytes_for(&self, per_batch: u64) -> u128 {
        let each = self.bytes_per_replication() as u128 * per_batch as u128
            + BATCH_BYTES as u128
            + if self.report {
                report_bytes(per_batch) as u128
            } else {
                0
            };
        self.held as u128 * each
    }

    /// Bytes the results kept cost at most.
    pub fn kept_bytes(&self) -> u128 {
        self.kept_bytes_for(self.per_batch())
    }

    /// `3 designs × 1000 replications`, with the shard's share when sharded.
    fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .factors
            .iter()
            .filter(|f| f.count != 1)
            .map(|f| format!("{} {}", f.count, f.what))
            .collect();
        parts.push(match self.shard {
            Some(s) => format!(
                "{} replications (shard {}/{} of {})",
                self.per_batch(),
                s.k,
                s.n,
                self.replications
            ),
            None => format!("{} replications", self.replications),
        });
        parts.join(" × ")
    }

    /// "at most N replications fit", per shard when sharded.
    fn fit_text(&self, fit: u64) -> String {
        match self.shard {
            Some(_) => format!(
                "at most {fit} replications fit in one shard: use more shards or fewer \
                 replications"
            ),
            None => format!("at most {fit} replications fit"),
        }
    }

    /// The factor to blame when not even one replication per batch fits: the largest.
    fn largest_factor(&self) -> Option<&Factor> {
        self.factors.iter().max_by_key(|f| f.count)
    }

    /// Refuses more than [`MAX_RUNS`] replications in all, naming `--replications`
    /// and the most that fit, or the largest factor when even one is too many.
    pub fn check_runs(&self) -> Result<(), String> {
        let runs = self.runs();
        if runs <= MAX_RUNS as u128 {
            return Ok(());
        }
        let what = format!(
            "{} would run {} = {runs} replications in all, more than the {MAX_RUNS} one \
             command may run",
            self.command,
            self.describe()
        );
        let batches = self.batches().max(1);
        let fit = (MAX_RUNS as u128 / batches) as u64;
        if fit >= 1 {
            return Err(format!(
                "--replications {}: {what}; {}",
                self.replications,
                self.fit_text(fit)
            ));
        }
        let Some(f) = self.largest_factor() else {
            return Err(format!("--replications {}: {what}", self.replications));
        };
        let others = (batches / f.count.max(1) as u128).max(1);
        let fit = MAX_RUNS as u128 / others;
        Err(format!(
            "{}: {what}; even at one replication each, at most {fit} {} fit",
            f.option, f.what
        ))
    }

    /// Refuses results that, with one worker's `worker_bytes`, would not fit in
    /// [`MAX_MODEL_BYTES`], naming `--replications` and the most that fit (or the
    /// largest factor when the batches alone are too many); else the bytes they keep.
    pub fn check_memory(&self, worker_bytes: u64) -> Result<u64, String> {
        let limit = MAX_MODEL_BYTES as u128;
        let kept = self.kept_bytes();
        if kept + worker_bytes as u128 <= limit {
            return Ok(kept as u64);
        }
        let need = format!(
            "{} would keep about {:.1} GiB of results ({} per replication × {} × {} {} held \
             at once, with {}), which beside one worker's {} is over the {} GiB limit",
            self.command,
            kept as f64 / GIB,
            bytes_text(self.bytes_per_replication()),
            self.per_batch(),
            self.held,
            if self.held == 1 { "batch" } else { "batches" },
            if self.report {
                "each batch's histograms and a report's data"
            } else {
                "each batch's histograms"
            },
            bytes_text(worker_bytes),
            MAX_MODEL_BYTES >> 30
        );
        // The most replications per batch that fit: kept_bytes_for grows with them.
        let room = limit.saturating_sub(worker_bytes as u128);
        let (mut lo, mut hi) = (0u64, self.per_batch());
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.kept_bytes_for(mid) <= room {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo >= 1 {
            return Err(format!(
                "--replications {}: {need}; {}",
                self.replications,
                self.fit_text(lo)
            ));
        }
        let Some(f) = self.largest_factor() else {
            return Err(format!("--replications {}: {need}", self.replications));
        };
        let per_factor = self.kept_bytes_for(1) / f.count.max(1) as u128;
        let fit = room / per_factor.max(1);
        Err(format!(
            "{}: {need}, even at one replication each; at most {fit} {} fit",
            f.option, f.what
        ))
    }
}

/// The most probes `solve` makes over `domain`: both ends, the interior scan, and a
/// bisection of the whole range down to its grain.
pub fn max_probes(domain: &Domain) -> u64 {
    let (span, step) = match *domain {
        Domain::Integer { lo, hi } => (hi as f64 - lo as f64, 1.0),
        Domain::Real { lo, hi, tolerance } => (hi - lo, tolerance),
        Domain::Duration { lo, hi, tolerance } => (hi as f64 - lo as f64, tolerance as f64),
    };
    let halvings = libm::ceil(libm::log2((span / step.max(f64::MIN_POSITIVE)).max(1.0)));
    let most = 2 + SCAN_POINTS as u64 + REFINE_PROBES as u64 + halvings.min(1100.0) as u64;
    most.min(MAX_PROBES as u64)
}

/// `560 bytes`, `2.1 KiB`, `3.2 MiB`, `15.1 GiB`.
fn bytes_text(b: u64) -> String {
    const KIB: f64 = 1024.0;
    let x = b as f64;
    if x < KIB {
        format!("{b} bytes")
    } else if x < KIB * KIB {
        format!("{:.1} KiB", x / KIB)
    } else if x < GIB {
        format!("{:.1} MiB", x / (KIB * KIB))
    } else {
        format!("{:.1} GiB", x / GIB)
    }
}

/// Why a command cannot run within the limits.
#[derive(Clone, Debug, PartialEq)]
pub enum ResourceError {
    /// A model's site is too large for the workers asked for.
    Model(Box<ScenarioError>),
    /// The study runs too many replications, or keeps too many results: the line
    /// names the option at fault.
    Work(String),
}

impl std::fmt::Display for ResourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResourceError::Model(e) => e.fmt(f),
            ResourceError::Work(line) => f.write_str(line),
        }
    }
}

impl std::error::Error for ResourceError {}

/// How many worker threads were asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    /// The default (all cores): reduced to what fits in memory.
    Default(usize),
    /// Chosen by the user (`--jobs N`): refused when it does not fit.
    Explicit(usize),
}

/// The workers a command can run within the memory limit, and why there are fewer
/// than asked for, if there are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fitted {
    pub workers: usize,
    /// Set when the default was reduced: a line for stderr.
    pub note: Option<String>,
}

const GIB: f64 = (1u64 << 30) as f64;

/// The field a memory refusal names: the site's size is what the memory follows.
const SITE: &str = "site";

/// Checks that `workers` platforms of `model` fit in [`MAX_MODEL_BYTES`] at once.
///
/// `sets` are the `--set` arguments the model was loaded with, so the refusal blames
/// the override that made the site too large rather than the file. `runs` is the most
/// replications one batch runs: no more workers than that are started.
///
/// A model too large for a single worker is refused whatever was asked. With several
/// workers, an explicit `--jobs` that does not fit is refused with the number that
/// would; the default is reduced to that number, with a note saying so.
pub fn fit_workers(
    model: &LoadedModel,
    sets: &[String],
    requested: Workers,
    runs: u64,
) -> Result<Fitted, ScenarioError> {
    fit_within(model, sets, requested, runs, 0)
}

/// [`fit_workers`] with `reserved` bytes of the limit taken by the kept results.
fn fit_within(
    model: &LoadedModel,
    sets: &[String],
    requested: Workers,
    runs: u64,
    reserved: u64,
) -> Result<Fitted, ScenarioError> {
    let site = &model.scenario.site;
    let per_worker = Footprint::of(&model.scenario).bytes;
    let refuse = |message: String| {
        let (field, location) = blame(model, sets);
        FieldError::new(field, message)
            .at(location)
            .in_file(&model.path)
    };
    if per_worker > MAX_MODEL_BYTES {
        return Err(refuse(format!(
            "{} heads × {} VMs would need about {:.1} GiB of memory; the limit is {} GiB",
            site.heads,
            site.vms_per_head,
            per_worker as f64 / GIB,
            MAX_MODEL_BYTES >> 30
        )));
    }
    let (asked, explicit) = match requested {
        Workers::Default(n) => (n, false),
        Workers::Explicit(n) => (n, true),
    };
    // Workers beyond the replications never start, so they need no memory.
    let asked = asked
        .max(1)
        .min(usize::try_from(runs.max(1)).unwrap_or(usize::MAX));
    let budget = MAX_MODEL_BYTES.saturating_sub(reserved);
    let fit = usize::try_from(budget / per_worker.max(1))
        .unwrap_or(usize::MAX)
        .max(1);
    // Said only when it shows: the results of small studies take a few megabytes.
    let results = if reserved as f64 >= GIB / 20.0 {
        format!(
            " (less {:.1} GiB for the kept results)",
            reserved as f64 / GIB
        )
    } else {
        String::new()
    };
    if asked <= fit {
        return Ok(Fitted {
            workers: asked,
            note: None,
        });
    }
    let need = |n: usize| per_worker as f64 * n as f64 / GIB;
    if explicit {
        return Err(refuse(format!(
            "{} heads × {} VMs need about {:.1} GiB of memory per worker, {:.1} GiB for {asked} \
             workers; the limit is {} GiB{results}, which fits {fit}: use --jobs {fit}",
            site.heads,
            site.vms_per_head,
            need(1),
            need(asked),
            MAX_MODEL_BYTES >> 30
        )));
    }
    Ok(Fitted {
        workers: fit,
        note: Some(format!(
            "note: {}: each worker needs about {:.1} GiB of memory; running {fit} {} \
             instead of {asked} to stay within {} GiB{results} (choose with --jobs)",
            model.path,
            need(1),
            if fit == 1 { "worker" } else { "workers" },
            MAX_MODEL_BYTES >> 30
        )),
    })
}

/// The bounds on a command's work, checked before anything runs: every model's site
/// fits one worker ([`fit_workers`]), the replications in all are at most
/// [`MAX_RUNS`], the results kept fit in memory beside one worker of the largest
/// model, and the workers that fit in what remains (for every model, each with the
/// `--set` arguments it was loaded with) are the ones started.
pub fn fit_all(
    models: &[(&LoadedModel, Vec<String>)],
    requested: Workers,
    work: &Workload,
) -> Result<Fitted, ResourceError> {
    let model_error = |e: ScenarioError| ResourceError::Model(Box::new(e));
    let mut largest = 0;
    for (model, sets) in models {
        // A site too large for one worker is at fault whatever else is asked.
        fit_workers(model, sets, Workers::Explicit(1), 1).map_err(model_error)?;
        largest = largest.max(Footprint::of(&model.scenario).bytes);
    }
    work.check_runs().map_err(ResourceError::Work)?;
    let kept = work.check_memory(largest).map_err(ResourceError::Work)?;
    let runs = work.per_batch();
    let mut fitted: Option<Fitted> = None;
    for (model, sets) in models {
        let f = fit_within(model, sets, requested, runs, kept).map_err(model_error)?;
        if fitted.as_ref().is_none_or(|g| f.workers < g.workers) {
            fitted = Some(f);
        }
    }
    Ok(fitted.unwrap_or(Fitted {
        workers: 1,
        note: None,
    }))
}

/// The field a memory refusal names and where it was written: the `--set` that grew
/// the footprint most and the field it set (`migration.concurrency`, say), else the
/// site in the file.
fn blame(model: &LoadedModel, sets: &[String]) -> (String, Location) {
    let bytes = |sets: &[String]| {
        crate::scenario::load_str(&model.path, &model.source, sets)
            .ok()
            .map(|m| Footprint::of(&m.scenario).bytes)
    };
    let mut before = bytes(&[]);
    let mut grown: Option<(u64, &String)> = None;
    for (i, arg) in sets.iter().enumerate() {
        let after = bytes(&sets[..=i]);
        if let (Some(b), Some(a)) = (before, after)
            && a > b
            && grown.is_none_or(|(g, _)| a - b >= g)
        {
            grown = Some((a - b, arg));
        }
        before = after;
    }
    if let Some((_, arg)) = grown {
        let mut raw = model.raw.clone();
        if let Ok(field) = crate::scenario::apply_set(&mut raw, arg) {
            return (field, Location::Set(arg.clone()));
        }
    }
    (SITE.to_string(), written_at(&model.source, SITE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    const TEXT: &str = "(name: \"t\", horizon: \"1d\",\n site: (heads: 2, vms_per_head: 3))";

    fn model(sets: &[&str]) -> LoadedModel {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        load_str("m.ron", TEXT, &sets).unwrap()
    }

    /// A site that fits one worker but not two: 1 000 heads and the fewest VMs per head
    /// (in steps of 25 000) whose footprint is over half the limit. Chosen from the
    /// footprint itself, so the test follows the model's layout as it changes.
    fn fits_one_worker_only() -> (LoadedModel, Vec<String>, u64) {
        (1..=40)
            .map(|k| {
                let sets = vec![
                    "site.heads=1000".to_string(),
                    format!("site.vms_per_head={}", k * 25_000),
                ];
                let m = load_str("m.ron", TEXT, &sets).unwrap();
                let bytes = Footprint::of(&m.scenario).bytes;
                (m, sets, bytes)
            })
            .find(|(_, _, bytes)| 2 * bytes > MAX_MODEL_BYTES)
            .unwrap()
    }

    #[test]
    fn a_small_model_runs_every_worker_asked_for() {
        // Six platforms of a 6-VM site are a few kilobytes: every worker runs, but no
        // more than there are replications.
        let m = model(&[]);
        let f = fit_workers(&m, &[], Workers::Explicit(6), 100).unwrap();
        assert_eq!(
            f,
            Fitted {
                workers: 6,
                note: None
            }
        );
        let f = fit_workers(&m, &[], Workers::Default(6), 2).unwrap();
        assert_eq!(f.workers, 2);
    }

    #[test]
    fn the_bound_covers_every_worker() {
        // A site that fits one worker in 16 GiB but not two: an explicit --jobs 2 is
        // refused naming --jobs 1 and the override that sized the site; the default is
        // reduced to 1 with a note; a single replication needs only one worker.
        let (m, sets, bytes) = fits_one_worker_only();
        assert!(bytes <= MAX_MODEL_BYTES, "{bytes}");
        let e = fit_workers(&m, &sets, Workers::Explicit(2), 10).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("field `site.vms_per_head`"), "{text}");
        assert!(text.contains("use --jobs 1"), "{text}");
        assert!(text.contains(&format!("in --set {}", sets[1])), "{text}");
        let f = fit_workers(&m, &sets, Workers::Default(8), 10).unwrap();
        assert_eq!(f.workers, 1);
        assert!(f.note.unwrap().contains("running 1 worker instead of 8"));
        let f = fit_workers(&m, &sets, Workers::Explicit(8), 1).unwrap();
        assert_eq!(
            f,
            Fitted {
                workers: 1,
                note: None
            }
        );
    }

    #[test]
    fn a_model_too_large_for_one_worker_names_the_site_in_the_file() {
        // Written in the file (no override), the refusal points at the `site` field's
        // line and column, with the same words whatever the number of workers.
        let text = "(name: \"t\", horizon: \"1d\",\n site: (heads: 100000, vms_per_head: 40000))";
        let m = load_str("big.ron", text, &[]).unwrap();
        for asked in [Workers::Default(1), Workers::Explicit(4)] {
            let e = fit_workers(&m, &[], asked, 30).unwrap_err().to_string();
            assert!(
                e.starts_with(
                    "big.ron:2:2: field `site`: 100000 heads × 40000 VMs would need about"
                ),
                "{e}"
            );
            assert!(e.ends_with("GiB of memory; the limit is 16 GiB"), "{e}");
        }
    }
}

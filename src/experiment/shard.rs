//! Shards: a study split over machines. Each shard runs a contiguous range of the
//! replications and writes a part file (JSON); `merge` reads the parts back and
//! rebuilds exactly the study an unsharded run would have given.
//!
//! The part file is a serde mirror of a study ([`PartFile`]): what is written is what
//! is read, field for field, and everything read is checked before it is trusted.

use serde::{Deserialize, Serialize};

pub(crate) use checks::metric_problem;
use checks::{check_names, design};

use super::design::repeated_name;
use super::design::{DesignInfo, Shard, StudyKind, SweepLabels, design_seed};
use super::study::Study;
use super::sweep::{MAX_SWEEP_POINTS, Param, check_params, grid};
use super::{Batch, MAX_REPLICATIONS, OUTAGE_LOG_CAPACITY, Replication};
use crate::metrics::histogram::LogHistogram;
use crate::metrics::stats::LengthMismatch;
use crate::metrics::{METRICS, OutageCause, OutageRecord, RunMetrics, SeriesPoint};
use crate::scenario::error::printable;
use crate::scenario::overrides::{check_override_text, first_replacement, same_target};
use crate::scenario::target::Target;
use crate::scenario::validate::name_problem;
use crate::scenario::{ModelKind, OPERATION_HORIZON_US};

/// The format tag of a part file.
pub const PARTIAL_FORMAT: &str = "bigvsim-partial-1";

/// A part file as written and read. The fields are in alphabetical order, the order
/// the file has always had, so the bytes written do not depend on the serializer.
#[derive(Debug, Serialize, Deserialize)]
struct PartFile {
    command: StudyKind,
    designs: Vec<PartDesign>,
    format: String,
    independent_seeds: bool,
    metric_keys: Vec<String>,
    overrides: Vec<String>,
    replications: u64,
    seed: u64,
    /// `[k, n]`.
    shard: (u64, u64),
    /// A sweep's parameters and point values (absent for `run` and `compare`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sweep: Option<SweepLabels>,
    /// The targets the models declared and `--target` added, as written.
    #[serde(default)]
    targets: Vec<String>,
    version: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct PartDesign {
    #[serde(default)]
    horizon_us: u64,
    first_outages: Vec<PartOutage>,
    first_outages_truncated: bool,
    hash: String,
    histogram: PartHistogram,
    /// The durations of incidents that were not site-wide (absent from older parts).
    #[serde(default)]
    head_incident_histogram: Option<PartHistogram>,
    /// The model's kind, `Incident` or `Operation` (absent from older parts: then
    /// the horizon decides, as [`kind_of_horizon`] says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<ModelKind>,
    name: String,
    path: String,
    replications: Vec<PartReplication>,
    seed: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct PartReplication {
    index: u64,
    metrics: Vec<f64>,
    /// Bit m set: metric m was cut by the horizon.
    #[serde(default)]
    censored: u64,
    /// `[since_start_us, vms_down, queued, booting]` per point.
    worst_series: Vec<(u64, u32, u32, u32)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PartHistogram {
    /// `[bucket, count]` for every non-empty bucket.
    buckets: Vec<(u32, u64)>,
    max: u64,
    min: u64,
}

/// `[vm, head, start_us, end_us or null, cause]`, the cause as its number.
type PartOutage = (u32, u32, u64, Option<u64>, u8);

/// The kind of a design whose part file does not say (written before kinds were):
/// an operation model when its horizon is at least [`OPERATION_HORIZON_US`].
fn kind_of_horizon(horizon_us: u64) -> ModelKind {
    if horizon_us >= OPERATION_HORIZON_US {
        ModelKind::Operation
    } else {
        ModelKind::Incident
    }
}

/// Just the fields that say whether the rest can be read, so a file from another
/// version is refused with that reason rather than with a field it lacks.
#[derive(Deserialize)]
struct PartHeader {
    format: String,
    version: String,
}

impl PartFile {
    fn of(study: &Study, shard: Shard) -> PartFile {
        let designs = study
            .designs
            .iter()
            .map(|(info, b)| {
                let (buckets, min, max) = b.outage_histogram.to_parts();
                let (h_buckets, h_min, h_max) = b.head_incident_histogram.to_parts();
                PartDesign {
                    horizon_us: b.horizon_us,
                    first_outages: b
                        .first_outages
                        .iter()
                        .map(|o| (o.vm, o.head, o.start_us, o.end_us, o.cause as u8))
                        .collect(),
                    first_outages_truncated: b.first_outages_truncated,
                    hash: info.hash.clone(),
                    histogram: PartHistogram { buckets, max, min },
                    head_incident_histogram: Some(PartHistogram {
                        buckets: h_buckets,
                        max: h_max,
                        min: h_min,
                    }),
                    kind: Some(b.kind),
                    name: info.name.clone(),
                    path: info.path.clone(),
                    replications: b
                        .replications
                        .iter()
                        .map(|r| PartReplication {
                            index: r.index,
                            metrics: r.metrics.values.to_vec(),
                            censored: r.metrics.censored,
                            worst_series: r
                                .worst_series
                                .iter()
                                .map(|p| (p.since_start_us, p.vms_down, p.queued, p.booting))
                                .collect(),
                        })
                        .collect(),
                    seed: b.seed,
                }
            })
            .collect();
        PartFile {
            command: study.kind,
            designs,
            format: PARTIAL_FORMAT.to_string(),
            independent_seeds: study.independent_seeds,
            metric_keys: METRICS.iter().map(|d| d.key.to_string()).collect(),
            overrides: study.overrides.clone(),
            replications: study.replications,
            seed: study.seed,
            shard: (shard.k, shard.n),
            sweep: study.sweep.clone(),
            targets: study.targets.iter().map(Target::text).collect(),
            version: crate::VERSION.to_string(),
        }
    }
}

/// A shard of a study as the JSON text that [`merge_files`] reads back exactly.
pub fn part_json(study: &Study, shard: Shard) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&PartFile::of(study, shard))
}

/// Why a part file cannot be read.
#[derive(Debug)]
pub enum PartError {
    /// The file cannot be read (missing, a directory, a device, too large, not text).
    Read(String),
    /// The file is not a part file's JSON.
    Json(String),
    /// The file is a part file of another format or version.
    Version(String),
    /// A field holds a value no part file can hold.
    Invalid(String),
}

impl std::fmt::Display for PartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartError::Read(e) => write!(f, "cannot read the shard file: {e}"),
            PartError::Json(e) => write!(f, "not a shard file: {e}"),
            PartError::Version(e) | PartError::Invalid(e) => f.write_str(e),
        }
    }
}

/// Why the parts cannot be merged.
#[derive(Debug)]
pub enum MergeError {
    NoParts,
    /// One file is unreadable or invalid.
    Part {
        file: String,
        error: PartError,
    },
    /// A part is not from the same study as the first.
    Mismatch {
        file: String,
        shard: Shard,
        first_file: String,
        first: Shard,
    },
    /// Two parts are the same shard.
    Duplicate {
        file: String,
        shard: Shard,
    },
    Missing(Shard),
    /// The designs' results cannot be paired.
    Pairing(LengthMismatch),
}

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MergeError::NoParts => f.write_str("no shard files given"),
            MergeError::Part { file, error } => write!(f, "{file}: {error}"),
            MergeError::Mismatch {
                file,
                shard,
                first_file,
                first,
            } => write!(
                f,
                "{file}: shard {}/{} is not from the same study as shard {}/{} in {first_file} (models, seed, replications, overrides and shard count must match)",
                shard.k, shard.n, first.k, first.n
            ),
            MergeError::Duplicate { file, shard } => {
                write!(f, "{file}: shard {}/{} is given twice", shard.k, shard.n)
            }
            MergeError::Missing(s) => write!(f, "shard {}/{} is missing", s.k, s.n),
            MergeError::Pairing(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for MergeError {}

/// The largest part file read (about a million replications).
const MAX_PART_FILE_BYTES: u64 = 8 << 30;

/// A part file's text, read with a bound so a device such as /dev/zero or an endless
/// pipe cannot hang the merge or fill memory.
pub(crate) fn read_text(path: &str) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("it is a directory".to_string());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_char_device() || t.is_block_device() {
            return Err("it is a device, not a file".to_string());
        }
    }
    let mut bytes = Vec::new();
    file.take(MAX_PART_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_PART_FILE_BYTES {
        return Err(format!("larger than {} GiB", MAX_PART_FILE_BYTES >> 30));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// One part, read and turned back into the shard of a study.
#[derive(Debug)]
struct Part {
    shard: Shard,
    kind: StudyKind,
    seed: u64,
    replications: u64,
    independent_seeds: bool,
    overrides: Vec<String>,
    targets: Vec<Target>,
    sweep: Option<SweepLabels>,
    designs: Vec<(DesignInfo, Batch)>,
}

impl Part {
    /// True when both parts come from the same study (everything but the shard index
    /// and the results agree).
    fn same_study(&self, other: &Part) -> bool {
        self.kind == other.kind
            && self.seed == other.seed
            && self.replications == other.replications
            && self.independent_seeds == other.independent_seeds
            && self.overrides == other.overrides
            && self.targets == other.targets
            && self.sweep == other.sweep
            && self.shard.n == other.shard.n
            && self.designs.len() == other.designs.len()
            && self
                .designs
                .iter()
                .zip(&other.designs)
                .all(|((a, _), (b, _))| a == b)
    }
}

/// Parses a part file's text.
fn parse(text: &str) -> Result<Part, PartError> {
    let header: PartHeader =
        serde_json::from_str(text).map_err(|e| PartError::Json(e.to_string()))?;
    if header.format != PARTIAL_FORMAT {
        return Err(PartError::Version(format!("not a {PARTIAL_FORMAT} file")));
    }
    if header.version != crate::VERSION {
        return Err(PartError::Version(format!(
            "written by bigvsim {}, this is {}: rerun the shards with one version",
            header.version,
            crate::VERSION
        )));
    }
    let file: PartFile =
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
            .map_err(|e| PartError::Json(e.to_string()))?;
    let invalid = PartError::Invalid;
    let (k, n) = file.shard;
    if n == 0 || k >= n || n > MAX_REPLICATIONS {
        return Err(invalid(format!(
            "`shard` is [{k}, {n}]: expected [K, N] with 0 ≤ K < N ≤ {MAX_REPLICATIONS}"
        )));
    }
    let shard = Shard { k, n };
    if file.replications == 0 || file.replications > MAX_REPLICATIONS {
        return Err(invalid(format!(
            "`replications` is {}: expected 1 to {MAX_REPLICATIONS}",
            file.replications
        )));
    }
    if !file.metric_keys.iter().eq(METRICS.iter().map(|d| d.key)) {
        return Err(invalid(
            "`metric_keys` is not this version's list of metrics".to_string(),
        ));
    }
    let (count_ok, wanted) = match file.command {
        StudyKind::Run => (file.designs.len() == 1, "exactly one design"),
        StudyKind::Compare => (file.designs.len() >= 2, "at least two designs"),
        StudyKind::Sweep => (
            file.sweep.as_ref().is_some_and(|sw| {
                !file.designs.is_empty()
                    && sw.values.len() == file.designs.len()
                    && sw.values.iter().all(|v| v.len() == sw.params.len())
            }),
            "one design per point of its `sweep` values",
        ),
    };
    if file.command != StudyKind::Sweep && file.sweep.is_some() {
        return Err(invalid(format!(
            "`sweep` is given but the study is a `{}`",
            file.command.command()
        )));
    }
    if !count_ok {
        return Err(invalid(format!(
            "`designs` has {} entries: a `{}` study has {wanted}",
            file.designs.len(),
            file.command.command()
        )));
    }
    let targets = file
        .targets
        .iter()
        .map(|t| Target::parse(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("`targets`: {e}")))?;
    if let Some((j, t)) = targets
        .iter()
        .enumerate()
        .find(|(j, t)| targets[..*j].iter().any(|o| same_target(o, t)))
    {
        return Err(invalid(format!(
            "`targets`: target {j} (`{}`) repeats an earlier one",
            t.text()
        )));
    }
    check_overrides(&file.overrides).map_err(invalid)?;
    if file.command == StudyKind::Sweep && file.designs.len() as u64 > MAX_SWEEP_POINTS {
        return Err(invalid(format!(
            "`designs` has {} entries: at most {MAX_SWEEP_POINTS}",
            file.designs.len()
        )));
    }
    check_names(&file).map_err(invalid)?;
    let range = shard.range(file.replications);
    let designs = file
        .designs
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let expected_seed = design_seed(file.seed, i, file.independent_seeds);
            design(d, expected_seed, range.clone()).map_err(|e| invalid(format!("design {i}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Part {
        shard,
        kind: file.command,
        seed: file.seed,
        replications: file.replications,
        independent_seeds: file.independent_seeds,
        overrides: file.overrides,
        targets,
        sweep: file.sweep,
        designs,
    })
}

/// Checks a part's recorded overrides as `--set` checks them: each a `PATH=VALUE` of
/// a path `--set` knows, on one line, none replacing an earlier one.
pub(crate) fn check_overrides(overrides: &[String]) -> Result<(), String> {
    for o in overrides {
        check_override_text(o).map_err(|e| format!("`overrides`: {e}"))?;
    }
    if let Some((later, earlier)) = first_replacement(overrides) {
        return Err(format!(
            "`overrides`: `{}` would overwrite `{}`, which no command records",
            printable(&overrides[later]),
            printable(&overrides[earlier])
        ));
    }
    Ok(())
}

/// Reads the part files and combines them into the study an unsharded run would
/// have given.
pub fn merge_files(paths: &[String]) -> Result<Study, MergeError> {
    let mut parts = Vec::with_capacity(paths.len());
    for path in paths {
        let part = read_text(path)
            .map_err(PartError::Read)
            .and_then(|text| parse(&text))
            .map_err(|error| MergeError::Part {
                file: path.clone(),
                error,
            })?;
        parts.push((path.clone(), part));
    }
    merge(parts)
}

/// [`merge_files`] on texts already read: each part is (a name for messages, its
/// text).
pub fn merge_texts(parts: &[(String, String)]) -> Result<Study, MergeError> {
    let mut read = Vec::with_capacity(parts.len());
    for (name, text) in parts {
        let part = parse(text).map_err(|error| MergeError::Part {
            file: name.clone(),
            error,
        })?;
        read.push((name.clone(), part));
    }
    merge(read)
}

/// Combines the parts of one study, each with the file it came from. Every part has
/// been checked on its own; what is left is that they belong together.
fn merge(mut parts: Vec<(String, Part)>) -> Result<Study, MergeError> {
    parts.sort_by_key(|(_, p)| p.shard.k);
    let Some((first_file, first)) = parts.first() else {
        return Err(MergeError::NoParts);
    };
    let n = first.shard.n;
    // Sorted by index, the parts must be shards 0, 1, …, n − 1, each once; no table
    // is sized by the (untrusted) shard count.
    let mut expected = 0;
    for (file, p) in &parts {
        if !p.same_study(first) {
            return Err(MergeError::Mismatch {
                file: file.clone(),
                shard: p.shard,
                first_file: first_file.clone(),
                first: first.shard,
            });
        }
        if p.shard.k < expected {
            return Err(MergeError::Duplicate {
                file: file.clone(),
                shard: p.shard,
            });
        }
        if p.shard.k > expected {
            return Err(MergeError::Missing(Shard { k: expected, n }));
        }
        expected += 1;
    }
    if expected < n {
        return Err(MergeError::Missing(Shard { k: expected, n }));
    }
    let mut designs: Vec<(DesignInfo, Batch)> = Vec::new();
    for (d, (info, b0)) in first.designs.iter().enumerate() {
        let mut batch = Batch {
            seed: b0.seed,
            horizon_us: b0.horizon_us,
            kind: b0.kind,
            replications: Vec::new(),
            outage_histogram: LogHistogram::new(),
            head_incident_histogram: LogHistogram::new(),
            first_outages: Vec::new(),
            first_outages_truncated: false,
        };
        for (_, p) in &parts {
            let b = &p.designs[d].1;
            // Replication 0's outages come from the shard that ran it, which need not
            // be shard 0 (with fewer replications than shards, shard 0 is empty).
            if p.shard.range(p.replications).contains(&0) {
                batch.first_outages = b.first_outages.clone();
                batch.first_outages_truncated = b.first_outages_truncated;
            }
            batch.replications.extend(b.replications.iter().cloned());
            batch.outage_histogram.merge(&b.outage_histogram);
            batch
                .head_incident_histogram
                .merge(&b.head_incident_histogram);
        }
        // Each part holds exactly its shard's range, and the shards tile 0..R.
        debug_assert!(
            batch
                .replications
                .iter()
                .map(|r| r.index)
                .eq(0..first.replications)
        );
        designs.push((info.clone(), batch));
    }
    Study::new(
        first.kind,
        first.seed,
        first.replications,
        first.independent_seeds,
        first.overrides.clone(),
        designs,
    )
    .map(|mut study| {
        study.targets = first.targets.clone();
        study.sweep = first.sweep.clone();
        study
    })
    .map_err(MergeError::Pairing)
}

mod checks;
#[cfg(test)]
mod tests;

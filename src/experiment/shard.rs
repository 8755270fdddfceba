//! Shards: a study split over machines. Each shard runs a contiguous range of the
//! replications and writes a part file (JSON); `merge` reads the parts back and
//! rebuilds exactly the study an unsharded run would have given.
//!
//! The part file is a serde mirror of a study ([`PartFile`]): what is written is what
//! is read, field for field, and everything read is checked before it is trusted.

use serde::{Deserialize, Serialize};

use super::study::{DesignInfo, Study, StudyKind};
use super::{Batch, Replication};
use crate::metrics::histogram::LogHistogram;
use crate::metrics::stats::LengthMismatch;
use crate::metrics::{METRICS, OutageCause, OutageRecord, RunMetrics, SeriesPoint};

/// One part of a study split over machines: replications `[k·R/n, (k+1)·R/n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// Parses `K/N` with 0 ≤ K < N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard expects K/N with 0 ≤ K < N (e.g. 0/4), found `{text}`");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// The replications of this shard out of `total`.
    pub fn range(&self, total: u64) -> std::ops::Range<u64> {
        let lo = (self.k as u128 * total as u128 / self.n as u128) as u64;
        let hi = ((self.k + 1) as u128 * total as u128 / self.n as u128) as u64;
        lo..hi
    }
}

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
    version: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct PartDesign {
    first_outages: Vec<PartOutage>,
    first_outages_truncated: bool,
    hash: String,
    histogram: PartHistogram,
    name: String,
    path: String,
    replications: Vec<PartReplication>,
    seed: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct PartReplication {
    index: u64,
    metrics: Vec<f64>,
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
                PartDesign {
                    first_outages: b
                        .first_outages
                        .iter()
                        .map(|o| (o.vm, o.head, o.start_us, o.end_us, o.cause as u8))
                        .collect(),
                    first_outages_truncated: b.first_outages_truncated,
                    hash: info.hash.clone(),
                    histogram: PartHistogram { buckets, max, min },
                    name: info.name.clone(),
                    path: info.path.clone(),
                    replications: b
                        .replications
                        .iter()
                        .map(|r| PartReplication {
                            index: r.index,
                            metrics: r.metrics.values.to_vec(),
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
        shard: Shard,
        first: Shard,
    },
    Duplicate(Shard),
    Missing(Shard),
    /// The parts do not hold replications 0..R exactly once.
    Replications,
    /// The designs' results cannot be paired.
    Pairing(LengthMismatch),
}

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MergeError::NoParts => f.write_str("no shard files given"),
            MergeError::Part { file, error } => write!(f, "{file}: {error}"),
            MergeError::Mismatch { shard, first } => write!(
                f,
                "shard {}/{} is not from the same study as shard {}/{} (models, seed, replications, overrides and shard count must match)",
                shard.k, shard.n, first.k, first.n
            ),
            MergeError::Duplicate(s) => write!(f, "shard {}/{} is given twice", s.k, s.n),
            MergeError::Missing(s) => write!(f, "shard {}/{} is missing", s.k, s.n),
            MergeError::Replications => {
                f.write_str("the shards do not hold replications 0..R exactly once")
            }
            MergeError::Pairing(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for MergeError {}

/// The largest part file read (about a million replications).
const MAX_PART_FILE_BYTES: u64 = 8 << 30;

/// A part file's text, read with a bound so a device such as /dev/zero or an endless
/// pipe cannot hang the merge or fill memory.
fn read_text(path: &str) -> Result<String, String> {
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
    let designs = file
        .designs
        .into_iter()
        .map(design)
        .collect::<Result<Vec<_>, _>>()
        .map_err(PartError::Invalid)?;
    Ok(Part {
        shard: Shard {
            k: file.shard.0,
            n: file.shard.1,
        },
        kind: file.command,
        seed: file.seed,
        replications: file.replications,
        independent_seeds: file.independent_seeds,
        overrides: file.overrides,
        designs,
    })
}

/// One design of a part file, as the batch it came from.
fn design(d: PartDesign) -> Result<(DesignInfo, Batch), String> {
    let replications = d
        .replications
        .into_iter()
        .map(|r| {
            let values: [f64; METRICS.len()] = r.metrics.try_into().map_err(|m: Vec<f64>| {
                format!(
                    "{} metrics per replication, expected {}",
                    m.len(),
                    METRICS.len()
                )
            })?;
            Ok(Replication {
                index: r.index,
                metrics: RunMetrics { values },
                worst_series: r
                    .worst_series
                    .into_iter()
                    .map(|(since_start_us, vms_down, queued, booting)| SeriesPoint {
                        since_start_us,
                        vms_down,
                        queued,
                        booting,
                    })
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let h = d.histogram;
    let outage_histogram = LogHistogram::from_parts(&h.buckets, h.min, h.max)?;
    let first_outages = d
        .first_outages
        .into_iter()
        .map(|(vm, head, start_us, end_us, cause)| {
            let cause = match cause {
                0 => OutageCause::SupervisorCrash,
                1 => OutageCause::HeadFailure,
                c => return Err(format!("unknown outage cause {c}")),
            };
            Ok(OutageRecord {
                vm,
                head,
                start_us,
                end_us,
                cause,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let info = DesignInfo {
        name: d.name,
        path: d.path,
        hash: d.hash,
    };
    let batch = Batch {
        seed: d.seed,
        replications,
        outage_histogram,
        first_outages,
        first_outages_truncated: d.first_outages_truncated,
    };
    Ok((info, batch))
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
        parts.push(part);
    }
    merge(parts)
}

/// Combines the parts of one study.
fn merge(mut parts: Vec<Part>) -> Result<Study, MergeError> {
    parts.sort_by_key(|p| p.shard.k);
    let Some(first) = parts.first() else {
        return Err(MergeError::NoParts);
    };
    let n = first.shard.n;
    let mut seen = vec![false; n as usize];
    for p in &parts {
        if !p.same_study(first) {
            return Err(MergeError::Mismatch {
                shard: p.shard,
                first: first.shard,
            });
        }
        if std::mem::replace(&mut seen[p.shard.k as usize], true) {
            return Err(MergeError::Duplicate(p.shard));
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(MergeError::Missing(Shard {
            k: missing as u64,
            n,
        }));
    }
    let mut designs: Vec<(DesignInfo, Batch)> = Vec::new();
    for d in 0..first.designs.len() {
        let (info, b0) = &first.designs[d];
        let mut batch = Batch {
            seed: b0.seed,
            replications: Vec::new(),
            outage_histogram: LogHistogram::new(),
            first_outages: b0.first_outages.clone(),
            first_outages_truncated: b0.first_outages_truncated,
        };
        for p in &parts {
            let b = &p.designs[d].1;
            batch.replications.extend(b.replications.iter().cloned());
            batch.outage_histogram.merge(&b.outage_histogram);
        }
        if !batch
            .replications
            .iter()
            .map(|r| r.index)
            .eq(0..first.replications)
        {
            return Err(MergeError::Replications);
        }
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
    .map_err(MergeError::Pairing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_partition_the_replications() {
        // 10 replications in 4 shards: [0,2), [2,5), [5,7), [7,10).
        let ranges: Vec<_> = (0..4).map(|k| Shard { k, n: 4 }.range(10)).collect();
        assert_eq!(ranges, vec![0..2, 2..5, 5..7, 7..10]);
        assert!(Shard::parse("4/4").is_err());
        assert_eq!(Shard::parse("1/3"), Ok(Shard { k: 1, n: 3 }));
    }
}

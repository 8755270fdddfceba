//! What a study is made of, below the study itself: its kind, where each design came
//! from, each design's master seed, and the shard of the replications one process
//! runs. Studies, their differences and shard files all build on these.

use serde::{Deserialize, Serialize};

use crate::scenario::LoadedModel;

/// What a study is for: summarising one design or comparing several. It decides the
/// reports written, and travels in shard files so `merge` writes the same ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StudyKind {
    /// `run`: one design.
    Run,
    /// `compare`: a baseline and the designs compared with it.
    Compare,
    /// `sweep`: one model at several parameter values, each compared with the first.
    Sweep,
}

impl StudyKind {
    /// The command that runs this kind of study.
    pub fn command(self) -> &'static str {
        match self {
            StudyKind::Run => "run",
            StudyKind::Compare => "compare",
            StudyKind::Sweep => "sweep",
        }
    }
}

/// What a sweep's designs are: the model's name, the swept paths and each point's
/// values (a sweep travels in shard files as a study of its points).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepLabels {
    pub model: String,
    pub params: Vec<String>,
    pub values: Vec<Vec<String>>,
}

/// Where a design came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DesignInfo {
    pub name: String,
    pub path: String,
    /// FNV-1a of the model file's bytes, hex.
    pub hash: String,
}

impl DesignInfo {
    pub fn of(m: &LoadedModel) -> DesignInfo {
        DesignInfo {
            name: m.scenario.name.clone(),
            path: m.path.clone(),
            hash: format!(
                "{:016x}",
                super::fnv1a(m.source.as_bytes(), super::FNV_OFFSET)
            ),
        }
    }
}

/// The master seed of design `k`: the study's seed under common random numbers, or a
/// distinct seed per design when the designs are to be independent.
pub fn design_seed(seed: u64, k: usize, independent: bool) -> u64 {
    if independent && k > 0 {
        seed.wrapping_add((k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    } else {
        seed
    }
}

/// One part of a study split over machines: replications `[k·R/n, (k+1)·R/n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// Parses `K/N` with 0 ≤ K < N ≤ `max_n` (the most shards the command's part
    /// files may have, as `merge` checks them).
    pub fn parse(text: &str, max_n: u64) -> Result<Shard, String> {
        let bad =
            || format!("--shard expects K/N with 0 ≤ K < N ≤ {max_n} (e.g. 0/4), found `{text}`");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k >= n || n > max_n {
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

/// The first two designs of a study that share a name, as (earlier, later) indices:
/// results are told apart by name, so every study refuses them.
pub fn repeated_name<S: AsRef<str>>(names: &[S]) -> Option<(usize, usize)> {
    let mut first: std::collections::BTreeMap<&str, usize> = Default::default();
    names
        .iter()
        .enumerate()
        .find_map(|(j, name)| first.insert(name.as_ref(), j).map(|i| (i, j)))
}

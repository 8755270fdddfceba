//! Studies: one or more designs run over the same replications (common random numbers),
//! their paired differences, sweeps over parameters, and shards that split a study over
//! machines and merge back into exactly the unsharded result.

use serde_json::{Value, json};

use super::{Batch, Plan, Replication, ReplicationError, run_batch};
use crate::metrics::histogram::LogHistogram;
use crate::metrics::stats::student_t_975;
use crate::metrics::{
    METRICS, Metric, OutageCause, OutageRecord, RunMetrics, SeriesPoint, Summary, summarize,
};
use crate::scenario::LoadedModel;

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

/// The results of every design of a study.
#[derive(Clone, Debug)]
pub struct Study {
    /// `run` (one design) or `compare`.
    pub command: String,
    pub seed: u64,
    /// Replications of the whole study (a shard holds a subset).
    pub replications: u64,
    pub independent_seeds: bool,
    pub overrides: Vec<String>,
    pub designs: Vec<(DesignInfo, Batch)>,
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

/// Runs every design over the plan's replications.
pub fn run_study(
    command: &str,
    models: &[LoadedModel],
    plan: &Plan,
    total: u64,
    independent_seeds: bool,
    overrides: &[String],
    progress: &(dyn Fn(usize, u64, u64) + Sync),
) -> Result<Study, (usize, ReplicationError)> {
    let mut designs = Vec::with_capacity(models.len());
    for (k, m) in models.iter().enumerate() {
        let p = Plan {
            seed: design_seed(plan.seed, k, independent_seeds),
            ..*plan
        };
        let batch = run_batch(&m.scenario, &p, &|d, t| progress(k, d, t)).map_err(|e| (k, e))?;
        designs.push((DesignInfo::of(m), batch));
    }
    Ok(Study {
        command: command.to_string(),
        seed: plan.seed,
        replications: total,
        independent_seeds,
        overrides: overrides.to_vec(),
        designs,
    })
}

/// The difference of one metric between a design and the baseline (design − baseline).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    pub mean: f64,
    pub ci95_lo: f64,
    pub ci95_hi: f64,
    /// Paired over replications (common random numbers) or Welch's unpaired interval.
    pub paired: bool,
}

impl Difference {
    /// True when the 95 % CI excludes zero.
    pub fn significant(&self) -> bool {
        self.ci95_lo > 0.0 || self.ci95_hi < 0.0
    }
}

/// Design − baseline for one metric: paired if the replications share seeds.
pub fn difference(baseline: &[f64], design: &[f64], paired: bool) -> Difference {
    if paired && baseline.len() == design.len() {
        let d: Vec<f64> = baseline.iter().zip(design).map(|(a, b)| b - a).collect();
        let s = summarize(&d);
        return Difference {
            mean: s.mean,
            ci95_lo: s.ci95_lo,
            ci95_hi: s.ci95_hi,
            paired: true,
        };
    }
    welch(&summarize(baseline), &summarize(design))
}

/// Welch's interval for the difference of two independent means.
fn welch(a: &Summary, b: &Summary) -> Difference {
    let mean = b.mean - a.mean;
    let (va, vb) = (a.std * a.std / a.n as f64, b.std * b.std / b.n as f64);
    let se2 = va + vb;
    let half = if se2 > 0.0 && a.n > 1 && b.n > 1 {
        let df = se2 * se2 / (va * va / (a.n as f64 - 1.0) + vb * vb / (b.n as f64 - 1.0));
        student_t_975(df.floor().max(1.0) as usize) * libm::sqrt(se2)
    } else {
        0.0
    };
    Difference {
        mean,
        ci95_lo: mean - half,
        ci95_hi: mean + half,
        paired: false,
    }
}

impl Study {
    /// Every design after the first against the first, metric by metric.
    pub fn differences(&self) -> Vec<Vec<Difference>> {
        let Some((_, base)) = self.designs.first() else {
            return Vec::new();
        };
        let paired = !self.independent_seeds;
        self.designs[1..]
            .iter()
            .map(|(_, b)| {
                Metric::ALL
                    .iter()
                    .map(|m| difference(&base.values(*m), &b.values(*m), paired))
                    .collect()
            })
            .collect()
    }
}

/// A plain-words verdict on one difference, or None when the CI includes zero.
pub fn verdict(design: &str, baseline: &str, m: Metric, d: &Difference) -> Option<String> {
    if !d.significant() {
        return None;
    }
    let def = &METRICS[m as usize];
    let better = (d.mean > 0.0) == def.higher_is_better;
    let (verb, amount) = if d.mean > 0.0 {
        ("raises", d.mean)
    } else {
        ("lowers", -d.mean)
    };
    let (lo, hi) = if d.mean > 0.0 {
        (d.ci95_lo, d.ci95_hi)
    } else {
        (-d.ci95_hi, -d.ci95_lo)
    };
    Some(format!(
        "{design} {verb} {} by {} {} (95 % CI {} to {}) vs {baseline}: {}",
        def.key,
        crate::metrics::format::fmt_num(amount),
        def.unit,
        crate::metrics::format::fmt_num(lo),
        crate::metrics::format::fmt_num(hi),
        if better { "better" } else { "worse" }
    ))
}

// ---------------------------------------------------------------------------------
// Shard files.

/// The format tag of a shard file.
pub const PARTIAL_FORMAT: &str = "bigvsim-partial-1";

fn series_json(points: &[SeriesPoint]) -> Value {
    Value::Array(
        points
            .iter()
            .map(|p| json!([p.since_start_us, p.vms_down, p.queued, p.booting]))
            .collect(),
    )
}

fn outage_json(o: &OutageRecord) -> Value {
    json!([o.vm, o.head, o.start_us, o.end_us, o.cause as u8])
}

/// A shard of a study as a JSON document that [`merge`] reads back exactly.
pub fn partial_json(study: &Study, shard: Shard) -> Value {
    let designs: Vec<Value> = study
        .designs
        .iter()
        .map(|(info, b)| {
            let (buckets, min, max) = b.outage_histogram.to_parts();
            json!({
                "name": info.name,
                "path": info.path,
                "hash": info.hash,
                "seed": b.seed,
                "replications": b.replications.iter().map(|r| json!({
                    "index": r.index,
                    "metrics": r.metrics.values.to_vec(),
                    "worst_series": series_json(&r.worst_series),
                })).collect::<Vec<_>>(),
                "histogram": { "buckets": buckets, "min": min, "max": max },
                "first_outages": b.first_outages.iter().map(outage_json).collect::<Vec<_>>(),
                "first_outages_truncated": b.first_outages_truncated,
            })
        })
        .collect();
    json!({
        "format": PARTIAL_FORMAT,
        "version": crate::VERSION,
        "command": study.command,
        "seed": study.seed,
        "replications": study.replications,
        "independent_seeds": study.independent_seeds,
        "overrides": study.overrides,
        "metric_keys": METRICS.iter().map(|d| d.key).collect::<Vec<_>>(),
        "shard": [shard.k, shard.n],
        "designs": designs,
    })
}

fn get<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key).ok_or_else(|| format!("missing `{key}`"))
}

fn as_u64(v: &Value, what: &str) -> Result<u64, String> {
    v.as_u64()
        .ok_or_else(|| format!("`{what}` must be an unsigned integer"))
}

fn as_u32(v: &Value, what: &str) -> Result<u32, String> {
    u32::try_from(as_u64(v, what)?).map_err(|_| format!("`{what}` is too large"))
}

fn read_design(v: &Value) -> Result<(DesignInfo, Batch), String> {
    let s = |k: &str| -> Result<String, String> {
        get(v, k)?
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("`{k}` must be a string"))
    };
    let info = DesignInfo {
        name: s("name")?,
        path: s("path")?,
        hash: s("hash")?,
    };
    let mut replications = Vec::new();
    for r in get(v, "replications")?
        .as_array()
        .ok_or("`replications` must be a list")?
    {
        let values = get(r, "metrics")?
            .as_array()
            .ok_or("`metrics` must be a list")?;
        if values.len() != METRICS.len() {
            return Err(format!(
                "{} metrics per replication, expected {}",
                values.len(),
                METRICS.len()
            ));
        }
        let mut metrics = RunMetrics {
            values: [0.0; METRICS.len()],
        };
        for (slot, x) in metrics.values.iter_mut().zip(values) {
            *slot = x.as_f64().ok_or("a metric value is not a number")?;
        }
        let mut worst_series = Vec::new();
        for p in get(r, "worst_series")?
            .as_array()
            .ok_or("bad `worst_series`")?
        {
            let p = p
                .as_array()
                .filter(|p| p.len() == 4)
                .ok_or("bad series point")?;
            worst_series.push(SeriesPoint {
                since_start_us: as_u64(&p[0], "series time")?,
                vms_down: as_u32(&p[1], "series VMs down")?,
                queued: as_u32(&p[2], "series queued")?,
                booting: as_u32(&p[3], "series booting")?,
            });
        }
        replications.push(Replication {
            index: as_u64(get(r, "index")?, "index")?,
            metrics,
            worst_series,
        });
    }
    let h = get(v, "histogram")?;
    let mut buckets = Vec::new();
    for b in get(h, "buckets")?.as_array().ok_or("bad histogram")? {
        let b = b
            .as_array()
            .filter(|b| b.len() == 2)
            .ok_or("bad histogram bucket")?;
        buckets.push((as_u32(&b[0], "bucket")?, as_u64(&b[1], "bucket count")?));
    }
    let outage_histogram = LogHistogram::from_parts(
        &buckets,
        as_u64(get(h, "min")?, "min")?,
        as_u64(get(h, "max")?, "max")?,
    )?;
    let mut first_outages = Vec::new();
    for o in get(v, "first_outages")?
        .as_array()
        .ok_or("bad `first_outages`")?
    {
        let o = o
            .as_array()
            .filter(|o| o.len() == 5)
            .ok_or("bad outage record")?;
        first_outages.push(OutageRecord {
            vm: as_u32(&o[0], "vm")?,
            head: as_u32(&o[1], "head")?,
            start_us: as_u64(&o[2], "start")?,
            end_us: if o[3].is_null() {
                None
            } else {
                Some(as_u64(&o[3], "end")?)
            },
            cause: match as_u64(&o[4], "cause")? {
                0 => OutageCause::SupervisorCrash,
                1 => OutageCause::HeadFailure,
                c => return Err(format!("unknown outage cause {c}")),
            },
        });
    }
    let batch = Batch {
        seed: as_u64(get(v, "seed")?, "seed")?,
        replications,
        outage_histogram,
        first_outages,
        first_outages_truncated: get(v, "first_outages_truncated")?
            .as_bool()
            .unwrap_or(false),
    };
    Ok((info, batch))
}

/// Reads one shard document.
pub fn read_partial(v: &Value) -> Result<(Study, Shard), String> {
    if get(v, "format")?.as_str() != Some(PARTIAL_FORMAT) {
        return Err(format!("not a {PARTIAL_FORMAT} file"));
    }
    let version = get(v, "version")?.as_str().unwrap_or("");
    if version != crate::VERSION {
        return Err(format!(
            "written by bigvsim {version}, this is {}: rerun the shards with one version",
            crate::VERSION
        ));
    }
    let shard = get(v, "shard")?
        .as_array()
        .filter(|s| s.len() == 2)
        .ok_or("bad `shard`")?;
    let shard = Shard {
        k: as_u64(&shard[0], "shard")?,
        n: as_u64(&shard[1], "shard")?,
    };
    let overrides = get(v, "overrides")?
        .as_array()
        .ok_or("bad `overrides`")?
        .iter()
        .map(|s| s.as_str().map(str::to_string).ok_or("bad override"))
        .collect::<Result<Vec<_>, _>>()?;
    let designs = get(v, "designs")?
        .as_array()
        .ok_or("bad `designs`")?
        .iter()
        .map(read_design)
        .collect::<Result<Vec<_>, _>>()?;
    let study = Study {
        command: get(v, "command")?.as_str().unwrap_or("run").to_string(),
        seed: as_u64(get(v, "seed")?, "seed")?,
        replications: as_u64(get(v, "replications")?, "replications")?,
        independent_seeds: get(v, "independent_seeds")?.as_bool().unwrap_or(false),
        overrides,
        designs,
    };
    Ok((study, shard))
}

/// Combines the shards of one study into the study an unsharded run would have given.
pub fn merge(mut parts: Vec<(Study, Shard)>) -> Result<Study, String> {
    parts.sort_by_key(|(_, sh)| sh.k);
    let Some((first, first_shard)) = parts.first() else {
        return Err("no shard files given".into());
    };
    let n = first_shard.n;
    let mut seen = vec![false; n as usize];
    for (s, sh) in &parts {
        let same = s.command == first.command
            && s.seed == first.seed
            && s.replications == first.replications
            && s.independent_seeds == first.independent_seeds
            && s.overrides == first.overrides
            && s.designs.len() == first.designs.len()
            && s.designs
                .iter()
                .zip(&first.designs)
                .all(|((a, _), (b, _))| a == b);
        if !same || sh.n != n {
            return Err(format!(
                "shard {}/{} is not from the same study as shard {}/{} (models, seed, replications, overrides and shard count must match)",
                sh.k, sh.n, first_shard.k, n
            ));
        }
        if std::mem::replace(&mut seen[sh.k as usize], true) {
            return Err(format!("shard {}/{n} is given twice", sh.k));
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(format!("shard {missing}/{n} is missing"));
    }
    let mut designs: Vec<(DesignInfo, Batch)> = Vec::new();
    for d in 0..first.designs.len() {
        let (info, b0) = &parts[0].0.designs[d];
        let mut batch = Batch {
            seed: b0.seed,
            replications: Vec::new(),
            outage_histogram: LogHistogram::new(),
            first_outages: b0.first_outages.clone(),
            first_outages_truncated: b0.first_outages_truncated,
        };
        for (s, _) in &parts {
            let b = &s.designs[d].1;
            batch.replications.extend(b.replications.iter().cloned());
            batch.outage_histogram.merge(&b.outage_histogram);
        }
        designs.push((info.clone(), batch));
    }
    let expected: Vec<u64> = (0..first.replications).collect();
    let got: Vec<u64> = designs[0].1.replications.iter().map(|r| r.index).collect();
    if got != expected {
        return Err("the shards do not hold replications 0..R exactly once".into());
    }
    Ok(Study {
        designs,
        ..first.clone()
    })
}

// ---------------------------------------------------------------------------------
// Sweeps.

/// One swept parameter: a `--set` path and its values as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub path: String,
    pub values: Vec<String>,
}

impl Param {
    /// Parses `PATH=V1,V2,...` or `PATH=A..B:STEP` (B included when reached).
    pub fn parse(text: &str) -> Result<Param, String> {
        let (path, spec) = text.split_once('=').ok_or_else(|| {
            format!("--param expects PATH=V1,V2,... or PATH=A..B:STEP, found `{text}`")
        })?;
        let path = path.trim().to_string();
        let spec = spec.trim();
        let values = if let Some((range, step)) = spec.split_once(':')
            && let Some((a, b)) = range.split_once("..")
        {
            range_values(a.trim(), b.trim(), step.trim())
                .map_err(|e| format!("--param {text}: {e}"))?
        } else {
            split_values(spec)
        };
        if values.is_empty() || values.iter().any(|v| v.is_empty()) {
            return Err(format!("--param {text}: no values (or an empty one)"));
        }
        Ok(Param { path, values })
    }
}

/// Splits a value list at top-level commas (commas inside brackets belong to a value,
/// as in `Fixed("4m"),Exponential(mean: "4m")`).
fn split_values(spec: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_str = false;
    let mut cur = String::new();
    for c in spec.chars() {
        match c {
            '"' => in_str = !in_str,
            '(' | '[' | '{' if !in_str => depth += 1,
            ')' | ']' | '}' if !in_str => depth -= 1,
            ',' if depth == 0 && !in_str => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// Values A, A+STEP, ... up to B, for integers or decimals.
fn range_values(a: &str, b: &str, step: &str) -> Result<Vec<String>, String> {
    if let (Ok(a), Ok(b), Ok(step)) = (a.parse::<i64>(), b.parse::<i64>(), step.parse::<i64>()) {
        if step <= 0 || b < a {
            return Err("a range needs A ≤ B and STEP > 0".into());
        }
        // In i128, so ranges spanning the whole i64 line cannot overflow.
        let count = (b as i128 - a as i128) / step as i128;
        if count > 10_000 {
            return Err("more than 10 000 values".into());
        }
        return Ok((0..=count)
            .map(|i| (a as i128 + i * step as i128).to_string())
            .collect());
    }
    let (a, b, step): (f64, f64, f64) = (
        a.parse().map_err(|_| format!("`{a}` is not a number"))?,
        b.parse().map_err(|_| format!("`{b}` is not a number"))?,
        step.parse()
            .map_err(|_| format!("`{step}` is not a number"))?,
    );
    if !(step > 0.0 && b >= a && a.is_finite() && b.is_finite()) {
        return Err("a range needs A ≤ B and STEP > 0".into());
    }
    let n = libm::floor((b - a) / step + 1e-9) as u64;
    if n > 10_000 {
        return Err("more than 10 000 values".into());
    }
    Ok((0..=n)
        .map(|i| {
            let v = a + i as f64 * step;
            // Round away float noise (0.1 + 0.2) by printing the shortest form at 12
            // significant digits.
            let s = format!("{:.12}", v);
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        })
        .collect())
}

/// Every combination of the parameters' values, first parameter slowest.
pub fn grid(params: &[Param]) -> Vec<Vec<String>> {
    let mut points: Vec<Vec<String>> = vec![Vec::new()];
    for p in params {
        let mut next = Vec::with_capacity(points.len() * p.values.len());
        for point in &points {
            for v in &p.values {
                let mut q = point.clone();
                q.push(v.clone());
                next.push(q);
            }
        }
        points = next;
    }
    points
}

/// The results of a sweep: one batch per grid point, all on the same seeds.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub design: DesignInfo,
    pub seed: u64,
    pub replications: u64,
    pub overrides: Vec<String>,
    pub params: Vec<String>,
    pub points: Vec<(Vec<String>, Batch)>,
}

/// The metric summaries of one sweep point.
pub fn point_summaries(batch: &Batch) -> Vec<Summary> {
    Metric::ALL.iter().map(|m| batch.summary(*m)).collect()
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

    #[test]
    fn paired_difference_by_hand() {
        // Baseline [10, 12, 9, 11], design [8, 11, 7, 10]: differences [-2, -1, -2, -1],
        // mean -1.5, sd 0.57735, t(3) = 3.182446: CI -1.5 ± 0.918693.
        let d = difference(&[10.0, 12.0, 9.0, 11.0], &[8.0, 11.0, 7.0, 10.0], true);
        assert!((d.mean + 1.5).abs() < 1e-12);
        assert!((d.ci95_lo - (-1.5 - 0.918_693)).abs() < 1e-5, "{d:?}");
        assert!((d.ci95_hi - (-1.5 + 0.918_693)).abs() < 1e-5, "{d:?}");
        assert!(d.significant());
        // Unpaired (Welch) on the same numbers is far wider: the pairing is what
        // removes the shared replication-to-replication spread.
        let w = difference(&[10.0, 12.0, 9.0, 11.0], &[8.0, 11.0, 7.0, 10.0], false);
        assert!(
            w.ci95_hi - w.ci95_lo > 3.0 * (d.ci95_hi - d.ci95_lo),
            "{w:?}"
        );
    }

    #[test]
    fn params_parse_lists_and_ranges() {
        // Lists split at top-level commas only; ranges include their end.
        let p = Param::parse("brain.reboot_concurrency=10..60:10").unwrap();
        assert_eq!(p.values, vec!["10", "20", "30", "40", "50", "60"]);
        let p = Param::parse("x=0.1..0.3:0.1").unwrap();
        assert_eq!(p.values, vec!["0.1", "0.2", "0.3"]);
        let p = Param::parse(r#"brain.boot_time=Fixed("4m"),Exponential(mean: "4m")"#).unwrap();
        assert_eq!(p.values.len(), 2);
        assert!(Param::parse("x=").is_err());
        assert!(Param::parse("x=5..1:1").is_err());
        assert!(Param::parse("x=-9000000000000000000..9000000000000000000:1").is_err());
        assert_eq!(
            grid(&[
                Param::parse("a=1,2").unwrap(),
                Param::parse("b=x,y").unwrap()
            ]),
            vec![
                vec!["1", "x"],
                vec!["1", "y"],
                vec!["2", "x"],
                vec!["2", "y"]
            ]
        );
    }
}

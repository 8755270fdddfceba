//! Shards of a sensitivity study: `--shard K/N` runs samples `K·S/N..(K+1)·S/N` and
//! prints a part file; `merge` reads the parts back, checks every field, and rebuilds
//! exactly the study one process would have run, so the outputs are byte-identical.

use serde::{Deserialize, Serialize};

use super::lhs::latin_hypercube;
use super::{MAX_SAMPLES, ParamRecord, SampleResult, Sensitivity, shown, value_at};
use crate::experiment::design::{DesignInfo, Shard, repeated_name};
use crate::experiment::shard::{check_overrides, metric_problem};
use crate::experiment::{MAX_REPLICATIONS, shard::read_text};
use crate::metrics::METRICS;
use crate::scenario::Uncertain;
use crate::scenario::error::printable;
use crate::scenario::overrides::{overlap, override_path, replaces};

/// The format tag of a sensitivity part file (a study's part files have another).
pub const FORMAT: &str = "bigvsim-sensitivity-part-1";

/// A part file as written and read; fields in alphabetical order.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartFile {
    designs: Vec<PartDesign>,
    format: String,
    metric_keys: Vec<String>,
    overrides: Vec<String>,
    params: Vec<ParamRecord>,
    replications: u64,
    results: Vec<SampleResult>,
    samples: u64,
    seed: u64,
    /// `[k, n]`.
    shard: (u64, u64),
    version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartDesign {
    hash: String,
    name: String,
    path: String,
}

/// Just the tag, to tell a sensitivity part from other part files.
#[derive(Deserialize)]
struct Header {
    format: String,
}

/// True when `text` is a sensitivity part file (by its format tag).
pub fn is_part(text: &str) -> bool {
    serde_json::from_str::<Header>(text).is_ok_and(|h| h.format == FORMAT)
}

/// True when the file at `path` is a sensitivity part file; unreadable files are
/// not, and are reported by whichever merge reads them.
pub fn is_part_file(path: &str) -> bool {
    read_text(path).is_ok_and(|t| is_part(&t))
}

/// One shard of a study as JSON text that [`merge_texts`] reads back exactly.
pub fn part_json(s: &Sensitivity, shard: Shard) -> Result<String, serde_json::Error> {
    let file = PartFile {
        designs: s
            .designs
            .iter()
            .map(|d| PartDesign {
                hash: d.hash.clone(),
                name: d.name.clone(),
                path: d.path.clone(),
            })
            .collect(),
        format: FORMAT.to_string(),
        metric_keys: METRICS.iter().map(|d| d.key.to_string()).collect(),
        overrides: s.overrides.clone(),
        params: s.params.clone(),
        replications: s.replications,
        results: s.results.clone(),
        samples: s.samples,
        seed: s.seed,
        shard: (shard.k, shard.n),
        version: crate::VERSION.to_string(),
    };
    serde_json::to_string_pretty(&file)
}

/// One part, checked field by field.
fn parse(text: &str) -> Result<(Shard, PartFile), String> {
    let header: Header =
        serde_json::from_str(text).map_err(|e| format!("not a shard file: {e}"))?;
    if header.format != FORMAT {
        return Err(format!("not a {FORMAT} file"));
    }
    let file: PartFile =
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
            .map_err(|e| format!("not a shard file: {e}"))?;
    if file.version != crate::VERSION {
        return Err(format!(
            "written by bigvsim {}, this is {}: rerun the shards with one version",
            file.version,
            crate::VERSION
        ));
    }
    let (k, n) = file.shard;
    if n == 0 || k >= n || n > MAX_SAMPLES {
        return Err(format!(
            "`shard` is [{k}, {n}]: expected [K, N] with 0 ≤ K < N ≤ {MAX_SAMPLES}"
        ));
    }
    if !(2..=MAX_SAMPLES).contains(&file.samples) {
        return Err(format!(
            "`samples` is {}: expected 2 to {MAX_SAMPLES}",
            file.samples
        ));
    }
    if file.replications == 0 || file.replications > MAX_REPLICATIONS {
        return Err(format!(
            "`replications` is {}: expected 1 to {MAX_REPLICATIONS}",
            file.replications
        ));
    }
    if !file.metric_keys.iter().eq(METRICS.iter().map(|d| d.key)) {
        return Err("`metric_keys` is not this version's list of metrics".to_string());
    }
    if file.designs.is_empty() || file.params.is_empty() {
        return Err("`designs` and `params` must not be empty".to_string());
    }
    if let Some(p) = file
        .params
        .iter()
        .find(|p| !(p.lo.is_finite() && p.hi.is_finite() && p.lo < p.hi))
    {
        return Err(format!(
            "`params`: {} has no range lo < hi",
            printable(&p.path)
        ));
    }
    let params = file
        .params
        .iter()
        .map(uncertain)
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((j, p)) = params
        .iter()
        .enumerate()
        .find(|(j, p)| params[..*j].iter().any(|q| overlap(&p.path, &q.path)))
    {
        return Err(format!(
            "`params`: {} is varied twice (parameter {j})",
            printable(&p.path)
        ));
    }
    check_overrides(&file.overrides)?;
    if let Some((p, o)) = params.iter().find_map(|p| {
        file.overrides
            .iter()
            .find(|o| replaces(&p.path, &override_path(o)))
            .map(|o| (p, o))
    }) {
        return Err(format!(
            "`overrides`: `{}` fixes `{}`, which is varied",
            printable(o),
            printable(&p.path)
        ));
    }
    check_designs(&file.designs)?;
    let shard = Shard { k, n };
    let range = shard.range(file.samples);
    if !file.results.iter().map(|r| r.index).eq(range.clone()) {
        return Err(format!(
            "`results` must hold samples {}..{} in order, as shard {k}/{n} of {} runs",
            range.start, range.end, file.samples
        ));
    }
    for r in &file.results {
        let shape_ok = r.values.len() == file.params.len()
            && r.means.len() == file.designs.len()
            && r.means.iter().all(|m| m.len() == METRICS.len());
        if !shape_ok {
            return Err(format!(
                "`results`: sample {} needs {} values and {} designs × {} metric means",
                r.index,
                file.params.len(),
                file.designs.len(),
                METRICS.len()
            ));
        }
        if let Some(problem) = r
            .means
            .iter()
            .flat_map(|m| m.iter().enumerate())
            .find_map(|(m, v)| metric_problem(m, *v, false))
        {
            return Err(format!("`results`: sample {}: {problem}", r.index));
        }
    }
    // The values are the Latin hypercube's of the seed, as the study drew them.
    if !file.results.is_empty() {
        let unit_points = latin_hypercube(file.samples as usize, params.len(), file.seed);
        for r in &file.results {
            let drawn = params
                .iter()
                .zip(&unit_points[r.index as usize])
                .map(|(p, u)| shown(p, value_at(p, *u)));
            if !drawn.eq(r.values.iter().copied()) {
                return Err(format!(
                    "`results`: sample {}'s values are not those the seed {} draws in `params`' ranges",
                    r.index, file.seed
                ));
            }
        }
    }
    Ok((shard, file))
}

/// A recorded parameter as the range `--vary` (or the model's `uncertain:`) gave:
/// a path that may be varied, its range in the path's own range, a scale of
/// `linear` or `log` (positive bounds) and the unit of the path, exactly as recorded.
fn uncertain(p: &ParamRecord) -> Result<Uncertain, String> {
    let bad = |why: String| format!("`params`: {}: {why}", printable(&p.path));
    let u = crate::scenario::recorded_range(&p.path, p.lo, p.hi, &p.scale, p.unit == "s")
        .map_err(bad)?;
    if ParamRecord::of(&u) != *p {
        return Err(bad(
            "the range, scale or unit is not what varying this path records".to_string(),
        ));
    }
    Ok(u)
}

/// The designs as a study records them: names by the name rules, each once; a path;
/// a hash of 16 hex digits.
fn check_designs(designs: &[PartDesign]) -> Result<(), String> {
    for (i, d) in designs.iter().enumerate() {
        if let Some(problem) = crate::scenario::validate::name_problem(&d.name) {
            return Err(format!("design {i}: `name` {problem}"));
        }
        if d.path.trim().is_empty() {
            return Err(format!("design {i}: `path` is empty"));
        }
        if d.hash.len() != 16 || !d.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "design {i}: `hash` is `{}`: expected 16 hex digits",
                printable(&d.hash)
            ));
        }
    }
    let names: Vec<&str> = designs.iter().map(|d| d.name.as_str()).collect();
    if let Some((i, j)) = repeated_name(&names) {
        return Err(format!(
            "designs {i} and {j} are both named `{}`: a study's designs have distinct names",
            printable(names[j])
        ));
    }
    Ok(())
}

/// True when two parts come from the same study (everything but the shard index and
/// the results agree).
fn same_study(a: &PartFile, b: &PartFile) -> bool {
    a.designs == b.designs
        && a.overrides == b.overrides
        && a.params == b.params
        && a.replications == b.replications
        && a.samples == b.samples
        && a.seed == b.seed
        && a.shard.1 == b.shard.1
}

/// Merges part files' texts (`(file name, text)`) into the whole study.
pub fn merge_texts(parts: &[(String, String)]) -> Result<Sensitivity, String> {
    let mut read: Vec<(String, Shard, PartFile)> = Vec::new();
    for (name, text) in parts {
        let (shard, file) = parse(text).map_err(|e| format!("{name}: {e}"))?;
        if let Some((first_name, first, first_file)) = read.first()
            && !same_study(first_file, &file)
        {
            return Err(format!(
                "{name}: shard {}/{} is not from the same sensitivity study as shard {}/{} in {first_name} (models, seed, samples, replications, ranges, overrides and shard count must match)",
                shard.k, shard.n, first.k, first.n
            ));
        }
        if read.iter().any(|(_, s, _)| s.k == shard.k) {
            return Err(format!(
                "{name}: shard {}/{} is given twice",
                shard.k, shard.n
            ));
        }
        read.push((name.clone(), shard, file));
    }
    let n = read.first().ok_or("no shard files given")?.1.n;
    read.sort_by_key(|(_, s, _)| s.k);
    if let Some(k) = (0..n).find(|k| read.iter().all(|(_, s, _)| s.k != *k)) {
        return Err(format!("shard {k}/{n} is missing"));
    }
    let mut files = read.into_iter().map(|(_, _, f)| f);
    let first = files.next().ok_or("no shard files given")?;
    let mut results = first.results;
    for f in files {
        results.extend(f.results);
    }
    Ok(Sensitivity {
        designs: first
            .designs
            .into_iter()
            .map(|d| DesignInfo {
                name: d.name,
                path: d.path,
                hash: d.hash,
            })
            .collect(),
        seed: first.seed,
        replications: first.replications,
        samples: first.samples,
        overrides: first.overrides,
        params: first.params,
        results,
    })
}

/// Reads and merges part files.
pub fn merge_files(paths: &[String]) -> Result<Sensitivity, String> {
    let texts = paths
        .iter()
        .map(|p| {
            read_text(p)
                .map(|t| (p.clone(), t))
                .map_err(|e| format!("{p}: cannot read the shard file: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    merge_texts(&texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A study of one design, two parameters and four samples, with made-up means.
    fn study() -> Sensitivity {
        let params: Vec<Uncertain> = [
            "supervisor.crash_on_reset=0..1",
            "supervisor.crash_on_long_reset=0..1",
        ]
        .iter()
        .map(|v| super::super::parse_vary(v).unwrap())
        .collect();
        let unit_points = latin_hypercube(4, 2, 1);
        Sensitivity {
            designs: vec![DesignInfo {
                name: "m".into(),
                path: "m.ron".into(),
                hash: "0123456789abcdef".into(),
            }],
            seed: 1,
            replications: 3,
            samples: 4,
            overrides: vec![],
            params: params.iter().map(ParamRecord::of).collect(),
            results: (0..4)
                .map(|i| SampleResult {
                    index: i,
                    values: params
                        .iter()
                        .zip(&unit_points[i as usize])
                        .map(|(p, u)| shown(p, value_at(p, *u)))
                        .collect(),
                    means: vec![vec![i as f64 * 0.25; METRICS.len()]],
                })
                .collect(),
        }
    }

    /// The two halves of `study()` as part texts.
    fn parts() -> Vec<(String, String)> {
        let s = study();
        (0..2)
            .map(|k| {
                let shard = Shard { k, n: 2 };
                let mut part = s.clone();
                part.results.retain(|r| shard.range(4).contains(&r.index));
                (format!("p{k}"), part_json(&part, shard).unwrap())
            })
            .collect()
    }

    #[test]
    fn parts_merge_back_into_the_study() {
        assert_eq!(merge_texts(&parts()).unwrap(), study());
        assert!(is_part(&parts()[0].1) && !is_part("{\"format\": \"bigvsim-partial-1\"}"));
    }

    #[test]
    fn every_field_is_checked_when_read() {
        // Proves a part edited in any of these ways is refused with a message naming
        // what is wrong, never merged into a wrong study.
        let edits: &[(&str, &str, &str)] = &[
            (
                "\"shard\": [\n    0,\n    2\n  ]",
                "\"shard\": [\n    2,\n    2\n  ]",
                "`shard` is [2, 2]",
            ),
            ("\"samples\": 4", "\"samples\": 1", "`samples` is 1"),
            (
                "\"replications\": 3",
                "\"replications\": 0",
                "`replications` is 0",
            ),
            (
                "\"index\": 1",
                "\"index\": 7",
                "`results` must hold samples 0..2",
            ),
            (
                "\"metric_keys\": [\n    \"vm_availability\",",
                "\"metric_keys\": [",
                "`metric_keys`",
            ),
            ("\"hi\": 1.0", "\"hi\": -1.0", "has no range lo < hi"),
            (
                "\"version\": \"",
                "\"version\": \"0.0.0-",
                "written by bigvsim 0.0.0-",
            ),
            (
                "\"seed\": 1",
                "\"seed\": 1, \"extra\": 2",
                "unknown field `extra`",
            ),
        ];
        for (from, to, says) in edits {
            let mut p = parts();
            assert!(p[0].1.contains(from), "{from}");
            p[0].1 = p[0].1.replacen(from, to, 1);
            let err = merge_texts(&p).unwrap_err();
            assert!(err.starts_with("p0: ") && err.contains(says), "{to}: {err}");
        }
        // A value list of the wrong length.
        let mut p = parts();
        p[1].1 = p[1].1.replacen("\"values\": [", "\"values\": [0.5, ", 1);
        let err = merge_texts(&p).unwrap_err();
        assert!(err.contains("sample 2 needs 2 values"), "{err}");
        // Parts of different studies, a repeated part and a missing one.
        let mut p = parts();
        p[1].1 = p[1]
            .1
            .replacen("\"replications\": 3", "\"replications\": 4", 1);
        assert!(
            merge_texts(&p)
                .unwrap_err()
                .contains("not from the same sensitivity study")
        );
        let p = parts();
        let twice = vec![p[0].clone(), p[0].clone()];
        assert!(merge_texts(&twice).unwrap_err().contains("given twice"));
        assert!(
            merge_texts(&p[1..])
                .unwrap_err()
                .contains("shard 0/2 is missing")
        );
    }
}

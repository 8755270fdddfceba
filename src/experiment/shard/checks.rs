//! What a part file says, checked as the command that wrote it would check it: the
//! designs' names, override paths and values, metric values and histograms.

use super::*;

/// The designs' names by the rules of the command that wrote them: a model's name
/// (with `+PATH=VALUE` for each `--design-set`) by the name rules, a sweep point's its
/// label; a sweep's model name, paths and values as `sweep` checks them; no two
/// designs of one name.
pub(super) fn check_names(file: &PartFile) -> Result<(), String> {
    if let Some(sw) = &file.sweep {
        if let Some(problem) = name_problem(&sw.model) {
            return Err(format!("`sweep.model` {problem}"));
        }
        for path in &sw.params {
            settable(path).map_err(|e| format!("`sweep.params`: {e}"))?;
        }
        let params: Vec<Param> = sw
            .params
            .iter()
            .enumerate()
            .map(|(i, path)| {
                let mut values: Vec<String> = Vec::new();
                let mut seen = std::collections::BTreeSet::new();
                for point in &sw.values {
                    let v = &point[i];
                    if seen.insert(v) {
                        values.push(v.clone());
                    }
                }
                Param {
                    path: path.clone(),
                    values,
                }
            })
            .collect();
        check_params(&params, &file.overrides).map_err(|e| format!("`sweep`: {e}"))?;
        let grid = grid(&params);
        if grid != sw.values {
            return Err(
                "`sweep.values` are not the grid of its parameters' values, first slowest"
                    .to_string(),
            );
        }
    }
    for (i, d) in file.designs.iter().enumerate() {
        match &file.sweep {
            Some(sw) => {
                let label = sw
                    .params
                    .iter()
                    .zip(&sw.values[i])
                    .map(|(p, v)| format!("{p}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                if d.name != label {
                    return Err(format!(
                        "design {i}: `name` is not the label of its sweep point (`{}`)",
                        printable(&label)
                    ));
                }
            }
            None => {
                if let Some(problem) = name_problem(&d.name) {
                    return Err(format!("design {i}: `name` {problem}"));
                }
            }
        }
        if d.path.trim().is_empty() {
            return Err(format!("design {i}: `path` is empty"));
        }
    }
    let names: Vec<&str> = file.designs.iter().map(|d| d.name.as_str()).collect();
    if let Some((i, j)) = repeated_name(&names) {
        return Err(format!(
            "designs {i} and {j} are both named `{}`: a study's designs have distinct names",
            printable(names[j])
        ));
    }
    Ok(())
}

/// A path `--set` knows, whatever its value.
fn settable(path: &str) -> Result<(), String> {
    let pattern = crate::scenario::schema::without_indices(path);
    crate::scenario::settable_paths()
        .iter()
        .any(|p| crate::scenario::schema::without_indices(p) == pattern)
        .then_some(())
        .ok_or_else(|| format!("unknown path `{}`", printable(path)))
}

/// What is wrong with `v` as a value of metric `m` (by its index in [`METRICS`]):
/// not finite, a fraction outside [0, 1], a negative amount, or (`whole`: one
/// replication's value) a count that is not a whole number.
pub(crate) fn metric_problem(m: usize, v: f64, whole: bool) -> Option<String> {
    let def = METRICS.get(m)?;
    let key = def.key;
    if !v.is_finite() {
        return Some(format!("`{key}` is {v}: expected a finite number"));
    }
    if def.unit == "fraction" && !(0.0..=1.0).contains(&v) {
        return Some(format!("`{key}` is {v}: expected a fraction from 0 to 1"));
    }
    if v < 0.0 {
        return Some(format!("`{key}` is {v}: expected 0 or more"));
    }
    if whole && matches!(def.unit, "count" | "VMs") && v.fract() != 0.0 {
        return Some(format!("`{key}` is {v}: expected a whole number"));
    }
    None
}

/// One design of a part file, as the batch it came from.
///
/// `seed` is the design's seed in this study and `range` the replications of the
/// shard: the design must hold exactly those, in order.
pub(super) fn design(
    d: PartDesign,
    seed: u64,
    range: std::ops::Range<u64>,
) -> Result<(DesignInfo, Batch), String> {
    if d.seed != seed {
        return Err(format!(
            "`seed` is {}, but the study's seed gives this design {seed}",
            d.seed
        ));
    }
    if d.hash.len() != 16 || !d.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`hash` is `{}`: expected 16 hex digits", d.hash));
    }
    if d.horizon_us == 0 {
        return Err("`horizon_us` is 0: a model's horizon is positive".to_string());
    }
    if !d.replications.iter().map(|r| r.index).eq(range.clone()) {
        return Err(format!(
            "the replications are not those of the shard ({}..{} in order)",
            range.start, range.end
        ));
    }
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
            if let Some(problem) = values
                .iter()
                .enumerate()
                .find_map(|(m, v)| metric_problem(m, *v, true))
            {
                return Err(format!("replication {}: {problem}", r.index));
            }
            if r.censored >> METRICS.len() != 0 {
                return Err(format!(
                    "replication {}: `censored` marks metrics beyond the {} there are",
                    r.index,
                    METRICS.len()
                ));
            }
            Ok(Replication {
                index: r.index,
                metrics: RunMetrics {
                    values,
                    censored: r.censored,
                },
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
    let outage_histogram = histogram(&d.histogram)?;
    let head_incident_histogram = match &d.head_incident_histogram {
        Some(h) => histogram(h)?,
        None => LogHistogram::new(),
    };
    // Only the shard that ran replication 0 keeps its outages.
    if !range.contains(&0) && (!d.first_outages.is_empty() || d.first_outages_truncated) {
        return Err(
            "`first_outages` belong to replication 0, which this shard did not run".to_string(),
        );
    }
    if d.first_outages.len() > OUTAGE_LOG_CAPACITY {
        return Err(format!(
            "{} `first_outages`: at most {OUTAGE_LOG_CAPACITY} are kept",
            d.first_outages.len()
        ));
    }
    let first_outages = d
        .first_outages
        .into_iter()
        .map(|(vm, head, start_us, end_us, cause)| {
            let cause = OutageCause::from_number(cause)
                .ok_or_else(|| format!("unknown outage cause {cause}"))?;
            if end_us.is_some_and(|end| end < start_us) {
                return Err(format!("an outage of VM {vm} ends before it starts"));
            }
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
        horizon_us: d.horizon_us,
        kind: match d.kind {
            Some(ModelKind::Auto) => {
                return Err("`kind` is Auto: a part holds a model's resolved kind".to_string());
            }
            Some(k) => k,
            None => super::kind_of_horizon(d.horizon_us),
        },
        replications,
        outage_histogram,
        head_incident_histogram,
        first_outages,
        first_outages_truncated: d.first_outages_truncated,
    };
    Ok((info, batch))
}

/// A histogram from its parts, checked for what the histogram relies on: buckets in
/// range and listed once each, in increasing order, with nonzero counts that add up
/// without overflow, and exact minimum and maximum inside the first and last of them
/// (`u64::MAX` and 0 when empty).
fn histogram(h: &PartHistogram) -> Result<LogHistogram, String> {
    let increasing = h.buckets.windows(2).all(|w| w[0].0 < w[1].0);
    let total = h.buckets.iter().try_fold(
        0u64,
        |t, &(_, c)| {
            if c == 0 { None } else { t.checked_add(c) }
        },
    );
    if !increasing || total.is_none() {
        return Err("the histogram's buckets are not increasing nonzero counts".to_string());
    }
    let out = LogHistogram::from_parts(&h.buckets, h.min, h.max)?;
    let bounds_ok = match (out.iter_nonempty().next(), out.iter_nonempty().last()) {
        (Some((lo, first_hi, _)), Some((last_lo, hi, _))) => {
            (lo..=first_hi).contains(&h.min) && (last_lo..=hi).contains(&h.max)
        }
        _ => h.min == u64::MAX && h.max == 0,
    };
    if !bounds_ok {
        return Err(format!(
            "the histogram's min {} and max {} do not match its buckets",
            h.min, h.max
        ));
    }
    Ok(out)
}

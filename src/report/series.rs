//! Series drawn from recorded results: the median and 10–90 % band of a
//! per-incident time series across replications, and the outage-duration CDF.

use super::plot::Series;
use crate::engine::US_PER_S;
use crate::experiment::Batch;
use crate::metrics::SeriesPoint;

/// Minutes, the time unit of every time axis.
fn minutes(us: u64) -> f64 {
    us as f64 / (60.0 * US_PER_S as f64)
}

/// The value of a decimated step series at `t` (the last point at or before `t`).
fn step_value(points: &[SeriesPoint], t_us: u64, field: impl Fn(&SeriesPoint) -> u32) -> f64 {
    match points.partition_point(|p| p.since_start_us <= t_us) {
        0 => 0.0,
        i => field(&points[i - 1]) as f64,
    }
}

/// Quantile q of sorted values (linear interpolation between order statistics).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (sorted[j] - sorted[i]) * (pos - i as f64)
}

/// Median and 10–90 % band across replications of a per-incident series, on a grid of
/// `n` points from the incident start to the longest incident's end.
pub(super) fn median_band(
    batch: &Batch,
    label: &str,
    field: impl Fn(&SeriesPoint) -> u32 + Copy,
) -> Option<Series> {
    let series: Vec<&[SeriesPoint]> = batch
        .replications
        .iter()
        .map(|r| r.worst_series.as_slice())
        .filter(|s| !s.is_empty())
        .collect();
    let end_us = series
        .iter()
        .filter_map(|s| s.last())
        .map(|p| p.since_start_us)
        .max()?;
    let n = 240u64;
    let mut points = Vec::with_capacity(n as usize + 1);
    let mut band = Vec::with_capacity(n as usize + 1);
    let mut values = Vec::with_capacity(series.len());
    for i in 0..=n {
        let t = end_us * i / n;
        values.clear();
        values.extend(series.iter().map(|s| step_value(s, t, field)));
        values.sort_by(f64::total_cmp);
        let x = minutes(t);
        points.push((x, quantile(&values, 0.5)));
        band.push((x, quantile(&values, 0.1), quantile(&values, 0.9)));
    }
    Some(Series {
        label: label.to_string(),
        points,
        band: Some(band),
    })
}

/// The empirical CDF of VM outage durations (minutes) from a batch's histogram.
pub(super) fn outage_series(batch: &Batch, label: &str) -> Series {
    let h = &batch.outage_histogram;
    let total = h.count().max(1) as f64;
    let mut acc = 0u64;
    let points = h
        .iter_nonempty()
        .map(|(_, upper, count)| {
            acc += count;
            let upper = upper.min(h.max_us()).max(1);
            (minutes(upper), acc as f64 / total)
        })
        .collect();
    Series {
        label: label.to_string(),
        points,
        band: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let v = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 1.0), 8.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}

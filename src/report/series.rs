//! Series drawn from recorded results: the median and 10–90 % band of a
//! per-incident time series across replications, and the outage-duration CDF.

use super::plot::Series;
use crate::engine::US_PER_S;
use crate::experiment::Batch;
use crate::metrics::SeriesPoint;
use crate::metrics::histogram::LogHistogram;

/// A unit for a time axis: long times are shown in hours, shorter ones in
/// minutes (and, for values under a few minutes, seconds where allowed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct TimeUnit {
    /// Seconds per unit.
    pub secs: f64,
    /// The unit as written in axis labels.
    pub name: &'static str,
}

impl TimeUnit {
    const HOURS: TimeUnit = TimeUnit {
        secs: 3600.0,
        name: "h",
    };
    const MINUTES: TimeUnit = TimeUnit {
        secs: 60.0,
        name: "min",
    };
    const SECONDS: TimeUnit = TimeUnit {
        secs: 1.0,
        name: "s",
    };

    /// The unit for an axis reaching `max_s` seconds: hours from 3 h on, so no
    /// tick reads "2 000 min"; seconds below 3 min when `seconds` allows them.
    pub fn for_max(max_s: f64, seconds: bool) -> TimeUnit {
        if max_s >= 3.0 * 3600.0 {
            TimeUnit::HOURS
        } else if max_s >= 180.0 || !seconds {
            TimeUnit::MINUTES
        } else {
            TimeUnit::SECONDS
        }
    }

    /// `us` microseconds in this unit.
    pub fn of_us(self, us: u64) -> f64 {
        us as f64 / (self.secs * US_PER_S as f64)
    }
}

/// The longest worst-incident series of a batch, in seconds (0 with none).
pub(super) fn incident_span_s(batch: &Batch) -> f64 {
    let us = batch
        .replications
        .iter()
        .filter_map(|r| r.worst_series.last())
        .map(|p| p.since_start_us)
        .max()
        .unwrap_or(0);
    us as f64 / US_PER_S as f64
}

/// VMs waiting in the reboot queue at a point. A waiting VM is down, so the
/// count is at most the VMs down that are not booting: the recorder samples the
/// last VM's return before the queue reports its boot as finished, and without
/// this bound a drained queue would show one boot in flight for ever after.
pub(super) fn queued(p: &SeriesPoint) -> u32 {
    p.queued.min(p.vms_down.saturating_sub(booting(p)))
}

/// Boots in flight at a point: a booting VM is down, so at most the VMs down
/// (see [`queued`]).
pub(super) fn booting(p: &SeriesPoint) -> u32 {
    p.booting.min(p.vms_down)
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
/// `n` points from the incident start to the longest incident's end, with times in
/// `unit`.
pub(super) fn median_band(
    batch: &Batch,
    label: &str,
    unit: TimeUnit,
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
        let x = unit.of_us(t);
        points.push((x, quantile(&values, 0.5)));
        band.push((x, quantile(&values, 0.1), quantile(&values, 0.9)));
    }
    Some(Series {
        label: label.to_string(),
        points,
        band: Some(band),
    })
}

/// The empirical CDF of VM outage durations (in `unit`) from a batch's histogram.
pub(super) fn outage_series(batch: &Batch, label: &str, unit: TimeUnit) -> Series {
    cdf_series(&batch.outage_histogram, label, unit)
}

/// The empirical CDF (in `unit`) of the durations in a histogram.
pub(super) fn cdf_series(h: &LogHistogram, label: &str, unit: TimeUnit) -> Series {
    let total = h.count().max(1) as f64;
    let mut acc = 0u64;
    let points = h
        .iter_nonempty()
        .map(|(_, upper, count)| {
            acc += count;
            let upper = upper.min(h.max_us()).max(1);
            (unit.of_us(upper), acc as f64 / total)
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

    #[test]
    fn a_drained_queue_shows_no_boot_in_flight() {
        // The last VM's return is sampled before the queue reports its boot done:
        // with no VM down, nothing can be booting or waiting.
        let p = |vms_down, queued, booting| SeriesPoint {
            since_start_us: 0,
            vms_down,
            queued,
            booting,
        };
        assert_eq!((booting(&p(0, 0, 1)), queued(&p(0, 1, 1))), (0, 0));
        assert_eq!((booting(&p(25, 5, 20)), queued(&p(25, 5, 20))), (20, 5));
        assert_eq!((booting(&p(3, 5, 20)), queued(&p(3, 5, 20))), (3, 0));
    }

    #[test]
    fn long_times_are_shown_in_hours() {
        assert_eq!(TimeUnit::for_max(4.0 * 3600.0, false).name, "h");
        assert_eq!(TimeUnit::for_max(2.0 * 3600.0, false).name, "min");
        assert_eq!(TimeUnit::for_max(60.0, false).name, "min");
        assert_eq!(TimeUnit::for_max(60.0, true).name, "s");
        assert_eq!(TimeUnit::HOURS.of_us(5_400 * US_PER_S), 1.5);
    }
}

//! Series drawn from recorded results: the median and 10–90 % band of a
//! per-incident time series across replications, and the outage-duration CDF.

use super::plot::{Series, XScale, x_scale_for};
use crate::engine::US_PER_S;
use crate::experiment::{Batch, Sweep};
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

/// The part of the incident charts' time axis where something happens: the curves
/// of VMs down (median and 90th percentile of every design) against the longest
/// incident, so a tail of few VMs down does not squash every curve against the left
/// edge.
pub(super) struct IncidentExtent {
    /// The longest incident, seconds.
    pub span_s: f64,
    /// The last time any design's median or 90th percentile of VMs down is at least
    /// [`BUSY_FRACTION`] of the highest, seconds.
    pub busy_s: f64,
    /// The most VMs down (90th percentile) after `busy_s`.
    pub tail_vms: f64,
}

/// See [`IncidentExtent::busy_s`].
pub(super) const BUSY_FRACTION: f64 = 0.05;

/// The extent of the incidents of `batches`; `None` when no VM went down in any.
pub(super) fn incident_extent<'a>(
    batches: impl Iterator<Item = &'a Batch>,
) -> Option<IncidentExtent> {
    let curves: Vec<Series> = batches
        .filter_map(|b| median_band(b, "", TimeUnit::SECONDS, None, |p| p.vms_down))
        .collect();
    // (x, highest of median and 90th percentile) over every curve.
    let tops: Vec<(f64, f64)> = curves
        .iter()
        .flat_map(|c| {
            c.points
                .iter()
                .zip(c.band.iter().flatten())
                .map(|(p, b)| (p.0, p.1.max(b.2)))
        })
        .collect();
    let span_s = tops.iter().map(|t| t.0).fold(0.0, f64::max);
    let peak = tops.iter().map(|t| t.1).fold(0.0, f64::max);
    if peak <= 0.0 {
        return None;
    }
    let busy_s = tops
        .iter()
        .filter(|t| t.1 >= BUSY_FRACTION * peak)
        .map(|t| t.0)
        .fold(0.0, f64::max);
    let tail_vms = tops
        .iter()
        .filter(|t| t.0 > busy_s)
        .map(|t| t.1)
        .fold(0.0, f64::max);
    Some(IncidentExtent {
        span_s,
        busy_s,
        tail_vms,
    })
}

/// The x axis of a sweep's charts: the first swept parameter's values as numbers
/// (durations in a unit that suits them) on a linear or logarithmic axis, or as
/// evenly spaced categories when they are not numbers, include 0 beside positive
/// values or span more than two orders of magnitude (see [`x_scale_for`]).
pub(super) struct SweepAxis {
    /// Each point's x: its value, or its category's index.
    pub xs: Vec<f64>,
    /// The categories' labels, in grid order; empty for a numeric axis.
    pub categories: Vec<String>,
    pub log: bool,
    /// The axis description: the parameter, with its unit when numeric.
    pub label: String,
}

impl SweepAxis {
    pub fn of(sw: &Sweep) -> SweepAxis {
        let name = sw.params.first().cloned().unwrap_or_default();
        let raw: Vec<String> = sw
            .points
            .iter()
            .map(|(v, _)| v.first().cloned().unwrap_or_default())
            .collect();
        let numbers: Option<Vec<f64>> = raw.iter().map(|x| x.parse::<f64>().ok()).collect();
        let durations = || -> Option<Vec<f64>> {
            raw.iter()
                .map(|x| {
                    crate::scenario::duration::parse_duration_us(x.trim_matches('"'))
                        .ok()
                        .map(|us| us as f64 / US_PER_S as f64)
                })
                .collect()
        };
        let (values, label) = match numbers {
            Some(xs) => (Some(xs), name.clone()),
            None => match durations() {
                Some(secs) => {
                    let max = secs.iter().copied().fold(0.0, f64::max);
                    let (k, unit) = if max >= 2.0 * 86_400.0 {
                        (86_400.0, "days")
                    } else {
                        let u = TimeUnit::for_max(max, true);
                        (u.secs, u.name)
                    };
                    (
                        Some(secs.iter().map(|s| s / k).collect()),
                        format!("{name} ({unit})"),
                    )
                }
                None => (None, name.clone()),
            },
        };
        match values.as_deref().map(x_scale_for) {
            Some(XScale::Linear) => SweepAxis {
                xs: values.unwrap_or_default(),
                categories: Vec::new(),
                log: false,
                label,
            },
            Some(XScale::Log) => SweepAxis {
                xs: values.unwrap_or_default(),
                categories: Vec::new(),
                log: true,
                label: format!("{label}, log scale"),
            },
            _ => {
                let mut categories: Vec<String> = Vec::new();
                let xs = raw
                    .iter()
                    .map(|v| match categories.iter().position(|c| c == v) {
                        Some(i) => i as f64,
                        None => {
                            categories.push(v.clone());
                            (categories.len() - 1) as f64
                        }
                    })
                    .collect();
                SweepAxis {
                    xs,
                    categories,
                    log: false,
                    label: name,
                }
            }
        }
    }
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
/// `n` points from the incident start to `end_s` (or the longest incident's end),
/// with times in `unit`.
pub(super) fn median_band(
    batch: &Batch,
    label: &str,
    unit: TimeUnit,
    end_s: Option<f64>,
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
    let end_us = end_s.map_or(end_us, |e| end_us.min((e * US_PER_S as f64) as u64));
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
        hollow: Vec::new(),
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
        hollow: Vec::new(),
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

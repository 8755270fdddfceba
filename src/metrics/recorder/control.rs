//! Control incidents: how long the brain takes to control every head again after a
//! site-wide loss of control, such as a partition of every link followed by a
//! reconnect storm.
//!
//! A *control incident* is a period with at least one head the brain cannot
//! control, from the moment the first head is lost until every head is controllable
//! again: the same shape as a VM incident (a period with at least one VM down), with
//! heads for VMs. It is *site-wide* when at least `metrics.site_fraction` of the heads
//! were out of control at once. `control_recovery_s` is the length of the longest
//! site-wide control incident; one still open at the horizon is cut there and flagged
//! as censored, like the other recovery metrics. Everything here is O(1) per change.

use super::{Recorder, site_threshold};
use crate::engine::{Micros, US_PER_S};
use crate::metrics::{METRICS, Metric, RunMetrics};

/// The longest site-wide control incident so far and the open incident.
#[derive(Clone, Copy, Debug)]
pub(super) struct ControlIncidents {
    /// Heads out of control at once that make an incident site-wide.
    threshold: u32,
    open: bool,
    start_us: Micros,
    peak: u32,
    /// The longest site-wide incident: its length and whether it ended before the
    /// horizon.
    worst: Option<(Micros, bool)>,
}

impl ControlIncidents {
    /// Nothing recorded; site-wide at `fraction` of the `heads` out of control.
    pub(super) fn new(heads: u32, fraction: f64) -> Self {
        ControlIncidents::with_threshold(site_threshold(heads, fraction))
    }

    /// Forgets everything recorded, keeping the threshold.
    pub(super) fn reset(&mut self) {
        *self = ControlIncidents::with_threshold(self.threshold);
    }

    fn with_threshold(threshold: u32) -> Self {
        ControlIncidents {
            threshold,
            open: false,
            start_us: 0,
            peak: 0,
            worst: None,
        }
    }

    /// `uncontrolled` heads are out of control from `now_us` on.
    #[inline]
    fn changed(&mut self, now_us: Micros, uncontrolled: u32) {
        if uncontrolled > 0 {
            if !self.open {
                self.open = true;
                self.start_us = now_us;
                self.peak = 0;
            }
            self.peak = self.peak.max(uncontrolled);
        } else if self.open {
            self.close(now_us, true);
        }
    }

    fn close(&mut self, end_us: Micros, recovered: bool) {
        self.open = false;
        let length = end_us.saturating_sub(self.start_us);
        let longer = self.worst.is_none_or(|(worst, _)| length > worst);
        if self.peak >= self.threshold && longer {
            self.worst = Some((length, recovered));
        }
    }

    /// Cuts an incident still open at the horizon there.
    pub(super) fn finish(&mut self, horizon_us: Micros) {
        if self.open {
            self.close(horizon_us, false);
        }
    }

    /// Writes `control_recovery_s` (0 without a site-wide control incident) and its
    /// censoring bit, which `control_loss_head_s` shares: the head-seconds of an
    /// incident still open at the horizon go on past it.
    pub(super) fn write(&self, values: &mut [f64; METRICS.len()], censored: &mut u64) {
        let m = Metric::ControlRecoveryS;
        if let Some((length, recovered)) = self.worst {
            values[m as usize] = length as f64 / US_PER_S as f64;
            if !recovered {
                *censored |= RunMetrics::bit(m) | RunMetrics::bit(Metric::ControlLossHeadS);
            }
        }
    }
}

impl Recorder {
    /// The number of heads the brain cannot control changed by `delta`.
    #[inline]
    pub fn control_changed(&mut self, now_us: Micros, delta: i32) {
        self.advance(now_us);
        self.heads_uncontrolled = self.heads_uncontrolled.wrapping_add_signed(delta);
        debug_assert!(self.heads_uncontrolled <= self.heads);
        self.control
            .changed(now_us.min(self.horizon_us), self.heads_uncontrolled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_wide_control_incidents_count_and_an_open_one_is_censored() {
        // Ten heads, site-wide at half of them. From 10 s, 4 heads are lost for 100 s
        // (not site-wide: no value); from 200 s, 5 heads for 30 s and one of them until
        // 250 s (site-wide, 50 s); from 300 s, 6 heads until the horizon at 340 s
        // (site-wide, 40 s, censored but shorter than 50 s, so the 50 s one is the
        // worst and nothing is cut).
        let s = US_PER_S;
        let mut r = Recorder::new(10, 10, 340 * s, 0);
        let lose = |r: &mut Recorder, t: Micros, n: i32| r.control_changed(t * s, n);
        lose(&mut r, 10, 4);
        lose(&mut r, 110, -4);
        lose(&mut r, 200, 5);
        lose(&mut r, 230, -4);
        lose(&mut r, 250, -1);
        lose(&mut r, 300, 6);
        let m = r.finish(std::iter::empty());
        assert_eq!(m[Metric::ControlRecoveryS], 50.0);
        assert!(!m.is_censored(Metric::ControlRecoveryS));
        assert!(!m.is_censored(Metric::ControlLossHeadS));
        // The same with the horizon at 400 s: the open incident (100 s) is the worst,
        // cut at the horizon.
        let mut r = Recorder::new(10, 10, 400 * s, 0);
        for (t, n) in [(10, 4), (110, -4), (200, 5), (230, -4), (250, -1), (300, 6)] {
            lose(&mut r, t, n);
        }
        let m = r.finish(std::iter::empty());
        assert_eq!(m[Metric::ControlRecoveryS], 100.0);
        assert!(m.is_censored(Metric::ControlRecoveryS));
        // Its head-seconds (4·100 + 5·30 + 1·20 + 6·100) go on past the horizon too.
        assert_eq!(m[Metric::ControlLossHeadS], 1170.0);
        assert!(m.is_censored(Metric::ControlLossHeadS));
        // `metrics.site_fraction` of 0.3 makes the first incident (100 s) site-wide.
        let mut r = Recorder::new(10, 10, 340 * s, 0).with_site_fraction(0.3);
        for (t, n) in [(10, 4), (110, -4), (200, 5), (230, -4), (250, -1)] {
            lose(&mut r, t, n);
        }
        assert_eq!(
            r.finish(std::iter::empty())[Metric::ControlRecoveryS],
            100.0
        );
    }
}

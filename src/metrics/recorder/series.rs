//! The incident time series kept for plots: a bounded buffer that thins itself out.

use super::SeriesPoint;
use crate::engine::Micros;

/// A bounded, deterministic decimating buffer: when full, every other point is
/// dropped and the minimum spacing doubles, so a long incident keeps its shape.
#[derive(Clone, Debug)]
pub(super) struct Series {
    pub(super) points: Vec<SeriesPoint>,
    capacity: usize,
    pub(super) min_gap_us: Micros,
}

impl Series {
    pub(super) fn new(capacity: usize) -> Self {
        Series {
            points: Vec::with_capacity(capacity),
            capacity,
            min_gap_us: 0,
        }
    }

    pub(super) fn clear(&mut self) {
        self.points.clear();
        self.min_gap_us = 0;
    }

    /// Adds a point unless it follows the last one by less than the minimum gap (and
    /// is not forced). Called on every change of state, so the common cases (same
    /// instant, too close) return before anything else.
    #[inline]
    pub(super) fn push(&mut self, p: SeriesPoint, force: bool) {
        if let Some(last) = self.points.last_mut() {
            if last.since_start_us == p.since_start_us {
                // The same instant: the newer state replaces the older one.
                *last = p;
                return;
            }
            if !force && p.since_start_us - last.since_start_us < self.min_gap_us {
                return;
            }
        }
        if self.points.len() == self.capacity {
            self.decimate();
        }
        self.points.push(p);
    }

    /// Drops every other point and doubles the minimum gap.
    #[cold]
    fn decimate(&mut self) {
        let mut keep = 0;
        for i in (0..self.points.len()).step_by(2) {
            self.points[keep] = self.points[i];
            keep += 1;
        }
        self.points.truncate(keep);
        self.min_gap_us = (self.min_gap_us * 2).max(1);
    }
}

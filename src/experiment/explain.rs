//! Runs one replication with notes on and hands its record to the timeline builder
//! (`report::explain`), for `bigvsim explain` and report.md.

use crate::engine::{EngineError, Micros};
use crate::metrics::Metric;
use crate::model::{Event, Platform, RunOptions};
use crate::report::explain::{Traced, timeline};
use crate::scenario::Scenario;

/// True for the timer events a timeline can use (causes and boots' ends); routine
/// flaps and reconnect attempts are left out to keep the record small.
fn kept(e: &Event) -> bool {
    !matches!(e, Event::Link(_) | Event::Supervisor(_))
}

/// The timeline of the worst incident of replication `rep` of `sc` under `seed`.
pub fn explain_replication(sc: &Scenario, seed: u64, rep: u64) -> Result<Vec<String>, EngineError> {
    let mut platform = Platform::new(sc, RunOptions::default());
    let notes = platform.record_notes();
    let mut items: Vec<(Micros, Traced)> = Vec::new();
    let m = platform.run_observed(seed, rep, |t, e| {
        notes.drain(|t, n| items.push((t, Traced::Note(*n))));
        if kept(e) {
            items.push((t, Traced::Event(*e)));
        }
    })?;
    notes.drain(|t, n| items.push((t, Traced::Note(*n))));
    let incident = platform.recorder().worst_incident();
    Ok(timeline(
        sc,
        seed,
        rep,
        &items,
        incident,
        m.values[Metric::FullRecoveryS as usize],
    ))
}

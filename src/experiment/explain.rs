//! Runs one replication with notes on and keeps its record (timer events and notes,
//! the worst incident, `full_recovery_s`), for `bigvsim explain` and report.md; the
//! timeline is told from the record by `report::explain`.

use crate::engine::{EngineError, Micros};
use crate::metrics::{Incident, Metric};
use crate::model::{Event, Note, Platform, RunOptions};
use crate::scenario::Scenario;

/// One entry of a replication's record: a timer event or a note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Traced {
    Event(Event),
    Note(Note),
}

/// What one replication did, as a timeline needs it.
#[derive(Clone, Debug)]
pub struct Record {
    pub seed: u64,
    pub replication: u64,
    /// Timer events and notes, in time order.
    pub items: Vec<(Micros, Traced)>,
    pub incident: Option<Incident>,
    pub full_recovery_s: f64,
}

/// True for the timer events a timeline can use (causes and boots' ends); routine
/// flaps and reconnect attempts are left out to keep the record small.
fn kept(e: &Event) -> bool {
    !matches!(e, Event::Link(_) | Event::Supervisor(_))
}

/// The record of replication `rep` of `sc` under `seed`.
pub fn record_replication(sc: &Scenario, seed: u64, rep: u64) -> Result<Record, EngineError> {
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
    Ok(Record {
        seed,
        replication: rep,
        items,
        incident: platform.recorder().worst_incident(),
        full_recovery_s: m.values[Metric::FullRecoveryS as usize],
    })
}

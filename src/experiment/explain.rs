//! Runs one replication with notes on and keeps its record (timer events and notes,
//! the worst incident, `full_recovery_s`), for `bigvsim explain` and report.md; the
//! timeline is told from the record by `report::explain`.

use crate::engine::{EngineError, Micros};
use crate::metrics::{Incident, Metric};
use crate::model::{
    BrainEvent, ChangeEvent, Event, FaultEvent, HardwareEvent, LinkEvent, MaintenanceEvent, Note,
    Platform, RunOptions, SupervisorEvent, VmEvent,
};
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

/// True for the timer events a timeline can use (causes, boots' ends and whatever may
/// be one); routine flaps, reconnect attempts and supervisor timers are left out to
/// keep the record small (the notes tell what they did). Every event is named: a new
/// one must be placed here.
fn kept(e: &Event) -> bool {
    match e {
        Event::Link(
            LinkEvent::FlapBegan { .. }
            | LinkEvent::FlapHealed { .. }
            | LinkEvent::ReconnectAttempted { .. }
            | LinkEvent::Resynced { .. },
        )
        | Event::Supervisor(
            SupervisorEvent::LongOutageReached { .. }
            | SupervisorEvent::BackgroundCrashDue { .. }
            | SupervisorEvent::SupervisorRestarted { .. },
        ) => false,
        Event::Vm(VmEvent::VmBooted { .. })
        | Event::Brain(
            BrainEvent::BrainFailed { .. }
            | BrainEvent::BrainRecovered { .. }
            | BrainEvent::BrokerFailed
            | BrainEvent::BrokerRepaired,
        )
        | Event::Fault(
            FaultEvent::PartitionBegan { .. }
            | FaultEvent::PartitionHealed { .. }
            | FaultEvent::CrashFaultFired { .. }
            | FaultEvent::HeadFaultFired { .. }
            | FaultEvent::SwitchFailed { .. }
            | FaultEvent::SwitchRepaired { .. },
        )
        | Event::Hardware(
            HardwareEvent::HeadFailed { .. }
            | HardwareEvent::HeadRepaired { .. }
            | HardwareEvent::FailureWarned { .. },
        )
        | Event::Maintenance(
            MaintenanceEvent::MaintenanceDue { .. }
            | MaintenanceEvent::MaintenanceEnded { .. }
            | MaintenanceEvent::MigrationCopied { .. }
            | MaintenanceEvent::MigrationResumed { .. },
        )
        | Event::Change(ChangeEvent::ChangeReached { .. }) => true,
    }
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

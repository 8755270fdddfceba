//! What one replication of a scenario needs, computed before anything is allocated:
//! the event queue's capacity, the largest burst one event can schedule, and the
//! memory of every component, each stated by the component that owns it.

use super::Event;
use super::brain::Brain;
use super::changes::Changes;
use super::faults::Faults;
use super::hardware::Hardware;
use super::link::Links;
use super::maintenance::Maintenance;
use super::placement::Placement;
use super::supervisor::Supervisors;
use super::vm::Vms;
use crate::engine::Micros;
use crate::metrics::Recorder;
use crate::scenario::Scenario;

/// Timers each head can have pending at once, and one spare.
const TIMERS_PER_HEAD: usize =
    Links::TIMERS_PER_HEAD + Supervisors::TIMERS_PER_HEAD + Hardware::TIMERS_PER_HEAD + 1;

/// What one replication of a scenario needs, computed before anything is allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    pub event_capacity: usize,
    pub max_pushes_per_event: usize,
    pub bytes: u64,
}

impl Footprint {
    pub fn of(sc: &Scenario) -> Footprint {
        let heads = sc.site.heads as usize;
        let vms = sc.site.vms() as usize;
        let boots = (sc.brain.reboot_concurrency as usize).min(vms);
        let mut live = TIMERS_PER_HEAD * heads
            + boots
            + Faults::live_timers(sc)
            + Changes::live_timers(sc)
            + 8;
        let mut max_pushes = 4 * heads + boots + 8;
        // Maintenance's timers, only when the model has maintenance: a model without it
        // keeps the queue it had.
        if Maintenance::sized(sc) {
            live += Maintenance::TIMERS_PER_HEAD * heads + Maintenance::live_timers(sc);
            max_pushes += Maintenance::max_pushes(sc);
        }
        // An announced failure's warning, pending beside the failure itself.
        if Hardware::predicts(sc) {
            live += heads;
        }
        // One handler can touch every head and start every free boot. Per head, one
        // event schedules at most a reconnect, a long-outage check, a supervisor
        // restart (the bug on a reset) and a repair (a site-wide head failure).
        let event_capacity = live + 2 * max_pushes;
        let (h, v) = (heads as u64, vms as u64);
        // A queue entry is the event with its time and sequence number.
        let entry = std::mem::size_of::<(Micros, u64, Event)>() as u64;
        let bytes = Placement::bytes_for(h, sc.maintenance.vm_slots_per_head as u64, v)
            + Vms::bytes_for(h, v)
            + Links::bytes_for(h)
            + Supervisors::bytes_for(sc)
            + Changes::bytes_for(sc)
            + Hardware::bytes_for(sc)
            + Brain::bytes_for(sc, h, v)
            + Faults::bytes_for(sc)
            + Maintenance::bytes_for(sc)
            + Recorder::bytes_for(v, 0)
            + event_capacity as u64 * entry;
        Footprint {
            event_capacity,
            max_pushes_per_event: max_pushes,
            bytes,
        }
    }
}

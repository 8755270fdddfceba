//! The BigV platform as pure state machines: no I/O, no clock, no environment.
//!
//! The flow of a failure, as the model follows it:
//!
//! ```text
//! network fault ──► link drops (reset) ──► reconnect with backoff ──► link up
//!                       │  bug: crash on every reset with p, and with p_long in
//!                       ▼  every supervisor life that sees the link down too long
//!                  supervisor crashes ──► restart delay ──► supervisor running
//!                       │ (Coupled only)
//!                       ▼
//!                   VMs die ──► reported once supervisor running AND link up
//!                       ──► reboot queue (policy, global and per-head limits)
//!                       ──► boot (duration × contention) ──► VM running
//! ```
//!
//! A head is *controllable* when its hardware is up, its supervisor runs and its link is
//! up; control loss is the head-time spent otherwise. Head hardware failures kill the
//! head's VMs in every design. The brain's failovers and the message broker's failures
//! drop every link for their duration.
//!
//! One module per concern, each with its own state, its own events and its own
//! memory footprint:
//! - `link.rs`: links, routine flaps and reconnects with backoff;
//! - `supervisor.rs`: supervisors, their crashes and restarts, and the bug;
//! - `vm.rs`: VM states, their deaths and their reporting to the brain;
//! - `brain.rs`: the brain's failovers, the message broker, and starting boots from
//!   the reboot queue (`reboot_queue.rs`);
//! - `faults.rs`: scheduled and random faults and the heads each one touches;
//! - `hardware.rs`: head hardware failures and repairs;
//! - `placement.rs`: which head each VM is on.
//!
//! Cancelled timers are never searched for: every timer event carries the generation
//! of what it belongs to (a link outage, a supervisor life, a boot) and is stale when
//! that generation has moved on.
//!
//! Every event and note enum is declared through `named_enum!` (`names.rs`), which
//! names its variants once for traces and their filters.

#[macro_use]
mod names;
mod brain;
mod changes;
mod faults;
mod footprint;
mod hardware;
mod invariants;
mod link;
mod maintenance;
mod notes;
mod placement;
mod reboot_queue;
mod streams;
mod supervisor;
#[cfg(test)]
mod tests;
mod vm;

use std::ops::ControlFlow;

use crate::engine::{self, EngineError, Limits, Micros, Process, Scheduler};
use crate::metrics::{Metric, Recorder, RunMetrics};
use crate::scenario::Scenario;

use brain::Brain;
pub use brain::BrainEvent;
pub use changes::ChangeEvent;
use changes::Changes;
pub use faults::FaultEvent;
use faults::Faults;
pub use footprint::Footprint;
use hardware::Hardware;
pub use hardware::HardwareEvent;
pub use link::LinkEvent;
use link::Links;
use maintenance::Maintenance;
pub use maintenance::MaintenanceEvent;
use notes::Notes;
pub use notes::{CrashCause, Note, NoteReader};
use placement::Placement;
pub use streams::Purpose;
pub use supervisor::SupervisorEvent;
use supervisor::{SupState, Supervisors};
use vm::Vms;
pub use vm::{VmEvent, VmState};

event_groups! {
    /// Every event the platform model handles, grouped by the component that handles
    /// it. Facts are named in the past tense.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Event {
        Link(LinkEvent),
        Supervisor(SupervisorEvent),
        Vm(VmEvent),
        Brain(BrainEvent),
        Fault(FaultEvent),
        Hardware(HardwareEvent),
        Maintenance(MaintenanceEvent),
        Change(ChangeEvent),
    }
}

// An event rides in every queue entry: growing it past 16 bytes would grow the queue.
const _: () = assert!(std::mem::size_of::<Event>() <= 16);

/// Whom an event is about, for trace lines and their filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum About {
    /// The site, a fault, a rack, the brain or a change: no one head or VM.
    Site,
    /// One head, named by the event.
    Head(u32),
    /// One VM, on whichever head it is on at the time.
    Vm(u32),
    /// The end of the copy of a VM's migration (its source and target are the
    /// migration's, from its `MigrationStarted` note).
    MigrationCopy(u32),
    /// The end of a migrated VM's pause on its new head (source and target from its
    /// `MigrationPaused` note).
    MigrationPause(u32),
}

impl Event {
    /// Whom the event is about.
    pub fn about(&self) -> About {
        match self {
            Event::Link(e) => e.about(),
            Event::Supervisor(e) => e.about(),
            Event::Vm(e) => e.about(),
            Event::Brain(e) => e.about(),
            Event::Fault(e) => e.about(),
            Event::Hardware(e) => e.about(),
            Event::Maintenance(e) => e.about(),
            Event::Change(e) => e.about(),
        }
    }

    /// The head the event names itself, if it names one.
    pub fn head(&self) -> Option<u32> {
        match self.about() {
            About::Head(h) => Some(h),
            About::Site | About::Vm(_) | About::MigrationCopy(_) | About::MigrationPause(_) => None,
        }
    }

    /// The VM the event names, if it names one.
    pub fn vm(&self) -> Option<u32> {
        match self.about() {
            About::Vm(v) | About::MigrationCopy(v) | About::MigrationPause(v) => Some(v),
            About::Site | About::Head(_) => None,
        }
    }

    /// The event's fields as `"key":value` JSON members (no braces).
    pub fn json_fields(&self) -> String {
        match self {
            Event::Link(e) => e.json_fields(),
            Event::Supervisor(e) => e.json_fields(),
            Event::Vm(e) => e.json_fields(),
            Event::Brain(e) => e.json_fields(),
            Event::Fault(e) => e.json_fields(),
            Event::Hardware(e) => e.json_fields(),
            Event::Maintenance(e) => e.json_fields(),
            Event::Change(e) => e.json_fields(),
        }
    }
}

/// The state of one site during a replication: one component per concern.
pub struct World {
    sc: Scenario,
    placement: Placement,
    vms: Vms,
    links: Links,
    sups: Supervisors,
    hw: Hardware,
    brain: Brain,
    faults: Faults,
    maint: Maintenance,
    changes: Changes,
    rec: Recorder,
    notes: Notes,
    max_pushes: usize,
}

impl World {
    fn new(sc: &Scenario, outage_log_capacity: usize) -> World {
        let heads = sc.site.heads;
        let vms = sc.site.vms() as u32;
        World {
            placement: Self::placement(sc),
            vms: Vms::new(heads, vms),
            links: Links::new(heads),
            sups: Supervisors::new(sc),
            hw: Hardware::new(sc),
            brain: Brain::new(sc, heads, vms),
            faults: Faults::new(sc),
            maint: Maintenance::new(sc),
            changes: Changes::new(sc),
            rec: Recorder::new(vms, heads, sc.horizon_us, outage_log_capacity)
                .with_site_fraction(sc.metrics.site_fraction),
            notes: Notes::off(),
            max_pushes: Footprint::of(sc).max_pushes_per_event,
            sc: sc.clone(),
        }
    }

    /// The initial placement. Only maintenance moves VMs (and only into spare slots),
    /// and only it asks for a head's VMs as a slice: the slot table is prepared before
    /// the run for a model that may do either, and left unwritten otherwise.
    fn placement(sc: &Scenario) -> Placement {
        let site = &sc.site;
        let slots = sc.maintenance.vm_slots_per_head;
        let mut placement = Placement::packed(site.heads, site.vms_per_head, slots);
        if Maintenance::sized(sc) || slots > site.vms_per_head {
            placement.prepare_slots();
        }
        placement
    }

    /// Puts the site back to "everything running" and seeds the streams of replication
    /// `rep`, then schedules the first occurrence of every fault process.
    fn reset(&mut self, seed: u64, rep: u64, sched: &mut Scheduler<Event>) {
        // Writes nothing unless a VM moved in the last replication.
        self.placement.reset();
        self.vms.reset(seed, rep, &self.placement);
        self.links.reset(seed, rep);
        self.sups.reset(&self.sc, seed, rep);
        self.hw.reset(seed, rep);
        self.faults.reset(seed, rep);
        self.changes.reset(seed, rep);
        self.brain.reset(seed, rep);
        self.maint.reset(seed, rep);
        self.rec.reset();
        self.notes.reset();
        sched.reset();
        // The first events of every process, per head and then site-wide, in the order
        // the golden trace fixes.
        for h in 0..self.sc.site.heads {
            self.links.schedule_first(&self.sc, h, sched);
            self.sups.schedule_first(h, sched);
            self.hw.schedule_first(&self.sc, h, sched);
        }
        self.brain.schedule_first(&self.sc, sched);
        self.faults.schedule_first(&self.sc, sched);
        // After every other first event, so that a model without maintenance keeps its
        // event order.
        for h in 0..self.sc.site.heads {
            self.maint.schedule_first(&self.sc, h, sched);
        }
        // Last, so that a model without changes schedules exactly what it did before.
        self.changes.schedule_first(&self.sc, sched);
    }

    /// True when the brain can control head `h`: hardware up, supervisor running,
    /// link up.
    #[inline]
    fn controllable(&self, h: u32) -> bool {
        let hi = h as usize;
        self.hw.heads[hi].up
            && self.sups.heads[hi].state == SupState::Running
            && self.links.heads[hi].up
    }

    /// Call after changing anything a head's controllability depends on: updates the
    /// control-loss integral and reports the head's dead VMs once it is controllable.
    #[inline]
    fn head_changed(&mut self, h: u32, was_controllable: bool, now: Micros) {
        let is = self.controllable(h);
        // A head's supervisor is off exactly when its hardware is down.
        assert_eq!(
            self.sups.heads[h as usize].state == SupState::Off,
            !self.hw.heads[h as usize].up,
            "head {h}: supervisor state disagrees with the hardware"
        );
        if is != was_controllable {
            self.rec.control_changed(now, if is { -1 } else { 1 });
            if !is {
                self.maint.lost_control(h);
            }
        }
        // A head under maintenance reports its dead VMs when the work ends.
        if is && self.vms.heads[h as usize].dead_unreported > 0 && !self.maint.holds(h) {
            self.report_dead(h);
        }
    }
}

/// True for an event that ends a boot, which frees a boot slot (and may let a VM
/// parked behind its head's limit start) even when no VM is ready. Every event is
/// named: a new one must say whether it ends a boot.
#[inline]
fn ends_a_boot(event: &Event) -> bool {
    match event {
        Event::Vm(VmEvent::VmBooted { .. }) => true,
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
        )
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
        | Event::Change(ChangeEvent::ChangeReached { .. }) => false,
    }
}

impl Process for World {
    type Event = Event;

    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        self.notes.now_us = sched.now();
        match event {
            Event::Link(e) => self.handle_link(e, sched),
            Event::Supervisor(e) => self.handle_supervisor(e, sched),
            Event::Vm(e) => self.handle_vm(e, sched),
            Event::Brain(e) => self.handle_brain(e, sched),
            Event::Fault(e) => self.handle_fault(e, sched),
            Event::Hardware(e) => self.handle_hardware(e, sched),
            Event::Maintenance(e) => self.handle_maintenance(e, sched),
            Event::Change(e) => self.handle_change(e, sched),
        }
        // Any event can free a slot or queue a VM; starting boots is cheap when neither.
        if self.brain.queue.ready() > 0 || ends_a_boot(&event) {
            self.dispatch(sched);
        }
    }

    fn is_live(&self, event: &Event) -> bool {
        match event {
            Event::Link(e) => self.link_event_is_live(e),
            Event::Supervisor(e) => self.supervisor_event_is_live(e),
            Event::Vm(e) => self.vm_event_is_live(e),
            Event::Brain(e) => self.brain_event_is_live(e),
            Event::Fault(e) => self.fault_event_is_live(e),
            Event::Hardware(e) => self.hardware_event_is_live(e),
            Event::Maintenance(e) => self.maintenance_event_is_live(e),
            // A change's step is due whatever else happened.
            Event::Change(_) => true,
        }
    }

    fn max_pushes_per_event(&self) -> usize {
        self.max_pushes
    }

    fn check_invariants(&self, now_us: Micros) -> Result<(), String> {
        invariants::check(self, now_us)
    }
}

/// Options for running replications of a scenario.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Check every invariant after every event (slow; for tests and debugging).
    pub check_invariants: bool,
    /// Keep up to this many VM outages of each replication (for `outages.csv`).
    pub outage_log_capacity: usize,
}

/// A scenario ready to run: all memory allocated up front and reused across
/// replications.
pub struct Platform {
    world: World,
    sched: Scheduler<Event>,
    options: RunOptions,
}

impl Platform {
    pub fn new(sc: &Scenario, options: RunOptions) -> Platform {
        let fp = Footprint::of(sc);
        Platform {
            world: World::new(sc, options.outage_log_capacity),
            sched: Scheduler::with_capacity(fp.event_capacity),
            options,
        }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.world.sc
    }

    /// Runs replication `rep` of master seed `seed`, calling `observe` before every
    /// live event.
    pub fn run_observed(
        &mut self,
        seed: u64,
        rep: u64,
        mut observe: impl FnMut(Micros, &Event),
    ) -> Result<RunMetrics, EngineError> {
        let run = self.run_until(seed, rep, |t, e| {
            observe(t, e);
            ControlFlow::Continue(())
        })?;
        match run {
            ControlFlow::Continue(metrics) => Ok(metrics),
            ControlFlow::Break(()) => unreachable!("an observer that never stops stopped a run"),
        }
    }

    /// Like [`Platform::run_observed`], but `observe` may stop the run before the event
    /// it is shown (a trace whose reader has gone): then the run has no metrics and
    /// the result is `Break`.
    pub fn run_until(
        &mut self,
        seed: u64,
        rep: u64,
        observe: impl FnMut(Micros, &Event) -> ControlFlow<()>,
    ) -> Result<ControlFlow<(), RunMetrics>, EngineError> {
        self.world.reset(seed, rep, &mut self.sched);
        let limits = Limits {
            horizon_us: self.world.sc.horizon_us,
            max_events: self.world.sc.limits.max_events,
            check_invariants: self.options.check_invariants,
        };
        let end = engine::run_until(&mut self.world, &mut self.sched, limits, observe)?;
        if end.stopped {
            return Ok(ControlFlow::Break(()));
        }
        if self.options.check_invariants {
            invariants::check(&self.world, self.world.sc.horizon_us).map_err(|what| {
                EngineError::Invariant {
                    time_us: self.world.sc.horizon_us,
                    events: end.events,
                    what,
                }
            })?;
        }
        let w = &mut self.world;
        let placement = &w.placement;
        // Every VM not running is down in the recorder's count, so the walk can stop
        // at the last of them: after a full recovery it reads no VM at all.
        let still_down = w.rec.vms_down() as usize;
        let down = w
            .vms
            .vm
            .iter()
            .enumerate()
            .filter(|(_, v)| v.state != VmState::Running)
            .take(still_down)
            .map(|(i, v)| (i as u32, placement.head_of(i as u32), v.cause));
        let mut m = w.rec.finish(down);
        m.values[Metric::Events as usize] = end.events as f64;
        Ok(ControlFlow::Continue(m))
    }

    /// Runs replication `rep` of master seed `seed`.
    pub fn run(&mut self, seed: u64, rep: u64) -> Result<RunMetrics, EngineError> {
        self.run_observed(seed, rep, |_, _| {})
    }

    /// Turns on trace notes for the replications run from now on and returns their
    /// reader, to drain after each event (before the next one is observed) and once
    /// the run is over. Without this call no note is recorded.
    pub fn record_notes(&mut self) -> NoteReader {
        let sc = &self.world.sc;
        // The largest burst of one event: every VM dies, is queued and starts booting,
        // and every head's link and supervisor changes.
        let burst = 3 * sc.site.vms() as usize + 8 * sc.site.heads as usize + 16;
        self.world.notes.start(burst)
    }

    /// The head VM `vm` runs on.
    pub fn head_of(&self, vm: u32) -> u32 {
        self.world.placement.head_of(vm)
    }

    /// What the last replication recorded beyond its metrics (series, outages).
    pub fn recorder(&self) -> &Recorder {
        &self.world.rec
    }
}

//! Supervisors: the per-head process that runs the VMs, its crashes and restarts, and
//! the bug that crashes it when its link resets.
//!
//! The bug crashes a supervisor on a link reset with probability `crash_on_reset`, and
//! once an outage has lasted `long_reset_after`, with probability `crash_on_long_reset`
//! (TCP transport only). The bug's coin is drawn on every reset whatever the design,
//! so the bug stream stays aligned across designs. In the Coupled design a crash kills
//! the head's VMs.
//! Owns: each head's supervisor state, the bug, restart and background-crash streams.

use super::streams::{self, Purpose, exp_per_year};
use super::{Event, World};
use crate::engine::{Scheduler, Stream};
use crate::metrics::OutageCause;
use crate::scenario::{Coupling, Scenario, Transport};

/// The events of supervisors and the bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SupervisorEvent {
    /// The link may have been down for longer than the long-reset threshold.
    LongOutageReached { head: u32 },
    /// A background supervisor crash (unrelated to resets).
    SupervisorCrashed { head: u32 },
    /// The supervisor of life `life` finished restarting.
    SupervisorRestarted { head: u32, life: u32 },
}

impl SupervisorEvent {
    pub fn name(&self) -> &'static str {
        match self {
            SupervisorEvent::LongOutageReached { .. } => "LongOutageReached",
            SupervisorEvent::SupervisorCrashed { .. } => "SupervisorCrashed",
            SupervisorEvent::SupervisorRestarted { .. } => "SupervisorRestarted",
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            SupervisorEvent::LongOutageReached { head }
            | SupervisorEvent::SupervisorCrashed { head } => format!("\"head\":{head}"),
            SupervisorEvent::SupervisorRestarted { head, life } => {
                format!("\"head\":{head},\"life\":{life}")
            }
        }
    }
}

impl From<SupervisorEvent> for Event {
    fn from(e: SupervisorEvent) -> Event {
        Event::Supervisor(e)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum SupState {
    Running,
    Restarting,
    /// The head's hardware is down.
    Off,
}

/// One head's supervisor.
#[derive(Clone, Copy, Debug)]
pub(super) struct Supervisor {
    pub(super) state: SupState,
    /// A long-outage check is scheduled.
    long_check_pending: bool,
    /// Supervisor life generation: a restart is stale once this has moved on.
    pub(super) life: u32,
    /// The link outage whose long-reset check has been made.
    long_checked: u32,
}

impl Supervisor {
    const NEW: Supervisor = Supervisor {
        state: SupState::Running,
        long_check_pending: false,
        life: 0,
        long_checked: 0,
    };
}

/// Every head's supervisor and its random streams.
pub(super) struct Supervisors {
    pub(super) heads: Vec<Supervisor>,
    bug_rng: Vec<Stream>,
    restart_rng: Vec<Stream>,
    background_rng: Vec<Stream>,
}

impl Supervisors {
    /// Timers one head's supervisor can have pending at once: a long-outage check, a
    /// restart and a background crash.
    pub(super) const TIMERS_PER_HEAD: usize = 3;

    pub(super) fn new(heads: u32) -> Supervisors {
        Supervisors {
            heads: vec![Supervisor::NEW; heads as usize],
            bug_rng: streams::unseeded(heads as usize),
            restart_rng: streams::unseeded(heads as usize),
            background_rng: streams::unseeded(heads as usize),
        }
    }

    pub(super) fn bytes_for(heads: u64) -> u64 {
        heads * std::mem::size_of::<Supervisor>() as u64 + streams::bytes_for(3 * heads)
    }

    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        self.heads.fill(Supervisor::NEW);
        streams::reseed(&mut self.bug_rng, Purpose::Bug, seed, rep);
        streams::reseed(&mut self.restart_rng, Purpose::Restart, seed, rep);
        streams::reseed(
            &mut self.background_rng,
            Purpose::BackgroundCrash,
            seed,
            rep,
        );
    }

    pub(super) fn schedule_first(&mut self, sc: &Scenario, h: u32, sched: &mut Scheduler<Event>) {
        if sc.supervisor.crashes_per_year > 0.0 {
            let rate = sc.supervisor.crashes_per_year;
            let d = exp_per_year(rate, &mut self.background_rng[h as usize]);
            sched.at(d, SupervisorEvent::SupervisorCrashed { head: h }.into());
        }
    }

    /// Powers the supervisor off with its head's hardware, ending its life.
    pub(super) fn power_off(&mut self, h: u32) {
        let sup = &mut self.heads[h as usize];
        sup.state = SupState::Off;
        sup.life = sup.life.wrapping_add(1);
    }

    /// Starts the supervisor of a repaired head restarting and schedules its restart.
    pub(super) fn power_on(&mut self, sc: &Scenario, h: u32, sched: &mut Scheduler<Event>) {
        let sup = &mut self.heads[h as usize];
        assert_eq!(sup.state, SupState::Off, "head {h}: powered on twice");
        sup.state = SupState::Restarting;
        let life = sup.life;
        self.schedule_restart(sc, h, life, sched);
    }

    fn schedule_restart(&mut self, sc: &Scenario, h: u32, life: u32, sched: &mut Scheduler<Event>) {
        let restart = sc
            .supervisor
            .restart
            .sample(&mut self.restart_rng[h as usize]);
        sched.after(
            restart,
            SupervisorEvent::SupervisorRestarted { head: h, life }.into(),
        );
    }
}

impl World {
    pub(super) fn handle_supervisor(
        &mut self,
        event: SupervisorEvent,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        match event {
            SupervisorEvent::LongOutageReached { head: h } => {
                let hi = h as usize;
                let threshold = self.sc.supervisor.long_reset_after_us;
                let link = self.links.heads[hi];
                let sup = &mut self.sups.heads[hi];
                sup.long_check_pending = false;
                if !link.up && sup.long_checked != link.outage {
                    let due = link.down_since_us.saturating_add(threshold);
                    if now >= due {
                        sup.long_checked = link.outage;
                        let p = self.sc.supervisor.crash_on_long_reset;
                        let crash = self.sups.bug_rng[hi].bernoulli(p);
                        if crash && self.sc.design.transport == Transport::Tcp {
                            self.crash_supervisor(h, OutageCause::Bug, sched);
                        }
                    } else {
                        // A newer outage began after this check was set: check it in turn.
                        sup.long_check_pending = true;
                        sched.at(due, SupervisorEvent::LongOutageReached { head: h }.into());
                    }
                }
            }
            SupervisorEvent::SupervisorCrashed { head } => {
                self.crash_supervisor(head, OutageCause::Background, sched);
                let rate = self.sc.supervisor.crashes_per_year;
                let d = exp_per_year(rate, &mut self.sups.background_rng[head as usize]);
                sched.after(d, SupervisorEvent::SupervisorCrashed { head }.into());
            }
            SupervisorEvent::SupervisorRestarted { head: h, .. } => {
                let was = self.controllable(h);
                let sup = &mut self.sups.heads[h as usize];
                assert_eq!(sup.state, SupState::Restarting, "head {h}: restarted twice");
                sup.state = SupState::Running;
                self.head_changed(h, was, now);
            }
        }
    }

    pub(super) fn supervisor_event_is_live(&self, event: &SupervisorEvent) -> bool {
        match *event {
            SupervisorEvent::LongOutageReached { .. }
            | SupervisorEvent::SupervisorCrashed { .. } => true,
            SupervisorEvent::SupervisorRestarted { head, life } => {
                let sup = &self.sups.heads[head as usize];
                self.hw.heads[head as usize].up
                    && sup.state == SupState::Restarting
                    && sup.life == life
            }
        }
    }

    /// Crashes a running supervisor (a no-op for one that is not running); `cause` is
    /// the cause of its VMs' outages when they die with it.
    pub(super) fn crash_supervisor(
        &mut self,
        h: u32,
        cause: OutageCause,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let hi = h as usize;
        if !self.hw.heads[hi].up || self.sups.heads[hi].state != SupState::Running {
            return;
        }
        let was = self.controllable(h);
        let sup = &mut self.sups.heads[hi];
        sup.state = SupState::Restarting;
        sup.life = sup.life.wrapping_add(1);
        let life = sup.life;
        self.rec.supervisor_crashes += 1;
        self.sups.schedule_restart(&self.sc, h, life, sched);
        if self.sc.design.coupling == Coupling::Coupled {
            self.kill_all_vms(h, cause, now);
        }
        self.head_changed(h, was, now);
    }

    /// The head's link just dropped: check later whether the outage grew long.
    pub(super) fn watch_long_outage(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let sup = &mut self.sups.heads[h as usize];
        if !sup.long_check_pending {
            sup.long_check_pending = true;
            sched.after(
                self.sc.supervisor.long_reset_after_us,
                SupervisorEvent::LongOutageReached { head: h }.into(),
            );
        }
    }

    /// The bug: a reset may crash the supervisor. The draw is made on every reset,
    /// whatever the design, so the bug stream stays aligned across designs.
    pub(super) fn bug_on_reset(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let p = self.sc.supervisor.crash_on_reset;
        let crash = self.sups.bug_rng[h as usize].bernoulli(p);
        if crash && self.sc.design.transport == Transport::Tcp {
            self.crash_supervisor(h, OutageCause::Bug, sched);
        }
    }
}

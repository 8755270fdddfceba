//! Supervisors: the per-head process that runs the VMs, its crashes and restarts, and
//! the bug that crashes it when its link resets.
//!
//! The bug crashes a supervisor on a link reset with probability `crash_on_reset`
//! (TCP transport only). It also crashes, with probability `crash_on_long_reset`, every
//! supervisor life that has watched its link stay down for `long_reset_after`, counted
//! from the later of the outage's start and the moment that life started running: one
//! draw per life and outage. A supervisor restarted onto a link that is still down thus
//! meets the bug again, and crash-loops while a long partition lasts, as a segfaulting
//! supervisor would. The bug's coins are drawn whatever the design, so the bug stream
//! stays aligned across designs that share supervisor lives. In the Coupled design a
//! crash kills the head's VMs.
//!
//! The bug's probabilities and the background crash rate are read from a per-head
//! table (`bug`), filled from the scenario when a replication starts and changed by
//! the model's `changes` (see `changes.rs`) head by head. A background crash rate that
//! changes is drawn by thinning: crashes are proposed at the highest rate any change
//! sets and kept with probability (the head's rate) / (that rate), a coin from its own
//! stream (`Purpose::BackgroundThinning`); without changes of the rate every proposal
//! is kept without a coin, so the background stream is drawn as it always was.
//! Owns: each head's supervisor state, the bug, restart and background-crash streams.

use super::notes::{CrashCause, Note};
use super::streams::{Purpose, Streams, exp_per_year};
use super::{About, Event, World};
use crate::engine::Scheduler;
use crate::metrics::OutageCause;
use crate::scenario::{ChangePath, Coupling, Scenario, Transport};

named_enum! {
    /// The events of supervisors and the bug.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum SupervisorEvent {
        /// Supervisor life `life` has watched link outage `outage` for the long-reset
        /// threshold.
        LongOutageReached { head: u32, life: u32, outage: u32 },
        /// A background supervisor crash (unrelated to resets) is due. Named for the timer,
        /// not the fact: the crash itself is the `SupervisorCrashed` note, which also
        /// follows the bug's crashes and crash faults.
        BackgroundCrashDue { head: u32 },
        /// The supervisor of life `life` finished restarting.
        SupervisorRestarted { head: u32, life: u32 },
    }
}

impl SupervisorEvent {
    /// Whom the event is about: its head.
    pub fn about(&self) -> About {
        match *self {
            SupervisorEvent::LongOutageReached { head, .. }
            | SupervisorEvent::BackgroundCrashDue { head }
            | SupervisorEvent::SupervisorRestarted { head, .. } => About::Head(head),
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            SupervisorEvent::LongOutageReached { head, life, outage } => {
                format!("\"head\":{head},\"life\":{life},\"outage\":{outage}")
            }
            SupervisorEvent::BackgroundCrashDue { head } => format!("\"head\":{head}"),
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
    /// Supervisor life generation: a life ends when the supervisor crashes or its head
    /// powers off, and a restart or long-outage check of an ended life is stale.
    pub(super) life: u32,
}

/// The values of the bug and of background crashes one head's supervisor reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct BugValues {
    pub(super) crash_on_reset: f64,
    pub(super) crash_on_long_reset: f64,
    pub(super) crashes_per_year: f64,
}

impl BugValues {
    fn of(sc: &Scenario) -> BugValues {
        BugValues {
            crash_on_reset: sc.supervisor.crash_on_reset,
            crash_on_long_reset: sc.supervisor.crash_on_long_reset,
            crashes_per_year: sc.supervisor.crashes_per_year,
        }
    }
}

impl Supervisor {
    const NEW: Supervisor = Supervisor {
        state: SupState::Running,
        life: 0,
    };
}

/// Every head's supervisor and its random streams.
pub(super) struct Supervisors {
    pub(super) heads: Vec<Supervisor>,
    /// Each head's current values of the bug and of background crashes.
    pub(super) bug: Vec<BugValues>,
    /// The rate background crashes are proposed at: the highest any head can have.
    background_max: f64,
    /// Thinning coins, one stream per head; no streams when no change sets the rate.
    thin_rng: Streams,
    bug_rng: Streams,
    /// The long-reset draws have a stream of their own: how many a head makes depends
    /// on how many supervisor lives it has, which the design changes, and sharing the
    /// reset stream would then shift every later reset draw between designs.
    long_reset_rng: Streams,
    restart_rng: Streams,
    background_rng: Streams,
}

impl Supervisors {
    /// Timers one head's supervisor can have pending at once: a long-outage check, a
    /// restart and a background crash. A long-outage check is live only for the running
    /// life and the current outage, and each (life, outage) pair schedules at most one,
    /// so at most one is live, and never beside a restart.
    pub(super) const TIMERS_PER_HEAD: usize = 3;

    pub(super) fn new(sc: &Scenario) -> Supervisors {
        let heads = sc.site.heads;
        let (background_max, thinned) = background_max(sc);
        Supervisors {
            heads: vec![Supervisor::NEW; heads as usize],
            bug: vec![BugValues::of(sc); heads as usize],
            background_max,
            thin_rng: Streams::new(
                Purpose::BackgroundThinning,
                if thinned { heads as usize } else { 0 },
            ),
            bug_rng: Streams::new(Purpose::Bug, heads as usize),
            long_reset_rng: Streams::new(Purpose::LongReset, heads as usize),
            restart_rng: Streams::new(Purpose::Restart, heads as usize),
            background_rng: Streams::new(Purpose::BackgroundCrash, heads as usize),
        }
    }

    pub(super) fn bytes_for(sc: &Scenario) -> u64 {
        let heads = sc.site.heads as u64;
        let thin = if background_max(sc).1 { heads } else { 0 };
        heads * std::mem::size_of::<Supervisor>() as u64
            + heads * std::mem::size_of::<BugValues>() as u64
            + Streams::bytes_for(4 * heads + thin)
    }

    pub(super) fn reset(&mut self, sc: &Scenario, seed: u64, rep: u64) {
        self.heads.fill(Supervisor::NEW);
        self.bug.fill(BugValues::of(sc));
        self.thin_rng.reset(seed, rep);
        self.bug_rng.reset(seed, rep);
        self.long_reset_rng.reset(seed, rep);
        self.restart_rng.reset(seed, rep);
        self.background_rng.reset(seed, rep);
    }

    pub(super) fn schedule_first(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        if self.background_max > 0.0 {
            let rate = self.background_max;
            let d = exp_per_year(rate, &mut self.background_rng[h as usize]);
            sched.at(d, SupervisorEvent::BackgroundCrashDue { head: h }.into());
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

    /// Every head's values are what a change may set: probabilities, and a background
    /// rate no higher than the rate crashes are proposed at (thinning cannot add).
    pub(super) fn check_bug_values(&self) -> Result<(), String> {
        let p = 0.0..=1.0;
        for (h, b) in self.bug.iter().enumerate() {
            if !p.contains(&b.crash_on_reset)
                || !p.contains(&b.crash_on_long_reset)
                || !(0.0..=self.background_max).contains(&b.crashes_per_year)
            {
                return Err(format!("head {h}: bug values out of range: {b:?}"));
            }
        }
        Ok(())
    }

    /// Whether a proposed background crash of head `h` happens: always at the
    /// highest rate, otherwise with probability rate / highest (one thinning coin).
    fn keeps_background_crash(&mut self, h: u32) -> bool {
        let rate = self.bug[h as usize].crashes_per_year;
        if rate >= self.background_max {
            return true;
        }
        self.thin_rng[h as usize].bernoulli(rate / self.background_max)
    }

    fn schedule_restart(&mut self, sc: &Scenario, h: u32, life: u32, sched: &mut Scheduler<Event>) {
        let restart = self.restart_rng.sample(h as usize, &sc.supervisor.restart);
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
            SupervisorEvent::LongOutageReached { head: h, .. } => {
                // Live: this life is still running and the outage it watched goes on.
                let p = self.sups.bug[h as usize].crash_on_long_reset;
                let crash = self.sups.long_reset_rng[h as usize].bernoulli(p);
                let tcp = self.sc.design.transport == Transport::Tcp;
                self.note(Note::BugDrawn {
                    head: h,
                    long: true,
                    hit: crash,
                    crashes: crash && tcp,
                });
                if crash && tcp {
                    self.note_crash(h, CrashCause::BugOnLongReset);
                    self.crash_supervisor(h, OutageCause::Bug, sched);
                }
            }
            SupervisorEvent::BackgroundCrashDue { head } => {
                if self.sups.keeps_background_crash(head) {
                    self.note_crash(head, CrashCause::Background);
                    self.crash_supervisor(head, OutageCause::Background, sched);
                }
                let rate = self.sups.background_max;
                let d = exp_per_year(rate, &mut self.sups.background_rng[head as usize]);
                sched.after(d, SupervisorEvent::BackgroundCrashDue { head }.into());
            }
            SupervisorEvent::SupervisorRestarted { head: h, .. } => {
                let was = self.controllable(h);
                let sup = &mut self.sups.heads[h as usize];
                assert_eq!(sup.state, SupState::Restarting, "head {h}: restarted twice");
                sup.state = SupState::Running;
                // A life that starts on a dead link watches it from now.
                self.watch_long_outage(h, sched);
                self.head_changed(h, was, now);
            }
        }
    }

    pub(super) fn supervisor_event_is_live(&self, event: &SupervisorEvent) -> bool {
        match *event {
            SupervisorEvent::LongOutageReached { head, life, outage } => {
                let (sup, link) = (
                    &self.sups.heads[head as usize],
                    &self.links.heads[head as usize],
                );
                sup.state == SupState::Running
                    && sup.life == life
                    && !link.up
                    && link.outage == outage
            }
            SupervisorEvent::BackgroundCrashDue { .. } => true,
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

    /// Starts the running supervisor life watching its head's down link: the long-reset
    /// check falls `long_reset_after` from now. Called when the link drops under a
    /// running supervisor and when a supervisor starts running on a down link, which
    /// are the only two ways a (life, outage) pair begins, so each pair is checked once.
    pub(super) fn watch_long_outage(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let hi = h as usize;
        let (sup, link) = (&self.sups.heads[hi], &self.links.heads[hi]);
        if sup.state != SupState::Running || link.up {
            return;
        }
        let event = SupervisorEvent::LongOutageReached {
            head: h,
            life: sup.life,
            outage: link.outage,
        };
        sched.after(self.sc.supervisor.long_reset_after_us, event.into());
    }

    /// The bug: a reset may crash the supervisor. The draw is made on every reset,
    /// whatever the design, so the bug stream stays aligned across designs.
    pub(super) fn bug_on_reset(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let p = self.sups.bug[h as usize].crash_on_reset;
        let crash = self.sups.bug_rng[h as usize].bernoulli(p);
        let tcp = self.sc.design.transport == Transport::Tcp;
        self.note(Note::BugDrawn {
            head: h,
            long: false,
            hit: crash,
            crashes: crash && tcp,
        });
        if crash && tcp {
            self.note_crash(h, CrashCause::BugOnReset);
            self.crash_supervisor(h, OutageCause::Bug, sched);
        }
    }
}

impl World {
    /// Notes a supervisor crash about to happen (`crash_supervisor` skips a supervisor
    /// that is not running, and so does this).
    #[inline]
    pub(super) fn note_crash(&mut self, head: u32, cause: CrashCause) {
        // The flag first: with notes off (every run but a trace) nothing else is read.
        if self.notes.on
            && self.hw.heads[head as usize].up
            && self.sups.heads[head as usize].state == SupState::Running
        {
            self.note(Note::SupervisorCrashed { head, cause });
        }
    }
}

/// The rate background crashes are proposed at (the scenario's, or a change's when
/// higher), and whether any change sets the rate (then proposals need thinning).
fn background_max(sc: &Scenario) -> (f64, bool) {
    let changed = sc
        .changes
        .iter()
        .flat_map(|c| &c.set)
        .any(|(p, _)| *p == ChangePath::CrashesPerYear);
    (sc.highest(ChangePath::CrashesPerYear), changed)
}

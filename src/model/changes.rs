//! Parameter changes during a run: a code change that raises the bug's rate, a patch
//! rolled out head by head across a window.
//!
//! The values a change may set are read per head at the moment they are used: the
//! bug's two probabilities at each draw, the background crash rate at each crash (see
//! `supervisor.rs`). A change therefore touches nothing but its heads' entries of
//! that table, and a model without changes reads exactly the values it read before.
//!
//! An `At` change is one event that reaches every head. A rollout is a chain of
//! events, one per head: step i reaches head `order[i]` at `at + i·over/heads`
//! (integer microseconds, rounded down) and schedules step i + 1, so a rollout holds
//! one timer at a time. `Sequential` reaches head i at step i; `Random` draws a
//! permutation of the heads from its own stream (`Purpose::RolloutOrder`, entity:
//! the change) when a replication starts. With `restart_supervisor` the head's
//! supervisor restarts as the change reaches it, which in the `Coupled` design kills
//! its VMs; those outages count under the `CrashFault` cause (a crash the operator
//! causes on purpose), and the trace notes them as a `rollout_restart` crash. An `At`
//! change with `restart_supervisor` restarts every head's supervisor at its time, the
//! same way and without a drain.
//!
//! With `drain: LiveMigrate` a rollout that reaches an idle, controllable head drains
//! it first with the maintenance machinery (`maintenance.rs`: `Phase::RolloutDrain`,
//! the same migration slots, copy time, pauses and failure rules) and restarts its
//! supervisor when the drain ends, killing only what is left on it. A head that is
//! not idle (waiting for or in maintenance, evacuating, already draining for another
//! rollout) or is out of control restarts at once, as without a drain. The steps keep
//! their schedule whatever the drains take: several heads may drain at once when
//! drains last longer than the time between steps, and a head that a drain is
//! copying VMs to when its own step comes makes those copies fail (it takes no VM
//! while its restart is pending). No copy starts toward a head that a restarting
//! change reaches before the copy would land (`Changes::restarts_by`): it would be
//! thrown away, so a rollout whose steps come faster than a copy drains nothing and
//! runs exactly as without the drain.
//! Owns: the rollouts' orders (and their inverses), the next step of each change, and
//! the order streams.

use super::notes::CrashCause;
use super::streams::Purpose;
use super::{About, Event, World};
use crate::engine::{Micros, Scheduler};
use crate::metrics::OutageCause;
use crate::scenario::{ChangePath, RolloutDrain, RolloutOrder, Scenario, step_time};

named_enum! {
    /// The events of changes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum ChangeEvent {
        /// Step `step` of change `change` is due: for an `At` change, every head; for a
        /// rollout, the step-th head of its order.
        ChangeReached { change: u32, step: u32 },
    }
}

impl ChangeEvent {
    /// Whom the event is about: a change's step, not one head.
    pub fn about(&self) -> About {
        match self {
            ChangeEvent::ChangeReached { .. } => About::Site,
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            ChangeEvent::ChangeReached { change, step } => {
                format!("\"change\":{change},\"step\":{step}")
            }
        }
    }
}

impl From<ChangeEvent> for Event {
    fn from(e: ChangeEvent) -> Event {
        Event::Change(e)
    }
}

/// Every change's order of heads.
pub(super) struct Changes {
    /// Per change: for a `Random` rollout, the heads in the order it reaches them
    /// (redrawn in place each replication); empty otherwise.
    orders: Vec<Vec<u32>>,
    /// Per change: for a `Random` rollout, the step at which each head is reached
    /// (the inverse of its order); empty otherwise.
    steps: Vec<Vec<u32>>,
    /// Per change: the next step due (every step below it has fired).
    next: Vec<u32>,
}

impl Changes {
    pub(super) fn new(sc: &Scenario) -> Changes {
        Changes {
            orders: sc
                .changes
                .iter()
                .map(|c| match c.order {
                    Some(RolloutOrder::Random) => (0..sc.site.heads).collect(),
                    _ => Vec::new(),
                })
                .collect(),
            steps: sc
                .changes
                .iter()
                .map(|c| match c.order {
                    Some(RolloutOrder::Random) => (0..sc.site.heads).collect(),
                    _ => Vec::new(),
                })
                .collect(),
            next: vec![0; sc.changes.len()],
        }
    }

    pub(super) fn bytes_for(sc: &Scenario) -> u64 {
        let random = sc
            .changes
            .iter()
            .filter(|c| c.order == Some(RolloutOrder::Random))
            .count() as u64;
        // The order and its inverse, a word a head each, and the next step a change.
        random * sc.site.heads as u64 * 8 + sc.changes.len() as u64 * 4
    }

    /// Timers changes can have pending at once: one per change.
    pub(super) fn live_timers(sc: &Scenario) -> usize {
        sc.changes.len()
    }

    /// Draws each random rollout's order for replication `rep` (a Fisher-Yates
    /// shuffle of the heads, in place).
    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        for (i, order) in self.orders.iter_mut().enumerate() {
            if order.is_empty() {
                continue;
            }
            let mut rng = Purpose::RolloutOrder.stream(seed, rep, i as u64);
            for (k, h) in order.iter_mut().enumerate() {
                *h = k as u32;
            }
            for k in (1..order.len()).rev() {
                let j = rng.below(k as u64 + 1) as usize;
                order.swap(k, j);
            }
            for (k, &h) in order.iter().enumerate() {
                self.steps[i][h as usize] = k as u32;
            }
        }
        self.next.fill(0);
    }

    /// Whether a change not yet at head `h` restarts its supervisor at or before
    /// `until`: a migration to `h` landing then would fail (its restart takes control
    /// away, and a drain starting on it turns its VMs away), so it is no target.
    pub(super) fn restarts_by(&self, sc: &Scenario, h: u32, until: Micros) -> bool {
        sc.changes.iter().enumerate().any(|(i, c)| {
            if !c.restart_supervisor {
                return false;
            }
            let step = match c.order {
                None => 0,
                Some(RolloutOrder::Random) => self.steps[i][h as usize],
                Some(RolloutOrder::Sequential) => h,
            };
            step >= self.next[i] && step_time(c.at_us, c.over_us, sc.site.heads, step) <= until
        })
    }

    /// Schedules the first step of every change.
    pub(super) fn schedule_first(&self, sc: &Scenario, sched: &mut Scheduler<Event>) {
        for (i, c) in sc.changes.iter().enumerate() {
            let event = ChangeEvent::ChangeReached {
                change: i as u32,
                step: 0,
            };
            sched.at(c.at_us, event.into());
        }
    }

    /// The head step `step` of rollout `change` reaches.
    fn head(&self, sc: &Scenario, change: usize, step: u32) -> u32 {
        match sc.changes[change].order {
            Some(RolloutOrder::Random) => self.orders[change][step as usize],
            _ => step,
        }
    }
}

impl World {
    pub(super) fn handle_change(&mut self, event: ChangeEvent, sched: &mut Scheduler<Event>) {
        let ChangeEvent::ChangeReached { change, step } = event;
        let c = change as usize;
        let heads = self.sc.site.heads;
        self.changes.next[c] = step + 1;
        let restart = self.sc.changes[c].restart_supervisor;
        if self.sc.changes[c].order.is_none() {
            for h in 0..heads {
                self.apply_change(c, h);
                if restart {
                    self.rollout_restart(h, sched);
                }
            }
            return;
        }
        let h = self.changes.head(&self.sc, c, step);
        self.apply_change(c, h);
        if restart {
            // A drained head restarts when its drain ends (`pump_migrations`).
            let drained = self.sc.changes[c].drain == RolloutDrain::LiveMigrate
                && self.rollout_drain(h, sched);
            if !drained {
                self.rollout_restart(h, sched);
            }
        }
        if step + 1 < heads {
            let ch = &self.sc.changes[c];
            let next = step_time(ch.at_us, ch.over_us, heads, step + 1);
            let event = ChangeEvent::ChangeReached {
                change,
                step: step + 1,
            };
            sched.at(next, event.into());
        }
    }

    /// A change restarts head `h`'s supervisor: in the `Coupled` design the VMs on the
    /// head die, counted as a crash the operator causes on purpose.
    pub(super) fn rollout_restart(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        self.note_crash(h, CrashCause::RolloutRestart);
        self.crash_supervisor(h, OutageCause::CrashFault, sched);
    }

    /// Head `h` takes change `c`'s values.
    fn apply_change(&mut self, c: usize, h: u32) {
        let values = &mut self.sups.bug[h as usize];
        for &(path, v) in &self.sc.changes[c].set {
            match path {
                ChangePath::CrashOnReset => values.crash_on_reset = v,
                ChangePath::CrashOnLongReset => values.crash_on_long_reset = v,
                ChangePath::CrashesPerYear => values.crashes_per_year = v,
            }
        }
    }
}

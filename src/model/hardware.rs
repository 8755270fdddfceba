//! Head hardware: random failures and repairs, and the kills they cause.
//!
//! A failed head loses its VMs in every design, powers its supervisor off and drops
//! its link; on repair the supervisor restarts and the link reconnects afresh.
//! A share `head.predicted_fraction` of failures is announced `head.warning` ahead
//! (at once if the failure is nearer than that): the warning drains the head by live
//! migration (`Maintenance`'s evacuation) and the VMs left on it die with it as usual.
//! Whether a failure is announced is decided when it is drawn, from a stream of its own,
//! so that a model announcing none draws exactly what it drew before.
//! Owns: each head's hardware state, its hardware stream (failure and repair draws) and
//! its prediction stream.

use super::streams::{Purpose, Streams, exp_per_year};
use super::{About, Event, World};
use crate::engine::{Micros, Scheduler};
use crate::metrics::OutageCause;
use crate::scenario::Scenario;

named_enum! {
    /// The events of head hardware.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum HardwareEvent {
        /// Head hardware failed (random, generation `life`).
        HeadFailed {
            head: u32,
            life: u32,
        },
        HeadRepaired {
            head: u32,
            life: u32,
        },
        /// The failure of `head` that generation `life` will end was announced.
        FailureWarned {
            head: u32,
            life: u32,
        },
    }
}

impl HardwareEvent {
    /// Whom the event is about: its head.
    pub fn about(&self) -> About {
        match *self {
            HardwareEvent::HeadFailed { head, .. }
            | HardwareEvent::HeadRepaired { head, .. }
            | HardwareEvent::FailureWarned { head, .. } => About::Head(head),
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            HardwareEvent::HeadFailed { head, life }
            | HardwareEvent::HeadRepaired { head, life }
            | HardwareEvent::FailureWarned { head, life } => {
                format!("\"head\":{head},\"life\":{life}")
            }
        }
    }
}

impl From<HardwareEvent> for Event {
    fn from(e: HardwareEvent) -> Event {
        Event::Hardware(e)
    }
}

/// One head's hardware.
#[derive(Clone, Copy, Debug)]
pub(super) struct HeadHardware {
    pub(super) up: bool,
    /// Hardware generation: a failure or repair is stale once this has moved on.
    life: u32,
}

impl HeadHardware {
    const NEW: HeadHardware = HeadHardware { up: true, life: 0 };
}

/// Every head's hardware and its random streams.
pub(super) struct Hardware {
    pub(super) heads: Vec<HeadHardware>,
    rng: Streams,
    /// Prediction coins: one stream a head, or none when no failure is announced.
    predict: Streams,
}

impl Hardware {
    /// Timers one head's hardware can have pending at once: a failure and a repair.
    pub(super) const TIMERS_PER_HEAD: usize = 2;

    /// Whether some head failures are announced ahead.
    pub(super) fn predicts(sc: &Scenario) -> bool {
        sc.head.failures_per_year > 0.0 && sc.head.predicted_fraction > 0.0
    }

    pub(super) fn new(sc: &Scenario) -> Hardware {
        let heads = sc.site.heads as usize;
        Hardware {
            heads: vec![HeadHardware::NEW; heads],
            rng: Streams::new(Purpose::Hardware, heads),
            predict: Streams::new(
                Purpose::Prediction,
                if Self::predicts(sc) { heads } else { 0 },
            ),
        }
    }

    pub(super) fn bytes_for(sc: &Scenario) -> u64 {
        let heads = sc.site.heads as u64;
        let predict = if Self::predicts(sc) { heads } else { 0 };
        heads * std::mem::size_of::<HeadHardware>() as u64
            + Streams::bytes_for(heads)
            + Streams::bytes_for(predict)
    }

    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        self.heads.fill(HeadHardware::NEW);
        self.rng.reset(seed, rep);
        self.predict.reset(seed, rep);
    }

    pub(super) fn schedule_first(&mut self, sc: &Scenario, h: u32, sched: &mut Scheduler<Event>) {
        if sc.head.failures_per_year > 0.0 {
            let d = exp_per_year(sc.head.failures_per_year, &mut self.rng[h as usize]);
            sched.at(d, HardwareEvent::HeadFailed { head: h, life: 0 }.into());
            self.maybe_warn(sc, h, 0, d, sched);
        }
    }

    /// Announces the failure of `h` due `d` from now (generation `life`) `head.warning`
    /// ahead, if its coin says so. No coin is drawn when no failure is announced.
    fn maybe_warn(
        &mut self,
        sc: &Scenario,
        h: u32,
        life: u32,
        d: Micros,
        sched: &mut Scheduler<Event>,
    ) {
        if sc.head.predicted_fraction > 0.0
            && self.predict[h as usize].bernoulli(sc.head.predicted_fraction)
        {
            let head = h;
            let at = d.saturating_sub(sc.head.warning_us);
            sched.after(at, HardwareEvent::FailureWarned { head, life }.into());
        }
    }
}

impl World {
    pub(super) fn handle_hardware(&mut self, event: HardwareEvent, sched: &mut Scheduler<Event>) {
        match event {
            HardwareEvent::HeadFailed { head, .. } => self.fail_head(head, sched),
            HardwareEvent::FailureWarned { head, .. } => self.evacuate(head, sched),
            HardwareEvent::HeadRepaired { head: h, .. } => {
                let hi = h as usize;
                let hw = &mut self.hw.heads[hi];
                assert!(!hw.up, "head {h}: repaired while up");
                hw.up = true;
                let hw_life = hw.life;
                self.remove_cause(h);
                self.reconnect_afresh(h, sched);
                self.sups.power_on(&self.sc, h, sched);
                if self.sc.head.failures_per_year > 0.0 {
                    let d = exp_per_year(self.sc.head.failures_per_year, &mut self.hw.rng[hi]);
                    sched.after(
                        d,
                        HardwareEvent::HeadFailed {
                            head: h,
                            life: hw_life,
                        }
                        .into(),
                    );
                    self.hw.maybe_warn(&self.sc, h, hw_life, d, sched);
                }
            }
        }
    }

    pub(super) fn hardware_event_is_live(&self, event: &HardwareEvent) -> bool {
        match *event {
            HardwareEvent::HeadFailed { head, life }
            | HardwareEvent::FailureWarned { head, life } => {
                let hw = &self.hw.heads[head as usize];
                hw.up && hw.life == life
            }
            HardwareEvent::HeadRepaired { head, life } => {
                let hw = &self.hw.heads[head as usize];
                !hw.up && hw.life == life
            }
        }
    }

    /// Fails a head's hardware (a no-op for a head already down): its VMs die, its
    /// supervisor stops and its link drops until the repair.
    pub(super) fn fail_head(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let hi = h as usize;
        if !self.hw.heads[hi].up {
            return;
        }
        let was = self.controllable(h);
        let hw = &mut self.hw.heads[hi];
        hw.up = false;
        hw.life = hw.life.wrapping_add(1);
        let life = hw.life;
        self.sups.power_off(h);
        self.kill_all_vms(h, OutageCause::Hardware, now);
        self.head_changed(h, was, now);
        self.evacuation_over(h, sched);
        self.add_cause(h, sched);
        let repair = self.sc.head.repair.sample(&mut self.hw.rng[hi]);
        sched.after(repair, HardwareEvent::HeadRepaired { head: h, life }.into());
    }
}

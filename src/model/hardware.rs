//! Head hardware: random failures and repairs, and the kills they cause.
//!
//! A failed head loses its VMs in every design, powers its supervisor off and drops
//! its link; on repair the supervisor restarts and the link reconnects afresh.
//! Owns: each head's hardware state and its hardware stream (failure and repair draws).

use super::streams::{self, Purpose, exp_per_year};
use super::{Event, World};
use crate::engine::{Scheduler, Stream};
use crate::metrics::OutageCause;
use crate::scenario::Scenario;

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
}

impl HardwareEvent {
    pub fn name(&self) -> &'static str {
        match self {
            HardwareEvent::HeadFailed { .. } => "HeadFailed",
            HardwareEvent::HeadRepaired { .. } => "HeadRepaired",
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            HardwareEvent::HeadFailed { head, life }
            | HardwareEvent::HeadRepaired { head, life } => {
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
    rng: Vec<Stream>,
}

impl Hardware {
    /// Timers one head's hardware can have pending at once: a failure and a repair.
    pub(super) const TIMERS_PER_HEAD: usize = 2;

    pub(super) fn new(heads: u32) -> Hardware {
        Hardware {
            heads: vec![HeadHardware::NEW; heads as usize],
            rng: streams::unseeded(heads as usize),
        }
    }

    pub(super) fn bytes_for(heads: u64) -> u64 {
        heads * std::mem::size_of::<HeadHardware>() as u64 + streams::bytes_for(heads)
    }

    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        self.heads.fill(HeadHardware::NEW);
        streams::reseed(&mut self.rng, Purpose::Hardware, seed, rep);
    }

    pub(super) fn schedule_first(&mut self, sc: &Scenario, h: u32, sched: &mut Scheduler<Event>) {
        if sc.head.failures_per_year > 0.0 {
            let d = exp_per_year(sc.head.failures_per_year, &mut self.rng[h as usize]);
            sched.at(d, HardwareEvent::HeadFailed { head: h, life: 0 }.into());
        }
    }
}

impl World {
    pub(super) fn handle_hardware(&mut self, event: HardwareEvent, sched: &mut Scheduler<Event>) {
        match event {
            HardwareEvent::HeadFailed { head, .. } => self.fail_head(head, sched),
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
                }
            }
        }
    }

    pub(super) fn hardware_event_is_live(&self, event: &HardwareEvent) -> bool {
        match *event {
            HardwareEvent::HeadFailed { head, life } => {
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
        self.add_cause(h, sched);
        let repair = self.sc.head.repair.sample(&mut self.hw.rng[hi]);
        sched.after(repair, HardwareEvent::HeadRepaired { head: h, life }.into());
    }
}

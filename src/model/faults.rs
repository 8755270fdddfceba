//! Faults from the model file: scheduled and random partitions, scheduled supervisor
//! crashes, scheduled head failures and brain failovers, and the heads each one
//! touches (its scope).
//!
//! A Fraction-scoped fault draws a fresh set of heads each time it fires.
//! Owns: one stream per fault and the current heads of each Fraction-scoped fault.

use super::brain::BrainEvent;
use super::notes::CrashCause;
use super::streams::{self, Purpose, exp_per_year};
use super::{Event, World};
use crate::engine::{Scheduler, Stream};
use crate::metrics::OutageCause;
use crate::scenario::{Fault, Scenario, Scope};

/// The events of faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultEvent {
    /// A fault's partition started (scheduled or random).
    PartitionBegan {
        fault: u32,
    },
    PartitionHealed {
        fault: u32,
    },
    /// A scheduled fault crashed the supervisors in its scope.
    CrashFaultFired {
        fault: u32,
    },
    /// A scheduled fault failed the heads in its scope.
    HeadFaultFired {
        fault: u32,
    },
}

impl FaultEvent {
    pub fn name(&self) -> &'static str {
        match self {
            FaultEvent::PartitionBegan { .. } => "PartitionBegan",
            FaultEvent::PartitionHealed { .. } => "PartitionHealed",
            FaultEvent::CrashFaultFired { .. } => "CrashFaultFired",
            FaultEvent::HeadFaultFired { .. } => "HeadFaultFired",
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            FaultEvent::PartitionBegan { fault }
            | FaultEvent::PartitionHealed { fault }
            | FaultEvent::CrashFaultFired { fault }
            | FaultEvent::HeadFaultFired { fault } => format!("\"fault\":{fault}"),
        }
    }
}

impl From<FaultEvent> for Event {
    fn from(e: FaultEvent) -> Event {
        Event::Fault(e)
    }
}

/// Each fault's stream and, for Fraction-scoped faults, the heads it touches now.
pub(super) struct Faults {
    rng: Vec<Stream>,
    heads: Vec<Vec<u32>>,
}

/// The scope of a fault that has one.
fn fault_scope(f: &Fault) -> &Scope {
    match f {
        Fault::Partition { scope, .. }
        | Fault::RandomPartitions { scope, .. }
        | Fault::SupervisorCrash { scope, .. }
        | Fault::HeadFailure { scope, .. } => scope,
        Fault::BrainFailover { .. } => &Scope::All,
    }
}

/// True for a fault that draws its heads each time (room for every head is kept).
fn draws_heads(f: &Fault) -> bool {
    matches!(fault_scope(f), Scope::Fraction(_))
}

impl Faults {
    pub(super) fn new(sc: &Scenario) -> Faults {
        let heads = sc.site.heads as usize;
        Faults {
            rng: streams::unseeded(sc.faults.len()),
            heads: sc
                .faults
                .iter()
                .map(|f| Vec::with_capacity(if draws_heads(f) { heads } else { 0 }))
                .collect(),
        }
    }

    pub(super) fn bytes_for(sc: &Scenario) -> u64 {
        let heads = sc.site.heads as u64;
        let drawn = sc.faults.iter().filter(|f| draws_heads(f)).count() as u64;
        let faults = sc.faults.len() as u64;
        streams::bytes_for(faults)
            + faults * std::mem::size_of::<Vec<u32>>() as u64
            + drawn * heads * 4
    }

    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        streams::reseed(&mut self.rng, Purpose::Fault, seed, rep);
        for heads in &mut self.heads {
            heads.clear();
        }
    }

    pub(super) fn schedule_first(&mut self, sc: &Scenario, sched: &mut Scheduler<Event>) {
        for (i, fault) in sc.faults.iter().enumerate() {
            let fault_id = i as u32;
            match fault {
                Fault::Partition { at_us, .. } => sched.at(
                    *at_us,
                    FaultEvent::PartitionBegan { fault: fault_id }.into(),
                ),
                Fault::RandomPartitions { per_year, .. } => {
                    let d = exp_per_year(*per_year, &mut self.rng[i]);
                    sched.at(d, FaultEvent::PartitionBegan { fault: fault_id }.into());
                }
                Fault::SupervisorCrash { at_us, .. } => sched.at(
                    *at_us,
                    FaultEvent::CrashFaultFired { fault: fault_id }.into(),
                ),
                Fault::BrainFailover { at_us } => {
                    sched.at(*at_us, BrainEvent::BrainFailed { random: false }.into())
                }
                Fault::HeadFailure { at_us, .. } => sched.at(
                    *at_us,
                    FaultEvent::HeadFaultFired { fault: fault_id }.into(),
                ),
            }
        }
    }
}

impl World {
    pub(super) fn handle_fault(&mut self, event: FaultEvent, sched: &mut Scheduler<Event>) {
        match event {
            FaultEvent::PartitionBegan { fault } => {
                let f = fault as usize;
                self.draw_scope(f);
                for i in 0..self.scope_len(f) {
                    let h = self.scope_head(f, i);
                    self.add_cause(h, sched);
                }
                let duration = match &self.sc.faults[f] {
                    Fault::Partition { duration, .. }
                    | Fault::RandomPartitions { duration, .. } => {
                        duration.sample(&mut self.faults.rng[f])
                    }
                    _ => 0,
                };
                sched.after(duration, FaultEvent::PartitionHealed { fault }.into());
            }
            FaultEvent::PartitionHealed { fault } => {
                let f = fault as usize;
                for i in 0..self.scope_len(f) {
                    let h = self.scope_head(f, i);
                    self.remove_cause(h);
                }
                if let Fault::RandomPartitions { per_year, .. } = self.sc.faults[f] {
                    let d = exp_per_year(per_year, &mut self.faults.rng[f]);
                    sched.after(d, FaultEvent::PartitionBegan { fault }.into());
                }
            }
            FaultEvent::CrashFaultFired { fault } => {
                let f = fault as usize;
                self.draw_scope(f);
                for i in 0..self.scope_len(f) {
                    let h = self.scope_head(f, i);
                    self.note_crash(h, CrashCause::Fault);
                    self.crash_supervisor(h, OutageCause::CrashFault, sched);
                }
            }
            FaultEvent::HeadFaultFired { fault } => {
                let f = fault as usize;
                self.draw_scope(f);
                for i in 0..self.scope_len(f) {
                    let h = self.scope_head(f, i);
                    self.fail_head(h, sched);
                }
            }
        }
    }

    /// Fault events are never cancelled: each one fires once per occurrence.
    pub(super) fn fault_event_is_live(&self, event: &FaultEvent) -> bool {
        match event {
            FaultEvent::PartitionBegan { .. }
            | FaultEvent::PartitionHealed { .. }
            | FaultEvent::CrashFaultFired { .. }
            | FaultEvent::HeadFaultFired { .. } => true,
        }
    }

    fn scope_len(&self, fault: usize) -> usize {
        match fault_scope(&self.sc.faults[fault]) {
            Scope::All => self.sc.site.heads as usize,
            Scope::Heads(list) => list.len(),
            Scope::Fraction(_) => self.faults.heads[fault].len(),
        }
    }

    fn scope_head(&self, fault: usize, i: usize) -> u32 {
        match fault_scope(&self.sc.faults[fault]) {
            Scope::All => i as u32,
            Scope::Heads(list) => list[i],
            Scope::Fraction(_) => self.faults.heads[fault][i],
        }
    }

    /// Draws a fresh set of heads for a Fraction-scoped fault (partial Fisher–Yates).
    fn draw_scope(&mut self, fault: usize) {
        if let Scope::Fraction(f) = fault_scope(&self.sc.faults[fault]) {
            let n = self.sc.site.heads as usize;
            let k = (libm::round(f * n as f64) as usize).min(n);
            let heads = &mut self.faults.heads[fault];
            heads.clear();
            heads.extend(0..n as u32);
            let rng = &mut self.faults.rng[fault];
            for i in 0..k {
                let j = i + rng.below((n - i) as u64) as usize;
                heads.swap(i, j);
            }
            heads.truncate(k);
        }
    }
}

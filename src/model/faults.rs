//! Faults from the model file: scheduled and random partitions, scheduled supervisor
//! crashes, scheduled head failures and brain failovers, and the heads each one
//! touches (its scope); and random rack-switch failures, each of which cuts every
//! link of one rack until the switch is repaired.
//!
//! A Fraction- or RackFraction-scoped fault draws a fresh set of heads each time it
//! fires. Heads are in racks contiguously (`Site::rack_of`).
//! Owns: one stream per fault and per rack switch, and the current heads of each fault
//! whose scope is not `All` or `Heads`.

use super::brain::BrainEvent;
use super::notes::CrashCause;
use super::streams::{self, Purpose, exp_per_year};
use super::{About, Event, World};
use crate::engine::{Scheduler, Stream};
use crate::metrics::OutageCause;
use crate::scenario::{Fault, Scenario, Scope};

named_enum! {
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
        /// A rack's switch failed: every link of the rack's heads is cut.
        SwitchFailed {
            rack: u32,
        },
        SwitchRepaired {
            rack: u32,
        },
    }
}

impl FaultEvent {
    /// Whom the event is about: a fault or a rack, not one head.
    pub fn about(&self) -> About {
        match self {
            FaultEvent::PartitionBegan { .. }
            | FaultEvent::PartitionHealed { .. }
            | FaultEvent::CrashFaultFired { .. }
            | FaultEvent::HeadFaultFired { .. }
            | FaultEvent::SwitchFailed { .. }
            | FaultEvent::SwitchRepaired { .. } => About::Site,
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            FaultEvent::PartitionBegan { fault }
            | FaultEvent::PartitionHealed { fault }
            | FaultEvent::CrashFaultFired { fault }
            | FaultEvent::HeadFaultFired { fault } => format!("\"fault\":{fault}"),
            FaultEvent::SwitchFailed { rack } | FaultEvent::SwitchRepaired { rack } => {
                format!("\"rack\":{rack}")
            }
        }
    }
}

impl From<FaultEvent> for Event {
    fn from(e: FaultEvent) -> Event {
        Event::Fault(e)
    }
}

/// Each fault's stream and, for faults whose heads are worked out when they fire,
/// the heads it touches now; each rack switch's stream.
pub(super) struct Faults {
    rng: Vec<Stream>,
    heads: Vec<Vec<u32>>,
    /// Room to draw racks for a RackFraction scope.
    racks: Vec<u32>,
    switch_rng: Vec<Stream>,
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

/// True for a fault that works out its heads each time it fires (room for every head
/// is kept).
fn draws_heads(f: &Fault) -> bool {
    matches!(
        fault_scope(f),
        Scope::Fraction(_) | Scope::Racks(_) | Scope::RackFraction(_)
    )
}

/// Rack switches that can fail: every rack's, or none without a failure rate.
fn switches(sc: &Scenario) -> usize {
    if sc.racks.switch_failures_per_year > 0.0 {
        sc.site.racks as usize
    } else {
        0
    }
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
            racks: Vec::with_capacity(sc.site.racks as usize),
            switch_rng: streams::unseeded(switches(sc)),
        }
    }

    /// Timers the faults can have pending at once: a partition's heal and its next
    /// occurrence for each fault, and a failure or a repair for each rack switch.
    pub(super) fn live_timers(sc: &Scenario) -> usize {
        2 * sc.faults.len() + switches(sc)
    }

    pub(super) fn bytes_for(sc: &Scenario) -> u64 {
        let heads = sc.site.heads as u64;
        let drawn = sc.faults.iter().filter(|f| draws_heads(f)).count() as u64;
        let faults = sc.faults.len() as u64;
        streams::bytes_for(faults + switches(sc) as u64)
            + faults * std::mem::size_of::<Vec<u32>>() as u64
            + drawn * heads * 4
            + sc.site.racks as u64 * 4
    }

    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        streams::reseed(&mut self.rng, Purpose::Fault, seed, rep);
        streams::reseed(&mut self.switch_rng, Purpose::RackSwitch, seed, rep);
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
        for (r, rng) in self.switch_rng.iter_mut().enumerate() {
            let d = exp_per_year(sc.racks.switch_failures_per_year, rng);
            sched.at(d, FaultEvent::SwitchFailed { rack: r as u32 }.into());
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
            FaultEvent::SwitchFailed { rack } => {
                let rng = &mut self.faults.switch_rng[rack as usize];
                let repair = self.sc.racks.switch_repair.sample(rng);
                for h in self.sc.site.rack_heads(rack) {
                    self.add_cause(h, sched);
                }
                sched.after(repair, FaultEvent::SwitchRepaired { rack }.into());
            }
            FaultEvent::SwitchRepaired { rack } => {
                for h in self.sc.site.rack_heads(rack) {
                    self.remove_cause(h);
                }
                let rng = &mut self.faults.switch_rng[rack as usize];
                let d = exp_per_year(self.sc.racks.switch_failures_per_year, rng);
                sched.after(d, FaultEvent::SwitchFailed { rack }.into());
            }
        }
    }

    /// Fault events are never cancelled: each one fires once per occurrence.
    pub(super) fn fault_event_is_live(&self, event: &FaultEvent) -> bool {
        match event {
            FaultEvent::PartitionBegan { .. }
            | FaultEvent::PartitionHealed { .. }
            | FaultEvent::CrashFaultFired { .. }
            | FaultEvent::HeadFaultFired { .. }
            | FaultEvent::SwitchFailed { .. }
            | FaultEvent::SwitchRepaired { .. } => true,
        }
    }

    fn scope_len(&self, fault: usize) -> usize {
        match fault_scope(&self.sc.faults[fault]) {
            Scope::All => self.sc.site.heads as usize,
            Scope::Heads(list) => list.len(),
            Scope::Fraction(_) | Scope::Racks(_) | Scope::RackFraction(_) => {
                self.faults.heads[fault].len()
            }
        }
    }

    fn scope_head(&self, fault: usize, i: usize) -> u32 {
        match fault_scope(&self.sc.faults[fault]) {
            Scope::All => i as u32,
            Scope::Heads(list) => list[i],
            Scope::Fraction(_) | Scope::Racks(_) | Scope::RackFraction(_) => {
                self.faults.heads[fault][i]
            }
        }
    }

    /// Works out the heads of a fault as it fires: a fresh draw of heads for a
    /// Fraction scope, the heads of the listed racks for a Racks scope, those of a
    /// fresh draw of racks for a RackFraction scope (draws by partial Fisher–Yates).
    fn draw_scope(&mut self, fault: usize) {
        let site = self.sc.site;
        let faults = &mut self.faults;
        match fault_scope(&self.sc.faults[fault]) {
            Scope::Fraction(f) => {
                let heads = &mut faults.heads[fault];
                draw(&mut faults.rng[fault], *f, site.heads, heads);
            }
            Scope::Racks(list) => {
                let heads = &mut faults.heads[fault];
                heads.clear();
                for &r in list {
                    heads.extend(site.rack_heads(r));
                }
            }
            Scope::RackFraction(f) => {
                draw(&mut faults.rng[fault], *f, site.racks, &mut faults.racks);
                let heads = &mut faults.heads[fault];
                heads.clear();
                for &r in &faults.racks {
                    heads.extend(site.rack_heads(r));
                }
            }
            Scope::All | Scope::Heads(_) => {}
        }
    }
}

/// Draws round(`fraction` · `n`) of the numbers 0..`n` into `out` (partial
/// Fisher–Yates), without allocating: `out` has room for `n`.
fn draw(rng: &mut Stream, fraction: f64, n: u32, out: &mut Vec<u32>) {
    let n = n as usize;
    let k = (libm::round(fraction * n as f64) as usize).min(n);
    out.clear();
    out.extend(0..n as u32);
    for i in 0..k {
        let j = i + rng.below((n - i) as u64) as usize;
        out.swap(i, j);
    }
    out.truncate(k);
}

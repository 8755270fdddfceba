//! Planned maintenance of heads, and the live migration that can drain them first.
//!
//! ```text
//! Idle ──due──► Waiting ──a turn free──► Draining ──drained──► Working ──ended──► Idle
//!        └──────(fewer than max_concurrent_heads in maintenance)──┘
//! ```
//! Each head's windows come as a Poisson process; a window due while the head is
//! already waiting or in maintenance is merged with that one. At most
//! `maintenance.max_concurrent_heads` heads are draining or worked on at once; later
//! ones wait in the order they fell due.
//!
//! Draining (`LiveMigrate` only): running VMs are copied, `migration.concurrency` at a
//! time site-wide, each to the idle, controllable head with the most free slots
//! (`Placement::roomiest`) that no restarting change reaches before the copy would
//! land. A copy takes `vm_memory_gib / bandwidth_gib_per_s`; the
//! VM then pauses for `migration.pause` on its new head, its only downtime. A
//! migration needs the brain in control of both heads: none starts while the brain
//! or the draining head is out of control, and one whose source or target lost
//! control at any moment of its copy fails and leaves the VM where it was, as does one
//! whose target's own maintenance started meanwhile. A head
//! stops draining once a VM finds no room, a migration fails or control is lost; when
//! its last copy ends its work starts, and the VMs still on it are rebooted.
//!
//! Working: `Reboot` (and what `LiveMigrate` left) kills the head's VMs; the brain is
//! told of them only when the work ends, and reboots them through the queue. `None`
//! stops them instead; they resume without a boot when the work ends. While a head is
//! worked on the brain starts no boot on it.
//!
//! Evacuating: a head whose hardware failure was announced (`head.predicted_fraction`)
//! is drained the same way, outside the maintenance turns and windows, from `Idle`
//! only (a head waiting, draining or worked on keeps its maintenance). Its drain ends as
//! a maintenance drain does, but no work follows: the head stays out of the migrations'
//! targets until its failure, which kills what is left on it and makes it `Idle` again.
//! A maintenance window due meanwhile finds the head busy and is merged, as above.
//! A head whose evacuation stopped (no room, a failed migration, a loss of control)
//! does not try again before its failure.
//! Its VMs' pauses are downtime caused by the hardware.
//!
//! Rollout drains (`drain: LiveMigrate` on a restarting rollout, see `changes.rs`): a
//! head the rollout reaches while `Idle` and controllable is drained the same way,
//! outside the maintenance turns; when its drain ends its supervisor restarts, which
//! kills what is left on it, and it is `Idle` again. While it drains it takes no
//! migrated VM (its restart would kill them); once restarted it is an ordinary target.
//! Its VMs' pauses count under the rollout restart's own cause, `CrashFault`. A
//! maintenance window due meanwhile finds the head busy and is merged, and a failure
//! warning starts no evacuation, as for a head in maintenance.
//!
//! Owns: each head's phase and stream (windows, durations and the pauses of the VMs
//! leaving it), the waiting heads, the migrations in flight and the slots they
//! reserve, and each head's count of control losses.

use super::hardware::Hardware;
use super::notes::Note;
use super::streams::{self, Purpose, exp_per_year};
use super::vm::VmState;
use super::{About, Event, World};
use crate::engine::{Scheduler, Stream};
use crate::metrics::OutageCause;
use crate::scenario::{Drain, RolloutDrain, Scenario};

named_enum! {
    /// The events of planned maintenance and live migration.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum MaintenanceEvent {
        /// A maintenance window of `head` fell due.
        MaintenanceDue { head: u32 },
        /// The work on `head` ended.
        MaintenanceEnded { head: u32 },
        /// The copy of `vm` (migration slot `slot`) ended.
        MigrationCopied { vm: u32, slot: u32 },
        /// The pause (generation `pause`) ending a migration of `vm` ended: it runs on its
        /// new head.
        MigrationResumed { vm: u32, pause: u32 },
    }
}

impl MaintenanceEvent {
    /// Whom the event is about: its head, or the VM a migration moves.
    pub fn about(&self) -> About {
        match *self {
            MaintenanceEvent::MaintenanceDue { head }
            | MaintenanceEvent::MaintenanceEnded { head } => About::Head(head),
            MaintenanceEvent::MigrationCopied { vm, .. } => About::MigrationCopy(vm),
            MaintenanceEvent::MigrationResumed { vm, .. } => About::MigrationPause(vm),
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            MaintenanceEvent::MaintenanceDue { head }
            | MaintenanceEvent::MaintenanceEnded { head } => format!("\"head\":{head}"),
            MaintenanceEvent::MigrationCopied { vm, slot } => {
                format!("\"vm\":{vm},\"slot\":{slot}")
            }
            MaintenanceEvent::MigrationResumed { vm, pause } => {
                format!("\"vm\":{vm},\"pause\":{pause}")
            }
        }
    }
}

impl From<MaintenanceEvent> for Event {
    fn from(e: MaintenanceEvent) -> Event {
        Event::Maintenance(e)
    }
}

/// Where a head is in its maintenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Phase {
    Idle,
    Waiting,
    Draining,
    Working,
    /// Drained (or being drained) ahead of an announced hardware failure.
    Evacuating,
    /// Being drained ahead of a rollout's supervisor restart.
    RolloutDrain,
}

/// One migration in flight: its VM, its heads, and their control-loss counts when it
/// started.
#[derive(Clone, Copy, Debug, Default)]
struct Flight {
    vm: u32,
    from: u32,
    to: u32,
    losses_from: u32,
    losses_to: u32,
    busy: bool,
}

/// Every head's maintenance state. Sized for no head when the model has no
/// maintenance, so that such a model carries none of it.
pub(super) struct Maintenance {
    pub(super) phase: Vec<Phase>,
    rng: Vec<Stream>,
    /// Heads waiting for a turn, in the order they fell due: a ring of `heads` places.
    waiting: Vec<u32>,
    wait_first: usize,
    wait_len: usize,
    /// Heads draining, in the order they started.
    draining: Vec<u32>,
    /// Draining heads that start no more migrations.
    stopped: Vec<bool>,
    /// Migrations in flight from each head, and slots reserved on each head.
    migrating: Vec<u32>,
    reserved: Vec<u32>,
    /// Times each head went out of control.
    losses: Vec<u32>,
    flights: Vec<Flight>,
    in_flight: u32,
    /// Heads draining or worked on.
    pub(super) active: u32,
}

impl Maintenance {
    /// Timers one head can have pending at once: a window due and the work's end.
    pub(super) const TIMERS_PER_HEAD: usize = 2;

    fn on(sc: &Scenario) -> bool {
        sc.maintenance.per_head_per_year > 0.0
    }

    /// Whether the state is sized at all: with maintenance windows, with announced
    /// failures to evacuate heads before, or with rollouts that drain heads.
    pub(super) fn sized(sc: &Scenario) -> bool {
        Self::on(sc) || Hardware::predicts(sc) || Self::rollout_drains(sc)
    }

    /// Whether a rollout drains heads before it restarts their supervisors.
    fn rollout_drains(sc: &Scenario) -> bool {
        sc.changes
            .iter()
            .any(|c| c.drain == RolloutDrain::LiveMigrate)
    }

    /// Heads the state is sized for: all of them, or none without maintenance.
    fn sized_heads(sc: &Scenario) -> usize {
        if Self::sized(sc) {
            sc.site.heads as usize
        } else {
            0
        }
    }

    /// Migration slots: the concurrency, or none without live migration.
    fn sized_flights(sc: &Scenario) -> usize {
        if (Self::on(sc) && sc.maintenance.drain == Drain::LiveMigrate)
            || Hardware::predicts(sc)
            || Self::rollout_drains(sc)
        {
            sc.maintenance.migration_concurrency as usize
        } else {
            0
        }
    }

    /// Timers pending at once besides the per-head ones: a copy per migration slot and
    /// a pause per VM at most.
    pub(super) fn live_timers(sc: &Scenario) -> usize {
        let flights = Self::sized_flights(sc);
        if flights == 0 {
            0
        } else {
            flights + sc.site.vms() as usize
        }
    }

    /// Timers one event can schedule: the next window, a copy per migration slot, one
    /// pause, and the work's end of every head that may begin its work at once (or,
    /// with rollout drains, the supervisor restart of every head that may end its
    /// drain at once: any of them).
    pub(super) fn max_pushes(sc: &Scenario) -> usize {
        let heads = if Self::rollout_drains(sc) {
            sc.site.heads
        } else {
            sc.maintenance.max_concurrent_heads.min(sc.site.heads)
        } as usize;
        Self::sized_flights(sc) + heads + 2
    }

    pub(super) fn new(sc: &Scenario) -> Maintenance {
        let n = Self::sized_heads(sc);
        Maintenance {
            phase: vec![Phase::Idle; n],
            rng: streams::unseeded(n),
            waiting: vec![0; n],
            wait_first: 0,
            wait_len: 0,
            draining: Vec::with_capacity(n),
            stopped: vec![false; n],
            migrating: vec![0; n],
            reserved: vec![0; n],
            losses: vec![0; n],
            flights: vec![Flight::default(); Self::sized_flights(sc)],
            in_flight: 0,
            active: 0,
        }
    }

    pub(super) fn bytes_for(sc: &Scenario) -> u64 {
        let n = Self::sized_heads(sc) as u64;
        // Phase and stop flag, the ring, the draining list and three counts a head.
        n * (2 + 4 * 5)
            + streams::bytes_for(n)
            + Self::sized_flights(sc) as u64 * std::mem::size_of::<Flight>() as u64
    }

    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        self.phase.fill(Phase::Idle);
        streams::reseed(&mut self.rng, Purpose::Maintenance, seed, rep);
        self.wait_first = 0;
        self.wait_len = 0;
        self.draining.clear();
        self.stopped.fill(false);
        self.migrating.fill(0);
        self.reserved.fill(0);
        self.losses.fill(0);
        self.flights.fill(Flight::default());
        self.in_flight = 0;
        self.active = 0;
    }

    pub(super) fn schedule_first(&mut self, sc: &Scenario, h: u32, sched: &mut Scheduler<Event>) {
        if Self::on(sc) {
            let d = exp_per_year(sc.maintenance.per_head_per_year, &mut self.rng[h as usize]);
            sched.at(d, MaintenanceEvent::MaintenanceDue { head: h }.into());
        }
    }

    /// Head `h` went out of control: a migration to or from it in flight now fails.
    #[inline]
    pub(super) fn lost_control(&mut self, h: u32) {
        if let Some(l) = self.losses.get_mut(h as usize) {
            *l = l.wrapping_add(1);
        }
    }

    /// True while head `h` is worked on: its dead VMs wait for the work to end before
    /// the brain hears of them, and no boot starts on it.
    #[inline]
    pub(super) fn holds(&self, h: u32) -> bool {
        self.phase.get(h as usize) == Some(&Phase::Working)
    }

    /// Whether `vm` is being copied.
    fn in_flight(&self, vm: u32) -> bool {
        self.flights.iter().any(|f| f.busy && f.vm == vm)
    }

    /// Migrations in flight (for the invariants).
    pub(super) fn migrations_in_flight(&self) -> u32 {
        self.in_flight
    }
}

impl World {
    pub(super) fn handle_maintenance(
        &mut self,
        event: MaintenanceEvent,
        sched: &mut Scheduler<Event>,
    ) {
        match event {
            MaintenanceEvent::MaintenanceDue { head: h } => {
                let m = &mut self.maint;
                let d = exp_per_year(
                    self.sc.maintenance.per_head_per_year,
                    &mut m.rng[h as usize],
                );
                sched.after(d, MaintenanceEvent::MaintenanceDue { head: h }.into());
                if m.phase[h as usize] != Phase::Idle {
                    return;
                }
                if m.active < self.sc.maintenance.max_concurrent_heads {
                    self.start_maintenance(h, sched);
                } else {
                    m.phase[h as usize] = Phase::Waiting;
                    let at = (m.wait_first + m.wait_len) % m.waiting.len();
                    m.waiting[at] = h;
                    m.wait_len += 1;
                }
            }
            MaintenanceEvent::MaintenanceEnded { head: h } => self.end_maintenance(h, sched),
            MaintenanceEvent::MigrationCopied { vm, slot } => {
                self.migration_copied(vm, slot as usize, sched);
            }
            MaintenanceEvent::MigrationResumed { vm, .. } => {
                let now = sched.now();
                let v = &mut self.vms.vm[vm as usize];
                v.state = VmState::Running;
                let cause = v.cause;
                let h = self.placement.head_of(vm);
                self.rec.pause_ended(now, vm);
                self.rec.vm_up(now, vm, h, cause);
            }
        }
    }

    pub(super) fn maintenance_event_is_live(&self, event: &MaintenanceEvent) -> bool {
        match *event {
            MaintenanceEvent::MaintenanceDue { .. } => true,
            MaintenanceEvent::MaintenanceEnded { head } => self.maint.holds(head),
            MaintenanceEvent::MigrationCopied { vm, slot } => {
                let f = &self.maint.flights[slot as usize];
                f.busy && f.vm == vm
            }
            MaintenanceEvent::MigrationResumed { vm, pause } => {
                let v = &self.vms.vm[vm as usize];
                v.state == VmState::Paused && v.boot == pause
            }
        }
    }

    fn start_maintenance(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        self.maint.active += 1;
        if self.sc.maintenance.drain == Drain::LiveMigrate {
            self.maint.phase[h as usize] = Phase::Draining;
            self.maint.stopped[h as usize] = false;
            self.maint.draining.push(h);
            self.pump_migrations(sched);
        } else {
            self.begin_work(h, sched);
        }
    }

    /// Head `h`'s hardware failure was announced: its running VMs are migrated away
    /// while it lasts, if it is in no maintenance.
    pub(super) fn evacuate(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        if self.maint.phase.get(h as usize) != Some(&Phase::Idle) {
            return;
        }
        self.maint.phase[h as usize] = Phase::Evacuating;
        self.maint.stopped[h as usize] = false;
        self.maint.draining.push(h);
        self.pump_migrations(sched);
    }

    /// A rollout reached head `h` and will restart its supervisor: if the head is idle
    /// and controllable its running VMs are migrated away first and `true` is
    /// returned (the restart follows the drain, in `pump_migrations`); otherwise
    /// `false`, and the caller restarts it at once.
    pub(super) fn rollout_drain(&mut self, h: u32, sched: &mut Scheduler<Event>) -> bool {
        if self.maint.phase.get(h as usize) != Some(&Phase::Idle) || !self.controllable(h) {
            return false;
        }
        self.maint.phase[h as usize] = Phase::RolloutDrain;
        self.maint.stopped[h as usize] = false;
        self.maint.draining.push(h);
        self.pump_migrations(sched);
        true
    }

    /// Head `h`'s hardware failed: an evacuation of it starts no more migrations, and
    /// ends once none of its copies is in flight (each of them fails).
    pub(super) fn evacuation_over(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        if self.maint.phase.get(h as usize) != Some(&Phase::Evacuating) {
            return;
        }
        self.maint.stopped[h as usize] = true;
        if !self.maint.draining.contains(&h) {
            self.maint.phase[h as usize] = Phase::Idle;
        }
        self.pump_migrations(sched);
    }

    /// The head is drained as far as it will be: its VMs die (or stop, with `None`)
    /// and the work begins.
    fn begin_work(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        self.maint.phase[h as usize] = Phase::Working;
        self.kill_all_vms(h, OutageCause::Maintenance, now);
        let d = self
            .sc
            .maintenance
            .duration
            .sample(&mut self.maint.rng[h as usize]);
        sched.after(d, MaintenanceEvent::MaintenanceEnded { head: h }.into());
    }

    fn end_maintenance(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        self.maint.phase[h as usize] = Phase::Idle;
        self.maint.active -= 1;
        if self.sc.maintenance.drain == Drain::None && self.hw.heads[h as usize].up {
            // The VMs the work stopped resume where they were; those that died of
            // something else meanwhile are rebooted as usual, and so are all of them
            // when the head's hardware failed during the work.
            let mut resumed = false;
            for i in 0..self.placement.count(h) as usize {
                let vm = self.placement.vms_on(h)[i];
                let v = &mut self.vms.vm[vm as usize];
                if v.state == VmState::Dead && v.cause == OutageCause::Maintenance {
                    v.state = VmState::Running;
                    let head = &mut self.vms.heads[h as usize];
                    head.dead_unreported -= 1;
                    head.killable += 1;
                    self.rec.vm_up(now, vm, h, OutageCause::Maintenance);
                    resumed = true;
                }
            }
            if resumed {
                self.rec.sample_now(now);
            }
        }
        if self.controllable(h) && self.vms.heads[h as usize].dead_unreported > 0 {
            self.report_dead(h);
        }
        while self.maint.wait_len > 0
            && self.maint.active < self.sc.maintenance.max_concurrent_heads
        {
            let m = &mut self.maint;
            let next = m.waiting[m.wait_first];
            m.wait_first = (m.wait_first + 1) % m.waiting.len();
            m.wait_len -= 1;
            self.start_maintenance(next, sched);
        }
    }

    /// Starts migrations while slots are free, from the draining heads in the order
    /// they started; a head that can start none stops draining, and one that has
    /// stopped with no copy left in flight begins its work.
    fn pump_migrations(&mut self, sched: &mut Scheduler<Event>) {
        let concurrency = self.sc.maintenance.migration_concurrency;
        let copy = self.sc.maintenance.migration_copy_us;
        for i in 0..self.maint.draining.len() {
            let d = self.maint.draining[i];
            while !self.maint.stopped[d as usize] && self.maint.in_flight < concurrency {
                if !self.brain.up || !self.controllable(d) {
                    self.maint.stopped[d as usize] = true;
                    break;
                }
                let Some(vm) = self.migration_candidate(d) else {
                    self.maint.stopped[d as usize] = true;
                    break;
                };
                // A head a change restarts before the copy lands would turn the VM
                // away: over "0s" every head restarts at the same instant, and the
                // drain must change nothing.
                let lands = sched.now().saturating_add(copy);
                let target = {
                    let (w, m) = (&*self, &self.maint);
                    w.placement.roomiest(
                        |h| {
                            m.phase[h as usize] == Phase::Idle
                                && w.controllable(h)
                                && !w.changes.restarts_by(&w.sc, h, lands)
                        },
                        |h| m.reserved[h as usize],
                    )
                };
                let Some(to) = target else {
                    self.maint.stopped[d as usize] = true;
                    break;
                };
                let m = &mut self.maint;
                let slot = m
                    .flights
                    .iter()
                    .position(|f| !f.busy)
                    .expect("a free migration slot under the concurrency");
                m.flights[slot] = Flight {
                    vm,
                    from: d,
                    to,
                    losses_from: m.losses[d as usize],
                    losses_to: m.losses[to as usize],
                    busy: true,
                };
                m.in_flight += 1;
                m.migrating[d as usize] += 1;
                m.reserved[to as usize] += 1;
                let slot = slot as u32;
                sched.after(copy, MaintenanceEvent::MigrationCopied { vm, slot }.into());
                self.note(Note::MigrationStarted { vm, from: d, to });
            }
        }
        // Heads done draining begin their work, in the order they started.
        let mut i = 0;
        while i < self.maint.draining.len() {
            let d = self.maint.draining[i];
            if self.maint.stopped[d as usize] && self.maint.migrating[d as usize] == 0 {
                self.maint.draining.remove(i);
                match self.maint.phase[d as usize] {
                    Phase::Evacuating => {
                        if !self.hw.heads[d as usize].up {
                            self.maint.phase[d as usize] = Phase::Idle;
                        }
                    }
                    Phase::RolloutDrain => {
                        self.maint.phase[d as usize] = Phase::Idle;
                        self.rollout_restart(d, sched);
                    }
                    _ => self.begin_work(d, sched),
                }
            } else {
                i += 1;
            }
        }
    }

    /// A running VM of `h` not being copied yet, in slot order.
    fn migration_candidate(&self, h: u32) -> Option<u32> {
        self.placement.vms_on(h).iter().copied().find(|&vm| {
            self.vms.vm[vm as usize].state == VmState::Running && !self.maint.in_flight(vm)
        })
    }

    fn migration_copied(&mut self, vm: u32, slot: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let m = &mut self.maint;
        let f = m.flights[slot];
        m.flights[slot].busy = false;
        m.in_flight -= 1;
        m.migrating[f.from as usize] -= 1;
        m.reserved[f.to as usize] -= 1;
        let in_control = self.brain.up
            && self.controllable(f.from)
            && self.controllable(f.to)
            && self.maint.losses[f.from as usize] == f.losses_from
            && self.maint.losses[f.to as usize] == f.losses_to;
        let running = self.vms.vm[vm as usize].state == VmState::Running;
        // A target whose maintenance started during the copy is no place to go: it is
        // being drained or worked on itself. One still waiting its turn will do.
        let target_idle = matches!(
            self.maint.phase[f.to as usize],
            Phase::Idle | Phase::Waiting
        );
        if in_control && running && target_idle && self.placement.head_of(vm) == f.from {
            self.placement.move_vm(vm, f.to);
            self.vms.heads[f.from as usize].killable -= 1;
            self.vms.heads[f.to as usize].killable += 1;
            let cause = match self.maint.phase[f.from as usize] {
                Phase::Evacuating => OutageCause::Hardware,
                Phase::RolloutDrain => OutageCause::CrashFault,
                _ => OutageCause::Maintenance,
            };
            let pause = self
                .sc
                .maintenance
                .migration_pause
                .sample(&mut self.maint.rng[f.from as usize]);
            self.note(Note::MigrationPaused {
                vm,
                from: f.from,
                to: f.to,
            });
            self.rec.migrated(now, pause > 0);
            if pause > 0 {
                let v = &mut self.vms.vm[vm as usize];
                v.state = VmState::Paused;
                v.cause = cause;
                v.boot = v.boot.wrapping_add(1);
                let generation = v.boot;
                self.rec.vm_down_unsampled(now, vm);
                self.rec.sample_now(now);
                sched.after(
                    pause,
                    MaintenanceEvent::MigrationResumed {
                        vm,
                        pause: generation,
                    }
                    .into(),
                );
            }
        } else {
            // The VM stays where it was and the head drains no further: the rest of
            // its VMs are rebooted with it.
            self.note(Note::MigrationFailed {
                vm,
                from: f.from,
                to: f.to,
            });
            self.maint.stopped[f.from as usize] = true;
        }
        self.pump_migrations(sched);
    }
}

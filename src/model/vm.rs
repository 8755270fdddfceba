//! VMs: their lifecycle, their deaths with a supervisor or a head, their reporting to
//! the brain once their head is controllable again, and the end of their boots.
//!
//! ```text
//! Running ──kill──► Dead ──reported──► Queued ──dispatch──► Booting ──booted──► Running
//!                    ▲                   │ head unreachable    │ killed
//!                    └───────────────────┴─────────────────────┘
//! ```
//! Owns: every VM's state, each head's counts of unreported dead VMs, of boots in
//! flight and of VMs a crash can kill, and the boot-duration streams.
//!
//! A crash costs what it can kill, not the head's whole VM list: a head with no running
//! or booting VM is skipped at once, and the walk over its VMs stops at the last one
//! that can die. Reporting stops likewise at the last unreported dead VM. Both walks
//! keep slot order, so VMs die and are queued in the same order as a full walk.

use super::notes::Note;
use super::placement::Placement;
use super::streams::{Purpose, Streams};
use super::{About, Event, World};
use crate::engine::{Micros, Scheduler};
use crate::metrics::OutageCause;

named_enum! {
    /// The events of VMs.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum VmEvent {
        /// Boot number `boot` of a VM completed.
        VmBooted { vm: u32, boot: u32 },
    }
}

impl VmEvent {
    /// Whom the event is about: its VM.
    pub fn about(&self) -> About {
        match *self {
            VmEvent::VmBooted { vm, .. } => About::Vm(vm),
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            VmEvent::VmBooted { vm, boot } => format!("\"vm\":{vm},\"boot\":{boot}"),
        }
    }
}

impl From<VmEvent> for Event {
    fn from(e: VmEvent) -> Event {
        Event::Vm(e)
    }
}

/// A VM's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum VmState {
    Running,
    /// Down and not (or no longer) in the brain's queue.
    Dead,
    Queued,
    Booting,
    /// Live-migrated and paused on its new head until the migration's pause ends.
    Paused,
}

/// One VM. When a down VM's outage started is kept by the recorder
/// ([`crate::metrics::Recorder::down_since_us`]), which needs it to measure the outage
/// and keeps the VM's last recovery in the same word: a VM here takes 8 bytes, and a
/// pass over a million of them reads half the cache lines it would with the time in it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Vm {
    pub(super) state: VmState,
    /// What started the outage the VM is in (meaningless while it runs).
    pub(super) cause: OutageCause,
    /// Boot generation: a boot's completion is stale once this has moved on.
    pub(super) boot: u32,
}

// A per-VM table: growing a VM grows every site's memory by a million times as much.
const _: () = assert!(std::mem::size_of::<Vm>() == 8);

impl Vm {
    const NEW: Vm = Vm {
        state: VmState::Running,
        cause: OutageCause::Bug,
        boot: 0,
    };
}

/// What a head knows of its VMs' outages.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct HeadVms {
    /// Dead VMs the brain has not been told about.
    pub(super) dead_unreported: u32,
    /// Boots in flight on the head.
    pub(super) booting: u32,
    /// VMs a crash of the head can kill: running, booting or paused.
    pub(super) killable: u32,
}

/// Every VM, the per-head counts, and the boot streams.
pub(super) struct Vms {
    pub(super) vm: Vec<Vm>,
    pub(super) heads: Vec<HeadVms>,
    /// Boot durations, one stream per head.
    pub(super) boot_rng: Streams,
    /// True once a replication may have changed a VM: until then every VM is still
    /// as built, and a reset need not rewrite 16 bytes per VM.
    used: bool,
}

impl Vms {
    pub(super) fn new(heads: u32, vms: u32) -> Vms {
        Vms {
            vm: vec![Vm::NEW; vms as usize],
            heads: vec![HeadVms::default(); heads as usize],
            boot_rng: Streams::new(Purpose::Boot, heads as usize),
            used: false,
        }
    }

    pub(super) fn bytes_for(heads: u64, vms: u64) -> u64 {
        vms * std::mem::size_of::<Vm>() as u64
            + heads * std::mem::size_of::<HeadVms>() as u64
            + Streams::bytes_for(heads)
    }

    /// Every VM running again, each head with the VMs `placement` gives it.
    pub(super) fn reset(&mut self, seed: u64, rep: u64, placement: &Placement) {
        if std::mem::replace(&mut self.used, true) {
            self.vm.fill(Vm::NEW);
        }
        for (h, head) in self.heads.iter_mut().enumerate() {
            *head = HeadVms {
                killable: placement.count(h as u32),
                ..HeadVms::default()
            };
        }
        self.boot_rng.reset(seed, rep);
    }
}

impl World {
    pub(super) fn handle_vm(&mut self, event: VmEvent, sched: &mut Scheduler<Event>) {
        match event {
            VmEvent::VmBooted { vm, .. } => {
                let now = sched.now();
                let h = self.placement.head_of(vm);
                let v = &mut self.vms.vm[vm as usize];
                assert_eq!(v.state, VmState::Booting, "VM {vm} booted without booting");
                v.state = VmState::Running;
                let cause = v.cause;
                self.boot_ended(h);
                self.rec.vm_reboots += 1;
                self.rec.vm_up(now, vm, h, cause);
                self.brain.queue.unpark_one(h);
            }
        }
    }

    pub(super) fn vm_event_is_live(&self, event: &VmEvent) -> bool {
        match *event {
            VmEvent::VmBooted { vm, boot } => {
                let v = &self.vms.vm[vm as usize];
                v.state == VmState::Booting && v.boot == boot
            }
        }
    }

    /// One boot on head `h` ended (completed or killed): a slot is free again.
    #[inline]
    fn boot_ended(&mut self, h: u32) {
        let b = &mut self.brain;
        b.in_flight = b
            .in_flight
            .checked_sub(1)
            .expect("boots in flight below zero");
        let head = &mut self.vms.heads[h as usize];
        head.booting = head
            .booting
            .checked_sub(1)
            .unwrap_or_else(|| panic!("head {h}: boots below zero"));
    }

    /// The brain learns of the head's dead VMs and queues them.
    pub(super) fn report_dead(&mut self, h: u32) {
        if self.report_dead_block(h) {
            return;
        }
        let plans = self.brain.queue.plans_boots();
        let unreported = self.vms.heads[h as usize].dead_unreported;
        // When every VM of the head is dead (a whole head crashed, the usual case), no
        // state needs reading to know it: each VM is only written, which does not wait
        // for its cache line as a read does. The checker recounts the dead VMs.
        let all_dead = unreported == self.placement.count(h);
        let mut reported = 0u32;
        for i in 0..self.placement.count(h) {
            if reported == unreported {
                // The rest of the head's VMs are running, queued or booting.
                break;
            }
            let vm = self.placement.vm_at(h, i);
            let v = &mut self.vms.vm[vm as usize];
            debug_assert!(!all_dead || v.state == VmState::Dead);
            if all_dead || v.state == VmState::Dead {
                v.state = VmState::Queued;
                reported += 1;
                self.note(Note::VmQueued { vm, head: h });
                // Shortest-first needs the boot's length now; other policies draw it
                // when the boot starts.
                let planned = if plans {
                    self.sc
                        .brain
                        .boot_time
                        .sample(&mut self.vms.boot_rng[h as usize])
                } else {
                    0
                };
                self.brain.queue.push(vm, h, planned);
            }
        }
        let head = &mut self.vms.heads[h as usize];
        assert_eq!(
            reported, head.dead_unreported,
            "head {h}: reported a different number of dead VMs than counted"
        );
        head.dead_unreported = 0;
    }

    /// Reports every VM of head `h` at once when they are all dead, the head still
    /// holds its initial block of consecutive VMs, the policy draws no boot when a VM
    /// is queued, and no trace is being noted: the same states and queue as
    /// [`World::report_dead`]'s walk. Returns false, having done nothing, otherwise.
    fn report_dead_block(&mut self, h: u32) -> bool {
        let Some(block) = self.placement.packed_range(h) else {
            return false;
        };
        let n = block.len() as u32;
        let head = &mut self.vms.heads[h as usize];
        if self.notes.on || self.brain.queue.plans_boots() || head.dead_unreported != n {
            return false;
        }
        head.dead_unreported = 0;
        for v in &mut self.vms.vm[block.start as usize..block.end as usize] {
            assert_eq!(v.state, VmState::Dead, "a dead VM was not dead");
            v.state = VmState::Queued;
        }
        self.brain.queue.push_run(block, h);
        true
    }

    /// Kills one VM (a no-op for a VM that is already down and not booting). Returns
    /// true when a running VM went down: the recorder's series is then due a sample,
    /// which the caller takes once for the whole batch.
    #[inline]
    fn kill_vm(&mut self, vm: u32, h: u32, cause: OutageCause, now: Micros) -> bool {
        let v = &mut self.vms.vm[vm as usize];
        match v.state {
            VmState::Running => {
                v.state = VmState::Dead;
                v.cause = cause;
                let head = &mut self.vms.heads[h as usize];
                head.dead_unreported += 1;
                head.killable -= 1;
                self.rec.vm_down_unsampled(now, vm);
                self.note(Note::VmDied { vm, head: h, cause });
                true
            }
            VmState::Booting => {
                // The boot dies with the process; the outage, already running since the
                // VM first died, goes on.
                v.state = VmState::Dead;
                v.boot = v.boot.wrapping_add(1);
                self.boot_ended(h);
                let head = &mut self.vms.heads[h as usize];
                head.dead_unreported += 1;
                head.killable -= 1;
                self.brain.queue.unpark_one(h);
                self.note(Note::BootKilled { vm, head: h });
                false
            }
            VmState::Paused => {
                // The pause dies with the head; the outage it began goes on.
                self.rec.pause_ended(now, vm);
                let v = &mut self.vms.vm[vm as usize];
                v.state = VmState::Dead;
                v.boot = v.boot.wrapping_add(1);
                let head = &mut self.vms.heads[h as usize];
                head.dead_unreported += 1;
                head.killable -= 1;
                false
            }
            VmState::Dead | VmState::Queued => false,
        }
    }

    /// Kills every VM on head `h` at once when they are all running, the head still
    /// holds its initial block of consecutive VMs, and no trace is being noted: the
    /// same states, counts and recording as [`World::kill_vm`] on each in slot order,
    /// without its per-VM checks. Returns false, having done nothing, otherwise.
    fn kill_running_block(&mut self, h: u32, cause: OutageCause, now: Micros) -> bool {
        let head = self.vms.heads[h as usize];
        let Some(block) = self.placement.packed_range(h) else {
            return false;
        };
        // Nothing has moved, so no VM of the head is paused: every one it can kill is
        // running or booting, and with no boot all are running.
        if self.notes.on || head.booting != 0 || head.killable != block.len() as u32 {
            return false;
        }
        if block.is_empty() {
            return true;
        }
        for v in &mut self.vms.vm[block.start as usize..block.end as usize] {
            assert_eq!(v.state, VmState::Running, "a running VM was not running");
            v.state = VmState::Dead;
            v.cause = cause;
        }
        let n = block.len() as u32;
        let head = &mut self.vms.heads[h as usize];
        head.dead_unreported += n;
        head.killable = 0;
        self.rec.vms_down_unsampled(now, block.start, n);
        self.rec.sample_now(now);
        true
    }

    /// Kills every VM on head `h`, walking its VMs in slot order only as far as the
    /// last one that can die. The incident series is sampled once for the head, after
    /// its VMs are down: nothing reads it in between (a killed boot frees a slot and
    /// unparks a VM, neither of which records), so the series is the same as with a
    /// sample per VM.
    pub(super) fn kill_all_vms(&mut self, h: u32, cause: OutageCause, now: Micros) {
        if self.kill_running_block(h, cause, now) {
            return;
        }
        let mut went_down = false;
        for i in 0..self.placement.count(h) {
            if self.vms.heads[h as usize].killable == 0 {
                // Nothing left to kill: the rest are dead or queued.
                break;
            }
            let vm = self.placement.vm_at(h, i);
            debug_assert_eq!(self.placement.head_of(vm), h);
            went_down |= self.kill_vm(vm, h, cause, now);
        }
        if went_down {
            self.rec.sample_now(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Platform, RunOptions};

    /// 20 heads × 5 VMs whose supervisors all crash at 1 s and again at 40 s, while
    /// some VMs boot, some wait and some run again; three FIFO boot slots.
    const TWICE: &str = r#"(
        name: "twice",
        horizon: "2h",
        site: (heads: 20, vms_per_head: 5),
        design: (coupling: Coupled, transport: Tcp),
        supervisor: (restart: Uniform(min: "5s", max: "15s")),
        brain: (reboot_concurrency: 3, boot_time: LogNormal(mean: "20s", sigma: 0.5)),
        faults: [
            SupervisorCrash(at: "1s", scope: All),
            SupervisorCrash(at: "40s", scope: All),
        ],
    )"#;

    #[test]
    fn heads_killed_and_reported_as_blocks_match_the_walk_over_their_vms() {
        // The first crash kills and reports every head as a block; the second finds
        // heads with VMs booting, queued or dead, which the walk handles. Noting a
        // trace turns the blocks off: the metrics, the worst incident, its series and
        // the outage log are the same either way.
        let sc = crate::scenario::load_str("twice.ron", TWICE, &[])
            .unwrap()
            .scenario;
        let options = RunOptions {
            check_invariants: true,
            outage_log_capacity: 1_000,
        };
        let mut blocks = Platform::new(&sc, options);
        let mut walked = Platform::new(&sc, options);
        let notes = walked.record_notes();
        let a = blocks.run(7, 0).unwrap();
        let b = walked.run(7, 0).unwrap();
        drop(notes);
        assert_eq!(a, b);
        let (ra, rb) = (blocks.recorder(), walked.recorder());
        assert_eq!(ra.worst_incident(), rb.worst_incident());
        assert_eq!(ra.worst_series(), rb.worst_series());
        assert_eq!(ra.outage_log(), rb.outage_log());
        assert!(ra.outage_log().len() > 100, "both crashes took VMs down");
    }
}

//! The BigV platform as pure state machines: no I/O, no clock, no environment.
//!
//! The flow of a failure, as the model follows it:
//!
//! ```text
//! network fault ──► link drops (reset) ──► reconnect with backoff ──► link up
//!                       │  bug: crash on every reset with p, and with p_long
//!                       ▼  once the link has been down longer than a threshold
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
//! Cancelled timers are never searched for: every timer event carries the generation
//! of what it belongs to (a link outage, a supervisor life, a boot) and is stale when
//! that generation has moved on.

mod invariants;
mod placement;
pub mod reboot_queue;

use crate::engine::{self, Dist, EngineError, Limits, Micros, Process, Scheduler, Stream};
use crate::metrics::{Metric, OutageCause, Recorder, RunMetrics};
use crate::scenario::{Coupling, Fault, Scenario, Scope, Transport};
use placement::Placement;
use reboot_queue::RebootQueue;

/// Every event the platform model handles. Facts are named in the past tense.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// A fault's partition started (scheduled or random).
    PartitionBegan {
        fault: u32,
    },
    PartitionHealed {
        fault: u32,
    },
    /// A routine reset of one link started.
    FlapBegan {
        head: u32,
    },
    FlapHealed {
        head: u32,
    },
    /// A reconnect attempt of reconnect sequence `connect` is due.
    ReconnectAttempted {
        head: u32,
        connect: u32,
    },
    /// The link may have been down for longer than the long-reset threshold.
    LongOutageReached {
        head: u32,
    },
    /// A background supervisor crash (unrelated to resets).
    SupervisorCrashed {
        head: u32,
    },
    /// The supervisor of life `life` finished restarting.
    SupervisorRestarted {
        head: u32,
        life: u32,
    },
    /// A scheduled fault crashed the supervisors in its scope.
    CrashFaultFired {
        fault: u32,
    },
    /// Head hardware failed (random, generation `life`).
    HeadFailed {
        head: u32,
        life: u32,
    },
    HeadRepaired {
        head: u32,
        life: u32,
    },
    /// A scheduled fault failed the heads in its scope.
    HeadFaultFired {
        fault: u32,
    },
    /// The brain started failing over (`random`: from the failover rate).
    BrainFailed {
        random: bool,
    },
    BrainRecovered {
        life: u32,
    },
    BrokerFailed,
    BrokerRepaired,
    /// Boot number `boot` of a VM completed.
    VmBooted {
        vm: u32,
        boot: u32,
    },
}

impl Event {
    /// The event's name, as in traces.
    pub fn name(&self) -> &'static str {
        match self {
            Event::PartitionBegan { .. } => "PartitionBegan",
            Event::PartitionHealed { .. } => "PartitionHealed",
            Event::FlapBegan { .. } => "FlapBegan",
            Event::FlapHealed { .. } => "FlapHealed",
            Event::ReconnectAttempted { .. } => "ReconnectAttempted",
            Event::LongOutageReached { .. } => "LongOutageReached",
            Event::SupervisorCrashed { .. } => "SupervisorCrashed",
            Event::SupervisorRestarted { .. } => "SupervisorRestarted",
            Event::CrashFaultFired { .. } => "CrashFaultFired",
            Event::HeadFailed { .. } => "HeadFailed",
            Event::HeadRepaired { .. } => "HeadRepaired",
            Event::HeadFaultFired { .. } => "HeadFaultFired",
            Event::BrainFailed { .. } => "BrainFailed",
            Event::BrainRecovered { .. } => "BrainRecovered",
            Event::BrokerFailed => "BrokerFailed",
            Event::BrokerRepaired => "BrokerRepaired",
            Event::VmBooted { .. } => "VmBooted",
        }
    }

    /// The event's fields as `"key":value` JSON members (no braces).
    pub fn json_fields(&self) -> String {
        match *self {
            Event::PartitionBegan { fault }
            | Event::PartitionHealed { fault }
            | Event::CrashFaultFired { fault }
            | Event::HeadFaultFired { fault } => format!("\"fault\":{fault}"),
            Event::FlapBegan { head }
            | Event::FlapHealed { head }
            | Event::LongOutageReached { head }
            | Event::SupervisorCrashed { head } => format!("\"head\":{head}"),
            Event::ReconnectAttempted { head, connect } => {
                format!("\"head\":{head},\"connect\":{connect}")
            }
            Event::SupervisorRestarted { head, life }
            | Event::HeadFailed { head, life }
            | Event::HeadRepaired { head, life } => format!("\"head\":{head},\"life\":{life}"),
            Event::BrainFailed { random } => format!("\"random\":{random}"),
            Event::BrainRecovered { life } => format!("\"life\":{life}"),
            Event::BrokerFailed | Event::BrokerRepaired => String::new(),
            Event::VmBooted { vm, boot } => format!("\"vm\":{vm},\"boot\":{boot}"),
        }
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum SupState {
    Running,
    Restarting,
    /// The head's hardware is down.
    Off,
}

#[derive(Clone, Copy, Debug)]
struct Vm {
    state: VmState,
    cause: OutageCause,
    /// Boot generation: a boot's completion is stale once this has moved on.
    boot: u32,
    down_since_us: Micros,
}

#[derive(Clone, Copy, Debug)]
struct Head {
    hw_up: bool,
    sup: SupState,
    link_up: bool,
    long_check_pending: bool,
    /// Active reasons the link cannot connect (partitions, flap, brain, broker, hardware).
    causes: u32,
    /// Link outage generation.
    outage: u32,
    /// Reconnect sequence generation: a new sequence starts when the link drops and
    /// when a repaired head's supervisor starts connecting afresh.
    connect: u32,
    long_checked: u32,
    sup_life: u32,
    hw_life: u32,
    link_down_since_us: Micros,
    backoff_us: Micros,
    dead_unreported: u32,
    booting: u32,
}

impl Head {
    const NEW: Head = Head {
        hw_up: true,
        sup: SupState::Running,
        link_up: true,
        long_check_pending: false,
        causes: 0,
        outage: 0,
        connect: 0,
        long_checked: 0,
        sup_life: 0,
        hw_life: 0,
        link_down_since_us: 0,
        backoff_us: 0,
        dead_unreported: 0,
        booting: 0,
    };

    #[inline]
    fn controllable(&self) -> bool {
        self.hw_up && self.sup == SupState::Running && self.link_up
    }
}

/// What a random stream is for: one stream per (purpose, entity) in each replication.
///
/// The numbers are part of every stream's key, so they never change: a renumbering
/// would change every result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    Flap = 1,
    Reconnect = 2,
    Bug = 3,
    Restart = 4,
    BackgroundCrash = 5,
    Hardware = 6,
    Boot = 7,
    Fault = 8,
    Brain = 9,
    Broker = 10,
    Queue = 11,
}

impl Purpose {
    /// The stream of this purpose for `entity` (a head, a fault, or 0 for the site).
    #[inline]
    pub fn stream(self, seed: u64, rep: u64, entity: u64) -> Stream {
        Stream::new(seed, rep, self as u64, entity)
    }
}

/// Per-head random streams, one array per purpose.
struct HeadStreams {
    flap: Vec<Stream>,
    reconnect: Vec<Stream>,
    bug: Vec<Stream>,
    restart: Vec<Stream>,
    background: Vec<Stream>,
    hardware: Vec<Stream>,
    boot: Vec<Stream>,
}

/// The state of one site during a replication.
pub struct World {
    sc: Scenario,
    placement: Placement,
    vms: Vec<Vm>,
    heads: Vec<Head>,
    rng: HeadStreams,
    fault_rng: Vec<Stream>,
    /// The heads each Fraction-scoped fault currently touches.
    fault_heads: Vec<Vec<u32>>,
    brain_rng: Stream,
    broker_rng: Stream,
    queue_rng: Stream,
    brain_up: bool,
    brain_life: u32,
    broker_up: bool,
    queue: RebootQueue,
    in_flight: u32,
    rec: Recorder,
    max_pushes: usize,
}

/// Pending timers each head can have at once (flap, reconnect, long-outage check,
/// restart, background crash, hardware failure and repair, and one spare).
const TIMERS_PER_HEAD: usize = 8;

/// What one replication of a scenario needs, computed before anything is allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    pub event_capacity: usize,
    pub max_pushes_per_event: usize,
    pub bytes: u64,
}

impl Footprint {
    pub fn of(sc: &Scenario) -> Footprint {
        let heads = sc.site.heads as usize;
        let vms = sc.site.vms() as usize;
        let boots = (sc.brain.reboot_concurrency as usize).min(vms);
        let faults = sc.faults.len();
        let live = TIMERS_PER_HEAD * heads + boots + 2 * faults + 8;
        // One handler can touch every head and start every free boot. Per head, one
        // event schedules at most a reconnect, a long-outage check, a supervisor
        // restart (the bug on a reset) and a repair (a site-wide head failure).
        let max_pushes = 4 * heads + boots + 8;
        let event_capacity = live + 2 * max_pushes;
        let stream_bytes = std::mem::size_of::<Stream>() as u64;
        let bytes = vms as u64
            * (std::mem::size_of::<Vm>() as u64 // state
                + 4 // queue link
                + 4 + 8 + 4 + 8 // recorder: mark, last up, affected, scratch
                + match sc.brain.queue_policy {
                    crate::scenario::QueuePolicy::Random => 4,
                    crate::scenario::QueuePolicy::ShortestFirst => 8 + 24,
                    _ => 0,
                })
            + heads as u64 * (std::mem::size_of::<Head>() as u64 + 7 * stream_bytes + 8 + 8 + 1)
            + faults as u64 * (stream_bytes + 4 * heads as u64)
            + Placement::bytes_for(heads as u64, sc.site.vms_per_head as u64, vms as u64)
            + event_capacity as u64 * 32;
        Footprint {
            event_capacity,
            max_pushes_per_event: max_pushes,
            bytes,
        }
    }
}

impl World {
    fn new(sc: &Scenario, outage_log_capacity: usize) -> World {
        let heads = sc.site.heads;
        let vms = sc.site.vms() as u32;
        let fp = Footprint::of(sc);
        let blank = || {
            (0..heads)
                .map(|_| Stream::new(0, 0, 0, 0))
                .collect::<Vec<_>>()
        };
        World {
            placement: Placement::packed(heads, sc.site.vms_per_head),
            vms: vec![
                Vm {
                    state: VmState::Running,
                    cause: OutageCause::SupervisorCrash,
                    boot: 0,
                    down_since_us: 0,
                };
                vms as usize
            ],
            heads: vec![Head::NEW; heads as usize],
            rng: HeadStreams {
                flap: blank(),
                reconnect: blank(),
                bug: blank(),
                restart: blank(),
                background: blank(),
                hardware: blank(),
                boot: blank(),
            },
            fault_rng: sc.faults.iter().map(|_| Stream::new(0, 0, 0, 0)).collect(),
            fault_heads: sc
                .faults
                .iter()
                .map(|f| match f {
                    Fault::Partition {
                        scope: Scope::Fraction(_),
                        ..
                    }
                    | Fault::RandomPartitions {
                        scope: Scope::Fraction(_),
                        ..
                    }
                    | Fault::SupervisorCrash {
                        scope: Scope::Fraction(_),
                        ..
                    }
                    | Fault::HeadFailure {
                        scope: Scope::Fraction(_),
                        ..
                    } => Vec::with_capacity(heads as usize),
                    _ => Vec::new(),
                })
                .collect(),
            brain_rng: Stream::new(0, 0, 0, 0),
            broker_rng: Stream::new(0, 0, 0, 0),
            queue_rng: Stream::new(0, 0, 0, 0),
            brain_up: true,
            brain_life: 0,
            broker_up: true,
            queue: RebootQueue::new(sc.brain.queue_policy, heads, vms),
            in_flight: 0,
            rec: Recorder::new(vms, heads, sc.horizon_us, outage_log_capacity),
            max_pushes: fp.max_pushes_per_event,
            sc: sc.clone(),
        }
    }

    /// Puts the site back to "everything running" and seeds the streams of replication
    /// `rep`, then schedules the first occurrence of every fault process.
    fn reset(&mut self, seed: u64, rep: u64, sched: &mut Scheduler<Event>) {
        for vm in &mut self.vms {
            *vm = Vm {
                state: VmState::Running,
                cause: OutageCause::SupervisorCrash,
                boot: 0,
                down_since_us: 0,
            };
        }
        self.heads.fill(Head::NEW);
        self.placement.reset();
        for (h, _) in self.heads.iter().enumerate() {
            let h64 = h as u64;
            self.rng.flap[h] = Purpose::Flap.stream(seed, rep, h64);
            self.rng.reconnect[h] = Purpose::Reconnect.stream(seed, rep, h64);
            self.rng.bug[h] = Purpose::Bug.stream(seed, rep, h64);
            self.rng.restart[h] = Purpose::Restart.stream(seed, rep, h64);
            self.rng.background[h] = Purpose::BackgroundCrash.stream(seed, rep, h64);
            self.rng.hardware[h] = Purpose::Hardware.stream(seed, rep, h64);
            self.rng.boot[h] = Purpose::Boot.stream(seed, rep, h64);
        }
        for (i, r) in self.fault_rng.iter_mut().enumerate() {
            *r = Purpose::Fault.stream(seed, rep, i as u64);
        }
        for heads in &mut self.fault_heads {
            heads.clear();
        }
        self.brain_rng = Purpose::Brain.stream(seed, rep, 0);
        self.broker_rng = Purpose::Broker.stream(seed, rep, 0);
        self.queue_rng = Purpose::Queue.stream(seed, rep, 0);
        self.brain_up = true;
        self.brain_life = 0;
        self.broker_up = true;
        self.queue.clear();
        self.in_flight = 0;
        self.rec.reset();
        sched.reset();

        let sc = &self.sc;
        for h in 0..sc.site.heads {
            let hi = h as usize;
            if sc.link.flaps_per_year > 0.0 {
                let d = exp_per_year(sc.link.flaps_per_year, &mut self.rng.flap[hi]);
                sched.at(d, Event::FlapBegan { head: h });
            }
            if sc.supervisor.crashes_per_year > 0.0 {
                let d = exp_per_year(sc.supervisor.crashes_per_year, &mut self.rng.background[hi]);
                sched.at(d, Event::SupervisorCrashed { head: h });
            }
            if sc.head.failures_per_year > 0.0 {
                let d = exp_per_year(sc.head.failures_per_year, &mut self.rng.hardware[hi]);
                sched.at(d, Event::HeadFailed { head: h, life: 0 });
            }
        }
        if sc.brain.failovers_per_year > 0.0 {
            let d = exp_per_year(sc.brain.failovers_per_year, &mut self.brain_rng);
            sched.at(d, Event::BrainFailed { random: true });
        }
        if let Transport::MessageQueue { broker } = &sc.design.transport
            && broker.failures_per_year > 0.0
        {
            let d = exp_per_year(broker.failures_per_year, &mut self.broker_rng);
            sched.at(d, Event::BrokerFailed);
        }
        for (i, fault) in sc.faults.iter().enumerate() {
            let fault_id = i as u32;
            match fault {
                Fault::Partition { at_us, .. } => {
                    sched.at(*at_us, Event::PartitionBegan { fault: fault_id })
                }
                Fault::RandomPartitions { per_year, .. } => {
                    let d = exp_per_year(*per_year, &mut self.fault_rng[i]);
                    sched.at(d, Event::PartitionBegan { fault: fault_id });
                }
                Fault::SupervisorCrash { at_us, .. } => {
                    sched.at(*at_us, Event::CrashFaultFired { fault: fault_id })
                }
                Fault::BrainFailover { at_us } => {
                    sched.at(*at_us, Event::BrainFailed { random: false })
                }
                Fault::HeadFailure { at_us, .. } => {
                    sched.at(*at_us, Event::HeadFaultFired { fault: fault_id })
                }
            }
        }
    }

    #[inline]
    fn head_of(&self, vm: u32) -> u32 {
        self.placement.head_of(vm)
    }

    /// Call after changing anything a head's controllability depends on: updates the
    /// control-loss integral and reports the head's dead VMs once it is controllable.
    #[inline]
    fn head_changed(&mut self, h: u32, was_controllable: bool, now: Micros) {
        let is = self.heads[h as usize].controllable();
        if is != was_controllable {
            self.rec.control_changed(now, if is { -1 } else { 1 });
        }
        if is && self.heads[h as usize].dead_unreported > 0 {
            self.report_dead(h);
        }
    }

    /// The brain learns of the head's dead VMs and queues them.
    fn report_dead(&mut self, h: u32) {
        let plans = self.queue.plans_boots();
        for i in 0..self.placement.count(h) as usize {
            let vm = self.placement.vms_on(h)[i];
            let v = &mut self.vms[vm as usize];
            if v.state == VmState::Dead {
                v.state = VmState::Queued;
                // Shortest-first needs the boot's length now; other policies draw it
                // when the boot starts.
                let planned = if plans {
                    self.sc
                        .brain
                        .boot_time
                        .sample(&mut self.rng.boot[h as usize])
                } else {
                    0
                };
                self.queue.push(vm, h, planned);
            }
        }
        self.heads[h as usize].dead_unreported = 0;
    }

    /// Kills one VM (a no-op for a VM that is already down and not booting).
    #[inline]
    fn kill_vm(&mut self, vm: u32, h: u32, cause: OutageCause, now: Micros) {
        let v = &mut self.vms[vm as usize];
        match v.state {
            VmState::Running => {
                v.state = VmState::Dead;
                v.cause = cause;
                v.down_since_us = now;
                self.heads[h as usize].dead_unreported += 1;
                self.rec.vm_down(now, vm);
            }
            VmState::Booting => {
                // The boot dies with the process; the outage, already running since the
                // VM first died, goes on.
                v.state = VmState::Dead;
                v.boot = v.boot.wrapping_add(1);
                self.in_flight -= 1;
                let head = &mut self.heads[h as usize];
                head.booting -= 1;
                head.dead_unreported += 1;
                self.queue.unpark_one(h);
            }
            VmState::Dead | VmState::Queued => {}
        }
    }

    fn kill_all_vms(&mut self, h: u32, cause: OutageCause, now: Micros) {
        for i in 0..self.placement.count(h) as usize {
            let vm = self.placement.vms_on(h)[i];
            self.kill_vm(vm, h, cause, now);
        }
    }

    fn crash_supervisor(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let head = &self.heads[h as usize];
        if !head.hw_up || head.sup != SupState::Running {
            return;
        }
        let was = head.controllable();
        let head = &mut self.heads[h as usize];
        head.sup = SupState::Restarting;
        head.sup_life = head.sup_life.wrapping_add(1);
        let life = head.sup_life;
        self.rec.supervisor_crashes += 1;
        let restart = self
            .sc
            .supervisor
            .restart
            .sample(&mut self.rng.restart[h as usize]);
        sched.after(restart, Event::SupervisorRestarted { head: h, life });
        if self.sc.design.coupling == Coupling::Coupled {
            self.kill_all_vms(h, OutageCause::SupervisorCrash, now);
        }
        self.head_changed(h, was, now);
    }

    /// One more reason the head's link cannot connect; drops the link if it was up.
    fn add_cause(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let hi = h as usize;
        self.heads[hi].causes += 1;
        if !self.heads[hi].link_up {
            return;
        }
        let was = self.heads[hi].controllable();
        let reconnect = self.sc.link.reconnect;
        let head = &mut self.heads[hi];
        head.link_up = false;
        head.outage = head.outage.wrapping_add(1);
        head.connect = head.connect.wrapping_add(1);
        head.link_down_since_us = now;
        head.backoff_us = reconnect.initial_us;
        let connect = head.connect;
        let schedule_long = !head.long_check_pending;
        head.long_check_pending = true;
        self.rec.link_resets += 1;
        let wait = jittered(
            reconnect.initial_us,
            reconnect.jitter,
            &mut self.rng.reconnect[hi],
        );
        sched.after(wait, Event::ReconnectAttempted { head: h, connect });
        if schedule_long {
            sched.after(
                self.sc.supervisor.long_reset_after_us,
                Event::LongOutageReached { head: h },
            );
        }
        self.head_changed(h, was, now);
        // The bug: a reset may crash the supervisor. The draw is made on every reset,
        // whatever the design, so the bug stream stays aligned across designs.
        let crash = self.rng.bug[hi].bernoulli(self.sc.supervisor.crash_on_reset);
        if crash && self.sc.design.transport == Transport::Tcp {
            self.crash_supervisor(h, sched);
        }
    }

    fn remove_cause(&mut self, h: u32) {
        let head = &mut self.heads[h as usize];
        debug_assert!(head.causes > 0);
        head.causes -= 1;
    }

    fn scope_len(&self, fault: usize) -> usize {
        match fault_scope(&self.sc.faults[fault]) {
            Scope::All => self.heads.len(),
            Scope::Heads(list) => list.len(),
            Scope::Fraction(_) => self.fault_heads[fault].len(),
        }
    }

    fn scope_head(&self, fault: usize, i: usize) -> u32 {
        match fault_scope(&self.sc.faults[fault]) {
            Scope::All => i as u32,
            Scope::Heads(list) => list[i],
            Scope::Fraction(_) => self.fault_heads[fault][i],
        }
    }

    /// Draws a fresh set of heads for a Fraction-scoped fault (partial Fisher–Yates).
    fn draw_scope(&mut self, fault: usize) {
        if let Scope::Fraction(f) = fault_scope(&self.sc.faults[fault]) {
            let n = self.heads.len();
            let k = (libm::round(f * n as f64) as usize).min(n);
            let heads = &mut self.fault_heads[fault];
            heads.clear();
            heads.extend(0..n as u32);
            let rng = &mut self.fault_rng[fault];
            for i in 0..k {
                let j = i + rng.below((n - i) as u64) as usize;
                heads.swap(i, j);
            }
            heads.truncate(k);
        }
    }

    fn fail_head(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let hi = h as usize;
        if !self.heads[hi].hw_up {
            return;
        }
        let was = self.heads[hi].controllable();
        let head = &mut self.heads[hi];
        head.hw_up = false;
        head.hw_life = head.hw_life.wrapping_add(1);
        head.sup = SupState::Off;
        head.sup_life = head.sup_life.wrapping_add(1);
        let life = head.hw_life;
        self.kill_all_vms(h, OutageCause::HeadFailure, now);
        self.head_changed(h, was, now);
        self.add_cause(h, sched);
        let repair = self.sc.head.repair.sample(&mut self.rng.hardware[hi]);
        sched.after(repair, Event::HeadRepaired { head: h, life });
    }

    fn all_links_cause(&mut self, add: bool, sched: &mut Scheduler<Event>) {
        for h in 0..self.heads.len() as u32 {
            if add {
                self.add_cause(h, sched);
            } else {
                self.remove_cause(h);
            }
        }
    }

    /// Starts boots while slots are free and the brain is up.
    fn dispatch(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if self.brain_up {
            let limit = self.sc.brain.reboot_concurrency;
            let per_head = self.sc.brain.per_head_concurrency.unwrap_or(u32::MAX);
            let placement = &self.placement;
            while self.in_flight < limit {
                let Some(vm) = self
                    .queue
                    .pop(&mut self.queue_rng, |v| placement.head_of(v))
                else {
                    break;
                };
                let h = self.head_of(vm);
                let hi = h as usize;
                if !self.heads[hi].controllable() {
                    // The brain cannot reach the head: the VM waits to be reported again.
                    self.vms[vm as usize].state = VmState::Dead;
                    self.heads[hi].dead_unreported += 1;
                    continue;
                }
                if self.heads[hi].booting >= per_head {
                    self.queue.park(vm, h);
                    continue;
                }
                let others = self.in_flight;
                let base = if self.queue.plans_boots() {
                    self.queue.planned_us(vm)
                } else {
                    self.sc.brain.boot_time.sample(&mut self.rng.boot[hi])
                };
                let factor = 1.0 + self.sc.brain.boot_slowdown_per_concurrent_boot * others as f64;
                let duration = libm::round(base as f64 * factor) as Micros;
                let v = &mut self.vms[vm as usize];
                v.state = VmState::Booting;
                v.boot = v.boot.wrapping_add(1);
                let boot = v.boot;
                self.in_flight += 1;
                self.heads[hi].booting += 1;
                sched.after(duration, Event::VmBooted { vm, boot });
            }
        }
        self.rec
            .queue_changed(now, self.queue.len(), self.in_flight);
    }
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

/// The wait until the next event of a Poisson process with `per_year` events a year.
#[inline]
fn exp_per_year(per_year: f64, rng: &mut Stream) -> Micros {
    Dist::Exponential {
        mean_us: engine::US_PER_YEAR as f64 / per_year,
    }
    .sample(rng)
}

/// `base` spread uniformly by ±`jitter` (a fraction), as in gRPC's backoff.
#[inline]
fn jittered(base: Micros, jitter: f64, rng: &mut Stream) -> Micros {
    let u = rng.open01() * 2.0 - 1.0;
    libm::round(base as f64 * (1.0 + jitter * u)).max(1.0) as Micros
}

impl Process for World {
    type Event = Event;

    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        match event {
            Event::PartitionBegan { fault } => {
                let f = fault as usize;
                self.draw_scope(f);
                for i in 0..self.scope_len(f) {
                    let h = self.scope_head(f, i);
                    self.add_cause(h, sched);
                }
                let duration = match &self.sc.faults[f] {
                    Fault::Partition { duration, .. }
                    | Fault::RandomPartitions { duration, .. } => {
                        duration.sample(&mut self.fault_rng[f])
                    }
                    _ => 0,
                };
                sched.after(duration, Event::PartitionHealed { fault });
            }
            Event::PartitionHealed { fault } => {
                let f = fault as usize;
                for i in 0..self.scope_len(f) {
                    let h = self.scope_head(f, i);
                    self.remove_cause(h);
                }
                if let Fault::RandomPartitions { per_year, .. } = self.sc.faults[f] {
                    let d = exp_per_year(per_year, &mut self.fault_rng[f]);
                    sched.after(d, Event::PartitionBegan { fault });
                }
            }
            Event::FlapBegan { head } => {
                self.add_cause(head, sched);
                let d = self
                    .sc
                    .link
                    .flap_duration
                    .sample(&mut self.rng.flap[head as usize]);
                sched.after(d, Event::FlapHealed { head });
            }
            Event::FlapHealed { head } => {
                self.remove_cause(head);
                let d = exp_per_year(
                    self.sc.link.flaps_per_year,
                    &mut self.rng.flap[head as usize],
                );
                sched.after(d, Event::FlapBegan { head });
            }
            Event::ReconnectAttempted { head: h, .. } => {
                let hi = h as usize;
                if !self.heads[hi].hw_up {
                    // A dead head makes no attempts; its repair starts a new sequence.
                } else if self.heads[hi].causes == 0 {
                    let was = self.heads[hi].controllable();
                    self.heads[hi].link_up = true;
                    self.head_changed(h, was, now);
                } else {
                    let b = self.sc.link.reconnect;
                    let head = &mut self.heads[hi];
                    head.backoff_us = libm::round(head.backoff_us as f64 * b.multiplier)
                        .min(b.max_us as f64) as Micros;
                    let wait = jittered(head.backoff_us, b.jitter, &mut self.rng.reconnect[hi]);
                    let connect = head.connect;
                    sched.after(wait, Event::ReconnectAttempted { head: h, connect });
                }
            }
            Event::LongOutageReached { head: h } => {
                let hi = h as usize;
                let threshold = self.sc.supervisor.long_reset_after_us;
                let head = &mut self.heads[hi];
                head.long_check_pending = false;
                if !head.link_up && head.long_checked != head.outage {
                    let due = head.link_down_since_us.saturating_add(threshold);
                    if now >= due {
                        head.long_checked = head.outage;
                        let p = self.sc.supervisor.crash_on_long_reset;
                        let crash = self.rng.bug[hi].bernoulli(p);
                        if crash && self.sc.design.transport == Transport::Tcp {
                            self.crash_supervisor(h, sched);
                        }
                    } else {
                        // A newer outage began after this check was set: check it in turn.
                        head.long_check_pending = true;
                        sched.at(due, Event::LongOutageReached { head: h });
                    }
                }
            }
            Event::SupervisorCrashed { head } => {
                self.crash_supervisor(head, sched);
                let rate = self.sc.supervisor.crashes_per_year;
                let d = exp_per_year(rate, &mut self.rng.background[head as usize]);
                sched.after(d, Event::SupervisorCrashed { head });
            }
            Event::SupervisorRestarted { head: h, .. } => {
                let was = self.heads[h as usize].controllable();
                self.heads[h as usize].sup = SupState::Running;
                self.head_changed(h, was, now);
            }
            Event::CrashFaultFired { fault } => {
                let f = fault as usize;
                self.draw_scope(f);
                for i in 0..self.scope_len(f) {
                    let h = self.scope_head(f, i);
                    self.crash_supervisor(h, sched);
                }
            }
            Event::HeadFailed { head, .. } => self.fail_head(head, sched),
            Event::HeadFaultFired { fault } => {
                let f = fault as usize;
                self.draw_scope(f);
                for i in 0..self.scope_len(f) {
                    let h = self.scope_head(f, i);
                    self.fail_head(h, sched);
                }
            }
            Event::HeadRepaired { head: h, .. } => {
                let hi = h as usize;
                let head = &mut self.heads[hi];
                head.hw_up = true;
                head.sup = SupState::Restarting;
                let life = head.sup_life;
                let hw_life = head.hw_life;
                self.remove_cause(h);
                if !self.heads[hi].link_up {
                    // The restarted head connects afresh, from the initial backoff.
                    let b = self.sc.link.reconnect;
                    let head = &mut self.heads[hi];
                    head.connect = head.connect.wrapping_add(1);
                    head.backoff_us = b.initial_us;
                    let connect = head.connect;
                    let wait = jittered(b.initial_us, b.jitter, &mut self.rng.reconnect[hi]);
                    sched.after(wait, Event::ReconnectAttempted { head: h, connect });
                }
                let restart = self.sc.supervisor.restart.sample(&mut self.rng.restart[hi]);
                sched.after(restart, Event::SupervisorRestarted { head: h, life });
                if self.sc.head.failures_per_year > 0.0 {
                    let d =
                        exp_per_year(self.sc.head.failures_per_year, &mut self.rng.hardware[hi]);
                    sched.after(
                        d,
                        Event::HeadFailed {
                            head: h,
                            life: hw_life,
                        },
                    );
                }
            }
            Event::BrainFailed { random } => {
                if random {
                    let d = exp_per_year(self.sc.brain.failovers_per_year, &mut self.brain_rng);
                    sched.after(d, Event::BrainFailed { random: true });
                }
                if self.brain_up {
                    self.brain_up = false;
                    self.brain_life = self.brain_life.wrapping_add(1);
                    let life = self.brain_life;
                    self.all_links_cause(true, sched);
                    let d = self.sc.brain.failover_time.sample(&mut self.brain_rng);
                    sched.after(d, Event::BrainRecovered { life });
                }
            }
            Event::BrainRecovered { .. } => {
                self.brain_up = true;
                self.all_links_cause(false, sched);
            }
            Event::BrokerFailed => {
                if let Transport::MessageQueue { broker } = &self.sc.design.transport {
                    let repair = broker.repair.sample(&mut self.broker_rng);
                    self.broker_up = false;
                    self.all_links_cause(true, sched);
                    sched.after(repair, Event::BrokerRepaired);
                }
            }
            Event::BrokerRepaired => {
                self.broker_up = true;
                self.all_links_cause(false, sched);
                if let Transport::MessageQueue { broker } = &self.sc.design.transport {
                    let d = exp_per_year(broker.failures_per_year, &mut self.broker_rng);
                    sched.after(d, Event::BrokerFailed);
                }
            }
            Event::VmBooted { vm, .. } => {
                let h = self.head_of(vm);
                let v = &mut self.vms[vm as usize];
                v.state = VmState::Running;
                let (since, cause) = (v.down_since_us, v.cause);
                self.in_flight -= 1;
                self.heads[h as usize].booting -= 1;
                self.rec.vm_reboots += 1;
                self.rec.vm_up(now, vm, h, since, cause);
                self.queue.unpark_one(h);
            }
        }
        // Any event can free a slot or queue a VM; starting boots is cheap when neither.
        if self.queue.ready() > 0 || matches!(event, Event::VmBooted { .. }) {
            self.dispatch(sched);
        }
    }

    fn is_live(&self, event: &Event) -> bool {
        match *event {
            Event::ReconnectAttempted { head, connect } => {
                let h = &self.heads[head as usize];
                !h.link_up && h.connect == connect
            }
            Event::SupervisorRestarted { head, life } => {
                let h = &self.heads[head as usize];
                h.hw_up && h.sup == SupState::Restarting && h.sup_life == life
            }
            Event::HeadFailed { head, life } => {
                let h = &self.heads[head as usize];
                h.hw_up && h.hw_life == life
            }
            Event::HeadRepaired { head, life } => {
                let h = &self.heads[head as usize];
                !h.hw_up && h.hw_life == life
            }
            Event::BrainRecovered { life } => !self.brain_up && self.brain_life == life,
            Event::VmBooted { vm, boot } => {
                let v = &self.vms[vm as usize];
                v.state == VmState::Booting && v.boot == boot
            }
            _ => true,
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
        observe: impl FnMut(Micros, &Event),
    ) -> Result<RunMetrics, EngineError> {
        self.world.reset(seed, rep, &mut self.sched);
        let limits = Limits {
            horizon_us: self.world.sc.horizon_us,
            max_events: self.world.sc.limits.max_events,
            check_invariants: self.options.check_invariants,
        };
        let end = engine::run(&mut self.world, &mut self.sched, limits, observe)?;
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
        let down = w
            .vms
            .iter()
            .enumerate()
            .filter(|(_, v)| v.state != VmState::Running)
            .map(|(i, v)| {
                (
                    i as u32,
                    placement.head_of(i as u32),
                    v.down_since_us,
                    v.cause,
                )
            });
        let mut m = w.rec.finish(down);
        m.values[Metric::Events as usize] = end.events as f64;
        Ok(m)
    }

    /// Runs replication `rep` of master seed `seed`.
    pub fn run(&mut self, seed: u64, rep: u64) -> Result<RunMetrics, EngineError> {
        self.run_observed(seed, rep, |_, _| {})
    }

    /// What the last replication recorded beyond its metrics (series, outages).
    pub fn recorder(&self) -> &Recorder {
        &self.world.rec
    }
}

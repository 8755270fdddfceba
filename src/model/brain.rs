//! The brain: its failovers, the message broker it talks through, and starting boots
//! from its reboot queue within the global and per-head limits.
//!
//! While the brain fails over, or the broker is down, every link has one more cause to
//! be down and no boot starts.
//!
//! Admission (`brain.accept_per_s`): the brain accepts reconnects one at a time, in
//! the order they arrive, each taking it 1 / `accept_per_s`. It cannot tell a head that
//! gave up from one still waiting, so an attempt costs its accept time whether or not
//! its head still waits for it: under a long enough queue every accept is wasted and
//! the retries keep the queue long (a metastable failure). The queue is one number,
//! the time the brain's accept work runs out, so an attempt is O(1).
//! Owns: the brain's and broker's state and streams, the reboot queue and its stream,
//! the count of boots in flight, and the accept queue.

use super::notes::Note;
use super::reboot_queue::RebootQueue;
use super::streams::{Purpose, exp_per_year};
use super::vm::{VmEvent, VmState};
use super::{About, Event, World};
use crate::engine::{Micros, Scheduler, Stream};
use crate::scenario::{Scenario, Transport};

named_enum! {
    /// The events of the brain and the broker.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum BrainEvent {
        /// The brain started failing over (`random`: from the failover rate).
        BrainFailed {
            random: bool,
        },
        BrainRecovered {
            life: u32,
        },
        BrokerFailed,
        BrokerRepaired,
    }
}

impl BrainEvent {
    /// Whom the event is about: the whole site.
    pub fn about(&self) -> About {
        match self {
            BrainEvent::BrainFailed { .. }
            | BrainEvent::BrainRecovered { .. }
            | BrainEvent::BrokerFailed
            | BrainEvent::BrokerRepaired => About::Site,
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            BrainEvent::BrainFailed { random } => format!("\"random\":{random}"),
            BrainEvent::BrainRecovered { life } => format!("\"life\":{life}"),
            BrainEvent::BrokerFailed | BrainEvent::BrokerRepaired => String::new(),
        }
    }
}

impl From<BrainEvent> for Event {
    fn from(e: BrainEvent) -> Event {
        Event::Brain(e)
    }
}

/// The brain, the broker and the reboot queue.
pub(super) struct Brain {
    pub(super) up: bool,
    /// Failover generation: a recovery is stale once this has moved on.
    life: u32,
    broker_up: bool,
    rng: Stream,
    broker_rng: Stream,
    queue_rng: Stream,
    pub(super) queue: RebootQueue,
    /// Boots in flight, site-wide.
    pub(super) in_flight: u32,
    /// When the brain's accept work queued so far runs out (in the past when idle).
    accepts_busy_until_us: Micros,
}

impl Brain {
    pub(super) fn new(sc: &Scenario, heads: u32, vms: u32) -> Brain {
        Brain {
            up: true,
            life: 0,
            broker_up: true,
            rng: Stream::new(0, 0, 0, 0),
            broker_rng: Stream::new(0, 0, 0, 0),
            queue_rng: Stream::new(0, 0, 0, 0),
            queue: RebootQueue::new(sc.brain.queue_policy, heads, vms, parks(sc)),
            in_flight: 0,
            accepts_busy_until_us: 0,
        }
    }

    pub(super) fn bytes_for(sc: &Scenario, heads: u64, vms: u64) -> u64 {
        let policy = sc.brain.queue_policy;
        std::mem::size_of::<Brain>() as u64 + RebootQueue::bytes_for(policy, heads, vms, parks(sc))
    }

    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        self.rng = Purpose::Brain.stream(seed, rep, 0);
        self.broker_rng = Purpose::Broker.stream(seed, rep, 0);
        self.queue_rng = Purpose::Queue.stream(seed, rep, 0);
        self.up = true;
        self.life = 0;
        self.broker_up = true;
        self.queue.clear();
        self.in_flight = 0;
        self.accepts_busy_until_us = 0;
    }

    /// A reconnect attempt made at `now_us`, under an accept limit of one accept per
    /// `interval_us`: it joins the accept queue (and costs the brain its accept time
    /// even if its head gives up). The time its accept ends if that is within
    /// `timeout_us` of the attempt; `None` if its head gives up first.
    #[inline]
    pub(super) fn admit(
        &mut self,
        now_us: Micros,
        interval_us: Micros,
        timeout_us: Micros,
    ) -> Option<Micros> {
        let done = self
            .accepts_busy_until_us
            .max(now_us)
            .saturating_add(interval_us);
        self.accepts_busy_until_us = done;
        (done - now_us <= timeout_us).then_some(done)
    }

    pub(super) fn schedule_first(&mut self, sc: &Scenario, sched: &mut Scheduler<Event>) {
        if sc.brain.failovers_per_year > 0.0 {
            let d = exp_per_year(sc.brain.failovers_per_year, &mut self.rng);
            sched.at(d, BrainEvent::BrainFailed { random: true }.into());
        }
        if let Transport::MessageQueue { broker } = &sc.design.transport
            && broker.failures_per_year > 0.0
        {
            let d = exp_per_year(broker.failures_per_year, &mut self.broker_rng);
            sched.at(d, BrainEvent::BrokerFailed.into());
        }
    }
}

impl World {
    pub(super) fn handle_brain(&mut self, event: BrainEvent, sched: &mut Scheduler<Event>) {
        match event {
            BrainEvent::BrainFailed { random } => {
                if random {
                    let d = exp_per_year(self.sc.brain.failovers_per_year, &mut self.brain.rng);
                    sched.after(d, BrainEvent::BrainFailed { random: true }.into());
                }
                if self.brain.up {
                    self.brain.up = false;
                    self.brain.life = self.brain.life.wrapping_add(1);
                    // The standby brain starts with an empty accept queue: the work
                    // queued at the failed one is lost with it.
                    self.brain.accepts_busy_until_us = 0;
                    let life = self.brain.life;
                    self.all_links_cause(true, sched);
                    let d = self.sc.brain.failover_time.sample(&mut self.brain.rng);
                    sched.after(d, BrainEvent::BrainRecovered { life }.into());
                }
            }
            BrainEvent::BrainRecovered { .. } => {
                assert!(!self.brain.up, "the brain recovered while up");
                self.brain.up = true;
                self.all_links_cause(false, sched);
            }
            BrainEvent::BrokerFailed => {
                if let Transport::MessageQueue { broker } = &self.sc.design.transport {
                    let repair = broker.repair.sample(&mut self.brain.broker_rng);
                    self.brain.broker_up = false;
                    self.all_links_cause(true, sched);
                    sched.after(repair, BrainEvent::BrokerRepaired.into());
                }
            }
            BrainEvent::BrokerRepaired => {
                self.brain.broker_up = true;
                self.all_links_cause(false, sched);
                if let Transport::MessageQueue { broker } = &self.sc.design.transport {
                    let d = exp_per_year(broker.failures_per_year, &mut self.brain.broker_rng);
                    sched.after(d, BrainEvent::BrokerFailed.into());
                }
            }
        }
    }

    pub(super) fn brain_event_is_live(&self, event: &BrainEvent) -> bool {
        match *event {
            BrainEvent::BrainFailed { .. }
            | BrainEvent::BrokerFailed
            | BrainEvent::BrokerRepaired => true,
            BrainEvent::BrainRecovered { life } => !self.brain.up && self.brain.life == life,
        }
    }

    /// Starts boots while slots are free and the brain is up.
    pub(super) fn dispatch(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if self.brain.up {
            let limit = self.sc.brain.reboot_concurrency;
            let per_head = self.sc.brain.per_head_concurrency.unwrap_or(u32::MAX);
            while self.brain.in_flight < limit {
                let placement = &self.placement;
                let brain = &mut self.brain;
                let Some(vm) = brain
                    .queue
                    .pop(&mut brain.queue_rng, |v| placement.head_of(v))
                else {
                    break;
                };
                let h = self.placement.head_of(vm);
                let hi = h as usize;
                assert_eq!(
                    self.vms.vm[vm as usize].state,
                    VmState::Queued,
                    "VM {vm} left the queue without being queued"
                );
                if !self.controllable(h) || self.maint.holds(h) {
                    // The brain cannot reach the head, or the head is being worked on:
                    // the VM waits to be reported again.
                    self.vms.vm[vm as usize].state = VmState::Dead;
                    self.vms.heads[hi].dead_unreported += 1;
                    continue;
                }
                if self.vms.heads[hi].booting >= per_head {
                    self.brain.queue.park(vm, h);
                    continue;
                }
                let base = if self.brain.queue.plans_boots() {
                    self.brain.queue.planned_us(vm)
                } else {
                    self.sc.brain.boot_time.sample(&mut self.vms.boot_rng[hi])
                };
                let duration = self.loaded_boot(base, self.vms.heads[hi].booting);
                let v = &mut self.vms.vm[vm as usize];
                v.state = VmState::Booting;
                v.boot = v.boot.wrapping_add(1);
                let boot = v.boot;
                self.brain.in_flight += 1;
                self.vms.heads[hi].booting += 1;
                self.vms.heads[hi].killable += 1;
                // Both limits hold after every start (the loop and the park above).
                assert!(self.brain.in_flight <= limit && self.vms.heads[hi].booting <= per_head);
                let in_flight = self.brain.in_flight;
                self.note(Note::BootStarted {
                    vm,
                    head: h,
                    in_flight,
                });
                sched.after(duration, VmEvent::VmBooted { vm, boot }.into());
            }
        }
        self.rec
            .queue_changed(now, self.brain.queue.len(), self.brain.in_flight);
    }

    /// How long a boot of unloaded duration `base` takes when it starts beside
    /// `on_head` other boots on its head and the brain's other boots in flight on the
    /// site: (1 + on_head·h + on_site·s)× `base`. Both are counted when the boot
    /// starts and hold until it ends. The site term counts the head's own boots too,
    /// so with no per-head slowdown this is the single site-wide rule of old.
    fn loaded_boot(&self, base: Micros, on_head: u32) -> Micros {
        let b = &self.sc.brain;
        let (head, site) = (
            b.boot_slowdown_per_boot_on_head,
            b.boot_slowdown_per_boot_on_site,
        );
        // Without contention the factor is exactly 1, and below 2^53 µs (285 years)
        // the float round trip gives `base` back: skip it, bit-identical.
        if head == 0.0 && site == 0.0 && base < 1 << 53 {
            return base;
        }
        let factor = 1.0 + head * on_head as f64 + site * self.brain.in_flight as f64;
        libm::round(base as f64 * factor) as Micros
    }
}

/// Whether the reboot queue may park VMs: only under a per-head boot limit.
fn parks(sc: &Scenario) -> bool {
    sc.brain.per_head_concurrency.is_some()
}

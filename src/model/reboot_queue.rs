//! The brain's reboot queue: VMs waiting for a boot slot, in policy order.
//!
//! Every operation is O(1) (shortest first: O(log n)) and nothing is allocated after
//! construction, whatever the site size:
//! - FIFO: one ring buffer of runs of consecutive VMs ([`Runs`]), with room for a run
//!   per VM. Its pushes and pops walk memory in order, which the processor fetches
//!   ahead (a list threaded through the VMs would make each pop wait for the link the
//!   matching push wrote long before), and a head reported whole is one entry;
//! - Random: a dense array with swap-remove at a uniformly drawn index;
//! - round robin over heads: one intrusive list per head (one `next` link per VM, owned
//!   here) plus a ring of heads that have waiting VMs;
//! - shortest first: a binary heap keyed by each VM's planned boot duration, drawn when
//!   the VM is queued (O(log n)).
//!
//! A VM whose head has reached its per-head boot limit is *parked* on a per-head
//! intrusive list and put back at the front when one of that head's boots ends.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::engine::Stream;
use crate::scenario::QueuePolicy;

const NIL: u32 = u32::MAX;

/// A singly linked list threaded through `next`.
#[derive(Clone, Copy, Debug)]
struct List {
    first: u32,
    last: u32,
}

impl List {
    const EMPTY: List = List {
        first: NIL,
        last: NIL,
    };

    fn is_empty(&self) -> bool {
        self.first == NIL
    }

    fn push_back(&mut self, next: &mut [u32], vm: u32) {
        next[vm as usize] = NIL;
        if self.last == NIL {
            self.first = vm;
        } else {
            next[self.last as usize] = vm;
        }
        self.last = vm;
    }

    fn push_front(&mut self, next: &mut [u32], vm: u32) {
        next[vm as usize] = self.first;
        if self.first == NIL {
            self.last = vm;
        }
        self.first = vm;
    }

    fn pop_front(&mut self, next: &[u32]) -> Option<u32> {
        if self.first == NIL {
            return None;
        }
        let vm = self.first;
        self.first = next[vm as usize];
        if self.first == NIL {
            self.last = NIL;
        }
        Some(vm)
    }
}

/// A FIFO of VMs kept as runs of consecutive VMs, oldest first.
///
/// A VM alone takes one word; a run of two or more takes two, its first VM and its
/// length, both marked with the top bit ([`RUN`]) so that either end of the ring
/// tells a run from a VM. The VMs of a head reported whole arrive as one run, so a
/// site-wide crash queues a million VMs in twenty thousand words. A run takes fewer
/// words than it has VMs and every VM is in the queue at most once, so a word per VM
/// (as a plain ring of VMs would take) is room enough, reserved up front.
#[derive(Clone, Debug)]
struct Runs {
    words: VecDeque<u32>,
}

/// The mark of a run's two words: VM numbers and run lengths stay below it.
const RUN: u32 = 1 << 31;

impl Runs {
    fn with_capacity(vms: usize) -> Runs {
        assert!(vms < RUN as usize, "too many VMs for the FIFO's marks");
        Runs {
            words: VecDeque::with_capacity(vms),
        }
    }

    fn clear(&mut self) {
        self.words.clear();
    }

    /// Appends `vms` in order, continuing the last run (or VM) when they follow it.
    fn push_run(&mut self, vms: std::ops::Range<u32>) {
        let n = vms.end - vms.start;
        if n == 0 {
            return;
        }
        let w = &mut self.words;
        match w.len().checked_sub(1).map(|last| (last, w[last])) {
            // The last run, whose first VM is the word before its length.
            Some((last, len))
                if len & RUN != 0 && (w[last - 1] & !RUN) + (len & !RUN) == vms.start =>
            {
                w[last] = ((len & !RUN) + n) | RUN;
                return;
            }
            // The last run, which the new VMs do not follow.
            Some((_, len)) if len & RUN != 0 => {}
            Some((last, vm)) if vm + 1 == vms.start => {
                w[last] = vm | RUN;
                w.push_back((1 + n) | RUN);
                return;
            }
            _ => {}
        }
        if n == 1 {
            w.push_back(vms.start);
        } else {
            w.push_back(vms.start | RUN);
            w.push_back(n | RUN);
        }
    }

    /// Puts `vm` at the front, joining the first run (or VM) when it comes just
    /// before it.
    fn push_front(&mut self, vm: u32) {
        let w = &mut self.words;
        match w.front().copied() {
            Some(first) if first & RUN != 0 && (first & !RUN) == vm + 1 => {
                w[0] = vm | RUN;
                w[1] += 1;
            }
            Some(first) if first & RUN == 0 && first == vm + 1 => {
                w[0] = 2 | RUN;
                w.push_front(vm | RUN);
            }
            _ => w.push_front(vm),
        }
    }

    fn pop_front(&mut self) -> Option<u32> {
        let w = &mut self.words;
        let first = *w.front()?;
        if first & RUN == 0 {
            w.pop_front();
            return Some(first);
        }
        let (vm, len) = (first & !RUN, w[1] & !RUN);
        if len == 2 {
            // One VM left: it takes one word.
            w.pop_front();
            w[0] = vm + 1;
        } else {
            w[0] = (vm + 1) | RUN;
            w[1] = (len - 1) | RUN;
        }
        Some(vm)
    }
}

#[derive(Clone, Debug)]
pub struct RebootQueue {
    policy: QueuePolicy,
    /// The links of the intrusive lists: round robin's and the parked VMs'. A VM's
    /// link is written when it joins a list and read only while it is in one, so the
    /// table starts as zeroed memory that the system hands out untouched. A FIFO
    /// queue without a per-head limit parks nothing and reserves none.
    next: Vec<u32>,
    /// FIFO order.
    fifo: Runs,
    /// Random order: the waiting VMs, densely.
    pool: Vec<u32>,
    /// Round robin: per-head lists and the ring of heads with waiting VMs.
    per_head: Vec<List>,
    ring: VecDeque<u32>,
    in_ring: Vec<bool>,
    /// Shortest first: (planned boot, order, VM), smallest first; planned boots by VM.
    shortest: BinaryHeap<Reverse<(u64, u64, u32)>>,
    planned_us: Vec<u64>,
    order: u64,
    /// Parked VMs per head (head at its per-head boot limit).
    parked: Vec<List>,
    waiting: u32,
    parked_count: u32,
}

impl RebootQueue {
    /// A queue of `policy` for `vms` VMs on `heads` heads; `parks` when a per-head
    /// boot limit may set VMs aside.
    pub fn new(policy: QueuePolicy, heads: u32, vms: u32, parks: bool) -> Self {
        let per_head_lists = if policy == QueuePolicy::RoundRobinHeads {
            heads as usize
        } else {
            0
        };
        RebootQueue {
            policy,
            next: vec![
                0;
                if Self::links(policy, parks) {
                    vms as usize
                } else {
                    0
                }
            ],
            fifo: Runs::with_capacity(if policy == QueuePolicy::Fifo {
                vms as usize
            } else {
                0
            }),
            pool: Vec::with_capacity(if policy == QueuePolicy::Random {
                vms as usize
            } else {
                0
            }),
            per_head: vec![List::EMPTY; per_head_lists],
            ring: VecDeque::with_capacity(per_head_lists),
            in_ring: vec![false; per_head_lists],
            shortest: BinaryHeap::with_capacity(if policy == QueuePolicy::ShortestFirst {
                vms as usize
            } else {
                0
            }),
            planned_us: vec![
                0;
                if policy == QueuePolicy::ShortestFirst {
                    vms as usize
                } else {
                    0
                }
            ],
            order: 0,
            parked: vec![List::EMPTY; heads as usize],
            waiting: 0,
            parked_count: 0,
        }
    }

    /// Whether a queue of `policy` needs a link per VM: for round robin's lists, or
    /// for parked VMs when it `parks`. Every policy but FIFO has always reserved them.
    fn links(policy: QueuePolicy, parks: bool) -> bool {
        policy != QueuePolicy::Fifo || parks
    }

    /// Bytes a queue of `policy` needs for `vms` VMs on `heads` heads: the links, the
    /// policy's own structures, and the parked lists.
    pub fn bytes_for(policy: QueuePolicy, heads: u64, vms: u64, parks: bool) -> u64 {
        use std::mem::size_of;
        let list = size_of::<List>() as u64;
        let policy_bytes = match policy {
            QueuePolicy::Fifo => vms * 4,
            QueuePolicy::Random => vms * 4,
            QueuePolicy::RoundRobinHeads => heads * (list + 4 + 1),
            QueuePolicy::ShortestFirst => vms * (size_of::<Reverse<(u64, u64, u32)>>() as u64 + 8),
        };
        let links = if Self::links(policy, parks) {
            vms * 4
        } else {
            0
        };
        size_of::<RebootQueue>() as u64 + links + policy_bytes + heads * list
    }

    pub fn clear(&mut self) {
        self.fifo.clear();
        self.pool.clear();
        self.per_head.fill(List::EMPTY);
        self.ring.clear();
        self.in_ring.fill(false);
        self.shortest.clear();
        self.order = 0;
        self.parked.fill(List::EMPTY);
        self.waiting = 0;
        self.parked_count = 0;
    }

    /// VMs waiting, parked ones included.
    pub fn len(&self) -> u32 {
        self.waiting + self.parked_count
    }

    /// VMs that can be picked now (not parked).
    pub fn ready(&self) -> u32 {
        self.waiting
    }

    /// True when the policy needs each VM's boot duration when it is queued.
    pub fn plans_boots(&self) -> bool {
        self.policy == QueuePolicy::ShortestFirst
    }

    /// The boot duration planned for `vm` when it was queued (shortest-first only).
    pub fn planned_us(&self, vm: u32) -> u64 {
        self.planned_us[vm as usize]
    }

    /// Adds a newly reported VM at the back; `planned_us` is its boot duration when
    /// [`RebootQueue::plans_boots`], ignored otherwise.
    pub fn push(&mut self, vm: u32, head: u32, planned_us: u64) {
        self.waiting += 1;
        match self.policy {
            QueuePolicy::Fifo => self.fifo.push_run(vm..vm + 1),
            QueuePolicy::Random => self.pool.push(vm),
            QueuePolicy::ShortestFirst => {
                self.planned_us[vm as usize] = planned_us;
                self.order += 1;
                self.shortest.push(Reverse((planned_us, self.order, vm)));
            }
            QueuePolicy::RoundRobinHeads => {
                self.per_head[head as usize].push_back(&mut self.next, vm);
                self.enter_ring(head);
            }
        }
    }

    /// Adds newly reported VMs at the back, in order: the same as [`RebootQueue::push`]
    /// of each, for a policy that does not plan boots.
    pub fn push_run(&mut self, vms: std::ops::Range<u32>, head: u32) {
        assert!(!self.plans_boots(), "a planned boot needs its duration");
        if self.policy == QueuePolicy::Fifo {
            self.waiting += vms.len() as u32;
            self.fifo.push_run(vms);
        } else {
            for vm in vms {
                self.push(vm, head, 0);
            }
        }
    }

    /// Puts a VM back at the front (it was waiting longest).
    fn push_front(&mut self, vm: u32, head: u32) {
        self.waiting += 1;
        match self.policy {
            QueuePolicy::Fifo => self.fifo.push_front(vm),
            QueuePolicy::Random => self.pool.push(vm),
            // Ahead of every VM with the same planned boot.
            QueuePolicy::ShortestFirst => {
                self.shortest
                    .push(Reverse((self.planned_us[vm as usize], 0, vm)))
            }
            QueuePolicy::RoundRobinHeads => {
                self.per_head[head as usize].push_front(&mut self.next, vm);
                self.enter_ring(head);
            }
        }
    }

    fn enter_ring(&mut self, head: u32) {
        if !self.in_ring[head as usize] {
            self.in_ring[head as usize] = true;
            self.ring.push_back(head);
        }
    }

    /// Takes the next VM by policy; `head_of` maps a VM to its head.
    pub fn pop(&mut self, rng: &mut Stream, head_of: impl Fn(u32) -> u32) -> Option<u32> {
        let vm = match self.policy {
            QueuePolicy::Fifo => self.fifo.pop_front(),
            QueuePolicy::ShortestFirst => self.shortest.pop().map(|Reverse((_, _, vm))| vm),
            QueuePolicy::Random => {
                if self.pool.is_empty() {
                    None
                } else {
                    let i = rng.below(self.pool.len() as u64) as usize;
                    Some(self.pool.swap_remove(i))
                }
            }
            QueuePolicy::RoundRobinHeads => {
                let head = self.ring.pop_front()?;
                let list = &mut self.per_head[head as usize];
                let vm = list.pop_front(&self.next);
                debug_assert_eq!(vm.map(&head_of), Some(head));
                if list.is_empty() {
                    self.in_ring[head as usize] = false;
                } else {
                    self.ring.push_back(head);
                }
                vm
            }
        }?;
        self.waiting -= 1;
        Some(vm)
    }

    /// Sets a popped VM aside until one of its head's boots ends.
    pub fn park(&mut self, vm: u32, head: u32) {
        self.parked[head as usize].push_back(&mut self.next, vm);
        self.parked_count += 1;
    }

    /// Returns one parked VM of `head`, if any, to the front of the queue.
    #[inline]
    pub fn unpark_one(&mut self, head: u32) {
        // Without a per-head limit nothing is ever parked: the head's list is then not
        // worth a cache miss after every boot.
        if self.parked_count == 0 {
            return;
        }
        if let Some(vm) = self.parked[head as usize].pop_front(&self.next) {
            self.parked_count -= 1;
            self.push_front(vm, head);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(q: &mut RebootQueue, heads_of: impl Fn(u32) -> u32 + Copy) -> Vec<u32> {
        let mut rng = Stream::new(1, 0, 0, 0);
        std::iter::from_fn(|| q.pop(&mut rng, heads_of)).collect()
    }

    #[test]
    fn fifo_keeps_report_order_and_unparked_goes_first() {
        // Push 0..5; park 1 after popping 0 and 1; unpark puts 1 before 2.
        let head_of = |_vm| 0;
        let mut q = RebootQueue::new(QueuePolicy::Fifo, 1, 5, true);
        for vm in 0..5 {
            q.push(vm, 0, 0);
        }
        let mut rng = Stream::new(1, 0, 0, 0);
        assert_eq!(q.pop(&mut rng, head_of), Some(0));
        assert_eq!(q.pop(&mut rng, head_of), Some(1));
        q.park(1, 0);
        assert_eq!(q.len(), 4);
        assert_eq!(q.ready(), 3);
        q.unpark_one(0);
        assert_eq!(drain(&mut q, head_of), vec![1, 2, 3, 4]);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn a_run_pushed_at_once_queues_as_one_push_each() {
        // VMs 3..7 of head 1 after VM 9 of head 0, at once and one by one: the same
        // order out, under FIFO and round robin.
        let head_of = |vm: u32| if vm < 8 { 1 } else { 0 };
        for policy in [QueuePolicy::Fifo, QueuePolicy::RoundRobinHeads] {
            let mut at_once = RebootQueue::new(policy, 2, 10, true);
            let mut each = RebootQueue::new(policy, 2, 10, true);
            at_once.push(9, 0, 0);
            each.push(9, 0, 0);
            at_once.push_run(3..7, 1);
            for vm in 3..7 {
                each.push(vm, 1, 0);
            }
            assert_eq!(at_once.ready(), 5);
            assert_eq!(drain(&mut at_once, head_of), drain(&mut each, head_of));
        }
    }

    #[test]
    fn runs_pop_in_the_order_of_a_plain_queue() {
        // 20 000 random steps against a VecDeque of single VMs: runs pushed at the back
        // (often continuing the last one), single VMs put back at the front (sometimes
        // just before the first run) and pops give the same VMs in the same order.
        let mut runs = Runs::with_capacity(0);
        let mut plain = VecDeque::new();
        let mut next = 0u32;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match x % 4 {
                0 | 1 => {
                    // A gap now and then, so that not every push continues the run.
                    next += (x >> 8) as u32 % 2;
                    let n = (x >> 16) as u32 % 4;
                    runs.push_run(next..next + n);
                    plain.extend(next..next + n);
                    next += n;
                }
                2 => {
                    if let Some(vm) = plain.pop_front() {
                        assert_eq!(runs.pop_front(), Some(vm));
                        // Half the time it goes straight back to the front.
                        if x >> 20 & 1 == 0 {
                            runs.push_front(vm);
                            plain.push_front(vm);
                        }
                    }
                }
                _ => assert_eq!(runs.pop_front(), plain.pop_front()),
            }
            assert!(runs.words.len() <= plain.len(), "more words than VMs");
        }
        while let Some(vm) = plain.pop_front() {
            assert_eq!(runs.pop_front(), Some(vm));
        }
        assert_eq!(runs.pop_front(), None);
    }

    #[test]
    fn round_robin_alternates_heads() {
        // Head 0 has VMs 0,1,2 and head 1 has VMs 3,4, reported 0,1,2,3,4:
        // round robin boots 0,3,1,4,2.
        let head_of = |vm: u32| if vm < 3 { 0 } else { 1 };
        let mut q = RebootQueue::new(QueuePolicy::RoundRobinHeads, 2, 5, true);
        for vm in 0..5 {
            q.push(vm, head_of(vm), 0);
        }
        assert_eq!(drain(&mut q, head_of), vec![0, 3, 1, 4, 2]);
    }

    #[test]
    fn shortest_first_orders_by_planned_boot_then_report_order() {
        // Planned boots 30, 10, 20, 10 for VMs 0..4: order 1, 3 (ties by report
        // order), 2, 0.
        let mut q = RebootQueue::new(QueuePolicy::ShortestFirst, 1, 4, true);
        for (vm, planned) in [30, 10, 20, 10].into_iter().enumerate() {
            q.push(vm as u32, 0, planned);
        }
        assert_eq!(drain(&mut q, |_| 0), vec![1, 3, 2, 0]);
    }

    #[test]
    fn random_returns_each_vm_once() {
        // Random order is a permutation of what was pushed.
        let mut q = RebootQueue::new(QueuePolicy::Random, 1, 100, true);
        for vm in 0..100 {
            q.push(vm, 0, 0);
        }
        let mut out = drain(&mut q, |_| 0);
        assert_ne!(out, (0..100).collect::<Vec<_>>());
        out.sort();
        assert_eq!(out, (0..100).collect::<Vec<_>>());
    }
}

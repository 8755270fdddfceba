//! The pending-event set: a 4-ary min-heap ordered by (time, insertion sequence).
//!
//! The ordering contract of the whole simulator lives here: an event scheduled for an
//! earlier time runs first, and events scheduled for the same time run in the order in
//! which they were scheduled. The sequence number makes the key unique, so the order
//! never depends on the heap's internal layout.
//!
//! The heap is sized once, when the scenario is loaded. Pushing past the capacity is an
//! error, never a reallocation. Cancelled timers are not searched for: the model marks
//! them stale (a generation counter) and skips them when they surface; [`EventQueue::compact`]
//! drops stale entries in place when the heap runs short of room.

use super::Micros;

/// One scheduled event with its ordering key.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    time_us: Micros,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    /// The (time, sequence) key as one integer: comparing two keys is then a single
    /// 128-bit compare instead of two dependent branches, and the order is the same.
    #[inline(always)]
    fn key(&self) -> u128 {
        (u128::from(self.time_us) << 64) | u128::from(self.seq)
    }
}

/// Children per node. Four children of 32 bytes share two cache lines, and the heap is
/// half as deep as a binary one, so a pop moves each entry fewer times.
const ARITY: usize = 4;

/// The heap was full: the scenario needs more pending events than it was sized for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull {
    pub capacity: usize,
}

/// A bounded priority queue of events keyed by (time, insertion sequence): a 4-ary
/// min-heap. Keys are unique, so the pop order is fixed by the keys alone, whatever
/// the heap's shape.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: Vec<Entry<E>>,
    capacity: usize,
    next_seq: u64,
}

impl<E: Copy> EventQueue<E> {
    /// Allocates room for `capacity` pending events; nothing is allocated afterwards.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: Vec::with_capacity(capacity),
            capacity,
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time_us`. Fails, without allocating, when the queue is full.
    #[inline]
    pub fn push(&mut self, time_us: Micros, event: E) -> Result<(), QueueFull> {
        if self.heap.len() >= self.capacity {
            return Err(QueueFull {
                capacity: self.capacity,
            });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry {
            time_us,
            seq,
            event,
        };
        self.heap.push(entry);
        self.sift_up(self.heap.len() - 1, entry);
        Ok(())
    }

    /// Moves `entry`, whose slot is `hole`, up past every parent with a later key.
    #[inline]
    fn sift_up(&mut self, mut hole: usize, entry: Entry<E>) {
        let key = entry.key();
        while hole > 0 {
            let parent = (hole - 1) / ARITY;
            if self.heap[parent].key() <= key {
                break;
            }
            self.heap[hole] = self.heap[parent];
            hole = parent;
        }
        self.heap[hole] = entry;
    }

    /// The index of the earliest of a node's children: one bounds check for the group
    /// rather than one per child.
    #[inline(always)]
    fn earliest(children: &[Entry<E>]) -> usize {
        if let [a, b, c, d] = children {
            // A full group, the common case: a tournament of three compares whose
            // outcomes become indices, not jumps. Which child is earliest is a coin
            // toss for random event times, so a branch here would be mispredicted
            // about half the time. Keys are unique, so the winner is the same child
            // the linear scan below would pick.
            let (ka, kb, kc, kd) = (a.key(), b.key(), c.key(), d.key());
            let left = usize::from(kb < ka);
            let right = 2 + usize::from(kd < kc);
            let (kl, kr) = ([ka, kb][left], [kc, kd][right - 2]);
            let right_wins = usize::from(kr < kl);
            return left + right_wins * (right - left);
        }
        let mut min = 0;
        let mut min_key = children[0].key();
        for (i, c) in children.iter().enumerate().skip(1) {
            let k = c.key();
            if k < min_key {
                min = i;
                min_key = k;
            }
        }
        min
    }

    /// Moves `entry`, whose slot is `hole`, down past every child with an earlier key.
    #[inline]
    fn sift_down(&mut self, mut hole: usize, entry: Entry<E>) {
        let key = entry.key();
        let len = self.heap.len();
        loop {
            let first = hole * ARITY + 1;
            if first >= len {
                break;
            }
            let min = first + Self::earliest(&self.heap[first..(first + ARITY).min(len)]);
            if self.heap[min].key() >= key {
                break;
            }
            self.heap[hole] = self.heap[min];
            hole = min;
        }
        self.heap[hole] = entry;
    }

    /// Removes and returns the earliest event (ties: the first scheduled).
    #[inline]
    pub fn pop(&mut self) -> Option<(Micros, E)> {
        let last = self.heap.pop()?;
        if self.heap.is_empty() {
            return Some((last.time_us, last.event));
        }
        let top = self.heap[0];
        // The last entry is among the latest, so it nearly always belongs near the
        // bottom: walk the hole down along the earliest children to a leaf without
        // comparing against it, then move it up the few levels it needs (Floyd's
        // heap pop, as std's BinaryHeap does).
        let len = self.heap.len();
        let mut hole = 0;
        loop {
            let first = hole * ARITY + 1;
            if first >= len {
                break;
            }
            let min = first + Self::earliest(&self.heap[first..(first + ARITY).min(len)]);
            self.heap[hole] = self.heap[min];
            hole = min;
        }
        self.sift_up(hole, last);
        Some((top.time_us, top.event))
    }

    /// The time of the earliest pending event.
    #[inline]
    pub fn peek_time(&self) -> Option<Micros> {
        self.heap.first().map(|e| e.time_us)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Room left before the queue is full.
    #[inline]
    pub fn free(&self) -> usize {
        self.capacity - self.heap.len()
    }

    /// Drops every entry for which `live` is false, in place; returns how many were
    /// dropped. The relative order of the survivors is unchanged because their keys are.
    pub fn compact(&mut self, mut live: impl FnMut(&E) -> bool) -> usize {
        let before = self.heap.len();
        self.heap.retain(|e| live(&e.event));
        // Rebuild the heap bottom-up from the last parent.
        let len = self.heap.len();
        if len > 1 {
            for i in (0..=(len - 2) / ARITY).rev() {
                let entry = self.heap[i];
                self.sift_down(i, entry);
            }
        }
        before - self.heap.len()
    }

    /// Empties the queue and restarts the sequence, keeping the allocation.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.next_seq = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_scheduling_order() {
        // Three events at t=5 scheduled as a, b, c, and one at t=1 scheduled last:
        // the t=1 event comes first, then a, b, c in the order they were pushed.
        let mut q = EventQueue::with_capacity(8);
        q.push(5, 'a').unwrap();
        q.push(5, 'b').unwrap();
        q.push(5, 'c').unwrap();
        q.push(1, 'z').unwrap();
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['z', 'a', 'b', 'c']);
    }

    #[test]
    fn interleaved_pushes_pops_and_compactions_follow_time_then_sequence() {
        // A reference ordered set of (time, seq) against the heap, over 20 000 steps
        // of pushes (times from a small range, so ties are common), pops and, every
        // 997 steps, a compaction dropping entries whose sequence is divisible by 3.
        use std::collections::BTreeSet;
        let mut q = EventQueue::with_capacity(4096);
        let mut reference = BTreeSet::new();
        let mut seq = 0u64;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for step in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 5 < 3 && q.free() > 0 {
                let t = x % 64;
                q.push(t, seq).unwrap();
                reference.insert((t, seq));
                seq += 1;
            } else {
                assert_eq!(q.pop(), reference.pop_first());
            }
            if step % 997 == 0 {
                let dropped = q.compact(|s| s % 3 != 0);
                let before = reference.len();
                reference.retain(|&(_, s)| s % 3 != 0);
                assert_eq!(dropped, before - reference.len());
            }
            assert_eq!(q.peek_time(), reference.first().map(|&(t, _)| t));
        }
        while let Some(e) = reference.pop_first() {
            assert_eq!(q.pop(), Some(e));
        }
        assert!(q.is_empty());
    }

    #[test]
    fn full_queue_refuses_without_growing() {
        // Capacity 2: the third push fails and the queue keeps its two entries.
        let mut q = EventQueue::with_capacity(2);
        q.push(1, 1u8).unwrap();
        q.push(2, 2u8).unwrap();
        assert_eq!(q.push(3, 3u8), Err(QueueFull { capacity: 2 }));
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop(), Some((1, 1)));
    }

    #[test]
    fn compact_drops_only_dead_entries_and_keeps_order() {
        // Entries 0..10 at t = 10 - i; dropping the odd ones leaves 8, 6, 4, 2, 0 by time.
        let mut q = EventQueue::with_capacity(16);
        for i in 0..10u32 {
            q.push(10 - i as u64, i).unwrap();
        }
        assert_eq!(q.compact(|e| e % 2 == 0), 5);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec![8, 6, 4, 2, 0]);
    }
}

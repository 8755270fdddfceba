//! The pending-event set: a binary min-heap ordered by (time, insertion sequence).
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

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::Micros;

/// One scheduled event with its ordering key.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    time_us: Micros,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time_us == other.time_us && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, because `BinaryHeap` is a max-heap and we want the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time_us
            .cmp(&self.time_us)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The heap was full: the scenario needs more pending events than it was sized for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull {
    pub capacity: usize,
}

/// A bounded priority queue of events keyed by (time, insertion sequence).
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    capacity: usize,
    next_seq: u64,
}

impl<E: Copy> EventQueue<E> {
    /// Allocates room for `capacity` pending events; nothing is allocated afterwards.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
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
        self.heap.push(Entry {
            time_us,
            seq,
            event,
        });
        Ok(())
    }

    /// Removes and returns the earliest event (ties: the first scheduled).
    #[inline]
    pub fn pop(&mut self) -> Option<(Micros, E)> {
        self.heap.pop().map(|e| (e.time_us, e.event))
    }

    /// The time of the earliest pending event.
    #[inline]
    pub fn peek_time(&self) -> Option<Micros> {
        self.heap.peek().map(|e| e.time_us)
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

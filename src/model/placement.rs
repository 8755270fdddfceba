//! The placement table: which head each VM runs on, as data.
//!
//! Every question "which head is this VM on?" and "which VMs does this head hold?" is
//! answered here, never by arithmetic on VM numbers elsewhere, so that moving a VM
//! (live migration, evacuating a head) is a change to this table alone.
//!
//! The table keeps both directions: `head_of[vm]`, and for each head a fixed block of
//! `capacity` slots of which the first `count[head]` hold its VMs. A move is then a
//! swap-remove from one head's slots and a push onto another's, with the VM's head
//! rewritten; nothing is allocated after construction.
//!
//! Until a VM first moves in a replication, every VM is where the initial packing put
//! it, and both directions are plain arithmetic (`vm / vms_per_head`, and a head's
//! consecutive range). The tables are then not read, and not written either: a site of
//! a million VMs that never migrates does not fault in and fill 8 bytes per VM. The
//! first move writes the packing into the tables and from then on they are the truth,
//! until the replication ends. The head-to-VMs slot table is allocated and filled
//! before a run when the model can move VMs or asks for a head's VMs as a slice
//! ([`Placement::prepare_slots`]), so that the event loop never allocates it; anywhere
//! else (the invariant checker) the first [`Placement::vms_on`] fills it. The hot paths
//! ask for one slot at a time ([`Placement::vm_at`]) and never need it.
//!
//! A head has `site.vm_slots_per_head` slots, of which it starts with
//! `site.vms_per_head` filled: the rest is the spare room VMs move into when another
//! head is drained. Where a VM goes is [`Placement::roomiest`]'s policy: the head with
//! the most free slots, the lowest-numbered on a tie, so moves spread over the site
//! rather than filling one head, and the choice is the same in every run.

use std::cell::OnceCell;

/// VM → head and head → VMs, both kept in step.
#[derive(Clone, Debug)]
pub struct Placement {
    /// The head of each VM, once a VM has moved (`moved`); unread until then.
    head_of: Vec<u32>,
    /// Head `h` owns `slots[h * capacity .. h * capacity + count[h]]`. Filled with the
    /// initial packing by [`Placement::prepare_slots`] or the first
    /// [`Placement::vms_on`].
    slots: OnceCell<Vec<u32>>,
    /// VMs on each head.
    count: Vec<u32>,
    /// Slots per head: the most VMs one head can hold.
    capacity: u32,
    /// VMs each head starts a replication with.
    initial: u32,
    /// True once a VM has moved in this replication: the tables are then the only
    /// truth. False while every VM is where the initial packing put it.
    moved: bool,
}

impl Placement {
    /// The initial packing: head `h` holds VMs `h * vms_per_head ..` in order, and each
    /// head has room for `capacity` (≥ `vms_per_head`) VMs.
    pub fn packed(heads: u32, vms_per_head: u32, capacity: u32) -> Placement {
        assert!(capacity >= vms_per_head, "fewer slots than VMs on a head");
        Placement {
            // Zeroed memory the system hands out untouched: no page of it is written
            // unless a VM moves.
            head_of: vec![0; heads as usize * vms_per_head as usize],
            slots: OnceCell::new(),
            count: vec![vms_per_head; heads as usize],
            capacity,
            initial: vms_per_head,
            moved: false,
        }
    }

    /// Puts every VM back on the head it starts a replication on, keeping the
    /// allocations. Nothing is written unless a VM moved.
    pub fn reset(&mut self) {
        if !std::mem::replace(&mut self.moved, false) {
            return;
        }
        self.count.fill(self.initial);
        // The slots may be read through `vms_on` before the next move, so they go back
        // to the packing now; `head_of` is rewritten by the next first move.
        let (cap, initial) = (self.capacity as usize, self.initial as usize);
        if let Some(slots) = self.slots.get_mut() {
            fill_packed(slots, cap, initial);
        }
    }

    /// Allocates and fills the slot table now, before a run: a model that moves VMs or
    /// asks for a head's VMs as a slice calls this, so that the event loop never
    /// allocates it.
    pub fn prepare_slots(&mut self) {
        self.slots_table();
    }

    /// Makes the tables the truth before a VM moves: the packing written into both.
    fn materialize(&mut self) {
        if self.moved {
            return;
        }
        self.moved = true;
        let initial = self.initial as usize;
        for (vm, head) in self.head_of.iter_mut().enumerate() {
            *head = (vm / initial) as u32;
        }
        self.slots_table();
    }

    /// The slot table, filled with the packing if nothing has asked for it yet.
    #[inline]
    fn slots_table(&self) -> &[u32] {
        self.slots.get_or_init(|| {
            let (cap, initial) = (self.capacity as usize, self.initial as usize);
            let mut slots = vec![0; self.count.len() * cap];
            fill_packed(&mut slots, cap, initial);
            slots
        })
    }

    /// The slot table for writing; only after [`Placement::materialize`].
    fn slots_mut(&mut self) -> &mut [u32] {
        self.slots
            .get_mut()
            .expect("the slot table is filled before a move")
    }

    /// Moves `vm` to a free slot of `to`: a swap-remove from its head's slots (the
    /// head's last VM takes its slot) and a push onto `to`'s.
    pub fn move_vm(&mut self, vm: u32, to: u32) {
        let from = self.head_of(vm);
        assert!(from != to, "VM {vm} moved onto its own head {to}");
        assert!(self.free(to) > 0, "head {to} has no free slot for VM {vm}");
        self.materialize();
        let cap = self.capacity as usize;
        let start = from as usize * cap;
        let n = self.count[from as usize] as usize;
        let t = to as usize;
        let to_slot = t * cap + self.count[t] as usize;
        let slots = self.slots_mut();
        let i = slots[start..start + n]
            .iter()
            .position(|&v| v == vm)
            .unwrap_or_else(|| panic!("VM {vm} is not in a slot of its head {from}"));
        slots[start + i] = slots[start + n - 1];
        slots[to_slot] = vm;
        self.count[from as usize] -= 1;
        self.count[t] += 1;
        self.head_of[vm as usize] = to;
    }

    /// Free slots on `head`.
    #[inline]
    pub fn free(&self, head: u32) -> u32 {
        self.capacity - self.count[head as usize]
    }

    /// The placement policy: among the heads `eligible` accepts, the one with the most
    /// free slots beyond `reserved(head)` (slots promised to moves in flight), the
    /// lowest-numbered on a tie; `None` when none has a slot left. O(heads).
    pub fn roomiest(
        &self,
        eligible: impl Fn(u32) -> bool,
        reserved: impl Fn(u32) -> u32,
    ) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for h in 0..self.heads() {
            let free = self.free(h).saturating_sub(reserved(h));
            if free > 0 && best.is_none_or(|(_, f)| free > f) && eligible(h) {
                best = Some((h, free));
            }
        }
        best.map(|(h, _)| h)
    }

    /// The head VM `vm` is on.
    #[inline]
    pub fn head_of(&self, vm: u32) -> u32 {
        if self.moved {
            self.head_of[vm as usize]
        } else {
            debug_assert!(vm < self.vms());
            vm / self.initial
        }
    }

    /// The VM in slot `i` of `head` (`i` below [`Placement::count`]): the same as
    /// `vms_on(head)[i]`, without filling the slot table while nothing has moved.
    #[inline]
    pub fn vm_at(&self, head: u32, i: u32) -> u32 {
        debug_assert!(i < self.count(head));
        if self.moved {
            self.slots_table()[(head * self.capacity + i) as usize]
        } else {
            head * self.initial + i
        }
    }

    /// The VMs on `head` as a range of consecutive VMs in slot order, while no VM has
    /// moved in this replication (every head then holds its initial block); `None`
    /// once one has.
    #[inline]
    pub fn packed_range(&self, head: u32) -> Option<std::ops::Range<u32>> {
        (!self.moved).then(|| head * self.initial..(head + 1) * self.initial)
    }

    /// The VMs on `head`, in slot order. The first call fills the slot table if no VM
    /// has moved yet; loops over a head's VMs on a hot path use [`Placement::vm_at`].
    #[inline]
    pub fn vms_on(&self, head: u32) -> &[u32] {
        let start = head as usize * self.capacity as usize;
        &self.slots_table()[start..start + self.count[head as usize] as usize]
    }

    /// How many VMs `head` holds.
    #[inline]
    pub fn count(&self, head: u32) -> u32 {
        self.count[head as usize]
    }

    /// The most VMs one head can hold.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    pub fn heads(&self) -> u32 {
        self.count.len() as u32
    }

    pub fn vms(&self) -> u32 {
        self.head_of.len() as u32
    }

    /// Bytes the table needs for `vms` VMs on `heads` heads of `capacity` slots each.
    pub fn bytes_for(heads: u64, capacity: u64, vms: u64) -> u64 {
        vms * 4 + heads * capacity * 4 + heads * 4
    }

    /// Overwrites one VM's head without moving its slot, to corrupt the table on
    /// purpose in tests.
    #[cfg(test)]
    pub(super) fn set_head_of_unchecked(&mut self, vm: u32, head: u32) {
        self.materialize();
        self.head_of[vm as usize] = head;
    }

    /// Overwrites one head's VM count, to corrupt the table on purpose in tests.
    #[cfg(test)]
    pub(super) fn set_count_unchecked(&mut self, head: u32, count: u32) {
        self.materialize();
        self.count[head as usize] = count;
    }

    /// Overwrites slot `i` of `head`, to corrupt the table on purpose in tests.
    #[cfg(test)]
    pub(super) fn set_slot_unchecked(&mut self, head: u32, i: u32, vm: u32) {
        self.materialize();
        let cap = self.capacity;
        self.slots_mut()[(head * cap + i) as usize] = vm;
    }
}

/// Writes the initial packing into a slot table: head `h`'s first `initial` slots
/// hold VMs `h * initial ..` in order.
fn fill_packed(slots: &mut [u32], capacity: usize, initial: usize) {
    if capacity == 0 {
        return;
    }
    for (h, block) in slots.chunks_exact_mut(capacity).enumerate() {
        for (s, slot) in block[..initial].iter_mut().enumerate() {
            *slot = (h * initial + s) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_placement_agrees_in_both_directions() {
        // 3 heads × 4 VMs: VM 9 is on head 2 (9 / 4), and head 1 holds VMs 4..8.
        let p = Placement::packed(3, 4, 4);
        assert_eq!(p.head_of(9), 2);
        assert_eq!(p.vms_on(1), &[4, 5, 6, 7]);
        assert_eq!(p.count(2), 4);
        assert_eq!(p.packed_range(2), Some(8..12));
        assert_eq!(p.vm_at(2, 1), 9);
        assert_eq!((p.heads(), p.vms(), p.capacity()), (3, 12, 4));
        for h in 0..3 {
            for &vm in p.vms_on(h) {
                assert_eq!(p.head_of(vm), h);
            }
        }
    }

    #[test]
    fn a_move_keeps_both_directions_and_goes_to_the_roomiest_head() {
        // 3 heads × 2 VMs in 4 slots each. Moving VM 0 off head 0 leaves VM 1 alone
        // there; head 1 then has one free slot fewer than head 2.
        let mut p = Placement::packed(3, 2, 4);
        assert_eq!(p.vms_on(2), &[4, 5]);
        assert_eq!(p.roomiest(|h| h != 0, |_| 0), Some(1));
        p.move_vm(0, 1);
        assert_eq!(
            (p.head_of(0), p.vms_on(0), p.vms_on(1)),
            (1, &[1][..], &[2, 3, 0][..])
        );
        assert_eq!(p.roomiest(|h| h != 0, |_| 0), Some(2));
        // Reserved slots count as taken; a head with none left is never chosen.
        assert_eq!(
            p.roomiest(|h| h != 0, |h| if h == 2 { 2 } else { 0 }),
            Some(1)
        );
        assert_eq!(p.roomiest(|h| h != 0, |_| 4), None);
        assert_eq!(p.packed_range(2), None);
        p.reset();
        assert_eq!(
            (p.head_of(0), p.vms_on(0), p.vms_on(1)),
            (0, &[0, 1][..], &[2, 3][..])
        );
        assert_eq!(p.packed_range(2), Some(4..6));
    }
}

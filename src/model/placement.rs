//! The placement table: which head each VM runs on, as data.
//!
//! Every question "which head is this VM on?" and "which VMs does this head hold?" is
//! answered here, never by arithmetic on VM numbers, so that moving a VM (live
//! migration, evacuating a head) is a change to this table alone.
//!
//! The table keeps both directions: `head_of[vm]`, and for each head a fixed block of
//! `capacity` slots of which the first `count[head]` hold its VMs. A move is then a
//! swap-remove from one head's slots and a push onto another's, with the VM's head
//! rewritten; nothing is allocated after construction.
//!
//! A head has `site.vm_slots_per_head` slots, of which it starts with
//! `site.vms_per_head` filled: the rest is the spare room VMs move into when another
//! head is drained. Where a VM goes is [`Placement::roomiest`]'s policy: the head with
//! the most free slots, the lowest-numbered on a tie, so moves spread over the site
//! rather than filling one head, and the choice is the same in every run.

/// VM → head and head → VMs, both kept in step.
#[derive(Clone, Debug)]
pub struct Placement {
    /// The head of each VM.
    head_of: Vec<u32>,
    /// Head `h` owns `slots[h * capacity .. h * capacity + count[h]]`.
    slots: Vec<u32>,
    /// VMs on each head.
    count: Vec<u32>,
    /// Slots per head: the most VMs one head can hold.
    capacity: u32,
    /// VMs each head starts a replication with.
    initial: u32,
}

impl Placement {
    /// The initial packing: head `h` holds VMs `h * vms_per_head ..` in order, and each
    /// head has room for `capacity` (≥ `vms_per_head`) VMs.
    pub fn packed(heads: u32, vms_per_head: u32, capacity: u32) -> Placement {
        assert!(capacity >= vms_per_head, "fewer slots than VMs on a head");
        let mut p = Placement {
            head_of: vec![0; heads as usize * vms_per_head as usize],
            slots: vec![0; heads as usize * capacity as usize],
            count: vec![0; heads as usize],
            capacity,
            initial: vms_per_head,
        };
        p.reset();
        p
    }

    /// Puts every VM back on the head it starts a replication on, keeping the
    /// allocations.
    pub fn reset(&mut self) {
        let cap = self.capacity as usize;
        let initial = self.initial as usize;
        for (h, count) in self.count.iter_mut().enumerate() {
            for s in 0..initial {
                let vm = (h * initial + s) as u32;
                self.head_of[vm as usize] = h as u32;
                self.slots[h * cap + s] = vm;
            }
            *count = self.initial;
        }
    }

    /// Moves `vm` to a free slot of `to`: a swap-remove from its head's slots (the
    /// head's last VM takes its slot) and a push onto `to`'s.
    pub fn move_vm(&mut self, vm: u32, to: u32) {
        let from = self.head_of(vm);
        assert!(from != to, "VM {vm} moved onto its own head {to}");
        assert!(self.free(to) > 0, "head {to} has no free slot for VM {vm}");
        let cap = self.capacity as usize;
        let start = from as usize * cap;
        let n = self.count[from as usize] as usize;
        let i = self.slots[start..start + n]
            .iter()
            .position(|&v| v == vm)
            .unwrap_or_else(|| panic!("VM {vm} is not in a slot of its head {from}"));
        self.slots[start + i] = self.slots[start + n - 1];
        self.count[from as usize] -= 1;
        let t = to as usize;
        self.slots[t * cap + self.count[t] as usize] = vm;
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
        self.head_of[vm as usize]
    }

    /// The VMs on `head`, in slot order.
    #[inline]
    pub fn vms_on(&self, head: u32) -> &[u32] {
        let start = head as usize * self.capacity as usize;
        &self.slots[start..start + self.count[head as usize] as usize]
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
        self.head_of[vm as usize] = head;
    }

    /// Overwrites one head's VM count, to corrupt the table on purpose in tests.
    #[cfg(test)]
    pub(super) fn set_count_unchecked(&mut self, head: u32, count: u32) {
        self.count[head as usize] = count;
    }

    /// Overwrites slot `i` of `head`, to corrupt the table on purpose in tests.
    #[cfg(test)]
    pub(super) fn set_slot_unchecked(&mut self, head: u32, i: u32, vm: u32) {
        self.slots[(head * self.capacity + i) as usize] = vm;
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
        p.reset();
        assert_eq!(
            (p.head_of(0), p.vms_on(0), p.vms_on(1)),
            (0, &[0, 1][..], &[2, 3][..])
        );
    }
}

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
}

impl Placement {
    /// The initial packing: head `h` holds VMs `h * vms_per_head ..` in order, and each
    /// head has room for `vms_per_head` VMs.
    pub fn packed(heads: u32, vms_per_head: u32) -> Placement {
        let mut p = Placement {
            head_of: vec![0; heads as usize * vms_per_head as usize],
            slots: vec![0; heads as usize * vms_per_head as usize],
            count: vec![0; heads as usize],
            capacity: vms_per_head,
        };
        p.reset();
        p
    }

    /// Puts every VM back on the head it starts a replication on, keeping the
    /// allocations.
    pub fn reset(&mut self) {
        let cap = self.capacity as usize;
        for (h, count) in self.count.iter_mut().enumerate() {
            for s in 0..cap {
                let vm = (h * cap + s) as u32;
                self.head_of[vm as usize] = h as u32;
                self.slots[h * cap + s] = vm;
            }
            *count = self.capacity;
        }
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
        let p = Placement::packed(3, 4);
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
}

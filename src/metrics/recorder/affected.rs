//! The VMs an incident has affected, each listed once, in the order they first went
//! down.
//!
//! Telling whether a VM going down is already listed needs a mark per VM (the id of
//! the last incident it was listed in) only when the list is out of order. While every
//! VM is listed in increasing order, as when a fault kills heads and their VMs in
//! order, a VM above the last one listed is new, and any other is found or not by a
//! binary search of the sorted list. The marks are written only from the first VM that
//! comes out of order (then for every VM listed so far, once): a site-wide crash of a
//! million VMs neither reads nor writes its 2 MB of marks, and the system never has to
//! hand out their pages.
//!
//! Ids keep increasing across incidents and replications, so no mark needs clearing
//! between them; only when the 16-bit ids run out, after 65 535 incidents, do the
//! marks start again from zero (two bytes per VM are worth more on a site of millions
//! of VMs than a rare sweep).

/// The affected VMs of the open incident.
#[derive(Clone, Debug)]
pub(super) struct Affected {
    /// Each affected VM once, in the order it first went down.
    list: Vec<u32>,
    /// `mark[v]` is the id of the last incident VM v was marked in.
    mark: Vec<u16>,
    /// The open incident's id.
    id: u16,
    /// True once the list went out of order: the marks of this incident are then
    /// written for every VM listed, and they decide.
    marked: bool,
}

impl Affected {
    /// Room for every one of `vms` VMs; nothing written yet.
    pub(super) fn new(vms: u32) -> Self {
        Affected {
            list: Vec::with_capacity(vms as usize),
            // Zeroed memory the system hands out untouched: no page of it is written
            // until an incident lists a VM out of order.
            mark: vec![0; vms as usize],
            id: 0,
            marked: false,
        }
    }

    /// Starts a new incident with no VM affected.
    pub(super) fn open(&mut self) {
        if self.id == u16::MAX {
            // Ids would repeat: start again from clean marks.
            self.mark.fill(0);
            self.id = 0;
        }
        self.id += 1;
        self.list.clear();
        self.marked = false;
    }

    /// Forgets the open incident's VMs (a new replication), keeping the ids going.
    pub(super) fn clear(&mut self) {
        self.list.clear();
        self.marked = false;
    }

    /// Lists `vm`, which went down, unless the incident has listed it already.
    #[inline]
    pub(super) fn add(&mut self, vm: u32) {
        if !self.marked {
            match self.list.last() {
                None => {}
                Some(&last) if vm > last => {}
                Some(_) => match self.list.binary_search(&vm) {
                    Ok(_) => return,
                    Err(_) => self.start_marking(),
                },
            }
            if !self.marked {
                self.list.push(vm);
                return;
            }
        }
        let m = &mut self.mark[vm as usize];
        if *m != self.id {
            *m = self.id;
            self.list.push(vm);
        }
    }

    /// The list is about to go out of order: from now on the marks decide, so every
    /// VM listed so far is marked.
    #[cold]
    fn start_marking(&mut self) {
        self.marked = true;
        for &vm in &self.list {
            self.mark[vm as usize] = self.id;
        }
    }

    /// The affected VMs, in the order they first went down.
    #[inline]
    pub(super) fn vms(&self) -> &[u32] {
        &self.list
    }

    /// True when the affected VMs are listed in increasing order.
    #[inline]
    pub(super) fn sorted(&self) -> bool {
        debug_assert_eq!(!self.marked, self.list.is_sorted());
        !self.marked
    }

    pub(super) fn len(&self) -> usize {
        self.list.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adds `vms` in order and returns the list.
    fn listed(a: &mut Affected, vms: &[u32]) -> Vec<u32> {
        for &vm in vms {
            a.add(vm);
        }
        a.vms().to_vec()
    }

    #[test]
    fn each_vm_is_listed_once_in_first_down_order_sorted_or_not() {
        // Sorted: 1, 3, 3, 5, 1 lists 1, 3, 5 without a mark. Then 2 comes out of
        // order: the marks take over, and 3 and 2 again are not listed twice.
        let mut a = Affected::new(8);
        a.open();
        assert_eq!(listed(&mut a, &[1, 3, 3, 5, 1]), vec![1, 3, 5]);
        assert!(a.sorted());
        assert!(a.mark.iter().all(|&m| m == 0), "no mark written while sorted");
        assert_eq!(listed(&mut a, &[2, 3, 2, 7, 0]), vec![1, 3, 5, 2, 7, 0]);
        assert!(!a.sorted());
        // The next incident starts empty and sorted, and lists the same VMs anew.
        a.open();
        assert_eq!(listed(&mut a, &[3, 1, 3, 1]), vec![3, 1]);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn marks_start_again_when_the_ids_run_out() {
        // The first incident (id 1) lists 2 then 1, out of order, marking both. The
        // next 65 534 list VM 0 alone, in order, marking nothing. The one after runs
        // out of ids and starts again at 1: were the old marks kept, 2 and 1 would
        // seem listed already, and it would list 3 alone instead of 3, 2, 1.
        let mut a = Affected::new(4);
        a.open();
        assert_eq!(listed(&mut a, &[2, 1]), vec![2, 1]);
        for _ in 1..u16::MAX {
            a.open();
            assert_eq!(listed(&mut a, &[0]), vec![0]);
        }
        a.open();
        assert_eq!(a.id, 1);
        assert_eq!(listed(&mut a, &[3, 2, 1, 2]), vec![3, 2, 1]);
    }
}

//! The VMs an incident has affected, each listed once, in the order they first went
//! down.
//!
//! While they are consecutive VMs, each the one after the last (a fault that kills
//! whole heads in order, as a site-wide crash does), the list is only its first VM
//! and its length: nothing per VM is written until a VM breaks the run, which then
//! writes the run out once. A site-wide crash of a million VMs thus lists them
//! without touching 4 MB.
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
    /// True while the affected VMs are `first .. first + len`, each the one after
    /// the one before, and `list` is empty.
    run: bool,
    first: u32,
    len: u32,
    /// Each affected VM once, in the order it first went down, once the run broke.
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
            run: true,
            first: 0,
            len: 0,
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
        self.clear();
    }

    /// Forgets the open incident's VMs (a new replication), keeping the ids going.
    pub(super) fn clear(&mut self) {
        self.run = true;
        self.len = 0;
        self.list.clear();
        self.marked = false;
    }

    /// Lists `vm`, which went down, unless the incident has listed it already.
    #[inline]
    pub(super) fn add(&mut self, vm: u32) {
        if self.run {
            if self.len == 0 {
                self.first = vm;
            } else if vm.wrapping_sub(self.first) < self.len {
                // In the run already.
                return;
            } else if vm != self.first + self.len {
                self.break_run();
                return self.add(vm);
            }
            self.len += 1;
            return;
        }
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

    /// Lists VMs `first .. first + n` in order, as `add` of each would.
    #[inline]
    pub(super) fn add_run(&mut self, first: u32, n: u32) {
        if self.run && (self.len == 0 || first == self.first + self.len) {
            if self.len == 0 {
                self.first = first;
            }
            self.len += n;
            return;
        }
        for vm in first..first + n {
            self.add(vm);
        }
    }

    /// A VM that does not extend the run is about to be listed: the run is written
    /// out as a list first.
    #[cold]
    fn break_run(&mut self) {
        self.run = false;
        self.list.extend(self.first..self.first + self.len);
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
    pub(super) fn vms(&self) -> impl Iterator<Item = u32> + '_ {
        let run = if self.run {
            self.first..self.first + self.len
        } else {
            0..0
        };
        run.chain(self.list.iter().copied())
    }

    /// True when the affected VMs are listed in increasing order.
    #[inline]
    pub(super) fn sorted(&self) -> bool {
        debug_assert_eq!(!self.marked, self.run || self.list.is_sorted());
        !self.marked
    }

    pub(super) fn len(&self) -> usize {
        if self.run {
            self.len as usize
        } else {
            self.list.len()
        }
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
        a.vms().collect()
    }

    #[test]
    fn each_vm_is_listed_once_in_first_down_order_sorted_or_not() {
        // A run: 4, 5, 6, 5 lists 4, 5, 6 and writes nothing per VM. Then 8 breaks the
        // run but keeps the order: 1 and 3 below it are found missing by a search and
        // the marks take over, after which 3, 2 and 5 again are not listed twice.
        let mut a = Affected::new(10);
        a.open();
        assert_eq!(listed(&mut a, &[4, 5, 6, 5]), vec![4, 5, 6]);
        assert_eq!(
            a.list.capacity() - a.list.len(),
            10,
            "nothing listed in a run"
        );
        assert_eq!(listed(&mut a, &[8, 6, 9]), vec![4, 5, 6, 8, 9]);
        assert!(a.sorted());
        assert!(
            a.mark.iter().all(|&m| m == 0),
            "no mark written while sorted"
        );
        assert_eq!(
            listed(&mut a, &[1, 3, 3, 2, 5, 1]),
            vec![4, 5, 6, 8, 9, 1, 3, 2]
        );
        assert!(!a.sorted());
        assert_eq!(a.len(), 8);
        // The next incident starts empty, as a run, and lists the same VMs anew.
        a.open();
        assert_eq!(listed(&mut a, &[3, 1, 3, 1]), vec![3, 1]);
        assert_eq!(a.len(), 2);
        a.open();
        assert_eq!(listed(&mut a, &[7, 8]), vec![7, 8]);
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

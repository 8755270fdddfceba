//! The model's invariants, checked after every event when asked (tests, `--check`).
//!
//! Each check recounts from scratch what the model keeps incrementally, so a
//! bookkeeping slip anywhere shows up at the first event that makes it.

use super::maintenance::Phase;
use super::{SupState, VmState, World};
use crate::engine::Micros;

pub(super) fn check(w: &World, now_us: Micros) -> Result<(), String> {
    check_placement(w)?;
    w.sups.check_bug_values()?;
    let mut running = 0u32;
    let mut queued = 0u32;
    let mut booting = 0u32;
    let mut uncontrolled = 0u32;
    let mut killable_slip = None;
    for h in 0..w.sc.site.heads {
        let hi = h as usize;
        let counts = &w.vms.heads[hi];
        let (link, sup, hw) = (&w.links.heads[hi], &w.sups.heads[hi], &w.hw.heads[hi]);
        let mut dead = 0u32;
        let mut head_booting = 0u32;
        let mut head_running = 0u32;
        let mut head_paused = 0u32;
        for &vm in w.placement.vms_on(h) {
            let v = &w.vms.vm[vm as usize];
            match v.state {
                VmState::Running => head_running += 1,
                VmState::Dead => dead += 1,
                VmState::Queued => queued += 1,
                VmState::Booting => head_booting += 1,
                VmState::Paused => head_paused += 1,
            }
            if v.state != VmState::Running && w.rec.down_since_us(vm) > now_us {
                return Err(format!("VM {vm} went down in the future"));
            }
        }
        booting += head_booting;
        running += head_running;
        if dead != counts.dead_unreported {
            return Err(format!(
                "head {h}: {dead} dead VMs but {} counted unreported",
                counts.dead_unreported
            ));
        }
        // Checked last, so the slips the checks below name are reported as such.
        let killable = head_running + head_booting + head_paused;
        if killable != counts.killable && killable_slip.is_none() {
            killable_slip = Some(format!(
                "head {h}: {killable} VMs running or booting but {} counted killable",
                counts.killable
            ));
        }
        if head_booting != counts.booting {
            return Err(format!(
                "head {h}: {head_booting} VMs booting but {} counted",
                counts.booting
            ));
        }
        if let Some(limit) = w.sc.brain.per_head_concurrency
            && head_booting > limit
        {
            return Err(format!(
                "head {h}: {head_booting} boots exceed the per-head limit {limit}"
            ));
        }
        let controllable = w.controllable(h);
        if controllable && dead > 0 && !w.maint.holds(h) {
            return Err(format!(
                "head {h} is controllable but has {dead} unreported dead VMs"
            ));
        }
        if link.up && link.causes > 0 {
            return Err(format!(
                "head {h}: link up with {} active faults",
                link.causes
            ));
        }
        if link.handshake && (link.up || link.causes > 0) {
            return Err(format!(
                "head {h}: a handshake on a link that is up or has a cause"
            ));
        }
        if (sup.state == SupState::Off) == hw.up {
            return Err(format!(
                "head {h}: supervisor state disagrees with the hardware"
            ));
        }
        if !controllable {
            uncontrolled += 1;
        }
        if !hw.up && head_running + head_booting > 0 {
            return Err(format!(
                "head {h}: {} VMs running or booting on failed hardware",
                head_running + head_booting
            ));
        }
        if w.maint.holds(h) && head_running + head_booting + head_paused > 0 {
            return Err(format!(
                "head {h}: {} VMs running, booting or paused under maintenance",
                head_running + head_booting + head_paused
            ));
        }
    }
    let in_maintenance = w
        .maint
        .phase
        .iter()
        .filter(|p| matches!(p, Phase::Draining | Phase::Working))
        .count() as u32;
    if in_maintenance != w.maint.active || in_maintenance > w.sc.maintenance.max_concurrent_heads {
        return Err(format!(
            "{in_maintenance} heads in maintenance, {} counted, at most {} allowed",
            w.maint.active, w.sc.maintenance.max_concurrent_heads
        ));
    }
    if w.maint.migrations_in_flight() > w.sc.maintenance.migration_concurrency {
        return Err("more migrations in flight than `migration.concurrency`".into());
    }
    let vms = w.vms.vm.len() as u32;
    let down = vms - running;
    if down != w.rec.vms_down() {
        return Err(format!(
            "{down} VMs not running but {} recorded down",
            w.rec.vms_down()
        ));
    }
    if booting != w.brain.in_flight {
        return Err(format!(
            "{booting} VMs booting site-wide but {} boots in flight",
            w.brain.in_flight
        ));
    }
    if w.brain.in_flight > w.sc.brain.reboot_concurrency {
        return Err(format!(
            "{} boots in flight exceed the limit {}",
            w.brain.in_flight, w.sc.brain.reboot_concurrency
        ));
    }
    if queued != w.brain.queue.len() {
        return Err(format!(
            "{queued} VMs queued but the queue holds {}",
            w.brain.queue.len()
        ));
    }
    if uncontrolled != w.rec.heads_uncontrolled() {
        return Err(format!(
            "{uncontrolled} heads out of control but {} recorded",
            w.rec.heads_uncontrolled()
        ));
    }
    if !w.brain.up && w.links.heads.iter().any(|l| l.up) {
        return Err("a link is up while the brain fails over".into());
    }
    if let Some(slip) = killable_slip {
        return Err(slip);
    }
    Ok(())
}

/// The placement table agrees with itself: every VM sits in exactly one slot, of the
/// head it says it is on, and no head holds more VMs than it has slots.
fn check_placement(w: &World) -> Result<(), String> {
    let p = &w.placement;
    if p.heads() as usize != w.sc.site.heads as usize || p.vms() as usize != w.vms.vm.len() {
        return Err("the placement table is sized for another site".into());
    }
    let mut seen = vec![false; w.vms.vm.len()];
    for h in 0..p.heads() {
        if p.count(h) > p.capacity() {
            return Err(format!(
                "head {h} holds {} VMs but has {} slots",
                p.count(h),
                p.capacity()
            ));
        }
        for &vm in p.vms_on(h) {
            if vm as usize >= w.vms.vm.len() || p.head_of(vm) != h {
                return Err(format!(
                    "VM {vm} is in a slot of head {h} but placed elsewhere"
                ));
            }
            if std::mem::replace(&mut seen[vm as usize], true) {
                return Err(format!("VM {vm} has two slots"));
            }
        }
    }
    if let Some(vm) = seen.iter().position(|s| !s) {
        return Err(format!("VM {vm} has no slot on any head"));
    }
    Ok(())
}

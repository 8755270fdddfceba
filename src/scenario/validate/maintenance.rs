//! Validation of planned maintenance and live migration (`site.vm_slots_per_head`,
//! `maintenance`, `migration`): kept apart so that the maintenance model's fields are
//! read in one place.

use super::super::error::FieldError;
use super::super::raw::RawScenario;
use super::super::schema::{self, field_path};
use super::super::types::{Drain, MaintenanceParams, RolloutDrain, Scenario};
use super::{NO_DIST, Problems, dist, verr};
use crate::engine::US_PER_S;

/// The maintenance settings of `raw`, checked; stand-ins after recording the problems.
pub(super) fn maintenance(p: &mut Problems, raw: &RawScenario) -> MaintenanceParams {
    let slots_field = field_path!("site.vm_slots_per_head");
    let vms_per_head = raw.site.vms_per_head;
    let vm_slots_per_head = match raw.site.vm_slots_per_head {
        None => vms_per_head,
        // A count out of its range is refused by the range check.
        Some(_) if p.failed(slots_field) => vms_per_head,
        Some(n) => {
            let checked = if n < vms_per_head {
                verr(
                    slots_field,
                    format!("must be ≥ site.vms_per_head ({vms_per_head}), found {n}"),
                )
            } else {
                Ok(n)
            };
            p.take(checked, vms_per_head)
        }
    };
    let m = &raw.maintenance;
    let mg = &raw.migration;
    let (memory, bandwidth) = (mg.vm_memory_gib, mg.bandwidth_gib_per_s);
    MaintenanceParams {
        vm_slots_per_head,
        per_head_per_year: m.per_head_per_year,
        duration: p.take(
            dist(field_path!("maintenance.duration"), &m.duration),
            NO_DIST,
        ),
        drain: m.drain,
        max_concurrent_heads: m.max_concurrent_heads,
        migration_concurrency: mg.concurrency,
        // Whole microseconds, at least one: a copy is never instantaneous.
        migration_copy_us: (libm::round(memory / bandwidth * US_PER_S as f64) as u64).max(1),
        migration_pause: p.take(dist(field_path!("migration.pause"), &mg.pause), NO_DIST),
    }
}

/// Warns of live migration that can never move a VM: without a spare slot on any head
/// every VM of a maintained head is rebooted, as with `drain: Reboot`.
pub(super) fn warnings(sc: &Scenario, out: &mut Vec<FieldError>) {
    let m = &sc.maintenance;
    if m.per_head_per_year > 0.0
        && m.drain == Drain::LiveMigrate
        && m.vm_slots_per_head == sc.site.vms_per_head
    {
        out.push(FieldError::new(
            field_path!("maintenance.drain"),
            "has no effect: without spare slots (site.vm_slots_per_head = \
             site.vms_per_head) no VM can be migrated, and every one is rebooted as with \
             Reboot",
        ));
    }
}

/// Warns of a `migration:` section, or spare slots, that nothing uses: no maintenance
/// drained by live migration, no announced failure to evacuate heads before, and no
/// rollout drain; and of `maintenance:` settings with no window ever falling due.
pub(super) fn idle_warnings(raw: &RawScenario, sc: &Scenario, out: &mut Vec<FieldError>) {
    let m = &sc.maintenance;
    let migrates = (m.per_head_per_year > 0.0 && m.drain == Drain::LiveMigrate)
        || (sc.head.predicted_fraction > 0.0 && sc.head.failures_per_year > 0.0)
        || sc
            .changes
            .iter()
            .any(|c| c.drain == RolloutDrain::LiveMigrate);
    let defaults = schema::defaults();
    if !migrates {
        if raw.migration != defaults.migration {
            out.push(FieldError::new(
                field_path!("migration"),
                "has no effect: nothing migrates a VM (no maintenance with drain: \
                 LiveMigrate, no announced head failure, no rollout with drain: LiveMigrate)",
            ));
        }
        if m.vm_slots_per_head > sc.site.vms_per_head {
            out.push(FieldError::new(
                field_path!("site.vm_slots_per_head"),
                "has no effect: spare slots only take migrated VMs, and nothing migrates \
                 one (no maintenance with drain: LiveMigrate, no announced head failure, no \
                 rollout with drain: LiveMigrate)",
            ));
        }
    }
    if m.per_head_per_year == 0.0 {
        let mut given = raw.maintenance.clone();
        given.per_head_per_year = defaults.maintenance.per_head_per_year;
        if given != defaults.maintenance {
            out.push(FieldError::new(
                field_path!("maintenance.per_head_per_year"),
                "is 0: no maintenance window ever falls due, so the other maintenance \
                 settings have no effect",
            ));
        }
    }
}

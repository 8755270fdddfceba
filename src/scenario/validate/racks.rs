//! Validation of boot contention and of racks: the settings that can never have an
//! effect, worth a warning.

use super::super::error::FieldError;
use super::super::schema::field_path;
use super::super::types::Scenario;

/// Warns of a boot slowdown that no boot can ever feel: site-wide contention needs
/// two boots in flight at once, per-head contention two on one head.
pub(super) fn boot_warnings(sc: &Scenario, out: &mut Vec<FieldError>) {
    let b = &sc.brain;
    if b.boot_slowdown_per_boot_on_site > 0.0 && b.reboot_concurrency == 1 {
        out.push(FieldError::new(
            field_path!("brain.boot_slowdown_per_boot_on_site"),
            "has no effect: with brain.reboot_concurrency = 1 no boot ever runs beside \
             another",
        ));
    }
    let one_per_head =
        b.reboot_concurrency == 1 || b.per_head_concurrency == Some(1) || sc.site.vms_per_head == 1;
    if b.boot_slowdown_per_boot_on_head > 0.0 && one_per_head {
        out.push(FieldError::new(
            field_path!("brain.boot_slowdown_per_boot_on_head"),
            "has no effect: at most one boot runs on a head at a time \
             (brain.reboot_concurrency, brain.per_head_concurrency or site.vms_per_head \
             is 1)",
        ));
    }
}

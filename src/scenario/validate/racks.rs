//! Validation of boot contention and of racks: the settings that can never have an
//! effect, worth a warning.

use super::super::error::FieldError;
use super::super::raw::{RawScenario, RawScope};
use super::super::schema::{SCOPES, field_path};
use super::super::types::{RackParams, Scenario, Scope};
use super::{NO_DIST, Problems, VResult, dist, in_range, smallest_fraction, verr};

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

/// The site's size as scopes need it: 0 for a head or rack count that is itself
/// wrong, so that the checks needing it are left out.
#[derive(Clone, Copy, Debug)]
pub(super) struct ScopeSite {
    pub(super) heads: u32,
    pub(super) racks: u32,
}

/// Checks `site.racks` (at least 1, at most `site.heads`: a rack without a head could
/// never be partitioned) and returns the sizes scopes are checked against.
pub(super) fn site_racks(p: &mut Problems, raw: &RawScenario, heads_ok: bool) -> ScopeSite {
    let field = field_path!("site.racks");
    let racks = raw.site.racks;
    let mut ok = !p.failed(field);
    if ok && heads_ok && racks > raw.site.heads {
        p.errors.push(FieldError::new(
            field,
            format!(
                "must not exceed site.heads ({}), found {racks}: every rack holds at least \
                 one head",
                raw.site.heads
            ),
        ));
        ok = false;
    }
    ScopeSite {
        heads: if heads_ok { raw.site.heads } else { 0 },
        racks: if ok { racks } else { 0 },
    }
}

/// The `racks` section: a switch failure rate and its repair time.
pub(super) fn racks(p: &mut Problems, raw: &RawScenario) -> RackParams {
    RackParams {
        switch_failures_per_year: raw.racks.switch_failures_per_year,
        switch_repair: p.take(
            dist(field_path!("racks.switch_repair"), &raw.racks.switch_repair),
            NO_DIST,
        ),
    }
}

/// A `Racks([...])` or `RackFraction(F)` scope, checked against the site's `racks`
/// (0 when `site.racks` is wrong). Like a head scope, it must touch at least one rack.
pub(super) fn scope(field: &str, s: &RawScope, racks: u32) -> VResult<Scope> {
    match s {
        RawScope::Racks(list) => {
            if list.is_empty() {
                return verr(field, "Racks([...]) needs at least one rack index");
            }
            if racks > 0
                && let Some(r) = list.iter().find(|r| **r >= racks)
            {
                return verr(
                    field,
                    format!(
                        "rack {r} does not exist: the site has racks 0 to {} (site.racks)",
                        racks - 1
                    ),
                );
            }
            if let Some((_, r)) = list
                .iter()
                .enumerate()
                .find(|(i, r)| list[..*i].contains(r))
            {
                return verr(
                    field,
                    format!("rack {r} is listed twice: list each rack once"),
                );
            }
            Ok(Scope::Racks(list.clone()))
        }
        RawScope::RackFraction(f) => {
            // The model touches round(f · racks) racks (half away from zero); a
            // fraction out of its range is refused by the range check.
            if racks > 0
                && in_range(SCOPES, "RackFraction", *f)
                && libm::round(f * racks as f64) < 1.0
            {
                return verr(
                    field,
                    format!(
                        "RackFraction({f}) of the site's {racks} racks rounds to 0 racks, so \
                         the fault would touch no head; the smallest fraction that touches one \
                         rack is {}",
                        smallest_fraction(racks)
                    ),
                );
            }
            Ok(Scope::RackFraction(*f))
        }
        RawScope::All | RawScope::Fraction(_) | RawScope::Heads(_) => {
            unreachable!("head scopes are checked by validate::scope")
        }
    }
}

//! Validation of evacuation on a predicted head failure (`head.predicted_fraction`,
//! `head.warning`): kept apart so that the fields the hardware model's warnings read
//! are checked in one place.

use super::super::error::FieldError;
use super::super::raw::RawScenario;
use super::super::schema::{self, field_path};
use super::super::types::{HeadParams, Scenario};
use super::{Problems, duration};

/// `head` with its prediction settings read from `raw` and checked.
pub(super) fn head(p: &mut Problems, raw: &RawScenario, head: HeadParams) -> HeadParams {
    HeadParams {
        predicted_fraction: raw.head.predicted_fraction,
        warning_us: p.take(duration(field_path!("head.warning"), &raw.head.warning), 0),
        ..head
    }
}

/// Warns of prediction settings that can never act: announced failures with no random
/// head failure to announce (scheduled `HeadFailure` faults come unannounced) or with
/// no spare slot to evacuate a VM to, and a warning time with nothing announced.
pub(super) fn warnings(raw: &RawScenario, sc: &Scenario, out: &mut Vec<FieldError>) {
    let fraction = field_path!("head.predicted_fraction");
    if sc.head.predicted_fraction > 0.0 {
        if sc.head.failures_per_year == 0.0 {
            out.push(FieldError::new(
                fraction,
                "has no effect: head.failures_per_year is 0, so no failure is announced \
                 (scheduled HeadFailure faults come without warning)",
            ));
        } else if sc.maintenance.vm_slots_per_head == sc.site.vms_per_head {
            out.push(FieldError::new(
                fraction,
                "has no effect: without spare slots (site.vm_slots_per_head = \
                 site.vms_per_head) no VM can be evacuated, and every one dies with its head",
            ));
        }
    } else if raw.head.warning != schema::defaults().head.warning {
        out.push(FieldError::new(
            field_path!("head.warning"),
            "has no effect: head.predicted_fraction is 0, so no failure is announced",
        ));
    }
}

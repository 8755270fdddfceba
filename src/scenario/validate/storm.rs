//! Validation of the brain's admission of reconnects (`brain.accept_per_s`,
//! `brain.resync_per_vm`, `brain.accept_timeout`): kept apart from the rest of the
//! brain's checks so that the admission model's fields are read in one place.

use super::{Problems, VResult, duration, verr};
use crate::engine::{Micros, US_PER_S};
use crate::metrics::format::fmt_input;
use crate::scenario::FieldError;
use crate::scenario::raw::{RawBrain, RawScenario};
use crate::scenario::schema::{self, field_path};
use crate::scenario::types::{Admission, Scenario};

/// The admission settings of `b`, checked; a stand-in after recording the problems.
pub(super) fn admission(p: &mut Problems, b: &RawBrain) -> Admission {
    let accept_interval_us = match b.accept_per_s {
        None => None,
        // A rate out of its range is refused by the range check.
        Some(_) if p.failed(field_path!("brain.accept_per_s")) => None,
        Some(rate) => p.take(interval(rate).map(Some), None),
    };
    let resync = field_path!("brain.resync_per_vm");
    let timeout = field_path!("brain.accept_timeout");
    Admission {
        accept_interval_us,
        resync_per_vm_us: p.take(duration(resync, &b.resync_per_vm), 0),
        accept_timeout_us: p.take(duration(timeout, &b.accept_timeout), 1),
    }
}

/// The brain's time per accept for `rate` accepts a second, to the microsecond.
fn interval(rate: f64) -> VResult<Micros> {
    let field = field_path!("brain.accept_per_s");
    // The range caps the rate at one accept a microsecond, so the interval is never 0.
    let us = libm::round(US_PER_S as f64 / rate) as Micros;
    if us == 0 {
        return verr(
            field,
            format!(
                "must be at most 1000000 a second, found {}",
                fmt_input(rate)
            ),
        );
    }
    Ok(us)
}

/// Warns of an accept timeout without an accept rate: every reconnect is then
/// accepted at once, and none waits long enough to time out.
pub(super) fn warnings(raw: &RawScenario, sc: &Scenario, out: &mut Vec<FieldError>) {
    if sc.brain.admission.accept_interval_us.is_none()
        && raw.brain.accept_timeout != schema::defaults().brain.accept_timeout
    {
        out.push(FieldError::new(
            field_path!("brain.accept_timeout"),
            "has no effect without brain.accept_per_s: every reconnect is accepted at once \
             and none waits for a timeout",
        ));
    }
}

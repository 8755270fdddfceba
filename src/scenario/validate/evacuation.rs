//! Validation of evacuation on a predicted head failure (`head.predicted_fraction`,
//! `head.warning`): kept apart so that the fields the hardware model's warnings read
//! are checked in one place.

use super::super::raw::RawScenario;
use super::super::schema::field_path;
use super::super::types::HeadParams;
use super::{Problems, duration};

/// `head` with its prediction settings read from `raw` and checked.
pub(super) fn head(p: &mut Problems, raw: &RawScenario, head: HeadParams) -> HeadParams {
    HeadParams {
        predicted_fraction: raw.head.predicted_fraction,
        warning_us: p.take(duration(field_path!("head.warning"), &raw.head.warning), 0),
        ..head
    }
}

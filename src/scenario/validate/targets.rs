//! The model's `targets`: each text parsed with [`crate::scenario::target`]'s syntax.

use super::Problems;
use crate::scenario::FieldError;
use crate::scenario::schema::field_path;
use crate::scenario::target::Target;

/// Every target of the model; each one that does not parse is an error at
/// `targets[i]`, and the others are still checked.
pub(super) fn targets(p: &mut Problems, raw: &[String]) -> Vec<Target> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, text) in raw.iter().enumerate() {
        match Target::parse(text) {
            Ok(t) if out.iter().any(|o: &Target| o.text() == t.text()) => {
                p.errors.push(FieldError::new(
                    format!("{}[{i}]", field_path!("targets")),
                    format!("target `{}` is listed twice", t.text()),
                ))
            }
            Ok(t) => out.push(t),
            Err(e) => p.errors.push(FieldError::new(
                format!("{}[{i}]", field_path!("targets")),
                e,
            )),
        }
    }
    out
}

//! The model's `targets`: each text parsed with [`crate::scenario::target`]'s syntax.

use super::Problems;
use crate::scenario::FieldError;
use crate::scenario::overrides::same_target;
use crate::scenario::schema::field_path;
use crate::scenario::target::Target;

/// Every target of the model; each one that does not parse, or says what an earlier
/// one says (by meaning: `<= 1h` is `<= 60m`), is an error at `targets[i]`, and the
/// others are still checked.
pub(super) fn targets(p: &mut Problems, raw: &[String]) -> Vec<Target> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, text) in raw.iter().enumerate() {
        match Target::parse(text) {
            Ok(t) if let Some(o) = out.iter().find(|o: &&Target| same_target(o, &t)) => {
                let also = if o.text() == t.text() {
                    String::new()
                } else {
                    format!(" (as `{}`)", o.text())
                };
                p.errors.push(FieldError::new(
                    format!("{}[{i}]", field_path!("targets")),
                    format!("target `{}` is listed twice{also}", t.text()),
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

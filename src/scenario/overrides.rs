//! `--set PATH=VALUE` overrides: the paths and what each accepts come from the schema
//! table ([`super::schema::FIELDS`]); `faults[i]` replaces or appends one fault.

use super::diagnose::field_error;
use super::error::{FieldError, Location, printable};
use super::raw::{RawFault, RawScenario};
use super::schema::{self, FAULTS, SET_PATHS};
use super::{ron_options, suggest};

/// Applies one `PATH=VALUE` override; returns the field path it set. Errors name the
/// `--set` argument.
pub fn apply_set(raw: &mut RawScenario, arg: &str) -> Result<String, FieldError> {
    let blame = |path: Option<&str>, message: String| FieldError {
        path: path.map(str::to_string),
        location: Location::Set(arg.to_string()),
        message,
    };
    let Some((path, value)) = arg.split_once('=') else {
        return Err(blame(
            None,
            "expected PATH=VALUE, e.g. brain.reboot_concurrency=40".to_string(),
        ));
    };
    let path = path.trim();
    let value = value.trim();
    if let Some(field) = schema::field(path) {
        return field
            .set(raw, value)
            .map(|()| path.to_string())
            .map_err(|code| blame(Some(path), unreadable(value, &field.expected(), &code)));
    }
    // `faults[i]` replaces fault i, or appends one when i is the number of faults.
    if let Some(index) = path
        .strip_prefix("faults[")
        .and_then(|rest| rest.strip_suffix(']'))
    {
        let n = raw.faults.len();
        let i: usize = index
            .parse()
            .map_err(|_| blame(Some(path), format!("`{index}` is not a fault index")))?;
        if i > n {
            return Err(blame(
                Some(path),
                format!("the model has {n} faults: use an index from 0 to {n} (to append)"),
            ));
        }
        let fault: RawFault = ron_options().from_str(value).map_err(|e| {
            let expected = format!("a fault such as {}", FAULTS[0].example);
            blame(Some(path), unreadable(value, &expected, &e.code))
        })?;
        if i == n {
            raw.faults.push(fault);
        } else {
            raw.faults[i] = fault;
        }
        return Ok(path.to_string());
    }
    let hint = suggest::nearest_path(path)
        .map(|s| format!(" Did you mean `{s}`?"))
        .unwrap_or_default();
    Err(blame(
        Some(path),
        format!(
            "unknown path.{hint} Settable paths: {}, and faults[i].",
            SET_PATHS.join(", ")
        ),
    ))
}

/// The message for a value `text` that does not read as `expected`.
fn unreadable(text: &str, expected: &str, code: &ron::Error) -> String {
    let detail = match code {
        ron::Error::NoSuchEnumVariant { .. }
        | ron::Error::NoSuchStructField { .. }
        | ron::Error::MissingStructField { .. } => {
            format!(" ({})", field_error("", code, None).message)
        }
        _ => String::new(),
    };
    if text.is_empty() {
        return format!("the value is empty: expected {expected}");
    }
    format!(
        "cannot read `{}`: expected {expected}{detail}",
        printable(text)
    )
}

//! Loading: a model file's text (read with a bound on its size) → the raw mirror →
//! `--set` overrides → a validated scenario, with every error placed in the file or
//! on the override it came from.

use super::diagnose::parse_error;
use super::error::{FieldError, Location, ScenarioError};
use super::raw::RawScenario;
use super::{LoadedModel, bare, locate, overrides, validate};

/// The largest model file read: a model is a page of text, so anything bigger is
/// refused before it is read (this also stops reads of endless files such as
/// `/dev/zero`).
pub const MAX_MODEL_FILE_BYTES: u64 = 16 << 20;

/// Reads, overrides and validates a model file.
pub fn load(path: &str, sets: &[String]) -> Result<LoadedModel, ScenarioError> {
    let source = read_model_file(path)
        .map_err(|message| FieldError::general(Location::File, message).in_file(path))?;
    load_str(path, &source, sets)
}

/// The text of a model file, read with a bound on its size.
fn read_model_file(path: &str) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        format!("cannot read the model file: {why}")
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err("cannot read the model file: it is a directory, not a file".to_string());
    }
    let mut bytes = Vec::new();
    file.take(MAX_MODEL_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_MODEL_FILE_BYTES {
        return Err(format!(
            "the model file is larger than {} MiB; a model file is RON text of a few \
             kilobytes",
            MAX_MODEL_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the model file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Like [`load`], from text already read.
///
/// A UTF-8 byte-order mark at the start (some Windows editors write one) is not part
/// of the model: it is dropped, and lines and columns count from the text after it,
/// as editors show them.
pub fn load_str(path: &str, source: &str, sets: &[String]) -> Result<LoadedModel, ScenarioError> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut raw = parse_raw(source).map_err(|e| e.in_file(path))?;
    // The field each override set, with the override.
    let mut overridden: Vec<(String, String)> = Vec::new();
    for arg in sets {
        let field = overrides::apply_set(&mut raw, arg).map_err(|e| e.in_file(path))?;
        overridden.push((field, arg.clone()));
    }
    let scenario = validate::validate(&raw).map_err(|errors| {
        let placed = errors
            .into_iter()
            .map(|error| place(source, &overridden, error))
            .collect();
        ScenarioError::all(path, placed).unwrap_or_else(|| {
            FieldError::general(Location::File, "the model is not valid").in_file(path)
        })
    })?;
    // The file's own ranges must hold at their corners; with overrides the model run
    // is not the file, and a study checks its ranges with its overrides itself.
    if sets.is_empty() {
        validate::uncertain::check_corners(&raw, &scenario.uncertain).map_err(|e| {
            ScenarioError::all(path, vec![place(source, &overridden, e)]).unwrap_or_else(|| {
                FieldError::general(Location::File, "the model is not valid").in_file(path)
            })
        })?;
    }
    let warnings = validate::warnings_given(&raw, &scenario)
        .into_iter()
        .filter_map(|w| ScenarioError::all(path, vec![place(source, &overridden, w)]))
        .map(|w| w.to_string())
        .collect();
    Ok(LoadedModel {
        warnings,
        path: path.to_string(),
        source: source.to_string(),
        raw,
        scenario,
    })
}

/// `error` placed where the user wrote the value: on the override that set its field
/// (or a parent of it), else at the field in the file.
fn place(source: &str, overridden: &[(String, String)], error: FieldError) -> FieldError {
    let field = error.path.clone().unwrap_or_default();
    let from_set = overridden.iter().rev().find(|(f, _)| {
        field == *f
            || field.starts_with(&format!("{f}."))
            || field.starts_with(&format!("{f}["))
            || f.starts_with(&format!("{field}."))
    });
    let location = match from_set {
        Some((_, arg)) => Location::Set(arg.clone()),
        None => locate::written_at(source, &field),
    };
    error.at(location)
}

/// Parses model text (no overrides, no validation): errors carry line and column.
/// A bare duration where a distribution is wanted (`repair: "4h"`) means `Fixed`
/// ([`bare`]).
pub fn parse_raw(source: &str) -> Result<RawScenario, FieldError> {
    if source.trim().is_empty() {
        return Err(FieldError::general(
            Location::File,
            "the file is empty: a model is `(name: ..., horizon: ..., site: (...), ...)`",
        ));
    }
    bare::read(source, "").map_err(|stop| {
        let ((line, column), field, code, trailing) = &stop.failure;
        let error = parse_error(&stop.text, (*line, *column), field.clone(), code, *trailing);
        match error.location {
            Location::At { line, column } => {
                let (line, column) = stop.as_written((line, column));
                error.at(Location::At { line, column })
            }
            _ => error,
        }
    })
}

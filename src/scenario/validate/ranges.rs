//! The range check: every value to which the schema gives a range, from its fields
//! down to the parameters of their variants (a distribution's, a fault's, a scope's,
//! the broker's), read from the raw model by its path and refused when outside the
//! range, with what the range allows. The rest of validation converts values and
//! checks what ties them together.

use super::super::duration::parse_duration_us;
use super::super::error::invisible;
use super::super::error::{FieldError, Location};
use super::super::raw::RawScenario;
use super::super::schema::tree::{self, Node};
use super::super::schema::{self, FAULTS, FIELDS, Kind, MAX_NAME_CHARS, Param, Range, Variant};
use crate::metrics::format::fmt_input;

/// Every value of `raw` outside its range, in the order of the schema.
pub(super) fn check(raw: &RawScenario) -> Vec<FieldError> {
    let tree = match tree::of(raw) {
        Ok(tree) => tree,
        Err(e) => {
            return vec![FieldError::general(
                Location::File,
                format!("cannot read the model's values: {e}"),
            )];
        }
    };
    let mut out = Vec::new();
    for field in FIELDS {
        if let Some(node) = tree.at(field.path) {
            value(&mut out, field.path, "", field.kind, field.range, node);
        }
    }
    out
}

/// `node`, the value at `path` of kind `kind`, checked against `range`, and the
/// values inside it against theirs. `what` is the variant a tuple variant's value
/// belongs to ("Fraction"), named in the message; "" otherwise.
fn value(out: &mut Vec<FieldError>, path: &str, what: &str, kind: Kind, range: Range, node: &Node) {
    // "must be {allowed}{or}, found {found}", after the variant's name if any.
    let mut refuse = |or: &str, found: String| {
        if let Some(allowed) = range.allowed() {
            let what = if what.is_empty() {
                String::new()
            } else {
                format!("{what} ")
            };
            out.push(FieldError::new(
                path,
                format!("{what}must be {allowed}{or}, found {found}"),
            ));
        }
    };
    match (kind, node) {
        (Kind::List(inner), Node::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                value(out, &format!("{path}[{i}]"), what, *inner, range, item);
            }
        }
        (Kind::Faults, Node::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let Node::Variant(name, inner) = item
                    && let Some(v) = schema::variant(FAULTS, name)
                {
                    params(out, &format!("{path}[{i}]"), v, inner);
                }
            }
        }
        (Kind::Record(params), record) => named(out, path, params, record),
        (kind, Node::Variant(name, inner)) => {
            if let Some(v) = kind.variants().and_then(|vs| schema::variant(vs, name)) {
                params(out, path, v, inner);
            }
        }
        (_, Node::Number(v)) if !range.allows(*v) => refuse("", fmt_input(*v)),
        (kind, Node::Whole(v)) if !range.allows(*v as f64) => {
            let or = if kind == Kind::OptionalCount {
                " (or None)"
            } else {
                ""
            };
            refuse(or, v.to_string())
        }
        (Kind::Duration, Node::Text(text)) => {
            // A duration that does not read is refused where it is converted.
            if let Ok(us) = parse_duration_us(text)
                && !range.allows(us as f64)
            {
                refuse("", format!("{text:?}"));
            }
        }
        (Kind::Text, Node::Text(text)) if range == Range::Name => {
            if let Err(message) = name(text) {
                out.push(FieldError::new(path, message));
            }
        }
        _ => {}
    }
}

/// The parameters of variant `v`, whose value at `path` holds `inner`.
fn params(out: &mut Vec<FieldError>, path: &str, v: &Variant, inner: &Node) {
    match v.params {
        [p] if p.name.is_empty() => value(out, path, v.name, p.kind, p.range, inner),
        params => named(out, path, params, inner),
    }
}

/// The named `params` of the record `node` at `path`.
fn named(out: &mut Vec<FieldError>, path: &str, params: &[Param], node: &Node) {
    for p in params {
        if let Some(n) = node.get(p.name) {
            value(out, &format!("{path}.{}", p.name), "", p.kind, p.range, n);
        }
    }
}

/// A model name: shown in every output, it must be printable on one line and fit a
/// report table's cell.
pub(super) fn name(name: &str) -> Result<(), String> {
    let allowed = || Range::Name.allowed().unwrap_or_default();
    if name.trim().is_empty() {
        return Err("must not be empty".to_string());
    }
    let length = name.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(format!("is {length} characters long: use {}", allowed()));
    }
    if let Some((i, c)) = name.chars().enumerate().find(|(_, c)| invisible(*c)) {
        return Err(format!(
            "holds the control or invisible character {:?} at character {}: use {}",
            c,
            i + 1,
            allowed()
        ));
    }
    if name.contains('|') {
        return Err(format!(
            "holds `|`, which would split the report's tables: use {}",
            allowed()
        ));
    }
    Ok(())
}

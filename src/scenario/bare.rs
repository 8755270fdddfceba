//! A bare duration means `Fixed`: where a distribution is wanted, a duration in
//! double quotes (`repair: "4h"`) reads as `Fixed("4h")`, in a model file and in a
//! `--set` value alike. The parser stops at such a string; the text is read again
//! with it written `Fixed("4h")`, and the place of a later error is given in the text
//! as it was written.

use super::diagnose::{clean_path, pos};
use super::{ron_options, schema};
use serde::de::DeserializeOwned;

/// The most bare durations read as `Fixed` in one text (a model has a handful of
/// distributions; the bound keeps a hostile file from being re-read without end).
const MAX_BARE_DURATIONS: usize = 64;

/// Where `Fixed(` was inserted and where its `)` went (lines and columns, 1-based).
type Patch = ((usize, usize), (usize, usize));

/// Where the parser stopped: position, field path (if serde knew it), error, and
/// whether it was after the value's end.
pub(super) type Failure = ((usize, usize), Option<String>, ron::Error, bool);

/// Where reading stopped: the failure in `text`, the text as read (its bare
/// durations written `Fixed(...)`).
pub(super) struct Stop {
    pub(super) failure: Failure,
    pub(super) text: String,
    patches: Vec<Patch>,
}

impl Stop {
    /// A position in [`Stop::text`] as a position in the text as written.
    pub(super) fn as_written(&self, (line, mut column): (usize, usize)) -> (usize, usize) {
        for &((l, open), (_, close)) in self.patches.iter().rev() {
            if l != line || column <= open {
                continue;
            }
            if column > close {
                column -= 1;
            }
            column = column.saturating_sub(6).max(open);
        }
        (line, column)
    }
}

/// `source` read as the value at schema path `at` ("" for a whole model), bare
/// durations where distributions are wanted read as `Fixed`.
pub(super) fn read<T: DeserializeOwned>(source: &str, at: &str) -> Result<T, Box<Stop>> {
    let mut text = source.to_string();
    let mut patches: Vec<Patch> = Vec::new();
    loop {
        let failure = match read_once(&text, at) {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        if patches.len() < MAX_BARE_DURATIONS
            && let Some((patched, patch)) = bare_duration(&text, &failure)
        {
            text = patched;
            patches.push(patch);
            continue;
        }
        return Err(Box::new(Stop {
            failure,
            text,
            patches,
        }));
    }
}

fn read_once<T: DeserializeOwned>(source: &str, at: &str) -> Result<T, Failure> {
    let opts = ron_options();
    let mut de = ron::Deserializer::from_str_with_options(source, &opts)
        .map_err(|e| (pos(&e), None, e.code, false))?;
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    match parsed {
        Ok(value) => {
            de.end().map_err(|e| {
                let spanned = de.span_error(e);
                (pos(&spanned), None, spanned.code, true)
            })?;
            Ok(value)
        }
        Err(e) => {
            let field = match (clean_path(e.path()), at) {
                (field, "") => field,
                (None, at) => Some(at.to_string()),
                (Some(rest), at) if rest.starts_with('[') => Some(format!("{at}{rest}")),
                (Some(rest), at) => Some(format!("{at}.{rest}")),
            };
            let spanned = de.span_error(e.into_inner());
            Err((pos(&spanned), field, spanned.code, false))
        }
    }
}

/// `text` with the string at the failure written `Fixed("...")`, when the parser
/// stopped at a quoted duration where a distribution is wanted; with where the
/// `Fixed(` and the `)` went.
fn bare_duration(
    text: &str,
    ((line, column), field, _, trailing): &Failure,
) -> Option<(String, Patch)> {
    if *trailing {
        return None;
    }
    let wanted = field.as_deref().and_then(schema::resolve)?.0;
    if wanted != schema::Kind::Dist {
        return None;
    }
    let line_text = text.lines().nth(line.checked_sub(1)?)?;
    let chars: Vec<char> = line_text.chars().collect();
    let start = column.checked_sub(1)?;
    if chars.get(start) != Some(&'"') {
        return None;
    }
    let len = chars[start + 1..].iter().position(|&c| c == '"')?;
    let inner: String = chars[start + 1..start + 1 + len].iter().collect();
    super::duration::parse_duration_us(&inner).ok()?;
    let end = start + len + 2;
    let patched_line: String = chars[..start]
        .iter()
        .chain("Fixed(".chars().collect::<Vec<_>>().iter())
        .chain(chars[start..end].iter())
        .chain(std::iter::once(&')'))
        .chain(chars[end..].iter())
        .collect();
    let mut out = String::with_capacity(text.len() + 7);
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == *line {
            out.push_str(&patched_line);
            if l.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(l);
        }
    }
    // Columns are 1-based; the `)` sits just after the closing quote, shifted by
    // the six characters of `Fixed(`.
    Some((out, ((*line, *column), (*line, end + 6 + 1))))
}

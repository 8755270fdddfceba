//! Diagnostics for RON parse errors: where the parser stopped, which field the user
//! was writing and what is allowed there, as a [`FieldError`].

use super::error::{FieldError, Location, printable};
use super::{locate, schema, suggest};

pub(super) fn pos(e: &ron::error::SpannedError) -> (usize, usize) {
    (e.span.start.line, e.span.start.col)
}

/// The serde path as a field path (`faults[0].duration`), without enum variant names
/// (as in `--set` paths); `None` when serde did not know where it was (`?`).
pub(super) fn clean_path(path: &serde_path_to_error::Path) -> Option<String> {
    use serde_path_to_error::Segment;
    let mut text = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => text.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Segment::Enum { .. } => {}
            Segment::Unknown => return None,
        }
    }
    if text.is_empty() { None } else { Some(text) }
}

/// Turns a ron error at `at` into a [`FieldError`] naming the field and what is
/// allowed there. `trailing`: the error came after the model's closing parenthesis.
pub(super) fn parse_error(
    source: &str,
    at: (usize, usize),
    serde_field: Option<String>,
    code: &ron::Error,
    trailing: bool,
) -> FieldError {
    let place = |(line, column): (usize, usize)| Location::At { line, column };
    // A file that ends inside a bracket: point at the bracket that is never closed.
    let unterminated = matches!(
        code,
        ron::Error::ExpectedStringEnd
            | ron::Error::UnclosedBlockComment
            | ron::Error::UnclosedLineComment
    );
    if !unterminated
        && let Some((open, open_at, last)) = locate::unclosed_bracket(source)
        && (matches!(code, ron::Error::Eof) || at >= last)
    {
        let close = match open {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        return FieldError {
            path: locate::path_at(source, open_at.0, open_at.1),
            location: place(open_at),
            message: format!(
                "this `{open}` is never closed: the file ends before its `{close}` \
                 (brackets must balance)"
            ),
        };
    }
    if trailing {
        return FieldError::general(
            place(at),
            format!(
                "unexpected text after the model's closing parenthesis ({}); a model \
                 file holds exactly one `( ... )`",
                code
            ),
        );
    }
    let field = serde_field.or_else(|| locate::path_at(source, at.0, at.1));
    let found = found_at(source, at);
    field_error(field.as_deref().unwrap_or(""), code, found.as_deref()).at(place(at))
}

/// The value text the parser stopped at (a number, word, string or bracketed value),
/// shortened for messages. Backs up to the start of a number the parser stopped in
/// the middle of (the `.5` of `1.5`).
fn found_at(source: &str, (line, column): (usize, usize)) -> Option<String> {
    let line_text = source.lines().nth(line.checked_sub(1)?)?;
    let chars: Vec<char> = line_text.chars().collect();
    let mut start = column.checked_sub(1)?.min(chars.len());
    let wordy = |c: char| c.is_alphanumeric() || "_.+-".contains(c);
    while start > 0 && wordy(chars[start - 1]) && chars.get(start).is_some_and(|&c| wordy(c)) {
        start -= 1;
    }
    let rest = &chars[start..];
    let mut end = 0;
    let mut depth = 0usize;
    let mut in_string = false;
    while end < rest.len() {
        let c = rest[end];
        if in_string {
            if c == '"' {
                in_string = false;
            }
        } else {
            match c {
                '"' => in_string = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => depth -= 1,
                ',' | ':' if depth == 0 => break,
                c if c.is_whitespace() && depth == 0 && end > 0 => break,
                _ => {}
            }
        }
        end += 1;
    }
    let text: String = rest[..end].iter().collect();
    let text = printable(text.trim());
    if text.is_empty() {
        return None;
    }
    Some(if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    })
}

/// The error for a ron error at `path` (not yet placed), with a friendly message;
/// `found` is the text the parser stopped at, when known.
pub(super) fn field_error(path: &str, code: &ron::Error, found_text: Option<&str>) -> FieldError {
    let join = |leaf: &str| {
        if path.is_empty() || path == "." {
            leaf.to_string()
        } else if path == leaf || path.ends_with(&format!(".{leaf}")) {
            path.to_string()
        } else {
            format!("{path}.{leaf}")
        }
    };
    let error = |path: Option<String>, message: String| FieldError {
        path,
        location: Location::File,
        message,
    };
    match code {
        ron::Error::NoSuchStructField {
            expected, found, ..
        } => {
            let hint = suggest::nearest(found, expected)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            error(
                Some(join(found)),
                format!(
                    "unknown field `{found}`; allowed here: {}{hint}",
                    list(expected)
                ),
            )
        }
        ron::Error::MissingStructField { field, .. } => error(
            Some(join(field)),
            format!(
                "missing field `{field}` (it has no default; see the model reference in docs/models.md)"
            ),
        ),
        ron::Error::DuplicateStructField { field, .. } => error(
            Some(join(field)),
            format!("field `{field}` is given twice; give it once"),
        ),
        ron::Error::NoSuchEnumVariant {
            expected, found, ..
        } => {
            let hint = suggest::nearest(found, expected)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            error(
                non_root(path),
                format!(
                    "unknown variant `{found}`; allowed: {}{hint}",
                    list(expected)
                ),
            )
        }
        other => error(
            non_root(path),
            describe_value_error(other, path, found_text),
        ),
    }
}

fn non_root(path: &str) -> Option<String> {
    if path.is_empty() || path == "." {
        None
    } else {
        Some(path.to_string())
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a value-level ron error means for the user, with what is allowed.
fn describe_value_error(code: &ron::Error, path: &str, found: Option<&str>) -> String {
    let found_part = found.map(|f| format!(", found `{f}`")).unwrap_or_default();
    // The schema's kind for the path (a field, or a parameter below one) says what a
    // whole number may be, whether text is a name or a duration, and which names an
    // enum takes.
    let at = schema::resolve(path);
    let (whole_min, whole_max) = match at {
        Some((schema::Kind::Count { max }, schema::Range::AtLeast(min))) => (min, max),
        Some((schema::Kind::Count { max }, _)) => (0, max),
        Some((schema::Kind::OptionalCount, _)) => (1, u32::MAX as u64),
        _ => (0, u32::MAX as u64),
    };
    let text_field = at.is_some_and(|(kind, _)| kind == schema::Kind::Text);
    match code {
        // A value that is not a name where one of an enum's names is wanted
        // (`boot_time: 5`): say which names the field takes.
        ron::Error::SuggestRawIdentifier(_) | ron::Error::ExpectedIdentifier
            if at.is_some_and(|(kind, _)| kind.variants().is_some()) =>
        {
            let expected = at.map(|(kind, range)| kind.expected(range));
            format!("expected {}{found_part}", expected.unwrap_or_default())
        }
        ron::Error::ExpectedComma => match found {
            // `1.5` where a whole number is wanted: ron reads `1`, then stops at `.5`.
            Some(f) if f.parse::<f64>().is_ok() && f.contains(['.', 'e', 'E']) => {
                format!("expected a whole number ({whole_min} to {whole_max}){found_part}")
            }
            _ => format!(
                "expected a comma or a closing bracket{found_part} (a comma is missing \
                 between two fields or values)"
            ),
        },
        ron::Error::Eof => {
            "unexpected end of file (a parenthesis or bracket is not closed)".to_string()
        }
        ron::Error::ExpectedInteger | ron::Error::InvalidIntegerDigit { .. } => {
            format!("expected a whole number ({whole_min} to {whole_max}){found_part}")
        }
        ron::Error::IntegerOutOfBounds => {
            format!(
                "out of range: expected a whole number from {whole_min} to {whole_max}{found_part}"
            )
        }
        ron::Error::ExpectedFloat | ron::Error::FloatUnderscore => {
            format!("expected a number such as 0.5 or 52.0{found_part}")
        }
        ron::Error::ExpectedString | ron::Error::ExpectedStringEnd if !text_field => format!(
            "expected a duration in double quotes, such as \"250ms\", \"5s\", \"4m\", \"2h\" \
             or \"365d\"{found_part}"
        ),
        ron::Error::ExpectedString => format!("expected text in double quotes{found_part}"),
        ron::Error::ExpectedStringEnd => {
            "a string is never closed: a closing `\"` is missing".to_string()
        }
        ron::Error::ExpectedDifferentStructName { .. } if path.is_empty() => format!(
            "expected the model's `(name: ..., horizon: ..., site: (...), ...)`{found_part}"
        ),
        ron::Error::ExpectedStructLike
        | ron::Error::ExpectedNamedStructLike(_)
        | ron::Error::ExpectedStructLikeEnd => {
            format!("expected a `( ... )` value here{found_part}")
        }
        ron::Error::ExpectedArray | ron::Error::ExpectedArrayEnd => {
            format!("expected a list `[ ... ]`{found_part}")
        }
        ron::Error::ExpectedOption | ron::Error::ExpectedOptionEnd => {
            format!("expected `None`, `Some(n)` or a whole number{found_part}")
        }
        ron::Error::ExpectedIdentifier => {
            // One variant name of each kind of enum: a distribution, a scope, a choice.
            let names = [schema::DISTRIBUTIONS, schema::SCOPES, schema::COUPLINGS]
                .map(|variants| format!("`{}`", variants[0].name));
            format!(
                "expected a name such as {}, {} or {}{found_part}",
                names[0], names[1], names[2]
            )
        }
        ron::Error::ExpectedMapColon => format!("expected `:` after the field name{found_part}"),
        ron::Error::ExceededRecursionLimit => {
            "the model is nested too deeply (more than 128 levels of brackets)".to_string()
        }
        ron::Error::UnclosedBlockComment => "a `/* ... */` comment is never closed".to_string(),
        ron::Error::InvalidValueForType { expected, found } => {
            format!("expected {expected}, found {found}")
        }
        other => format!("{other}{found_part}"),
    }
}

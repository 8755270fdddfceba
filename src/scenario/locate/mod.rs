//! Finding where a field path such as `brain.reboot_concurrency` or
//! `faults[1].duration` is written in the RON source of a model file, so that
//! validation errors can point at a line and column.
//!
//! This is a small tolerant scanner, not a RON parser: it skips comments,
//! strings and character literals, tracks bracket nesting, and treats
//! `identifier :` inside `(...)` or `{...}` as a named field. Enum variant
//! names before a parenthesis (`MessageQueue(broker: ...)`) are not path
//! segments, so the path mirrors the data rather than its type names.
//! Sequence elements are numbered by the top-level commas inside `[...]`.
//!
//! A scanner is needed because ron 0.12 gives a position only with a parse error:
//! a document that parses carries no spans, so once serde has the values, nothing
//! says where `brain.reboot_concurrency` was written. Validation errors, warnings and
//! the resource check find their place here, from the text.

mod tokens;

use tokens::{Bracket, Token, TokenKind, tokenize};

use super::error::Location;

/// One segment of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
}

/// Where the field `path` was written in `source`: the line and column of it or of
/// its longest written prefix ([`locate_path_or_prefix`]), else the file as a whole.
pub fn written_at(source: &str, path: &str) -> Location {
    locate_path_or_prefix(source, path).map_or(Location::File, |(line, column, _)| Location::At {
        line,
        column,
    })
}

/// The 1-based (line, column) of the field name token where `path` is written in
/// `source` or, when the full path is absent, of the longest prefix of it that is
/// present.
///
/// Columns count characters, not bytes. A path ending in an index, such as
/// `faults[1]`, locates the first token of that sequence element. When a path
/// is written more than once, the first occurrence wins.
///
/// Returns (line, column, number of path segments matched), where each field
/// name and each `[index]` counts as one segment; the full path matched when
/// that number equals the path's segment count. Returns `None` when not even
/// the first segment occurs or the path is malformed. Among equally long
/// prefixes the first occurrence wins.
pub fn locate_path_or_prefix(source: &str, path: &str) -> Option<(usize, usize, usize)> {
    let wanted = parse_path(path)?;
    let tokens = tokenize(source);
    let mut best: Option<(usize, usize, usize)> = None;
    let mut walker = PathWalker::default();
    let mut i = 0;
    while i < tokens.len() {
        // Attributes like `#![enable(implicit_some)]` before the top-level value
        // carry no fields, so skip them whole.
        if walker.stack.is_empty() && tokens[i].kind == TokenKind::Other('#') {
            i = skip_attribute(&tokens, i);
            continue;
        }
        // Each path written here is reported if it is a longer prefix of the wanted
        // path than anything seen so far; the walk stops at the full path.
        let full = walker.step(&tokens, i, |written, token| {
            let n = written.len();
            if n == 0 || n > wanted.len() || wanted[..n] != *written {
                return false;
            }
            if best.is_none_or(|(_, _, matched)| n > matched) {
                best = Some((token.line, token.column, n));
            }
            n == wanted.len()
        });
        if full {
            return best;
        }
        i += 1;
    }
    best
}

/// The field path whose value is being written at 1-based (`line`, `column`): the
/// innermost field or sequence element that the position is inside or just after,
/// written like `site.heads` or `faults[1].duration`. `None` at the top level.
///
/// For parse errors, whose position is where the parser gave up, this names the field
/// the user was writing, e.g. the field before a missing comma.
pub fn path_at(source: &str, line: usize, column: usize) -> Option<String> {
    let tokens = tokenize(source);
    let mut walker = PathWalker::default();
    for (i, token) in tokens.iter().enumerate() {
        if (token.line, token.column) >= (line, column) {
            break;
        }
        walker.step(&tokens, i, |_, _| false);
    }
    let path = walker
        .stack
        .last()
        .map(Frame::current_path)
        .unwrap_or_default();
    if path.is_empty() {
        return None;
    }
    let mut text = String::new();
    for segment in path {
        match segment {
            Segment::Field(name) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(&name);
            }
            Segment::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    Some(text)
}

/// One open bracket while walking a model's tokens.
struct Frame {
    bracket: Bracket,
    /// The path of the value this bracket encloses.
    base: Vec<Segment>,
    /// The field whose value is currently being read, in `(...)`/`{...}`.
    field: Option<String>,
    /// The current element number, in `[...]`.
    index: usize,
    /// Whether the current element of a `[...]` has begun.
    element_started: bool,
}

impl Frame {
    /// The path of the value being written inside this bracket now.
    fn current_path(&self) -> Vec<Segment> {
        let mut path = self.base.clone();
        match (self.bracket, &self.field) {
            (Bracket::Square, _) if self.element_started => path.push(Segment::Index(self.index)),
            (Bracket::Square, _) => {}
            (_, Some(field)) => path.push(Segment::Field(field.clone())),
            // A tuple or unnamed body (an enum variant's): its contents belong to the
            // same value as the enclosing bracket.
            (_, None) => {}
        }
        path
    }
}

/// Tracks the value path through a model's tokens, one token at a time.
#[derive(Default)]
struct PathWalker {
    stack: Vec<Frame>,
}

impl PathWalker {
    /// Advances over `tokens[i]`, calling `written(path, token)` where a sequence
    /// element or a named field begins. Returns true as soon as `written` does.
    fn step(
        &mut self,
        tokens: &[Token],
        i: usize,
        mut written: impl FnMut(&[Segment], &Token) -> bool,
    ) -> bool {
        let token = &tokens[i];
        if let Some(frame) = self.stack.last_mut()
            && frame.bracket == Bracket::Square
            && !frame.element_started
            && !matches!(token.kind, TokenKind::Close | TokenKind::Comma)
        {
            frame.element_started = true;
            let mut path = frame.base.clone();
            path.push(Segment::Index(frame.index));
            if written(&path, token) {
                return true;
            }
        }
        match &token.kind {
            TokenKind::Ident(name) => {
                let is_field = matches!(tokens.get(i + 1).map(|t| &t.kind), Some(TokenKind::Colon));
                if let Some(frame) = self.stack.last_mut()
                    && is_field
                    && frame.bracket != Bracket::Square
                {
                    frame.field = Some(name.clone());
                    let mut path = frame.base.clone();
                    path.push(Segment::Field(name.clone()));
                    if written(&path, token) {
                        return true;
                    }
                }
            }
            TokenKind::Open(bracket) => {
                let base = self
                    .stack
                    .last()
                    .map(Frame::current_path)
                    .unwrap_or_default();
                self.stack.push(Frame {
                    bracket: *bracket,
                    base,
                    field: None,
                    index: 0,
                    element_started: false,
                });
            }
            TokenKind::Close => {
                // Unbalanced closers in broken files are ignored rather than treated
                // as errors; the callers only want a best-effort hint.
                self.stack.pop();
            }
            TokenKind::Comma => {
                if let Some(frame) = self.stack.last_mut() {
                    if frame.bracket == Bracket::Square {
                        frame.index += 1;
                        frame.element_started = false;
                    } else {
                        frame.field = None;
                    }
                }
            }
            TokenKind::Colon | TokenKind::DoubleColon | TokenKind::Other(_) => {}
        }
        false
    }
}

/// A 1-based (line, column).
pub type Position = (usize, usize);

/// The innermost bracket still open at the end of `source`, with its 1-based line and
/// column, and the position of the source's last token; `None` if every bracket closes.
pub fn unclosed_bracket(source: &str) -> Option<(char, Position, Position)> {
    let tokens = tokenize(source);
    let mut stack: Vec<(Bracket, usize, usize)> = Vec::new();
    for token in &tokens {
        match token.kind {
            TokenKind::Open(b) => stack.push((b, token.line, token.column)),
            TokenKind::Close => {
                stack.pop();
            }
            _ => {}
        }
    }
    let last = tokens.last().map(|t| (t.line, t.column))?;
    stack.last().map(|&(b, line, column)| {
        let c = match b {
            Bracket::Paren => '(',
            Bracket::Square => '[',
            Bracket::Brace => '{',
        };
        (c, (line, column), last)
    })
}

/// Returns the index just past an attribute starting at `start` (the `#`).
fn skip_attribute(tokens: &[Token], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start + 1;
    while i < tokens.len() {
        match tokens[i].kind {
            TokenKind::Open(_) => depth += 1,
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            TokenKind::Other('!') => {}
            // Anything else before the opening bracket means this was not an
            // attribute after all; resume scanning right after the `#`.
            _ if depth == 0 => return start + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Splits `a.b[2].c` into segments; `None` if it is not of that shape.
fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let chars: Vec<char> = path.trim().chars().collect();
    let mut segments = Vec::new();
    let mut i = 0;
    // A field name is required at the start and after each dot.
    let mut expect_field = true;
    while i < chars.len() {
        let c = chars[i];
        if expect_field {
            if !(c.is_alphabetic() || c == '_') {
                return None;
            }
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            segments.push(Segment::Field(chars[start..i].iter().collect()));
            expect_field = false;
        } else if c == '.' {
            i += 1;
            expect_field = true;
        } else if c == '[' {
            i += 1;
            let start = i;
            let mut index: usize = 0;
            while i < chars.len() && chars[i].is_ascii_digit() {
                let digit = chars[i].to_digit(10)? as usize;
                index = index.checked_mul(10)?.checked_add(digit)?;
                i += 1;
            }
            if i == start || chars.get(i) != Some(&']') {
                return None;
            }
            i += 1;
            segments.push(Segment::Index(index));
        } else {
            return None;
        }
    }
    if expect_field {
        // Empty path or a trailing dot.
        return None;
    }
    Some(segments)
}

#[cfg(test)]
mod tests;

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

use super::tokens::{Bracket, Token, TokenKind, tokenize};

/// One segment of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
}

/// Returns the 1-based (line, column) of the field name token where `path`
/// is written in `source`, or `None` if the path does not occur.
///
/// Columns count characters, not bytes. A path ending in an index, such as
/// `faults[1]`, locates the first token of that sequence element. When a path
/// is written more than once, the first occurrence wins. A path that is not
/// of the form `name(.name|[index])*` gives `None`.
pub fn locate_path(source: &str, path: &str) -> Option<(usize, usize)> {
    let wanted = parse_path(path)?;
    match locate_path_or_prefix(source, path) {
        Some((line, column, matched)) if matched == wanted.len() => Some((line, column)),
        _ => None,
    }
}

/// Like [`locate_path`], but when the full path is absent, falls back to the
/// longest prefix of it that is present.
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
mod tests {
    use super::*;

    const YORK: &str = r#"// York, 11 April 2017
(
    name: "york-2017",
    horizon: "1d",
    site: (heads: 50, vms_per_head: 40),
    design: (
        coupling: Coupled,
        transport: MessageQueue(broker: (failures_per_year: 2.0, repair: Exponential(mean: "15m"))),
    ),
    link: (
        reconnect: (initial: "1s", multiplier: 1.6, max: "120s", jitter: 0.2),
        flaps_per_year: 52.0,
        flap_duration: Uniform(min: "1s", max: "5s"),
    ),
    brain: (
        reboot_concurrency: 20,
        per_head_concurrency: None,
        boot_time: LogNormal(mean: "45s", sigma: 0.3), /* a (comment: "with parens") */
        queue_policy: Fifo,
    ),
    faults: [
        Partition(at: "1h", duration: Fixed("4m"), scope: All),
        RandomPartitions(per_year: 6.0, duration: Exponential(mean: "3m"), scope: Heads([0, 3, 7])),
    ],
)
"#;

    #[test]
    fn finds_top_level_and_nested_fields() {
        // Proves plain nesting on the York fixture, counting lines from the
        // comment on line 1: `name` is line 3 column 5 (after 4 spaces);
        // `site.heads` is line 5 column 12 ("    site: (" is 11 characters);
        // `site.vms_per_head` is column 23 (11 + "heads: 50, " = 22);
        // `brain.reboot_concurrency` is line 16 column 9 (8 spaces);
        // `link.flap_duration` is line 13 column 9; `link.reconnect.jitter`
        // is line 11 column 66 (8 spaces, "reconnect: (" 12, `initial: "1s", `
        // 15, "multiplier: 1.6, " 17, `max: "120s", ` 13: 8+12+15+17+13 = 65).
        assert_eq!(locate_path(YORK, "name"), Some((3, 5)));
        assert_eq!(locate_path(YORK, "site.heads"), Some((5, 12)));
        assert_eq!(locate_path(YORK, "site.vms_per_head"), Some((5, 23)));
        assert_eq!(locate_path(YORK, "brain.reboot_concurrency"), Some((16, 9)));
        assert_eq!(locate_path(YORK, "link.flap_duration"), Some((13, 9)));
        assert_eq!(locate_path(YORK, "link.reconnect.jitter"), Some((11, 66)));
    }

    #[test]
    fn looks_through_enum_variant_bodies() {
        // Proves variant names are not segments: on line 8,
        // "        transport: MessageQueue(" is 32 characters, so `broker` is at
        // column 33; "broker: (" adds 9, so `failures_per_year` is at 42;
        // "failures_per_year: 2.0, " adds 24, so `repair` is at 66;
        // "repair: Exponential(" adds 20, so `mean` is at 86.
        assert_eq!(locate_path(YORK, "design.transport"), Some((8, 9)));
        assert_eq!(locate_path(YORK, "design.transport.broker"), Some((8, 33)));
        assert_eq!(
            locate_path(YORK, "design.transport.broker.failures_per_year"),
            Some((8, 42))
        );
        assert_eq!(
            locate_path(YORK, "design.transport.broker.repair.mean"),
            Some((8, 86))
        );
        assert_eq!(locate_path(YORK, "design.transport.MessageQueue"), None);
    }

    #[test]
    fn indexes_sequence_elements() {
        // Proves `[i]` counts top-level commas: on line 22
        // "        Partition(" is 18 characters, so `at` is at 19 and, after
        // `at: "1h", ` (10 characters), `duration` is at 29; on line 23
        // "        RandomPartitions(" is 25 characters, so `per_year` is at 26 and,
        // after "per_year: 6.0, " (15), `duration` is at 41. `faults[1]` itself
        // is the element's first token, `RandomPartitions` at line 23 column 9.
        // The nested `mean` follows "duration: Exponential(" (22) at 63, and
        // `scope` on line 22 follows `duration: Fixed("4m"), ` (23) at 52.
        assert_eq!(locate_path(YORK, "faults[0].duration"), Some((22, 29)));
        assert_eq!(locate_path(YORK, "faults[1].duration"), Some((23, 41)));
        assert_eq!(locate_path(YORK, "faults[1].duration.mean"), Some((23, 63)));
        assert_eq!(locate_path(YORK, "faults[1]"), Some((23, 9)));
        assert_eq!(locate_path(YORK, "faults[0].scope"), Some((22, 52)));
        assert_eq!(locate_path(YORK, "faults[2]"), None);
    }

    #[test]
    fn skips_comments_and_strings() {
        // Proves the `comment:` inside the block comment on line 18 and the
        // `b:` inside a string literal are not fields, while `queue_policy` on
        // line 19 column 9 (after the comment) still is. In the one-line source
        // the escaped quote, nested block comment, char literal and raw string
        // are all skipped, leaving `i` at column 77.
        assert_eq!(locate_path(YORK, "brain.comment"), None);
        assert_eq!(locate_path(YORK, "brain.queue_policy"), Some((19, 9)));
        let source = "(a: \"x: (b: 1)\\\" c: 2\", /* (d: 1) /* nested */ e: 3 */ f: 'x', g: r#\"h: \"#, i: 1)";
        assert_eq!(locate_path(source, "b"), None);
        assert_eq!(locate_path(source, "c"), None);
        assert_eq!(locate_path(source, "d"), None);
        assert_eq!(locate_path(source, "e"), None);
        assert_eq!(locate_path(source, "h"), None);
        assert_eq!(locate_path(source, "i"), Some((1, 77)));
    }

    #[test]
    fn falls_back_to_the_longest_prefix() {
        // Proves the prefix fallback: `brain.reboot_concurency` (misspelt)
        // matches 1 segment, `brain` at line 15 column 5; `faults[5].duration`
        // matches only `faults` (line 21 column 5); `faults[1].bogus` matches
        // 2 segments at the element start (23, 9); a full match reports all
        // 3 segments of `faults[1].duration`; an unknown root gives None.
        assert_eq!(
            locate_path_or_prefix(YORK, "brain.reboot_concurency"),
            Some((15, 5, 1))
        );
        assert_eq!(
            locate_path_or_prefix(YORK, "faults[5].duration"),
            Some((21, 5, 1))
        );
        assert_eq!(
            locate_path_or_prefix(YORK, "faults[1].bogus"),
            Some((23, 9, 2))
        );
        assert_eq!(
            locate_path_or_prefix(YORK, "faults[1].duration"),
            Some((23, 41, 3))
        );
        assert_eq!(locate_path_or_prefix(YORK, "nothing.here"), None);
    }

    #[test]
    fn path_at_names_the_field_being_written() {
        // Proves path_at gives the field whose value surrounds a position: the
        // missing comma after `name: "t"` (error at `horizon`, column 12) is in
        // `name`; the `.5` of `heads: 1.5` (column 42) is in `site.heads`; a
        // position in the second list element is `faults[1]`'s field; the top
        // level and positions before anything give None.
        let source =
            r#"(name: "t" horizon: "1d", site: (heads: 1.5), faults: [A(at: "1h"), B(at: "2h")])"#;
        assert_eq!(path_at(source, 1, 12).as_deref(), Some("name"));
        assert_eq!(path_at(source, 1, 42).as_deref(), Some("site.heads"));
        assert_eq!(path_at(source, 1, 76).as_deref(), Some("faults[1].at"));
        assert_eq!(path_at(source, 1, 1), None);
        assert_eq!(path_at("", 1, 1), None);
    }

    #[test]
    fn unclosed_bracket_finds_the_innermost_open_one() {
        // Proves the innermost bracket still open at the end is reported with its
        // position, with the last token's position (strings are not tokens): the
        // outer `(` when only it is open, the `(` of `site` (column 19) when both
        // are; balanced sources give None.
        let source = r#"(name: "t", site: (heads: 2, horizon: "1d")"#;
        assert_eq!(unclosed_bracket(source), Some(('(', (1, 1), (1, 43))));
        let source = r#"(name: "t", site: (heads: 2, horizon: "1d""#;
        assert_eq!(unclosed_bracket(source), Some(('(', (1, 19), (1, 37))));
        assert_eq!(unclosed_bracket("(a: [1, 2])"), None);
        assert_eq!(unclosed_bracket(""), None);
    }

    #[test]
    fn handles_attributes_unicode_and_odd_input() {
        // Proves attributes are skipped and columns count characters: the `ü`
        // in "Zürich" is one column, so on line 2 `(name:` is 6 characters,
        // ` "Zürich",` is 10 more and a space follows, putting `x` at column
        // 18 (and `z`, 18 characters later, at 36). Also proves `::` is not a
        // field separator and malformed paths or sources give None, no panic.
        let source = "#![enable(implicit_some)]\n(name: \"Zürich\", x: Foo::Bar, y: [(z: 1)])";
        assert_eq!(locate_path(source, "name"), Some((2, 2)));
        assert_eq!(locate_path(source, "x"), Some((2, 18)));
        assert_eq!(locate_path(source, "Foo"), None);
        assert_eq!(locate_path(source, "y[0].z"), Some((2, 36)));
        assert_eq!(locate_path(source, "enable"), None);
        for bad_path in [
            "",
            ".",
            "a.",
            "[0]",
            "a[",
            "a[x]",
            "a..b",
            "a b",
            "a[99999999999999999999999]",
        ] {
            assert_eq!(locate_path(source, bad_path), None, "{bad_path:?}");
        }
        for bad_source in [
            "",
            ")))",
            "(((",
            "(a: \"unterminated",
            "(a: /* open",
            "#",
            "#![",
        ] {
            assert_eq!(locate_path(bad_source, "a.b"), None, "{bad_source:?}");
        }
    }
}

//! Where field paths are found in model text, on a York-like fixture and odd input.

use super::*;

/// Returns the 1-based (line, column) of the field name token where `path`
/// is written in `source`, or `None` if the path does not occur.
///
/// Columns count characters, not bytes. A path ending in an index, such as
/// `faults[1]`, locates the first token of that sequence element. When a path
/// is written more than once, the first occurrence wins. A path that is not
/// of the form `name(.name|[index])*` gives `None`.
fn locate_path(source: &str, path: &str) -> Option<(usize, usize)> {
    let wanted = parse_path(path)?;
    match locate_path_or_prefix(source, path) {
        Some((line, column, matched)) if matched == wanted.len() => Some((line, column)),
        _ => None,
    }
}

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
    let source =
        "(a: \"x: (b: 1)\\\" c: 2\", /* (d: 1) /* nested */ e: 3 */ f: 'x', g: r#\"h: \"#, i: 1)";
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
    // position, with the last token's position (a string is one token): the
    // outer `(` when only it is open, the `(` of `site` (column 19) when both
    // are, after the string `"1d"` at column 39; balanced sources give None.
    let source = r#"(name: "t", site: (heads: 2, horizon: "1d")"#;
    assert_eq!(unclosed_bracket(source), Some(('(', (1, 1), (1, 43))));
    let source = r#"(name: "t", site: (heads: 2, horizon: "1d""#;
    assert_eq!(unclosed_bracket(source), Some(('(', (1, 19), (1, 39))));
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

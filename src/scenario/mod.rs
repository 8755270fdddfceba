//! Model files: RON text → raw serde mirror ([`raw`]) → `--set` overrides → validated
//! [`Scenario`] with durations in microseconds.
//!
//! Every error names the file, the line and column, the field path and what is
//! allowed (or, for an override, the `--set` argument). Nothing here panics on input.

pub mod duration;
pub mod locate;
pub mod raw;
pub mod suggest;
mod types;

pub use types::*;

use crate::engine::{Dist, Micros};
use raw::*;

/// A problem with a model file or an override, with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    /// The model file's path as the user gave it.
    pub file: String,
    /// 1-based line and column in the file, when known.
    pub location: Option<(usize, usize)>,
    /// The field path, e.g. `brain.reboot_concurrency` or `faults[0].at`.
    pub field: Option<String>,
    /// The `--set` argument the problem came from, if any.
    pub set_arg: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", printable(&self.file))?;
        if let Some((line, col)) = self.location {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(arg) = &self.set_arg {
            write!(f, ": in --set {}", printable(arg))?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// `text` with control characters (newlines, tabs...) escaped, so an error is one line.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// A model as loaded: the validated scenario, the resolved raw form (for printing and
/// provenance) and the file's text.
#[derive(Clone, Debug)]
pub struct LoadedModel {
    pub path: String,
    pub source: String,
    pub raw: RawScenario,
    pub scenario: Scenario,
}

impl LoadedModel {
    /// Every parameter after defaults and overrides, as a model file would hold them.
    pub fn resolved_ron(&self) -> String {
        resolved_ron(&self.raw)
    }
}

/// The raw scenario written back as RON (defaults and overrides included).
pub fn resolved_ron(raw: &RawScenario) -> String {
    let pretty = ron::ser::PrettyConfig::new()
        .depth_limit(3)
        .indentor("    ".to_string());
    ron::ser::to_string_pretty(raw, pretty).unwrap_or_else(|e| format!("<unprintable: {e}>"))
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Parses model text (no overrides, no validation): errors carry line and column.
pub fn parse_raw(path: &str, source: &str) -> Result<RawScenario, ScenarioError> {
    if source.trim().is_empty() {
        return Err(ScenarioError {
            file: path.to_string(),
            location: None,
            field: None,
            set_arg: None,
            message: "the file is empty: a model is `(name: ..., horizon: ..., site: (...), ...)`"
                .to_string(),
        });
    }
    let opts = ron_options();
    let mut de = ron::Deserializer::from_str_with_options(source, &opts)
        .map_err(|e| parse_error(path, source, pos(&e), None, &e.code, false))?;
    let parsed: Result<RawScenario, _> = serde_path_to_error::deserialize(&mut de);
    match parsed {
        Ok(raw) => {
            de.end().map_err(|e| {
                let spanned = de.span_error(e);
                parse_error(path, source, pos(&spanned), None, &spanned.code, true)
            })?;
            Ok(raw)
        }
        Err(e) => {
            let field = clean_path(e.path());
            let code = e.into_inner();
            let spanned = de.span_error(code);
            Err(parse_error(
                path,
                source,
                pos(&spanned),
                field,
                &spanned.code,
                false,
            ))
        }
    }
}

fn pos(e: &ron::error::SpannedError) -> (usize, usize) {
    (e.span.start.line, e.span.start.col)
}

/// The serde path as a field path (`faults[0].duration`), without enum variant names
/// (as in `--set` paths); `None` when serde did not know where it was (`?`).
fn clean_path(path: &serde_path_to_error::Path) -> Option<String> {
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

/// Turns a ron error at `at` into a [`ScenarioError`] naming the field and what is
/// allowed there. `trailing`: the error came after the model's closing parenthesis.
fn parse_error(
    file: &str,
    source: &str,
    at: (usize, usize),
    serde_field: Option<String>,
    code: &ron::Error,
    trailing: bool,
) -> ScenarioError {
    let error = |location: (usize, usize), field: Option<String>, message: String| ScenarioError {
        file: file.to_string(),
        location: Some(location),
        field,
        set_arg: None,
        message,
    };
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
        return error(
            open_at,
            locate::path_at(source, open_at.0, open_at.1),
            format!(
                "this `{open}` is never closed: the file ends before its `{close}` \
                 (brackets must balance)"
            ),
        );
    }
    if trailing {
        return error(
            at,
            None,
            format!(
                "unexpected text after the model's closing parenthesis ({}); a model \
                 file holds exactly one `( ... )`",
                code
            ),
        );
    }
    let field = serde_field.or_else(|| locate::path_at(source, at.0, at.1));
    let found = found_at(source, at);
    let (field, message) =
        field_and_message(field.as_deref().unwrap_or(""), code, found.as_deref());
    error(at, field, message)
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

/// The field path and a friendly message for a ron error at `path`; `found` is the
/// text the parser stopped at, when known.
fn field_and_message(
    path: &str,
    code: &ron::Error,
    found_text: Option<&str>,
) -> (Option<String>, String) {
    let join = |leaf: &str| {
        if path.is_empty() || path == "." {
            leaf.to_string()
        } else if path == leaf || path.ends_with(&format!(".{leaf}")) {
            path.to_string()
        } else {
            format!("{path}.{leaf}")
        }
    };
    match code {
        ron::Error::NoSuchStructField {
            expected, found, ..
        } => {
            let hint = suggest::nearest(found, expected)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            (
                Some(join(found)),
                format!(
                    "unknown field `{found}`; allowed here: {}{hint}",
                    list(expected)
                ),
            )
        }
        ron::Error::MissingStructField { field, .. } => (
            Some(join(field)),
            format!(
                "missing field `{field}` (it has no default; see the model reference in README.md)"
            ),
        ),
        ron::Error::DuplicateStructField { field, .. } => (
            Some(join(field)),
            format!("field `{field}` is given twice; give it once"),
        ),
        ron::Error::NoSuchEnumVariant {
            expected, found, ..
        } => {
            let hint = suggest::nearest(found, expected)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            (
                non_root(path),
                format!(
                    "unknown variant `{found}`; allowed: {}{hint}",
                    list(expected)
                ),
            )
        }
        other => (
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
    let leaf = path.rsplit('.').next().unwrap_or(path);
    let found_part = found.map(|f| format!(", found `{f}`")).unwrap_or_default();
    let whole_max = if leaf == "max_events" {
        u64::MAX.to_string()
    } else {
        u32::MAX.to_string()
    };
    match code {
        ron::Error::ExpectedComma => match found {
            // `1.5` where a whole number is wanted: ron reads `1`, then stops at `.5`.
            Some(f) if f.parse::<f64>().is_ok() && f.contains(['.', 'e', 'E']) => {
                format!("expected a whole number (0 to {whole_max}){found_part}")
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
            format!("expected a whole number (0 to {whole_max}){found_part}")
        }
        ron::Error::IntegerOutOfBounds => {
            format!("out of range: expected a whole number from 0 to {whole_max}{found_part}")
        }
        ron::Error::ExpectedFloat | ron::Error::FloatUnderscore => {
            format!("expected a number such as 0.5 or 52.0{found_part}")
        }
        ron::Error::ExpectedString | ron::Error::ExpectedStringEnd if leaf != "name" => format!(
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
            format!("expected a name such as `Fixed`, `All` or `Coupled`{found_part}")
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

/// The largest model file read: a model is a page of text, so anything bigger is
/// refused before it is read (this also stops reads of endless files such as
/// `/dev/zero`).
pub const MAX_MODEL_FILE_BYTES: u64 = 16 << 20;

/// Reads, overrides and validates a model file.
pub fn load(path: &str, sets: &[String]) -> Result<LoadedModel, ScenarioError> {
    let source = read_model_file(path).map_err(|message| ScenarioError {
        file: path.to_string(),
        location: None,
        field: None,
        set_arg: None,
        message,
    })?;
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
pub fn load_str(path: &str, source: &str, sets: &[String]) -> Result<LoadedModel, ScenarioError> {
    let mut raw = parse_raw(path, source)?;
    let mut overridden: Vec<(String, String)> = Vec::new();
    for arg in sets {
        let field = apply_set(&mut raw, arg).map_err(|(field, message)| ScenarioError {
            file: path.to_string(),
            location: None,
            field,
            set_arg: Some(arg.clone()),
            message,
        })?;
        overridden.push((field, arg.clone()));
    }
    let scenario = validate(&raw).map_err(|(field, message)| {
        // Blame the override if it set this field (or a parent of it), else the file.
        let from_set = overridden.iter().rev().find(|(f, _)| {
            field == *f
                || field.starts_with(&format!("{f}."))
                || field.starts_with(&format!("{f}["))
                || f.starts_with(&format!("{field}."))
        });
        ScenarioError {
            file: path.to_string(),
            location: if from_set.is_some() {
                None
            } else {
                locate::locate_path_or_prefix(source, &field).map(|(l, c, _)| (l, c))
            },
            field: Some(field.clone()),
            set_arg: from_set.map(|(_, arg)| arg.clone()),
            message,
        }
    })?;
    Ok(LoadedModel {
        path: path.to_string(),
        source: source.to_string(),
        raw,
        scenario,
    })
}

/// What a value of each settable type looks like, for `--set` error messages.
trait Expected {
    const WHAT: &'static str;
}

macro_rules! expected {
    ($($t:ty => $what:expr),* $(,)?) => {
        $(impl Expected for $t { const WHAT: &'static str = $what; })*
    };
}

const DIST_FORMS: &str = "a distribution: Fixed(\"5s\"), Exponential(mean: \"5s\"), \
    Uniform(min: \"1s\", max: \"5s\"), LogNormal(mean: \"45s\", sigma: 0.3), \
    Weibull(shape: 1.5, scale: \"1h\") or Empirical([\"1s\", \"2s\"])";

expected!(
    String => "text, e.g. york-2017",
    Dur => "a duration such as 250ms, 5s, 4m, 2h or 365d",
    u32 => "a whole number from 0 to 4294967295",
    u64 => "a whole number from 0 to 18446744073709551615",
    f64 => "a number such as 0.5 or 52.0",
    Option<u32> => "None, Some(n) or a whole number",
    RawDist => DIST_FORMS,
    RawCoupling => "a coupling: Coupled or Decoupled",
    RawTransport => "Tcp or MessageQueue(broker: (failures_per_year: 2.0, repair: Exponential(mean: \"15m\")))",
    RawQueuePolicy => "a queue policy such as Fifo",
    RawSite => "(heads: N, vms_per_head: N)",
    RawDesign => "(coupling: ..., transport: ...)",
    RawLink => "(reconnect: (...), flaps_per_year: x, flap_duration: ...)",
    RawBackoff => "(initial: \"1s\", multiplier: 1.6, max: \"120s\", jitter: 0.2)",
    RawSupervisor => "a supervisor section ( ... ) as in a model file",
    RawBrain => "a brain section ( ... ) as in a model file",
    RawHead => "(failures_per_year: x, repair: ...)",
    RawLimits => "(max_events: N)",
    RawFault => "a fault such as Partition(at: \"1h\", duration: Fixed(\"4m\"), scope: All)",
    Vec<RawFault> => "a list of faults [ ... ]",
);

/// Parses an override value as RON; a bare word that is not valid RON is retried as a
/// string, so `--set horizon=2d` works without shell-quoted quotes.
fn parse_value<T: serde::de::DeserializeOwned + Expected>(text: &str) -> Result<T, String> {
    let opts = ron_options();
    match opts.from_str::<T>(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            if !text.trim_start().starts_with('"')
                && let Ok(v) = opts.from_str::<T>(&format!("{text:?}"))
            {
                return Ok(v);
            }
            let detail = match &first.code {
                code @ (ron::Error::NoSuchEnumVariant { .. }
                | ron::Error::NoSuchStructField { .. }
                | ron::Error::MissingStructField { .. }) => {
                    format!(" ({})", field_and_message("", code, None).1)
                }
                _ => String::new(),
            };
            if text.is_empty() {
                return Err(format!("the value is empty: expected {}", T::WHAT));
            }
            Err(format!(
                "cannot read `{}`: expected {}{detail}",
                printable(text),
                T::WHAT
            ))
        }
    }
}

macro_rules! settable {
    ($( $($seg:ident).+ ),* $(,)?) => {
        /// Every path `--set` accepts (besides `faults[i]`).
        pub const SET_PATHS: &[&str] = &[ $( stringify!($($seg).+) ),* ];

        fn set_known(raw: &mut RawScenario, path: &str, value: &str) -> Option<Result<(), String>> {
            $(
                if path == stringify!($($seg).+) {
                    return Some(parse_value(value).map(|v| raw.$($seg).+ = v));
                }
            )*
            None
        }
    };
}

settable!(
    name,
    horizon,
    site,
    site.heads,
    site.vms_per_head,
    design,
    design.coupling,
    design.transport,
    link,
    link.reconnect,
    link.reconnect.initial,
    link.reconnect.multiplier,
    link.reconnect.max,
    link.reconnect.jitter,
    link.flaps_per_year,
    link.flap_duration,
    supervisor,
    supervisor.restart,
    supervisor.crash_on_reset,
    supervisor.crash_on_long_reset,
    supervisor.long_reset_after,
    supervisor.crashes_per_year,
    brain,
    brain.reboot_concurrency,
    brain.per_head_concurrency,
    brain.boot_time,
    brain.boot_slowdown_per_concurrent_boot,
    brain.queue_policy,
    brain.failovers_per_year,
    brain.failover_time,
    head,
    head.failures_per_year,
    head.repair,
    faults,
    limits,
    limits.max_events,
);

/// Applies one `PATH=VALUE` override; returns the field path it set.
pub fn apply_set(raw: &mut RawScenario, arg: &str) -> Result<String, (Option<String>, String)> {
    let Some((path, value)) = arg.split_once('=') else {
        return Err((
            None,
            "expected PATH=VALUE, e.g. brain.reboot_concurrency=40".to_string(),
        ));
    };
    let path = path.trim();
    let value = value.trim();
    if let Some(result) = set_known(raw, path, value) {
        return result
            .map(|()| path.to_string())
            .map_err(|m| (Some(path.to_string()), m));
    }
    // `faults[i]` replaces fault i, or appends one when i is the number of faults.
    if let Some(index) = path
        .strip_prefix("faults[")
        .and_then(|rest| rest.strip_suffix(']'))
    {
        let n = raw.faults.len();
        let i: usize = index.parse().map_err(|_| {
            (
                Some(path.to_string()),
                format!("`{index}` is not a fault index"),
            )
        })?;
        if i > n {
            return Err((
                Some(path.to_string()),
                format!("the model has {n} faults: use an index from 0 to {n} (to append)"),
            ));
        }
        let fault: RawFault = parse_value(value).map_err(|m| (Some(path.to_string()), m))?;
        if i == n {
            raw.faults.push(fault);
        } else {
            raw.faults[i] = fault;
        }
        return Ok(path.to_string());
    }
    let hint = suggest::nearest(path, SET_PATHS)
        .map(|s| format!(" Did you mean `{s}`?"))
        .unwrap_or_default();
    Err((
        Some(path.to_string()),
        format!(
            "unknown path.{hint} Settable paths: {}, and faults[i].",
            SET_PATHS.join(", ")
        ),
    ))
}

type VResult<T> = Result<T, (String, String)>;

fn verr<T>(field: &str, message: impl Into<String>) -> VResult<T> {
    Err((field.to_string(), message.into()))
}

fn duration(field: &str, d: &Dur) -> VResult<Micros> {
    duration::parse_duration_us(&d.0).map_err(|m| (field.to_string(), m))
}

fn positive_duration(field: &str, d: &Dur) -> VResult<Micros> {
    let v = duration(field, d)?;
    if v == 0 {
        return verr(field, format!("must be longer than 0, found {:?}", d.0));
    }
    Ok(v)
}

fn rate(field: &str, v: f64) -> VResult<f64> {
    if !v.is_finite() || v < 0.0 {
        return verr(
            field,
            format!("must be a finite rate ≥ 0 (per year), found {v}"),
        );
    }
    Ok(v)
}

fn probability(field: &str, v: f64) -> VResult<f64> {
    if !(0.0..=1.0).contains(&v) {
        return verr(field, format!("must be a probability in [0, 1], found {v}"));
    }
    Ok(v)
}

fn dist(field: &str, d: &RawDist) -> VResult<Dist> {
    let sub = |leaf: &str| format!("{field}.{leaf}");
    Ok(match d {
        RawDist::Fixed(v) => Dist::Fixed(duration(field, v)?),
        RawDist::Exponential { mean } => Dist::Exponential {
            mean_us: positive_duration(&sub("mean"), mean)? as f64,
        },
        RawDist::Uniform { min, max } => {
            let lo = duration(&sub("min"), min)?;
            let hi = duration(&sub("max"), max)?;
            if hi < lo {
                return verr(
                    &sub("max"),
                    format!("must be ≥ min ({:?}), found {:?}", min.0, max.0),
                );
            }
            Dist::Uniform {
                min_us: lo as f64,
                max_us: hi as f64,
            }
        }
        RawDist::LogNormal { mean, sigma } => {
            if !sigma.is_finite() || *sigma < 0.0 || *sigma > 5.0 {
                return verr(&sub("sigma"), format!("must be in [0, 5], found {sigma}"));
            }
            Dist::LogNormal {
                mean_us: positive_duration(&sub("mean"), mean)? as f64,
                sigma: *sigma,
            }
        }
        RawDist::Weibull { shape, scale } => {
            if !shape.is_finite() || *shape < 0.05 || *shape > 100.0 {
                return verr(
                    &sub("shape"),
                    format!("must be in [0.05, 100], found {shape}"),
                );
            }
            Dist::Weibull {
                shape: *shape,
                scale_us: positive_duration(&sub("scale"), scale)? as f64,
            }
        }
        RawDist::Empirical(values) => {
            if values.is_empty() {
                return verr(field, "an Empirical distribution needs at least one value");
            }
            let mut out = Vec::with_capacity(values.len());
            for (i, v) in values.iter().enumerate() {
                out.push(duration(&format!("{field}[{i}]"), v)?);
            }
            if let Some(i) = out.windows(2).position(|w| w[1] < w[0]) {
                return verr(
                    &format!("{field}[{}]", i + 1),
                    format!(
                        "Empirical values must be sorted in ascending order: {:?} comes after {:?}",
                        values[i + 1].0,
                        values[i].0
                    ),
                );
            }
            Dist::Empirical(out)
        }
    })
}

fn scope(field: &str, s: &RawScope, heads: u32) -> VResult<Scope> {
    Ok(match s {
        RawScope::All => Scope::All,
        RawScope::Fraction(f) => {
            if !(f.is_finite() && *f > 0.0 && *f <= 1.0) {
                return verr(field, format!("Fraction must be in (0, 1], found {f}"));
            }
            Scope::Fraction(*f)
        }
        RawScope::Heads(list) => {
            if list.is_empty() {
                return verr(field, "Heads([...]) needs at least one head index");
            }
            if let Some(h) = list.iter().find(|h| **h >= heads) {
                return verr(
                    field,
                    format!(
                        "head {h} does not exist: the site has heads 0 to {}",
                        heads - 1
                    ),
                );
            }
            Scope::Heads(list.clone())
        }
    })
}

/// The largest model the simulator agrees to allocate.
pub const MAX_MODEL_BYTES: u64 = 16 << 30;

/// Checks every field and converts units; errors are (field path, message).
pub fn validate(raw: &RawScenario) -> Result<Scenario, (String, String)> {
    if raw.name.trim().is_empty() {
        return verr("name", "must not be empty");
    }
    let horizon_us = positive_duration("horizon", &raw.horizon)?;
    if raw.site.heads == 0 {
        return verr("site.heads", "must be at least 1, found 0");
    }
    if raw.site.vms_per_head == 0 {
        return verr("site.vms_per_head", "must be at least 1, found 0");
    }
    let site = Site {
        heads: raw.site.heads,
        vms_per_head: raw.site.vms_per_head,
    };
    if site.vms() >= u32::MAX as u64 {
        return verr(
            "site",
            format!(
                "{} VMs is more than the {} a site may have",
                site.vms(),
                u32::MAX - 1
            ),
        );
    }
    let transport = match &raw.design.transport {
        RawTransport::Tcp => Transport::Tcp,
        RawTransport::MessageQueue { broker } => Transport::MessageQueue {
            broker: Broker {
                failures_per_year: rate(
                    "design.transport.broker.failures_per_year",
                    broker.failures_per_year,
                )?,
                repair: dist("design.transport.broker.repair", &broker.repair)?,
            },
        },
    };
    let design = Design {
        coupling: match raw.design.coupling {
            RawCoupling::Coupled => Coupling::Coupled,
            RawCoupling::Decoupled => Coupling::Decoupled,
        },
        transport,
    };

    let rc = &raw.link.reconnect;
    let initial_us = positive_duration("link.reconnect.initial", &rc.initial)?;
    let max_us = duration("link.reconnect.max", &rc.max)?;
    if max_us < initial_us {
        return verr(
            "link.reconnect.max",
            format!(
                "must be ≥ link.reconnect.initial ({:?}), found {:?}",
                rc.initial.0, rc.max.0
            ),
        );
    }
    if !(rc.multiplier.is_finite() && (1.0..=100.0).contains(&rc.multiplier)) {
        return verr(
            "link.reconnect.multiplier",
            format!("must be in [1, 100], found {}", rc.multiplier),
        );
    }
    if !(rc.jitter.is_finite() && (0.0..1.0).contains(&rc.jitter)) {
        return verr(
            "link.reconnect.jitter",
            format!("must be in [0, 1), found {}", rc.jitter),
        );
    }
    let link = LinkParams {
        reconnect: Backoff {
            initial_us,
            multiplier: rc.multiplier,
            max_us,
            jitter: rc.jitter,
        },
        flaps_per_year: rate("link.flaps_per_year", raw.link.flaps_per_year)?,
        flap_duration: dist("link.flap_duration", &raw.link.flap_duration)?,
    };

    let s = &raw.supervisor;
    let supervisor = SupervisorParams {
        restart: dist("supervisor.restart", &s.restart)?,
        crash_on_reset: probability("supervisor.crash_on_reset", s.crash_on_reset)?,
        crash_on_long_reset: probability("supervisor.crash_on_long_reset", s.crash_on_long_reset)?,
        long_reset_after_us: duration("supervisor.long_reset_after", &s.long_reset_after)?,
        crashes_per_year: rate("supervisor.crashes_per_year", s.crashes_per_year)?,
    };

    let b = &raw.brain;
    if b.reboot_concurrency == 0 {
        return verr("brain.reboot_concurrency", "must be at least 1, found 0");
    }
    if let Some(p) = b.per_head_concurrency {
        if p == 0 {
            return verr(
                "brain.per_head_concurrency",
                "must be at least 1 (or None), found 0",
            );
        }
        if p > b.reboot_concurrency {
            return verr(
                "brain.per_head_concurrency",
                format!(
                    "must not exceed brain.reboot_concurrency ({}), found {p}",
                    b.reboot_concurrency
                ),
            );
        }
    }
    let slowdown = b.boot_slowdown_per_concurrent_boot;
    if !(slowdown.is_finite() && (0.0..=10.0).contains(&slowdown)) {
        return verr(
            "brain.boot_slowdown_per_concurrent_boot",
            format!("must be in [0, 10], found {slowdown}"),
        );
    }
    let brain = BrainParams {
        reboot_concurrency: b.reboot_concurrency,
        per_head_concurrency: b.per_head_concurrency,
        boot_time: dist("brain.boot_time", &b.boot_time)?,
        boot_slowdown_per_concurrent_boot: slowdown,
        queue_policy: match b.queue_policy {
            RawQueuePolicy::Fifo => QueuePolicy::Fifo,
            RawQueuePolicy::Random => QueuePolicy::Random,
            RawQueuePolicy::RoundRobinHeads => QueuePolicy::RoundRobinHeads,
            RawQueuePolicy::ShortestFirst => QueuePolicy::ShortestFirst,
        },
        failovers_per_year: rate("brain.failovers_per_year", b.failovers_per_year)?,
        failover_time: dist("brain.failover_time", &b.failover_time)?,
    };

    let head = HeadParams {
        failures_per_year: rate("head.failures_per_year", raw.head.failures_per_year)?,
        repair: dist("head.repair", &raw.head.repair)?,
    };

    let mut faults = Vec::with_capacity(raw.faults.len());
    for (i, f) in raw.faults.iter().enumerate() {
        let field = |leaf: &str| format!("faults[{i}].{leaf}");
        let at = |d: &Dur| -> VResult<Micros> {
            let at_us = duration(&field("at"), d)?;
            if at_us >= horizon_us {
                return verr(
                    &field("at"),
                    format!(
                        "{:?} is not before the horizon ({:?}): the fault would never happen",
                        d.0, raw.horizon.0
                    ),
                );
            }
            Ok(at_us)
        };
        faults.push(match f {
            RawFault::Partition {
                at: t,
                duration: d,
                scope: s,
            } => Fault::Partition {
                at_us: at(t)?,
                duration: dist(&field("duration"), d)?,
                scope: scope(&field("scope"), s, site.heads)?,
            },
            RawFault::RandomPartitions {
                per_year,
                duration: d,
                scope: s,
            } => {
                let r = rate(&field("per_year"), *per_year)?;
                if r == 0.0 {
                    return verr(
                        &field("per_year"),
                        "must be above 0 (remove the fault to have none)",
                    );
                }
                Fault::RandomPartitions {
                    per_year: r,
                    duration: dist(&field("duration"), d)?,
                    scope: scope(&field("scope"), s, site.heads)?,
                }
            }
            RawFault::SupervisorCrash { at: t, scope: s } => Fault::SupervisorCrash {
                at_us: at(t)?,
                scope: scope(&field("scope"), s, site.heads)?,
            },
            RawFault::BrainFailover { at: t } => Fault::BrainFailover { at_us: at(t)? },
            RawFault::HeadFailure { at: t, scope: s } => Fault::HeadFailure {
                at_us: at(t)?,
                scope: scope(&field("scope"), s, site.heads)?,
            },
        });
    }
    if raw.limits.max_events == 0 {
        return verr("limits.max_events", "must be at least 1, found 0");
    }
    let scenario = Scenario {
        name: raw.name.clone(),
        horizon_us,
        site,
        design,
        link,
        supervisor,
        brain,
        head,
        faults,
        limits: RunLimits {
            max_events: raw.limits.max_events,
        },
    };
    // Refuse, before allocating anything, a site too large for memory.
    let bytes = crate::model::Footprint::of(&scenario).bytes;
    if bytes > MAX_MODEL_BYTES {
        return verr(
            "site",
            format!(
                "{} heads × {} VMs would need about {:.1} GiB of memory; the limit is {} GiB",
                site.heads,
                site.vms_per_head,
                bytes as f64 / (1u64 << 30) as f64,
                MAX_MODEL_BYTES >> 30
            ),
        );
    }
    check_work(&scenario)?;
    Ok(scenario)
}

/// How many head or VM updates a run may spend per event allowed by
/// `limits.max_events` before the model is refused as a runaway (see [`check_work`]).
pub const WORK_PER_EVENT: u64 = 50;

/// Refuses a model whose events would each touch a great many heads or VMs, so often
/// that the run would take hours before reaching `limits.max_events`.
///
/// The event limit bounds the number of events, not the work of each one: a site-wide
/// partition arriving every microsecond on 100 000 heads does 100 000 updates per
/// event. This bounds, before anything runs, the updates that processes touching many
/// heads or VMs at once can make: occurrences over the horizon (at most
/// `limits.max_events` of each) × the heads or VMs each occurrence touches. More than
/// [`WORK_PER_EVENT`] × `limits.max_events` is refused, naming the largest
/// contributor. Processes touching one head at a time are left to the event limit.
fn check_work(sc: &Scenario) -> VResult<()> {
    let years = sc.horizon_us as f64 / crate::engine::US_PER_YEAR as f64;
    let cap = sc.limits.max_events as f64;
    let heads = sc.site.heads as f64;
    let vms = sc.site.vms_per_head as f64;
    let scope_heads = |s: &Scope| match s {
        Scope::All | Scope::Fraction(_) => heads,
        Scope::Heads(list) => list.len() as f64,
    };
    // (field, occurrences over the horizon, updates per occurrence)
    let mut parts: Vec<(String, f64, f64)> = vec![
        (
            "link.flaps_per_year".into(),
            sc.link.flaps_per_year * years * heads,
            vms,
        ),
        (
            "supervisor.crashes_per_year".into(),
            sc.supervisor.crashes_per_year * years * heads,
            vms,
        ),
        (
            "head.failures_per_year".into(),
            sc.head.failures_per_year * years * heads,
            vms + 1.0,
        ),
        (
            "brain.failovers_per_year".into(),
            sc.brain.failovers_per_year * years,
            2.0 * heads,
        ),
    ];
    if let Transport::MessageQueue { broker } = &sc.design.transport {
        parts.push((
            "design.transport.broker.failures_per_year".into(),
            broker.failures_per_year * years,
            2.0 * heads,
        ));
    }
    for (i, f) in sc.faults.iter().enumerate() {
        parts.push(match f {
            Fault::Partition { scope, .. } => {
                (format!("faults[{i}]"), 1.0, 2.0 * scope_heads(scope))
            }
            Fault::RandomPartitions {
                per_year, scope, ..
            } => (
                format!("faults[{i}].per_year"),
                per_year * years,
                2.0 * scope_heads(scope),
            ),
            Fault::SupervisorCrash { scope, .. } | Fault::HeadFailure { scope, .. } => (
                format!("faults[{i}]"),
                1.0,
                scope_heads(scope) * (vms + 1.0),
            ),
            Fault::BrainFailover { .. } => (format!("faults[{i}]"), 1.0, 2.0 * heads),
        });
    }
    let work = |&(_, occurrences, each): &(String, f64, f64)| occurrences.min(cap) * each;
    let total: f64 = parts.iter().map(work).sum();
    let budget = WORK_PER_EVENT as f64 * cap;
    if total <= budget {
        return Ok(());
    }
    let Some(worst) = parts.iter().max_by(|a, b| work(a).total_cmp(&work(b))) else {
        return Ok(());
    };
    verr(
        &worst.0,
        format!(
            "the run would make about {total:.1e} head and VM updates in events that each \
             touch many heads or VMs, more than {WORK_PER_EVENT} × limits.max_events = \
             {budget:.1e}: it would run for hours before stopping. This field alone: about \
             {:.1e} occurrences over the horizon (at most limits.max_events counted) × {:.0} \
             updates each. Lower it, shrink the site or the horizon, or raise \
             limits.max_events",
            worst.1.min(cap),
            worst.2
        ),
    )
}

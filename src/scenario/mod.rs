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
        write!(f, "{}", self.file)?;
        if let Some((line, col)) = self.location {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(arg) = &self.set_arg {
            write!(f, ": in --set {arg}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

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
    let err = |location, field: Option<String>, message: String| ScenarioError {
        file: path.to_string(),
        location,
        field,
        set_arg: None,
        message,
    };
    let opts = ron_options();
    let mut de = ron::Deserializer::from_str_with_options(source, &opts)
        .map_err(|e| err(Some(pos(&e)), None, describe_ron_error(&e.code)))?;
    let parsed: Result<RawScenario, _> = serde_path_to_error::deserialize(&mut de);
    match parsed {
        Ok(raw) => {
            de.end().map_err(|e| {
                let spanned = de.span_error(e);
                err(
                    Some(pos(&spanned)),
                    None,
                    format!(
                        "{} after the model's closing parenthesis",
                        describe_ron_error(&spanned.code)
                    ),
                )
            })?;
            Ok(raw)
        }
        Err(e) => {
            let path_text = e.path().to_string();
            let code = e.into_inner();
            let spanned = de.span_error(code);
            let (field, message) = field_and_message(&path_text, &spanned.code);
            Err(err(Some(pos(&spanned)), field, message))
        }
    }
}

fn pos(e: &ron::error::SpannedError) -> (usize, usize) {
    (e.span.start.line, e.span.start.col)
}

/// The field path and a friendly message for a ron error at `path`.
fn field_and_message(path: &str, code: &ron::Error) -> (Option<String>, String) {
    let join = |leaf: &str| {
        if path.is_empty() || path == "." {
            leaf.to_string()
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
        other => (non_root(path), describe_ron_error(other)),
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

fn describe_ron_error(code: &ron::Error) -> String {
    let text = code.to_string();
    match code {
        ron::Error::ExpectedComma => {
            format!("{text} (a comma is missing between two fields or values)")
        }
        ron::Error::Eof => format!("{text} (a parenthesis or bracket is not closed)"),
        _ => text,
    }
}

/// Reads, overrides and validates a model file.
pub fn load(path: &str, sets: &[String]) -> Result<LoadedModel, ScenarioError> {
    let source = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: path.to_string(),
        location: None,
        field: None,
        set_arg: None,
        message: format!("cannot read the model file: {e}"),
    })?;
    load_str(path, &source, sets)
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

/// Parses an override value as RON; a bare word that is not valid RON is retried as a
/// string, so `--set horizon=2d` works without shell-quoted quotes.
fn parse_value<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let opts = ron_options();
    match opts.from_str::<T>(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            if !text.trim_start().starts_with('"')
                && let Ok(v) = opts.from_str::<T>(&format!("{text:?}"))
            {
                return Ok(v);
            }
            Err(format!(
                "cannot read `{text}`: {}",
                describe_ron_error(&first.code)
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
        return verr(field, format!("must be longer than 0, found \"{}\"", d.0));
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
                    format!("must be ≥ min (\"{}\"), found \"{}\"", min.0, max.0),
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
                        "Empirical values must be sorted in ascending order: \"{}\" comes after \"{}\"",
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
                "must be ≥ link.reconnect.initial (\"{}\"), found \"{}\"",
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
                        "\"{}\" is not before the horizon (\"{}\"): the fault would never happen",
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
    Ok(scenario)
}

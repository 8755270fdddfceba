//! `--set` below a field: a distribution's parameter (`brain.boot_time.mean=60s`), a
//! fault's (`faults[0].duration=Fixed("10m")`, `faults[0].duration.mean=2m`) or the
//! broker's (`design.transport.broker.failures_per_year=3`). The names and kinds come
//! from the schema's variants; a bare duration where a distribution is wanted means
//! `Fixed` (`head.repair=4h`, read by [`super::bare`]).

use super::bare;
use super::raw::{Dur, RawChange, RawDist, RawFault, RawTransport};
use super::schema::{self, DISTRIBUTIONS, FAULTS, Kind, TRANSPORTS, parse};

/// A distribution from override text at `path`: RON such as `Exponential(mean:
/// "4h")`, or a bare duration (`4h`, `"4h"`), which means `Fixed` ([`super::bare`]).
/// A bare word that is not valid RON is retried as a string; the error is the first
/// attempt's.
pub(super) fn dist(path: &str, text: &str) -> Result<RawDist, ron::Error> {
    let text = text.trim();
    match bare::read(text, path) {
        Ok(d) => Ok(d),
        Err(first) => {
            if !text.starts_with('"')
                && let Ok(d) = bare::read(&format!("{text:?}"), path)
            {
                return Ok(d);
            }
            Err(first.failure.2)
        }
    }
}

/// What went wrong setting a value below a field: a parameter the value does not
/// have (the message says which it has), or text that does not read as the
/// parameter's kind.
pub(super) enum Problem {
    NoSuchParam(String),
    Unreadable { expected: String, code: ron::Error },
}

type Set = Result<(), Problem>;

/// `text` read as the value at `path` (of `kind`); the message says what the schema
/// allows there.
fn read<T: serde::de::DeserializeOwned>(path: &str, kind: Kind, text: &str) -> Result<T, Problem> {
    let range = schema::resolve(path).map_or(schema::Range::Any, |(_, range)| range);
    parse(text).map_err(|code| Problem::Unreadable {
        expected: kind.expected(range),
        code,
    })
}

fn read_dist(path: &str, text: &str) -> Result<RawDist, Problem> {
    dist(path, text).map_err(|code| Problem::Unreadable {
        expected: Kind::Dist.expected(schema::Range::Any),
        code,
    })
}

/// The names of `variant`'s parameters, for "it has ..." messages.
fn params_of(variants: &'static [schema::Variant], name: &str) -> String {
    let params: Vec<String> = schema::variant(variants, name)
        .map(|v| {
            v.params
                .iter()
                .filter(|p| !p.name.is_empty())
                .map(|p| format!("`{}`", p.name))
                .collect()
        })
        .unwrap_or_default();
    if params.is_empty() {
        "none by name (set the whole value instead)".to_string()
    } else {
        params.join(", ")
    }
}

/// The variant name of a value written as RON (`LogNormal` of `LogNormal(...)`).
fn variant_name<T: serde::Serialize>(value: &T) -> String {
    variant_name_text(&ron::to_string(value).unwrap_or_default())
}

fn no_param(
    variants: &'static [schema::Variant],
    what: &str,
    name: &str,
    current: &str,
) -> Problem {
    Problem::NoSuchParam(format!(
        "{what} is `{current}`, which has no parameter `{name}`; its parameters: {}",
        params_of(variants, &variant_name_text(current))
    ))
}

fn variant_name_text(text: &str) -> String {
    text.split(['(', ' '])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Sets parameter `name` of distribution `d` (`what` names it in messages).
pub(super) fn set_dist_param(d: &mut RawDist, what: &str, name: &str, text: &str) -> Set {
    let current = ron::to_string(d).unwrap_or_default();
    let path = format!("{what}.{name}");
    let dur = || read::<Dur>(&path, Kind::Duration, text);
    let num = || read::<f64>(&path, Kind::Number, text);
    match (d, name) {
        (RawDist::Exponential { mean }, "mean") | (RawDist::LogNormal { mean, .. }, "mean") => {
            *mean = dur()?
        }
        (RawDist::Uniform { min, .. }, "min") => *min = dur()?,
        (RawDist::Uniform { max, .. }, "max") => *max = dur()?,
        (RawDist::LogNormal { sigma, .. }, "sigma") => *sigma = num()?,
        (RawDist::Weibull { shape, .. }, "shape") => *shape = num()?,
        (RawDist::Weibull { scale, .. }, "scale") => *scale = dur()?,
        _ => return Err(no_param(DISTRIBUTIONS, what, name, &current)),
    }
    Ok(())
}

/// Sets `rest` (`duration`, `duration.mean`, `at`, ...) of fault `f`, `what` being its
/// path.
pub(super) fn set_fault(f: &mut RawFault, what: &str, rest: &str, text: &str) -> Set {
    let (name, deeper) = rest.split_once('.').unwrap_or((rest, ""));
    let current = variant_name(f);
    let missing = || {
        Problem::NoSuchParam(format!(
            "{what} is a `{current}`, which has no parameter `{name}`; its parameters: {}",
            params_of(FAULTS, &current)
        ))
    };
    match (f, name) {
        (
            RawFault::Partition { duration, .. } | RawFault::RandomPartitions { duration, .. },
            "duration",
        ) => {
            if deeper.is_empty() {
                *duration = read_dist(&format!("{what}.duration"), text)?;
            } else {
                set_dist_param(duration, &format!("{what}.duration"), deeper, text)?;
            }
        }
        (_, _) if !deeper.is_empty() => return Err(missing()),
        (
            RawFault::Partition { at, .. }
            | RawFault::SupervisorCrash { at, .. }
            | RawFault::BrainFailover { at }
            | RawFault::HeadFailure { at, .. },
            "at",
        ) => *at = read(&format!("{what}.at"), Kind::Duration, text)?,
        (
            RawFault::Partition { scope, .. }
            | RawFault::RandomPartitions { scope, .. }
            | RawFault::SupervisorCrash { scope, .. }
            | RawFault::HeadFailure { scope, .. },
            "scope",
        ) => *scope = read(&format!("{what}.scope"), Kind::Scope, text)?,
        (RawFault::RandomPartitions { per_year, .. }, "per_year") => {
            *per_year = read(&format!("{what}.per_year"), Kind::Number, text)?
        }
        _ => return Err(missing()),
    }
    Ok(())
}

/// Sets `rest` (`broker`, `broker.failures_per_year`, `broker.repair.mean`, ...) of
/// transport `t`, `what` being its path.
pub(super) fn set_transport(t: &mut RawTransport, what: &str, rest: &str, text: &str) -> Set {
    let RawTransport::MessageQueue { broker } = t else {
        return Err(Problem::NoSuchParam(format!(
            "{what} is `Tcp`, which has no broker; set the whole transport first, e.g. \
             --set '{what}={}'",
            TRANSPORTS[1].example
        )));
    };
    let mut names = rest.splitn(3, '.');
    let (first, leaf, deeper) = (names.next(), names.next(), names.next());
    match (first, leaf, deeper) {
        (Some("broker"), None, None) => broker.clone_from(&read(
            &format!("{what}.broker"),
            Kind::Record(schema::BROKER),
            text,
        )?),
        (Some("broker"), Some("failures_per_year"), None) => {
            broker.failures_per_year = read(
                &format!("{what}.broker.failures_per_year"),
                Kind::Number,
                text,
            )?
        }
        (Some("broker"), Some("repair"), None) => {
            broker.repair = read_dist(&format!("{what}.broker.repair"), text)?
        }
        (Some("broker"), Some("repair"), Some(p)) => set_dist_param(
            &mut broker.repair,
            &format!("{what}.broker.repair"),
            p,
            text,
        )?,
        _ => {
            return Err(Problem::NoSuchParam(format!(
                "{what} has `broker`, whose fields are {}",
                schema::BROKER
                    .iter()
                    .map(|p| format!("`{}`", p.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

/// Sets parameter `name` (`at`, `over`, `order`, `restart_supervisor`, `drain`) of
/// change `c`, `what` being its path: what a sweep of a rollout's speed varies.
pub(super) fn set_change(c: &mut RawChange, what: &str, name: &str, text: &str) -> Set {
    let path = format!("{what}.{name}");
    let kind = schema::resolve(&path).map_or(Kind::Duration, |(kind, _)| kind);
    match (c, name) {
        (RawChange::At { at, .. } | RawChange::Rollout { at, .. }, "at") => {
            *at = read(&path, kind, text)?
        }
        (RawChange::Rollout { over, .. }, "over") => *over = read(&path, kind, text)?,
        (RawChange::Rollout { order, .. }, "order") => *order = read(&path, kind, text)?,
        (
            RawChange::At {
                restart_supervisor, ..
            }
            | RawChange::Rollout {
                restart_supervisor, ..
            },
            "restart_supervisor",
        ) => *restart_supervisor = read(&path, kind, text)?,
        (RawChange::Rollout { drain, .. }, "drain") => *drain = read(&path, kind, text)?,
        (c, _) => {
            let current = variant_name(c);
            return Err(Problem::NoSuchParam(format!(
                "{what} is an `{current}`, which has no parameter `{name}` to set; its parameters: {}",
                params_of(schema::CHANGES, &current)
            )));
        }
    }
    Ok(())
}

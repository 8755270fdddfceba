//! Validation: the raw mirror → a [`Scenario`], every field checked against the range
//! the [`schema`] gives it, units converted (durations to microseconds), and the
//! checks that tie fields together (a per-head limit under the global one, faults
//! before the horizon, a bounded amount of work). Whether a site fits in memory
//! depends on the model's layout and the number of workers, so it is checked above
//! both, in `experiment::resources`.

use super::duration;
use super::error::FieldError;
use super::raw::*;
use super::schema::{self, DISTRIBUTIONS, FAULTS, MAX_NAME_CHARS, Range, SCOPES, field_path};
use super::types::*;
use super::work::check_work;
use crate::metrics::format::fmt_input;

mod changes;
mod evacuation;
mod maintenance;
mod racks;
use crate::engine::{Dist, Micros};

mod storm;
pub mod uncertain;

type VResult<T> = Result<T, FieldError>;

fn verr<T>(field: &str, message: impl Into<String>) -> VResult<T> {
    Err(FieldError::new(field, message))
}

fn duration(field: &str, d: &Dur) -> VResult<Micros> {
    duration::parse_duration_us(&d.0).map_err(|m| FieldError::new(field, m))
}

/// `value` checked against `range`; the message says what the range allows.
fn number(field: &str, range: Range, value: f64) -> VResult<f64> {
    match range.allowed() {
        Some(allowed) if !range.allows(value) => verr(
            field,
            format!("must be {allowed}, found {}", fmt_input(value)),
        ),
        _ => Ok(value),
    }
}

/// The range the schema gives the field at `field`.
fn range_of(field: &str) -> Range {
    schema::field(field).map_or(Range::Any, |f| f.range)
}

/// The range the schema gives parameter `name` of `variant` of `variants`. A name
/// the schema lacks is a mistake in this file, not in the input (the schema's tests
/// prove its names are serde's), and the tests below reach every call.
fn param_range(variants: &'static [schema::Variant], variant: &str, name: &str) -> Range {
    schema::variant(variants, variant)
        .and_then(|v| v.param(name))
        .map(|p| p.range)
        .unwrap_or_else(|| panic!("the schema has no parameter {variant}.{name}"))
}

/// A duration, checked against `range` (only [`Range::Positive`] applies).
fn duration_in(field: &str, range: Range, d: &Dur) -> VResult<Micros> {
    let v = duration(field, d)?;
    if range == Range::Positive && v == 0 {
        return verr(field, format!("must be longer than 0, found {:?}", d.0));
    }
    Ok(v)
}

/// A whole number checked against the schema field's range (zero refused).
fn count(field: &'static str, value: u64, or_none: bool) -> VResult<u64> {
    let range = range_of(field);
    if let (false, Some(allowed)) = (range.allows(value as f64), range.allowed()) {
        let none = if or_none { " (or None)" } else { "" };
        return verr(field, format!("must be {allowed}{none}, found {value}"));
    }
    Ok(value)
}

fn dist(field: &str, d: &RawDist) -> VResult<Dist> {
    let sub = |leaf: &str| format!("{field}.{leaf}");
    let range = |variant: &str, name: &str| param_range(DISTRIBUTIONS, variant, name);
    Ok(match d {
        RawDist::Fixed(v) => Dist::Fixed(duration(field, v)?),
        RawDist::Exponential { mean } => Dist::Exponential {
            mean_us: duration_in(&sub("mean"), range("Exponential", "mean"), mean)? as f64,
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
            let sigma = number(&sub("sigma"), range("LogNormal", "sigma"), *sigma)?;
            Dist::LogNormal {
                mean_us: duration_in(&sub("mean"), range("LogNormal", "mean"), mean)? as f64,
                sigma,
            }
        }
        RawDist::Weibull { shape, scale } => {
            let shape = number(&sub("shape"), range("Weibull", "shape"), *shape)?;
            Dist::Weibull {
                shape,
                scale_us: duration_in(&sub("scale"), range("Weibull", "scale"), scale)? as f64,
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

/// A scope, checked against the site's `heads` and `racks` (0 when the field is
/// itself wrong: the checks that need it are then left out). A scope that touches no
/// head would make its fault do nothing, so it is refused.
fn scope(field: &str, s: &RawScope, site: racks::ScopeSite) -> VResult<Scope> {
    let heads = site.heads;
    Ok(match s {
        RawScope::Racks(_) | RawScope::RackFraction(_) => racks::scope(field, s, site.racks)?,
        RawScope::All => Scope::All,
        RawScope::Fraction(f) => {
            let range = param_range(SCOPES, "Fraction", "");
            if let (false, Some(allowed)) = (range.allows(*f), range.allowed()) {
                return verr(
                    field,
                    format!("Fraction must be {allowed}, found {}", fmt_input(*f)),
                );
            }
            // The model touches round(f · heads) heads (half away from zero).
            if heads > 0 && libm::round(f * heads as f64) < 1.0 {
                return verr(
                    field,
                    format!(
                        "Fraction({f}) of the site's {heads} heads rounds to 0 heads, so the \
                         fault would touch no head; the smallest fraction that touches one \
                         head is {}",
                        smallest_fraction(heads)
                    ),
                );
            }
            Scope::Fraction(*f)
        }
        RawScope::Heads(list) => {
            if list.is_empty() {
                return verr(field, "Heads([...]) needs at least one head index");
            }
            if heads > 0
                && let Some(h) = list.iter().find(|h| **h >= heads)
            {
                return verr(
                    field,
                    format!(
                        "head {h} does not exist: the site has heads 0 to {}",
                        heads - 1
                    ),
                );
            }
            let mut seen = std::collections::HashSet::with_capacity(list.len());
            if let Some(h) = list.iter().find(|h| !seen.insert(**h)) {
                return verr(
                    field,
                    format!("head {h} is listed twice: list each head once"),
                );
            }
            Scope::Heads(list.clone())
        }
    })
}

/// The smallest `Fraction(f)` that touches at least one of `heads` heads, as the model
/// rounds it: 0.5 / heads, nudged up if floating point rounds it below one head.
fn smallest_fraction(heads: u32) -> f64 {
    let n = heads as f64;
    let mut f = 0.5 / n;
    while libm::round(f * n) < 1.0 {
        f = f.next_up();
    }
    f
}

/// A model name: shown in every output, it must be printable on one line and fit a
/// report table's cell.
fn name(field: &str, name: &str) -> VResult<()> {
    let allowed = || range_of(field).allowed().unwrap_or_default();
    if name.trim().is_empty() {
        return verr(field, "must not be empty");
    }
    let length = name.chars().count();
    if length > MAX_NAME_CHARS {
        return verr(
            field,
            format!("is {length} characters long: use {}", allowed()),
        );
    }
    if let Some((i, c)) = name.chars().enumerate().find(|(_, c)| invisible(*c)) {
        return verr(
            field,
            format!(
                "holds the control or invisible character {:?} at character {}: use {}",
                c,
                i + 1,
                allowed()
            ),
        );
    }
    if name.contains('|') {
        return verr(
            field,
            format!(
                "holds `|`, which would split the report's tables: use {}",
                allowed()
            ),
        );
    }
    Ok(())
}

/// What is wrong with `label` as a name shown in outputs (a design's or a point's,
/// made from text the user typed), by the rules of a model's `name`; None when it
/// may be shown.
pub fn name_problem(label: &str) -> Option<String> {
    name(field_path!("name"), label).err().map(|e| e.message)
}

/// What is wrong with `text` as one line of a report table (a recorded override):
/// a control or invisible character, or `|`; None when it may be shown.
pub fn line_problem(text: &str) -> Option<String> {
    if let Some((i, c)) = text.chars().enumerate().find(|(_, c)| invisible(*c)) {
        return Some(format!(
            "holds the control or invisible character {c:?} at character {}",
            i + 1
        ));
    }
    text.contains('|')
        .then(|| "holds `|`, which would split the report's tables".to_string())
}

/// Characters that would break a one-line output or hide what it says: control
/// characters (newlines, tabs, escapes), and invisible formatting such as zero-width
/// spaces, bidirectional overrides and byte-order marks.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// The largest model the simulator agrees to allocate.
pub const MAX_MODEL_BYTES: u64 = 16 << 30;

mod idle;
mod targets;

/// Every problem found so far: a check that fails records its error and validation
/// goes on with a stand-in value, so that one pass reports every mistake in a file.
#[derive(Default)]
struct Problems {
    errors: Vec<FieldError>,
}

impl Problems {
    /// The value, or `stand_in` after recording the error.
    fn take<T>(&mut self, result: VResult<T>, stand_in: T) -> T {
        result.unwrap_or_else(|e| {
            self.errors.push(e);
            stand_in
        })
    }

    /// Records the error, if any.
    fn check(&mut self, result: VResult<()>) {
        self.take(result, ());
    }
}

/// A distribution standing in for one that failed its checks.
const NO_DIST: Dist = Dist::Fixed(0);

/// Checks every field and converts units; on failure, every problem found, in the
/// order of the file (each names its field; its place in the input is found by the
/// caller). Checks that tie fields together (memory, work) run once every field is
/// valid.
pub fn validate(raw: &RawScenario) -> Result<Scenario, Vec<FieldError>> {
    let mut p = Problems::default();
    p.check(name(field_path!("name"), &raw.name));
    let horizon = field_path!("horizon");
    let horizon_us = p.take(
        duration_in(horizon, range_of(horizon), &raw.horizon).map(Some),
        None,
    );
    let heads_ok = p.take(
        count(field_path!("site.heads"), raw.site.heads.into(), false).map(|_| true),
        false,
    );
    p.check(
        count(
            field_path!("site.vms_per_head"),
            raw.site.vms_per_head.into(),
            false,
        )
        .map(|_| ()),
    );
    let site = Site {
        heads: raw.site.heads,
        vms_per_head: raw.site.vms_per_head,
        racks: raw.site.racks,
    };
    let scope_site = racks::site_racks(&mut p, raw, heads_ok);
    if site.vms() >= u32::MAX as u64 {
        p.errors.push(FieldError::new(
            field_path!("site"),
            format!(
                "{} VMs is more than the {} a site may have",
                site.vms(),
                u32::MAX - 1
            ),
        ));
    }
    // The broker's fields are a variant's parameters, below `design.transport`.
    let transport_field = field_path!("design.transport");
    let broker_path = |leaf: &str| format!("{transport_field}.broker.{leaf}");
    let broker_range = |leaf: &str| {
        schema::variant(schema::TRANSPORTS, "MessageQueue")
            .and_then(|v| v.param("broker"))
            .and_then(|p| match p.kind {
                schema::Kind::Record(params) => params.iter().find(|q| q.name == leaf),
                _ => None,
            })
            .map(|q| q.range)
            .unwrap_or_else(|| panic!("the schema has no broker field {leaf}"))
    };
    let transport = match &raw.design.transport {
        RawTransport::Tcp => Transport::Tcp,
        RawTransport::MessageQueue { broker } => Transport::MessageQueue {
            broker: Broker {
                failures_per_year: p.take(
                    number(
                        &broker_path("failures_per_year"),
                        broker_range("failures_per_year"),
                        broker.failures_per_year,
                    ),
                    0.0,
                ),
                repair: p.take(dist(&broker_path("repair"), &broker.repair), NO_DIST),
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
    let initial = field_path!("link.reconnect.initial");
    let initial_us = p.take(
        duration_in(initial, range_of(initial), &rc.initial).map(Some),
        None,
    );
    let max = field_path!("link.reconnect.max");
    let max_us = p.take(duration_in(max, range_of(max), &rc.max).map(Some), None);
    if let (Some(lo), Some(hi)) = (initial_us, max_us)
        && hi < lo
    {
        p.errors.push(FieldError::new(
            max,
            format!(
                "must be ≥ {initial} ({:?}), found {:?}",
                rc.initial.0, rc.max.0
            ),
        ));
    }
    let mut field_number =
        |field: &'static str, value: f64| p.take(number(field, range_of(field), value), value);
    let reconnect = Backoff {
        initial_us: initial_us.unwrap_or(1),
        multiplier: field_number(field_path!("link.reconnect.multiplier"), rc.multiplier),
        max_us: max_us.unwrap_or(1),
        jitter: field_number(field_path!("link.reconnect.jitter"), rc.jitter),
    };
    let flaps_per_year = field_number(field_path!("link.flaps_per_year"), raw.link.flaps_per_year);
    let link = LinkParams {
        reconnect,
        flaps_per_year,
        flap_duration: p.take(
            dist(field_path!("link.flap_duration"), &raw.link.flap_duration),
            NO_DIST,
        ),
    };

    let s = &raw.supervisor;
    let long_reset_after = field_path!("supervisor.long_reset_after");
    let restart = p.take(dist(field_path!("supervisor.restart"), &s.restart), NO_DIST);
    let mut field_number =
        |field: &'static str, value: f64| p.take(number(field, range_of(field), value), value);
    let crash_on_reset = field_number(field_path!("supervisor.crash_on_reset"), s.crash_on_reset);
    let crash_on_long_reset = field_number(
        field_path!("supervisor.crash_on_long_reset"),
        s.crash_on_long_reset,
    );
    let site_fraction = field_number(
        field_path!("metrics.site_fraction"),
        raw.metrics.site_fraction,
    );
    let long_reset_after_us = p.take(
        duration_in(
            long_reset_after,
            range_of(long_reset_after),
            &s.long_reset_after,
        ),
        0,
    );
    let crashes_per_year = p.take(
        number(
            field_path!("supervisor.crashes_per_year"),
            range_of(field_path!("supervisor.crashes_per_year")),
            s.crashes_per_year,
        ),
        0.0,
    );
    let supervisor = SupervisorParams {
        restart,
        crash_on_reset,
        crash_on_long_reset,
        long_reset_after_us,
        crashes_per_year,
    };

    let b = &raw.brain;
    let reboot_concurrency = field_path!("brain.reboot_concurrency");
    let global_ok = p.take(
        count(reboot_concurrency, b.reboot_concurrency.into(), false).map(|_| true),
        false,
    );
    if let Some(k) = b.per_head_concurrency {
        let per_head = field_path!("brain.per_head_concurrency");
        let ok = p.take(count(per_head, k.into(), true).map(|_| true), false);
        if ok && global_ok && k > b.reboot_concurrency {
            p.errors.push(FieldError::new(
                per_head,
                format!(
                    "must not exceed {reboot_concurrency} ({}), found {k}",
                    b.reboot_concurrency
                ),
            ));
        }
    }
    let boot_time = p.take(dist(field_path!("brain.boot_time"), &b.boot_time), NO_DIST);
    let on_head = field_path!("brain.boot_slowdown_per_boot_on_head");
    let on_head = p.take(
        number(on_head, range_of(on_head), b.boot_slowdown_per_boot_on_head),
        0.0,
    );
    let on_site = field_path!("brain.boot_slowdown_per_boot_on_site");
    let on_site = p.take(
        number(on_site, range_of(on_site), b.boot_slowdown_per_boot_on_site),
        0.0,
    );
    let failovers = field_path!("brain.failovers_per_year");
    let failovers_per_year = p.take(
        number(failovers, range_of(failovers), b.failovers_per_year),
        0.0,
    );
    let brain = BrainParams {
        reboot_concurrency: b.reboot_concurrency,
        per_head_concurrency: b.per_head_concurrency,
        boot_time,
        boot_slowdown_per_boot_on_head: on_head,
        boot_slowdown_per_boot_on_site: on_site,
        queue_policy: match b.queue_policy {
            RawQueuePolicy::Fifo => QueuePolicy::Fifo,
            RawQueuePolicy::Random => QueuePolicy::Random,
            RawQueuePolicy::RoundRobinHeads => QueuePolicy::RoundRobinHeads,
            RawQueuePolicy::ShortestFirst => QueuePolicy::ShortestFirst,
        },
        failovers_per_year,
        failover_time: p.take(
            dist(field_path!("brain.failover_time"), &b.failover_time),
            NO_DIST,
        ),
        admission: storm::admission(&mut p, b),
    };

    let head_failures = field_path!("head.failures_per_year");
    let head = HeadParams {
        failures_per_year: p.take(
            number(
                head_failures,
                range_of(head_failures),
                raw.head.failures_per_year,
            ),
            0.0,
        ),
        repair: p.take(dist(field_path!("head.repair"), &raw.head.repair), NO_DIST),
        predicted_fraction: 0.0,
        warning_us: 0,
    };
    let head = evacuation::head(&mut p, raw, head);

    let rack_params = racks::racks(&mut p, raw);
    let maintenance = maintenance::maintenance(&mut p, raw);
    let mut faults = Vec::with_capacity(raw.faults.len());
    for (i, f) in raw.faults.iter().enumerate() {
        faults.push(fault(&mut p, i, f, horizon_us, &raw.horizon, scope_site));
    }
    let changes = changes::check_all(&mut p, raw, horizon_us);
    let targets = targets::targets(&mut p, &raw.targets);
    p.check(
        count(
            field_path!("limits.max_events"),
            raw.limits.max_events,
            false,
        )
        .map(|_| ()),
    );
    let uncertain = uncertain::check_all(&mut p, &raw.uncertain);
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    let scenario = Scenario {
        name: raw.name.clone(),
        horizon_us: horizon_us.unwrap_or(1),
        site,
        design,
        link,
        supervisor,
        brain,
        head,
        racks: rack_params,
        maintenance,
        faults,
        changes,
        targets,
        metrics: MetricParams { site_fraction },
        limits: RunLimits {
            max_events: raw.limits.max_events,
        },
        uncertain,
    };
    check_work(&scenario).map_err(|e| vec![e])?;
    Ok(scenario)
}

/// Settings of a valid scenario that can never have an effect in this model but
/// are legitimate (a variant of a model kept for comparison, a horizon shortened
/// with `--set`): each is worth a warning, not a refusal.
pub fn warnings(sc: &Scenario) -> Vec<FieldError> {
    let mut out = Vec::new();
    let s = &sc.supervisor;
    if s.crash_on_long_reset > 0.0 && s.long_reset_after_us >= sc.horizon_us {
        out.push(FieldError::new(
            field_path!("supervisor.crash_on_long_reset"),
            format!(
                "has no effect: no link can be down for longer than {} \
                 (supervisor.long_reset_after) within the horizon ({})",
                duration::format_duration_us(s.long_reset_after_us),
                duration::format_duration_us(sc.horizon_us)
            ),
        ));
    }
    racks::boot_warnings(sc, &mut out);
    maintenance::warnings(sc, &mut out);
    changes::warnings(sc, &mut out);
    idle::warnings(sc, &mut out);
    out
}

/// [`warnings`], and those that need to know which settings the model gave (a
/// `migration:` section, an accept timeout, a failure warning time) rather than left
/// to their defaults.
pub fn warnings_given(raw: &RawScenario, sc: &Scenario) -> Vec<FieldError> {
    let mut out = warnings(sc);
    storm::warnings(raw, sc, &mut out);
    evacuation::warnings(raw, sc, &mut out);
    maintenance::idle_warnings(raw, sc, &mut out);
    out
}

/// Fault `i`, checked (a stand-in after recording the problems when it is wrong).
/// `horizon_us` is `None` when the horizon itself is wrong; `site` holds 0 for a
/// wrong head or rack count.
fn fault(
    p: &mut Problems,
    i: usize,
    f: &RawFault,
    horizon_us: Option<Micros>,
    horizon: &Dur,
    site: racks::ScopeSite,
) -> Fault {
    let field = |leaf: &str| format!("{}[{i}].{leaf}", field_path!("faults"));
    let mut at = |d: &Dur| -> Micros {
        let checked = duration(&field("at"), d).and_then(|at_us| match horizon_us {
            Some(h) if at_us >= h => verr(
                &field("at"),
                format!(
                    "{:?} is not before the horizon ({:?}): the fault would never happen",
                    d.0, horizon.0
                ),
            ),
            _ => Ok(at_us),
        });
        p.take(checked, 0)
    };
    match f {
        RawFault::Partition {
            at: t,
            duration: d,
            scope: s,
        } => {
            let at_us = at(t);
            Fault::Partition {
                at_us,
                duration: p.take(dist(&field("duration"), d), NO_DIST),
                scope: p.take(scope(&field("scope"), s, site), Scope::All),
            }
        }
        RawFault::RandomPartitions {
            per_year,
            duration: d,
            scope: s,
        } => {
            let range = param_range(FAULTS, "RandomPartitions", "per_year");
            let rate = number(&field("per_year"), range, *per_year).and_then(|r| {
                if r == 0.0 {
                    verr(
                        &field("per_year"),
                        "must be above 0 (remove the fault to have none)",
                    )
                } else {
                    Ok(r)
                }
            });
            Fault::RandomPartitions {
                per_year: p.take(rate, 1.0),
                duration: p.take(dist(&field("duration"), d), NO_DIST),
                scope: p.take(scope(&field("scope"), s, site), Scope::All),
            }
        }
        RawFault::SupervisorCrash { at: t, scope: s } => {
            let at_us = at(t);
            Fault::SupervisorCrash {
                at_us,
                scope: p.take(scope(&field("scope"), s, site), Scope::All),
            }
        }
        RawFault::BrainFailover { at: t } => Fault::BrainFailover { at_us: at(t) },
        RawFault::HeadFailure { at: t, scope: s } => {
            let at_us = at(t);
            Fault::HeadFailure {
                at_us,
                scope: p.take(scope(&field("scope"), s, site), Scope::All),
            }
        }
    }
}

#[cfg(test)]
mod tests;

//! Validation: the raw mirror → a [`Scenario`], every value checked against the range
//! the [`schema`] gives it (in one walk of the schema, `ranges.rs`), units converted
//! (durations to microseconds), and the checks that tie fields together (a per-head limit under the global one, faults
//! before the horizon, a bounded amount of work). Whether a site fits in memory
//! depends on the model's layout and the number of workers, so it is checked above
//! both, in `experiment::resources`.

use super::duration;
use super::error::FieldError;
use super::raw::*;
use super::schema::{self, SCOPES, field_path};
use super::types::*;
use super::work::check_work;

mod changes;
mod evacuation;
mod maintenance;
mod racks;
mod ranges;
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

fn dist(field: &str, d: &RawDist) -> VResult<Dist> {
    let sub = |leaf: &str| format!("{field}.{leaf}");
    Ok(match d {
        RawDist::Fixed(v) => Dist::Fixed(duration(field, v)?),
        RawDist::Exponential { mean } => Dist::Exponential {
            mean_us: duration(&sub("mean"), mean)? as f64,
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
        RawDist::LogNormal { mean, sigma } => Dist::LogNormal {
            mean_us: duration(&sub("mean"), mean)? as f64,
            sigma: *sigma,
        },
        RawDist::Weibull { shape, scale } => Dist::Weibull {
            shape: *shape,
            scale_us: duration(&sub("scale"), scale)? as f64,
        },
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
            // The model touches round(f · heads) heads (half away from zero); a
            // fraction out of its range is refused by the range check.
            if heads > 0 && in_range(SCOPES, "Fraction", *f) && libm::round(f * heads as f64) < 1.0
            {
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

/// What is wrong with `label` as a name shown in outputs (a design's or a point's,
/// made from text the user typed), by the rules of a model's `name`; None when it
/// may be shown.
pub fn name_problem(label: &str) -> Option<String> {
    ranges::name(label).err()
}

pub use super::error::line_problem;

/// Whether `v` lies in the range of the one parameter of `variant` of `variants`: a
/// check that needs an in-range value is left out otherwise (the range check has
/// refused it).
fn in_range(variants: &'static [schema::Variant], variant: &str, v: f64) -> bool {
    schema::variant(variants, variant)
        .and_then(|v| v.params.first())
        .is_none_or(|p| p.range.allows(v))
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

    /// Whether a problem with the value at `path` itself was found.
    fn failed(&self, path: &str) -> bool {
        self.errors.iter().any(|e| e.path.as_deref() == Some(path))
    }

    /// The problems in the order of the schema's fields, so of a model file (those of
    /// one field in the order found).
    fn in_schema_order(mut self) -> Vec<FieldError> {
        let rank = |e: &FieldError| {
            let path = schema::without_indices(e.path.as_deref().unwrap_or_default());
            schema::FIELDS
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    path.strip_prefix(f.path)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                })
                .max_by_key(|(_, f)| f.path.len())
                .map_or(usize::MAX, |(i, _)| i)
        };
        self.errors.sort_by_key(rank);
        self.errors
    }
}

/// A distribution standing in for one that failed its checks.
const NO_DIST: Dist = Dist::Fixed(0);

/// Checks every field and converts units; on failure, every problem found, in the
/// order of the file (each names its field; its place in the input is found by the
/// caller). Checks that tie fields together (memory, work) run once every field is
/// valid.
pub fn validate(raw: &RawScenario) -> Result<Scenario, Vec<FieldError>> {
    let mut p = Problems {
        errors: ranges::check(raw),
    };
    let horizon = field_path!("horizon");
    let horizon_us = p.take(duration(horizon, &raw.horizon).map(Some), None);
    let horizon_us = horizon_us.filter(|_| !p.failed(horizon));
    let heads_ok = !p.failed(field_path!("site.heads"));
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
    let transport = match &raw.design.transport {
        RawTransport::Tcp => Transport::Tcp,
        RawTransport::MessageQueue { broker } => Transport::MessageQueue {
            broker: Broker {
                failures_per_year: broker.failures_per_year,
                repair: p.take(
                    dist(&format!("{transport_field}.broker.repair"), &broker.repair),
                    NO_DIST,
                ),
            },
        },
    };
    let design = Design {
        coupling: raw.design.coupling,
        transport,
    };

    let rc = &raw.link.reconnect;
    let initial = field_path!("link.reconnect.initial");
    let initial_us = p.take(duration(initial, &rc.initial).map(Some), None);
    let max = field_path!("link.reconnect.max");
    let max_us = p.take(duration(max, &rc.max).map(Some), None);
    if let (Some(lo), Some(hi)) = (initial_us, max_us)
        && hi < lo
        && !p.failed(initial)
    {
        p.errors.push(FieldError::new(
            max,
            format!(
                "must be ≥ {initial} ({:?}), found {:?}",
                rc.initial.0, rc.max.0
            ),
        ));
    }
    let reconnect = Backoff {
        initial_us: initial_us.unwrap_or(1),
        multiplier: rc.multiplier,
        max_us: max_us.unwrap_or(1),
        jitter: rc.jitter,
    };
    let link = LinkParams {
        reconnect,
        flaps_per_year: raw.link.flaps_per_year,
        flap_duration: p.take(
            dist(field_path!("link.flap_duration"), &raw.link.flap_duration),
            NO_DIST,
        ),
    };

    let s = &raw.supervisor;
    let supervisor = SupervisorParams {
        restart: p.take(dist(field_path!("supervisor.restart"), &s.restart), NO_DIST),
        crash_on_reset: s.crash_on_reset,
        crash_on_long_reset: s.crash_on_long_reset,
        long_reset_after_us: p.take(
            duration(
                field_path!("supervisor.long_reset_after"),
                &s.long_reset_after,
            ),
            0,
        ),
        crashes_per_year: s.crashes_per_year,
    };

    let b = &raw.brain;
    let reboot_concurrency = field_path!("brain.reboot_concurrency");
    if let Some(k) = b.per_head_concurrency {
        let per_head = field_path!("brain.per_head_concurrency");
        if !p.failed(per_head) && !p.failed(reboot_concurrency) && k > b.reboot_concurrency {
            p.errors.push(FieldError::new(
                per_head,
                format!(
                    "must not exceed {reboot_concurrency} ({}), found {k}",
                    b.reboot_concurrency
                ),
            ));
        }
    }
    let brain = BrainParams {
        reboot_concurrency: b.reboot_concurrency,
        per_head_concurrency: b.per_head_concurrency,
        boot_time: p.take(dist(field_path!("brain.boot_time"), &b.boot_time), NO_DIST),
        boot_slowdown_per_boot_on_head: b.boot_slowdown_per_boot_on_head,
        boot_slowdown_per_boot_on_site: b.boot_slowdown_per_boot_on_site,
        queue_policy: b.queue_policy,
        failovers_per_year: b.failovers_per_year,
        failover_time: p.take(
            dist(field_path!("brain.failover_time"), &b.failover_time),
            NO_DIST,
        ),
        admission: storm::admission(&mut p, b),
    };

    let head = HeadParams {
        failures_per_year: raw.head.failures_per_year,
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
    let uncertain = uncertain::check_all(&mut p, &raw.uncertain);
    if !p.errors.is_empty() {
        return Err(p.in_schema_order());
    }
    let mut scenario = Scenario {
        name: raw.name.clone(),
        horizon_us: horizon_us.unwrap_or(1),
        kind: raw.kind,
        kind_inferred: raw.kind.is_auto(),
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
        metrics: MetricParams {
            site_fraction: raw.metrics.site_fraction,
        },
        limits: RunLimits {
            max_events: raw.limits.max_events,
        },
        uncertain,
    };
    if scenario.kind_inferred {
        scenario.kind = scenario.inferred_kind();
    }
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
            let rate = if *per_year == 0.0 {
                verr(
                    &field("per_year"),
                    "must be above 0 (remove the fault to have none)",
                )
            } else {
                Ok(*per_year)
            };
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

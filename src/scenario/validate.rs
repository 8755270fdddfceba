//! Validation: the raw mirror → a [`Scenario`], every field checked against the range
//! the [`schema`] gives it, units converted (durations to microseconds), and the
//! checks that tie fields together (a per-head limit under the global one, faults
//! before the horizon, a site that fits in memory, a bounded amount of work).

use super::duration;
use super::error::FieldError;
use super::raw::*;
use super::schema::{self, DISTRIBUTIONS, FAULTS, Range, SCOPES, field_path};
use super::types::*;
use super::work::check_work;
use crate::engine::{Dist, Micros};

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
        Some(allowed) if !range.allows(value) => {
            verr(field, format!("must be {allowed}, found {value}"))
        }
        _ => Ok(value),
    }
}

/// The number at the schema field `field`, checked against its range.
fn field_number(field: &'static str, value: f64) -> VResult<f64> {
    number(field, range_of(field), value)
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

fn scope(field: &str, s: &RawScope, heads: u32) -> VResult<Scope> {
    Ok(match s {
        RawScope::All => Scope::All,
        RawScope::Fraction(f) => {
            let range = param_range(SCOPES, "Fraction", "");
            if let (false, Some(allowed)) = (range.allows(*f), range.allowed()) {
                return verr(field, format!("Fraction must be {allowed}, found {f}"));
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

/// Checks every field and converts units; an error names the field (its place in the
/// input is found by the caller).
pub fn validate(raw: &RawScenario) -> Result<Scenario, FieldError> {
    if raw.name.trim().is_empty() {
        return verr(field_path!("name"), "must not be empty");
    }
    let horizon = field_path!("horizon");
    let horizon_us = duration_in(horizon, range_of(horizon), &raw.horizon)?;
    count(field_path!("site.heads"), raw.site.heads.into(), false)?;
    count(
        field_path!("site.vms_per_head"),
        raw.site.vms_per_head.into(),
        false,
    )?;
    let site = Site {
        heads: raw.site.heads,
        vms_per_head: raw.site.vms_per_head,
    };
    if site.vms() >= u32::MAX as u64 {
        return verr(
            field_path!("site"),
            format!(
                "{} VMs is more than the {} a site may have",
                site.vms(),
                u32::MAX - 1
            ),
        );
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
                failures_per_year: number(
                    &broker_path("failures_per_year"),
                    broker_range("failures_per_year"),
                    broker.failures_per_year,
                )?,
                repair: dist(&broker_path("repair"), &broker.repair)?,
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
    let initial_us = duration_in(initial, range_of(initial), &rc.initial)?;
    let max = field_path!("link.reconnect.max");
    let max_us = duration_in(max, range_of(max), &rc.max)?;
    if max_us < initial_us {
        return verr(
            max,
            format!(
                "must be ≥ {initial} ({:?}), found {:?}",
                rc.initial.0, rc.max.0
            ),
        );
    }
    let link = LinkParams {
        reconnect: Backoff {
            initial_us,
            multiplier: field_number(field_path!("link.reconnect.multiplier"), rc.multiplier)?,
            max_us,
            jitter: field_number(field_path!("link.reconnect.jitter"), rc.jitter)?,
        },
        flaps_per_year: field_number(field_path!("link.flaps_per_year"), raw.link.flaps_per_year)?,
        flap_duration: dist(field_path!("link.flap_duration"), &raw.link.flap_duration)?,
    };

    let s = &raw.supervisor;
    let long_reset_after = field_path!("supervisor.long_reset_after");
    let supervisor = SupervisorParams {
        restart: dist(field_path!("supervisor.restart"), &s.restart)?,
        crash_on_reset: field_number(field_path!("supervisor.crash_on_reset"), s.crash_on_reset)?,
        crash_on_long_reset: field_number(
            field_path!("supervisor.crash_on_long_reset"),
            s.crash_on_long_reset,
        )?,
        long_reset_after_us: duration_in(
            long_reset_after,
            range_of(long_reset_after),
            &s.long_reset_after,
        )?,
        crashes_per_year: field_number(
            field_path!("supervisor.crashes_per_year"),
            s.crashes_per_year,
        )?,
    };

    let b = &raw.brain;
    let reboot_concurrency = field_path!("brain.reboot_concurrency");
    count(reboot_concurrency, b.reboot_concurrency.into(), false)?;
    if let Some(p) = b.per_head_concurrency {
        let per_head = field_path!("brain.per_head_concurrency");
        count(per_head, p.into(), true)?;
        if p > b.reboot_concurrency {
            return verr(
                per_head,
                format!(
                    "must not exceed {reboot_concurrency} ({}), found {p}",
                    b.reboot_concurrency
                ),
            );
        }
    }
    let slowdown = field_number(
        field_path!("brain.boot_slowdown_per_concurrent_boot"),
        b.boot_slowdown_per_concurrent_boot,
    )?;
    let brain = BrainParams {
        reboot_concurrency: b.reboot_concurrency,
        per_head_concurrency: b.per_head_concurrency,
        boot_time: dist(field_path!("brain.boot_time"), &b.boot_time)?,
        boot_slowdown_per_concurrent_boot: slowdown,
        queue_policy: match b.queue_policy {
            RawQueuePolicy::Fifo => QueuePolicy::Fifo,
            RawQueuePolicy::Random => QueuePolicy::Random,
            RawQueuePolicy::RoundRobinHeads => QueuePolicy::RoundRobinHeads,
            RawQueuePolicy::ShortestFirst => QueuePolicy::ShortestFirst,
        },
        failovers_per_year: field_number(
            field_path!("brain.failovers_per_year"),
            b.failovers_per_year,
        )?,
        failover_time: dist(field_path!("brain.failover_time"), &b.failover_time)?,
    };

    let head = HeadParams {
        failures_per_year: field_number(
            field_path!("head.failures_per_year"),
            raw.head.failures_per_year,
        )?,
        repair: dist(field_path!("head.repair"), &raw.head.repair)?,
    };

    let mut faults = Vec::with_capacity(raw.faults.len());
    for (i, f) in raw.faults.iter().enumerate() {
        let field = |leaf: &str| format!("{}[{i}].{leaf}", field_path!("faults"));
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
                let range = param_range(FAULTS, "RandomPartitions", "per_year");
                let r = number(&field("per_year"), range, *per_year)?;
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
    count(
        field_path!("limits.max_events"),
        raw.limits.max_events,
        false,
    )?;
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
        metrics: MetricParams {
            site_fraction: field_number(
                field_path!("metrics.site_fraction"),
                raw.metrics.site_fraction,
            )?,
        },
        limits: RunLimits {
            max_events: raw.limits.max_events,
        },
    };
    // Refuse, before allocating anything, a site too large for memory.
    let bytes = crate::model::Footprint::of(&scenario).bytes;
    if bytes > MAX_MODEL_BYTES {
        return verr(
            field_path!("site"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sets: &[&str]) -> Result<Scenario, FieldError> {
        let mut raw = schema::defaults();
        raw.name = "test".to_string();
        for arg in sets {
            super::super::apply_set(&mut raw, arg).expect("a valid override");
        }
        validate(&raw)
    }

    #[test]
    fn every_variant_of_the_schema_validates() {
        // Proves validation knows every distribution, scope and fault the schema lists
        // (each example validates, so every range lookup by name finds its parameter),
        // and the message-queue transport's broker fields.
        let horizon = "horizon=2h";
        for d in schema::DISTRIBUTIONS {
            check(&[horizon, &format!("brain.boot_time={}", d.example)])
                .unwrap_or_else(|e| panic!("{}: {e:?}", d.example));
        }
        for f in schema::FAULTS {
            check(&[horizon, "site.heads=8", &format!("faults[0]={}", f.example)])
                .unwrap_or_else(|e| panic!("{}: {e:?}", f.example));
        }
        for s in schema::SCOPES {
            let fault = format!(
                "faults[0]=SupervisorCrash(at: \"1h\", scope: {})",
                s.example
            );
            check(&[horizon, "site.heads=8", &fault]).unwrap_or_else(|e| panic!("{fault}: {e:?}"));
        }
        let transport = schema::TRANSPORTS
            .iter()
            .map(|t| format!("design.transport={}", t.example));
        for t in transport {
            check(&[&t]).unwrap_or_else(|e| panic!("{t}: {e:?}"));
        }
    }

    #[test]
    fn ranges_come_from_the_schema() {
        // Proves the bounds and messages of validation are the schema's, at the edges:
        // a multiplier of 1 and 100 passes and 0.5 is refused as "in [1, 100]"; a
        // jitter of 1 is refused as "in [0, 1)"; sigma 5 passes and 5.5 is refused as
        // "in [0, 5]"; a Fraction scope of 0 is refused as "in (0, 1]".
        assert!(check(&["link.reconnect.multiplier=1"]).is_ok());
        assert!(check(&["link.reconnect.multiplier=100"]).is_ok());
        let e = check(&["link.reconnect.multiplier=0.5"]).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("link.reconnect.multiplier"));
        assert_eq!(e.message, "must be in [1, 100], found 0.5");
        let e = check(&["link.reconnect.jitter=1"]).unwrap_err();
        assert_eq!(e.message, "must be in [0, 1), found 1");
        assert!(check(&["brain.boot_time=LogNormal(mean: \"45s\", sigma: 5)"]).is_ok());
        let e = check(&["brain.boot_time=LogNormal(mean: \"45s\", sigma: 5.5)"]).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("brain.boot_time.sigma"));
        assert_eq!(e.message, "must be in [0, 5], found 5.5");
        let fault = "faults[0]=SupervisorCrash(at: \"1h\", scope: Fraction(0))";
        let e = check(&["horizon=2h", fault]).unwrap_err();
        assert_eq!(e.message, "Fraction must be in (0, 1], found 0");
        let e = check(&["brain.per_head_concurrency=0"]).unwrap_err();
        assert_eq!(e.message, "must be at least 1 (or None), found 0");
    }
}

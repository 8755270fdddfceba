//! The work bound: a model whose events would each touch many heads or VMs, so often
//! that the run would take hours before reaching `limits.max_events`, is refused
//! before it runs.

use super::error::FieldError;
use super::schema::field_path;
use super::types::{Fault, Scenario, Scope, Transport};

/// How many head or VM updates a run may spend per event allowed by
/// `limits.max_events` before the model is refused as a runaway (see `check_work`).
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
pub(super) fn check_work(sc: &Scenario) -> Result<(), FieldError> {
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
            field_path!("link.flaps_per_year").into(),
            sc.link.flaps_per_year * years * heads,
            vms,
        ),
        (
            field_path!("supervisor.crashes_per_year").into(),
            sc.supervisor.crashes_per_year * years * heads,
            vms,
        ),
        (
            field_path!("head.failures_per_year").into(),
            sc.head.failures_per_year * years * heads,
            vms + 1.0,
        ),
        (
            field_path!("brain.failovers_per_year").into(),
            sc.brain.failovers_per_year * years,
            2.0 * heads,
        ),
    ];
    if let Transport::MessageQueue { broker } = &sc.design.transport {
        parts.push((
            format!(
                "{}.broker.failures_per_year",
                field_path!("design.transport")
            ),
            broker.failures_per_year * years,
            2.0 * heads,
        ));
    }
    let faults = field_path!("faults");
    for (i, f) in sc.faults.iter().enumerate() {
        parts.push(match f {
            Fault::Partition { scope, .. } => {
                (format!("{faults}[{i}]"), 1.0, 2.0 * scope_heads(scope))
            }
            Fault::RandomPartitions {
                per_year, scope, ..
            } => (
                format!("{faults}[{i}].per_year"),
                per_year * years,
                2.0 * scope_heads(scope),
            ),
            Fault::SupervisorCrash { scope, .. } | Fault::HeadFailure { scope, .. } => (
                format!("{faults}[{i}]"),
                1.0,
                scope_heads(scope) * (vms + 1.0),
            ),
            Fault::BrainFailover { .. } => (format!("{faults}[{i}]"), 1.0, 2.0 * heads),
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
    Err(FieldError::new(
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
    ))
}

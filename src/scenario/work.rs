//! The work bound: a model whose events would each touch many heads or VMs, so often
//! that the run would take hours before reaching `limits.max_events`, is refused
//! before it runs.

use super::error::FieldError;
use super::schema::field_path;
use super::types::{ChangePath, Fault, Scenario, Scope, Transport};
use crate::engine::Dist;

/// How many head or VM updates a run may spend per event allowed by
/// `limits.max_events` before the model is refused as a runaway (see `check_work`).
pub const WORK_PER_EVENT: u64 = 50;

/// The least work bound, in head and VM updates, whatever `limits.max_events`: a
/// second or so of work, never worth refusing, so that a model run with a small event
/// limit (to see the runaway report) is stopped by that limit, not refused.
pub const MIN_WORK_BUDGET: f64 = 1e8;

/// One process that touches many heads or VMs at once.
struct Part {
    /// The field that sets how often it happens.
    field: String,
    /// Occurrences over the horizon.
    occurrences: f64,
    /// Head and VM updates per occurrence, bug crashes included.
    each: f64,
    /// Of `each`, the updates made by the supervisor crashes it triggers.
    crashes: f64,
}

/// Refuses a model whose events would each touch a great many heads or VMs, so often
/// that the run would take hours before reaching `limits.max_events`.
///
/// The event limit bounds the number of events, not the work of each one: a site-wide
/// partition arriving every microsecond on 100 000 heads does 100 000 updates per
/// event, and if every reset crashes a supervisor (`supervisor.crash_on_reset: 1`)
/// each of those heads also kills all its VMs. This bounds, before anything runs, the
/// updates that processes touching many heads or VMs at once can make: occurrences
/// over the horizon (at most `limits.max_events` of each) × the heads each occurrence
/// touches × what each head costs. A head whose link drops costs two updates (down
/// and up) plus, when resets reach the supervisor (`Tcp`), the expected number of
/// bug crashes it triggers × (`site.vms_per_head` + 1).
///
/// The bound assumes the worst case for a crash: the `Coupled` design, where a crash
/// kills (and later reboots) every VM of the head, and a crash that walks all of the
/// head's VMs whether or not they are running. Expected bug crashes per dropped link
/// are `crash_on_reset`, plus, when the outage outlasts `long_reset_after`,
/// `crash_on_long_reset` for each supervisor life that sees the link down that long:
/// a supervisor that crashes restarts into the same dead link and may crash again,
/// about once per (`long_reset_after` + mean restart) of the outage's mean length.
/// More than [`WORK_PER_EVENT`] × `limits.max_events` (and at least
/// [`MIN_WORK_BUDGET`]) is refused, naming the largest
/// contributor. Processes touching one head at a time are left to the event limit,
/// except that each of their bug crashes is counted too.
pub(super) fn check_work(sc: &Scenario) -> Result<(), FieldError> {
    let years = sc.horizon_us as f64 / crate::engine::US_PER_YEAR as f64;
    let cap = sc.limits.max_events as f64;
    let heads = sc.site.heads as f64;
    let vms = sc.site.vms_per_head as f64;
    // The most heads one rack holds.
    let per_rack = sc.site.heads.div_ceil(sc.site.racks.max(1)) as f64;
    let scope_heads = |s: &Scope| match s {
        Scope::All | Scope::Fraction(_) => heads,
        Scope::Heads(list) => list.len() as f64,
        Scope::Racks(list) => (list.len() as f64 * per_rack).min(heads),
        Scope::RackFraction(f) => (libm::round(f * sc.site.racks as f64) * per_rack).min(heads),
    };
    // Bug crashes, each costing a head's VMs, expected per dropped link whose outage
    // lasts `outage` on average.
    let crash_cost = |outage: &Dist| -> f64 {
        if sc.design.transport != Transport::Tcp {
            return 0.0;
        }
        let s = &sc.supervisor;
        // A change may raise the bug's probabilities: bound with the highest.
        let mut crashes = sc.highest(ChangePath::CrashOnReset);
        let on_long = sc.highest(ChangePath::CrashOnLongReset);
        let threshold = s.long_reset_after_us as f64;
        let mean = outage.mean_us();
        if on_long > 0.0 && mean >= threshold {
            let life = (threshold + s.restart.mean_us()).max(1.0);
            let lives = (1.0 + (mean - threshold) / life).min(cap);
            crashes += on_long * lives;
        }
        crashes * (vms + 1.0)
    };
    // A process dropping `touched` links `occurrences` times, each outage lasting
    // `outage` on average.
    let drops = |field: String, occurrences: f64, touched: f64, outage: &Dist| {
        let crashes = touched * crash_cost(outage);
        Part {
            field,
            occurrences,
            each: 2.0 * touched + crashes,
            crashes,
        }
    };
    let plain = |field: String, occurrences: f64, each: f64| Part {
        field,
        occurrences,
        each,
        crashes: 0.0,
    };
    let mut parts: Vec<Part> = vec![
        drops(
            field_path!("link.flaps_per_year").into(),
            sc.link.flaps_per_year * years * heads,
            1.0,
            &sc.link.flap_duration,
        ),
        plain(
            field_path!("supervisor.crashes_per_year").into(),
            sc.highest(ChangePath::CrashesPerYear) * years * heads,
            vms,
        ),
        plain(
            field_path!("head.failures_per_year").into(),
            sc.head.failures_per_year * years * heads,
            vms + 1.0,
        ),
        drops(
            field_path!("brain.failovers_per_year").into(),
            sc.brain.failovers_per_year * years,
            heads,
            &sc.brain.failover_time,
        ),
    ];
    parts.push(drops(
        field_path!("racks.switch_failures_per_year").into(),
        sc.racks.switch_failures_per_year * years * sc.site.racks as f64,
        per_rack,
        &sc.racks.switch_repair,
    ));
    if let Transport::MessageQueue { broker } = &sc.design.transport {
        parts.push(drops(
            format!(
                "{}.broker.failures_per_year",
                field_path!("design.transport")
            ),
            broker.failures_per_year * years,
            heads,
            &broker.repair,
        ));
    }
    let faults = field_path!("faults");
    for (i, f) in sc.faults.iter().enumerate() {
        parts.push(match f {
            Fault::Partition {
                scope, duration, ..
            } => drops(format!("{faults}[{i}]"), 1.0, scope_heads(scope), duration),
            Fault::RandomPartitions {
                per_year,
                scope,
                duration,
            } => drops(
                format!("{faults}[{i}].per_year"),
                per_year * years,
                scope_heads(scope),
                duration,
            ),
            Fault::SupervisorCrash { scope, .. } | Fault::HeadFailure { scope, .. } => plain(
                format!("{faults}[{i}]"),
                1.0,
                scope_heads(scope) * (vms + 1.0),
            ),
            Fault::BrainFailover { .. } => drops(
                format!("{faults}[{i}]"),
                1.0,
                heads,
                &sc.brain.failover_time,
            ),
        });
    }
    let work = |p: &Part| p.occurrences.min(cap) * p.each;
    let total: f64 = parts.iter().map(work).sum();
    let per_event = WORK_PER_EVENT as f64 * cap;
    let budget = per_event.max(MIN_WORK_BUDGET);
    if total <= budget {
        return Ok(());
    }
    let Some(worst) = parts.iter().max_by(|a, b| work(a).total_cmp(&work(b))) else {
        return Ok(());
    };
    let crashes = if worst.crashes > 0.0 {
        format!(
            " (of which about {:.1e} are the VMs and supervisors that the bug's crashes \
             kill: see supervisor.crash_on_reset and supervisor.crash_on_long_reset)",
            worst.crashes
        )
    } else {
        String::new()
    };
    let bound = if per_event >= MIN_WORK_BUDGET {
        format!("{WORK_PER_EVENT} × limits.max_events = {budget:.1e}")
    } else {
        format!("{budget:.1e} (the least bound; {WORK_PER_EVENT} × limits.max_events is lower)")
    };
    Err(FieldError::new(
        &worst.field,
        format!(
            "the run would make about {total:.1e} head and VM updates in events that each \
             touch many heads or VMs, more than {bound}: it would run for hours before \
             stopping. This field alone: about \
             {:.1e} occurrences over the horizon (at most limits.max_events counted) × {:.0} \
             updates each{crashes}. Lower it, shrink the site or the horizon, or raise \
             limits.max_events",
            worst.occurrences.min(cap),
            worst.each
        ),
    ))
}

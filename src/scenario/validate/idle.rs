//! Settings that can never act, across sections: a change that sets nothing and
//! restarts nothing, and a target that every run meets or none can (its bound outside
//! what the metric can take in this model, such as `vm_availability.mean >= 2`).

use super::super::error::FieldError;
use super::super::schema::field_path;
use super::super::target::Op;
use super::super::types::Scenario;
use crate::engine::{US_PER_S, US_PER_YEAR};
use crate::metrics::{METRICS, Metric};

pub(super) fn warnings(sc: &Scenario, out: &mut Vec<FieldError>) {
    for (i, c) in sc.changes.iter().enumerate() {
        if c.set.is_empty() && !c.restart_supervisor {
            out.push(FieldError::new(
                format!("{}[{i}].set", field_path!("changes")),
                "is empty and the change restarts no supervisor: it changes nothing",
            ));
        }
    }
    for (i, t) in sc.targets.iter().enumerate() {
        let (lo, hi) = bounds(sc, t.metric);
        let verdict = match t.op {
            Op::AtMost if t.value >= hi => Some("every run meets it"),
            Op::AtLeast if t.value <= lo => Some("every run meets it"),
            Op::AtMost if t.value < lo => Some("no run can meet it"),
            Op::AtLeast if t.value > hi => Some("no run can meet it"),
            _ => None,
        };
        if let Some(verdict) = verdict {
            let range = if hi.is_finite() {
                format!("from {} to {}", fmt(lo), fmt(hi))
            } else {
                format!("{} or more", fmt(lo))
            };
            out.push(FieldError::new(
                format!("{}[{i}]", field_path!("targets")),
                format!(
                    "`{}` judges nothing: {} in this model is {range}, so {verdict}",
                    t.text(),
                    METRICS[t.metric as usize].key
                ),
            ));
        }
    }
}

/// A bound for a message, in the metric's unit.
fn fmt(v: f64) -> String {
    crate::metrics::format::fmt_num(v)
}

/// The values metric `m` can take in a run of `sc` (so also its mean and quantiles
/// over runs).
fn bounds(sc: &Scenario, m: Metric) -> (f64, f64) {
    let horizon_s = sc.horizon_us as f64 / US_PER_S as f64;
    let vms = sc.site.vms() as f64;
    match m {
        Metric::VmAvailability => (0.0, 1.0),
        Metric::DowntimeMinPerVmYear
        | Metric::DowntimeBugMinPerVmYear
        | Metric::DowntimeBackgroundMinPerVmYear
        | Metric::DowntimeHardwareMinPerVmYear
        | Metric::DowntimeCrashFaultMinPerVmYear
        | Metric::DowntimeMaintenanceMinPerVmYear => {
            (0.0, US_PER_YEAR as f64 / (60.0 * US_PER_S as f64))
        }
        Metric::FullRecoveryS
        | Metric::Recover50S
        | Metric::Recover90S
        | Metric::Recover99S
        | Metric::SiteRecoveryS
        | Metric::VmOutageP50S
        | Metric::VmOutageP90S
        | Metric::VmOutageP99S
        | Metric::VmOutageMaxS
        | Metric::ControlRecoveryS => (0.0, horizon_s),
        Metric::WorstIncidentVms => (0.0, vms),
        Metric::VmHoursLost => (0.0, vms * horizon_s / 3600.0),
        Metric::MigrationPauseS => (0.0, vms * horizon_s),
        Metric::ControlLossHeadS => (0.0, sc.site.heads as f64 * horizon_s),
        Metric::Incidents
        | Metric::SiteIncidents
        | Metric::VmOutages
        | Metric::LinkResets
        | Metric::SupervisorCrashes
        | Metric::VmReboots
        | Metric::Migrations
        | Metric::Events => (0.0, f64::INFINITY),
    }
}

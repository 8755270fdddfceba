//! Metrics: what a run records while it happens ([`recorder`]), the per-run figures
//! ([`RunMetrics`]) and the statistics over replications ([`stats`]).
//!
//! Every metric has one row in [`METRICS`]: its stable key (used in JSON, CSV and
//! `compare`), its unit, which way is better ([`Direction`]) and whether a difference
//! between two designs compares like with like ([`Basis`]). Keys carry their unit.

pub mod format;
pub mod histogram;
pub mod influence;
pub mod recorder;
pub mod stats;

pub use recorder::{
    DEFAULT_SITE_FRACTION, Incident, OutageCause, OutageRecord, RECOVERY_QUANTILES, Recorder,
    SeriesPoint,
};
pub use stats::{Difference, Summary, summarize};

use crate::engine::{Micros, US_PER_S};

/// Which way a metric is better, for the verdicts of `compare`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
    /// Neither: a count that describes what happened rather than how well the site
    /// did, so a change in it is reported but never called better or worse.
    Neutral,
}

/// Whether the same metric measures the same thing in two designs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// A total or a rate over every outage and incident: comparable between designs.
    Whole,
    /// One point of a distribution (an outage quantile, the worst incident). Which
    /// outages or incidents it picks out depends on the design: a design that
    /// removes the short outages leaves the long hardware repairs as its quantiles,
    /// so a difference in it is shown but gets no verdict.
    Shape,
}

/// A metric's identity and how to read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricDef {
    /// Stable key, with the unit last (`full_recovery_s`).
    pub key: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
    pub direction: Direction,
    pub basis: Basis,
}

impl MetricDef {
    /// True when a difference in this metric can be called better or worse: it has a
    /// direction and compares like with like.
    pub fn judged(&self) -> bool {
        self.direction != Direction::Neutral && self.basis == Basis::Whole
    }

    /// What a relative change in this metric is a percentage of, given the
    /// baseline's mean: the mean itself, except for a fraction whose best is 1
    /// (availability), which is judged by what it lacks of 1. A rise from 0.998 to
    /// 0.999 halves the downtime; as 0.1 % of the mean it would look immaterial.
    pub fn relative_base(&self, baseline_mean: f64) -> f64 {
        if self.unit == "fraction" && self.direction == Direction::HigherIsBetter {
            (1.0 - baseline_mean).abs()
        } else {
            baseline_mean.abs()
        }
    }
}

// Each row: variant => key, unit, direction ([`Direction`]), basis ([`Basis`]),
// description. A comment above a row says why it has its direction when that is not
// obvious.
macro_rules! metrics {
    ($( $variant:ident => $key:literal, $unit:literal, $dir:ident, $basis:ident, $desc:literal; )*) => {
        /// Index of a metric in [`RunMetrics::values`] and [`METRICS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Metric { $( $variant ),* }

        pub const METRICS: &[MetricDef] = &[ $( MetricDef {
            key: $key, unit: $unit, description: $desc,
            direction: Direction::$dir, basis: Basis::$basis,
        } ),* ];

        impl Metric {
            pub const ALL: &[Metric] = &[ $( Metric::$variant ),* ];
        }
    };
}

metrics! {
    VmAvailability => "vm_availability", "fraction", HigherIsBetter, Whole,
        "VM up-time divided by VM time over the horizon";
    DowntimeMinPerVmYear => "downtime_min_per_vm_year", "min/VM-year", LowerIsBetter, Whole,
        "VM downtime per VM, scaled to a 365-day year";
    FullRecoveryS => "full_recovery_s", "s", LowerIsBetter, Shape,
        "worst incident: from the first VM down until the last affected VM runs again (0 if none)";
    Recover50S => "recover_50_s", "s", LowerIsBetter, Shape,
        "worst incident: time until 50 % of the affected VMs ran again";
    Recover90S => "recover_90_s", "s", LowerIsBetter, Shape,
        "worst incident: time until 90 % of the affected VMs ran again";
    Recover99S => "recover_99_s", "s", LowerIsBetter, Shape,
        "worst incident: time until 99 % of the affected VMs ran again";
    WorstIncidentVms => "worst_incident_vms", "VMs", LowerIsBetter, Shape,
        "VMs that went down during the worst incident";
    // Neutral: a design that lengthens outages merges incidents into fewer ones.
    Incidents => "incidents", "count", Neutral, Whole,
        "periods with at least one VM down";
    SiteIncidents => "site_incidents", "count", LowerIsBetter, Whole,
        "incidents in which at least `metrics.site_fraction` of the VMs were down at once";
    SiteRecoveryS => "site_recovery_s", "s", LowerIsBetter, Whole,
        "worst site-wide incident: from its start until every VM it took down runs again (0 if none)";
    VmHoursLost => "vm_hours_lost", "VM-h", LowerIsBetter, Whole,
        "VM-hours of downtime in one replication, up to the horizon (a lower bound while the worst incident is still open there)";
    DowntimeBugMinPerVmYear => "downtime_bug_min_per_vm_year", "min/VM-year", LowerIsBetter, Whole,
        "part of `downtime_min_per_vm_year` from outages the bug began (crash on a reset or long reset)";
    DowntimeBackgroundMinPerVmYear => "downtime_background_min_per_vm_year", "min/VM-year", LowerIsBetter, Whole,
        "part of `downtime_min_per_vm_year` from outages background supervisor crashes began";
    DowntimeHardwareMinPerVmYear => "downtime_hardware_min_per_vm_year", "min/VM-year", LowerIsBetter, Whole,
        "part of `downtime_min_per_vm_year` from outages head hardware failures began";
    DowntimeCrashFaultMinPerVmYear => "downtime_crash_fault_min_per_vm_year", "min/VM-year", LowerIsBetter, Whole,
        "part of `downtime_min_per_vm_year` from outages supervisor restarts caused on purpose began (scheduled `SupervisorCrash` faults, rollouts and changes with `restart_supervisor`)";
    DowntimeMaintenanceMinPerVmYear => "downtime_maintenance_min_per_vm_year", "min/VM-year", LowerIsBetter, Whole,
        "part of `downtime_min_per_vm_year` from planned maintenance: VMs rebooted or stopped for it, and live migrations' pauses";
    VmOutageP50S => "vm_outage_p50_s", "s", LowerIsBetter, Shape,
        "median VM outage (death to boot complete)";
    VmOutageP90S => "vm_outage_p90_s", "s", LowerIsBetter, Shape,
        "90th percentile VM outage";
    VmOutageP99S => "vm_outage_p99_s", "s", LowerIsBetter, Shape,
        "99th percentile VM outage";
    VmOutageMaxS => "vm_outage_max_s", "s", LowerIsBetter, Shape,
        "longest VM outage (a lower bound when it is still running at the horizon)";
    // Lower is better: every VM outage is a customer's VM down.
    VmOutages => "vm_outages", "count", LowerIsBetter, Whole,
        "VM outages (a VM outage still open at the horizon counts, cut at the horizon)";
    ControlLossHeadS => "control_loss_head_s", "head-s", LowerIsBetter, Whole,
        "head-seconds during which the brain could not control a head, up to the horizon (a lower bound while a site-wide control incident is still open there)";
    ControlRecoveryS => "control_recovery_s", "s", LowerIsBetter, Whole,
        "worst site-wide control incident (at least `metrics.site_fraction` of the heads out of control at once): from the first head lost until the brain controls every head again (0 if none)";
    // Neutral: a reset is how a link recovers, and a design may reset sooner to recover faster.
    LinkResets => "link_resets", "count", Neutral, Whole,
        "brain-head connections dropped";
    // Lower is better: every supervisor crash puts its head's VMs at risk.
    SupervisorCrashes => "supervisor_crashes", "count", LowerIsBetter, Whole,
        "supervisor crashes (bug, background, scheduled, restarts by changes)";
    // Neutral: a reboot is the repair, not the damage; fewer can mean VMs left down.
    VmReboots => "vm_reboots", "count", Neutral, Whole,
        "VM boots completed by the reboot queue";
    // Neutral: a migration is how maintenance spares a VM a reboot.
    Migrations => "migrations", "count", Neutral, Whole,
        "live migrations completed";
    MigrationPauseS => "migration_pause_s", "s", LowerIsBetter, Whole,
        "VM-seconds of pause at the end of live migrations (counted in the downtime of the cause that moved the VM: maintenance, an announced hardware failure, a rollout's drain)";
    // Neutral: the simulator's work, not a property of the site.
    Events => "events", "count", Neutral, Whole,
        "simulation events processed";
}

/// The figures of one replication, indexed by [`Metric`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunMetrics {
    pub values: [f64; METRICS.len()],
    /// Bit `m` set: metric `m`'s value was cut by the horizon (an incident still open
    /// there), so the true value is at least the one recorded.
    pub censored: u64,
}

/// The metrics the horizon can cut short: the recoveries, the longest outage, and
/// the losses of the worst incident (VM-hours, head-seconds out of control) while it
/// is still open at the horizon. Rates over the horizon (availability, downtime per
/// VM-year) are what the horizon holds, so they are never cut.
pub const CUT_METRICS: &[Metric] = &[
    Metric::FullRecoveryS,
    Metric::Recover50S,
    Metric::Recover90S,
    Metric::Recover99S,
    Metric::SiteRecoveryS,
    Metric::ControlRecoveryS,
    Metric::VmHoursLost,
    Metric::ControlLossHeadS,
    Metric::VmOutageMaxS,
];

impl RunMetrics {
    /// The bit of metric `m` in [`RunMetrics::censored`].
    pub const fn bit(m: Metric) -> u64 {
        1 << m as u64
    }

    /// Whether metric `m`'s value was cut by the horizon.
    pub fn is_censored(&self, m: Metric) -> bool {
        self.censored & RunMetrics::bit(m) != 0
    }
}

impl std::ops::Index<Metric> for RunMetrics {
    type Output = f64;
    fn index(&self, m: Metric) -> &f64 {
        &self.values[m as usize]
    }
}

impl MetricDef {
    /// A column heading: the key, with the unit added when the key does not already
    /// end with it (`full_recovery_s`, but `vm_availability (fraction)`).
    pub fn heading(&self) -> String {
        let carries_unit = ["_s", "_min_per_vm_year"]
            .iter()
            .any(|suffix| self.key.ends_with(suffix));
        if carries_unit {
            self.key.to_string()
        } else {
            format!("{} ({})", self.key, self.unit)
        }
    }
}

/// Horizons shorter than this model an incident, not the site's steady state: the
/// availability and downtime per VM-year of such a run mostly measure how long the
/// horizon was (the same crash over 2 days or 20 days gives ten times the downtime per
/// VM-year), so they do not lead its output.
pub const STEADY_STATE_HORIZON_US: Micros = 30 * 86_400 * US_PER_S;

/// Whether metric `m` is a share of the horizon, which a short horizon inflates.
pub fn depends_on_horizon(m: Metric) -> bool {
    m == Metric::VmAvailability
        || m == Metric::DowntimeMinPerVmYear
        || OutageCause::ALL.iter().any(|c| c.downtime_metric() == m)
}

/// The order in which a run's figures are shown: the table order, but for a horizon
/// under [`STEADY_STATE_HORIZON_US`] (an incident model) the recovery times and
/// `vm_hours_lost` lead and the horizon-dependent figures come last. A horizon of 0
/// (not known) keeps the table order.
pub fn display_order(horizon_us: Micros) -> Vec<Metric> {
    if horizon_us == 0 || horizon_us >= STEADY_STATE_HORIZON_US {
        return Metric::ALL.to_vec();
    }
    let lead = [
        Metric::FullRecoveryS,
        Metric::SiteRecoveryS,
        Metric::ControlRecoveryS,
        Metric::Recover50S,
        Metric::Recover90S,
        Metric::Recover99S,
        Metric::VmHoursLost,
    ];
    let middle = Metric::ALL
        .iter()
        .filter(|m| !lead.contains(m) && !depends_on_horizon(**m));
    let last = Metric::ALL.iter().filter(|m| depends_on_horizon(**m));
    lead.iter().chain(middle).chain(last).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_table_and_enum_agree() {
        // Each enum variant's index names the matching row, and keys are unique.
        assert_eq!(Metric::ALL.len(), METRICS.len());
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i);
            assert!(
                METRICS[..i].iter().all(|d| d.key != METRICS[i].key),
                "{} twice",
                METRICS[i].key
            );
        }
        assert_eq!(
            METRICS[Metric::FullRecoveryS as usize].key,
            "full_recovery_s"
        );
        // Every metric has its bit in `RunMetrics::censored`.
        assert!(METRICS.len() <= u64::BITS as usize);
        for cause in OutageCause::ALL {
            let key = METRICS[cause.downtime_metric() as usize].key;
            assert_eq!(key, format!("downtime_{}_min_per_vm_year", cause.name()));
        }
    }

    #[test]
    fn an_incident_model_leads_with_recovery_and_ends_with_horizon_shares() {
        let day = 86_400 * US_PER_S;
        assert_eq!(display_order(365 * day), Metric::ALL);
        let short = display_order(2 * day);
        assert_eq!(short.len(), Metric::ALL.len());
        assert_eq!(short[0], Metric::FullRecoveryS);
        assert_eq!(short[6], Metric::VmHoursLost);
        let first_share = short.iter().position(|m| depends_on_horizon(*m)).unwrap();
        assert!(short[first_share..].iter().all(|m| depends_on_horizon(*m)));
        assert!(Metric::ALL.iter().all(|m| short.contains(m)));
    }
}

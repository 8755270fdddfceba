//! Metrics: what a run records while it happens ([`recorder`]), the per-run figures
//! ([`RunMetrics`]) and the statistics over replications ([`stats`]).
//!
//! Every metric has one row in [`METRICS`]: its stable key (used in JSON, CSV and
//! `compare`), its unit and whether more is better. Keys carry their unit.

pub mod format;
pub mod histogram;
pub mod recorder;
pub mod stats;

pub use recorder::{
    DEFAULT_SITE_FRACTION, Incident, OutageCause, OutageRecord, Recorder, SeriesPoint,
};
pub use stats::{Difference, Summary, summarize};

use crate::engine::{Micros, US_PER_S};

/// A metric's identity and how to read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricDef {
    /// Stable key, with the unit last (`full_recovery_s`).
    pub key: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
    pub higher_is_better: bool,
}

macro_rules! metrics {
    ($( $variant:ident => $key:literal, $unit:literal, $better:literal, $desc:literal; )*) => {
        /// Index of a metric in [`RunMetrics::values`] and [`METRICS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Metric { $( $variant ),* }

        pub const METRICS: &[MetricDef] = &[ $( MetricDef {
            key: $key, unit: $unit, description: $desc, higher_is_better: $better,
        } ),* ];

        impl Metric {
            pub const ALL: &[Metric] = &[ $( Metric::$variant ),* ];
        }
    };
}

metrics! {
    VmAvailability => "vm_availability", "fraction", true,
        "VM up-time divided by VM time over the horizon";
    DowntimeMinPerVmYear => "downtime_min_per_vm_year", "min/VM-year", false,
        "VM downtime per VM, scaled to a 365-day year";
    FullRecoveryS => "full_recovery_s", "s", false,
        "worst incident: from the first VM down until the last affected VM runs again (0 if none)";
    Recover50S => "recover_50_s", "s", false,
        "worst incident: time until 50 % of the affected VMs ran again";
    Recover90S => "recover_90_s", "s", false,
        "worst incident: time until 90 % of the affected VMs ran again";
    Recover99S => "recover_99_s", "s", false,
        "worst incident: time until 99 % of the affected VMs ran again";
    WorstIncidentVms => "worst_incident_vms", "VMs", false,
        "VMs that went down during the worst incident";
    Incidents => "incidents", "count", false,
        "periods with at least one VM down";
    SiteIncidents => "site_incidents", "count", false,
        "incidents in which at least `metrics.site_fraction` of the VMs were down at once";
    SiteRecoveryS => "site_recovery_s", "s", false,
        "worst site-wide incident: from its start until every VM it took down runs again (0 if none)";
    VmHoursLost => "vm_hours_lost", "VM-h", false,
        "VM-hours of downtime in one replication (cut at the horizon)";
    DowntimeBugMinPerVmYear => "downtime_bug_min_per_vm_year", "min/VM-year", false,
        "part of `downtime_min_per_vm_year` from outages the bug began (crash on a reset or long reset)";
    DowntimeBackgroundMinPerVmYear => "downtime_background_min_per_vm_year", "min/VM-year", false,
        "part of `downtime_min_per_vm_year` from outages background supervisor crashes began";
    DowntimeHardwareMinPerVmYear => "downtime_hardware_min_per_vm_year", "min/VM-year", false,
        "part of `downtime_min_per_vm_year` from outages head hardware failures began";
    DowntimeCrashFaultMinPerVmYear => "downtime_crash_fault_min_per_vm_year", "min/VM-year", false,
        "part of `downtime_min_per_vm_year` from outages scheduled `SupervisorCrash` faults began";
    VmOutageP50S => "vm_outage_p50_s", "s", false,
        "median VM outage (death to boot complete)";
    VmOutageP90S => "vm_outage_p90_s", "s", false,
        "90th percentile VM outage";
    VmOutageP99S => "vm_outage_p99_s", "s", false,
        "99th percentile VM outage";
    VmOutageMaxS => "vm_outage_max_s", "s", false,
        "longest VM outage";
    VmOutages => "vm_outages", "count", false,
        "VM outages (a VM outage still open at the horizon counts, cut at the horizon)";
    ControlLossHeadS => "control_loss_head_s", "head-s", false,
        "head-seconds during which the brain could not control a head";
    LinkResets => "link_resets", "count", false,
        "brain-head connections dropped";
    SupervisorCrashes => "supervisor_crashes", "count", false,
        "supervisor crashes (bug, background, scheduled)";
    VmReboots => "vm_reboots", "count", false,
        "VM boots completed by the reboot queue";
    Events => "events", "count", false,
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

/// The metrics that measure a recovery, the ones the horizon can cut short.
pub const RECOVERY_METRICS: &[Metric] = &[
    Metric::FullRecoveryS,
    Metric::Recover50S,
    Metric::Recover90S,
    Metric::Recover99S,
    Metric::SiteRecoveryS,
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
        assert_eq!(short[5], Metric::VmHoursLost);
        let first_share = short.iter().position(|m| depends_on_horizon(*m)).unwrap();
        assert!(short[first_share..].iter().all(|m| depends_on_horizon(*m)));
        assert!(Metric::ALL.iter().all(|m| short.contains(m)));
    }
}

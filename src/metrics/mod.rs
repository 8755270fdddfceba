//! Metrics: what a run records while it happens ([`recorder`]), the per-run figures
//! ([`RunMetrics`]) and the statistics over replications ([`stats`]).
//!
//! Every metric has one row in [`METRICS`]: its stable key (used in JSON, CSV and
//! `compare`), its unit, which way is better ([`Direction`]) and whether a difference
//! between two designs compares like with like ([`Basis`]). Keys carry their unit.

pub mod format;
pub mod histogram;
pub mod recorder;
pub mod stats;

pub use recorder::{Incident, OutageCause, OutageRecord, Recorder, SeriesPoint};
pub use stats::{Difference, Summary, summarize};

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
    VmOutageP50S => "vm_outage_p50_s", "s", LowerIsBetter, Shape,
        "median VM outage (death to boot complete)";
    VmOutageP90S => "vm_outage_p90_s", "s", LowerIsBetter, Shape,
        "90th percentile VM outage";
    VmOutageP99S => "vm_outage_p99_s", "s", LowerIsBetter, Shape,
        "99th percentile VM outage";
    VmOutageMaxS => "vm_outage_max_s", "s", LowerIsBetter, Shape,
        "longest VM outage";
    // Lower is better: every VM outage is a customer's VM down.
    VmOutages => "vm_outages", "count", LowerIsBetter, Whole,
        "VM outages (a VM outage still open at the horizon counts, cut at the horizon)";
    ControlLossHeadS => "control_loss_head_s", "head-s", LowerIsBetter, Whole,
        "head-seconds during which the brain could not control a head";
    // Neutral: a reset is how a link recovers, and a design may reset sooner to recover faster.
    LinkResets => "link_resets", "count", Neutral, Whole,
        "brain-head connections dropped";
    // Lower is better: every supervisor crash puts its head's VMs at risk.
    SupervisorCrashes => "supervisor_crashes", "count", LowerIsBetter, Whole,
        "supervisor crashes (bug, background, scheduled)";
    // Neutral: a reboot is the repair, not the damage; fewer can mean VMs left down.
    VmReboots => "vm_reboots", "count", Neutral, Whole,
        "VM boots completed by the reboot queue";
    // Neutral: the simulator's work, not a property of the site.
    Events => "events", "count", Neutral, Whole,
        "simulation events processed";
}

/// The figures of one replication, indexed by [`Metric`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunMetrics {
    pub values: [f64; METRICS.len()],
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
    }
}

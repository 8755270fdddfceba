//! The raw serde mirror of a model file: field names exactly as users write them,
//! durations still as text, defaults filled in by serde. Nothing here is validated;
//! [`super::validate()`] turns it into a [`super::Scenario`].
//!
//! Unknown fields are refused everywhere (`deny_unknown_fields`), so a misspelling is
//! an error rather than a silently ignored setting.

use serde::{Deserialize, Serialize};

use super::enums::{Coupling, Drain, ModelKind, QueuePolicy, RolloutDrain, RolloutOrder, Scale};

/// A duration as written: `"250ms"`, `"5s"`, `"4m"`, `"2h"`, `"365d"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Dur(pub String);

impl Dur {
    fn of(s: &str) -> Dur {
        Dur(s.to_string())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RawDist {
    Fixed(Dur),
    Exponential { mean: Dur },
    Uniform { min: Dur, max: Dur },
    LogNormal { mean: Dur, sigma: f64 },
    Weibull { shape: f64, scale: Dur },
    Empirical(Vec<Dur>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    pub horizon: Dur,
    /// What the model is for; `Auto` (inferred) is left out when a model is written
    /// back, so printing a model without it is unchanged.
    #[serde(default, skip_serializing_if = "ModelKind::is_auto")]
    pub kind: ModelKind,
    pub site: RawSite,
    #[serde(default)]
    pub design: RawDesign,
    #[serde(default)]
    pub link: RawLink,
    #[serde(default)]
    pub supervisor: RawSupervisor,
    #[serde(default)]
    pub brain: RawBrain,
    #[serde(default)]
    pub head: RawHead,
    #[serde(default)]
    pub racks: RawRacks,
    #[serde(default, skip_serializing_if = "RawMaintenance::is_off")]
    pub maintenance: RawMaintenance,
    #[serde(default, skip_serializing_if = "RawMigration::is_default")]
    pub migration: RawMigration,
    #[serde(default)]
    pub faults: Vec<RawFault>,
    /// Parameter changes during a run. Left out when empty so that printing a model
    /// without it is unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<RawChange>,
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub metrics: RawMetrics,
    #[serde(default)]
    pub limits: RawLimits,
    /// Not part of the model: the ranges `bigvsim sensitivity` varies. Left out when
    /// empty so that printing a model without it is unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertain: Vec<RawUncertain>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub heads: u32,
    pub vms_per_head: u32,
    #[serde(default = "one_rack")]
    pub racks: u32,
    /// `None`: as many slots as VMs, so no head has spare room. Left out when absent so
    /// that printing a model without it is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_slots_per_head: Option<u32>,
}

fn one_rack() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawRacks {
    pub switch_failures_per_year: f64,
    pub switch_repair: RawDist,
}

impl Default for RawRacks {
    fn default() -> Self {
        RawRacks {
            switch_failures_per_year: 0.0,
            switch_repair: RawDist::Exponential {
                mean: Dur::of("1h"),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMaintenance {
    pub per_head_per_year: f64,
    pub duration: RawDist,
    pub drain: Drain,
    pub max_concurrent_heads: u32,
}

impl RawMaintenance {
    fn is_off(&self) -> bool {
        *self == RawMaintenance::default()
    }
}

impl Default for RawMaintenance {
    fn default() -> Self {
        RawMaintenance {
            per_head_per_year: 0.0,
            duration: RawDist::Fixed(Dur::of("30m")),
            drain: Drain::Reboot,
            max_concurrent_heads: 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMigration {
    pub concurrency: u32,
    pub vm_memory_gib: f64,
    pub bandwidth_gib_per_s: f64,
    pub pause: RawDist,
}

impl RawMigration {
    fn is_default(&self) -> bool {
        *self == RawMigration::default()
    }
}

impl Default for RawMigration {
    fn default() -> Self {
        RawMigration {
            concurrency: 2,
            vm_memory_gib: 4.0,
            // A 10 Gbit/s port, about 1.16 GiB a second.
            bandwidth_gib_per_s: 1.16,
            pause: RawDist::Fixed(Dur::of("300ms")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBroker {
    pub failures_per_year: f64,
    pub repair: RawDist,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RawTransport {
    Tcp,
    MessageQueue { broker: RawBroker },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDesign {
    pub coupling: Coupling,
    pub transport: RawTransport,
}

impl Default for RawDesign {
    fn default() -> Self {
        RawDesign {
            coupling: Coupling::Coupled,
            transport: RawTransport::Tcp,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBackoff {
    pub initial: Dur,
    pub multiplier: f64,
    pub max: Dur,
    pub jitter: f64,
}

impl Default for RawBackoff {
    /// gRPC's connection-backoff defaults.
    fn default() -> Self {
        RawBackoff {
            initial: Dur::of("1s"),
            multiplier: 1.6,
            max: Dur::of("120s"),
            jitter: 0.2,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawLink {
    pub reconnect: RawBackoff,
    pub flaps_per_year: f64,
    pub flap_duration: RawDist,
}

impl Default for RawLink {
    fn default() -> Self {
        RawLink {
            reconnect: RawBackoff::default(),
            flaps_per_year: 0.0,
            flap_duration: RawDist::Uniform {
                min: Dur::of("1s"),
                max: Dur::of("5s"),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSupervisor {
    pub restart: RawDist,
    pub crash_on_reset: f64,
    pub crash_on_long_reset: f64,
    pub long_reset_after: Dur,
    pub crashes_per_year: f64,
}

impl Default for RawSupervisor {
    fn default() -> Self {
        RawSupervisor {
            restart: RawDist::Fixed(Dur::of("5s")),
            crash_on_reset: 0.0,
            crash_on_long_reset: 0.0,
            long_reset_after: Dur::of("30s"),
            crashes_per_year: 0.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBrain {
    pub reboot_concurrency: u32,
    pub per_head_concurrency: Option<u32>,
    pub boot_time: RawDist,
    pub boot_slowdown_per_boot_on_head: f64,
    pub boot_slowdown_per_boot_on_site: f64,
    pub queue_policy: QueuePolicy,
    pub failovers_per_year: f64,
    pub failover_time: RawDist,
    pub accept_per_s: Option<f64>,
    pub resync_per_vm: Dur,
    pub accept_timeout: Dur,
}

impl Default for RawBrain {
    fn default() -> Self {
        RawBrain {
            reboot_concurrency: 20,
            per_head_concurrency: None,
            boot_time: RawDist::LogNormal {
                mean: Dur::of("45s"),
                sigma: 0.3,
            },
            boot_slowdown_per_boot_on_head: 0.0,
            boot_slowdown_per_boot_on_site: 0.0,
            queue_policy: QueuePolicy::Fifo,
            failovers_per_year: 0.0,
            failover_time: RawDist::Fixed(Dur::of("30s")),
            // Unlimited admission and no resync: a reconnect is controllable at once.
            accept_per_s: None,
            resync_per_vm: Dur::of("0s"),
            // gRPC's minimum connect deadline (its connection-backoff protocol).
            accept_timeout: Dur::of("20s"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawHead {
    pub failures_per_year: f64,
    pub repair: RawDist,
    /// Left out when 0 or the default, so that a model written back reads as before.
    #[serde(skip_serializing_if = "RawHead::unpredicted")]
    pub predicted_fraction: f64,
    #[serde(skip_serializing_if = "RawHead::default_warning")]
    pub warning: Dur,
}

impl RawHead {
    fn unpredicted(f: &f64) -> bool {
        *f == 0.0
    }

    fn default_warning(d: &Dur) -> bool {
        *d == Dur::of("30m")
    }
}

impl Default for RawHead {
    fn default() -> Self {
        RawHead {
            failures_per_year: 0.0,
            repair: RawDist::Exponential {
                mean: Dur::of("4h"),
            },
            predicted_fraction: 0.0,
            warning: Dur::of("30m"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RawScope {
    All,
    Fraction(f64),
    Heads(Vec<u32>),
    Racks(Vec<u32>),
    RackFraction(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RawFault {
    Partition {
        at: Dur,
        duration: RawDist,
        scope: RawScope,
    },
    RandomPartitions {
        per_year: f64,
        duration: RawDist,
        scope: RawScope,
    },
    SupervisorCrash {
        at: Dur,
        scope: RawScope,
    },
    BrainFailover {
        at: Dur,
    },
    HeadFailure {
        at: Dur,
        scope: RawScope,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMetrics {
    pub site_fraction: f64,
}

impl Default for RawMetrics {
    fn default() -> Self {
        RawMetrics {
            site_fraction: super::MetricParams::default().site_fraction,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawLimits {
    pub max_events: u64,
}

impl Default for RawLimits {
    fn default() -> Self {
        RawLimits {
            max_events: super::RunLimits::default().max_events,
        }
    }
}

/// One uncertain parameter: a numeric path and the range it may lie in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUncertain {
    pub path: String,
    pub range: (RawBound, RawBound),
    #[serde(default)]
    pub scale: Scale,
}

/// A bound of an uncertain range: a number, or a duration for a duration's path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawBound {
    Number(f64),
    Duration(Dur),
}

/// A parameter change during a run: at one time on every head, or rolled out head by
/// head across a window. Each `set` entry is `"path=value"`, as `--set` takes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RawChange {
    At {
        at: Dur,
        set: Vec<String>,
        /// Left out when false so that printing a model without it is unchanged.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        restart_supervisor: bool,
    },
    Rollout {
        at: Dur,
        over: Dur,
        set: Vec<String>,
        #[serde(default)]
        order: RolloutOrder,
        #[serde(default)]
        restart_supervisor: bool,
        /// Left out when `None` so that printing a model without it is unchanged.
        #[serde(default, skip_serializing_if = "RolloutDrain::is_none")]
        drain: RolloutDrain,
    },
}

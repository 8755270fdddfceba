//! The validated scenario: every field checked, defaults filled in, durations in
//! microseconds and rates per year as plain numbers. The model reads only these types.

use crate::engine::{Dist, Micros};

pub use super::enums::{
    Coupling, Drain, ModelKind, QueuePolicy, RolloutDrain, RolloutOrder, Scale,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    /// Simulated time of one replication.
    pub horizon_us: Micros,
    /// What the model is for: `Incident` or `Operation`, never `Auto` (see
    /// [`Scenario::inferred_kind`]).
    pub kind: ModelKind,
    /// Whether `kind` was inferred (the file said `Auto` or nothing).
    pub kind_inferred: bool,
    pub site: Site,
    pub design: Design,
    pub link: LinkParams,
    pub supervisor: SupervisorParams,
    pub brain: BrainParams,
    pub head: HeadParams,
    pub racks: RackParams,
    /// Planned maintenance, live migration and the heads' spare room.
    pub maintenance: MaintenanceParams,
    pub faults: Vec<Fault>,
    /// Parameter changes during a run, in the order of the file.
    pub changes: Vec<Change>,
    /// Service-level objectives the outputs judge; the model itself ignores them.
    pub targets: Vec<super::target::Target>,
    pub metrics: MetricParams,
    pub limits: RunLimits,
    /// The ranges `bigvsim sensitivity` varies; the model never reads them.
    pub uncertain: Vec<Uncertain>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    pub heads: u32,
    pub vms_per_head: u32,
    /// Racks, each behind one switch: head h is in rack ⌊h·racks/heads⌋.
    pub racks: u32,
}

impl Site {
    pub fn vms(&self) -> u64 {
        self.heads as u64 * self.vms_per_head as u64
    }

    /// The rack head `h` is in: heads are assigned to racks contiguously, in order,
    /// so each rack holds ⌊heads/racks⌋ or ⌈heads/racks⌉ of them.
    pub fn rack_of(&self, h: u32) -> u32 {
        (h as u64 * self.racks as u64 / self.heads as u64) as u32
    }

    /// The heads of rack `r`: those h with ⌊h·racks/heads⌋ = r, that is from
    /// ⌈r·heads/racks⌉ up to (not including) ⌈(r+1)·heads/racks⌉.
    pub fn rack_heads(&self, r: u32) -> std::ops::Range<u32> {
        let first = |r: u64| (r * self.heads as u64).div_ceil(self.racks as u64) as u32;
        first(r as u64)..first(r as u64 + 1)
    }
}

/// Rack switches: each fails as a Poisson process and, until repaired, cuts every
/// link of its rack's heads.
#[derive(Clone, Debug, PartialEq)]
pub struct RackParams {
    /// Failures of each rack's switch (per rack, per year).
    pub switch_failures_per_year: f64,
    pub switch_repair: Dist,
}

/// Planned maintenance of heads and the live migration that can drain them.
#[derive(Clone, Debug, PartialEq)]
pub struct MaintenanceParams {
    /// VMs one head can hold (`site.vm_slots_per_head`, ≥ `site.vms_per_head`).
    pub vm_slots_per_head: u32,
    /// Maintenance windows of each head (Poisson, per year); 0: none.
    pub per_head_per_year: f64,
    pub duration: Dist,
    pub drain: Drain,
    pub max_concurrent_heads: u32,
    /// Migrations in flight at most, site-wide.
    pub migration_concurrency: u32,
    /// The copy phase of one migration: VM memory over bandwidth.
    pub migration_copy_us: Micros,
    /// The VM's pause at the end of a migration.
    pub migration_pause: Dist,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Transport {
    /// A long-lived TCP connection per head: a reset reaches the supervisor.
    Tcp,
    /// A message broker between brain and heads absorbs resets; the broker can fail.
    MessageQueue { broker: Broker },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Broker {
    pub failures_per_year: f64,
    pub repair: Dist,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    pub coupling: Coupling,
    pub transport: Transport,
}

/// Reconnect schedule after a link drops: attempt after `initial`, then multiply the
/// wait by `multiplier` up to `max`; each wait is spread by ±`jitter` (a fraction).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub initial_us: Micros,
    pub multiplier: f64,
    pub max_us: Micros,
    pub jitter: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkParams {
    pub reconnect: Backoff,
    /// Routine resets of each link (per link, per year).
    pub flaps_per_year: f64,
    pub flap_duration: Dist,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SupervisorParams {
    pub restart: Dist,
    /// Probability that a reset crashes the supervisor (the runtime bug).
    pub crash_on_reset: f64,
    /// Probability of a crash once the link has been down longer than `long_reset_after`.
    pub crash_on_long_reset: f64,
    pub long_reset_after_us: Micros,
    /// Background crashes unrelated to resets (per head, per year).
    pub crashes_per_year: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BrainParams {
    pub reboot_concurrency: u32,
    pub per_head_concurrency: Option<u32>,
    pub boot_time: Dist,
    /// A boot started while h others are in flight on its head and s others on the
    /// whole site (the head's included) takes (1 + on_head·h + on_site·s) times longer.
    pub boot_slowdown_per_boot_on_head: f64,
    pub boot_slowdown_per_boot_on_site: f64,
    pub queue_policy: QueuePolicy,
    pub failovers_per_year: f64,
    pub failover_time: Dist,
    pub admission: Admission,
}

/// How the brain accepts reconnects: one at a time, each taking `accept_interval_us`
/// of its time, in the order the attempts arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
    /// The brain's time per accepted reconnect (1 / `brain.accept_per_s`, to the
    /// microsecond); `None`: unlimited, a reconnect is accepted the moment it is made.
    pub accept_interval_us: Option<Micros>,
    /// Added per VM on the head after the accept, before the head is controllable.
    pub resync_per_vm_us: Micros,
    /// An attempt whose accept would end later than this after it fails then.
    pub accept_timeout_us: Micros,
}

impl Admission {
    /// Whether a reconnect is controllable the moment it is made (the model before
    /// admission existed).
    pub fn is_instant(&self) -> bool {
        self.accept_interval_us.is_none() && self.resync_per_vm_us == 0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct HeadParams {
    pub failures_per_year: f64,
    pub repair: Dist,
    /// The share of failures announced `warning_us` ahead, so that the head's VMs can
    /// be migrated away first.
    pub predicted_fraction: f64,
    pub warning_us: Micros,
}

/// Which heads a fault touches.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    All,
    /// round(fraction · heads) heads, drawn afresh for every occurrence.
    Fraction(f64),
    Heads(Vec<u32>),
    /// Every head of these racks.
    Racks(Vec<u32>),
    /// round(fraction · racks) racks, drawn afresh for every occurrence.
    RackFraction(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// A network partition between the brain and the heads in `scope`.
    Partition {
        at_us: Micros,
        duration: Dist,
        scope: Scope,
    },
    /// Partitions arriving as a Poisson process (`per_year`), one at a time.
    RandomPartitions {
        per_year: f64,
        duration: Dist,
        scope: Scope,
    },
    /// The supervisors in `scope` crash at `at` (whatever the transport).
    SupervisorCrash { at_us: Micros, scope: Scope },
    /// The brain fails over at `at`, for `brain.failover_time`.
    BrainFailover { at_us: Micros },
    /// The heads in `scope` fail at `at` and are repaired after `head.repair`.
    HeadFailure { at_us: Micros, scope: Scope },
}

/// How the results classify incidents.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricParams {
    /// An incident is site-wide when at least this fraction of the VMs (in (0, 1])
    /// were down at the same time.
    pub site_fraction: f64,
}

impl Default for MetricParams {
    fn default() -> Self {
        MetricParams {
            site_fraction: crate::metrics::DEFAULT_SITE_FRACTION,
        }
    }
}

/// Safety limits on one replication. Simulated time is bounded by the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunLimits {
    /// Live events one replication may handle; one more is an error (a runaway).
    /// The default, 50 000 000, is ~7× the events of a 10 000-head year of
    /// `models/york-year.ron` and stops a runaway within about 3 s.
    pub max_events: u64,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            max_events: 50_000_000,
        }
    }
}

/// An assumption a sensitivity study varies: the path it sets and the range, in the
/// path's own unit (microseconds for a duration).
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    pub scale: Scale,
    pub kind: UncertainKind,
}

/// What kind of value an uncertain path holds, which decides how a sampled value is
/// written back as a `--set` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UncertainKind {
    /// A number, written as the shortest text that reads back the same.
    Number,
    /// A whole number: the sampled value rounded.
    Whole,
    /// A duration, in whole microseconds (`"1500000us"`).
    Duration,
    /// A distribution, varied as `Fixed` of a duration.
    FixedDuration,
}

/// A parameter change during a run: from `at_us`, head i (in `order`) takes the new
/// values at `at_us + i·over_us/heads`. An `At` change is one with `over_us` 0 that
/// reaches every head in one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub at_us: Micros,
    pub over_us: Micros,
    /// `None` for an `At` change (every head at once).
    pub order: Option<RolloutOrder>,
    pub set: Vec<(ChangePath, f64)>,
    /// Restart each head's supervisor when the change reaches it.
    pub restart_supervisor: bool,
    /// What a restarting rollout does with a head's VMs first.
    pub drain: RolloutDrain,
}

/// A parameter a change may set: the per-head values the supervisor reads when it
/// uses them (see `model::changes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangePath {
    CrashOnReset,
    CrashOnLongReset,
    CrashesPerYear,
}

/// The shortest horizon of an operation model: a shorter one is an incident's,
/// whatever fails in it (its downtime per VM-year mostly measures the horizon).
pub const OPERATION_HORIZON_US: Micros = 30 * 86_400 * crate::engine::US_PER_S;

impl Scenario {
    /// The kind a model without `kind` has: `Operation` when the horizon is at least
    /// [`OPERATION_HORIZON_US`] and something fails at random (a random fault, or a
    /// rate of head, rack-switch, broker or brain failures, background crashes,
    /// routine link flaps or maintenance windows); `Incident` otherwise (scheduled
    /// faults, or a horizon too short to measure a rate).
    pub fn inferred_kind(&self) -> ModelKind {
        let broker = match &self.design.transport {
            Transport::MessageQueue { broker } => broker.failures_per_year,
            Transport::Tcp => 0.0,
        };
        let rates = [
            self.head.failures_per_year,
            self.racks.switch_failures_per_year,
            broker,
            self.brain.failovers_per_year,
            self.highest(ChangePath::CrashesPerYear),
            self.link.flaps_per_year,
            self.maintenance.per_head_per_year,
        ];
        let random = rates.iter().any(|r| *r > 0.0)
            || self
                .faults
                .iter()
                .any(|f| matches!(f, Fault::RandomPartitions { per_year, .. } if *per_year > 0.0));
        if random && self.horizon_us >= OPERATION_HORIZON_US {
            ModelKind::Operation
        } else {
            ModelKind::Incident
        }
    }

    /// The highest value `path` takes in a run: the scenario's own, or a change's when
    /// higher (for bounds that must hold before and after every change).
    pub fn highest(&self, path: ChangePath) -> f64 {
        let base = match path {
            ChangePath::CrashOnReset => self.supervisor.crash_on_reset,
            ChangePath::CrashOnLongReset => self.supervisor.crash_on_long_reset,
            ChangePath::CrashesPerYear => self.supervisor.crashes_per_year,
        };
        self.changes
            .iter()
            .flat_map(|c| &c.set)
            .filter(|(p, _)| *p == path)
            .fold(base, |max, &(_, v)| max.max(v))
    }
}

/// When step `step` of a rollout starting at `at_us` over `over_us` across `heads`
/// heads is due: `at + step·over/heads`, rounded down to the microsecond.
pub fn step_time(at_us: Micros, over_us: Micros, heads: u32, step: u32) -> Micros {
    let offset = over_us as u128 * step as u128 / heads.max(1) as u128;
    at_us.saturating_add(offset.min(Micros::MAX as u128) as Micros)
}

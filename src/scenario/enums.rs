//! The field-less enums of a model (`design.coupling`, `maintenance.drain`,
//! `brain.queue_policy`, a range's `scale`, a rollout's `drain` and `order`), defined
//! once: the serde mirror of a file (`raw`) and the validated model (`types`) both use
//! these. Each value is described in the schema. This module imports nothing from the
//! rest of `scenario`, so both can.

use serde::{Deserialize, Serialize};

/// What a head's VMs go through while the head is maintained (`maintenance.drain`:
/// each value is described in [`super::schema::DRAINS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Drain {
    LiveMigrate,
    Reboot,
    None,
}

/// Whether a supervisor crash takes its head's VMs with it (`design.coupling`: each
/// value is described in [`super::schema::COUPLINGS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Coupling {
    Coupled,
    Decoupled,
}

/// Which waiting VM boots next (`brain.queue_policy`: each value is described in
/// [`super::schema::QUEUE_POLICIES`]). `ShortestFirst` is the shortest-processing-time
/// rule, which minimises the mean outage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueuePolicy {
    Fifo,
    Random,
    RoundRobinHeads,
    ShortestFirst,
}

/// How an uncertain range is sampled (each value is described in
/// [`super::schema::SCALES`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scale {
    #[default]
    Linear,
    Log,
}

/// What a restarting rollout does with a head's VMs before it restarts the head's
/// supervisor (see `model::changes`; each value is described in
/// [`super::schema::ROLLOUT_DRAINS`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RolloutDrain {
    #[default]
    None,
    LiveMigrate,
}

impl RolloutDrain {
    /// Whether it is the default, `None` (left out when a model is written back).
    pub fn is_none(&self) -> bool {
        *self == RolloutDrain::None
    }
}

/// The order in which a rollout reaches the heads (each value is described in
/// [`super::schema::ORDERS`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RolloutOrder {
    #[default]
    Sequential,
    Random,
}

/// What a model is for (`kind`: each value is described in
/// [`super::schema::MODEL_KINDS`]), which decides the metrics its outputs lead with.
/// `Auto` is resolved when the model is validated, so a [`super::Scenario`] holds
/// `Incident` or `Operation` only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelKind {
    #[default]
    Auto,
    Incident,
    Operation,
}

impl ModelKind {
    /// Whether it is the default, `Auto` (left out when a model is written back).
    pub fn is_auto(&self) -> bool {
        *self == ModelKind::Auto
    }

    /// The word outputs use: `incident` or `operation` (`auto` before resolution).
    pub fn word(self) -> &'static str {
        match self {
            ModelKind::Auto => "auto",
            ModelKind::Incident => "incident",
            ModelKind::Operation => "operation",
        }
    }
}

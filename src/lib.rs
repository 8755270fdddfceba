//! bigvsim: a deterministic discrete-event simulator of a cloud control plane.
//!
//! A *brain* supervises thousands of VMs on *head* servers over one TCP link per head;
//! links reset, supervisors crash, and dead VMs queue for a rate-limited reboot. The
//! simulator answers "what if" questions about designs (patched, decoupled, message
//! queue, faster reboot queue) with confidence intervals over replications.
//!
//! # Determinism
//!
//! Simulated time is an integer number of microseconds. Events run in time order, and
//! events at the same time run in the order in which they were scheduled. Every random
//! number comes from a ChaCha8 stream keyed by (seed, replication, purpose, entity), so
//! the same model and seed give byte-identical results on any machine, and two designs
//! run on one seed see the same faults (common random numbers).
//!
//! # Layers
//!
//! - [`engine`]: time, event queue, run loop, random streams. Knows nothing of clouds.
//! - [`model`]: the platform's state machines. No I/O.
//! - [`scenario`]: model files → validated [`scenario::Scenario`].
//! - [`metrics`]: recording during a run and statistics over replications.
//! - [`experiment`]: replications, comparisons, sweeps: the layer users drive.
//! - [`report`]: text, JSON, CSV and plots.

pub mod engine;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod report;
pub mod scenario;

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
//! # Use as a library
//!
//! ```
//! use bigvsim::experiment::{Plan, run_batch};
//! use bigvsim::metrics::Metric;
//! use bigvsim::scenario;
//!
//! // A model from text (or `scenario::load(path, &overrides)` for a file), with a
//! // what-if override applied on top.
//! let model = scenario::load_str(
//!     "inline.ron",
//!     r#"(name: "tiny", horizon: "1d", site: (heads: 4, vms_per_head: 10),
//!         brain: (reboot_concurrency: 5, boot_time: Fixed("60s")),
//!         faults: [SupervisorCrash(at: "1h", scope: All)])"#,
//!     &["supervisor.restart=Fixed(\"10s\")".to_string()],
//! )
//! .expect("a valid model");
//! // Ten replications of seed 42 on one thread.
//! let batch = run_batch(&model.scenario, &Plan::new(42, 10), &|_, _| {}).expect("no runaway");
//! // 40 VMs through 5 slots of 60 s after a 10 s restart: the last is up after 490 s.
//! assert_eq!(batch.summary(Metric::FullRecoveryS).mean, 490.0);
//! ```
//!
//! # Layers
//!
//! - [`engine`]: time, event queue, run loop, random streams. Knows nothing of clouds.
//! - [`model`]: the platform's state machines. No I/O.
//! - [`scenario`]: model files → validated [`scenario::Scenario`].
//! - [`metrics`]: recording during a run and statistics over replications.
//! - [`experiment`]: replications, comparisons, sweeps: the layer users drive.
//! - [`report`]: text, JSON, CSV and plots.

/// The version written into every result, report and shard file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod engine;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod report;
pub mod scenario;

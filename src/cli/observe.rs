//! `bigvsim observe`: what monitoring would have shown of one simulated incident, as
//! an observation file `bigvsim fit` reads.

use clap::Args;

use bigvsim::experiment::fit::observe::monitor;
use bigvsim::report::fit::observation_csv;
use bigvsim::scenario::duration::{format_duration_us, parse_duration_us};

use super::{Failure, command_line, load, out, run_failure};

/// The most rows a curve may have.
const MAX_ROWS: u64 = 100_000;

#[derive(Args, Debug)]
pub(super) struct ObserveArgs {
    /// Model file (RON).
    model: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Which replication to observe.
    #[arg(long, default_value_t = 0)]
    replication: u64,
    /// Sampling interval of the recovery curve.
    #[arg(long, default_value = "60s", value_name = "DURATION")]
    every: String,
    /// Override a field: PATH=VALUE. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
}

pub(super) fn cmd_observe(args: ObserveArgs) -> Result<(), Failure> {
    let (model, seed, replication, every, sets) = (
        args.model.as_str(),
        args.seed,
        args.replication,
        args.every.as_str(),
        args.sets.as_slice(),
    );
    super::checks::check_paths("the model file", std::iter::once(&model.to_string()))?;
    super::checks::check_sets(sets)?;
    let every_us = parse_duration_us(every.trim())
        .map_err(|e| Failure::input(format!("--every {every}: {e}")))?;
    if every_us == 0 {
        return Err(Failure::input(format!(
            "--every {every}: must be above 0, e.g. --every 60s"
        )));
    }
    let m = load(model, sets)?;
    let rows = m.scenario.horizon_us / every_us;
    if rows > MAX_ROWS {
        return Err(Failure::input(format!(
            "--every {every}: up to {rows} rows over the horizon of {}; at most {MAX_ROWS}: give at least --every {}",
            format_duration_us(m.scenario.horizon_us),
            format_duration_us(m.scenario.horizon_us.div_ceil(MAX_ROWS))
        )));
    }
    let mon = monitor(&m.scenario, seed, replication, every_us).map_err(|error| {
        run_failure(&bigvsim::experiment::RunFailure {
            path: m.path.clone(),
            error: bigvsim::experiment::ReplicationError {
                seed,
                replication,
                error,
            },
        })
    })?;
    let hash = format!(
        "{:016x}",
        bigvsim::experiment::fnv1a(m.source.as_bytes(), bigvsim::experiment::FNV_OFFSET)
    );
    let mut comments = vec![
        format!(
            "simulated by bigvsim {}: {}",
            bigvsim::VERSION,
            command_line()
        ),
        format!(
            "model {} ({}, hash {hash}), seed {seed}, replication {replication}",
            m.scenario.name, m.path
        ),
        format!(
            "the worst incident's VMs up (of {}), every {} from its first VM death",
            mon.vms,
            format_duration_us(every_us)
        ),
    ];
    if mon.curve.is_empty() {
        comments.push("no VM went down: no recovery curve".to_string());
    }
    out(&observation_csv(&mon, &comments))
}

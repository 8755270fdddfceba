//! `bigvsim sweep`: one model over a grid of parameter values, every point on the same
//! seeds, each point compared with the first; whole or one shard.

use clap::Args;

use bigvsim::experiment::sweep::{MAX_SWEEP_POINTS, Param, SweepModels};
use bigvsim::experiment::{Plan, Sweep, Workload};
use bigvsim::report::{self, files};
use bigvsim::scenario::overrides::same_target;

use super::checks::{Invocation, Kind};
use super::progress::Progress;
use super::{
    Common, Failure, Format, Output, Verdicts, command_line, emit_part, out, print_json,
    run_failure, verbose,
};

#[derive(Args, Debug)]
pub(super) struct SweepArgs {
    /// Model file (RON).
    model: String,
    /// A parameter to sweep: PATH=V1,V2,... or PATH=A..B:STEP (B included). Repeat for
    /// a grid.
    #[arg(long = "param", value_name = "PATH=VALUES", required = true)]
    params: Vec<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    verdicts: Verdicts,
    /// Run only shard K of N (replications K·R/N..(K+1)·R/N at every point) and
    /// print a partial result for `bigvsim merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

pub(super) fn cmd_sweep(args: SweepArgs) -> Result<(), Failure> {
    let c = &args.common;
    let inv = Invocation::new(
        Some(c),
        &args.output,
        std::slice::from_ref(&args.model),
        Kind {
            shard: Some((&args.shard, bigvsim::experiment::MAX_REPLICATIONS)),
            verdicts: Some(&args.verdicts),
            ..Kind::reading("the model file")
        },
    )?;
    let shard = inv.shard;
    let params = args
        .params
        .iter()
        .map(|p| Param::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::input)?;
    let points = params
        .iter()
        .try_fold(1u64, |n, p| n.checked_mul(p.values.len() as u64));
    let work = Workload::sweep(c.replications, shard, points.unwrap_or(u64::MAX));
    // The work is bounded before the points' models load (loading refuses a grid of
    // too many points itself).
    if points.is_some_and(|n| n <= MAX_SWEEP_POINTS) {
        work.check_runs().map_err(Failure::input)?;
    }
    let sweep = SweepModels::load(&args.model, &c.sets, &params)
        .map_err(|e| Failure::input(e.to_string()))?;
    sweep
        .warnings()
        .iter()
        .for_each(|w| eprintln!("warning: {w}"));
    let range = shard.map_or(0..c.replications, |s| s.range(c.replications));
    let runs = range.end - range.start;
    let jobs = inv.fit(&sweep.models_with_sets(), &work)?;
    inv.check_out()?;
    verbose(sweep.models().take(1), c);
    let plan = Plan {
        seed: c.seed,
        first: range.start,
        count: runs,
        jobs,
        check_invariants: c.check,
        // Its reports have no `outages.csv`.
        keep_outages: false,
    };
    let progress = Progress::new("sweep", runs * sweep.models().count() as u64);
    let mut sw = sweep
        .run(&plan, &|d, t| progress.update(d, t))
        .map_err(|f| run_failure(&f))?;
    sw.replications = c.replications;
    sw.min_effect = inv.min_effect;
    for t in &inv.targets {
        if !sw.targets.iter().any(|o| same_target(o, t)) {
            sw.targets.push(t.clone());
        }
    }
    match shard {
        Some(shard) => emit_part(&study_of(&sw)?, shard),
        None => emit_sweep(&sw, &args.output),
    }
}

/// The sweep as a study of its points.
fn study_of(sw: &Sweep) -> Result<bigvsim::experiment::Study, Failure> {
    sw.to_study().map_err(|e| {
        Failure::run(format!(
            "{e}\n  this is a bug in bigvsim: please report it with the model and this command"
        ))
    })
}

/// Prints a sweep (and writes its report), from `sweep` or from `merge`.
pub(super) fn emit_sweep(sw: &Sweep, output: &Output) -> Result<(), Failure> {
    let study = study_of(sw)?;
    for note in files::censoring_notes(&study) {
        eprintln!("warning: {}", note.replace('`', ""));
    }
    if let Some(dir) = &output.out {
        files::write_sweep_report(dir, output.force, sw, &study, &command_line())
            .map_err(|e| Failure::input(e.to_string()))?;
    }
    match output.format() {
        Format::Json => print_json(&report::sweep_json(sw, &study))?,
        Format::Text => out(&report::sweep_text(sw, &study, output.width(), output.all))?,
    }
    if let Some(dir) = &output.out {
        eprintln!("report written to {dir}/report.md");
    }
    Ok(())
}

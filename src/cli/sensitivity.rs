//! `bigvsim sensitivity`: vary the uncertain assumptions over a Latin hypercube, run
//! every design at every sample on the same seeds, and say what moves the results
//! and whether the designs' advantages hold.

use clap::Args;

use bigvsim::experiment::Workload;
use bigvsim::experiment::sensitivity::analysis::analyse;
use bigvsim::experiment::sensitivity::{
    self, Sensitivity, SensitivityModels, SensitivityPlan, part,
};
use bigvsim::report::sensitivity::{sensitivity_json, sensitivity_text, write_sensitivity_report};

use super::checks::{Invocation, Kind};
use super::progress::Progress;
use super::{Common, Failure, Format, Output, command_line, out, print_json, run_failure, verbose};

#[derive(Args, Debug)]
pub(super) struct SensitivityArgs {
    /// Model files: the first is the baseline and declares the ranges (`uncertain:`);
    /// others are designs compared with it at every sample.
    #[arg(required = true)]
    models: Vec<String>,
    /// Samples of the Latin hypercube (each runs every design -r times).
    #[arg(long, default_value_t = 32)]
    samples: u64,
    /// Vary a path over a range: PATH=LO..HI or PATH=LO..HI:log (adds to, or replaces,
    /// the baseline's `uncertain:` entry of that path). Repeatable.
    #[arg(long = "vary", value_name = "PATH=LO..HI[:log]")]
    vary: Vec<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
    /// Run only samples K·S/N..(K+1)·S/N and print a partial result for `bigvsim merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

pub(super) fn cmd_sensitivity(args: SensitivityArgs) -> Result<(), Failure> {
    let c = &args.common;
    let inv = Invocation::new(
        Some(c),
        &args.output,
        &args.models,
        Kind {
            shard: Some((&args.shard, sensitivity::MAX_SAMPLES)),
            // Accepting a target and judging nothing would mislead.
            no_targets: Some(
                "sensitivity ranks the assumptions by their effect on every key metric and judges no target; to judge a target use run, compare or sweep, or solve for the value that meets it",
            ),
            ..Kind::reading("a model file")
        },
    )?;
    let shard = inv.shard;
    let vary = args
        .vary
        .iter()
        .map(|v| sensitivity::parse_vary(v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::input)?;
    let mut plan = SensitivityPlan {
        seed: c.seed,
        replications: c.replications,
        samples: args.samples,
        shard,
        jobs: 1,
        check_invariants: c.check,
    };
    let range = plan.range();
    let work = Workload::sensitivity(
        c.replications,
        range.end - range.start,
        args.models.len() as u64,
    );
    // The work is bounded before the samples' models load (loading refuses a sample
    // count out of range itself).
    if plan.samples <= sensitivity::MAX_SAMPLES {
        work.check_runs().map_err(Failure::input)?;
    }
    let models = SensitivityModels::load(&args.models, &c.sets, &vary, &plan)
        .map_err(|e| Failure::input(e.to_string()))?;
    models.notes.iter().for_each(|n| eprintln!("{n}"));
    verbose(&models.base, c);
    plan.jobs = inv.fit(&models.models_with_sets(), &work)?;
    inv.check_out()?;
    let progress = Progress::new(
        "sensitivity",
        (range.end - range.start) * args.models.len() as u64 * c.replications,
    );
    let s = models
        .run(&plan, &|d, t| progress.update(d, t))
        .map_err(|f| run_failure(&f))?;
    match shard {
        Some(shard) => {
            let text = part::part_json(&s, shard)
                .map_err(|e| Failure::run(format!("cannot write the shard file: {e}")))?;
            out(&format!("{text}\n"))
        }
        None => emit(&s, &args.output),
    }
}

/// Prints a whole study (and writes its report), as one process or `merge` does.
pub(super) fn emit(s: &Sensitivity, output: &Output) -> Result<(), Failure> {
    let a = analyse(s);
    for w in a.too_few.iter().chain(&a.unresolved) {
        eprintln!("warning: {w}");
    }
    if let Some(dir) = &output.out {
        write_sensitivity_report(dir, output.force, s, &a, &command_line())
            .map_err(|e| Failure::input(e.to_string()))?;
    }
    match output.format() {
        Format::Json => print_json(&sensitivity_json(s, &a))?,
        Format::Text => out(&sensitivity_text(s, &a, output.width(), output.all))?,
    }
    if let Some(dir) = &output.out {
        eprintln!("report written to {dir}/report.md");
    }
    Ok(())
}

/// `merge` of sensitivity part files, the invocation's inputs.
pub(super) fn merge(inv: &Invocation) -> Result<(), Failure> {
    let s = part::merge_files(inv.inputs).map_err(Failure::input)?;
    inv.check_out()?;
    emit(&s, inv.output)
}

/// True when the first part file is a sensitivity part (the others must match it,
/// which the merge checks).
pub(super) fn is_sensitivity_part(parts: &[String]) -> bool {
    parts.first().is_some_and(|p| part::is_part_file(p))
}

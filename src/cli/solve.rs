//! `bigvsim solve`: the smallest (or largest) value of one parameter that meets a
//! target.

use clap::Args;

use bigvsim::experiment::solve::{Domain, DomainError, SolveError, SolveSpec, solve};
use bigvsim::experiment::{Plan, Workload};
use bigvsim::report::solve::{censoring_warnings, solve_json, solve_text, write_solve_report};
use bigvsim::scenario;

use super::checks::{Invocation, Kind};
use super::progress::Progress;
use super::{
    Common, Failure, Format, Output, command_line, load, out, print_json, run_failure, verbose,
};

#[derive(Args, Debug)]
pub(super) struct SolveArgs {
    /// Model file (RON).
    model: String,
    /// The parameter to solve for and its range: PATH=LO..HI (e.g.
    /// brain.reboot_concurrency=1..200, brain.boot_time.mean=10s..120s).
    #[arg(long, value_name = "PATH=LO..HI")]
    param: String,
    /// Find the largest value that meets the target (by default the smallest).
    #[arg(long)]
    largest: bool,
    /// For a real or duration parameter: stop when the answer is known to within
    /// this (default: 1/1000 of the range; at least 1us for a duration, and the
    /// spacing of floating-point numbers at the range's ends for a number). Whole
    /// numbers are solved exactly. A solve makes at most 100 probes.
    #[arg(long, value_name = "STEP")]
    tolerance: Option<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
}

pub(super) fn cmd_solve(args: SolveArgs) -> Result<(), Failure> {
    let c = &args.common;
    let inv = Invocation::new(
        Some(c),
        &args.output,
        std::slice::from_ref(&args.model),
        Kind::reading("the model file"),
    )?;
    let mut targets = inv.targets.clone();
    if targets.is_empty() {
        // Without --target, the model's own target, when it states exactly one.
        let m = scenario::load(&args.model, &c.sets)
            .map_err(|e| Failure::input(e.lines().join("\nerror: ")))?;
        targets = m.scenario.targets;
    }
    let [target] = targets.as_slice() else {
        return Err(Failure::input(format!(
            "solve needs exactly one target, from --target or the model's `targets` (found {}), e.g. --target 'site_recovery_s.p90<=1h'",
            targets.len()
        )));
    };
    let param = args.param.trim();
    let bad_param = |why: String| {
        Failure::input(format!(
            "--param {param}: {why}; expected PATH=LO..HI, e.g. brain.reboot_concurrency=1..200"
        ))
    };
    let (path, range) = args
        .param
        .split_once('=')
        .ok_or_else(|| bad_param("no `=`".to_string()))?;
    let (lo, hi) = range
        .split_once("..")
        .ok_or_else(|| bad_param("no `..` between LO and HI".to_string()))?;
    let path = path.trim();
    if c.sets.iter().any(|s| {
        bigvsim::experiment::sweep::overwrites(path, bigvsim::experiment::sweep::set_path(s))
    }) {
        return Err(bad_param(
            "the path is also fixed by --set, which would hide the value being solved".to_string(),
        ));
    }
    let domain = Domain::parse(path, lo, hi, args.tolerance.as_deref()).map_err(|e| match e {
        DomainError::Syntax(why) => bad_param(why),
        DomainError::Range(why) => Failure::input(format!("--param {param}: {why}")),
        DomainError::Tolerance(message) => Failure::input(message),
    })?;
    // A model that does not load with the parameter at `at` (`LO (PATH=V)` at an end,
    // `PATH=V` at a probe): every error names the --param and the value.
    let at_value = |at: &str, e: &scenario::ScenarioError| {
        Failure::input(
            e.lines()
                .iter()
                .map(|l| format!("--param {param}: at {at} the model does not load: {l}"))
                .collect::<Vec<_>>()
                .join("\nerror: "),
        )
    };
    // Both ends load (so every value between is in the field's range), and the larger
    // site of the two sizes the workers.
    let base = load(&args.model, &c.sets)?;
    // The ends' own warnings (a setting without effect at one end) would repeat at
    // every probe: only the model's own are printed.
    let end = |which: &str, v: &str| {
        let mut sets = c.sets.clone();
        sets.push(format!("{path}={v}"));
        scenario::load(&args.model, &sets)
            .map(|m| (m, sets))
            .map_err(|e| at_value(&format!("{which} ({path}={v})"), &e))
    };
    let (lo_text, hi_text) = match domain {
        Domain::Duration { lo, hi, .. } => (
            scenario::duration::format_duration_us(lo),
            scenario::duration::format_duration_us(hi),
        ),
        _ => (lo.trim().to_string(), hi.trim().to_string()),
    };
    let ends = [end("LO", &lo_text)?, end("HI", &hi_text)?];
    let jobs = inv.fit(
        &ends.iter().map(|(m, s)| (m, s.clone())).collect::<Vec<_>>(),
        &Workload::solve(c.replications, &domain),
    )?;
    inv.check_out()?;
    verbose([&base], c);
    let plan = Plan {
        seed: c.seed,
        first: 0,
        count: c.replications,
        jobs,
        check_invariants: c.check,
        // Its reports have no `outages.csv`.
        keep_outages: false,
    };
    let spec = SolveSpec {
        param: path,
        domain,
        target,
        largest: args.largest,
        overrides: &c.sets,
    };
    let progress = Progress::new("solve", c.replications * 8);
    let model = args.model.clone();
    let s = solve(
        &|sets| scenario::load(&model, sets),
        &spec,
        &plan,
        &|d, t| progress.update(d, t),
    )
    .map_err(|e| match e {
        SolveError::Model {
            value: Some(v),
            error,
        } => at_value(&format!("{path}={v}"), &error),
        SolveError::Model { value: None, error } => Failure::input(error.lines().join("\nerror: ")),
        SolveError::Run(f) => run_failure(&f),
    })?;
    for w in censoring_warnings(&s) {
        eprintln!("warning: {w}");
    }
    if let Some(dir) = &args.output.out {
        write_solve_report(dir, args.output.force, &s, &command_line())
            .map_err(|e| Failure::input(e.to_string()))?;
    }
    match args.output.format() {
        Format::Json => print_json(&solve_json(&s))?,
        Format::Text => out(&solve_text(&s, args.output.width(), args.output.all))?,
    }
    if let Some(dir) = &args.output.out {
        eprintln!("report written to {dir}/report.md");
    }
    Ok(())
}

//! The command line: parse arguments, load models, hand off to the experiment layer,
//! print or write the results, and turn errors into exit codes
//! (0 success, 1 a run failed, 2 bad input).

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use bigvsim::experiment::differences::MinEffect;
mod checks;
mod fit;
mod observe;
mod progress;
mod sensitivity;
mod solve;
mod sweep;
mod tracing;
mod usage;
mod validate;

use checks::{Invocation, Kind};
use progress::Progress;
use tracing::{cmd_explain, cmd_trace, explain};

use bigvsim::experiment::Shard;
use bigvsim::experiment::shard;
use bigvsim::experiment::{self, RunFailure, Study, StudyError, StudyKind, StudyPlan, Workload};
use bigvsim::report::{self, files};
use bigvsim::scenario::error::printable;
use bigvsim::scenario::target::Target;
use bigvsim::scenario::{self, LoadedModel};

#[derive(Parser, Debug)]
#[command(
    name = "bigvsim",
    version,
    about = "Deterministic simulator of a cloud control plane: what does each design buy in availability and recovery time?"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run replications of one model and summarise the metrics with 95 % CIs.
    Run(RunArgs),
    /// Run several designs on the same seeds and report paired differences.
    Compare(CompareArgs),
    /// Run a model over a grid of parameter values (same seeds at every point).
    Sweep(sweep::SweepArgs),
    /// Combine the partial results of `--shard K/N` runs into the full result.
    Merge(MergeArgs),
    /// Find the smallest (or largest) value of one parameter that meets a target, by
    /// bisection on common random numbers.
    Solve(solve::SolveArgs),
    /// Vary the uncertain assumptions: what moves the results, and do verdicts hold?
    Sensitivity(sensitivity::SensitivityArgs),
    /// Fit parameters to observed incidents: best values, 95 % regions, identifiability.
    Fit(fit::FitArgs),
    /// Print one replication's worst incident as monitoring would see it (an
    /// observation file for `fit`).
    Observe(observe::ObserveArgs),
    /// Check model files and print their resolved parameters' summary.
    Validate {
        /// Model files (RON).
        #[arg(required_unless_present = "list_paths")]
        models: Vec<String>,
        /// Override a field: PATH=VALUE (e.g. brain.reboot_concurrency=40).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Also print every resolved parameter (defaults and overrides included).
        #[arg(long, short = 'v')]
        verbose: bool,
        /// Print every path --set, --param, --vary and --design-set take, one a line.
        #[arg(long, conflicts_with_all = ["models", "sets", "verbose"])]
        list_paths: bool,
    },
    /// Print every event of one replication as JSON lines.
    Trace {
        model: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Which replication to trace.
        #[arg(long, default_value_t = 0)]
        replication: u64,
        /// Stop after this many events.
        #[arg(long)]
        limit: Option<u64>,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        #[command(flatten)]
        filter: TraceFilterArgs,
    },
    /// Print the worst incident of one replication as a short causal timeline.
    Explain {
        model: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Which replication to explain.
        #[arg(long, default_value_t = 0)]
        replication: u64,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
}

/// Which trace lines to print (all by default).
#[derive(Args, Debug)]
struct TraceFilterArgs {
    /// Only lines about this head (its VMs' lines included).
    #[arg(long)]
    head: Option<u32>,
    /// Only lines about this VM.
    #[arg(long)]
    vm: Option<u32>,
    /// Only events or notes of this name (e.g. VmDied). Repeatable.
    #[arg(long = "event", value_name = "NAME")]
    events: Vec<String>,
    /// Only lines at or after this simulated time (e.g. 1h).
    #[arg(long, value_name = "DURATION")]
    from: Option<String>,
    /// Only lines at or before this simulated time (e.g. 2h30m).
    #[arg(long, value_name = "DURATION")]
    to: Option<String>,
}

#[derive(Args, Debug, Clone)]
struct Common {
    /// Master seed: the same model and seed give byte-identical results.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Replications (independent runs with seeds derived from the master seed).
    #[arg(long, short = 'r', default_value_t = 30)]
    replications: u64,
    /// Override a field: PATH=VALUE (e.g. brain.reboot_concurrency=40). Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Check the model's invariants after every event (slow).
    #[arg(long)]
    check: bool,
    /// Print the seed and every resolved parameter on stderr first.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// A target to judge every design against, besides the model's `targets`:
    /// METRIC.STAT<=VALUE or >=, STAT `mean` or a quantile such as `p90`
    /// (e.g. 'site_recovery_s.p90<=1h'). Repeatable.
    #[arg(long = "target", value_name = "METRIC.STAT<=VALUE")]
    targets: Vec<String>,
}

#[derive(Args, Debug)]
struct Output {
    /// Output format on stdout [default: text; with --shard, always json].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Also write a report (report.md, metrics.json, CSVs, PNG and SVG plots) here.
    #[arg(long, value_name = "DIR")]
    out: Option<String>,
    /// With --out: replace an existing non-empty directory as a whole.
    #[arg(long)]
    force: bool,
    /// Let text tables be as wide as their contents (by default they are split to fit
    /// in 100 columns).
    #[arg(long)]
    wide: bool,
    /// Show every metric and column in text (by default: the answer in words and the
    /// metrics that fit the model's kind, without those 0 everywhere).
    #[arg(long)]
    all: bool,
}

/// The width text tables fit in unless `--wide` is given.
const TEXT_WIDTH: usize = 100;

impl Output {
    /// The width text tables must fit in.
    fn width(&self) -> Option<usize> {
        (!self.wide).then_some(TEXT_WIDTH)
    }
}

#[derive(Args, Debug)]
struct Verdicts {
    /// The smallest change that matters, in percent of the baseline's mean: a
    /// difference whose whole 95 % CI lies within it is "no material difference"
    /// [default: 1%].
    #[arg(long, value_name = "PERCENT%")]
    min_effect: Option<String>,
}

impl Verdicts {
    /// The smallest change that matters: `--min-effect`, or 1 %.
    fn min_effect(&self) -> Result<MinEffect, Failure> {
        match self.min_effect.as_deref() {
            Some(m) => MinEffect::parse(m).map_err(Failure::input),
            None => Verdicts::default_min_effect(),
        }
    }

    /// The smallest change that matters when no `--min-effect` is given: 1 %.
    fn default_min_effect() -> Result<MinEffect, Failure> {
        MinEffect::parse("1%").map_err(Failure::input)
    }
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Model file (RON).
    model: String,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
    /// Run only shard K of N (replications K·R/N..(K+1)·R/N) and print a partial
    /// result for `bigvsim merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

#[derive(Args, Debug)]
struct CompareArgs {
    /// Model files: the first is the baseline. The same file may be given twice with
    /// a --design-set for one of them.
    #[arg(required = true, num_args = 2..)]
    models: Vec<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    verdicts: Verdicts,
    /// Override a field of one design only: K:PATH=VALUE, K the design's position
    /// from 0 (e.g. 1:brain.reboot_concurrency=40). The design's name gets
    /// "+PATH=VALUE" added. Repeatable.
    #[arg(long = "design-set", value_name = "K:PATH=VALUE")]
    design_sets: Vec<String>,
    /// Give each design its own seeds (to see what common random numbers buy).
    #[arg(long)]
    independent_seeds: bool,
    /// Run only shard K of N and print a partial result for `bigvsim merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// Partial result files written by `--shard K/N` runs.
    #[arg(required = true)]
    parts: Vec<String>,
    /// A target to judge the merged result against, besides those the parts carry.
    /// Repeatable.
    #[arg(long = "target", value_name = "METRIC.STAT<=VALUE")]
    targets: Vec<String>,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    verdicts: Verdicts,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

impl Output {
    /// The format asked for, or text.
    fn format(&self) -> Format {
        self.format.unwrap_or(Format::Text)
    }
}

/// A failure with its exit code; the message is printed as `error: ...`.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
    fn run(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// The command line as typed, for "reproduce with" hints.
fn command_line() -> String {
    let mut args: Vec<String> = std::env::args().collect();
    if let Some(first) = args.first_mut() {
        *first = "bigvsim".to_string();
    }
    args.iter()
        .map(|a| {
            if a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=,:".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn main() -> ExitCode {
    let cli = match usage::parse_arguments() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let result = match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Compare(args) => cmd_compare(args),
        Command::Sweep(args) => sweep::cmd_sweep(args),
        Command::Merge(args) => cmd_merge(args),
        Command::Solve(args) => solve::cmd_solve(args),
        Command::Sensitivity(args) => sensitivity::cmd_sensitivity(args),
        Command::Fit(args) => fit::cmd_fit(args),
        Command::Observe(args) => observe::cmd_observe(args),
        Command::Validate {
            list_paths: true, ..
        } => out(&format!("{}\n", scenario::settable_paths().join("\n"))),
        Command::Validate {
            models,
            sets,
            verbose,
            ..
        } => validate::cmd_validate(&models, &sets, verbose),
        Command::Trace {
            model,
            seed,
            replication,
            limit,
            sets,
            filter,
        } => cmd_trace(&model, seed, replication, limit, &sets, &filter),
        Command::Explain {
            model,
            seed,
            replication,
            sets,
        } => cmd_explain(&model, seed, replication, &sets),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn load(path: &str, sets: &[String]) -> Result<LoadedModel, Failure> {
    let m = scenario::load(path, sets).map_err(|e| Failure::input(e.lines().join("\nerror: ")))?;
    m.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
    Ok(m)
}

fn verbose<'a>(models: impl IntoIterator<Item = &'a LoadedModel>, c: &Common) {
    if c.verbose {
        for m in models {
            eprintln!(
                "# {} seed {} replications {}\n# kind: {}\n# resolved parameters:\n{}",
                m.path,
                c.seed,
                c.replications,
                validate::kind_words(&m.scenario.kind, m.scenario.kind_inferred),
                m.resolved_ron()
            );
        }
    }
}

/// Runs a study (one design for `run`, several for `compare`), whole or one shard.
fn study(
    kind: StudyKind,
    models: &[LoadedModel],
    c: &Common,
    inv: &Invocation,
    independent_seeds: bool,
    jobs: usize,
) -> Result<Study, Failure> {
    let shard = inv.shard;
    let plan = StudyPlan {
        kind,
        seed: c.seed,
        replications: c.replications,
        shard,
        independent_seeds,
        overrides: c.sets.clone(),
        jobs,
        check_invariants: c.check,
        // Replication 0's outages go to `outages.csv` in a report, or into a part file
        // for the report `merge` may write; a run that writes neither does not keep them.
        keep_outages: shard.is_some() || inv.output.out.is_some(),
    };
    let range = plan.range();
    let progress = Progress::new(
        kind.command(),
        (range.end - range.start) * models.len() as u64,
    );
    let mut s = experiment::run_study(models, &plan, &|d, t| progress.update(d, t)).map_err(
        |e| match e {
            StudyError::Run(f) => run_failure(&f),
            StudyError::Pairing(e) => Failure::run(format!(
                "{e}\n  this is a bug in bigvsim: please report it with the model and this command"
            )),
        },
    )?;
    s.add_targets(&inv.targets);
    Ok(s)
}

/// The `--target` arguments, parsed.
fn parse_targets(args: &[String]) -> Result<Vec<Target>, Failure> {
    args.iter()
        .map(|t| Target::parse(t).map_err(|e| Failure::input(format!("--target {e}"))))
        .collect()
}

fn run_failure(f: &RunFailure) -> Failure {
    let hint = match f.error.error {
        bigvsim::engine::EngineError::EventLimit { max_events, .. } => format!(
            "the model may be a runaway; if it is not, raise the limit, e.g. --set limits.max_events={}",
            max_events.saturating_mul(2)
        ),
        _ => {
            "this is a bug in bigvsim: please report it with the model and this command".to_string()
        }
    };
    Failure::run(format!(
        "{}: {}\n  {hint}\n  reproduce with: {}",
        f.path,
        f.error,
        command_line()
    ))
}

/// Writes `text` on stdout. A reader that has gone away (`bigvsim ... | head`) ends
/// the output quietly, as other Unix tools do; any other failed write is an error
/// rather than a panic.
fn out(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::run(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Prints a document as indented JSON. A document that cannot be serialized is a
/// bug, reported as such rather than printed as nothing.
fn print_json(doc: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(doc)
        .map_err(|e| Failure::run(format!("cannot write the JSON output: {e}")))?;
    out(&format!("{text}\n"))
}

/// Prints a study (and writes its report) as `run` or `compare` would.
fn emit_study(s: &Study, output: &Output, models: Option<&[LoadedModel]>) -> Result<(), Failure> {
    for note in files::censoring_notes(s) {
        eprintln!("warning: {}", note.replace('`', ""));
    }
    let width = output.width();
    if let Some(dir) = &output.out {
        files::write_study_report_explained(
            dir,
            output.force,
            s,
            &command_line(),
            &explain(s, models),
        )
        .map_err(|e| Failure::input(e.to_string()))?;
    }
    match (output.format(), s.kind) {
        (Format::Json, StudyKind::Run) => print_json(&report::run_json(s))?,
        (Format::Json, StudyKind::Compare) => print_json(&report::compare_json(s))?,
        (Format::Text, StudyKind::Run) => out(&report::run_text(s, width, output.all))?,
        (Format::Text, StudyKind::Compare) => out(&report::compare_text(s, width, output.all))?,
        // A merged sweep is printed as a sweep (see `cmd_merge`), never here.
        (_, StudyKind::Sweep) => {
            return Err(Failure::run(
                "a sweep was printed as a study: this is a bug in bigvsim, please report it",
            ));
        }
    }
    if let Some(dir) = &output.out {
        eprintln!("report written to {dir}/report.md");
    }
    Ok(())
}

/// Prints a shard's part file for `merge`.
fn emit_part(s: &Study, shard: Shard) -> Result<(), Failure> {
    let text = shard::part_json(s, shard)
        .map_err(|e| Failure::run(format!("cannot write the shard file: {e}")))?;
    out(&format!("{text}\n"))
}

fn cmd_run(args: RunArgs) -> Result<(), Failure> {
    let c = &args.common;
    let inv = Invocation::new(
        Some(c),
        &args.output,
        std::slice::from_ref(&args.model),
        Kind {
            shard: Some((&args.shard, experiment::MAX_REPLICATIONS)),
            ..Kind::reading("the model file")
        },
    )?;
    let m = load(&args.model, &c.sets)?;
    let work = Workload::study(StudyKind::Run, c.replications, inv.shard, 1);
    let jobs = inv.fit(&[(&m, c.sets.clone())], &work)?;
    inv.check_out()?;
    verbose([&m], c);
    let s = study(
        StudyKind::Run,
        std::slice::from_ref(&m),
        c,
        &inv,
        false,
        jobs,
    )?;
    match inv.shard {
        Some(shard) => emit_part(&s, shard),
        None => emit_study(&s, &args.output, Some(std::slice::from_ref(&m))),
    }
}

fn cmd_compare(args: CompareArgs) -> Result<(), Failure> {
    let c = &args.common;
    let inv = Invocation::new(
        Some(c),
        &args.output,
        &args.models,
        Kind {
            shard: Some((&args.shard, experiment::MAX_REPLICATIONS)),
            verdicts: Some(&args.verdicts),
            design_sets: Some(&args.design_sets),
            ..Kind::reading("a model file")
        },
    )?;
    let models = args
        .models
        .iter()
        .zip(&inv.design_sets)
        .map(|(p, own)| {
            let sets: Vec<String> = own.iter().map(|(set, _)| set.clone()).collect();
            let mut m = load(p, &[c.sets.as_slice(), &sets].concat())?;
            for (set, arg) in own {
                m.scenario.name.push('+');
                m.scenario.name.push_str(set);
                if let Some(problem) = scenario::validate::name_problem(&m.scenario.name) {
                    return Err(Failure::input(format!(
                        "--design-set {}: the design's name would be `{}`, which {problem}",
                        printable(arg),
                        printable(&m.scenario.name)
                    )));
                }
            }
            Ok(m)
        })
        .collect::<Result<Vec<_>, _>>()?;
    checks::distinct_names(&models)?;
    let with_sets: Vec<(&LoadedModel, Vec<String>)> =
        models.iter().map(|m| (m, c.sets.clone())).collect();
    let work = Workload::study(
        StudyKind::Compare,
        c.replications,
        inv.shard,
        models.len() as u64,
    );
    let jobs = inv.fit(&with_sets, &work)?;
    inv.check_out()?;
    verbose(&models, c);
    let mut s = study(
        StudyKind::Compare,
        &models,
        c,
        &inv,
        args.independent_seeds,
        jobs,
    )?;
    s.min_effect = inv.min_effect;
    match inv.shard {
        Some(shard) => emit_part(&s, shard),
        None => emit_study(&s, &args.output, Some(&models)),
    }
}

fn cmd_merge(args: MergeArgs) -> Result<(), Failure> {
    let inv = Invocation::new(
        None,
        &args.output,
        &args.parts,
        Kind {
            verdicts: Some(&args.verdicts),
            targets: Some(&args.targets),
            ..Kind::reading("a part file")
        },
    )?;
    // Part files say what kind of study they come from.
    if sensitivity::is_sensitivity_part(&args.parts) {
        if let Some(t) = args.targets.first() {
            return Err(Failure::input(format!(
                "--target {}: the parts are a sensitivity study's, which judges no target; drop --target",
                printable(t)
            )));
        }
        if let Some(m) = &args.verdicts.min_effect {
            return Err(Failure::input(format!(
                "--min-effect {}: the parts are a sensitivity study's, which gives no verdicts against a smallest change; drop --min-effect",
                printable(m)
            )));
        }
        return sensitivity::merge(&inv);
    }
    let mut s = shard::merge_files(&args.parts).map_err(|e| Failure::input(e.to_string()))?;
    if let (StudyKind::Run, Some(m)) = (s.kind, &args.verdicts.min_effect) {
        return Err(Failure::input(format!(
            "--min-effect {}: the parts are a run's, one design with no differences to judge; drop --min-effect",
            printable(m)
        )));
    }
    s.min_effect = inv.min_effect;
    s.add_targets(&inv.targets);
    inv.check_out()?;
    if s.kind == StudyKind::Sweep {
        let sw = bigvsim::experiment::Sweep::from_study(s).ok_or_else(|| {
            Failure::input("the parts are a sweep's but carry no sweep points".to_string())
        })?;
        return sweep::emit_sweep(&sw, &args.output);
    }
    emit_study(&s, &args.output, None)
}

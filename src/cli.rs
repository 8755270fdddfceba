//! The command line: parse arguments, load models, hand off to the experiment layer,
//! print or write the results, and turn errors into exit codes
//! (0 success, 1 a run failed, 2 bad input).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};

use bigvsim::experiment::shard::{self, Shard};
use bigvsim::experiment::sweep::{Param, SweepModels};
use bigvsim::experiment::{
    self, MAX_REPLICATIONS, Plan, RunFailure, Study, StudyError, StudyKind, StudyPlan,
};
use bigvsim::report::{self, files};
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
    Sweep(SweepArgs),
    /// Combine the partial results of `--shard K/N` runs into the full result.
    Merge(MergeArgs),
    /// Check model files and print their resolved parameters' summary.
    Validate {
        /// Model files (RON).
        #[arg(required = true)]
        models: Vec<String>,
        /// Override a field: PATH=VALUE (e.g. brain.reboot_concurrency=40).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
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
    },
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
}

#[derive(Args, Debug)]
struct Output {
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write a report (report.md, metrics.json, CSVs, PNG and SVG plots) here.
    #[arg(long, value_name = "DIR")]
    out: Option<String>,
    /// With --out: replace an existing non-empty directory as a whole.
    #[arg(long)]
    force: bool,
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
    /// Model files: the first is the baseline.
    #[arg(required = true, num_args = 2..)]
    models: Vec<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
    /// Give each design its own seeds (to see what common random numbers buy).
    #[arg(long)]
    independent_seeds: bool,
    /// Run only shard K of N and print a partial result for `bigvsim merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

#[derive(Args, Debug)]
struct SweepArgs {
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
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// Partial result files written by `--shard K/N` runs.
    #[arg(required = true)]
    parts: Vec<String>,
    #[command(flatten)]
    output: Output,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Compare(args) => cmd_compare(args),
        Command::Sweep(args) => cmd_sweep(args),
        Command::Merge(args) => cmd_merge(args),
        Command::Validate { models, sets } => cmd_validate(&models, &sets),
        Command::Trace {
            model,
            seed,
            replication,
            limit,
            sets,
        } => cmd_trace(&model, seed, replication, limit, &sets),
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
    scenario::load(path, sets).map_err(|e| Failure::input(e.to_string()))
}

fn jobs(requested: Option<usize>) -> usize {
    requested.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct Progress {
    enabled: bool,
    started: Instant,
    /// When the bar was last drawn: redrawn at most ten times a second.
    drawn: std::sync::Mutex<Option<Instant>>,
    label: String,
}

impl Progress {
    fn new(label: &str, total: u64) -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal() && total > 1,
            started: Instant::now(),
            drawn: std::sync::Mutex::new(None),
            label: label.to_string(),
        }
    }

    fn update(&self, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        if let Ok(mut drawn) = self.drawn.lock() {
            let due = drawn.is_none_or(|t| t.elapsed().as_millis() >= 100);
            if !due && done < total {
                return;
            }
            *drawn = Some(Instant::now());
        }
        let width = 30;
        let filled = (done * width / total.max(1)) as usize;
        let secs = self.started.elapsed().as_secs_f64();
        let rate = done as f64 / secs.max(1e-9);
        let left = (total - done) as f64 / rate.max(1e-9);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {done}/{total} replications  {rate:.1}/s  {left:.0} s left ",
            self.label,
            "#".repeat(filled),
            " ".repeat(width as usize - filled)
        );
        if done == total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

/// The most worker threads one command starts.
const MAX_JOBS: usize = 1024;

fn check_common(c: &Common) -> Result<(), Failure> {
    if c.replications == 0 {
        return Err(Failure::input("--replications must be at least 1"));
    }
    if c.replications > MAX_REPLICATIONS {
        return Err(Failure::input(format!(
            "--replications {}: at most {MAX_REPLICATIONS} (each replication's results are kept in memory)",
            c.replications
        )));
    }
    if c.jobs == Some(0) {
        return Err(Failure::input("--jobs must be at least 1"));
    }
    if let Some(j) = c.jobs.filter(|&j| j > MAX_JOBS) {
        return Err(Failure::input(format!(
            "--jobs {j}: at most {MAX_JOBS} worker threads"
        )));
    }
    Ok(())
}

fn verbose<'a>(models: impl IntoIterator<Item = &'a LoadedModel>, c: &Common) {
    if c.verbose {
        for m in models {
            eprintln!(
                "# {} seed {} replications {}\n# resolved parameters:\n{}",
                m.path,
                c.seed,
                c.replications,
                m.resolved_ron()
            );
        }
    }
}

/// Checks `--out` before any work, so a bad directory fails fast with exit code 2.
fn check_out(output: &Output) -> Result<(), Failure> {
    match &output.out {
        Some(dir) => {
            files::prepare_dir(dir, output.force).map_err(|e| Failure::input(e.to_string()))
        }
        None => Ok(()),
    }
}

fn parse_shard(shard: &Option<String>) -> Result<Option<Shard>, Failure> {
    shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(Failure::input)
}

/// Runs a study (one design for `run`, several for `compare`), whole or one shard.
fn study(
    kind: StudyKind,
    models: &[LoadedModel],
    c: &Common,
    independent_seeds: bool,
    shard: Option<Shard>,
) -> Result<Study, Failure> {
    let plan = StudyPlan {
        kind,
        seed: c.seed,
        replications: c.replications,
        shard,
        independent_seeds,
        overrides: c.sets.clone(),
        jobs: jobs(c.jobs),
        check_invariants: c.check,
    };
    let range = plan.range();
    let progress = Progress::new(
        kind.command(),
        (range.end - range.start) * models.len() as u64,
    );
    experiment::run_study(models, &plan, &|d, t| progress.update(d, t)).map_err(|e| match e {
        StudyError::Run(f) => run_failure(&f),
        StudyError::Pairing(e) => Failure::run(format!(
            "{e}\n  this is a bug in bigvsim: please report it with the model and this command"
        )),
    })
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

/// Prints a document as indented JSON. A document that cannot be serialized is a
/// bug, reported as such rather than printed as nothing.
fn print_json(doc: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(doc)
        .map_err(|e| Failure::run(format!("cannot write the JSON output: {e}")))?;
    println!("{text}");
    Ok(())
}

/// Prints a study (and writes its report) as `run` or `compare` would.
fn emit_study(s: &Study, output: &Output) -> Result<(), Failure> {
    for note in files::censoring_notes(s) {
        eprintln!("warning: {}", note.replace('`', ""));
    }
    if let Some(dir) = &output.out {
        files::write_study_report(dir, output.force, s, &command_line())
            .map_err(|e| Failure::input(e.to_string()))?;
    }
    match (output.format, s.kind) {
        (Format::Json, StudyKind::Run) => print_json(&report::run_json(s))?,
        (Format::Json, StudyKind::Compare) => print_json(&report::compare_json(s))?,
        (Format::Text, StudyKind::Run) => print!("{}", report::run_text(s)),
        (Format::Text, StudyKind::Compare) => print!("{}", report::compare_text(s)),
    }
    if let Some(dir) = &output.out
        && output.format == Format::Text
    {
        println!("\nreport written to {dir}/report.md");
    }
    Ok(())
}

/// Prints a shard's part file for `merge`.
fn emit_part(s: &Study, shard: Shard) -> Result<(), Failure> {
    let text = shard::part_json(s, shard)
        .map_err(|e| Failure::run(format!("cannot write the shard file: {e}")))?;
    println!("{text}");
    Ok(())
}

fn cmd_run(args: RunArgs) -> Result<(), Failure> {
    let c = &args.common;
    check_common(c)?;
    let shard = parse_shard(&args.shard)?;
    let m = load(&args.model, &c.sets)?;
    check_out(&args.output)?;
    verbose([&m], c);
    let s = study(StudyKind::Run, std::slice::from_ref(&m), c, false, shard)?;
    match shard {
        Some(shard) => emit_part(&s, shard),
        None => emit_study(&s, &args.output),
    }
}

fn cmd_compare(args: CompareArgs) -> Result<(), Failure> {
    let c = &args.common;
    check_common(c)?;
    let shard = parse_shard(&args.shard)?;
    let models = args
        .models
        .iter()
        .map(|p| load(p, &c.sets))
        .collect::<Result<Vec<_>, _>>()?;
    check_out(&args.output)?;
    verbose(&models, c);
    let s = study(
        StudyKind::Compare,
        &models,
        c,
        args.independent_seeds,
        shard,
    )?;
    match shard {
        Some(shard) => emit_part(&s, shard),
        None => emit_study(&s, &args.output),
    }
}

fn cmd_merge(args: MergeArgs) -> Result<(), Failure> {
    let s = shard::merge_files(&args.parts).map_err(|e| Failure::input(e.to_string()))?;
    check_out(&args.output)?;
    emit_study(&s, &args.output)
}

fn cmd_sweep(args: SweepArgs) -> Result<(), Failure> {
    let c = &args.common;
    check_common(c)?;
    let params = args
        .params
        .iter()
        .map(|p| Param::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::input)?;
    let sweep = SweepModels::load(&args.model, &c.sets, &params)
        .map_err(|e| Failure::input(e.to_string()))?;
    check_out(&args.output)?;
    verbose(sweep.models().take(1), c);
    let plan = Plan {
        seed: c.seed,
        first: 0,
        count: c.replications,
        jobs: jobs(c.jobs),
        check_invariants: c.check,
    };
    let progress = Progress::new("sweep", c.replications * sweep.models().count() as u64);
    let sw = sweep
        .run(&plan, &|d, t| progress.update(d, t))
        .map_err(|f| run_failure(&f))?;
    if let Some(dir) = &args.output.out {
        files::write_sweep_report(dir, args.output.force, &sw, &command_line())
            .map_err(|e| Failure::input(e.to_string()))?;
    }
    match args.output.format {
        Format::Json => print_json(&report::sweep_json(&sw))?,
        Format::Text => {
            print!("{}", report::sweep_text(&sw));
            if let Some(dir) = &args.output.out {
                println!("\nreport written to {dir}/report.md");
            }
        }
    }
    Ok(())
}

fn cmd_validate(models: &[String], sets: &[String]) -> Result<(), Failure> {
    let mut failures = Vec::new();
    for path in models {
        match scenario::load(path, sets) {
            Ok(m) => {
                let sc = &m.scenario;
                println!(
                    "ok {}: {} ({} heads × {} VMs = {} VMs, horizon {}, {} faults)",
                    path,
                    sc.name,
                    sc.site.heads,
                    sc.site.vms_per_head,
                    sc.site.vms(),
                    scenario::duration::format_duration_us(sc.horizon_us),
                    sc.faults.len()
                );
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::input(failures.join("\nerror: ")))
    }
}

fn cmd_trace(
    path: &str,
    seed: u64,
    replication: u64,
    limit: Option<u64>,
    sets: &[String],
) -> Result<(), Failure> {
    let m = load(path, sets)?;
    let mut sc = m.scenario.clone();
    if let Some(k) = limit {
        // Trace at most k events: stop quietly at the limit instead of failing.
        sc.limits.max_events = sc.limits.max_events.min(k);
    }
    let mut platform = bigvsim::model::Platform::new(&sc, Default::default());
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let mut n = 0u64;
    let result = platform.run_observed(seed, replication, |t, e| {
        n += 1;
        let fields = e.json_fields();
        let sep = if fields.is_empty() { "" } else { "," };
        // A failed write (a closed pipe) does not stop the run: the trace goes on to
        // the end or the limit, and the run's own result decides the exit code.
        let _ = writeln!(
            out,
            "{{\"n\":{n},\"t_us\":{t},\"event\":\"{}\"{sep}{fields}}}",
            e.name()
        );
    });
    let _ = out.flush();
    match result {
        Ok(_) => Ok(()),
        Err(bigvsim::engine::EngineError::EventLimit { .. }) if limit.is_some() => Ok(()),
        Err(e) => Err(Failure::run(format!(
            "{path}: seed {seed}, replication {replication}: {e}\n  reproduce with: {}",
            command_line()
        ))),
    }
}

//! The command line: parse arguments, load models, hand off to the experiment layer,
//! print or write the results, and turn errors into exit codes
//! (0 success, 1 a run failed, 2 bad input).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};

use bigvsim::experiment::study::{self, Param, Shard, Study, Sweep};
use bigvsim::experiment::{self, Batch, Plan};
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
    let m = scenario::load(path, sets).map_err(|e| Failure::input(e.lines().join("\nerror: ")))?;
    m.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
    Ok(m)
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

/// The most replications one command runs: every replication's results are kept in
/// memory, and slots for all of them are allocated up front.
const MAX_REPLICATIONS: u64 = 1_000_000;
/// The most worker threads one command starts.
const MAX_JOBS: usize = 1024;
/// The most points a sweep's grid may have (each is a model loaded up front).
const MAX_SWEEP_POINTS: u64 = 10_000;

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

fn verbose(models: &[LoadedModel], c: &Common) {
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
fn check_out(out: &Option<String>) -> Result<(), Failure> {
    match out {
        Some(dir) => files::prepare_dir(dir).map_err(|e| Failure::input(e.to_string())),
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
    command: &str,
    models: &[LoadedModel],
    c: &Common,
    independent: bool,
    shard: Option<Shard>,
) -> Result<Study, Failure> {
    let range = shard
        .map(|s| s.range(c.replications))
        .unwrap_or(0..c.replications);
    let plan = Plan {
        seed: c.seed,
        first: range.start,
        count: range.end - range.start,
        jobs: jobs(c.jobs),
        check_invariants: c.check,
    };
    let total = plan.count * models.len() as u64;
    let progress = Progress::new(command, total);
    let per = plan.count;
    study::run_study(
        command,
        models,
        &plan,
        c.replications,
        independent,
        &c.sets,
        &|k, d, _| progress.update(k as u64 * per + d, total),
    )
    .map_err(|(k, e)| run_failure(&models[k], &e))
}

fn run_failure(m: &LoadedModel, e: &experiment::ReplicationError) -> Failure {
    let hint = match e.error {
        bigvsim::engine::EngineError::EventLimit { max_events, .. } => format!(
            "the model may be a runaway; if it is not, raise the limit, e.g. --set limits.max_events={}",
            max_events.saturating_mul(2)
        ),
        _ => {
            "this is a bug in bigvsim: please report it with the model and this command".to_string()
        }
    };
    Failure::run(format!(
        "{}: {e}\n  {hint}\n  reproduce with: {}",
        m.path,
        command_line()
    ))
}

fn print_json(doc: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(doc).unwrap_or_default());
}

/// Prints a study (and writes its report) as `run` or `compare` would.
fn emit_study(s: &Study, output: &Output) -> Result<(), Failure> {
    let single = s.command == "run";
    if let Some(dir) = &output.out {
        files::write_study_report(dir, s, &command_line())
            .map_err(|e| Failure::input(e.to_string()))?;
    }
    match (output.format, single) {
        (Format::Json, true) => print_json(&report::run_json(s)),
        (Format::Json, false) => print_json(&report::compare_json(s)),
        (Format::Text, true) => print!("{}", report::run_text(s)),
        (Format::Text, false) => print!("{}", report::compare_text(s)),
    }
    if let Some(dir) = &output.out
        && output.format == Format::Text
    {
        println!("\nreport written to {dir}/report.md");
    }
    Ok(())
}

fn cmd_run(args: RunArgs) -> Result<(), Failure> {
    let c = &args.common;
    check_common(c)?;
    let shard = parse_shard(&args.shard)?;
    let m = load(&args.model, &c.sets)?;
    check_out(&args.output.out)?;
    verbose(std::slice::from_ref(&m), c);
    let s = study("run", std::slice::from_ref(&m), c, false, shard)?;
    if let Some(shard) = shard {
        print_json(&study::partial_json(&s, shard));
        return Ok(());
    }
    emit_study(&s, &args.output)
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
    check_out(&args.output.out)?;
    verbose(&models, c);
    let s = study("compare", &models, c, args.independent_seeds, shard)?;
    if let Some(shard) = shard {
        print_json(&study::partial_json(&s, shard));
        return Ok(());
    }
    emit_study(&s, &args.output)
}

/// The largest shard file read (about a million replications).
const MAX_SHARD_FILE_BYTES: u64 = 8 << 30;

/// A shard file's text, read with a bound so a device such as /dev/zero or an endless
/// pipe cannot hang the merge or fill memory.
fn read_shard_file(path: &str) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("it is a directory".to_string());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_char_device() || t.is_block_device() {
            return Err("it is a device, not a file".to_string());
        }
    }
    let mut bytes = Vec::new();
    file.take(MAX_SHARD_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_SHARD_FILE_BYTES {
        return Err(format!("larger than {} GiB", MAX_SHARD_FILE_BYTES >> 30));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

fn cmd_merge(args: MergeArgs) -> Result<(), Failure> {
    let mut parts = Vec::new();
    for path in &args.parts {
        let text = read_shard_file(path)
            .map_err(|e| Failure::input(format!("{path}: cannot read the shard file: {e}")))?;
        let doc: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Failure::input(format!("{path}: not a shard file: {e}")))?;
        parts.push(study::read_partial(&doc).map_err(|e| Failure::input(format!("{path}: {e}")))?);
    }
    let s = study::merge(parts).map_err(Failure::input)?;
    check_out(&args.output.out)?;
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
    // The grid is every combination: refuse one too large before building it.
    let size = params
        .iter()
        .try_fold(1u64, |n, p| n.checked_mul(p.values.len() as u64));
    if size.is_none_or(|n| n > MAX_SWEEP_POINTS) {
        return Err(Failure::input(format!(
            "the --param values make {} grid points; at most {MAX_SWEEP_POINTS}",
            size.map_or("more than 2^64".to_string(), |n| n.to_string())
        )));
    }
    let points = study::grid(&params);
    // Load (and so validate) every point before running any.
    let mut models = Vec::with_capacity(points.len());
    for values in &points {
        let mut sets = c.sets.clone();
        for (p, v) in params.iter().zip(values) {
            sets.push(format!("{}={v}", p.path));
        }
        models.push(load(&args.model, &sets)?);
    }
    check_out(&args.output.out)?;
    verbose(&models[..1], c);
    let plan = Plan {
        seed: c.seed,
        first: 0,
        count: c.replications,
        jobs: jobs(c.jobs),
        check_invariants: c.check,
    };
    let total = c.replications * points.len() as u64;
    let progress = Progress::new("sweep", total);
    let mut results = Vec::with_capacity(points.len());
    for (i, (values, m)) in points.into_iter().zip(&models).enumerate() {
        let base = i as u64 * c.replications;
        let batch: Batch =
            experiment::run_batch(&m.scenario, &plan, &|d, _| progress.update(base + d, total))
                .map_err(|e| run_failure(m, &e))?;
        results.push((values, batch));
    }
    let base_model = load(&args.model, &c.sets)?;
    let sw = Sweep {
        design: study::DesignInfo::of(&base_model),
        seed: c.seed,
        replications: c.replications,
        overrides: c.sets.clone(),
        params: params.iter().map(|p| p.path.clone()).collect(),
        points: results,
    };
    if let Some(dir) = &args.output.out {
        files::write_sweep_report(dir, &sw, &command_line())
            .map_err(|e| Failure::input(e.to_string()))?;
    }
    match args.output.format {
        Format::Json => print_json(&report::sweep_json(&sw)),
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
                m.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
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
            Err(e) => failures.extend(e.lines()),
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
        // A reader that stops early (`trace | head`) closes the pipe: the rest of
        // the trace is dropped quietly rather than failing the command.
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

//! The command line: parse arguments, load models, hand off to the experiment layer,
//! print or write the results, and turn errors into exit codes
//! (0 success, 1 a run failed, 2 bad input).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};

use bigvsim::experiment::{self, Batch, Plan};
use bigvsim::report::{self, Provenance};
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
struct RunArgs {
    model: String,
    #[command(flatten)]
    common: Common,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
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

fn provenance(m: &LoadedModel, seed: u64, replications: u64, sets: &[String]) -> Provenance {
    Provenance {
        model_name: m.scenario.name.clone(),
        model_path: m.path.clone(),
        model_hash: format!(
            "{:016x}",
            experiment::fnv1a(m.source.as_bytes(), experiment::FNV_OFFSET)
        ),
        seed,
        replications,
        overrides: sets.to_vec(),
    }
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
    label: String,
}

impl Progress {
    fn new(label: &str, total: u64) -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal() && total > 1,
            started: Instant::now(),
            label: label.to_string(),
        }
    }

    fn update(&self, done: u64, total: u64) {
        if !self.enabled {
            return;
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

fn run_one(m: &LoadedModel, c: &Common, label: &str) -> Result<Batch, Failure> {
    if c.replications == 0 {
        return Err(Failure::input("--replications must be at least 1"));
    }
    if c.verbose {
        eprintln!(
            "# {} seed {} replications {}\n# resolved parameters:\n{}",
            m.path,
            c.seed,
            c.replications,
            m.resolved_ron()
        );
    }
    let plan = Plan {
        seed: c.seed,
        first: 0,
        count: c.replications,
        jobs: jobs(c.jobs),
        check_invariants: c.check,
    };
    let progress = Progress::new(label, c.replications);
    experiment::run_batch(&m.scenario, &plan, &|d, t| progress.update(d, t)).map_err(|e| {
        Failure::run(format!(
            "{}: {e}\n  the model may be a runaway (raise limits.max_events if it is not)\n  reproduce with: {}",
            m.path,
            command_line()
        ))
    })
}

fn cmd_run(args: RunArgs) -> Result<(), Failure> {
    let c = &args.common;
    let m = load(&args.model, &c.sets)?;
    let batch = run_one(&m, c, &m.scenario.name)?;
    let p = provenance(&m, c.seed, c.replications, &c.sets);
    match args.format {
        Format::Json => {
            let doc = report::run_json(&p, &batch);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Text => print!("{}", report::run_text(&p, &batch)),
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
    let mut write_failed = false;
    let result = platform.run_observed(seed, replication, |t, e| {
        n += 1;
        let fields = e.json_fields();
        let sep = if fields.is_empty() { "" } else { "," };
        if writeln!(
            out,
            "{{\"n\":{n},\"t_us\":{t},\"event\":\"{}\"{sep}{fields}}}",
            e.name()
        )
        .is_err()
        {
            write_failed = true;
        }
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

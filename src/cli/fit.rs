//! `bigvsim fit`: the parameters of a model that best reproduce observed incidents,
//! with their 95 % regions; and `--write-model`, the calibrated model.

use clap::Args;

use bigvsim::experiment::fit::objective::ObservedIncident;
use bigvsim::experiment::fit::{self, FitError, FitSpec, MAX_PARAMS};
use bigvsim::experiment::sweep::{overwrites, set_path};
use bigvsim::experiment::{Plan, Workload, run_batch};
use bigvsim::report::fit::{fit_json, fit_text, write_fit_report};
use bigvsim::scenario::observed::parse_observed;
use bigvsim::scenario::validate::uncertain::{corners, set_arg, value_at};
use bigvsim::scenario::{self, Scale, Uncertain};

use super::checks::{Invocation, Kind};
use super::progress::Progress;
use super::{
    Common, Failure, Format, Output, command_line, load, out, print_json, run_failure, verbose,
};

#[derive(Args, Debug)]
pub(super) struct FitArgs {
    /// Model file (RON).
    model: String,
    /// An observation file (CSV: a recovery curve `t_s,vms_up` or `t_s,vms_down`,
    /// and/or scalars `metric,value,sd`; see docs/calibrate.md). Several observed
    /// incidents are fitted together: give --observed once per file.
    #[arg(long, value_name = "FILE", required = true)]
    observed: Vec<String>,
    /// A parameter to fit and its range: PATH=LO..HI or PATH=LO..HI:log (e.g.
    /// brain.boot_time.mean=30s..90s). Repeatable, up to 8.
    #[arg(long = "param", value_name = "PATH=LO..HI[:log]", required = true)]
    params: Vec<String>,
    /// Also write the calibrated model (the model with the fitted values set) to FILE;
    /// an existing file needs --force.
    #[arg(long, value_name = "FILE")]
    write_model: Option<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
}

/// The largest observation file read.
const MAX_OBSERVED_BYTES: u64 = 16 << 20;

/// The text of an observation file, read with a bound on its size.
fn read_observed(path: &str) -> Result<String, Failure> {
    use std::io::Read;
    let cannot =
        |why: String| Failure::input(format!("{path}: cannot read the observation file: {why}"));
    let file = std::fs::File::open(path).map_err(|e| {
        cannot(match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".into(),
            _ => e.to_string(),
        })
    })?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(cannot("it is a directory, not a file".into()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_OBSERVED_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(e.to_string()))?;
    if bytes.len() as u64 > MAX_OBSERVED_BYTES {
        return Err(cannot(format!(
            "larger than {} MiB",
            MAX_OBSERVED_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|_| cannot("not UTF-8 text".into()))
}

/// A range as the text shows it: `30 s..90 s (linear)`.
fn range_words(p: &Uncertain) -> String {
    let show = |v: f64| match p.kind {
        scenario::UncertainKind::Duration | scenario::UncertainKind::FixedDuration => {
            scenario::duration::format_duration_us(v as u64)
        }
        _ => format!("{v}"),
    };
    format!(
        "{}..{} ({})",
        show(p.lo),
        show(p.hi),
        if p.scale == Scale::Log {
            "log"
        } else {
            "linear"
        }
    )
}

pub(super) fn cmd_fit(args: FitArgs) -> Result<(), Failure> {
    let c = &args.common;
    let mut inputs = vec![args.model.clone()];
    inputs.extend(args.observed.iter().cloned());
    let inv = Invocation::new(
        Some(c),
        &args.output,
        &inputs,
        Kind {
            no_targets: Some(
                "fit compares the model with observed incidents and judges no target; to judge a target use run, or solve for the value that meets it",
            ),
            ..Kind::reading("a model or observation file")
        },
    )?;
    if args.params.len() > MAX_PARAMS {
        return Err(Failure::input(format!(
            "--param: {} parameters; a fit searches at most {MAX_PARAMS}",
            args.params.len()
        )));
    }
    let params = args
        .params
        .iter()
        .map(|a| scenario::parse_range("--param", a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::input)?;
    for (i, p) in params.iter().enumerate() {
        if params[..i]
            .iter()
            .any(|q| overwrites(&q.path, &p.path) || overwrites(&p.path, &q.path))
        {
            return Err(Failure::input(format!(
                "--param {}: the path is fitted twice; give each parameter once",
                args.params[i]
            )));
        }
        if c.sets
            .iter()
            .any(|s| overwrites(&p.path, set_path(s)) || overwrites(set_path(s), &p.path))
        {
            return Err(Failure::input(format!(
                "--param {}: the path is also fixed by --set, which would hide the value being fitted",
                args.params[i]
            )));
        }
    }
    if let Some(path) = &args.write_model {
        check_model_target(path, args.output.force)?;
    }
    let base = load(&args.model, &c.sets)?;
    let vms = base.scenario.site.vms();
    let mut observed = Vec::new();
    for file in &args.observed {
        let text = read_observed(file)?;
        let o = parse_observed(&text).map_err(|e| Failure::input(e.in_file(file)))?;
        observed.push(
            ObservedIncident::new(file, &o, vms).map_err(|e| Failure::input(e.in_file(file)))?,
        );
    }
    if let Err(f) = corners(&base.raw, &params) {
        return Err(Failure::input(format!(
            "--param: {}: {}",
            args.model,
            f.describe(&params)
        )));
    }
    // The models at the box's two extreme corners size the workers.
    let corner = |u: f64| {
        let mut sets = c.sets.clone();
        sets.extend(params.iter().map(|p| set_arg(p, value_at(p, u))));
        scenario::load(&args.model, &sets)
            .map(|m| (m, sets))
            .map_err(|e| Failure::input(e.lines().join("\nerror: ")))
    };
    let ends = [corner(0.0)?, corner(1.0)?];
    let jobs = inv.fit(
        &ends.iter().map(|(m, s)| (m, s.clone())).collect::<Vec<_>>(),
        &Workload::fit(c.replications, params.len()),
    )?;
    inv.check_out()?;
    verbose([&base], c);
    let most = fit::max_probes(params.len());
    eprintln!(
        "fit: seed {}, {} replications a probe on the same seeds, at most {most} probes",
        c.seed, c.replications
    );
    for p in &params {
        eprintln!("fit: {} in {}", p.path, range_words(p));
    }
    let plan = Plan {
        seed: c.seed,
        first: 0,
        count: c.replications,
        jobs,
        check_invariants: c.check,
        keep_outages: false,
    };
    let spec = FitSpec {
        params: &params,
        observed: &observed,
        overrides: &c.sets,
    };
    let progress = Progress::new("fit", most * c.replications);
    let model = args.model.clone();
    let f = fit::fit(
        &|sets| scenario::load(&model, sets),
        &spec,
        &plan,
        &|d, t| progress.update(d, t),
    )
    .map_err(|e| match e {
        FitError::Model { sets, error } => Failure::input(
            error
                .lines()
                .iter()
                .map(|l| format!("with --set {}: {l}", sets.join(" --set ")))
                .collect::<Vec<_>>()
                .join("\nerror: "),
        ),
        FitError::Run(f) => run_failure(&f),
    })?;
    progress.update(most * c.replications, most * c.replications);
    let mut best_sets = c.sets.clone();
    best_sets.extend(f.best_sets());
    if let Some(dir) = &args.output.out {
        let m = load(&args.model, &best_sets)?;
        let band = run_batch(
            &m.scenario,
            &Plan {
                keep_outages: true,
                ..plan
            },
            &|_, _| {},
        )
        .map_err(|error| {
            run_failure(&bigvsim::experiment::RunFailure {
                path: m.path.clone(),
                error,
            })
        })?;
        write_fit_report(dir, args.output.force, &f, &band, vms, &command_line())
            .map_err(|e| Failure::input(e.to_string()))?;
    }
    if let Some(path) = &args.write_model {
        write_model(path, args.output.force, &args.model, &best_sets, &f)?;
    }
    match args.output.format() {
        Format::Json => print_json(&fit_json(&f))?,
        Format::Text => out(&fit_text(&f, args.output.width()))?,
    }
    if let Some(dir) = &args.output.out {
        eprintln!("report written to {dir}/report.md");
    }
    if let Some(path) = &args.write_model {
        eprintln!("calibrated model written to {path}");
    }
    Ok(())
}

/// Refuses to replace an existing file without `--force`, and a directory always.
fn check_model_target(path: &str, force: bool) -> Result<(), Failure> {
    if path.is_empty() {
        return Err(Failure::input("--write-model: the file path is empty"));
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(Failure::input(format!(
            "--write-model {path}: is a directory; give a file path"
        ))),
        Ok(_) if !force => Err(Failure::input(format!(
            "--write-model {path}: the file exists; give a new path, or add --force to replace it"
        ))),
        _ => Ok(()),
    }
}

/// Writes the calibrated model: the model with the fitted values set, as RON, under
/// comments naming the command, the seed and the residual. The text is loaded back
/// before it is written, and written beside the target then renamed into place.
fn write_model(
    path: &str,
    force: bool,
    model: &str,
    sets: &[String],
    f: &fit::Fit,
) -> Result<(), Failure> {
    check_model_target(path, force)?;
    let m = load(model, sets)?;
    let mut text = format!(
        "// {} calibrated by bigvsim {}:\n//   {}\n// seed {}, {} replications a probe; residual {} over {} terms.\n",
        m.path,
        bigvsim::VERSION,
        command_line(),
        f.seed,
        f.replications,
        bigvsim::metrics::format::fmt_num(f.objective),
        f.terms.len()
    );
    for l in bigvsim::report::fit::answer_lines(f) {
        text.push_str(&format!("// {l}\n"));
    }
    text.push_str(&m.resolved_ron());
    text.push('\n');
    scenario::load_str(path, &text, &[]).map_err(|e| {
        Failure::run(format!(
            "the calibrated model does not load back: {}\n  this is a bug in bigvsim: please report it with the model and this command",
            e.lines().join("; ")
        ))
    })?;
    let target = std::path::Path::new(path);
    let name = target
        .file_name()
        .map_or("model".into(), |n| n.to_string_lossy().into_owned());
    let tmp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, target))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Failure::input(format!("--write-model {path}: cannot write the file: {e}"))
        })
}

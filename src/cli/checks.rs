//! Arguments checked before any work: each refusal is one `error:` line and exit code
//! 2, and comes before anything is created or allocated.

use bigvsim::experiment::Shard;
use bigvsim::experiment::differences::MinEffect;
use bigvsim::experiment::{self, MAX_REPLICATIONS, Workers, Workload};
use bigvsim::report::files;
use bigvsim::scenario::error::printable;
use bigvsim::scenario::target::Target;
use bigvsim::scenario::{self, LoadedModel, overrides};

use super::{Common, Failure, Format, Output, Verdicts};

/// What a command reads and which of the up-front checks apply to it.
pub(super) struct Kind<'a> {
    /// How an input is named in errors: "the model file", "a model file", "a part file".
    pub input: &'static str,
    /// The `--shard K/N` argument and the most shards the command accepts, for the
    /// commands that take one.
    pub shard: Option<(&'a Option<String>, u64)>,
    /// `--min-effect`, for the commands that give verdicts.
    pub verdicts: Option<&'a Verdicts>,
    /// `--target` arguments given outside the common options (`merge`'s own).
    pub targets: Option<&'a [String]>,
    /// Why `--target` is refused, for a command that judges no target.
    pub no_targets: Option<&'static str>,
    /// `compare`'s `--design-set` arguments.
    pub design_sets: Option<&'a [String]>,
}

impl Kind<'_> {
    /// A command reading `input` with none of the optional checks.
    pub(super) fn reading(input: &'static str) -> Kind<'static> {
        Kind {
            input,
            shard: None,
            verdicts: None,
            targets: None,
            no_targets: None,
            design_sets: None,
        }
    }
}

/// One command's arguments, every up-front check passed: built once, before any
/// model loads, and consumed by the later steps that need the loaded models.
pub(super) struct Invocation<'a> {
    /// The common options, for the commands that run models.
    pub common: Option<&'a Common>,
    pub output: &'a Output,
    /// The files the command reads (`--out --force` must not delete them).
    pub inputs: &'a [String],
    pub shard: Option<Shard>,
    /// `--min-effect`, or 1 %.
    pub min_effect: MinEffect,
    /// The `--target` arguments, parsed.
    pub targets: Vec<Target>,
    /// Each design's own `--design-set` overrides, each with its argument.
    pub design_sets: Vec<Vec<(String, String)>>,
}

impl<'a> Invocation<'a> {
    /// Checks the arguments in one fixed order: the common options, a refused
    /// `--target`, the input paths, the output options, a refused `--wide`, `merge`'s
    /// targets, `--shard`, `--min-effect`, `--design-set`, and the output options a
    /// shard cannot honour.
    pub(super) fn new(
        common: Option<&'a Common>,
        output: &'a Output,
        inputs: &'a [String],
        kind: Kind<'a>,
    ) -> Result<Invocation<'a>, Failure> {
        let mut targets = match common {
            Some(c) => check_common(c)?,
            None => Vec::new(),
        };
        if let (Some(why), Some(t)) = (kind.no_targets, common.and_then(|c| c.targets.first())) {
            return Err(Failure::input(format!("--target {t}: {why}")));
        }
        check_paths(kind.input, inputs)?;
        check_output(output)?;
        if let Some(args) = kind.targets {
            targets.extend(super::parse_targets(args)?);
        }
        let shard = match kind.shard {
            Some((arg, max_n)) => parse_shard(arg, max_n)?,
            None => None,
        };
        let min_effect_arg = kind.verdicts.and_then(|v| v.min_effect.as_deref());
        let min_effect = match kind.verdicts {
            Some(v) => v.min_effect()?,
            None => Verdicts::default_min_effect()?,
        };
        let design_sets = match kind.design_sets {
            Some(args) => design_sets(
                args,
                inputs.len(),
                common.map_or(&[][..], |c| c.sets.as_slice()),
            )?,
            None => Vec::new(),
        };
        check_shard_output(shard, output, min_effect_arg)?;
        Ok(Invocation {
            common,
            output,
            inputs,
            shard,
            min_effect,
            targets,
            design_sets,
        })
    }

    /// The workers that fit in memory for `models` (each with the `--set` arguments
    /// it loads with) beside the results `work` keeps: see [`fit`].
    pub(super) fn fit(
        &self,
        models: &[(&LoadedModel, Vec<String>)],
        work: &Workload,
    ) -> Result<usize, Failure> {
        fit(models, workers(self.common.and_then(|c| c.jobs)), work)
    }

    /// Checks `--out` against the inputs: see [`check_out`].
    pub(super) fn check_out(&self) -> Result<(), Failure> {
        check_out(self.output, self.inputs)
    }
}

/// The worker threads asked for: `--jobs N`, or all cores.
fn workers(requested: Option<usize>) -> Workers {
    match requested {
        Some(n) => Workers::Explicit(n),
        None => Workers::Default(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        ),
    }
}

/// The workers that fit in memory for `models` (each with the `--set` arguments it
/// was loaded with: a sweep's points each add their values) beside the results `work`
/// keeps, once its work is checked against the limits: before any platform is built.
/// A reduced default is said on stderr.
pub(super) fn fit(
    models: &[(&LoadedModel, Vec<String>)],
    requested: Workers,
    work: &Workload,
) -> Result<usize, Failure> {
    let fitted =
        experiment::fit_all(models, requested, work).map_err(|e| Failure::input(e.to_string()))?;
    if let Some(note) = fitted.note {
        eprintln!("{note}");
    }
    Ok(fitted.workers)
}

/// The most worker threads one command starts.
const MAX_JOBS: usize = 1024;

/// Checks the options every running command shares; returns the `--target`s parsed.
fn check_common(c: &Common) -> Result<Vec<Target>, Failure> {
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
    // A target that does not parse is refused before anything runs.
    let targets = super::parse_targets(&c.targets)?;
    if let Some(j) = c.jobs.filter(|&j| j > MAX_JOBS) {
        return Err(Failure::input(format!(
            "--jobs {j}: at most {MAX_JOBS} worker threads"
        )));
    }
    check_sets(&c.sets)?;
    Ok(targets)
}

/// Refuses a `--set` that overwrites an earlier one (the same path, or a field that
/// contains it): the later value would silently win, and the record of overrides
/// would show both. Setting a part after its whole refines it and is allowed.
pub(super) fn check_sets(sets: &[String]) -> Result<(), Failure> {
    if let Some((later, earlier)) = overrides::first_replacement(sets) {
        return Err(Failure::input(format!(
            "--set {}: it would overwrite --set {}; set each path once",
            printable(&sets[later]),
            printable(&sets[earlier])
        )));
    }
    if let Some((set, problem)) = sets
        .iter()
        .find_map(|s| scenario::validate::line_problem(s).map(|p| (s, p)))
    {
        return Err(Failure::input(format!(
            "--set {}: {problem}; an override is recorded in the outputs on one line",
            printable(set)
        )));
    }
    Ok(())
}

/// Refuses an empty path argument (`--out ""`, a model or part file `""`): it would
/// name the current directory or nothing at all.
pub(super) fn check_paths<'a>(
    what: &str,
    paths: impl IntoIterator<Item = &'a String>,
) -> Result<(), Failure> {
    for p in paths {
        if p.is_empty() {
            return Err(Failure::input(format!("{what}: the path is empty")));
        }
        if p.trim().is_empty() {
            return Err(Failure::input(format!(
                "{what} {p:?}: the path is only blanks; give a file or directory name"
            )));
        }
    }
    Ok(())
}

/// Refuses output options a shard cannot honour: a shard prints a partial result
/// (JSON, always) for `merge`, never a report, and records no verdicts: `--wide` and
/// `--min-effect` (`min_effect`, when given) belong to `merge`.
fn check_shard_output(
    shard: Option<Shard>,
    output: &Output,
    min_effect: Option<&str>,
) -> Result<(), Failure> {
    if shard.is_none() {
        return Ok(());
    }
    if output.out.is_some() {
        return Err(Failure::input(
            "--shard prints a partial result for `bigvsim merge`, not a report: drop --out \
             and give it to merge instead",
        ));
    }
    if output.format == Some(Format::Text) {
        return Err(Failure::input(
            "--shard prints a partial result, which is always JSON: drop --format text",
        ));
    }
    if output.wide {
        return Err(Failure::input(
            "--wide with --shard: a partial result is JSON and has no text tables; give \
             --wide to merge instead",
        ));
    }
    if let Some(m) = min_effect {
        return Err(Failure::input(format!(
            "--min-effect {}: a partial result records no verdicts, and merge judges at its \
             own --min-effect (1% by default); give --min-effect to merge instead",
            printable(m)
        )));
    }
    Ok(())
}

/// Checks the output options of a command that writes a report, and refuses the
/// ones that would be ignored: `--force` without `--out`, `--wide` with JSON only.
fn check_output(output: &Output) -> Result<(), Failure> {
    check_paths("--out", output.out.iter())?;
    if output.force && output.out.is_none() {
        return Err(Failure::input(
            "--force replaces the --out directory, and no --out is given: add --out DIR or \
             drop --force",
        ));
    }
    if output.wide && output.format == Some(Format::Json) {
        return Err(Failure::input(
            "--wide widens the text tables, and --format json prints none: drop --wide or \
             --format json",
        ));
    }
    Ok(())
}

/// Checks `--out` before any work, so a bad directory fails fast with exit code 2;
/// `inputs` are the files the command reads, which `--force` must not delete.
fn check_out(output: &Output, inputs: &[String]) -> Result<(), Failure> {
    match &output.out {
        Some(dir) => files::prepare_dir(dir, output.force)
            .and_then(|()| files::refuse_inputs_inside(dir, inputs))
            .map_err(|e| Failure::input(e.to_string())),
        None => Ok(()),
    }
}

/// `--shard K/N`, if given, with at most `max_n` shards (as `merge` accepts them).
fn parse_shard(shard: &Option<String>, max_n: u64) -> Result<Option<Shard>, Failure> {
    shard
        .as_deref()
        .map(|s| Shard::parse(s, max_n))
        .transpose()
        .map_err(Failure::input)
}

/// Splits `--design-set K:PATH=VALUE` arguments by design: the overrides of each of
/// the `designs` designs, in the order given, each with its argument. A design's
/// overrides follow the common `sets`, and none may replace an earlier one.
pub(super) fn design_sets(
    args: &[String],
    designs: usize,
    sets: &[String],
) -> Result<Vec<Vec<(String, String)>>, Failure> {
    let mut own: Vec<Vec<(String, String)>> = vec![Vec::new(); designs];
    for a in args {
        let bad = |why: String| {
            Failure::input(format!(
                "--design-set {}: {why}; expected K:PATH=VALUE with K a design's position from 0 to {} (e.g. 1:brain.reboot_concurrency=40)",
                printable(a),
                designs - 1
            ))
        };
        let (k, set) = a
            .split_once(':')
            .ok_or_else(|| bad("no design position before ':'".to_string()))?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| bad(format!("{k:?} is not a design position")))?;
        if k >= designs {
            return Err(bad(format!("there is no design {k}")));
        }
        if !set.contains('=') {
            return Err(bad("no '=' between the path and the value".to_string()));
        }
        if let Some(problem) = scenario::validate::line_problem(set) {
            return Err(Failure::input(format!(
                "--design-set {}: {problem}; the override is shown in the design's name, on one line",
                printable(a)
            )));
        }
        own[k].push((set.to_string(), a.clone()));
        // The design's overrides in the order they apply: the common ones, then its own.
        let applied: Vec<&str> = sets
            .iter()
            .map(String::as_str)
            .chain(own[k].iter().map(|(s, _)| s.as_str()))
            .collect();
        if let Some((later, earlier)) = scenario::overrides::first_replacement(&applied) {
            let earlier = match earlier.checked_sub(sets.len()) {
                None => format!("--set {}", printable(applied[earlier])),
                Some(j) => format!("--design-set {}", printable(&own[k][j].1)),
            };
            return Err(Failure::input(format!(
                "--design-set {}: it would overwrite {earlier}; set each path of a design once",
                printable(&own[k][later - sets.len()].1)
            )));
        }
    }
    Ok(own)
}

/// Refuses designs that share a name, since the results are told apart by it.
pub(super) fn distinct_names(models: &[LoadedModel]) -> Result<(), Failure> {
    let names: Vec<&str> = models.iter().map(|m| m.scenario.name.as_str()).collect();
    if let Some((i, j)) = experiment::design::repeated_name(&names) {
        return Err(Failure::input(format!(
            "designs {i} ({}) and {j} ({}) are both named {:?}: results are told apart by name, so give one a --design-set override (e.g. --design-set {j}:brain.reboot_concurrency=40) or a different name",
            models[i].path, models[j].path, models[j].scenario.name
        )));
    }
    Ok(())
}

//! Arguments checked before any work: each refusal is one `error:` line and exit code
//! 2, and comes before anything is created or allocated.

use bigvsim::experiment::Shard;
use bigvsim::experiment::{self, MAX_REPLICATIONS, Workers, Workload};
use bigvsim::report::files;
use bigvsim::scenario::error::printable;
use bigvsim::scenario::{self, LoadedModel, overrides};

use super::{Common, Failure, Format, Output};

/// The worker threads asked for: `--jobs N`, or all cores.
pub(super) fn workers(requested: Option<usize>) -> Workers {
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
/// was loaded with) beside the results `work` keeps, once its work is checked against
/// the limits: before any platform is built. A reduced default is said on stderr.
pub(super) fn fit(
    models: &[(&LoadedModel, &[String])],
    requested: Workers,
    work: &Workload,
) -> Result<usize, Failure> {
    let models: Vec<(&LoadedModel, Vec<String>)> =
        models.iter().map(|(m, s)| (*m, s.to_vec())).collect();
    fit_owned(&models, requested, work)
}

/// [`fit`] with an override list per model (a sweep's points each add their values).
pub(super) fn fit_owned(
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

/// Checks the options every running command shares.
pub(super) fn check_common(c: &Common) -> Result<(), Failure> {
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
    super::parse_targets(&c.targets)?;
    if let Some(j) = c.jobs.filter(|&j| j > MAX_JOBS) {
        return Err(Failure::input(format!(
            "--jobs {j}: at most {MAX_JOBS} worker threads"
        )));
    }
    check_sets(&c.sets)
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
pub(super) fn check_shard_output(
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
pub(super) fn check_output(output: &Output) -> Result<(), Failure> {
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

/// Refuses `--wide` for outputs whose text has no tables split to fit a width
/// (`what` names them).
pub(super) fn check_no_wide(output: &Output, what: &str) -> Result<(), Failure> {
    if output.wide {
        return Err(Failure::input(format!(
            "--wide: {what} has no tables split to fit 100 columns, so it would change \
             nothing; drop --wide"
        )));
    }
    Ok(())
}

/// Checks `--out` before any work, so a bad directory fails fast with exit code 2;
/// `inputs` are the files the command reads, which `--force` must not delete.
pub(super) fn check_out(output: &Output, inputs: &[String]) -> Result<(), Failure> {
    match &output.out {
        Some(dir) => files::prepare_dir(dir, output.force)
            .and_then(|()| files::refuse_inputs_inside(dir, inputs))
            .map_err(|e| Failure::input(e.to_string())),
        None => Ok(()),
    }
}

/// `--shard K/N`, if given, with at most `max_n` shards (as `merge` accepts them).
pub(super) fn parse_shard(shard: &Option<String>, max_n: u64) -> Result<Option<Shard>, Failure> {
    shard
        .as_deref()
        .map(|s| Shard::parse(s, max_n))
        .transpose()
        .map_err(Failure::input)
}

//! Sweeps: one model run over a grid of parameter values, every point on the same
//! seeds, so neighbouring points differ by the parameter and not by luck.

use super::design::{DesignInfo, StudyKind, SweepLabels};
use super::differences::MinEffect;
use super::study::{RunFailure, Study};
use super::{Batch, Plan, run_batch};
use crate::metrics::stats::LengthMismatch;
use crate::metrics::{Metric, Summary};
use crate::scenario::error::printable;
use crate::scenario::target::Target;
use crate::scenario::{self, LoadedModel, ScenarioError};

/// One swept parameter: a `--set` path and its values as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub path: String,
    pub values: Vec<String>,
}

impl Param {
    /// Parses `PATH=V1,V2,...` or `PATH=A..B:STEP` (B included when reached).
    pub fn parse(text: &str) -> Result<Param, String> {
        let (path, spec) = text.split_once('=').ok_or_else(|| {
            format!("--param expects PATH=V1,V2,... or PATH=A..B:STEP, found `{text}`")
        })?;
        let path = path.trim().to_string();
        let spec = spec.trim();
        let values = if let Some((range, step)) = spec.split_once(':')
            && let Some((a, b)) = range.split_once("..")
        {
            range_values(a.trim(), b.trim(), step.trim())
                .map_err(|e| format!("--param {text}: {e}"))?
        } else {
            split_values(spec)
        };
        if values.is_empty() || values.iter().any(|v| v.is_empty()) {
            return Err(format!("--param {text}: no values (or an empty one)"));
        }
        Ok(Param { path, values })
    }
}

/// Splits a value list at top-level commas (commas inside brackets belong to a value,
/// as in `Fixed("4m"),Exponential(mean: "4m")`).
fn split_values(spec: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_str = false;
    let mut cur = String::new();
    for c in spec.chars() {
        match c {
            '"' => in_str = !in_str,
            '(' | '[' | '{' if !in_str => depth += 1,
            ')' | ']' | '}' if !in_str => depth -= 1,
            ',' if depth == 0 && !in_str => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// Values A, A+STEP, ... up to B, for integers or decimals.
fn range_values(a: &str, b: &str, step: &str) -> Result<Vec<String>, String> {
    if let (Ok(a), Ok(b), Ok(step)) = (a.parse::<i64>(), b.parse::<i64>(), step.parse::<i64>()) {
        if step <= 0 || b < a {
            return Err("a range needs A ≤ B and STEP > 0".into());
        }
        // In i128, so ranges spanning the whole i64 line cannot overflow.
        let count = (b as i128 - a as i128) / step as i128;
        if count > 10_000 {
            return Err("more than 10 000 values".into());
        }
        return Ok((0..=count)
            .map(|i| (a as i128 + i * step as i128).to_string())
            .collect());
    }
    let (a, b, step): (f64, f64, f64) = (
        a.parse().map_err(|_| format!("`{a}` is not a number"))?,
        b.parse().map_err(|_| format!("`{b}` is not a number"))?,
        step.parse()
            .map_err(|_| format!("`{step}` is not a number"))?,
    );
    if !(step > 0.0 && b >= a && a.is_finite() && b.is_finite()) {
        return Err("a range needs A ≤ B and STEP > 0".into());
    }
    let n = libm::floor((b - a) / step + 1e-9) as u64;
    if n > 10_000 {
        return Err("more than 10 000 values".into());
    }
    Ok((0..=n)
        .map(|i| {
            let v = a + i as f64 * step;
            // Round away float noise (0.1 + 0.2) by printing the shortest form at 12
            // significant digits.
            let s = format!("{:.12}", v);
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        })
        .collect())
}

/// The path a `--set PATH=VALUE` argument sets, as typed (trimmed).
pub fn set_path(arg: &str) -> &str {
    arg.split_once('=').map_or(arg, |(path, _)| path).trim()
}

/// True when setting `later` after `earlier` replaces what `earlier` set: the one
/// rule of every override ([`scenario::overrides::replaces`]).
pub fn overwrites(later: &str, earlier: &str) -> bool {
    scenario::overrides::replaces(later, earlier)
}

/// Refuses parameters that would make grid rows that are not what their labels say:
/// a path swept twice, or within another swept path (one list would overwrite the
/// other, so rows labelled differently would hold identical results), a `--set`
/// that the sweep would silently override, a value listed twice in one parameter
/// (by its meaning: `10` and `010`, `10s` and `10000ms`), or a value that would make
/// a point's label break a report (the name rules of a model's `name`).
pub fn check_params(params: &[Param], sets: &[String]) -> Result<(), String> {
    for (i, p) in params.iter().enumerate() {
        // Every parameter is applied at every point, so overlapping paths in either
        // order would overwrite each other.
        if params[..i]
            .iter()
            .any(|q| scenario::overrides::overlap(&p.path, &q.path))
        {
            return Err(format!(
                "--param {}: this path is swept twice; give all its values in one --param",
                printable(&p.path)
            ));
        }
        if let Some(set) = sets.iter().find(|s| overwrites(&p.path, set_path(s))) {
            return Err(format!(
                "--param {}: this path is also fixed by --set {}; a swept path takes its \
                 values from --param only",
                printable(&p.path),
                printable(set)
            ));
        }
        // Each value's meaning once, and the first value of each meaning.
        let mut seen: std::collections::BTreeMap<String, &String> = Default::default();
        for v in &p.values {
            if let Some(problem) = label_problem(&p.path, v) {
                return Err(format!(
                    "--param {}: the value `{}` would label points `{}`, which {problem}",
                    printable(&p.path),
                    printable(v),
                    printable(&format!("{}={v}", p.path))
                ));
            }
            let meaning = scenario::overrides::value_meaning(&p.path, v);
            if let Some(w) = seen.insert(meaning, v) {
                let also = if w == v {
                    String::new()
                } else {
                    format!(" (as {})", printable(w))
                };
                return Err(format!(
                    "--param {}: the value {} is listed twice{also}; each grid point runs once",
                    printable(&p.path),
                    printable(v)
                ));
            }
        }
    }
    Ok(())
}

/// What is wrong with `PATH=VALUE` as a point's label, by the name rules of a
/// model's `name`; None when it may be shown.
pub fn label_problem(path: &str, value: &str) -> Option<String> {
    scenario::validate::name_problem(&format!("{path}={value}"))
}

/// Every combination of the parameters' values, first parameter slowest.
pub fn grid(params: &[Param]) -> Vec<Vec<String>> {
    let mut points: Vec<Vec<String>> = vec![Vec::new()];
    for p in params {
        let mut next = Vec::with_capacity(points.len() * p.values.len());
        for point in &points {
            for v in &p.values {
                let mut q = point.clone();
                q.push(v.clone());
                next.push(q);
            }
        }
        points = next;
    }
    points
}

/// The results of a sweep: one batch per grid point, all on the same seeds.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub design: DesignInfo,
    pub seed: u64,
    pub replications: u64,
    pub overrides: Vec<String>,
    pub params: Vec<String>,
    pub points: Vec<(Vec<String>, Batch)>,
    /// The targets judged at every point: the model's, then `--target`'s.
    pub targets: Vec<Target>,
    /// The smallest change that matters, for the verdicts against the first point.
    pub min_effect: MinEffect,
}

impl Sweep {
    /// A point's label: `brain.reboot_concurrency=20, brain.boot_time.mean=45s`.
    pub fn label(&self, values: &[String]) -> String {
        self.params
            .iter()
            .zip(values)
            .map(|(p, v)| format!("{p}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The sweep as a study of its points (each a design, all on the same seeds), for
    /// the paired differences against the first point, the targets and shard files.
    pub fn to_study(&self) -> Result<Study, LengthMismatch> {
        let designs = self
            .points
            .iter()
            .map(|(values, batch)| {
                let info = DesignInfo {
                    name: self.label(values),
                    ..self.design.clone()
                };
                (info, batch.clone())
            })
            .collect();
        let mut study = Study::new(
            StudyKind::Sweep,
            self.seed,
            self.replications,
            false,
            self.overrides.clone(),
            designs,
        )?;
        study.targets = self.targets.clone();
        study.min_effect = self.min_effect;
        study.sweep = Some(SweepLabels {
            model: self.design.name.clone(),
            params: self.params.clone(),
            values: self.points.iter().map(|(v, _)| v.clone()).collect(),
        });
        Ok(study)
    }

    /// The sweep a study of its points holds (as `merge` rebuilds it); None for a
    /// study that is not a sweep.
    pub fn from_study(study: Study) -> Option<Sweep> {
        let labels = study.sweep.clone()?;
        let design = study.designs.first().map(|(info, _)| DesignInfo {
            name: labels.model.clone(),
            ..info.clone()
        })?;
        Some(Sweep {
            design,
            seed: study.seed,
            replications: study.replications,
            overrides: study.overrides.clone(),
            params: labels.params,
            points: labels
                .values
                .into_iter()
                .zip(study.designs.into_iter().map(|(_, b)| b))
                .collect(),
            targets: study.targets,
            min_effect: study.min_effect,
        })
    }
}

/// The metric summaries of one sweep point.
pub fn point_summaries(batch: &Batch) -> Vec<Summary> {
    Metric::ALL.iter().map(|m| batch.summary(*m)).collect()
}

/// The most points a sweep's grid may have (each is a model loaded up front).
pub const MAX_SWEEP_POINTS: u64 = 10_000;

/// Why a sweep cannot run.
#[derive(Debug)]
pub enum SweepError {
    /// The parameters make more grid points than [`MAX_SWEEP_POINTS`] (None: more than
    /// 2^64).
    TooManyPoints(Option<u64>),
    /// The parameters contradict each other or the overrides.
    Params(String),
    /// The model, or the model at one grid point, does not load.
    Model(ScenarioError),
}

impl std::fmt::Display for SweepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepError::TooManyPoints(size) => write!(
                f,
                "the --param values make {} grid points; at most {MAX_SWEEP_POINTS}",
                size.map_or("more than 2^64".to_string(), |n| n.to_string())
            ),
            SweepError::Params(e) => e.fmt(f),
            SweepError::Model(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SweepError {}

/// A sweep ready to run: every grid point's model loaded, and so validated, before
/// any runs.
#[derive(Debug)]
pub struct SweepModels {
    design: DesignInfo,
    overrides: Vec<String>,
    params: Vec<String>,
    points: Vec<(Vec<String>, LoadedModel)>,
    targets: Vec<Target>,
    warnings: Vec<String>,
}

impl SweepModels {
    /// Loads the model at every point of the parameters' grid, each with the common
    /// overrides `sets` followed by the point's values.
    pub fn load(path: &str, sets: &[String], params: &[Param]) -> Result<SweepModels, SweepError> {
        // The grid is every combination: refuse one too large before building it.
        let size = params
            .iter()
            .try_fold(1u64, |n, p| n.checked_mul(p.values.len() as u64));
        if size.is_none_or(|n| n > MAX_SWEEP_POINTS) {
            return Err(SweepError::TooManyPoints(size));
        }
        check_params(params, sets).map_err(SweepError::Params)?;
        let mut points = Vec::new();
        for values in grid(params) {
            let own: Vec<String> = params
                .iter()
                .zip(&values)
                .map(|(p, v)| format!("{}={v}", p.path))
                .collect();
            let point_sets = [sets, own.as_slice()].concat();
            let m = scenario::load(path, &point_sets)
                .map_err(|e| SweepError::Model(e.blame("--param", &own)))?;
            points.push((values, m));
        }
        let base = scenario::load(path, sets).map_err(SweepError::Model)?;
        // The model's own warnings once; a point's own (a value without effect there)
        // once per point that has it, naming the point.
        let mut warnings = base.warnings.clone();
        for (values, m) in &points {
            for w in m.warnings.iter().filter(|w| !base.warnings.contains(w)) {
                let at: Vec<String> = params
                    .iter()
                    .zip(values)
                    .map(|(p, v)| format!("{}={v}", p.path))
                    .collect();
                warnings.push(format!("at {}: {w}", at.join(", ")));
            }
        }
        Ok(SweepModels {
            warnings,
            targets: base.scenario.targets.clone(),
            design: DesignInfo::of(&base),
            overrides: sets.to_vec(),
            params: params.iter().map(|p| p.path.clone()).collect(),
            points,
        })
    }

    /// The warnings of the model and of its points, each once.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The model of every grid point, first parameter slowest.
    pub fn models(&self) -> impl Iterator<Item = &LoadedModel> {
        self.points.iter().map(|(_, m)| m)
    }

    /// The model of every grid point with the overrides it was loaded with (the
    /// common ones, then the point's values), for checks that name an override.
    pub fn models_with_sets(&self) -> Vec<(&LoadedModel, Vec<String>)> {
        self.points
            .iter()
            .map(|(values, m)| {
                let mut sets = self.overrides.clone();
                sets.extend(
                    self.params
                        .iter()
                        .zip(values)
                        .map(|(p, v)| format!("{p}={v}")),
                );
                (m, sets)
            })
            .collect()
    }

    /// Runs the plan's replications at every grid point; `progress(done, total)`
    /// counts replications over all points.
    pub fn run(
        self,
        plan: &Plan,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Sweep, RunFailure> {
        let total = plan.count * self.points.len() as u64;
        let mut results = Vec::with_capacity(self.points.len());
        for (i, (values, m)) in self.points.into_iter().enumerate() {
            let base = i as u64 * plan.count;
            let batch = run_batch(&m.scenario, plan, &|d, _| progress(base + d, total)).map_err(
                |error| RunFailure {
                    path: m.path.clone(),
                    error,
                },
            )?;
            results.push((values, batch));
        }
        Ok(Sweep {
            design: self.design,
            seed: plan.seed,
            replications: plan.count,
            overrides: self.overrides,
            params: self.params,
            points: results,
            targets: self.targets,
            min_effect: MinEffect::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_lists_and_ranges() {
        // Lists split at top-level commas only; ranges include their end.
        let p = Param::parse("brain.reboot_concurrency=10..60:10").unwrap();
        assert_eq!(p.values, vec!["10", "20", "30", "40", "50", "60"]);
        let p = Param::parse("x=0.1..0.3:0.1").unwrap();
        assert_eq!(p.values, vec!["0.1", "0.2", "0.3"]);
        let p = Param::parse(r#"brain.boot_time=Fixed("4m"),Exponential(mean: "4m")"#).unwrap();
        assert_eq!(p.values.len(), 2);
        assert!(Param::parse("x=").is_err());
        assert!(Param::parse("x=5..1:1").is_err());
        assert!(Param::parse("x=-9000000000000000000..9000000000000000000:1").is_err());
        assert_eq!(
            grid(&[
                Param::parse("a=1,2").unwrap(),
                Param::parse("b=x,y").unwrap()
            ]),
            vec![
                vec!["1", "x"],
                vec!["1", "y"],
                vec!["2", "x"],
                vec!["2", "y"]
            ]
        );
    }

    #[test]
    fn params_that_would_mislabel_rows_are_refused() {
        // A path swept twice, a swept path also fixed by --set, and a value listed
        // twice are each refused, naming the path; distinct paths and values pass.
        let p = |t: &str| Param::parse(t).unwrap();
        let twice = check_params(&[p("a.b=1,2"), p("a.b=3,4")], &[]).unwrap_err();
        assert!(twice.contains("a.b: this path is swept twice"), "{twice}");
        let set = check_params(&[p("a.b=1,2")], &[" a.b =7".to_string()]).unwrap_err();
        assert!(set.contains("also fixed by --set  a.b =7"), "{set}");
        let part = check_params(&[p("a.b=1,2"), p("a=(b: 1),(b: 2)")], &[]).unwrap_err();
        assert!(part.contains("swept twice"), "{part}");
        let whole = check_params(&[p("a=(b: 1),(b: 2)")], &["a.b=3".to_string()]).unwrap_err();
        assert!(whole.contains("also fixed by --set a.b=3"), "{whole}");
        // A part swept under a fixed whole refines it.
        assert_eq!(
            check_params(&[p("a.b=1,2")], &["a=(b: 3)".to_string()]),
            Ok(())
        );
        assert!(overwrites("faults", "faults[0].at") && !overwrites("faults[0].at", "faults"));
        assert!(!overwrites("a.bc", "a.b") && !overwrites("a.b", "a.bc"));
        let value = check_params(&[p("a.b=1,2,1")], &[]).unwrap_err();
        assert!(value.contains("the value 1 is listed twice"), "{value}");
        assert_eq!(
            check_params(&[p("a.b=1,2"), p("a.c=1,2")], &["a.d=1".to_string()]),
            Ok(())
        );
    }
}

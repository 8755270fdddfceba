//! Goal seeking: the smallest (or largest) value of one numeric parameter that meets a
//! target, by bisection.
//!
//! Every probe runs the same replications on the same seeds (common random numbers),
//! so two probes differ by the parameter and not by luck, and the search is
//! deterministic. Bisection assumes the response is monotone in the parameter; the
//! probes it made are checked for that afterwards and every reversal is reported,
//! since a reversal means the answer may not be the only crossing.

use super::design::DesignInfo;
use super::study::RunFailure;
use super::targets::{TargetResult, judge};
use super::{Batch, Plan, run_batch};
use crate::metrics::{METRICS, Summary};
use crate::scenario::duration::{format_duration_us, parse_duration_us};
use crate::scenario::schema::{self, Kind, Range};
use crate::scenario::target::{Op, Target};
use crate::scenario::{LoadedModel, ScenarioError};

/// The values a solved parameter may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// Whole numbers `lo..=hi`: solved exactly.
    Integer { lo: i64, hi: i64 },
    /// Numbers in `[lo, hi]`, solved until the bracket is at most `tolerance` wide.
    Real { lo: f64, hi: f64, tolerance: f64 },
    /// Durations in microseconds, solved to `tolerance` microseconds.
    Duration { lo: u64, hi: u64, tolerance: u64 },
}

/// Interior points scanned when neither end of the range meets the target.
pub const SCAN_POINTS: usize = 7;

/// Probes spent, after the scan, around the probe closest to meeting the target.
pub const REFINE_PROBES: usize = 16;

/// The most probes one solve makes. The ends, the scan and the refinement take at most
/// 25, and bisection to any accepted tolerance at most 64 more (a tolerance is never
/// below the spacing of the values between the ends), so the cap is a safeguard.
pub const MAX_PROBES: usize = 100;

/// Why a `--param` range or a `--tolerance` is refused.
#[derive(Clone, Debug, PartialEq)]
pub enum DomainError {
    /// The path or the range's syntax: the message follows `--param PATH=LO..HI: `.
    Syntax(String),
    /// An end outside what the field allows: the message follows `--param PATH=LO..HI: `.
    Range(String),
    /// The tolerance: a whole message, naming `--tolerance`.
    Tolerance(String),
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DomainError::Syntax(e) | DomainError::Range(e) | DomainError::Tolerance(e) => {
                f.write_str(e)
            }
        }
    }
}

/// The gap between the floating-point numbers next to the larger end of `lo..hi` in
/// size: no midpoint between two numbers closer than this is a third number.
pub fn float_spacing(lo: f64, hi: f64) -> f64 {
    let m = lo.abs().max(hi.abs());
    let next = f64::from_bits(m.to_bits() + 1);
    if next.is_finite() {
        next - m
    } else {
        m * f64::EPSILON
    }
}

/// `x` in the shorter of its decimal and its exponent form, both exact: `0.125`,
/// `2.220446049250313e-16`.
fn shortest(x: f64) -> String {
    let (plain, exp) = (format!("{x}"), format!("{x:e}"));
    if exp.len() < plain.len() { exp } else { plain }
}

impl Domain {
    /// Reads `PATH=LO..HI` for the parameter at `path`, whose kind (from the schema)
    /// says whether it is a whole number, a number or a duration, and checks both ends
    /// against the range the schema allows. `tolerance` (in the parameter's unit, a
    /// duration for a duration) defaults to 1/1000 of the range, and never goes below
    /// the grain of the values (1 µs for a duration, the spacing of floating-point
    /// numbers at the ends for a number).
    pub fn parse(
        path: &str,
        lo: &str,
        hi: &str,
        tolerance: Option<&str>,
    ) -> Result<Domain, DomainError> {
        let (kind, range) = schema::resolve(path).ok_or_else(|| {
            let hint = crate::scenario::nearest_path(path)
                .map_or(String::new(), |p| format!(" (did you mean `{p}`?)"));
            DomainError::Syntax(format!(
                "`{path}` is not a field or parameter of a model{hint}"
            ))
        })?;
        let order = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(DomainError::Syntax(format!(
                    "`{lo}..{hi}`: LO must be below HI"
                )))
            }
        };
        // Both ends within the field's range, so that no probe between them fails.
        let within = |ok: [bool; 2], shown: [String; 2], allowed: String| {
            for ((end, ok), shown) in ["LO", "HI"].iter().zip(ok).zip(shown) {
                if !ok {
                    return Err(DomainError::Range(format!(
                        "{end} = {shown} is outside what {path} allows: {allowed}"
                    )));
                }
            }
            Ok(())
        };
        match kind {
            Kind::Count { .. } | Kind::OptionalCount => {
                let int = |t: &str| {
                    t.trim().parse::<i64>().map_err(|_| {
                        DomainError::Syntax(format!("`{t}` is not a whole number ({path} is one)"))
                    })
                };
                let (lo, hi) = (int(lo)?, int(hi)?);
                order(lo < hi)?;
                let min = match range {
                    Range::AtLeast(n) => n as i64,
                    _ => 0,
                };
                let max = match kind {
                    Kind::Count { max } => i64::try_from(max).unwrap_or(i64::MAX),
                    _ => i64::from(u32::MAX),
                };
                within(
                    [lo >= min && lo <= max, hi >= min && hi <= max],
                    [lo.to_string(), hi.to_string()],
                    format!("a whole number from {min} to {max}"),
                )?;
                if let Some(t) = tolerance {
                    return Err(DomainError::Tolerance(format!(
                        "--tolerance {t}: {path} is a whole number, solved exactly: leave --tolerance out"
                    )));
                }
                Ok(Domain::Integer { lo, hi })
            }
            Kind::Number | Kind::OptionalNumber => {
                let num = |t: &str| match t.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    _ => Err(format!("`{t}` is not a number")),
                };
                let (lo, hi) = (
                    num(lo).map_err(DomainError::Syntax)?,
                    num(hi).map_err(DomainError::Syntax)?,
                );
                order(lo < hi)?;
                within(
                    [range.allows(lo), range.allows(hi)],
                    [format!("{lo}"), format!("{hi}")],
                    format!("{path} must be {}", range.allowed().unwrap_or_default()),
                )?;
                let spacing = float_spacing(lo, hi);
                let tolerance = match tolerance {
                    Some(t) => {
                        let v = num(t)
                            .map_err(|e| DomainError::Tolerance(format!("--tolerance {t}: {e}")))?;
                        if v <= 0.0 {
                            return Err(DomainError::Tolerance(format!(
                                "--tolerance {t}: must be above 0; the smallest accepted is {}",
                                shortest(spacing)
                            )));
                        }
                        if v.is_nan() || v < spacing {
                            return Err(DomainError::Tolerance(format!(
                                "--tolerance {t}: below the spacing of floating-point numbers in {lo}..{hi}; the smallest accepted is {}",
                                shortest(spacing)
                            )));
                        }
                        v
                    }
                    None => ((hi - lo) / 1000.0).max(spacing),
                };
                Ok(Domain::Real { lo, hi, tolerance })
            }
            // A distribution is solved as a fixed duration, which is what `--set` and
            // `sweep` make of a duration given for it (`brain.boot_time=1m`).
            Kind::Duration | Kind::Dist => {
                let dur = |t: &str| parse_duration_us(t.trim().trim_matches('"'));
                let (lo, hi) = (
                    dur(lo).map_err(DomainError::Syntax)?,
                    dur(hi).map_err(DomainError::Syntax)?,
                );
                order(lo < hi)?;
                within(
                    [range.allows(lo as f64), range.allows(hi as f64)],
                    [format_duration_us(lo), format_duration_us(hi)],
                    format!(
                        "{path} must be {}",
                        range.allowed().unwrap_or_else(|| "a duration".to_string())
                    ),
                )?;
                let tolerance = match tolerance {
                    Some(t) => {
                        let v = dur(t).map_err(|e| {
                            DomainError::Tolerance(format!(
                                "--tolerance {t}: {e}; the smallest accepted is 1us"
                            ))
                        })?;
                        if v == 0 {
                            return Err(DomainError::Tolerance(format!(
                                "--tolerance {t}: below the grain of durations (1 microsecond); the smallest accepted is 1us"
                            )));
                        }
                        v
                    }
                    None => ((hi - lo) / 1000).max(1),
                };
                Ok(Domain::Duration { lo, hi, tolerance })
            }
            other => Err(DomainError::Syntax(format!(
                "`{path}` is a {}, not a number: solve a numeric field, a duration, a distribution (as a fixed duration) or a distribution's parameter (e.g. `brain.boot_time.mean`)",
                other.name()
            ))),
        }
    }

    /// The value at position `x` as `--set` writes it.
    pub fn text(&self, x: f64) -> String {
        match self {
            Domain::Integer { .. } => format!("{}", x as i64),
            Domain::Real { .. } => format!("{x}"),
            Domain::Duration { .. } => format_duration_us(x as u64),
        }
    }

    /// The ends of the range as numbers (microseconds for a duration).
    pub fn ends(&self) -> (f64, f64) {
        match *self {
            Domain::Integer { lo, hi } => (lo as f64, hi as f64),
            Domain::Real { lo, hi, .. } => (lo, hi),
            Domain::Duration { lo, hi, .. } => (lo as f64, hi as f64),
        }
    }

    /// The value at `f` (0 to 1) of the way from the lower end to the upper one,
    /// rounded to the domain's grain.
    fn at_fraction(&self, f: f64) -> f64 {
        let (lo, hi) = self.ends();
        let x = lo + f * (hi - lo);
        match self {
            Domain::Real { .. } => x,
            _ => libm::round(x),
        }
    }

    /// The point between `a` and `b` to probe next, or None when they are close
    /// enough that the search is done (or no value of the grain lies between them).
    pub fn middle(&self, a: f64, b: f64) -> Option<f64> {
        let mid = match *self {
            Domain::Integer { .. } => {
                let (a, b) = (a as i64, b as i64);
                ((b - a).abs() > 1).then(|| (a + (b - a) / 2) as f64)
            }
            Domain::Real { tolerance, .. } => {
                ((b - a).abs() > tolerance).then(|| a + (b - a) / 2.0)
            }
            Domain::Duration { tolerance, .. } => {
                let (a, b) = (a as u64, b as u64);
                (a.abs_diff(b) > tolerance).then(|| {
                    let (lo, hi) = (a.min(b), a.max(b));
                    (lo + (hi - lo) / 2) as f64
                })
            }
        }?;
        (mid != a && mid != b).then_some(mid)
    }
}

/// What one probe tells the search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// Whether the value meets the target.
    pub meets: bool,
    /// How far the value is from meeting it (smaller is closer): compares the probes
    /// when none meets it.
    pub shortfall: f64,
}

impl Reading {
    /// A reading that only says whether the value meets the target.
    pub fn of(meets: bool) -> Reading {
        Reading {
            meets,
            shortfall: if meets { 0.0 } else { 1.0 },
        }
    }
}

/// A search's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// The value found; None when no probe meets the target.
    pub value: Option<f64>,
    /// The values probed, in order.
    pub probed: Vec<f64>,
    /// Whether the search stopped at [`MAX_PROBES`] before its tolerance.
    pub capped: bool,
}

/// Searches `domain` for the smallest value at which the target is met (the largest
/// when `largest`); `probe(x)` judges the value `x`.
///
/// The end asked for is probed first, and is the answer when it meets the target.
/// Otherwise, when the other end meets it, bisection between them finds the boundary.
/// When neither does, [`SCAN_POINTS`] evenly spaced interior values are tried from
/// the end asked for, then up to [`REFINE_PROBES`] more around the value closest to
/// meeting the target (a response with an optimum inside the range); from the first
/// value that meets it, bisection finds the boundary on the side asked for. No value
/// is probed twice, and at most [`MAX_PROBES`] are.
pub fn search<E>(
    domain: &Domain,
    largest: bool,
    mut probe: impl FnMut(f64) -> Result<Reading, E>,
) -> Result<Search, E> {
    let (lo, hi) = domain.ends();
    let (near, far) = if largest { (hi, lo) } else { (lo, hi) };
    let mut seen: Vec<(f64, Reading)> = Vec::new();
    let mut run = |x: f64, seen: &mut Vec<(f64, Reading)>| -> Result<bool, E> {
        let r = probe(x)?;
        seen.push((x, r));
        Ok(r.meets)
    };
    // Is `a` on the asked-for side of `b`?
    let nearer = |a: f64, b: f64| if largest { a > b } else { a < b };
    let found = 'found: {
        if run(near, &mut seen)? {
            break 'found Some((near, None));
        }
        if run(far, &mut seen)? {
            break 'found Some((far, Some(near)));
        }
        for k in 1..=SCAN_POINTS {
            let f = k as f64 / (SCAN_POINTS + 1) as f64;
            let x = domain.at_fraction(if largest { 1.0 - f } else { f });
            if seen.iter().any(|(p, _)| *p == x) {
                continue;
            }
            if run(x, &mut seen)? {
                break 'found Some((x, None));
            }
        }
        for _ in 0..REFINE_PROBES {
            let Some(x) = refinement(domain, &seen, largest) else {
                break;
            };
            if run(x, &mut seen)? {
                break 'found Some((x, None));
            }
        }
        None
    };
    let Some((mut good, bad)) = found else {
        return Ok(Search {
            value: None,
            probed: seen.iter().map(|p| p.0).collect(),
            capped: false,
        });
    };
    // The boundary lies between `good` and the nearest value probed on the side asked
    // for, which does not meet the target (none between them was probed).
    let bad = bad.or_else(|| {
        seen.iter()
            .map(|p| p.0)
            .filter(|x| nearer(*x, good))
            .min_by(|a, b| (a - good).abs().total_cmp(&(b - good).abs()))
    });
    let mut capped = false;
    if let Some(mut bad) = bad {
        while let Some(mid) = domain.middle(bad, good) {
            if seen.len() >= MAX_PROBES {
                capped = true;
                break;
            }
            if run(mid, &mut seen)? {
                good = mid;
            } else {
                bad = mid;
            }
        }
    }
    Ok(Search {
        value: Some(good),
        probed: seen.iter().map(|p| p.0).collect(),
        capped,
    })
}

/// The next value to probe around the probes closest to meeting the target: the
/// middle of the wider gap beside the closest probe (on a tie, the one nearer the end
/// asked for), or beside the next closest once no value is left between the closest
/// and its neighbours. None when no gap is left.
fn refinement(domain: &Domain, seen: &[(f64, Reading)], largest: bool) -> Option<f64> {
    let mut ranked: Vec<&(f64, Reading)> = seen.iter().collect();
    ranked.sort_by(|(x, a), (y, b)| {
        let towards = if largest {
            y.total_cmp(x)
        } else {
            x.total_cmp(y)
        };
        a.shortfall.total_cmp(&b.shortfall).then(towards)
    });
    ranked.iter().find_map(|&&(best, _)| {
        let below = seen
            .iter()
            .map(|p| p.0)
            .filter(|x| *x < best)
            .reduce(f64::max);
        let above = seen
            .iter()
            .map(|p| p.0)
            .filter(|x| *x > best)
            .reduce(f64::min);
        // The side towards the end asked for first, so that it wins a tie.
        let sides = if largest {
            [above, below]
        } else {
            [below, above]
        };
        sides
            .into_iter()
            .flatten()
            .filter_map(|other| Some(((other - best).abs(), domain.middle(other, best)?)))
            .fold(None, |wider: Option<(f64, f64)>, gap| match wider {
                Some(w) if w.0 >= gap.0 => Some(w),
                _ => Some(gap),
            })
            .map(|(_, x)| x)
    })
}

/// One probe: the parameter's value and the target judged there.
#[derive(Clone, Debug)]
pub struct Probe {
    /// The value as `--set` wrote it.
    pub value: String,
    /// The value as a number (microseconds for a duration), for ordering and plots.
    pub x: f64,
    /// The metric's summary over the replications.
    pub summary: Summary,
    pub result: TargetResult,
    /// Replications whose value of the target's metric was cut by the horizon.
    pub censored: usize,
}

/// A solve's answer.
#[derive(Clone, Debug)]
pub struct Solve {
    pub design: DesignInfo,
    pub seed: u64,
    pub replications: u64,
    pub overrides: Vec<String>,
    pub param: String,
    pub domain: Domain,
    pub target: Target,
    pub largest: bool,
    /// The value found, as `--set` writes it; None when no value in the range meets
    /// the target.
    pub value: Option<String>,
    /// Every probe, in the order made.
    pub probes: Vec<Probe>,
    /// Whether the search stopped at [`MAX_PROBES`] before reaching its tolerance.
    pub capped: bool,
}

impl Solve {
    /// The probes sorted by the parameter's value.
    pub fn sorted_probes(&self) -> Vec<&Probe> {
        let mut p: Vec<&Probe> = self.probes.iter().collect();
        p.sort_by(|a, b| a.x.total_cmp(&b.x));
        p
    }

    /// The probe at the answer.
    pub fn answer(&self) -> Option<&Probe> {
        let v = self.value.as_ref()?;
        self.probes.iter().find(|p| &p.value == v)
    }

    /// The nearest probe on the other side of the answer: the closest value that does
    /// not meet the target.
    pub fn neighbour(&self) -> Option<&Probe> {
        let a = self.answer()?;
        self.probes
            .iter()
            .filter(|p| !p.result.met && (p.x < a.x) != self.largest)
            .min_by(|p, q| (p.x - a.x).abs().total_cmp(&(q.x - a.x).abs()))
    }

    /// Where the statistic the target bounds reverses direction between
    /// neighbouring probes, as sentences: bisection assumed it does not.
    pub fn monotonicity_breaks(&self) -> Vec<String> {
        let p = self.sorted_probes();
        let d: Vec<f64> = p
            .windows(2)
            .map(|w| w[1].result.estimate - w[0].result.estimate)
            .collect();
        let overall = d.iter().sum::<f64>();
        let key = METRICS[self.target.metric as usize].key;
        let stat = self.target.stat_text();
        p.windows(2)
            .zip(&d)
            .filter(|(_, step)| **step != 0.0 && (**step > 0.0) != (overall > 0.0))
            .map(|(w, _)| {
                format!(
                    "{key}.{stat} goes from {} at {}={} to {} at {}, against the overall trend",
                    crate::metrics::format::fmt_metric(self.target.metric, w[0].result.estimate),
                    self.param,
                    w[0].value,
                    crate::metrics::format::fmt_metric(self.target.metric, w[1].result.estimate),
                    w[1].value
                )
            })
            .collect()
    }
}

/// Why a solve cannot give an answer.
#[derive(Debug)]
pub enum SolveError {
    /// The model does not load: without the parameter (`value` None) or with it at
    /// `value`, as `--set` writes it.
    Model {
        value: Option<String>,
        error: Box<ScenarioError>,
    },
    /// A replication failed.
    Run(RunFailure),
}

/// What a solve asks.
pub struct SolveSpec<'a> {
    pub param: &'a str,
    pub domain: Domain,
    pub target: &'a Target,
    pub largest: bool,
    /// The common `--set` overrides, before the parameter's.
    pub overrides: &'a [String],
}

/// Solves `spec`: `load(sets)` loads the model with the given overrides, and every
/// probe runs `plan`'s replications. `progress(done, total)` counts replications
/// against an estimate of the probes to come.
pub fn solve(
    load: &dyn Fn(&[String]) -> Result<LoadedModel, ScenarioError>,
    spec: &SolveSpec,
    plan: &Plan,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Solve, SolveError> {
    let base = load(spec.overrides).map_err(|error| SolveError::Model {
        value: None,
        error: Box::new(error),
    })?;
    let expected = expected_probes(&spec.domain) as u64 * plan.count;
    let mut probes: Vec<Probe> = Vec::new();
    let found = search(&spec.domain, spec.largest, |x| {
        let value = spec.domain.text(x);
        let mut sets = spec.overrides.to_vec();
        sets.push(format!("{}={value}", spec.param));
        let m = load(&sets).map_err(|error| SolveError::Model {
            value: Some(value.clone()),
            error: Box::new(error),
        })?;
        let done = probes.len() as u64 * plan.count;
        let total = expected.max(done + plan.count);
        let batch: Batch = run_batch(&m.scenario, plan, &|d, _| progress(done + d, total))
            .map_err(|error| {
                SolveError::Run(RunFailure {
                    path: m.path.clone(),
                    error,
                })
            })?;
        let result = judge(spec.target, &batch);
        let reading = Reading {
            meets: result.met,
            shortfall: shortfall(&result),
        };
        probes.push(Probe {
            value,
            x,
            summary: batch.summary(spec.target.metric),
            result,
            censored: batch.censored(spec.target.metric),
        });
        Ok(reading)
    })?;
    Ok(Solve {
        design: DesignInfo::of(&base),
        seed: plan.seed,
        replications: plan.count,
        overrides: spec.overrides.to_vec(),
        param: spec.param.to_string(),
        domain: spec.domain,
        target: spec.target.clone(),
        largest: spec.largest,
        value: found.value.map(|x| spec.domain.text(x)),
        probes,
        capped: found.capped,
    })
}

/// How far a probe's statistic is from the target's bound, in the metric's unit (at
/// most 0 when it meets the bound; infinite when there is no statistic).
pub fn shortfall(r: &TargetResult) -> f64 {
    let gap = match r.target.op {
        Op::AtMost => r.estimate - r.target.value,
        Op::AtLeast => r.target.value - r.estimate,
    };
    if gap.is_nan() { f64::INFINITY } else { gap }
}

/// About how many probes bisection of `domain` makes, for the progress bar.
fn expected_probes(domain: &Domain) -> usize {
    let (lo, hi) = domain.ends();
    let step = match *domain {
        Domain::Integer { .. } => 1.0,
        Domain::Real { tolerance, .. } => tolerance,
        Domain::Duration { tolerance, .. } => tolerance as f64,
    };
    let steps = libm::ceil(libm::log2(((hi - lo) / step).max(1.0)));
    // A float to usize cast saturates (an infinite count of steps from a tolerance of 0).
    (steps as usize).saturating_add(2).min(MAX_PROBES)
}

#[cfg(test)]
mod tests;

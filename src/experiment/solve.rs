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
use crate::scenario::schema::{self, Kind};
use crate::scenario::target::Target;
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

impl Domain {
    /// Reads `PATH=LO..HI` for the parameter at `path`, whose kind (from the schema)
    /// says whether it is a whole number, a number or a duration. `tolerance` (in the
    /// parameter's unit, a duration for a duration) defaults to 1/1000 of the range.
    pub fn parse(
        path: &str,
        lo: &str,
        hi: &str,
        tolerance: Option<&str>,
    ) -> Result<Domain, String> {
        let (kind, _) = schema::resolve(path).ok_or_else(|| {
            let hint = crate::scenario::nearest_path(path)
                .map_or(String::new(), |p| format!(" (did you mean `{p}`?)"));
            format!("`{path}` is not a field or parameter of a model{hint}")
        })?;
        let order = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(format!("`{lo}..{hi}`: LO must be below HI"))
            }
        };
        match kind {
            Kind::Count { .. } | Kind::OptionalCount => {
                let int = |t: &str| {
                    t.trim()
                        .parse::<i64>()
                        .map_err(|_| format!("`{t}` is not a whole number ({path} is one)"))
                };
                let (lo, hi) = (int(lo)?, int(hi)?);
                order(lo < hi)?;
                if tolerance.is_some() {
                    return Err(format!(
                        "--tolerance: {path} is a whole number, solved exactly"
                    ));
                }
                Ok(Domain::Integer { lo, hi })
            }
            Kind::Number => {
                let num = |t: &str| match t.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    _ => Err(format!("`{t}` is not a number")),
                };
                let (lo, hi) = (num(lo)?, num(hi)?);
                order(lo < hi)?;
                let tolerance = match tolerance {
                    Some(t) => num(t)?,
                    None => (hi - lo) / 1000.0,
                };
                if tolerance.is_nan() || tolerance <= 0.0 {
                    return Err("--tolerance must be above 0".to_string());
                }
                Ok(Domain::Real { lo, hi, tolerance })
            }
            Kind::Duration => {
                let dur = |t: &str| parse_duration_us(t.trim().trim_matches('"'));
                let (lo, hi) = (dur(lo)?, dur(hi)?);
                order(lo < hi)?;
                let tolerance = match tolerance {
                    Some(t) => dur(t)?,
                    None => ((hi - lo) / 1000).max(1),
                };
                if tolerance == 0 {
                    return Err("--tolerance must be above 0".to_string());
                }
                Ok(Domain::Duration { lo, hi, tolerance })
            }
            other => Err(format!(
                "`{path}` is a {}, not a number: solve a numeric field or a distribution's parameter (e.g. `brain.boot_time.mean`)",
                other.name()
            )),
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
    fn ends(&self) -> (f64, f64) {
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
    /// enough that the search is done.
    fn middle(&self, a: f64, b: f64) -> Option<f64> {
        match *self {
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
        }
    }
}

/// Bisection over `domain` for the smallest value at which `meets` holds (the largest
/// when `largest`), assuming `meets` flips once across the range. When neither end
/// meets it, [`SCAN_POINTS`] evenly spaced interior values are tried first, and the
/// search goes on from the first that meets it. Returns the value found (None when
/// no probe meets the target, or only the wrong end does) and the values probed, in
/// order.
pub fn bisect<E>(
    domain: &Domain,
    largest: bool,
    mut meets: impl FnMut(f64) -> Result<bool, E>,
) -> Result<(Option<f64>, Vec<f64>), E> {
    let (lo, hi) = domain.ends();
    // `good` is the end that should meet the target, `bad` the other.
    let (bad, good) = if largest { (hi, lo) } else { (lo, hi) };
    let mut probed = vec![good];
    let mut good = good;
    if !meets(good)? {
        probed.push(bad);
        if meets(bad)? {
            // Only the far end meets it: the response runs the other way. Say so
            // rather than search the wrong way.
            return Ok((None, probed));
        }
        // Neither end meets it. Under a monotone response no value does, but a
        // response with an optimum inside the range (a U shape) can meet it only in
        // the middle: scan a few interior points before saying no.
        let mut inside = None;
        for k in 1..=SCAN_POINTS {
            let x = domain.at_fraction(k as f64 / (SCAN_POINTS + 1) as f64);
            if probed.contains(&x) {
                continue;
            }
            probed.push(x);
            if meets(x)? {
                inside = Some(x);
                break;
            }
        }
        match inside {
            Some(x) => good = x,
            None => return Ok((None, probed)),
        }
    } else {
        probed.push(bad);
        if meets(bad)? {
            return Ok((Some(bad), probed));
        }
    }
    let mut bad = bad;
    while let Some(mid) = domain.middle(bad, good) {
        probed.push(mid);
        if meets(mid)? {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Ok((Some(good), probed))
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
    /// The model at a probe does not load (the value is outside the field's range).
    Model(ScenarioError),
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
    let base = load(spec.overrides).map_err(SolveError::Model)?;
    let expected = expected_probes(&spec.domain) as u64 * plan.count;
    let mut probes: Vec<Probe> = Vec::new();
    let (found, _) = bisect(&spec.domain, spec.largest, |x| {
        let value = spec.domain.text(x);
        let mut sets = spec.overrides.to_vec();
        sets.push(format!("{}={value}", spec.param));
        let m = load(&sets).map_err(SolveError::Model)?;
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
        let met = result.met;
        probes.push(Probe {
            value,
            x,
            summary: batch.summary(spec.target.metric),
            result,
        });
        Ok(met)
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
        value: found.map(|x| spec.domain.text(x)),
        probes,
    })
}

/// About how many probes bisection of `domain` makes, for the progress bar.
fn expected_probes(domain: &Domain) -> usize {
    let (lo, hi) = domain.ends();
    let step = match *domain {
        Domain::Integer { .. } => 1.0,
        Domain::Real { tolerance, .. } => tolerance,
        Domain::Duration { tolerance, .. } => tolerance as f64,
    };
    2 + libm::ceil(libm::log2(((hi - lo) / step).max(1.0))) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisection_finds_the_exact_integer_threshold() {
        // meets(x) ⇔ x ≥ 37 over 1..=100: 37 exactly, in at most 2 + ⌈log2 99⌉ probes.
        let d = Domain::Integer { lo: 1, hi: 100 };
        let (v, probed) = bisect(&d, false, |x| Ok::<_, ()>(x >= 37.0)).unwrap();
        assert_eq!(v, Some(37.0));
        assert!(probed.len() <= 2 + 7, "{probed:?}");
        // The largest x with x ≤ 37.
        let (v, _) = bisect(&d, true, |x| Ok::<_, ()>(x <= 37.0)).unwrap();
        assert_eq!(v, Some(37.0));
        // The lower end already meets it; nothing meets it.
        assert_eq!(
            bisect(&d, false, |_| Ok::<_, ()>(true)).unwrap().0,
            Some(1.0)
        );
        assert_eq!(bisect(&d, false, |_| Ok::<_, ()>(false)).unwrap().0, None);
        // Only the wrong end meets it: no answer.
        assert_eq!(
            bisect(&d, false, |x| Ok::<_, ()>(x < 10.0)).unwrap().0,
            None
        );
        // A U-shaped response met only in 40..=70: the scan finds the inside, and
        // bisection the smallest value that meets it.
        let (v, probed) = bisect(&d, false, |x| Ok::<_, ()>((40.0..=70.0).contains(&x))).unwrap();
        assert_eq!(v, Some(40.0), "{probed:?}");
    }

    #[test]
    fn bisection_of_reals_and_durations_stops_at_the_tolerance() {
        let d = Domain::Real {
            lo: 0.0,
            hi: 1.0,
            tolerance: 1e-3,
        };
        let (v, _) = bisect(&d, false, |x| Ok::<_, ()>(x >= 0.3)).unwrap();
        let v = v.unwrap();
        assert!((0.3..=0.301).contains(&v), "{v}");
        let d = Domain::parse("brain.boot_time.mean", "10s", "100s", Some("1s")).unwrap();
        let (v, _) = bisect(&d, false, |x| Ok::<_, ()>(x >= 42.5e6)).unwrap();
        let v = v.unwrap();
        assert!((42.5e6..=43.5e6).contains(&v), "{v}");
        assert!(d.text(v).ends_with('s'), "{}", d.text(v));
    }

    #[test]
    fn domains_follow_the_schema() {
        assert_eq!(
            Domain::parse("brain.reboot_concurrency", "1", "200", None),
            Ok(Domain::Integer { lo: 1, hi: 200 })
        );
        assert!(matches!(
            Domain::parse("supervisor.crash_on_reset", "0", "0.1", None),
            Ok(Domain::Real { .. })
        ));
        for (path, lo, hi, why) in [
            (
                "brain.reboot_concurrency",
                "1.5",
                "10",
                "not a whole number",
            ),
            ("brain.reboot_concurrency", "10", "1", "LO must be below HI"),
            ("brain.boot_time", "1s", "2s", "not a number"),
            (
                "brain.reboot_concurency",
                "1",
                "2",
                "did you mean `brain.reboot_concurrency`",
            ),
            ("brain.boot_time.mean", "1", "2s", "expected a duration"),
        ] {
            let e = Domain::parse(path, lo, hi, None).unwrap_err();
            assert!(e.contains(why), "{path} {lo}..{hi}: {e}");
        }
    }
}

//! The approximate 95 % region of each parameter, by profiling the objective.
//!
//! The objective is a sum of squared standardized differences, so (approximately)
//! minus twice a log-likelihood. The profile of parameter i at value x is the least
//! objective over the other parameters with parameter i held at x; the values whose
//! profile is within [`CHI2_95`] (the 95 % point of a chi-square with one degree of
//! freedom) of the overall minimum form the region. A profile rather than a bootstrap
//! over replications: the randomness that matters is the observed incident's (one
//! draw of the model), which the objective's standard deviations already carry; a
//! bootstrap over the simulated replications would only measure how well R
//! replications pin the simulated mean.
//!
//! The profile is taken on a grid of [`PROFILE_POINTS`] values across the range, each
//! end of the region then narrowed by [`BISECTIONS`] halvings. A region that covers
//! [`UNIDENTIFIABLE_SHARE`] of the range or more means the observation does not pin
//! the parameter down; when, along a profile's region, another parameter's best value
//! moves across [`TRADE_OFF_SHARE`] of its own range or more, the two trade off
//! against each other: the observation fixes a combination of them more tightly than
//! either.

use super::search::{Point, nelder_mead};

/// The 95 % point of the chi-square distribution with one degree of freedom.
pub const CHI2_95: f64 = 3.841_458_820_694_124;

/// Values of the parameter the profile is first taken at, evenly spaced across its
/// range, ends included.
pub const PROFILE_POINTS: usize = 9;

/// Halvings that narrow each end of a region between two grid points.
pub const BISECTIONS: usize = 4;

/// A region covering this share of the range or more: not identifiable.
pub const UNIDENTIFIABLE_SHARE: f64 = 0.9;

/// A profile along which another parameter's best value moves this share of its
/// range or more: the two trade off.
pub const TRADE_OFF_SHARE: f64 = 0.25;

/// Probes one inner minimisation over the other parameters may make, for `p`
/// parameters (none for one parameter).
pub fn inner_probes(p: usize) -> usize {
    if p <= 1 { 1 } else { 10 * (p - 1) + 5 + p + 1 }
}

/// The most probes the profiles of `p` parameters make.
pub fn profile_probes(p: usize) -> usize {
    p * (PROFILE_POINTS + 2 * BISECTIONS) * inner_probes(p)
}

/// One parameter's profile and region, in the unit cube.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// (position of the parameter, least objective there, the point that gave it),
    /// sorted by position.
    pub points: Vec<(f64, f64, Vec<f64>)>,
    /// The region's ends.
    pub lo: f64,
    pub hi: f64,
}

impl Profile {
    /// Whether the region covers (nearly) the whole range.
    pub fn identifiable(&self) -> bool {
        self.hi - self.lo < UNIDENTIFIABLE_SHARE
    }

    /// How far parameter `j`'s best value moves along this profile within the region,
    /// as a share of its range.
    pub fn moves(&self, j: usize) -> f64 {
        let inside = self
            .points
            .iter()
            .filter(|(x, _, _)| *x >= self.lo - 1e-12 && *x <= self.hi + 1e-12);
        let (lo, hi) = inside.fold((f64::MAX, f64::MIN), |(lo, hi), (_, _, u)| {
            (lo.min(u[j]), hi.max(u[j]))
        });
        if hi >= lo { hi - lo } else { 0.0 }
    }
}

/// The least objective with parameter `i` at `x`, the others free, from the others'
/// values in `warm`.
fn least_at<E>(
    i: usize,
    x: f64,
    warm: &[f64],
    f: &mut impl FnMut(&[f64]) -> Result<f64, E>,
) -> Result<Point, E> {
    let p = warm.len();
    let full = |others: &[f64]| -> Vec<f64> {
        let mut u = Vec::with_capacity(p);
        u.extend_from_slice(&others[..i]);
        u.push(x);
        u.extend_from_slice(&others[i..]);
        u
    };
    let others: Vec<f64> = (0..p).filter(|&j| j != i).map(|j| warm[j]).collect();
    let at = full(&others);
    let start = (others, f(&at)?);
    if p == 1 {
        return Ok((at, start.1));
    }
    let mut g = |o: &[f64]| f(&full(o));
    let (o, v) = nelder_mead(start, inner_probes(p) - p - 2, &mut g)?;
    Ok((full(&o), v))
}

/// Profiles parameter `i` around `best` and finds its region against the `minimum`
/// objective known so far, the region being where the profile is within `threshold`
/// of it.
pub fn profile<E>(
    i: usize,
    best: &Point,
    threshold: f64,
    f: &mut impl FnMut(&[f64]) -> Result<f64, E>,
) -> Result<Profile, E> {
    let mut points: Vec<(f64, f64, Vec<f64>)> = Vec::new();
    // Outwards from the best point on each side, each grid point starting from its
    // neighbour's optimum, so that a ridge is followed.
    let grid: Vec<f64> = (0..PROFILE_POINTS)
        .map(|k| k as f64 / (PROFILE_POINTS - 1) as f64)
        .collect();
    let x0 = best.0[i];
    for side in [false, true] {
        let mut warm = best.0.clone();
        let mut on: Vec<f64> = grid
            .iter()
            .copied()
            .filter(|x| if side { *x > x0 } else { *x <= x0 })
            .collect();
        if !side {
            on.reverse();
        }
        for x in on {
            let (u, v) = least_at(i, x, &warm, f)?;
            warm = u.clone();
            points.push((x, v, u));
        }
    }
    points.push((x0, best.1, best.0.clone()));
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points.dedup_by(|a, b| {
        a.0 == b.0 && {
            // Keep the lower of two values at the same position.
            if a.1 < b.1 {
                std::mem::swap(a, b);
            }
            true
        }
    });
    let minimum = points.iter().map(|p| p.1).fold(best.1, f64::min);
    let limit = minimum + threshold;
    let inside = |v: f64| v <= limit;
    let first = points.iter().position(|p| inside(p.1)).unwrap_or(0);
    let last = points
        .iter()
        .rposition(|p| inside(p.1))
        .unwrap_or(points.len() - 1);
    let mut ends = [points[first].0, points[last].0];
    // The points the narrowing runs join the profile, so that what moves along the
    // region is seen inside it too.
    let mut narrowed: Vec<(f64, f64, Vec<f64>)> = Vec::new();
    // Narrow each end between the last grid point inside and the first outside.
    for (end, outside) in [(0, first.checked_sub(1)), (1, Some(last + 1))] {
        let Some(o) = outside.filter(|&o| o < points.len()) else {
            continue;
        };
        let (mut a, mut b) = (
            points[if end == 0 { first } else { last }].clone(),
            points[o].0,
        );
        for _ in 0..BISECTIONS {
            let mid = (a.0 + b) / 2.0;
            let (u, v) = least_at(i, mid, &a.2, f)?;
            narrowed.push((mid, v, u.clone()));
            if inside(v) {
                a = (mid, v, u);
            } else {
                b = mid;
            }
        }
        // Half way to the first value known to be outside.
        ends[end] = (a.0 + b) / 2.0;
    }
    points.extend(narrowed);
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(Profile {
        points,
        lo: ends[0].min(ends[1]),
        hi: ends[0].max(ends[1]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quadratic_profile_gives_the_chi_square_region() {
        // f = ((x − 0.5)/0.1)²: f ≤ 3.84 for |x − 0.5| ≤ 0.1·√3.84 = 0.196, so the
        // region is 0.304..0.696 (to the bisection's 1/8/16 = 0.008 grain).
        let mut f = |u: &[f64]| -> Result<f64, ()> { Ok(((u[0] - 0.5) / 0.1).powi(2)) };
        let p = profile(0, &(vec![0.5], 0.0), CHI2_95, &mut f).unwrap();
        assert!((p.lo - 0.304).abs() < 0.008, "{}", p.lo);
        assert!((p.hi - 0.696).abs() < 0.008, "{}", p.hi);
        assert!(p.identifiable());
    }

    #[test]
    fn a_ridge_is_not_identifiable_and_trades_off() {
        // f = ((x + y − 1)/0.05)²: any x has a y that makes f 0, so x's profile is
        // flat across the range, and y's best value moves with x.
        let mut f = |u: &[f64]| -> Result<f64, ()> { Ok(((u[0] + u[1] - 1.0) / 0.05).powi(2)) };
        let p = profile(0, &(vec![0.5, 0.5], 0.0), CHI2_95, &mut f).unwrap();
        assert!(!p.identifiable(), "{}..{}", p.lo, p.hi);
        assert!(p.moves(1) > TRADE_OFF_SHARE, "{}", p.moves(1));
        // And a parameter the objective ignores is flat too.
        let mut g = |u: &[f64]| -> Result<f64, ()> { Ok(((u[0] - 0.3) / 0.05).powi(2)) };
        let q = profile(1, &(vec![0.3, 0.5], 0.0), CHI2_95, &mut g).unwrap();
        assert!(!q.identifiable());
        assert!(q.moves(0) < 0.01);
    }
}

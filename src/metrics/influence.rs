//! How much each varied assumption moves a result, and how often one design beats
//! another across the assumptions: rank regression with bootstrap intervals and the
//! single-parameter split that best tells losing samples from winning ones (the Wilson
//! interval of a fraction is `stats::wilson95`).
//!
//! Standardised rank regression coefficients (SRRC) are used because the responses
//! are monotone but far from linear (a recovery time grows like 1 / concurrency and
//! saturates at the horizon): ranks keep the ordering and drop the scale, and the
//! coefficients of a multiple regression on a Latin hypercube (whose columns are
//! nearly uncorrelated) read like partial rank correlations, with a sign. The R² of
//! the same regression says how much of the ranking that view explains; a low R²
//! means interactions or non-monotone effects that the coefficients do not show.
//!
//! Everything here is a pure function of its inputs and of the random stream it is
//! given, summed in input order through `libm`, so the results are the same bit for
//! bit on every machine.

use super::stats::quantile;
use crate::engine::Stream;

/// The ranks of `values` from 1, ties sharing the mean of their ranks.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// `values` centred and scaled to unit sum of squares; `None` when they do not vary.
fn standardised(values: &[f64]) -> Option<Vec<f64>> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    if ss.partial_cmp(&(1e-12 * n)) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let scale = libm::sqrt(ss);
    Some(values.iter().map(|v| (v - mean) / scale).collect())
}

/// A rank regression: one coefficient per input column and the R² of the fit.
#[derive(Clone, Debug, PartialEq)]
pub struct RankRegression {
    pub coefficients: Vec<f64>,
    pub r2: f64,
}

/// The standardised rank regression of `y` on the columns of `x` (each as long as
/// `y`). `None` when `y` or a column does not vary, or the columns are collinear.
pub fn srrc(x: &[Vec<f64>], y: &[f64]) -> Option<RankRegression> {
    let zy = standardised(&ranks(y))?;
    let zx: Vec<Vec<f64>> = x
        .iter()
        .map(|c| standardised(&ranks(c)))
        .collect::<Option<_>>()?;
    let d = zx.len();
    // Normal equations: (ZᵀZ) b = Zᵀy, with ZᵀZ the rank correlation matrix.
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
    let mut m: Vec<Vec<f64>> = (0..d)
        .map(|i| {
            let mut row: Vec<f64> = (0..d).map(|j| dot(&zx[i], &zx[j])).collect();
            row.push(dot(&zx[i], &zy));
            row
        })
        .collect();
    // R² = bᵀ(Zᵀy) for standardised data; elimination overwrites `m`, so keep Zᵀy.
    let rhs: Vec<f64> = m.iter().map(|row| row[d]).collect();
    let b = solve(&mut m)?;
    let r2 = b.iter().zip(&rhs).map(|(p, q)| p * q).sum::<f64>();
    // Nearly collinear rank columns (few samples) can push a coefficient past ±1;
    // it is read as a partial rank correlation, so it is kept in −1..+1.
    let b = b.into_iter().map(|c| c.clamp(-1.0, 1.0)).collect();
    Some(RankRegression {
        coefficients: b,
        r2: r2.clamp(0.0, 1.0),
    })
}

/// Solves the augmented system `m` (d rows of d + 1) by Gaussian elimination with
/// partial pivoting; `None` when it is singular.
fn solve(m: &mut [Vec<f64>]) -> Option<Vec<f64>> {
    let d = m.len();
    for col in 0..d {
        let pivot = (col..d).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        if m[pivot][col].abs() < 1e-10 {
            return None;
        }
        m.swap(col, pivot);
        let (top, rest) = m.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for row in rest.iter_mut() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
        }
    }
    let mut b = vec![0.0; d];
    for i in (0..d).rev() {
        let s: f64 = (i + 1..d).map(|k| m[i][k] * b[k]).sum();
        b[i] = (m[i][d] - s) / m[i][i];
    }
    Some(b)
}

/// Percentile bootstrap 95 % intervals of each SRRC: `resamples` resamples of the
/// rows (with replacement) drawn from `rng`, each regressed afresh. Resamples whose
/// regression is undefined (a column that does not vary in it) are left out; `None`
/// for a coefficient when fewer than half the resamples were usable.
///
/// A resample repeats rows, so with few samples its columns can be nearly collinear
/// and its coefficients far outside −1..+1 (±4.5 with 13 samples); each resampled
/// coefficient is clamped to −1..+1, the range an SRRC reads in, before the
/// percentiles are taken, so the interval never claims more than the whole range.
pub fn bootstrap_srrc(
    x: &[Vec<f64>],
    y: &[f64],
    resamples: usize,
    rng: &mut Stream,
) -> Vec<Option<(f64, f64)>> {
    let n = y.len();
    let d = x.len();
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); d];
    let mut xs: Vec<Vec<f64>> = vec![vec![0.0; n]; d];
    let mut ys = vec![0.0; n];
    for _ in 0..resamples {
        for i in 0..n {
            let row = rng.below(n as u64) as usize;
            ys[i] = y[row];
            for j in 0..d {
                xs[j][i] = x[j][row];
            }
        }
        if let Some(fit) = srrc(&xs, &ys) {
            for (j, c) in fit.coefficients.into_iter().enumerate() {
                draws[j].push(c.clamp(-1.0, 1.0));
            }
        }
    }
    draws
        .into_iter()
        .map(|mut v| {
            if v.len() * 2 < resamples.max(1) {
                return None;
            }
            v.sort_by(f64::total_cmp);
            Some((quantile(&v, 0.025), quantile(&v, 0.975)))
        })
        .collect()
}

/// A threshold on one input that separates samples: "the flagged samples are those
/// with input `column` above (or below) `threshold`".
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub column: usize,
    /// True: flagged when the value is above the threshold; false: below.
    pub above: bool,
    pub threshold: f64,
    /// Samples the rule classifies correctly.
    pub correct: usize,
}

/// The single-column threshold rule that classifies the most samples of `flagged`
/// correctly, thresholds halfway between neighbouring values; ties go to the first
/// column, then "above", then the lower threshold. `None` when no rule beats
/// calling every sample the majority class, or nothing or everything is flagged.
pub fn best_split(x: &[Vec<f64>], flagged: &[bool]) -> Option<Split> {
    let n = flagged.len();
    let total = flagged.iter().filter(|f| **f).count();
    if total == 0 || total == n {
        return None;
    }
    let mut best: Option<Split> = None;
    let majority = total.max(n - total);
    for (column, values) in x.iter().enumerate() {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
        // Flagged samples at or below each cut.
        let mut below = 0;
        for cut in 0..n - 1 {
            below += flagged[order[cut]] as usize;
            let (lo, hi) = (values[order[cut]], values[order[cut + 1]]);
            if lo == hi {
                continue;
            }
            let k = cut + 1;
            // "Flagged above": unflagged below the cut plus flagged above it.
            let above_correct = (k - below) + (total - below);
            let below_correct = below + (n - k - (total - below));
            for (above, correct) in [(true, above_correct), (false, below_correct)] {
                if correct > majority && best.as_ref().is_none_or(|b| correct > b.correct) {
                    best = Some(Split {
                        column,
                        above,
                        threshold: lo + (hi - lo) / 2.0,
                        correct,
                    });
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn srrc_finds_a_monotone_effect_and_ignores_noise() {
        // y rises with the cube of x0 and ignores x1: the rank coefficient of x0 is
        // 1 and R² is 1 (the ranks are the same), x1's is 0 within rounding.
        let x0: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let x1: Vec<f64> = (0..20).map(|i| ((i * 7) % 20) as f64).collect();
        let y: Vec<f64> = x0.iter().map(|v| v * v * v).collect();
        let fit = srrc(&[x0.clone(), x1.clone()], &y).unwrap();
        assert!((fit.coefficients[0] - 1.0).abs() < 1e-9, "{fit:?}");
        assert!(fit.coefficients[1].abs() < 1e-9, "{fit:?}");
        assert!((fit.r2 - 1.0).abs() < 1e-9);
        // A decreasing response has a negative coefficient.
        let down: Vec<f64> = x0.iter().map(|v| -v).collect();
        assert!(srrc(&[x0.clone(), x1.clone()], &down).unwrap().coefficients[0] < -0.99);
        // A response that does not vary has no regression.
        assert_eq!(srrc(&[x0, x1], &[1.0; 20]), None);
    }

    #[test]
    fn bootstrap_intervals_cover_the_effect_and_zero_for_noise() {
        let mut rng = Stream::new(1, 0, 0, 0);
        let x0: Vec<f64> = (0..40).map(|i| i as f64).collect();
        let x1: Vec<f64> = (0..40).map(|_| rng.open01()).collect();
        let y: Vec<f64> = x0.iter().map(|v| v + 10.0 * rng.open01()).collect();
        let ci = bootstrap_srrc(&[x0, x1], &y, 500, &mut Stream::new(2, 0, 0, 0));
        let (lo0, hi0) = ci[0].unwrap();
        let (lo1, hi1) = ci[1].unwrap();
        assert!(lo0 > 0.5 && hi0 <= 1.01, "{lo0} {hi0}");
        assert!(lo1 < 0.0 && hi1 > 0.0, "{lo1} {hi1}");
    }

    #[test]
    fn the_best_split_finds_the_losing_region() {
        // Samples lose exactly when x1 > 0.7; x0 is unrelated.
        let x0: Vec<f64> = (0..10).map(|i| ((i * 3) % 10) as f64).collect();
        let x1: Vec<f64> = (0..10).map(|i| i as f64 / 10.0).collect();
        let loses: Vec<bool> = x1.iter().map(|v| *v > 0.7).collect();
        let s = best_split(&[x0, x1], &loses).unwrap();
        assert_eq!((s.column, s.above, s.correct), (1, true, 10));
        assert!((s.threshold - 0.75).abs() < 1e-12);
        assert_eq!(best_split(&[vec![1.0, 2.0]], &[false, false]), None);
    }
}

//! The search for the best parameters, in the unit cube (each parameter's range
//! mapped to 0..1, on a log scale where asked): a Latin hypercube of starting points,
//! then Nelder–Mead from the best of them, every point kept inside the box. Both are
//! deterministic: the hypercube comes from the seed's own stream and Nelder–Mead
//! makes no random choice, so the same command probes the same points.

use super::super::sensitivity::lhs::latin_hypercube;

/// Starting points of a search of `p` parameters: 5 per parameter, at least 10.
pub fn start_points(p: usize) -> usize {
    (5 * p).max(10)
}

/// The most probes Nelder–Mead makes after the start, for `p` parameters.
pub fn nelder_mead_probes(p: usize) -> usize {
    30 * p + 10
}

/// Nelder–Mead stops when the simplex is this small in every coordinate (of the unit
/// cube) and its values agree to [`VALUE_TOLERANCE`].
const SIZE_TOLERANCE: f64 = 1e-3;
const VALUE_TOLERANCE: f64 = 1e-3;

/// The first simplex's edge, in the unit cube.
const FIRST_STEP: f64 = 0.15;

/// A point of the unit cube and the objective there.
pub type Point = (Vec<f64>, f64);

/// The latin hypercube start from `seed`: the points and their objectives, in order.
pub fn start<E>(
    p: usize,
    seed: u64,
    f: &mut impl FnMut(&[f64]) -> Result<f64, E>,
) -> Result<Vec<Point>, E> {
    latin_hypercube(start_points(p), p, seed)
        .into_iter()
        .map(|u| f(&u).map(|v| (u, v)))
        .collect()
}

/// `u` put inside the unit cube.
fn clamp(u: &mut [f64]) {
    for x in u {
        *x = x.clamp(0.0, 1.0);
    }
}

/// Minimises `f` over the unit cube by Nelder–Mead from `from`, with at most
/// `budget` probes (points outside the box are moved to its face). Returns the best
/// point found.
pub fn nelder_mead<E>(
    from: Point,
    budget: usize,
    f: &mut impl FnMut(&[f64]) -> Result<f64, E>,
) -> Result<Point, E> {
    let p = from.0.len();
    if p == 0 {
        return Ok(from);
    }
    let mut used = 0;
    let mut eval = |u: Vec<f64>, used: &mut usize| -> Result<Point, E> {
        *used += 1;
        let v = f(&u)?;
        Ok((u, v))
    };
    let mut simplex: Vec<Point> = vec![from.clone()];
    for i in 0..p {
        let mut u = from.0.clone();
        // Step into the box: towards the far side when near the upper face.
        u[i] += if u[i] + FIRST_STEP <= 1.0 {
            FIRST_STEP
        } else {
            -FIRST_STEP
        };
        clamp(&mut u);
        simplex.push(eval(u, &mut used)?);
    }
    let order = |s: &mut Vec<Point>| s.sort_by(|a, b| a.1.total_cmp(&b.1));
    while used < budget {
        order(&mut simplex);
        let (best, worst) = (simplex[0].1, simplex[p].1);
        let size = (0..p)
            .map(|j| {
                let (lo, hi) = simplex.iter().fold((f64::MAX, f64::MIN), |(lo, hi), q| {
                    (lo.min(q.0[j]), hi.max(q.0[j]))
                });
                hi - lo
            })
            .fold(0.0, f64::max);
        if size < SIZE_TOLERANCE && (worst - best).abs() <= VALUE_TOLERANCE * (1.0 + best.abs()) {
            break;
        }
        let centroid: Vec<f64> = (0..p)
            .map(|j| simplex[..p].iter().map(|q| q.0[j]).sum::<f64>() / p as f64)
            .collect();
        let toward = |t: f64| -> Vec<f64> {
            let mut u: Vec<f64> = centroid
                .iter()
                .zip(&simplex[p].0)
                .map(|(c, w)| c + t * (c - w))
                .collect();
            clamp(&mut u);
            u
        };
        let reflected = eval(toward(1.0), &mut used)?;
        if reflected.1 < simplex[0].1 {
            let expanded = eval(toward(2.0), &mut used)?;
            simplex[p] = if expanded.1 < reflected.1 {
                expanded
            } else {
                reflected
            };
            continue;
        }
        if reflected.1 < simplex[p - 1].1 {
            simplex[p] = reflected;
            continue;
        }
        let contracted = if reflected.1 < simplex[p].1 {
            eval(toward(0.5), &mut used)?
        } else {
            eval(toward(-0.5), &mut used)?
        };
        if contracted.1 < simplex[p].1.min(reflected.1) {
            simplex[p] = contracted;
            continue;
        }
        // Shrink towards the best point.
        for i in 1..=p {
            if used >= budget {
                break;
            }
            let u: Vec<f64> = simplex[0]
                .0
                .iter()
                .zip(&simplex[i].0)
                .map(|(b, x)| b + 0.5 * (x - b))
                .collect();
            simplex[i] = eval(u, &mut used)?;
        }
    }
    order(&mut simplex);
    Ok(simplex.swap_remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum_inside_and_on_the_box() {
        // (x − 0.3)² + 4(y − 0.7)² has its minimum 0 at (0.3, 0.7); with the centre
        // at x = 1.4 the minimum on the box is on the face x = 1, at y = 0.7.
        for (cx, want) in [(0.3, 0.3), (1.4, 1.0)] {
            let mut n = 0;
            let mut f = |u: &[f64]| -> Result<f64, ()> {
                n += 1;
                Ok((u[0] - cx) * (u[0] - cx) + 4.0 * (u[1] - 0.7) * (u[1] - 0.7))
            };
            let (u, _) = nelder_mead((vec![0.5, 0.5], 1.0), 200, &mut f).unwrap();
            assert!((u[0] - want).abs() < 0.01, "{u:?}");
            assert!((u[1] - 0.7).abs() < 0.01, "{u:?}");
            assert!(n <= 200);
        }
    }

    #[test]
    fn the_start_is_deterministic() {
        let mut f = |u: &[f64]| -> Result<f64, ()> { Ok(u[0]) };
        let a = start(2, 7, &mut f).unwrap();
        let b = start(2, 7, &mut f).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 10);
    }
}

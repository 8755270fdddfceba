//! The Latin hypercube a sensitivity study samples: n points in the unit cube of d
//! dimensions such that each dimension's n equal strata hold exactly one point each.
//! Every parameter's range is then covered evenly whatever the number of samples,
//! which a plain random sample does not promise.
//!
//! Dimension j draws from its own stream ([`Purpose::SensitivitySample`], entity j),
//! so adding a parameter does not move the others' samples.

use crate::model::Purpose;

/// `n` points of `d` coordinates in (0, 1), from `seed`: point i's coordinate j lies
/// in stratum `perm_j(i)`, i.e. in `[perm_j(i) / n, (perm_j(i) + 1) / n)`, at a
/// uniform place within it.
pub fn latin_hypercube(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; d]; n];
    for j in 0..d {
        let mut rng = Purpose::SensitivitySample.stream(seed, 0, j as u64);
        // Fisher-Yates: a uniform permutation of the strata.
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let k = rng.below(i as u64 + 1) as usize;
            strata.swap(i, k);
        }
        for (point, stratum) in points.iter_mut().zip(&strata) {
            point[j] = (*stratum as f64 + rng.open01()) / n as f64;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stratum_is_hit_once_per_dimension() {
        // Proves the Latin property for several sizes: flooring n·u gives every
        // stratum 0..n exactly once in each dimension, and every coordinate is in
        // (0, 1).
        for (n, d) in [(1, 1), (2, 3), (7, 2), (64, 5)] {
            let pts = latin_hypercube(n, d, 9);
            assert_eq!(pts.len(), n);
            for j in 0..d {
                let mut hit = vec![0; n];
                for p in &pts {
                    assert!(p[j] > 0.0 && p[j] < 1.0);
                    hit[(p[j] * n as f64) as usize] += 1;
                }
                assert!(hit.iter().all(|h| *h == 1), "n {n} dim {j}: {hit:?}");
            }
        }
    }

    #[test]
    fn the_design_depends_on_the_seed_only() {
        // The same seed gives the same points; another seed other points; adding a
        // dimension leaves the first ones where they were.
        assert_eq!(latin_hypercube(16, 3, 5), latin_hypercube(16, 3, 5));
        assert_ne!(latin_hypercube(16, 3, 5), latin_hypercube(16, 3, 6));
        let two = latin_hypercube(16, 2, 5);
        let three = latin_hypercube(16, 3, 5);
        assert!(two.iter().zip(&three).all(|(a, b)| a[..] == b[..2]));
    }
}

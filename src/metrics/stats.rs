//! Summary statistics over replicate results: mean, sample standard deviation,
//! a Student-t 95 % confidence interval of the mean, and the difference between
//! two designs: paired when they ran on the same seeds, Welch's interval when not.
//!
//! Every sum is taken in input order and every non-trivial function goes
//! through `libm`, so a summary depends only on the input values and their
//! order, bit for bit, on every machine.

/// Descriptive statistics of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation with the n − 1 denominator; NaN when n = 1 (use
    /// [`Summary::std_dev`]).
    pub std: f64,
    /// Lower end of the 95 % confidence interval of the mean; NaN when n = 1 (use
    /// [`Summary::ci95`]).
    pub ci95_lo: f64,
    /// Upper end of the 95 % confidence interval of the mean; NaN when n = 1.
    pub ci95_hi: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Median over the values ([`quantile`] at 0.5).
    pub p50: f64,
    /// 90th percentile over the values.
    pub p90: f64,
    /// 99th percentile over the values: with fewer than 100 values it lies between
    /// the two largest, so read it as "about the worst case seen", not as a tail
    /// estimate.
    pub p99: f64,
}

/// The fewest replications from which a spread, and so a confidence interval or a
/// verdict, can be estimated.
pub const MIN_REPLICATIONS_FOR_CI: usize = 2;

/// Why a figure has no confidence interval, for the outputs that print `n/a`.
pub const NO_CI_REASON: &str = "a 95 % CI needs at least 2 replications";

impl Summary {
    /// The 95 % confidence interval of the mean, or None when there are too few
    /// values to estimate one.
    pub fn ci95(&self) -> Option<(f64, f64)> {
        (self.n >= MIN_REPLICATIONS_FOR_CI).then_some((self.ci95_lo, self.ci95_hi))
    }

    /// The sample standard deviation, or None when there are too few values.
    pub fn std_dev(&self) -> Option<f64> {
        (self.n >= MIN_REPLICATIONS_FOR_CI).then_some(self.std)
    }
}

/// Summarises `values`.
///
/// The standard deviation uses the n − 1 denominator; the interval is
/// `mean ± t(0.975, n − 1) · std / √n`. With a single value neither can be
/// estimated: both are NaN, so no output can mistake them for a zero spread or a
/// zero-width interval. An empty slice gives every field 0 (including `n`), so callers can
/// test `n == 0` rather than handle NaN. When all values are equal, the mean
/// is that value exactly, the standard deviation exactly 0 and the interval
/// exactly `[v, v]`, with no rounding noise. NaN inputs make the mean, std and
/// interval NaN; min and max follow `f64::min`/`f64::max`, which skip NaN.
pub fn summarize(values: &[f64]) -> Summary {
    let n = values.len();
    let Some(&first) = values.first() else {
        return Summary {
            n: 0,
            mean: 0.0,
            std: 0.0,
            ci95_lo: 0.0,
            ci95_hi: 0.0,
            min: 0.0,
            max: 0.0,
            p50: 0.0,
            p90: 0.0,
            p99: 0.0,
        };
    };
    let min = values.iter().copied().fold(first, f64::min);
    let max = values.iter().copied().fold(first, f64::max);
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (p50, p90, p99) = (
        quantile(&sorted, 0.5),
        quantile(&sorted, 0.9),
        quantile(&sorted, 0.99),
    );

    if n < MIN_REPLICATIONS_FOR_CI {
        return Summary {
            n,
            mean: first,
            std: f64::NAN,
            ci95_lo: f64::NAN,
            ci95_hi: f64::NAN,
            min,
            max,
            p50,
            p90,
            p99,
        };
    }

    // Identical values: report them exactly, since mean = sum / n could be off
    // by an ulp (e.g. three times 0.1) and would make the deviations nonzero.
    if values.iter().all(|&v| v == first) {
        return Summary {
            n,
            mean: first,
            std: 0.0,
            ci95_lo: first,
            ci95_hi: first,
            min,
            max,
            p50,
            p90,
            p99,
        };
    }

    let count = n as f64;
    // First pass: the mean, refined by the mean deviation from it, which
    // removes most of the rounding error of the plain sum.
    let rough_mean = values.iter().sum::<f64>() / count;
    let (dev_sum, dev_sq_sum) = values.iter().fold((0.0, 0.0), |(s, sq), &v| {
        let d = v - rough_mean;
        (s + d, sq + d * d)
    });
    let mean = rough_mean + dev_sum / count;

    // Corrected two-pass variance (Chan, Golub and LeVeque): subtracting
    // (Σd)²/n compensates for the rounding in the first-pass mean.
    let variance = ((dev_sq_sum - dev_sum * dev_sum / count) / (count - 1.0)).max(0.0);
    let std = libm::sqrt(variance);
    let half_width = student_t_975(n - 1) * std / libm::sqrt(count);
    Summary {
        n,
        mean,
        std,
        ci95_lo: mean - half_width,
        ci95_hi: mean + half_width,
        min,
        max,
        p50,
        p90,
        p99,
    }
}

/// The `q` quantile of ascending `sorted` values, interpolated linearly between the
/// order statistics around position `q·(n − 1)` (Hyndman and Fan's type 7, the
/// default of R and NumPy): the 0 quantile is the smallest value, the 1 quantile the
/// largest, and the median of an even count the mean of the middle two. NaN for an
/// empty slice.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(&last) = sorted.last() else {
        return f64::NAN;
    };
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = libm::floor(pos) as usize;
    let frac = pos - lo as f64;
    match sorted.get(lo + 1) {
        // Equal neighbours give the value exactly, with no rounding noise.
        Some(&next) if frac > 0.0 && next != sorted[lo] => sorted[lo] + frac * (next - sorted[lo]),
        Some(_) => sorted[lo],
        None => last,
    }
}

/// The 0.975 quantiles of Student's t for 1 to 30 degrees of freedom,
/// computed to 20 significant digits with mpmath (incomplete-beta root).
const T_975_TABLE: [f64; 30] = [
    12.706_204_736_174_705,
    4.302_652_729_749_464,
    3.182_446_305_283_709_5,
    2.776_445_105_197_794_3,
    2.570_581_835_636_315_5,
    2.446_911_851_144_97,
    2.364_624_251_592_785_3,
    2.306_004_135_204_166_7,
    2.262_157_162_798_205_3,
    2.228_138_851_986_275,
    2.200_985_160_091_639_7,
    2.178_812_829_667_229,
    2.160_368_656_462_792_6,
    2.144_786_687_917_804,
    2.131_449_545_559_775_5,
    2.119_905_299_221_254_6,
    2.109_815_577_833_317,
    2.100_922_040_241_038_7,
    2.093_024_054_408_309_6,
    2.085_963_447_265_865,
    2.079_613_844_727_680_4,
    2.073_873_067_904_026_3,
    2.068_657_610_419_048_6,
    2.063_898_561_628_026,
    2.059_538_552_753_297_7,
    2.055_529_438_642_873,
    2.051_830_516_480_285_5,
    2.048_407_141_795_245,
    2.045_229_642_132_704_3,
    2.042_272_456_301_238,
];

/// The 0.975 quantile of the standard normal distribution.
const Z_975: f64 = 1.959_963_984_540_054;

/// The 0.975 quantile of Student's t distribution with `df` degrees of
/// freedom, accurate to better than 1e-7 for every `df ≥ 1`.
///
/// Degrees of freedom 1 to 30 come from an exact table. Above that a
/// four-term Cornish–Fisher expansion around the normal quantile is used;
/// its error is largest at df = 31, where it is about 3e-8, and shrinks like
/// df⁻⁵. `df = 0` gives infinity, since no interval can be formed.
pub fn student_t_975(df: usize) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    if let Some(&t) = T_975_TABLE.get(df - 1) {
        return t;
    }
    let z = Z_975;
    let z2 = z * z;
    let z3 = z2 * z;
    let z5 = z3 * z2;
    let z7 = z5 * z2;
    let z9 = z7 * z2;
    let g1 = (z3 + z) / 4.0;
    let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
    let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
    let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92160.0;
    let v = df as f64;
    // Horner form in 1/v keeps the evaluation order fixed and short.
    let x = 1.0 / v;
    z + x * (g1 + x * (g2 + x * (g3 + x * g4)))
}

/// The Wilson score 95 % interval of a proportion: `successes` out of `n` trials.
/// Unlike the normal approximation it stays inside [0, 1] and is not zero-width at
/// 0 or n successes, which is where targets are usually judged. `None` for n = 0.
pub fn wilson95(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (successes.min(n) as f64, n as f64);
    let z = Z_975;
    let z2 = z * z;
    let p = k / n;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * libm::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    // The ends are exact at 0 and n successes; elsewhere clamping only removes
    // rounding noise.
    let lo = if k == 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if k == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((lo, hi))
}

/// The difference of one figure between two designs (design − baseline), with its
/// 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    pub mean: f64,
    pub ci95_lo: f64,
    pub ci95_hi: f64,
    /// Paired over replications (common random numbers) or Welch's unpaired interval.
    pub paired: bool,
    /// Replications behind the interval: the pairs, or the smaller side for Welch's.
    pub n: usize,
}

impl Difference {
    /// The 95 % confidence interval of the difference, or None when there are too
    /// few replications to estimate one.
    pub fn ci95(&self) -> Option<(f64, f64)> {
        (self.n >= MIN_REPLICATIONS_FOR_CI).then_some((self.ci95_lo, self.ci95_hi))
    }

    /// True when there is a 95 % CI and it excludes zero.
    pub fn significant(&self) -> bool {
        self.ci95().is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0)
    }
}

/// Paired data whose two sides do not have one value per replication each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LengthMismatch {
    pub baseline: usize,
    pub design: usize,
}

impl std::fmt::Display for LengthMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "paired differences need the same number of runs on both sides, found {} and {}",
            self.baseline, self.design
        )
    }
}

impl std::error::Error for LengthMismatch {}

/// Design − baseline when run `i` of both used the same seed: the summary of the
/// element-wise differences `design[i] − baseline[i]`.
///
/// Sides of different lengths are an error, since pairing values by position would
/// then be meaningless.
pub fn paired_difference(baseline: &[f64], design: &[f64]) -> Result<Difference, LengthMismatch> {
    if baseline.len() != design.len() {
        return Err(LengthMismatch {
            baseline: baseline.len(),
            design: design.len(),
        });
    }
    let d: Vec<f64> = baseline.iter().zip(design).map(|(a, b)| b - a).collect();
    let s = summarize(&d);
    Ok(Difference {
        mean: s.mean,
        ci95_lo: s.ci95_lo,
        ci95_hi: s.ci95_hi,
        paired: true,
        n: s.n,
    })
}

/// Design − baseline for independent samples: Welch's interval, with the
/// Welch–Satterthwaite degrees of freedom rounded down. With no spread at all the
/// interval has zero width; with fewer than two values on a side there is none (NaN).
pub fn welch_difference(baseline: &[f64], design: &[f64]) -> Difference {
    let (a, b) = (summarize(baseline), summarize(design));
    let mean = b.mean - a.mean;
    let (va, vb) = (a.std * a.std / a.n as f64, b.std * b.std / b.n as f64);
    let se2 = va + vb;
    let n = a.n.min(b.n);
    let half = if n < MIN_REPLICATIONS_FOR_CI {
        f64::NAN
    } else if se2 > 0.0 {
        let df = se2 * se2 / (va * va / (a.n as f64 - 1.0) + vb * vb / (b.n as f64 - 1.0));
        student_t_975(df.floor().max(1.0) as usize) * libm::sqrt(se2)
    } else {
        0.0
    };
    Difference {
        mean,
        ci95_lo: mean - half,
        ci95_hi: mean + half,
        paired: false,
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        // Type 7: position q·(n − 1) in the sorted values.
        let sorted = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&sorted, 0.0), 1.0);
        assert_eq!(quantile(&sorted, 0.5), 3.0);
        assert_eq!(quantile(&sorted, 1.0), 10.0);
        // 0.9 · 4 = 3.6: 4 + 0.6 · (10 − 4).
        assert!((quantile(&sorted, 0.9) - 7.6).abs() < 1e-12);
        assert_eq!(quantile(&[1.0, 2.0], 0.5), 1.5);
        assert!(quantile(&[], 0.5).is_nan());
        // The summary sorts its input: order does not matter.
        let s = summarize(&[10.0, 4.0, 1.0, 3.0, 2.0]);
        assert_eq!((s.p50, s.max), (3.0, 10.0));
        assert!((s.p90 - 7.6).abs() < 1e-12);
        assert!((s.p99 - 9.76).abs() < 1e-12);
        // One value: every quantile is it.
        let one = summarize(&[7.0]);
        assert_eq!((one.p50, one.p90, one.p99), (7.0, 7.0, 7.0));
    }

    #[test]
    fn wilson_interval_matches_published_values() {
        // Newcombe (1998), Table I: 81/263 → 0.2553 to 0.3662; 0/10 → 0 to 0.2775;
        // 10/10 → 0.7225 to 1.
        let (lo, hi) = wilson95(81, 263).unwrap();
        assert!(
            (lo - 0.2553).abs() < 1e-4 && (hi - 0.3662).abs() < 1e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson95(0, 10).unwrap();
        assert!(lo == 0.0 && (hi - 0.2775).abs() < 1e-4, "{hi}");
        let (lo, hi) = wilson95(10, 10).unwrap();
        assert!((lo - 0.7225).abs() < 1e-4 && hi == 1.0, "{lo}");
        assert_eq!(wilson95(0, 0), None);
    }

    #[test]
    fn summarizes_the_textbook_example() {
        // Proves mean, std and CI on [2,4,4,4,5,5,7,9]: sum 40 / 8 = 5;
        // squared deviations 9+1+1+1+0+0+4+16 = 32, so std = sqrt(32/7)
        // = 2.138089935; half-width = t(7) 2.364624252 * 2.138089935 / sqrt(8)
        // = 1.787488 (to 6 places), so the CI is [3.212512, 6.787488].
        let s = summarize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(s.n, 8);
        assert_eq!(s.mean, 5.0);
        assert!(close(s.std, 2.138_089_935, 1e-9));
        assert!(close(s.ci95_lo, 3.212_512, 1e-6), "{s:?}");
        assert!(close(s.ci95_hi, 6.787_488, 1e-6), "{s:?}");
        assert_eq!((s.min, s.max), (2.0, 9.0));
    }

    #[test]
    fn paired_difference_by_hand() {
        // Baseline [10, 12, 9, 11], design [8, 11, 7, 10]: differences [-2, -1, -2, -1],
        // mean -1.5; squared deviations 4 × 0.25 = 1, so std = sqrt(1/3) = 0.577350269;
        // half-width t(3) 3.182446305 × 0.577350269 / 2 = 0.918693, so the CI is
        // [-2.418693, -0.581307], which excludes zero.
        let d = paired_difference(&[10.0, 12.0, 9.0, 11.0], &[8.0, 11.0, 7.0, 10.0]).unwrap();
        assert_eq!(d.mean, -1.5);
        assert!(close(d.ci95_lo, -2.418_693, 1e-6), "{d:?}");
        assert!(close(d.ci95_hi, -0.581_307, 1e-6), "{d:?}");
        assert!(d.paired);
        assert!(d.significant());
        // One pair: a difference, but no interval and so no verdict.
        let one = paired_difference(&[10.0], &[8.0]).unwrap();
        assert_eq!((one.mean, one.n, one.ci95()), (-2.0, 1, None));
        assert!(!one.significant());
    }

    #[test]
    fn welch_difference_by_hand() {
        // The same numbers as independent samples: the baseline has mean 10.5 and
        // variance 5/3 (deviations ±0.5, ±1.5), the design mean 9 and variance 10/3
        // (deviations ±1, ±2), so se² = 5/3 / 4 + 10/3 / 4 = 1.25, se = 1.118034.
        // Welch–Satterthwaite: 1.25² / ((5/12)² / 3 + (10/12)² / 3) = 5.4, rounded
        // down to 5 degrees of freedom, t(5) = 2.570582, half-width 2.873998: the CI
        // is [-4.373998, 1.373998], which includes zero: the pairing is what removes
        // the shared replication-to-replication spread.
        let w = welch_difference(&[10.0, 12.0, 9.0, 11.0], &[8.0, 11.0, 7.0, 10.0]);
        assert_eq!(w.mean, -1.5);
        assert!(close(w.ci95_lo, -4.373_998, 1e-6), "{w:?}");
        assert!(close(w.ci95_hi, 1.373_998, 1e-6), "{w:?}");
        assert!(!w.paired);
        assert!(!w.significant());
        // One value a side: no spread can be estimated, so there is no interval and
        // no verdict, only the difference of the two values.
        let one = welch_difference(&[1.0], &[3.0]);
        assert_eq!((one.mean, one.n, one.ci95()), (2.0, 1, None));
        assert!(one.ci95_lo.is_nan() && one.ci95_hi.is_nan());
        assert!(!one.significant());
    }

    #[test]
    fn paired_difference_rejects_a_length_mismatch() {
        // Two baseline runs against one design run cannot be paired: an error naming
        // both lengths, not a truncated or unpaired result.
        let e = paired_difference(&[1.0, 2.0], &[1.0]).unwrap_err();
        assert_eq!(
            e,
            LengthMismatch {
                baseline: 2,
                design: 1
            }
        );
        assert!(e.to_string().contains("found 2 and 1"), "{e}");
    }

    #[test]
    fn handles_degenerate_inputs_exactly() {
        // Proves the documented edge cases: empty gives all zeros with n = 0;
        // one value 7 gives mean 7 and no std or CI (NaN fields, None from the
        // accessors), not a zero spread; three copies of 0.1
        // (whose float sum / 3 is not exactly 0.1) give mean 0.1, std exactly
        // 0 and CI exactly [0.1, 0.1].
        let empty = summarize(&[]);
        assert_eq!(empty.n, 0);
        assert_eq!(
            (
                empty.mean,
                empty.std,
                empty.ci95_lo,
                empty.ci95_hi,
                empty.min,
                empty.max
            ),
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        );
        let one = summarize(&[7.0]);
        assert_eq!((one.n, one.mean, one.min, one.max), (1, 7.0, 7.0, 7.0));
        assert!(one.std.is_nan() && one.ci95_lo.is_nan() && one.ci95_hi.is_nan());
        assert_eq!((one.ci95(), one.std_dev()), (None, None));
        let two = summarize(&[1.0, 3.0]);
        assert!(two.ci95().is_some() && two.std_dev().is_some());
        let same = summarize(&[0.1, 0.1, 0.1]);
        assert_eq!(
            (same.mean, same.std, same.ci95_lo, same.ci95_hi),
            (0.1, 0.0, 0.1, 0.1)
        );
        let nan = summarize(&[1.0, f64::NAN]);
        assert!(nan.mean.is_nan());
    }

    #[test]
    fn is_accurate_for_large_offsets() {
        // Proves the two-pass computation avoids cancellation: 1e9 + [1,2,3]
        // has mean 1e9 + 2 and std exactly 1 (deviations -1, 0, 1; 2/2 = 1),
        // which a naive sum-of-squares formula gets badly wrong.
        let s = summarize(&[1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0]);
        assert_eq!(s.mean, 1e9 + 2.0);
        assert_eq!(s.std, 1.0);
    }

    #[test]
    fn student_t_matches_reference_values() {
        // Proves the quantile against reference values (mpmath / tables):
        // df 1 = 12.706204736, 2 = 4.302652730, 3 = 3.182446305,
        // 4 = 2.776445105, 5 = 2.570581836, 30 = 2.042272456,
        // 31 = 2.039513446 (first expansion value), 40 = 2.021075390,
        // 60 = 2.000297822, 120 = 1.979930405, 1000 = 1.962339081,
        // and a huge df tends to z = 1.959963985; df 0 is infinite. The
        // tolerance 5e-8 covers the 9-digit rounding of these references and
        // the expansion error, largest at df 31 (about 2.6e-8).
        let cases = [
            (1, 12.706_204_736),
            (2, 4.302_652_730),
            (3, 3.182_446_305),
            (4, 2.776_445_105),
            (5, 2.570_581_836),
            (30, 2.042_272_456),
            (31, 2.039_513_446),
            (35, 2.030_107_928),
            (40, 2.021_075_390),
            (60, 2.000_297_822),
            (120, 1.979_930_405),
            (1000, 1.962_339_081),
            (usize::MAX, 1.959_963_985),
        ];
        for (df, expected) in cases {
            let t = student_t_975(df);
            assert!(close(t, expected, 5e-8), "df {df}: {t} vs {expected}");
        }
        assert_eq!(student_t_975(0), f64::INFINITY);
    }

    #[test]
    fn student_t_decreases_monotonically() {
        // Proves there is no jump where the table hands over to the
        // expansion: t(df) strictly decreases from df 1 to 500.
        for df in 1..500 {
            assert!(student_t_975(df + 1) < student_t_975(df), "df {df}");
        }
    }
}

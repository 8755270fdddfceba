//! Distributions of durations, sampled in whole microseconds.
//!
//! A sample is the same bit pattern on every machine: the transcendental functions are
//! either `libm`'s (portable Rust, no platform math library) or [`exp`] here, built from
//! a table and a polynomial with IEEE basic operations only. Normal draws use the
//! ziggurat method, whose tables are computed once from `libm`. Parameters are validated
//! by the scenario loader; the constructors here assume valid input.

use std::sync::LazyLock;

use super::Micros;
use super::rng::Stream;

/// A distribution of non-negative durations.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always `d`.
    Fixed(Micros),
    /// Exponential with the given mean (memoryless; the time to the next Poisson event).
    Exponential { mean_us: f64 },
    /// Uniform on [min, max].
    Uniform { min_us: f64, max_us: f64 },
    /// Log-normal with the given *mean* (not median) and shape `sigma` (the standard
    /// deviation of the underlying normal). The median is mean·exp(−sigma²/2).
    LogNormal { mean_us: f64, sigma: f64 },
    /// Weibull with `shape` k and `scale` λ: λ·(−ln U)^(1/k). k < 1: infant mortality,
    /// k = 1: exponential, k > 1: wear-out.
    Weibull { shape: f64, scale_us: f64 },
    /// Piecewise-linear inverse CDF through sorted observations: U picks a position
    /// between observations and interpolates, so samples lie in [first, last].
    Empirical(Vec<Micros>),
}

impl Dist {
    /// Draws one duration. Every family but the log-normal makes exactly one uniform
    /// draw; the log-normal's ziggurat makes one in about 99 % of samples and a few more
    /// otherwise. Either way the n-th sample of a stream depends only on the stream.
    pub fn sample(&self, rng: &mut Stream) -> Micros {
        let x = match self {
            Dist::Fixed(d) => return *d,
            Dist::Exponential { mean_us } => -mean_us * libm::log(rng.open01()),
            Dist::Uniform { min_us, max_us } => min_us + (max_us - min_us) * rng.open01(),
            // exp(mu + sigma·z) with mu = ln(mean) − sigma²/2, written so that no
            // logarithm is needed per sample.
            Dist::LogNormal { mean_us, sigma } => {
                mean_us * exp(sigma * standard_normal(rng) - 0.5 * sigma * sigma)
            }
            Dist::Weibull { shape, scale_us } => {
                scale_us * libm::pow(-libm::log(rng.open01()), 1.0 / shape)
            }
            Dist::Empirical(values) => {
                let last = values.len() - 1;
                if last == 0 {
                    return values[0];
                }
                let pos = rng.open01() * last as f64;
                let i = (pos as usize).min(last - 1);
                let frac = pos - i as f64;
                values[i] as f64 + (values[i + 1] as f64 - values[i] as f64) * frac
            }
        };
        to_micros(x)
    }

    /// The mean of the distribution, in microseconds.
    pub fn mean_us(&self) -> f64 {
        match self {
            Dist::Fixed(d) => *d as f64,
            Dist::Exponential { mean_us } => *mean_us,
            Dist::Uniform { min_us, max_us } => 0.5 * (min_us + max_us),
            Dist::LogNormal { mean_us, .. } => *mean_us,
            Dist::Weibull { shape, scale_us } => scale_us * gamma(1.0 + 1.0 / shape),
            Dist::Empirical(values) => {
                if values.len() == 1 {
                    return values[0] as f64;
                }
                // The mean of a piecewise-linear inverse CDF: the average of the
                // segment midpoints.
                let segments = (values.len() - 1) as f64;
                values
                    .windows(2)
                    .map(|w| 0.5 * (w[0] as f64 + w[1] as f64))
                    .sum::<f64>()
                    / segments
            }
        }
    }
}

/// Rounds a sampled duration to whole microseconds (halves away from zero), clamping
/// into the u64 range.
///
/// Equal to `libm::round` for every input, but with a truncation and one subtraction:
/// for 0 < x < 2^53 the fractional part `x − trunc(x)` is exact in binary floating point.
#[inline]
fn to_micros(x: f64) -> Micros {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= u64::MAX as f64 {
        u64::MAX
    } else if x < 9_007_199_254_740_992.0 {
        // Below 2^53 through i64, whose conversions are single instructions on x86-64
        // (u64's are not).
        let whole = x as i64;
        (whole + i64::from(x - whole as f64 >= 0.5)) as Micros
    } else {
        // From 2^53 on, every double is a whole number.
        x as Micros
    }
}

/// Table size of [`exp`]: 2^(j/256) for j in 0..256.
const EXP_STEPS: usize = 256;

/// 2^(j/256) for j in 0..256, from `libm` once.
static EXP_TABLE: LazyLock<[f64; EXP_STEPS]> =
    LazyLock::new(|| std::array::from_fn(|j| libm::exp2(j as f64 / EXP_STEPS as f64)));

/// e^x within 2 ulp of `libm::exp`, several times faster, from a 256-entry table and a
/// degree-4 polynomial using only IEEE basic operations (so the same bits everywhere).
///
/// x = (256·k + j)·ln2/256 + r with |r| ≤ ln2/512, and e^x = 2^k · 2^(j/256) · e^r. The
/// reduction subtracts ln2/256 in two parts (the high part has trailing zero bits, so
/// n·high is exact), and e^r's Taylor polynomial to r^4 errs by under r^5/120 ≈ 4e-17.
/// The polynomial is evaluated in two independent halves to shorten the dependency
/// chain. Outside ±700 (overflow, subnormal results) it defers to `libm`.
#[inline]
pub fn exp(x: f64) -> f64 {
    // ln2/256 in two parts (fdlibm's ln2_hi and ln2_lo over 256): HIGH has 32
    // significant bits, LOW carries the next 53.
    const INV_STEP: f64 = EXP_STEPS as f64 / std::f64::consts::LN_2;
    const STEP_HIGH: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000) / EXP_STEPS as f64;
    const STEP_LOW: f64 = f64::from_bits(0x3dea_39ef_3579_3c76) / EXP_STEPS as f64;
    // Adding 1.5·2^52 rounds to the nearest integer (ties to even) in the low bits.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    if !(-700.0..=700.0).contains(&x) {
        return libm::exp(x);
    }
    let shifted = x * INV_STEP + SHIFT;
    let n = shifted.to_bits() as i64 as i32;
    let nf = shifted - SHIFT;
    let r = (x - nf * STEP_HIGH) - nf * STEP_LOW;
    let r2 = r * r;
    // e^r − 1 = r + r²·(1/2 + r/6 + r²/24), kept apart from the 1 so that the table
    // value is added last and the rounding errors stay near half an ulp each.
    let q = r + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0));
    let j = (n & (EXP_STEPS as i32 - 1)) as usize;
    let k = n >> 8;
    // 2^k as a double; |k| ≤ 1010 here, so it is a normal number.
    let scale = f64::from_bits(((1023 + k) as u64) << 52);
    let t = EXP_TABLE[j];
    (t + t * q) * scale
}

/// Layers of the ziggurat.
const ZIG_LAYERS: usize = 128;
/// Where the base layer's tail starts, and each layer's area (Marsaglia and Tsang 2000,
/// constants for 128 layers as in Doornik 2005).
const ZIG_R: f64 = 3.442_619_855_899;
const ZIG_AREA: f64 = 9.912_563_035_262_17e-3;

/// The ziggurat's layer edges `x` and the ratio of each layer's inner edge to its outer.
struct Ziggurat {
    x: [f64; ZIG_LAYERS + 1],
    ratio: [f64; ZIG_LAYERS],
}

static ZIGGURAT: LazyLock<Ziggurat> = LazyLock::new(|| {
    let mut x = [0.0; ZIG_LAYERS + 1];
    let mut f = libm::exp(-0.5 * ZIG_R * ZIG_R);
    x[0] = ZIG_AREA / f;
    x[1] = ZIG_R;
    for i in 2..ZIG_LAYERS {
        x[i] = libm::sqrt(-2.0 * libm::log(ZIG_AREA / x[i - 1] + f));
        f = libm::exp(-0.5 * x[i] * x[i]);
    }
    let ratio = std::array::from_fn(|i| x[i + 1] / x[i]);
    Ziggurat { x, ratio }
});

/// A standard normal draw by the ziggurat method (Doornik's ZIGNOR): one 64-bit draw
/// gives the layer (low 7 bits) and the position (high 53 bits); about 99 % of draws
/// are accepted by one compare. The wedges and the tail use `libm`.
#[inline]
fn standard_normal(rng: &mut Stream) -> f64 {
    let z = &*ZIGGURAT;
    loop {
        let bits = rng.next_u64();
        let u = 2.0 * (((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)) - 1.0;
        let i = (bits & (ZIG_LAYERS as u64 - 1)) as usize;
        if u.abs() < z.ratio[i] {
            return u * z.x[i];
        }
        if i == 0 {
            return normal_tail(rng, u < 0.0);
        }
        let x = u * z.x[i];
        let f0 = libm::exp(-0.5 * (z.x[i] * z.x[i] - x * x));
        let f1 = libm::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - x * x));
        if f1 + rng.open01() * (f0 - f1) < 1.0 {
            return x;
        }
    }
}

/// A draw from the normal tail beyond [`ZIG_R`] (Marsaglia 1964).
#[cold]
fn normal_tail(rng: &mut Stream, negative: bool) -> f64 {
    loop {
        let x = libm::log(rng.open01()) / ZIG_R;
        let y = libm::log(rng.open01());
        if -2.0 * y >= x * x {
            return if negative { x - ZIG_R } else { ZIG_R - x };
        }
    }
}

/// The gamma function (for the Weibull mean), via libm for portability.
fn gamma(x: f64) -> f64 {
    libm::tgamma(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_mean(d: &Dist, n: usize) -> f64 {
        let mut rng = Stream::new(11, 0, 0, 0);
        (0..n).map(|_| d.sample(&mut rng) as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_stated_means() {
        // 200 000 samples: the sample mean is within 1 % of the stated mean for each
        // family (standard errors are all below 0.3 %).
        let cases = [
            Dist::Exponential { mean_us: 1e6 },
            Dist::Uniform {
                min_us: 1e6,
                max_us: 5e6,
            },
            Dist::LogNormal {
                mean_us: 45e6,
                sigma: 0.3,
            },
            Dist::Weibull {
                shape: 1.5,
                scale_us: 1e6,
            },
            Dist::Empirical(vec![1_000_000, 2_000_000, 6_000_000]),
        ];
        for d in &cases {
            let m = sample_mean(d, 200_000);
            let rel = (m - d.mean_us()).abs() / d.mean_us();
            assert!(rel < 0.01, "{d:?}: sample mean {m}, stated {}", d.mean_us());
        }
    }

    #[test]
    fn exp_matches_libm_within_two_ulp() {
        // 2 000 001 points evenly over [-40, 40] (log-normal arguments stay far inside)
        // plus the ends of the table range and the libm fallback: every result within
        // 2 ulp of libm (positive doubles are ordered like their bit patterns).
        let ulps = |x: f64| (exp(x).to_bits() as i64 - libm::exp(x).to_bits() as i64).abs();
        let mut worst = 0;
        for i in 0..=2_000_000 {
            let x = -40.0 + 80.0 * i as f64 / 2_000_000.0;
            worst = worst.max(ulps(x));
        }
        for x in [
            -700.0, -699.9, 699.9, 700.0, -745.0, 710.0, 0.0, 1e-300, -1e-300,
        ] {
            worst = worst.max(ulps(x));
        }
        assert!(worst <= 2, "largest error {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert!((exp(1.0) - std::f64::consts::E).abs() <= f64::EPSILON * 2.0);
    }

    #[test]
    fn to_micros_rounds_like_libm() {
        // Halves round away from zero, the largest double below one half rounds down,
        // and large values stay exact; a sweep of fractions agrees with libm::round.
        let cases = [
            0.5,
            1.5,
            2.5,
            0.499_999_999_999_999_94,
            4_503_599_627_370_495.5,
            9_007_199_254_740_993.0,
            1.8e19,
            123_456.789,
        ];
        for x in cases {
            assert_eq!(to_micros(x), libm::round(x) as u64, "{x}");
        }
        for i in 0..100_000u64 {
            let x = i as f64 * 0.37 + (i % 7) as f64 * 0.5;
            assert_eq!(to_micros(x), libm::round(x) as u64, "{x}");
        }
        assert_eq!(to_micros(-1.0), 0);
        assert_eq!(to_micros(f64::NAN), 0);
        assert_eq!(to_micros(1e30), u64::MAX);
    }

    #[test]
    fn ziggurat_normal_has_the_normal_shape() {
        // 1 000 000 draws: mean within 0.005 of 0, variance within 0.005 of 1, and the
        // fractions below −2, −1, 0, 1 and 3 within 0.002 of Φ (standard errors are all
        // below 0.0005), so a wrong layer table or a lost tail shows.
        let mut rng = Stream::new(5, 0, 0, 0);
        let n = 1_000_000;
        let cuts = [-2.0, -1.0, 0.0, 1.0, 3.0];
        let phi = [0.022_750, 0.158_655, 0.5, 0.841_345, 0.998_650];
        let mut below = [0u32; 5];
        let (mut sum, mut sum2) = (0.0, 0.0);
        for _ in 0..n {
            let z = standard_normal(&mut rng);
            sum += z;
            sum2 += z * z;
            for (c, b) in cuts.iter().zip(below.iter_mut()) {
                *b += u32::from(z < *c);
            }
        }
        let mean = sum / n as f64;
        let var = sum2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.005, "mean {mean}");
        assert!((var - 1.0).abs() < 0.005, "variance {var}");
        for ((c, b), p) in cuts.iter().zip(below).zip(phi) {
            let frac = f64::from(b) / n as f64;
            assert!((frac - p).abs() < 0.002, "P(z < {c}) = {frac}, want {p}");
        }
    }

    #[test]
    fn fixed_and_empirical_bounds() {
        // Fixed returns its value; Empirical never leaves [first, last].
        let mut rng = Stream::new(3, 0, 0, 0);
        assert_eq!(Dist::Fixed(5).sample(&mut rng), 5);
        let e = Dist::Empirical(vec![10, 20, 30]);
        for _ in 0..10_000 {
            let x = e.sample(&mut rng);
            assert!((10..=30).contains(&x));
        }
    }
}

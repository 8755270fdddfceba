//! A fixed-size log-linear histogram of microsecond durations, used for
//! outage-duration quantiles and CDFs with bounded relative error and fixed
//! memory, in the style of HdrHistogram.
//!
//! Values below 128 us get one exact bucket each. Every larger power-of-two
//! range `[2^k, 2^(k+1))` is split into 128 equal linear sub-buckets, so a
//! bucket's width is at most 1/128 (0.78 %) of any value in it. That covers
//! the whole `u64` range in 128 + 57 · 128 = 7424 buckets, allocated once.

/// Number of linear sub-buckets per power of two, and the exact range below.
const SUB_BUCKETS: usize = 128;
/// log2 of [`SUB_BUCKETS`].
const SUB_BUCKET_BITS: u32 = 7;
/// Power-of-two ranges from 2^7 up to 2^63, each split into sub-buckets.
const GROUPS: usize = 64 - SUB_BUCKET_BITS as usize;
/// Total number of buckets.
const BUCKETS: usize = SUB_BUCKETS + GROUPS * SUB_BUCKETS;

/// A histogram of `u64` microsecond values with ≤ 0.8 % bucket width.
///
/// Exact count, minimum and maximum are kept alongside the buckets, so
/// `quantile_us(0.0)` and `quantile_us(1.0)` are exact.
#[derive(Clone, PartialEq, Eq)]
pub struct LogHistogram {
    counts: Box<[u64]>,
    total: u64,
    min: u64,
    max: u64,
}

impl std::fmt::Debug for LogHistogram {
    // The 7424 bucket counts would drown the useful part of the output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogHistogram")
            .field("count", &self.count())
            .field("min_us", &self.min_us())
            .field("max_us", &self.max_us())
            .finish()
    }
}

impl Default for LogHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// The bucket holding `value`, computed with shifts only.
fn bucket_index(value: u64) -> usize {
    if value < SUB_BUCKETS as u64 {
        return value as usize;
    }
    // The top set bit is at position 7..=63; keep the 8 bits from it down.
    let top_bit = 63 - value.leading_zeros();
    let shift = top_bit - SUB_BUCKET_BITS;
    let sub = (value >> shift) as usize - SUB_BUCKETS;
    SUB_BUCKETS + shift as usize * SUB_BUCKETS + sub
}

/// Inclusive lower and upper bounds of bucket `index`.
fn bucket_bounds(index: usize) -> (u64, u64) {
    if index < SUB_BUCKETS {
        let value = index as u64;
        return (value, value);
    }
    let shift = ((index - SUB_BUCKETS) / SUB_BUCKETS) as u32;
    let sub = ((index - SUB_BUCKETS) % SUB_BUCKETS + SUB_BUCKETS) as u64;
    let lower = sub << shift;
    // lower + 2^shift − 1 ≤ u64::MAX because sub ≤ 255 and shift ≤ 56.
    let upper = lower + ((1u64 << shift) - 1);
    (lower, upper)
}

impl LogHistogram {
    /// The heap bytes of one histogram: its bucket counts, allocated by [`Self::new`].
    pub const BYTES: u64 = (BUCKETS * std::mem::size_of::<u64>()) as u64;

    /// The bytes one histogram holds when kept in a result: its buckets and itself.
    pub const HELD_BYTES: u64 = Self::BYTES + std::mem::size_of::<Self>() as u64;

    /// An empty histogram; this is the only allocation it ever makes.
    pub fn new() -> Self {
        LogHistogram {
            counts: vec![0u64; BUCKETS].into_boxed_slice(),
            total: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// Records one value in O(1) time without floating point.
    pub fn record(&mut self, value_us: u64) {
        if let Some(count) = self.counts.get_mut(bucket_index(value_us)) {
            *count = count.saturating_add(1);
        }
        self.total = self.total.saturating_add(1);
        self.min = self.min.min(value_us);
        self.max = self.max.max(value_us);
    }

    /// Number of recorded values.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The exact largest recorded value, or 0 when empty.
    pub fn max_us(&self) -> u64 {
        self.max
    }

    /// The exact smallest recorded value, or 0 when empty.
    pub fn min_us(&self) -> u64 {
        if self.total == 0 { 0 } else { self.min }
    }

    /// An estimate of the `q`-quantile, the smallest recorded value `v` such
    /// that at least `ceil(q · count)` values are ≤ `v`.
    ///
    /// The estimate is the midpoint of the bucket holding the true quantile,
    /// clamped to `[min, max]`, so its relative error is below 0.4 % (and 0
    /// for values under 128 us). `q ≤ 0` (or NaN) gives the exact minimum and
    /// `q ≥ 1` the exact maximum; an empty histogram gives 0.
    pub fn quantile_us(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let q = if q > 0.0 { q.min(1.0) } else { 0.0 };
        // The float-to-int cast saturates, and the clamp keeps the rank in
        // 1..=count, where rank 1 is the minimum and rank count the maximum.
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        if rank == 1 {
            return self.min_us();
        }
        if rank == self.total {
            return self.max;
        }
        let mut seen: u64 = 0;
        for (index, &count) in self.counts.iter().enumerate() {
            seen = seen.saturating_add(count);
            if seen >= rank {
                let (lower, upper) = bucket_bounds(index);
                let middle = lower + (upper - lower) / 2;
                return middle.clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Adds every value recorded in `other` to this histogram.
    pub fn merge(&mut self, other: &LogHistogram) {
        for (mine, &theirs) in self.counts.iter_mut().zip(other.counts.iter()) {
            *mine = mine.saturating_add(theirs);
        }
        self.total = self.total.saturating_add(other.total);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Forgets every recorded value, keeping the allocation.
    pub fn clear(&mut self) {
        self.counts.fill(0);
        self.total = 0;
        self.min = u64::MAX;
        self.max = 0;
    }

    /// The histogram as plain numbers: (bucket index, count) of every non-empty bucket,
    /// then the exact minimum and maximum. [`LogHistogram::from_parts`] rebuilds it
    /// exactly (shard files carry histograms this way).
    pub fn to_parts(&self) -> (Vec<(u32, u64)>, u64, u64) {
        let buckets = self
            .counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(i, &c)| (i as u32, c))
            .collect();
        (buckets, self.min, self.max)
    }

    /// Rebuilds a histogram from [`LogHistogram::to_parts`]; out-of-range buckets are
    /// an error.
    pub fn from_parts(buckets: &[(u32, u64)], min: u64, max: u64) -> Result<Self, String> {
        let mut h = LogHistogram::new();
        for &(i, c) in buckets {
            let slot = h
                .counts
                .get_mut(i as usize)
                .ok_or_else(|| format!("histogram bucket {i} is out of range"))?;
            *slot = slot.saturating_add(c);
            h.total = h.total.saturating_add(c);
        }
        h.min = min;
        h.max = max;
        Ok(h)
    }

    /// The non-empty buckets in increasing order, as (inclusive lower bound,
    /// inclusive upper bound, count), for drawing CDFs.
    pub fn iter_nonempty(&self) -> impl Iterator<Item = (u64, u64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .map(|(index, &count)| {
                let (lower, upper) = bucket_bounds(index);
                (lower, upper, count)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator so the tests need no extra crates.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// The true quantile: the smallest v with at least ceil(q·n) values ≤ v.
    fn exact_quantile(sorted: &[u64], q: f64) -> u64 {
        let n = sorted.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        sorted[rank - 1]
    }

    #[test]
    fn parts_round_trip_exactly() {
        // A histogram rebuilt from its parts equals the original, bucket for bucket.
        let mut h = LogHistogram::new();
        for v in [0u64, 5, 300, 70_000, 7_000_000_000, u64::MAX] {
            h.record(v);
        }
        let (buckets, min, max) = h.to_parts();
        assert_eq!(LogHistogram::from_parts(&buckets, min, max).unwrap(), h);
        assert!(LogHistogram::from_parts(&[(u32::MAX, 1)], 0, 0).is_err());
    }

    #[test]
    fn buckets_tile_the_whole_range() {
        // Proves the bucket layout: bucket 0 is [0,0], bucket 127 is
        // [127,127], bucket 128 is [128,128], bucket 255 is [255,255],
        // bucket 256 is [256,257] (width 2 once values reach 2^8), and the
        // last bucket (7423) ends at u64::MAX; consecutive buckets touch, and
        // every bound maps back to its own bucket.
        assert_eq!(bucket_bounds(0), (0, 0));
        assert_eq!(bucket_bounds(127), (127, 127));
        assert_eq!(bucket_bounds(128), (128, 128));
        assert_eq!(bucket_bounds(255), (255, 255));
        assert_eq!(bucket_bounds(256), (256, 257));
        assert_eq!(bucket_bounds(BUCKETS - 1).1, u64::MAX);
        assert_eq!(bucket_index(u64::MAX), BUCKETS - 1);
        for index in 0..BUCKETS {
            let (lower, upper) = bucket_bounds(index);
            assert_eq!(bucket_index(lower), index);
            assert_eq!(bucket_index(upper), index);
            if index + 1 < BUCKETS {
                assert_eq!(bucket_bounds(index + 1).0, upper + 1);
            }
        }
    }

    #[test]
    fn small_values_are_exact() {
        // Proves values under 256 are exact: recording 0..=200 once each
        // gives median rank ceil(0.5 * 201) = 101, i.e. value 100; the 0.9
        // quantile is rank ceil(180.9) = 181, value 180; min 0, max 200.
        let mut h = LogHistogram::new();
        for v in 0..=200 {
            h.record(v);
        }
        assert_eq!(h.count(), 201);
        assert_eq!(h.quantile_us(0.5), 100);
        assert_eq!(h.quantile_us(0.9), 180);
        assert_eq!((h.min_us(), h.max_us()), (0, 200));
        assert_eq!(h.quantile_us(0.0), 0);
        assert_eq!(h.quantile_us(1.0), 200);
    }

    #[test]
    fn quantiles_are_within_one_percent() {
        // Proves the relative error bound: for 5000 xorshift values spread
        // over all magnitudes, every quantile in 0, 0.01, ..., 1 is within
        // 1 % of the exact quantile from a sorted Vec, and quantile(1) is the
        // exact maximum, quantile(0) the exact minimum.
        let mut state = 0x2545_F491_4F6C_DD1D;
        let mut h = LogHistogram::new();
        let mut values = Vec::new();
        for i in 0..5_000u64 {
            let v = xorshift(&mut state) >> (i % 64);
            h.record(v);
            values.push(v);
        }
        values.sort_unstable();
        for step in 0..=100 {
            let q = f64::from(step) / 100.0;
            let exact = exact_quantile(&values, q);
            let estimate = h.quantile_us(q);
            let error = exact.abs_diff(estimate) as f64;
            assert!(error <= exact as f64 * 0.01, "q {q}: {estimate} vs {exact}");
        }
        assert_eq!(h.quantile_us(1.0), values[values.len() - 1]);
        assert_eq!(h.quantile_us(0.0), values[0]);
    }

    #[test]
    fn merge_equals_recording_both() {
        // Proves merging two histograms (values 1000·i and 7·i + 3 for
        // i < 1000) gives exactly the histogram that recorded all 2000 values.
        let mut a = LogHistogram::new();
        let mut b = LogHistogram::new();
        let mut both = LogHistogram::new();
        for i in 0..1_000u64 {
            a.record(1_000 * i);
            b.record(7 * i + 3);
            both.record(1_000 * i);
            both.record(7 * i + 3);
        }
        a.merge(&b);
        assert_eq!(a, both);
        assert_eq!(a.count(), 2_000);
        assert_eq!((a.min_us(), a.max_us()), (0, 999_000));
    }

    #[test]
    fn empty_and_cleared_histograms_report_zero() {
        // Proves an empty histogram answers 0 everywhere; after recording
        // 5 and clearing, it is equal to a fresh one; merging an empty one
        // changes nothing (min stays 42); odd q such as NaN, -1 and 2 clamp.
        let mut h = LogHistogram::new();
        assert_eq!(
            (h.count(), h.min_us(), h.max_us(), h.quantile_us(0.5)),
            (0, 0, 0, 0)
        );
        assert_eq!(h.iter_nonempty().count(), 0);
        h.record(5);
        h.clear();
        assert_eq!(h, LogHistogram::new());
        h.record(42);
        h.record(1_000_000);
        h.merge(&LogHistogram::new());
        assert_eq!((h.min_us(), h.max_us(), h.count()), (42, 1_000_000, 2));
        assert_eq!(h.quantile_us(f64::NAN), 42);
        assert_eq!(h.quantile_us(-1.0), 42);
        assert_eq!(h.quantile_us(2.0), 1_000_000);
    }

    #[test]
    fn iter_nonempty_lists_buckets_in_order() {
        // Proves the CDF iterator: recording 3, 3, 1000 and u64::MAX yields
        // (3,3,2); 1000 lies in the width-4 range [512,1024) as [1000,1003];
        // u64::MAX lies in the last bucket [2^64 − 2^56, u64::MAX].
        let mut h = LogHistogram::new();
        for v in [3, 3, 1_000, u64::MAX] {
            h.record(v);
        }
        let buckets: Vec<_> = h.iter_nonempty().collect();
        assert_eq!(
            buckets,
            vec![
                (3, 3, 2),
                (1_000, 1_003, 1),
                (u64::MAX - (1 << 56) + 1, u64::MAX, 1)
            ]
        );
    }
}

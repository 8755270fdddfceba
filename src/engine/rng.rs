//! Random streams: one ChaCha8 generator per (master seed, replication, purpose, entity).
//!
//! The key of a stream is derived from the master seed, the replication number and the
//! purpose (for example "link flaps"); the entity (for example a head's index) selects
//! the ChaCha stream within that key. So a head's flaps depend only on the seed, the
//! replication and that head's index: not on how many VMs exist, not on the design, not
//! on how many numbers another entity drew. Two designs run on one seed therefore see
//! the same faults (common random numbers).

/// SplitMix64's output function: a bijective mixer used only to spread seeds into keys.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Words per ChaCha block.
const BLOCK_WORDS: usize = 16;

/// A random stream for one purpose of one entity in one replication.
///
/// The generator is ChaCha with 8 rounds, a 64-bit block counter and the entity as the
/// 64-bit stream id: word for word the output of `rand_chacha::ChaCha8Rng` seeded with
/// the same key and `set_stream(entity)` (a test checks this, and `rand` and
/// `rand_chacha` are dev-dependencies for that test only).
///
/// Why it is written here rather than taken from `rand_chacha`: memory and seeding.
/// A `Stream` is 120 bytes (one block of output buffered); a `ChaCha8Rng` is 304 (it
/// buffers four blocks), and a large site holds seven streams per head, most of which
/// a given scenario never draws from (a test pins both sizes). And seeding is lazy:
/// the entities of one purpose share a key derived once (`sibling`), and
/// `model::streams` seeds each stream at its first draw, so a replication writes
/// nothing for the streams it never uses, while its numbers stay those of its (seed,
/// replication, purpose, entity).
#[derive(Clone, Debug)]
pub struct Stream {
    key: [u32; 8],
    stream: u64,
    /// The next block to compute.
    block: u64,
    buf: [u32; BLOCK_WORDS],
    /// The next unread word of `buf` (`BLOCK_WORDS`: none left).
    next: u32,
}

/// One ChaCha quarter round on words a, b, c, d of `x`.
#[inline(always)]
fn quarter(x: &mut [u32; BLOCK_WORDS], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

impl Stream {
    /// Derives the stream for (`seed`, `replication`, `purpose`, `entity`).
    pub fn new(seed: u64, replication: u64, purpose: u64, entity: u64) -> Self {
        let mut key = [0u32; 8];
        let mut state = mix64(seed ^ 0x6269_6776_7369_6d00); // "bigvsim\0"
        state = mix64(state ^ mix64(replication.wrapping_add(0x9e37_79b9_7f4a_7c15)));
        state = mix64(state ^ mix64(purpose.wrapping_add(0x3c6e_f372_fe94_f82a)));
        for pair in key.chunks_exact_mut(2) {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let word = mix64(state);
            // The little-endian bytes of `word`, read as two little-endian u32 words.
            pair[0] = word as u32;
            pair[1] = (word >> 32) as u32;
        }
        Stream {
            key,
            stream: entity,
            block: 0,
            buf: [0; BLOCK_WORDS],
            next: BLOCK_WORDS as u32,
        }
    }

    /// The stream of `entity` with this stream's key: the same as
    /// `Stream::new(seed, replication, purpose, entity)` for this stream's seed,
    /// replication and purpose, without deriving the key again. Seeding one stream per
    /// head of a large site this way costs a copy per head, not seven mixes.
    #[inline]
    pub fn sibling(&self, entity: u64) -> Stream {
        Stream {
            key: self.key,
            stream: entity,
            block: 0,
            buf: [0; BLOCK_WORDS],
            next: BLOCK_WORDS as u32,
        }
    }

    /// Computes the next block into `buf`.
    #[inline(never)]
    fn refill(&mut self) {
        let k = &self.key;
        let input: [u32; BLOCK_WORDS] = [
            0x6170_7865,
            0x3320_646e,
            0x7962_2d32,
            0x6b20_6574,
            k[0],
            k[1],
            k[2],
            k[3],
            k[4],
            k[5],
            k[6],
            k[7],
            self.block as u32,
            (self.block >> 32) as u32,
            self.stream as u32,
            (self.stream >> 32) as u32,
        ];
        let mut x = input;
        for _ in 0..4 {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        for (out, (w, i)) in self.buf.iter_mut().zip(x.iter().zip(input.iter())) {
            *out = w.wrapping_add(*i);
        }
        self.block = self.block.wrapping_add(1);
    }

    /// The next two words of the stream, the first as the low half.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let i = self.next as usize;
        let (lo, hi);
        if i + 1 < BLOCK_WORDS {
            lo = self.buf[i];
            hi = self.buf[i + 1];
            self.next += 2;
        } else if i + 1 == BLOCK_WORDS {
            lo = self.buf[i];
            self.refill();
            hi = self.buf[0];
            self.next = 1;
        } else {
            self.refill();
            lo = self.buf[0];
            hi = self.buf[1];
            self.next = 2;
        }
        (u64::from(hi) << 32) | u64::from(lo)
    }

    /// A uniform number in the open interval (0, 1): never 0, so `ln` of it is finite.
    #[inline]
    pub fn open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`. Always consumes exactly one draw, so a stream stays
    /// aligned across designs whose probabilities differ (0 and 1 included).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.open01() < p
    }

    /// A uniform integer in `0..n` (n > 0), without modulo bias (Lemire's method).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The stream as `rand_chacha` computes it: the same key bytes, `set_stream(entity)`.
    fn reference(seed: u64, replication: u64, purpose: u64, entity: u64) -> ChaCha8Rng {
        let mut key = [0u8; 32];
        let mut state = mix64(seed ^ 0x6269_6776_7369_6d00);
        state = mix64(state ^ mix64(replication.wrapping_add(0x9e37_79b9_7f4a_7c15)));
        state = mix64(state ^ mix64(purpose.wrapping_add(0x3c6e_f372_fe94_f82a)));
        for chunk in key.chunks_exact_mut(8) {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            chunk.copy_from_slice(&mix64(state).to_le_bytes());
        }
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(entity);
        rng
    }

    #[test]
    fn a_stream_is_smaller_than_rand_chachas() {
        // Proves the reason the generator is written here holds: a stream is 120
        // bytes, rand_chacha's ChaCha8Rng (which buffers four blocks) is 304.
        assert_eq!(std::mem::size_of::<Stream>(), 120);
        assert_eq!(std::mem::size_of::<ChaCha8Rng>(), 304);
    }

    #[test]
    fn streams_are_word_for_word_rand_chacha() {
        // 1 000 draws (125 blocks) of several streams, large entity and seed values
        // included, equal rand_chacha's ChaCha8Rng: the simulator's numbers did not
        // change when the generator moved here.
        for (seed, rep, purpose, entity) in [
            (1, 0, 7, 0),
            (1, 0, 7, 4_999),
            (42, 3, 1, 1 << 40),
            (u64::MAX, u64::MAX, 11, u64::MAX),
        ] {
            let mut ours = Stream::new(seed, rep, purpose, entity);
            let mut theirs = reference(seed, rep, purpose, entity);
            for i in 0..1_000 {
                assert_eq!(
                    ours.next_u64(),
                    theirs.next_u64(),
                    "stream ({seed}, {rep}, {purpose}, {entity}), draw {i}"
                );
            }
        }
        assert!(std::mem::size_of::<Stream>() <= 128);
    }

    #[test]
    fn a_sibling_is_the_stream_of_its_entity() {
        // A sibling of a stream that has already drawn starts its own entity from the
        // beginning: its first 40 words equal a stream built from the coordinates.
        let mut drawn = Stream::new(9, 4, 7, 0);
        drawn.next_u64();
        for entity in [0, 1, 12_345] {
            let mut sibling = drawn.sibling(entity);
            let mut built = Stream::new(9, 4, 7, entity);
            for _ in 0..20 {
                assert_eq!(sibling.next_u64(), built.next_u64(), "entity {entity}");
            }
        }
    }

    #[test]
    fn same_coordinates_give_the_same_numbers() {
        // A stream is a pure function of its four coordinates.
        let mut a = Stream::new(7, 3, 1, 42);
        let mut b = Stream::new(7, 3, 1, 42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn every_coordinate_changes_the_stream() {
        // Changing any one of seed, replication, purpose or entity gives other numbers.
        let first = |s: &mut Stream| s.next_u64();
        let base = first(&mut Stream::new(7, 3, 1, 42));
        assert_ne!(base, first(&mut Stream::new(8, 3, 1, 42)));
        assert_ne!(base, first(&mut Stream::new(7, 4, 1, 42)));
        assert_ne!(base, first(&mut Stream::new(7, 3, 2, 42)));
        assert_ne!(base, first(&mut Stream::new(7, 3, 1, 43)));
    }

    #[test]
    fn open01_stays_inside_and_below_is_unbiased_enough() {
        // 60 000 draws of below(6): each face within 5 % of 10 000.
        let mut s = Stream::new(1, 0, 0, 0);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            let u = s.open01();
            assert!(u > 0.0 && u < 1.0);
            counts[s.below(6) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..=10_500).contains(&c), "{counts:?}");
        }
    }
}

//! Random streams: what each one is for, and the draws several components share.
//!
//! Every draw belongs to one (purpose, entity) stream of a replication, so adding a
//! head or a fault never shifts another entity's draws.

use crate::engine::{self, Dist, Micros, Stream};

/// What a random stream is for: one stream per (purpose, entity) in each replication.
///
/// The numbers are part of every stream's key, so they never change: a renumbering
/// would change every result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    Flap = 1,
    Reconnect = 2,
    Bug = 3,
    Restart = 4,
    BackgroundCrash = 5,
    Hardware = 6,
    Boot = 7,
    Fault = 8,
    Brain = 9,
    Broker = 10,
    Queue = 11,
    LongReset = 12,
    /// Rack-switch failures and repairs, one stream per rack.
    RackSwitch = 13,
    /// Planned maintenance of a head: its windows, their work and the pauses of the
    /// VMs migrated off it, one stream per head.
    Maintenance = 14,
    /// A `Random` rollout's order of heads, one stream per change.
    RolloutOrder = 15,
    /// The coins that thin background crashes when a change sets their rate.
    BackgroundThinning = 16,
    /// The coin that decides whether a head failure is announced ahead, one stream per
    /// head.
    Prediction = 17,
    /// A sensitivity study's Latin hypercube (entity: the varied parameter). Study
    /// streams are numbered from 101 so that model purposes can grow below them.
    SensitivitySample = 101,
    /// A sensitivity study's bootstrap resamples (entity: the metric).
    Bootstrap = 102,
}

impl Purpose {
    /// The stream of this purpose for `entity` (a head, a fault, or 0 for the site).
    #[inline]
    pub fn stream(self, seed: u64, rep: u64, entity: u64) -> Stream {
        Stream::new(seed, rep, self as u64, entity)
    }
}

/// Room for one stream per entity, to be seeded by [`reseed`] before each replication.
/// Nothing is written until then: a site's streams (seven per head) are written once
/// before the first replication, not twice.
pub(super) fn unseeded(entities: usize) -> Vec<Stream> {
    Vec::with_capacity(entities)
}

/// Seeds stream `i` of `streams` as (`purpose`, entity `i`) of replication `rep`, one
/// stream for each entity [`unseeded`] made room for (a `Vec` made with a capacity has
/// exactly that capacity), without allocating.
pub(super) fn reseed(streams: &mut Vec<Stream>, purpose: Purpose, seed: u64, rep: u64) {
    let entities = streams.capacity();
    // Every entity's stream has the same key: derive it once.
    let first = purpose.stream(seed, rep, 0);
    streams.clear();
    streams.extend((0..entities).map(|i| first.sibling(i as u64)));
    debug_assert_eq!(streams.capacity(), entities);
}

/// One stream per entity for one purpose, each seeded when it is first drawn from in
/// a replication rather than when the replication starts.
///
/// Most of a large site's per-head streams are never drawn from in a given scenario
/// (a site-wide crash draws boot times and nothing else), and seeding them all would
/// write 120 bytes per head and purpose before the first event. A stream's draws do
/// not depend on when it is seeded, only on (seed, replication, purpose, entity), so
/// seeding on first use changes no number. Streams are reached by indexing, as a
/// `Vec<Stream>` is; reading one that has not been drawn from is a bug, and panics.
#[derive(Clone, Debug)]
pub(super) struct Streams {
    purpose: Purpose,
    /// This replication's stream of entity 0, whose key every entity's shares.
    first: Stream,
    /// `slot[e]` is 1 + the index in `seeded` of entity e's stream, or 0 when entity e
    /// has not drawn in this replication. Zeroed memory the system hands out
    /// untouched, so entities that never draw cost nothing.
    slot: Vec<u32>,
    /// The streams seeded so far, in the order of their first draws; room for every
    /// entity is reserved up front, so seeding never allocates.
    seeded: Vec<Stream>,
}

impl Streams {
    /// Room for one `purpose` stream per entity; seed with [`Streams::reset`].
    pub(super) fn new(purpose: Purpose, entities: usize) -> Streams {
        Streams {
            purpose,
            first: purpose.stream(0, 0, 0),
            slot: vec![0; entities],
            seeded: Vec::with_capacity(entities),
        }
    }

    /// Bytes for `n` entities' streams.
    pub(super) fn bytes_for(n: u64) -> u64 {
        n * (std::mem::size_of::<Stream>() + std::mem::size_of::<u32>()) as u64
    }

    /// Starts replication `rep` of master seed `seed`: every entity's stream will
    /// start from its first word.
    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        self.first = self.purpose.stream(seed, rep, 0);
        if !self.seeded.is_empty() {
            self.slot.fill(0);
            self.seeded.clear();
        }
    }

    /// A duration drawn from `dist` with entity `e`'s stream. A fixed duration draws
    /// nothing, so it seeds nothing either: a site-wide crash with a fixed restart
    /// delay seeds no head's restart stream.
    #[inline]
    pub(super) fn sample(&mut self, e: usize, dist: &Dist) -> Micros {
        match dist {
            Dist::Fixed(d) => *d,
            _ => dist.sample(&mut self[e]),
        }
    }

    /// Seeds entity `e`'s stream, which has not drawn in this replication.
    #[cold]
    #[inline(never)]
    fn seed(&mut self, e: usize) -> &mut Stream {
        debug_assert!(self.seeded.len() < self.seeded.capacity());
        self.seeded.push(self.first.sibling(e as u64));
        self.slot[e] = self.seeded.len() as u32;
        self.seeded.last_mut().expect("a stream was just seeded")
    }
}

impl std::ops::Index<usize> for Streams {
    type Output = Stream;

    fn index(&self, e: usize) -> &Stream {
        match self.slot[e] {
            0 => panic!("{:?} stream {e} read before its first draw", self.purpose),
            s => &self.seeded[s as usize - 1],
        }
    }
}

impl std::ops::IndexMut<usize> for Streams {
    #[inline]
    fn index_mut(&mut self, e: usize) -> &mut Stream {
        match self.slot[e] {
            0 => self.seed(e),
            s => &mut self.seeded[s as usize - 1],
        }
    }
}

/// Bytes of `n` streams.
pub(super) fn bytes_for(n: u64) -> u64 {
    n * std::mem::size_of::<Stream>() as u64
}

/// The wait until the next event of a Poisson process with `per_year` events a year.
#[inline]
pub(super) fn exp_per_year(per_year: f64, rng: &mut Stream) -> Micros {
    Dist::Exponential {
        mean_us: engine::US_PER_YEAR as f64 / per_year,
    }
    .sample(rng)
}

/// `base` spread uniformly by ±`jitter` (a fraction), as in gRPC's backoff.
#[inline]
pub(super) fn jittered(base: Micros, jitter: f64, rng: &mut Stream) -> Micros {
    let u = rng.open01() * 2.0 - 1.0;
    libm::round(base as f64 * (1.0 + jitter * u)).max(1.0) as Micros
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_keep_their_stream_numbers() {
        // The numbers are part of every stream's key: changing one changes results.
        let all = [
            Purpose::Flap,
            Purpose::Reconnect,
            Purpose::Bug,
            Purpose::Restart,
            Purpose::BackgroundCrash,
            Purpose::Hardware,
            Purpose::Boot,
            Purpose::Fault,
            Purpose::Brain,
            Purpose::Broker,
            Purpose::Queue,
            Purpose::LongReset,
            Purpose::RackSwitch,
            Purpose::Maintenance,
        ];
        let numbers: Vec<u64> = all.iter().map(|&p| p as u64).collect();
        assert_eq!(numbers, (1..=14).collect::<Vec<u64>>());
        let mut a = Purpose::Boot.stream(5, 2, 3);
        let mut b = Stream::new(5, 2, 7, 3);
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn reseeding_gives_every_entity_its_own_stream_each_time() {
        // Three entities, seeded for replication 1 and then, after draws, for
        // replication 2: each time there are three streams and entity i's is the
        // (Boot, i) stream of that replication, from its first word.
        let mut streams = unseeded(3);
        for rep in [1, 2] {
            reseed(&mut streams, Purpose::Boot, 5, rep);
            assert_eq!(streams.len(), 3);
            for (i, s) in streams.iter_mut().enumerate() {
                let mut expected = Purpose::Boot.stream(5, rep, i as u64);
                assert_eq!(s.next_u64(), expected.next_u64(), "rep {rep}, entity {i}");
                s.next_u64();
            }
        }
    }

    #[test]
    fn streams_seeded_on_first_draw_draw_what_eager_ones_do() {
        // Four entities of which 2, 0 and 2 again draw, in replication 1 and again
        // after a reset for replication 2: each draws the words of its (Boot, entity)
        // stream of that replication from the first, whatever order they first drew
        // in; only the two that drew are seeded, and one that never drew cannot be read.
        let mut lazy = Streams::new(Purpose::Boot, 4);
        for rep in [1, 2] {
            lazy.reset(5, rep);
            let mut eager: Vec<Stream> = (0..4).map(|e| Purpose::Boot.stream(5, rep, e)).collect();
            for e in [2, 0, 2] {
                assert_eq!(
                    lazy[e].next_u64(),
                    eager[e].next_u64(),
                    "rep {rep}, entity {e}"
                );
            }
            assert_eq!(lazy.seeded.len(), 2);
        }
        let unread = std::panic::catch_unwind(|| lazy[1].clone());
        assert!(
            unread.is_err(),
            "reading a stream that never drew must fail"
        );
    }
}

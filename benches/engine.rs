//! The engine's raw speed against a bare event loop, in one run.
//!
//! 1 000 entities each reschedule themselves after an exponential delay (mean 1 s) until
//! 2 000 000 events have been handled. The same workload runs twice:
//! - `engine/bigvsim`: through [`bigvsim::engine::run`] (scheduler, liveness check,
//!   event limit, room check: everything a model run pays for);
//! - `engine/bare_heap`: a std `BinaryHeap` of `(time, seq, entity)` and nothing else.
//!
//! Both draw their delays from the same [`Stream`] with the same [`Dist`] and break
//! ties by scheduling order, so they handle the same events in the same order: the
//! setup checks that both produce the same order-sensitive checksum. Throughput is in
//! events (criterion prints `elem/s`). After criterion's report, the two loops are
//! also timed alternately and the ratio engine / bare is printed.
//!
//! `cargo bench --bench engine` takes about half a minute; `cargo test --benches` and
//! `cargo bench -- --test` run a short smoke version.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bigvsim::engine::{Dist, Limits, Micros, Process, Scheduler, Stream, run};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

const ENTITIES: u32 = 1_000;
const EVENTS: u64 = 2_000_000;
/// Events in smoke mode (`--test`, or `cargo test --benches` in a debug build).
const SMOKE_EVENTS: u64 = 20_000;
const SEED: u64 = 42;
static DELAY: Dist = Dist::Exponential { mean_us: 1e6 };

/// True when criterion runs each benchmark once as a test rather than measuring.
fn smoke() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

/// What both loops compute: events handled and a checksum of the order they ran in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Outcome {
    events: u64,
    checksum: u64,
}

#[inline]
fn mix(checksum: u64, time_us: Micros, entity: u32) -> u64 {
    checksum.rotate_left(5) ^ time_us ^ u64::from(entity)
}

/// The entities as a [`Process`]: each event reschedules its entity while the budget
/// of scheduled events lasts.
struct Entities {
    rng: Stream,
    scheduled: u64,
    budget: u64,
    checksum: u64,
}

impl Process for Entities {
    type Event = u32;

    #[inline]
    fn handle(&mut self, entity: u32, sched: &mut Scheduler<u32>) {
        self.checksum = mix(self.checksum, sched.now(), entity);
        if self.scheduled < self.budget {
            self.scheduled += 1;
            sched.after(DELAY.sample(&mut self.rng), entity);
        }
    }

    #[inline]
    fn is_live(&self, _: &u32) -> bool {
        true
    }

    fn max_pushes_per_event(&self) -> usize {
        1
    }
}

/// The workload through the engine. The scheduler is allocated by the caller, once.
fn engine_loop(sched: &mut Scheduler<u32>, budget: u64) -> Outcome {
    let mut p = Entities {
        rng: Stream::new(SEED, 0, 0, 0),
        scheduled: 0,
        budget,
        checksum: 0,
    };
    sched.reset();
    for entity in 0..ENTITIES {
        p.scheduled += 1;
        sched.at(DELAY.sample(&mut p.rng), entity);
    }
    let limits = Limits {
        horizon_us: Micros::MAX,
        max_events: u64::MAX,
        check_invariants: false,
    };
    let end = run(&mut p, sched, limits, |_, _| {}).expect("the engine run fails");
    Outcome {
        events: end.events,
        checksum: p.checksum,
    }
}

/// The same workload as a bare heap loop. The heap is allocated by the caller, once.
fn bare_loop(heap: &mut BinaryHeap<Reverse<(Micros, u64, u32)>>, budget: u64) -> Outcome {
    let mut rng = Stream::new(SEED, 0, 0, 0);
    heap.clear();
    let mut seq = 0u64;
    for entity in 0..ENTITIES {
        heap.push(Reverse((DELAY.sample(&mut rng), seq, entity)));
        seq += 1;
    }
    let mut events = 0u64;
    let mut checksum = 0u64;
    while let Some(Reverse((now, _, entity))) = heap.pop() {
        events += 1;
        checksum = mix(checksum, now, entity);
        if seq < budget {
            let t = now.saturating_add(DELAY.sample(&mut rng));
            heap.push(Reverse((t, seq, entity)));
            seq += 1;
        }
    }
    Outcome { events, checksum }
}

fn bench_engine(c: &mut Criterion) {
    let budget = if smoke() { SMOKE_EVENTS } else { EVENTS };
    let mut sched = Scheduler::with_capacity(2 * ENTITIES as usize);
    let mut heap = BinaryHeap::with_capacity(2 * ENTITIES as usize);

    // Both loops must do the same work, or the ratio means nothing.
    let a = engine_loop(&mut sched, budget);
    let b = bare_loop(&mut heap, budget);
    assert_eq!(
        a.events, budget,
        "the engine handled the wrong number of events"
    );
    assert_eq!(a, b, "the engine and the bare loop ran different events");

    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(budget))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("bigvsim", |bch| {
        bch.iter(|| black_box(engine_loop(&mut sched, black_box(budget))))
    });
    g.bench_function("bare_heap", |bch| {
        bch.iter(|| black_box(bare_loop(&mut heap, black_box(budget))))
    });
    g.finish();

    if !smoke() {
        // Alternate the two loops so both see the same machine load; best of 7 each.
        let mut best = [Duration::MAX; 2];
        for _ in 0..7 {
            let t = Instant::now();
            black_box(engine_loop(&mut sched, budget));
            best[0] = best[0].min(t.elapsed());
            let t = Instant::now();
            black_box(bare_loop(&mut heap, budget));
            best[1] = best[1].min(t.elapsed());
        }
        let rate = |d: Duration| budget as f64 / d.as_secs_f64() / 1e6;
        println!(
            "engine: bigvsim {:.2} M events/s, bare heap {:.2} M events/s, ratio {:.2} (best of 7, alternating)",
            rate(best[0]),
            rate(best[1]),
            best[1].as_secs_f64() / best[0].as_secs_f64()
        );
    }
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);

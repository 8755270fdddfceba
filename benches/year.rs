//! One replication of a year of York with random faults (models/york-year.ron): routine
//! link flaps, site-wide partitions, head hardware failures and brain failovers over
//! 365 simulated days.
//!
//! One [`Platform`] is reused, as every worker thread of a batch does. Throughput is in
//! live events (criterion prints `elem/s`). The batch figure of docs/performance.md (1 000
//! replications on all cores) is measured on the command line:
//! `time ./target/release/bigvsim run models/york-year.ron -r 1000`.
//!
//! `cargo bench --bench year` takes about 15 s; `cargo test --benches` and
//! `cargo bench -- --test` run it once.

use std::hint::black_box;
use std::time::Duration;

use bigvsim::metrics::Metric;
use bigvsim::model::Platform;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/york-year.ron");
const SEED: u64 = 1;

fn bench_year(c: &mut Criterion) {
    let scenario = bigvsim::scenario::load(MODEL, &[])
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    let mut platform = Platform::new(&scenario, Default::default());
    let m = platform.run(SEED, 0).expect("the replication fails");
    let events = m[Metric::Events] as u64;
    assert!(events > 0, "a year with no events");

    let mut g = c.benchmark_group("year");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(events));
    g.bench_function("replication", |b| {
        b.iter(|| black_box(platform.run(SEED, black_box(0)).expect("run")))
    });
    g.finish();
}

criterion_group!(benches, bench_year);
criterion_main!(benches);

//! One replication of the York 2017 incident (models/york-2017.ron): a 4-minute
//! site-wide partition, 50 supervisors crashing, 2 000 VMs rebooted through a 20-slot
//! queue, over one simulated day.
//!
//! `incident/replication` reuses one [`Platform`] (as every worker thread of a batch
//! does), so it measures resetting and running a replication; `incident/platform_new`
//! measures the one-off allocation per worker. Throughput is in live events (criterion
//! prints `elem/s`).
//!
//! `cargo bench --bench incident` takes about 15 s; `cargo test --benches` and
//! `cargo bench -- --test` run each benchmark once.

use std::hint::black_box;
use std::time::Duration;

use bigvsim::metrics::Metric;
use bigvsim::model::Platform;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/york-2017.ron");
const SEED: u64 = 1;

fn bench_incident(c: &mut Criterion) {
    let scenario = bigvsim::scenario::load(MODEL, &[])
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    let mut platform = Platform::new(&scenario, Default::default());
    let m = platform.run(SEED, 0).expect("the replication fails");
    // The incident, not an idle day: every VM died and was rebooted.
    let vms = scenario.site.vms() as f64;
    assert_eq!(m[Metric::WorstIncidentVms], vms);
    assert_eq!(m[Metric::VmReboots], vms);
    let events = m[Metric::Events] as u64;

    let mut g = c.benchmark_group("incident");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(events));
    g.bench_function("replication", |b| {
        b.iter(|| black_box(platform.run(SEED, black_box(0)).expect("run")))
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("platform_new", |b| {
        b.iter(|| black_box(Platform::new(black_box(&scenario), Default::default())))
    });
    g.finish();
}

criterion_group!(benches, bench_incident);
criterion_main!(benches);

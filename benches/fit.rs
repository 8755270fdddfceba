//! One calibration of the York 2017 incident (models/york-2017.ron) to its observed
//! recovery (models/observed/york-2017.csv): the boot time's mean fitted over
//! 30..90 s, 5 replications a probe on one thread, search and profile included.
//!
//! `cargo bench --bench fit` takes about 20 s; `cargo test --benches` and
//! `cargo bench -- --test` run it once.

use std::hint::black_box;
use std::time::Duration;

use bigvsim::experiment::Plan;
use bigvsim::experiment::fit::objective::ObservedIncident;
use bigvsim::experiment::fit::{FitSpec, fit};
use bigvsim::scenario::{self, observed::parse_observed, parse_range};
use criterion::{Criterion, criterion_group, criterion_main};

const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/york-2017.ron");
const OBSERVED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/observed/york-2017.csv");

fn bench_fit(c: &mut Criterion) {
    let text = std::fs::read_to_string(OBSERVED).expect("the observation reads");
    let o = parse_observed(&text).unwrap_or_else(|e| panic!("{}", e.in_file(OBSERVED)));
    let observed = [ObservedIncident::new(OBSERVED, &o, 2000).expect("2 000 VMs")];
    let params = [parse_range("--param", "brain.boot_time.mean=30s..90s").expect("range")];
    let spec = FitSpec {
        params: &params,
        observed: &observed,
        overrides: &[],
    };
    let load = |sets: &[String]| scenario::load(MODEL, sets);
    let plan = Plan {
        keep_outages: false,
        ..Plan::new(1, 5)
    };
    let mut g = c.benchmark_group("fit");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15));
    g.bench_function("york_boot_time", |b| {
        b.iter(|| black_box(fit(&load, &spec, &plan, &|_, _| {}).expect("the fit runs")))
    });
    g.finish();
}

criterion_group!(benches, bench_fit);
criterion_main!(benches);

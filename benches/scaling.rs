//! How the simulator scales with the site: every supervisor crashes at t = 1 s in the
//! coupled design, so every VM dies and is rebooted through a 40-slot queue, for sites
//! of 10 000, 100 000 and 1 000 000 VMs (100 per head). The scenario is
//! models/scaling-1m.ron's, built from text with `--set`-style overrides of the size.
//!
//! Each size's setup checks that the run recovered fully (every VM rebooted once) within
//! the horizon. One [`Platform`] per size is reused across iterations. Throughput is in
//! VMs (criterion prints `elem/s`), so the time per VM is 1 / throughput; the target is
//! that the time per VM at 1 000 000 stays within 1.5× of that at 10 000.
//!
//! `cargo bench --bench scaling` takes about a minute; `cargo test --benches` and
//! `cargo bench -- --test` run a smoke version (10 000 VMs only).

use std::hint::black_box;
use std::time::Duration;

use bigvsim::metrics::Metric;
use bigvsim::model::Platform;
use bigvsim::scenario::Scenario;
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

const VMS_PER_HEAD: u64 = 100;
const SIZES: [u64; 3] = [10_000, 100_000, 1_000_000];
const SEED: u64 = 1;

/// The site-wide crash; the size is set per run. A million VMs through 40 slots at
/// 45 s a boot take about 13 simulated days: the 30-day horizon leaves room.
const MODEL: &str = r#"(
    name: "scaling",
    horizon: "30d",
    site: (heads: 100, vms_per_head: 100),
    design: (coupling: Coupled, transport: Tcp),
    supervisor: (restart: Fixed("5s")),
    brain: (
        reboot_concurrency: 40,
        boot_time: LogNormal(mean: "45s", sigma: 0.3),
        queue_policy: Fifo,
    ),
    faults: [SupervisorCrash(at: "1s", scope: All)],
)"#;

/// True when criterion runs each benchmark once as a test rather than measuring.
fn smoke() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

fn scenario(vms: u64) -> Scenario {
    let sets = [
        format!("site.heads={}", vms / VMS_PER_HEAD),
        format!("site.vms_per_head={VMS_PER_HEAD}"),
    ];
    bigvsim::scenario::load_str("scaling.ron", MODEL, &sets)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

fn bench_scaling(c: &mut Criterion) {
    let sizes: &[u64] = if smoke() { &SIZES[..1] } else { &SIZES };
    let mut g = c.benchmark_group("scaling");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for &vms in sizes {
        let sc = scenario(vms);
        assert_eq!(sc.site.vms(), vms);
        let mut platform = Platform::new(&sc, Default::default());
        let m = platform.run(SEED, 0).expect("the replication fails");
        assert_eq!(
            m[Metric::VmReboots],
            vms as f64,
            "{vms} VMs: not every VM was rebooted within the horizon"
        );
        let worst = platform.recorder().worst_incident();
        assert!(
            worst.is_some_and(|w| w.recovered && w.affected_vms as u64 == vms),
            "{vms} VMs: the incident did not end in full recovery: {worst:?}"
        );
        g.throughput(Throughput::Elements(vms));
        g.bench_function(BenchmarkId::new("crash_and_recover_vms", vms), |b| {
            b.iter(|| black_box(platform.run(SEED, black_box(0)).expect("run")))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_scaling);
criterion_main!(benches);

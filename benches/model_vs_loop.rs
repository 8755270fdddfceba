//! The whole model against a hand-written loop for one workload, in one run.
//!
//! The workload is a site-wide crash: every supervisor of H heads × 100 VMs crashes at
//! t = 1 s in the coupled design, restarts after Uniform(5 s, 15 s), and the brain
//! reboots every VM through 40 FIFO boot slots, each boot LogNormal(mean 60 s, σ 0.5),
//! with no boot contention and no other fault. It runs at 50 000 and 500 000 VMs, twice:
//! - `model_vs_loop/model`: bigvsim as a user runs it: the model text loaded with
//!   [`bigvsim::scenario::load_str`], a [`Platform`] built (all memory allocated) and one
//!   replication run, so recording, incident quantiles and allocation all count;
//! - `model_vs_loop/loop`: a special-purpose loop written for this workload only: the
//!   heads' restart times, a FIFO of dead VMs and a std `BinaryHeap` of boot
//!   completions, drawing from one ChaCha8 [`Stream`] with the same [`Dist`]s, and
//!   recording only the downtime integral and the last recovery.
//!
//! Both reboot every VM once; the setup checks that, and that the two full-recovery
//! times agree within 2 % (they draw different numbers, so they are not identical).
//! Throughput is in VMs (criterion prints `elem/s`). After criterion's report, the two
//! are timed alternately and the time per VM of each and the ratio model / loop are
//! printed, from the medians of 15 pairs: in wall-clock time, and on Linux also in the
//! CPU time of the benchmarking thread, the steadier figure on a shared machine.
//!
//! `cargo bench --bench model_vs_loop` takes about a minute; `cargo test --benches` and
//! `cargo bench -- --test` run a smoke version (5 000 VMs, once each).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;
use std::time::{Duration, Instant};

use bigvsim::engine::{Dist, Micros, Stream, US_PER_S};
use bigvsim::metrics::Metric;
use bigvsim::model::Platform;
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

const VMS_PER_HEAD: u64 = 100;
const SIZES: [u64; 2] = [50_000, 500_000];
const SMOKE_SIZE: u64 = 5_000;
const SEED: u64 = 1;
const SLOTS: usize = 40;
const CRASH_US: Micros = US_PER_S;

/// The workload as a model. The head count is set per size with an override.
const MODEL: &str = r#"(
    name: "site-crash",
    horizon: "60d",
    site: (heads: 500, vms_per_head: 100),
    design: (coupling: Coupled, transport: Tcp),
    supervisor: (restart: Uniform(min: "5s", max: "15s")),
    brain: (
        reboot_concurrency: 40,
        boot_time: LogNormal(mean: "60s", sigma: 0.5),
        queue_policy: Fifo,
    ),
    faults: [SupervisorCrash(at: "1s", scope: All)],
)"#;

/// True when criterion runs each benchmark once as a test rather than measuring.
fn smoke() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

/// What both sides report: reboots and the time from the crash to the last recovery.
#[derive(Clone, Copy, Debug)]
struct Outcome {
    reboots: u64,
    full_recovery_us: Micros,
}

/// Loads, builds and runs the model: everything a `bigvsim run` does but parse the
/// command line and print.
fn model_run(vms: u64) -> Outcome {
    let heads = format!("site.heads={}", vms / VMS_PER_HEAD);
    let loaded =
        bigvsim::scenario::load_str("site-crash.ron", MODEL, &[heads]).expect("the model loads");
    let mut platform = Platform::new(&loaded.scenario, Default::default());
    let m = platform.run(SEED, 0).expect("the replication runs");
    Outcome {
        reboots: m[Metric::VmReboots] as u64,
        full_recovery_us: (m[Metric::FullRecoveryS] * US_PER_S as f64).round() as Micros,
    }
}

/// The hand-written loop. Heads restart in order of their restart time; a head's VMs
/// join the FIFO when it restarts; a boot slot takes the next dead VM whenever it is
/// free.
fn hand_loop(vms: u64) -> Outcome {
    let restart = Dist::Uniform {
        min_us: 5e6,
        max_us: 15e6,
    };
    let boot = Dist::LogNormal {
        mean_us: 60e6,
        sigma: 0.5,
    };
    let mut rng = Stream::new(SEED, 0, 0, 0);
    let heads = (vms / VMS_PER_HEAD) as u32;
    let mut restarts: Vec<(Micros, u32)> = (0..heads)
        .map(|h| (CRASH_US + restart.sample(&mut rng), h))
        .collect();
    restarts.sort_unstable();
    let mut down_since: Vec<Micros> = vec![CRASH_US; vms as usize];
    let mut fifo: VecDeque<u32> = VecDeque::with_capacity(vms as usize);
    let mut booting: BinaryHeap<Reverse<(Micros, u32)>> = BinaryHeap::with_capacity(SLOTS);
    let mut next_restart = 0;
    let mut reboots = 0u64;
    let mut downtime_us: u128 = 0;
    let mut last_up = CRASH_US;
    loop {
        // The next event: a head restarting or a boot ending, whichever is first.
        let restart_at = restarts.get(next_restart).map(|&(t, _)| t);
        let boot_at = booting.peek().map(|Reverse((t, _))| *t);
        let now = match (restart_at, boot_at) {
            (None, None) => break,
            (Some(r), Some(b)) if b <= r => {
                let Reverse((_, vm)) = booting.pop().unwrap();
                reboots += 1;
                downtime_us += u128::from(b - down_since[vm as usize]);
                last_up = b;
                b
            }
            (Some(r), _) => {
                let h = restarts[next_restart].1;
                next_restart += 1;
                let first = h * VMS_PER_HEAD as u32;
                fifo.extend(first..first + VMS_PER_HEAD as u32);
                r
            }
            (None, Some(b)) => {
                let Reverse((_, vm)) = booting.pop().unwrap();
                reboots += 1;
                downtime_us += u128::from(b - down_since[vm as usize]);
                last_up = b;
                b
            }
        };
        while booting.len() < SLOTS {
            let Some(vm) = fifo.pop_front() else { break };
            booting.push(Reverse((now + boot.sample(&mut rng), vm)));
        }
    }
    black_box(downtime_us);
    down_since.clear();
    Outcome {
        reboots,
        full_recovery_us: last_up - CRASH_US,
    }
}

fn bench_model_vs_loop(c: &mut Criterion) {
    let sizes: &[u64] = if smoke() { &[SMOKE_SIZE] } else { &SIZES };
    for &vms in sizes {
        // Both sides do the same work, or the ratio means nothing.
        let (m, l) = (model_run(vms), hand_loop(vms));
        assert_eq!(m.reboots, vms, "the model did not reboot every VM");
        assert_eq!(l.reboots, vms, "the loop did not reboot every VM");
        let (a, b) = (m.full_recovery_us as f64, l.full_recovery_us as f64);
        assert!(
            (a - b).abs() / b < 0.02,
            "{vms} VMs: full recovery {a} µs in the model, {b} µs in the loop"
        );
    }

    let mut g = c.benchmark_group("model_vs_loop");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for &vms in sizes {
        g.throughput(Throughput::Elements(vms));
        g.bench_function(BenchmarkId::new("model", vms), |b| {
            b.iter(|| black_box(model_run(black_box(vms))))
        });
        g.bench_function(BenchmarkId::new("loop", vms), |b| {
            b.iter(|| black_box(hand_loop(black_box(vms))))
        });
    }
    g.finish();

    if !smoke() {
        for &vms in sizes {
            // Alternate the two so both see the same machine load; medians of 15 pairs,
            // in wall-clock time and, where the system reports it, in this thread's CPU
            // time, which time spent waiting for a core that another process holds
            // does not inflate.
            let mut wall = [Vec::new(), Vec::new()];
            let mut cpu = [Vec::new(), Vec::new()];
            for _ in 0..PAIRS {
                for (side, run) in [model_run as fn(u64) -> Outcome, hand_loop]
                    .into_iter()
                    .enumerate()
                {
                    let (t, c) = (Instant::now(), thread_cpu());
                    black_box(run(black_box(vms)));
                    wall[side].push(t.elapsed());
                    if let (Some(before), Some(after)) = (c, thread_cpu()) {
                        cpu[side].push(after - before);
                    }
                }
            }
            report(vms, "wall-clock", &wall);
            if cpu[0].len() == PAIRS && cpu[1].len() == PAIRS {
                report(vms, "CPU", &cpu);
            }
        }
    }
}

/// Alternating pairs timed after criterion's report.
const PAIRS: usize = 15;

/// Prints the median time per VM of each side and the ratio of the medians.
fn report(vms: u64, clock: &str, times: &[Vec<Duration>; 2]) {
    let [model, hand] = times.clone().map(|mut v| {
        v.sort();
        v[v.len() / 2]
    });
    let per_vm = |d: Duration| d.as_secs_f64() * 1e9 / vms as f64;
    println!(
        "model_vs_loop {vms} VMs ({clock} time): model {:.1} ns/VM, loop {:.1} ns/VM, ratio {:.2} (medians of {PAIRS} alternating pairs)",
        per_vm(model),
        per_vm(hand),
        model.as_secs_f64() / hand.as_secs_f64()
    );
}

/// The CPU time this thread has run so far, where the system reports it (Linux).
///
/// The kernel brings a running thread's total up to date only when it schedules, about
/// every few milliseconds; yielding first makes it schedule now, so the figure is
/// exact to microseconds rather than to a tick.
fn thread_cpu() -> Option<Duration> {
    std::thread::yield_now();
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

criterion_group!(benches, bench_model_vs_loop);
criterion_main!(benches);

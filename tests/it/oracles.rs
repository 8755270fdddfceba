//! Analytic oracles: situations simple enough to work out by hand, simulated with the
//! invariant checker on after every event.

use bigvsim::experiment::{Plan, run_batch};
use bigvsim::metrics::Metric;

use super::common::{QUIET, checked, model_str};

/// The first seed of the replications this file runs.
const SEED: u64 = 7;

#[test]
fn site_wide_crash_makespan_is_exact() {
    // All supervisors crash at once; N VMs, restart r, fixed boot T, c slots, no
    // contention: the last VM is up r + ceil(N/c)·T after the crash.
    //   N=70, c=8, r=5 s, T=45 s: 5 + 9·45 = 410 s; 50 % (35 VMs) after 5 waves = 230 s.
    //   N=70, c=7: 5 + 10·45 = 455 s.  N=70, c=100: 5 + 45 = 50 s.
    //   Round robin and random order are work-conserving: the same makespan, and so
    //   is round robin with at most one boot per head (10 heads ≥ 8 slots).
    //   FIFO with one boot per head is not: heads 0-7 hold the 8 slots until their 7
    //   VMs are done (parked VMs keep their place at the front), then heads 8-9 boot
    //   alone: 5 + 7·45 + 7·45 = 635 s; half the VMs (35) are up after 5 waves = 230 s.
    let cases: &[(&[&str], f64, f64)] = &[
        (&[], 410.0, 230.0),
        (&["brain.reboot_concurrency=7"], 455.0, 230.0),
        (&["brain.reboot_concurrency=100"], 50.0, 50.0),
        (&["brain.queue_policy=RoundRobinHeads"], 410.0, 230.0),
        (&["brain.queue_policy=Random"], 410.0, 230.0),
        (&["brain.queue_policy=ShortestFirst"], 410.0, 230.0),
        (
            &[
                "brain.per_head_concurrency=1",
                "brain.queue_policy=RoundRobinHeads",
            ],
            410.0,
            230.0,
        ),
        (&["brain.per_head_concurrency=1"], 635.0, 230.0),
    ];
    for (sets, full, half) in cases {
        let m = model_str(QUIET, sets);
        let batch = run_batch(&m.scenario, &checked(SEED, 3), &|_, _| {}).unwrap();
        for r in &batch.replications {
            assert_eq!(r.metrics[Metric::FullRecoveryS], *full, "{sets:?}");
            assert_eq!(r.metrics[Metric::Recover50S], *half, "{sets:?}");
            assert_eq!(r.metrics[Metric::VmReboots], 70.0);
            assert_eq!(r.metrics[Metric::SupervisorCrashes], 10.0);
        }
    }
}

#[test]
fn per_head_limit_bounds_the_makespan_from_below() {
    // 2 heads × 10 VMs, c = 20 but at most 2 boots per head: 4 boots run at once, so
    // 20 VMs take 5 waves: 5 + 5·45 = 230 s.
    let m = model_str(
        QUIET,
        &[
            "site=(heads: 2, vms_per_head: 10)",
            "brain.reboot_concurrency=20",
            "brain.per_head_concurrency=2",
        ],
    );
    let batch = run_batch(&m.scenario, &checked(SEED, 2), &|_, _| {}).unwrap();
    assert_eq!(batch.replications[0].metrics[Metric::FullRecoveryS], 230.0);
}

#[test]
fn decoupled_supervisor_crash_costs_no_vm() {
    // The same site-wide crash with decoupled VMs: no VM goes down; control is lost
    // for exactly the restart time on every head: 10 heads × 5 s = 50 head-s.
    let m = model_str(QUIET, &["design.coupling=Decoupled"]);
    let batch = run_batch(&m.scenario, &checked(SEED, 2), &|_, _| {}).unwrap();
    let r = &batch.replications[0].metrics;
    assert_eq!(r[Metric::VmAvailability], 1.0);
    assert_eq!(r[Metric::VmReboots], 0.0);
    assert_eq!(r[Metric::ControlLossHeadS], 50.0);
}

#[test]
fn head_failure_repair_availability_matches_the_two_state_process() {
    // Each head fails at rate λ and is repaired at rate μ; restart, reconnect and boot
    // take (almost) no time. Starting with every head up, the expected fraction of
    // [0, T] a head is up is
    //   A(T) = μ/(λ+μ) + λ/(λ+μ) · (1 − e^{−(λ+μ)T}) / ((λ+μ)T).
    // λ = 10/yr, repair mean 7 d (μ = 365/7 /yr), T = 1 yr:
    //   μ/(λ+μ) = 0.839080..., the transient adds 0.002587...: A(T) = 0.841667.
    // The 95 % CI over 200 replications of 20 heads must contain it.
    let text = r#"(
        name: "two-state",
        horizon: "365d",
        site: (heads: 20, vms_per_head: 2),
        link: (reconnect: (initial: "1ms", multiplier: 1.0, max: "1ms", jitter: 0.0)),
        supervisor: (restart: Fixed("0s")),
        brain: (reboot_concurrency: 100, boot_time: Fixed("0s")),
        head: (failures_per_year: 10.0, repair: Exponential(mean: "7d")),
    )"#;
    let m = model_str(text, &[]);
    let plan = Plan {
        jobs: 2,
        ..Plan::new(3, 200)
    };
    let batch = run_batch(&m.scenario, &plan, &|_, _| {}).unwrap();
    let s = batch.summary(Metric::VmAvailability);
    let (lambda, mu): (f64, f64) = (10.0, 365.0 / 7.0);
    let k = lambda + mu;
    let expected = mu / k + lambda / k * (1.0 - (-k).exp()) / k;
    assert!(
        s.ci95_lo <= expected && expected <= s.ci95_hi,
        "expected {expected} in [{}, {}]",
        s.ci95_lo,
        s.ci95_hi
    );
    // A loose sanity bound, so an absurdly wide interval cannot pass.
    assert!(s.ci95_hi - s.ci95_lo < 0.01);
}

#[test]
fn crash_count_on_resets_is_binomial() {
    // Routine resets only, each crashing the supervisor with p = 0.1 (the reset is
    // short and the restart instant, so nearly every reset finds it running). Over R
    // resets the crash count is Binomial(R, p): within R·p ± 4·sqrt(R·p·(1−p)).
    let text = r#"(
        name: "resets",
        horizon: "365d",
        site: (heads: 20, vms_per_head: 1),
        design: (coupling: Decoupled),
        link: (flaps_per_year: 200.0, flap_duration: Fixed("1s")),
        supervisor: (restart: Fixed("1ms"), crash_on_reset: 0.1),
    )"#;
    let m = model_str(text, &[]);
    let batch = run_batch(&m.scenario, &Plan::new(5, 20), &|_, _| {}).unwrap();
    let resets: f64 = batch.values(Metric::LinkResets).iter().sum();
    let crashes: f64 = batch.values(Metric::SupervisorCrashes).iter().sum();
    let p = 0.1;
    let sd = (resets * p * (1.0 - p)).sqrt();
    assert!(resets > 50_000.0, "{resets} resets");
    assert!(
        (crashes - resets * p).abs() <= 4.0 * sd,
        "{crashes} crashes on {resets} resets"
    );
}

#[test]
fn long_reset_crash_loops_while_the_partition_lasts() {
    // A site-wide partition of P seconds, long-reset threshold L, restart r, p_long = 1
    // and no short-reset crash. Reconnect attempts come every second without jitter, so
    // the link is back within 1 s after the partition ends. Life 0 is running when the
    // link drops and crashes L in; every later life runs r after the crash before it
    // and crashes L after that. The crashes fall at L + k·(L + r), k = 0, 1, …, while
    // the link is down, so each head crashes
    //   n = 0 if P ≤ L, else floor((P − L) / (L + r)) + 1
    // times, provided no crash instant falls in the second after P (checked below).
    //   P=240, L=30, r=10: floor(210/40) + 1 = 6 (at 30, 70, …, 230; next 270).
    //   P=110, L=30, r=5:  floor(80/35) + 1 = 3 (30, 65, 100; next 135).
    //   P=240, L=60, r=5:  floor(180/65) + 1 = 3 (60, 125, 190; next 255).
    //   P=600, L=30, r=30: floor(570/60) + 1 = 10 (30, 90, …, 570; next 630).
    //   P=20, L=30, r=5:   0.
    // Every crash after the first finds the head's VMs dead already: one reboot each.
    let cases: &[(u64, u64, u64, u64)] = &[
        (240, 30, 10, 6),
        (110, 30, 5, 3),
        (240, 60, 5, 3),
        (600, 30, 30, 10),
        (20, 30, 5, 0),
    ];
    for &(p, l, r, n) in cases {
        let closed = if p <= l { 0 } else { (p - l) / (l + r) + 1 };
        assert_eq!(closed, n, "the hand count of P={p} L={l} r={r}");
        let next = l + n * (l + r);
        assert!(
            next > p + 1,
            "P={p} L={l} r={r}: crash {next} s in may race the reconnect"
        );
        let sets = [
            format!("faults=[Partition(at: \"1h\", duration: Fixed(\"{p}s\"), scope: All)]"),
            "supervisor.crash_on_long_reset=1.0".to_string(),
            format!("supervisor.long_reset_after=\"{l}s\""),
            format!("supervisor.restart=Fixed(\"{r}s\")"),
            "link.reconnect.multiplier=1.0".to_string(),
            "link.reconnect.max=\"1s\"".to_string(),
            "link.reconnect.jitter=0.0".to_string(),
        ];
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        let m = model_str(QUIET, &sets);
        let batch = run_batch(&m.scenario, &checked(SEED, 3), &|_, _| {}).unwrap();
        for rep in &batch.replications {
            let what = format!("P={p} L={l} r={r}");
            assert_eq!(
                rep.metrics[Metric::SupervisorCrashes],
                10.0 * n as f64,
                "{what}"
            );
            assert_eq!(rep.metrics[Metric::LinkResets], 10.0, "{what}");
            let reboots = if n > 0 { 70.0 } else { 0.0 };
            assert_eq!(rep.metrics[Metric::VmReboots], reboots, "{what}");
        }
    }
}

#[test]
fn worst_case_bursts_fit_the_event_queue() {
    // Every reset crashes the supervisor, and site-wide faults of every kind hit all
    // heads at once (some at the same instant): each handler schedules its largest
    // burst, and the run still completes with every invariant holding.
    let text = r#"(
        name: "bursts",
        horizon: "2d",
        site: (heads: 30, vms_per_head: 5),
        link: (flaps_per_year: 5000.0, flap_duration: Fixed("2s")),
        supervisor: (crash_on_reset: 1.0, crash_on_long_reset: 1.0, crashes_per_year: 500.0),
        brain: (reboot_concurrency: 7, per_head_concurrency: Some(2), queue_policy: RoundRobinHeads,
                failovers_per_year: 300.0),
        head: (failures_per_year: 100.0, repair: Exponential(mean: "20m")),
        faults: [
            BrainFailover(at: "1h"),
            HeadFailure(at: "1h", scope: All),
            Partition(at: "1h", duration: Fixed("10m"), scope: All),
            SupervisorCrash(at: "1h", scope: Fraction(0.5)),
            RandomPartitions(per_year: 2000.0, duration: Exponential(mean: "3m"), scope: Fraction(0.3)),
        ],
    )"#;
    let m = model_str(text, &[]);
    let batch = run_batch(&m.scenario, &checked(SEED, 2), &|_, _| {}).unwrap();
    assert!(batch.replications[0].metrics[Metric::SupervisorCrashes] > 100.0);
}

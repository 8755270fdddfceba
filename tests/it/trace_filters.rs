//! Trace filters: every name a trace prints is accepted by `--event` and chooses
//! exactly its lines, a VM's lines are filtered by the head the VM is on at the time,
//! a migration's lines name its source and target, and a filter that can select
//! nothing is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use bigvsim::model::{
    BrainEvent, ChangeEvent, Event, FaultEvent, HardwareEvent, LinkEvent, MaintenanceEvent, Note,
    SupervisorEvent, VmEvent,
};
use bigvsim::report::trace::is_name;
use serde_json::Value;

use super::common::{bigvsim, scratch};

/// Links with handshakes (a reconnect storm's accept queue), racks and their switches,
/// faults of every kind, head failures announced ahead, maintenance and rollouts that
/// drain heads by live migration, and copies slow enough for some to fail.
const RICH: &str = r#"(
    name: "rich",
    horizon: "20d",
    site: (heads: 12, vms_per_head: 3, vm_slots_per_head: 6, racks: 3),
    design: (coupling: Coupled, transport: Tcp),
    link: (
        reconnect: (initial: "1s", multiplier: 2.0, max: "30s", jitter: 0.2),
        flaps_per_year: 5000.0,
        flap_duration: Uniform(min: "1s", max: "5s"),
    ),
    supervisor: (
        restart: Fixed("5s"),
        crash_on_reset: 0.05,
        crash_on_long_reset: 1.0,
        long_reset_after: "30s",
        crashes_per_year: 10.0,
    ),
    brain: (
        reboot_concurrency: 4,
        boot_time: Fixed("10m"),
        failovers_per_year: 20.0,
        failover_time: Fixed("30s"),
        accept_per_s: 2.0,
    ),
    head: (failures_per_year: 4.0, repair: Exponential(mean: "4h"), predicted_fraction: 0.5, warning: "1h"),
    racks: (switch_failures_per_year: 20.0, switch_repair: Fixed("10m")),
    maintenance: (
        per_head_per_year: 20.0,
        duration: Uniform(min: "10m", max: "30m"),
        drain: LiveMigrate,
        max_concurrent_heads: 1,
    ),
    migration: (concurrency: 2, vm_memory_gib: 4.0, bandwidth_gib_per_s: 0.05, pause: Fixed("300ms")),
    faults: [
        Partition(at: "1h", duration: Fixed("4m"), scope: All),
        RandomPartitions(per_year: 10.0, duration: Fixed("2m"), scope: Racks([1])),
        SupervisorCrash(at: "2h", scope: Heads([3])),
        HeadFailure(at: "3h", scope: Heads([5])),
        BrainFailover(at: "4h"),
    ],
    changes: [
        At(at: "1d", set: ["supervisor.crashes_per_year=5"]),
        Rollout(at: "2d", over: "2d", set: ["supervisor.crash_on_reset=0.005"], order: Sequential, restart_supervisor: true, drain: LiveMigrate),
    ],
)"#;

/// The same site with a message broker that fails now and then.
const BROKER: &str =
    r#"design.transport=MessageQueue(broker: (failures_per_year: 50.0, repair: Fixed("10m")))"#;

/// `RICH` written to a file of its own (one per test, so tests run in parallel).
fn rich_file(test: &str) -> PathBuf {
    let dir = scratch(test);
    let path = dir.join("rich.ron");
    std::fs::write(&path, RICH).unwrap();
    path
}

/// The raw lines of `trace MODEL ARGS`, which must succeed.
fn trace_lines(model: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["trace", model.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = bigvsim(&all);
    assert!(
        out.status.success(),
        "trace {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn parsed(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn event(l: &Value) -> &str {
    l["event"].as_str().unwrap()
}

#[test]
fn every_event_and_note_name_is_accepted_by_the_event_filter() {
    // The names come from the enums themselves: each is distinct and accepted, and
    // one trace given all of them at once is not refused.
    let names: Vec<&str> = Event::names().chain(Note::NAMES.iter().copied()).collect();
    let distinct: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(distinct.len(), names.len(), "a name twice: {names:?}");
    for name in &names {
        assert!(is_name(name), "{name} is refused");
    }
    // Every component's events are among them, named as the event names itself.
    let samples = [
        Event::Link(LinkEvent::Resynced {
            head: 0,
            connect: 0,
        }),
        Event::Supervisor(SupervisorEvent::BackgroundCrashDue { head: 0 }),
        Event::Vm(VmEvent::VmBooted { vm: 0, boot: 0 }),
        Event::Brain(BrainEvent::BrokerRepaired),
        Event::Fault(FaultEvent::SwitchFailed { rack: 0 }),
        Event::Fault(FaultEvent::SwitchRepaired { rack: 0 }),
        Event::Hardware(HardwareEvent::FailureWarned { head: 0, life: 0 }),
        Event::Maintenance(MaintenanceEvent::MigrationResumed { vm: 0, pause: 0 }),
        Event::Change(ChangeEvent::ChangeReached { change: 0, step: 0 }),
    ];
    for e in samples {
        assert!(distinct.contains(e.name()), "{} missing", e.name());
    }
    for n in [
        LinkEvent::NAMES,
        SupervisorEvent::NAMES,
        VmEvent::NAMES,
        BrainEvent::NAMES,
        FaultEvent::NAMES,
        HardwareEvent::NAMES,
        MaintenanceEvent::NAMES,
        ChangeEvent::NAMES,
    ] {
        assert!(n.iter().all(|name| distinct.contains(name)), "{n:?}");
    }
    let model = rich_file("names");
    let mut args = vec!["--limit", "1"];
    for name in &names {
        args.extend(["--event", name]);
    }
    assert_eq!(trace_lines(&model, &args).len(), 1);
}

#[test]
fn every_printed_name_is_accepted_and_chooses_exactly_its_lines() {
    // A trace of a model with links, storms, racks, rollouts and migrations (and one
    // with a broker): every name it prints is accepted by `--event`, and filtering by
    // it prints exactly the lines of that name, in the same order.
    let model = rich_file("printed");
    let mut printed = BTreeSet::new();
    for sets in [vec![], vec!["--set", BROKER]] {
        let all = trace_lines(&model, &sets);
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (l, v) in all.iter().zip(parsed(&all)) {
            by_name
                .entry(event(&v).to_string())
                .or_default()
                .push(l.clone());
        }
        for (name, lines) in &by_name {
            let mut args = sets.clone();
            args.extend(["--event", name.as_str()]);
            assert_eq!(&trace_lines(&model, &args), lines, "--event {name}");
            printed.insert(name.clone());
        }
    }
    // The classes once refused or never printed are there.
    for name in [
        "Resynced",
        "ChangeReached",
        "SwitchFailed",
        "SwitchRepaired",
        "BrokerFailed",
        "MigrationStarted",
        "MigrationCopied",
        "MigrationPaused",
        "MigrationResumed",
        "MigrationFailed",
        "VmBooted",
    ] {
        assert!(printed.contains(name), "no {name} in the traces");
    }
}

#[test]
fn a_vm_s_lines_name_and_match_the_head_it_is_on_at_the_time() {
    // After a migration a VM's boots end on its new head: the boot's line names that
    // head (the one its BootStarted note names) and `--head` finds it there, not on
    // the VM's first head.
    let model = rich_file("heads");
    let all = parsed(&trace_lines(&model, &[]));
    let mut started_on: BTreeMap<u64, u64> = BTreeMap::new();
    let mut moved_boots = Vec::new();
    for l in &all {
        match event(l) {
            "BootStarted" => {
                started_on.insert(l["vm"].as_u64().unwrap(), l["head"].as_u64().unwrap());
            }
            "VmBooted" => {
                let vm = l["vm"].as_u64().unwrap();
                assert_eq!(l["head"].as_u64(), started_on.get(&vm).copied(), "{l}");
                if l["head"].as_u64() != Some(vm / 3) {
                    moved_boots.push(l.clone());
                }
            }
            _ => {}
        }
    }
    assert!(moved_boots.len() > 10, "{}", moved_boots.len());
    let on = |h: u64| parsed(&trace_lines(&model, &["--head", &h.to_string()]));
    for boot in moved_boots.iter().take(3) {
        let (vm, head) = (boot["vm"].as_u64().unwrap(), boot["head"].as_u64().unwrap());
        assert!(on(head).contains(boot), "--head {head} misses {boot}");
        assert!(!on(vm / 3).contains(boot), "--head {} keeps {boot}", vm / 3);
    }
    // Every line `--head 4` keeps names head 4, as its head or a migration's end.
    for l in on(4) {
        let names_4 = [&l["head"], &l["from"], &l["to"]].iter().any(|v| **v == 4);
        assert!(names_4, "{l}");
    }
}

#[test]
fn a_migration_s_lines_name_its_source_and_target() {
    // Start, end of copy, pause (or failure) and resume of one migration name the same
    // source and target, and the VM's lines between them follow it.
    let model = rich_file("migrations");
    let all = parsed(&trace_lines(
        &model,
        &[
            "--event",
            "MigrationStarted",
            "--event",
            "MigrationCopied",
            "--event",
            "MigrationPaused",
            "--event",
            "MigrationFailed",
            "--event",
            "MigrationResumed",
        ],
    ));
    let mut open: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    let mut resumes = 0;
    let mut failures = 0;
    for l in &all {
        let vm = l["vm"].as_u64().unwrap();
        let ends = (
            l["from"].as_u64().expect("a source"),
            l["to"].as_u64().expect("a target"),
        );
        assert_ne!(ends.0, ends.1, "{l}");
        match event(l) {
            // A VM that died while paused is never resumed: its next start replaces it.
            "MigrationStarted" => {
                open.insert(vm, ends);
            }
            "MigrationResumed" => {
                assert_eq!(open.remove(&vm), Some(ends), "{l}");
                resumes += 1;
            }
            "MigrationFailed" => {
                assert_eq!(open.remove(&vm), Some(ends), "{l}");
                failures += 1;
            }
            _ => assert_eq!(open.get(&vm), Some(&ends), "{l}"),
        }
    }
    assert!(resumes > 10 && failures > 0, "{resumes} {failures}");
    // `--head` keeps a migration's lines on its source and on its target.
    let Some(first) = all.iter().find(|l| event(l) == "MigrationCopied") else {
        panic!("no copy")
    };
    for end in ["from", "to"] {
        let h = first[end].as_u64().unwrap().to_string();
        let lines = parsed(&trace_lines(
            &model,
            &["--head", &h, "--event", "MigrationCopied"],
        ));
        assert!(lines.contains(first), "--head {h} misses {first}");
    }
}

#[test]
fn filters_that_can_select_nothing_are_refused() {
    // 12 heads of 3 VMs, a horizon of 20 days: a head or VM beyond them, a window
    // that ends before it begins or begins after the horizon selects nothing.
    let model = rich_file("refused");
    let m = model.to_str().unwrap();
    let york = "models/york-2017.ron";
    let cases: &[(&str, &[&str], &str)] = &[
        (
            m,
            &["--head", "12"],
            "--head 12: the model has 12 heads, 0 to 11",
        ),
        (
            m,
            &["--head", "4000000000"],
            "--head 4000000000: the model has 12 heads, 0 to 11",
        ),
        (m, &["--vm", "36"], "--vm 36: the model has 36 VMs, 0 to 35"),
        (
            york,
            &["--vm", "100", "--set", "site.heads=1"],
            "--vm 100: the model has 40 VMs, 0 to 39",
        ),
        (
            york,
            &["--head", "1", "--set", "site.heads=1"],
            "--head 1: the model has 1 head, only 0",
        ),
        (
            m,
            &["--from", "3h", "--to", "2h"],
            "--from 3h: after --to 2h; --from must be at or before --to",
        ),
        (
            m,
            &["--from", "21d"],
            "--from 21d: past the model's horizon of 20d; --from must be at most 20d",
        ),
        (
            york,
            &["--from", "25h"],
            "--from 25h: past the model's horizon of 1d; --from must be at most 1d",
        ),
        (
            york,
            &["--from", "2d", "--set", "horizon=36h"],
            "--from 2d: past the model's horizon of 36h; --from must be at most 36h",
        ),
    ];
    for (path, extra, message) in cases {
        let mut args = vec!["trace", path];
        args.extend_from_slice(extra);
        let out = bigvsim(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert_eq!(err.trim_end(), format!("error: {message}"), "{extra:?}");
        assert!(out.stdout.is_empty(), "{extra:?}");
    }
    // The edges are allowed: the last head and VM, a window of one instant, the
    // horizon itself.
    for extra in [
        &["--head", "11", "--limit", "1"][..],
        &["--vm", "35", "--limit", "1"],
        &["--from", "2h", "--to", "2h"],
        &["--from", "20d"],
    ] {
        let mut args = vec!["trace", m];
        args.extend_from_slice(extra);
        let out = bigvsim(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

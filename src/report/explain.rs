//! The worst incident of one replication as a short causal timeline: what started it,
//! which supervisors crashed and why, how many VMs died, when the links came back, how
//! the reboot queue drained and when the last VM ran again. Pure: it takes the
//! replication's timer events and notes and returns lines.
//!
//! Times are in seconds from the incident's start (its first VM death), so the last
//! line's time is the replication's `full_recovery_s`; what led up to it (a partition,
//! the links dropping) has negative times.

use crate::engine::{EngineError, Micros, US_PER_S};
use crate::experiment::explain::{Traced, record_replication};
use crate::metrics::Incident;
use crate::model::{
    BrainEvent, ChangeEvent, CrashCause, Event, FaultEvent, HardwareEvent, LinkEvent,
    MaintenanceEvent, Note, SupervisorEvent, VmEvent,
};
use crate::scenario::{Fault, Scenario, Scope};

/// The timeline of the worst incident of replication `rep` of `sc` under `seed`.
pub fn explain_replication(sc: &Scenario, seed: u64, rep: u64) -> Result<Vec<String>, EngineError> {
    let r = record_replication(sc, seed, rep)?;
    Ok(timeline(
        sc,
        r.seed,
        r.replication,
        &r.items,
        r.incident,
        r.full_recovery_s,
    ))
}

/// At most this many lines; the last line (the last VM back) is always kept.
pub const MAX_LINES: usize = 30;

/// Things of one kind closer together than this form one group.
const GAP_US: Micros = 120 * US_PER_S;

/// What one group of the timeline counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A fault, a brain or broker failure, a head failure: each is its own line.
    Cause,
    LinksDown,
    Crashes,
    LinksBack,
    Boots,
}

/// A group: its kind, its time span and its counts.
#[derive(Clone, Debug)]
struct Group {
    kind: Kind,
    from: Micros,
    to: Micros,
    text: String,
    crashes: [u32; 5],
    /// The heads whose supervisors crashed, per cause (with repeats).
    crashed_heads: [Vec<u32>; 5],
    died: u32,
    links: u32,
    boots_started: u32,
    boots_done: u32,
    slots: u32,
}

impl Group {
    fn new(kind: Kind, t: Micros) -> Group {
        Group {
            kind,
            from: t,
            to: t,
            text: String::new(),
            crashes: [0; 5],
            crashed_heads: Default::default(),
            died: 0,
            links: 0,
            boots_started: 0,
            boots_done: 0,
            slots: 0,
        }
    }
}

/// An integer with spaces between thousands ("2 000").
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Whole seconds from the incident's start, signed, with spaces between thousands.
fn secs(t: Micros, start: Micros) -> String {
    let s = |us: Micros| thousands((us + US_PER_S / 2) / US_PER_S);
    if t >= start {
        s(t - start)
    } else {
        format!("−{}", s(start - t))
    }
}

fn span(g: &Group, start: Micros) -> String {
    let (a, b) = (secs(g.from, start), secs(g.to, start));
    if a == b {
        format!("{a} s")
    } else {
        format!("{a}–{b} s")
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { one } else { many }
    )
}

/// The heads a fault touches, in words.
fn scope_words(sc: &Scenario, fault: u32) -> String {
    let heads = sc.site.heads;
    let scope = match sc.faults.get(fault as usize) {
        Some(
            Fault::Partition { scope, .. }
            | Fault::RandomPartitions { scope, .. }
            | Fault::SupervisorCrash { scope, .. }
            | Fault::HeadFailure { scope, .. },
        ) => scope,
        _ => &Scope::All,
    };
    match scope {
        Scope::All => format!("all {} heads", thousands(heads as u64)),
        Scope::Heads(list) => plural(list.len() as u32, "head", "heads"),
        Scope::Fraction(f) => plural(
            (f * heads as f64).round().min(heads as f64) as u32,
            "head",
            "heads",
        ),
        Scope::Racks(list) => {
            let n: u32 = list
                .iter()
                .map(|&r| sc.site.rack_heads(r).len() as u32)
                .sum();
            format!(
                "{} ({})",
                plural(list.len() as u32, "rack", "racks"),
                plural(n, "head", "heads")
            )
        }
        Scope::RackFraction(f) => plural(
            (f * sc.site.racks as f64).round().min(sc.site.racks as f64) as u32,
            "rack",
            "racks",
        ),
    }
}

/// What an event is to the timeline.
enum Role {
    /// A cause, with its one-line description: a line of its own.
    Cause(String),
    /// A boot ended: counted with the boots.
    BootDone,
    /// A routine timer (a flap, a reconnect attempt, a restart, …): the notes tell
    /// what it did.
    Routine,
}

/// What `e` is to the timeline. Every event is named: a new one must be placed here.
fn role(sc: &Scenario, e: &Event) -> Role {
    Role::Cause(match *e {
        Event::Fault(FaultEvent::PartitionBegan { fault }) => {
            format!("partition of {} begins", scope_words(sc, fault))
        }
        Event::Fault(FaultEvent::PartitionHealed { .. }) => "the partition heals".into(),
        Event::Fault(FaultEvent::CrashFaultFired { fault }) => {
            format!("a crash fault hits {}", scope_words(sc, fault))
        }
        Event::Fault(FaultEvent::HeadFaultFired { fault }) => {
            format!("a hardware fault fails {}", scope_words(sc, fault))
        }
        Event::Fault(FaultEvent::SwitchFailed { rack }) => format!(
            "rack {rack}'s switch fails, cutting {}",
            plural(sc.site.rack_heads(rack).len() as u32, "head", "heads")
        ),
        Event::Fault(FaultEvent::SwitchRepaired { rack }) => {
            format!("rack {rack}'s switch is repaired")
        }
        Event::Brain(BrainEvent::BrainFailed { .. }) => "the brain fails over".into(),
        Event::Brain(BrainEvent::BrainRecovered { .. }) => "the brain is back".into(),
        Event::Brain(BrainEvent::BrokerFailed) => "the message broker fails".into(),
        Event::Brain(BrainEvent::BrokerRepaired) => "the message broker is repaired".into(),
        Event::Hardware(HardwareEvent::HeadFailed { head, .. }) => {
            format!("head {head}'s hardware fails")
        }
        Event::Hardware(HardwareEvent::HeadRepaired { head, .. }) => {
            format!("head {head} is repaired")
        }
        Event::Vm(VmEvent::VmBooted { .. }) => return Role::BootDone,
        Event::Link(
            LinkEvent::FlapBegan { .. }
            | LinkEvent::FlapHealed { .. }
            | LinkEvent::ReconnectAttempted { .. }
            | LinkEvent::Resynced { .. },
        )
        | Event::Supervisor(
            SupervisorEvent::LongOutageReached { .. }
            | SupervisorEvent::BackgroundCrashDue { .. }
            | SupervisorEvent::SupervisorRestarted { .. },
        )
        | Event::Hardware(HardwareEvent::FailureWarned { .. })
        | Event::Maintenance(
            MaintenanceEvent::MaintenanceDue { .. }
            | MaintenanceEvent::MaintenanceEnded { .. }
            | MaintenanceEvent::MigrationCopied { .. }
            | MaintenanceEvent::MigrationResumed { .. },
        )
        | Event::Change(ChangeEvent::ChangeReached { .. }) => return Role::Routine,
    })
}

/// What a note adds to a group of the timeline.
enum Tally {
    Crash { head: u32, cause: CrashCause },
    Died,
    Link,
    BootStarted { in_flight: u32 },
    BootDone,
}

/// The group kind a note belongs to and what it adds, or `None` for notes the
/// timeline does not tell. Every note is named: a new one must be placed here.
fn note_tally(n: Note) -> Option<(Kind, Tally)> {
    Some(match n {
        Note::LinkDropped { .. } => (Kind::LinksDown, Tally::Link),
        Note::SupervisorCrashed { head, cause } => (Kind::Crashes, Tally::Crash { head, cause }),
        Note::VmDied { .. } => (Kind::Crashes, Tally::Died),
        Note::LinkReconnected { .. } => (Kind::LinksBack, Tally::Link),
        Note::BootStarted { in_flight, .. } => (Kind::Boots, Tally::BootStarted { in_flight }),
        Note::BugDrawn { .. }
        | Note::BootKilled { .. }
        | Note::VmQueued { .. }
        | Note::ReconnectFailed { .. }
        | Note::MigrationStarted { .. }
        | Note::MigrationPaused { .. }
        | Note::MigrationFailed { .. } => return None,
    })
}

fn crash_index(c: CrashCause) -> usize {
    match c {
        CrashCause::BugOnReset => 0,
        CrashCause::BugOnLongReset => 1,
        CrashCause::Background => 2,
        CrashCause::Fault => 3,
        CrashCause::RolloutRestart => 4,
    }
}

fn crash_words(g: &Group) -> String {
    let names = [
        "the bug (on a reset) crashes",
        "the bug (after a long outage) crashes",
        "background crashes take down",
        "the crash fault crashes",
        "the rollout restarts",
    ];
    let mut parts: Vec<String> = g
        .crashes
        .iter()
        .zip(&g.crashed_heads)
        .zip(names)
        .filter(|((n, _), _)| **n > 0)
        .map(|((n, heads), what)| {
            let mut heads = heads.clone();
            heads.sort_unstable();
            heads.dedup();
            let sups = plural(heads.len() as u32, "supervisor", "supervisors");
            if heads.len() as u32 == *n {
                format!("{what} {sups}")
            } else {
                // A supervisor that restarts into the same outage meets the bug again.
                format!(
                    "{what} {sups} {} (a crash loop)",
                    plural(*n, "time", "times")
                )
            }
        })
        .collect();
    if g.died > 0 {
        parts.push(format!("{} die", plural(g.died, "VM", "VMs")));
    }
    parts.join(", ")
}

/// The timeline of `incident` from a replication's timer events and notes (in time
/// order). `full_recovery_s` is the replication's metric, shown on the last line.
pub fn timeline(
    sc: &Scenario,
    seed: u64,
    replication: u64,
    items: &[(Micros, Traced)],
    incident: Option<Incident>,
    full_recovery_s: f64,
) -> Vec<String> {
    let Some(inc) = incident else {
        let count = |f: fn(&Note) -> bool| {
            items
                .iter()
                .filter(|(_, i)| matches!(i, Traced::Note(n) if f(n)))
                .count() as u32
        };
        let crashes = count(|n| matches!(n, Note::SupervisorCrashed { .. }));
        let drops = count(|n| matches!(n, Note::LinkDropped { .. }));
        return vec![format!(
            "no VM went down in replication {replication} (seed {seed}) of {}: {} and {}, none of which took a VM down",
            sc.name,
            plural(drops, "link reset", "link resets"),
            plural(crashes, "supervisor crash", "supervisor crashes"),
        )];
    };
    let start = inc.start_us;
    // What led up to the incident: the long-reset threshold and a few minutes more.
    let lookback = sc.supervisor.long_reset_after_us + 300 * US_PER_S;
    let from = start.saturating_sub(lookback);
    let mut header = vec![format!(
        "worst incident of {}, replication {replication} (seed {seed}): {} down, from {} s into the run; times in seconds from its start",
        sc.name,
        plural(inc.affected_vms, "VM", "VMs"),
        thousands(start / US_PER_S)
    )];
    // The heads whose VMs died in the incident: other heads' routine flaps are noise.
    let mut involved = vec![false; sc.site.heads as usize];
    for (_, item) in items
        .iter()
        .filter(|(t, _)| *t >= start && *t <= inc.end_us)
    {
        if let Traced::Note(Note::VmDied { head, .. }) = item {
            involved[*head as usize] = true;
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    // The open group of each grouped kind, by index into `groups`.
    let mut open: [Option<usize>; 5] = [None; 5];
    let slot = |k: Kind| k as usize;
    for &(t, item) in items.iter().filter(|(t, _)| *t >= from && *t <= inc.end_us) {
        let (kind, tally) = match item {
            Traced::Event(e) => match role(sc, &e) {
                Role::Cause(text) => {
                    let mut g = Group::new(Kind::Cause, t);
                    g.text = text;
                    groups.push(g);
                    continue;
                }
                Role::BootDone => (Kind::Boots, Tally::BootDone),
                Role::Routine => continue,
            },
            Traced::Note(n) if !involved[n.head() as usize] => continue,
            Traced::Note(n) => match note_tally(n) {
                Some(found) => found,
                None => continue,
            },
        };
        let i = match open[slot(kind)] {
            Some(i) if t <= groups[i].to + GAP_US => i,
            _ => {
                groups.push(Group::new(kind, t));
                open[slot(kind)] = Some(groups.len() - 1);
                groups.len() - 1
            }
        };
        let g = &mut groups[i];
        g.to = t;
        match tally {
            Tally::Crash { head, cause } => {
                g.crashes[crash_index(cause)] += 1;
                g.crashed_heads[crash_index(cause)].push(head);
            }
            Tally::Died => g.died += 1,
            Tally::Link => g.links += 1,
            Tally::BootStarted { in_flight } => {
                g.boots_started += 1;
                g.slots = g.slots.max(in_flight);
            }
            Tally::BootDone => g.boots_done += 1,
        }
    }
    groups.sort_by_key(|g| g.from);
    let mut lines: Vec<String> = groups
        .iter()
        .map(|g| {
            let what = match g.kind {
                Kind::Cause => g.text.clone(),
                Kind::LinksDown => format!("{} drop", plural(g.links, "link", "links")),
                Kind::Crashes => crash_words(g),
                Kind::LinksBack => format!("{} back", plural(g.links, "link", "links")),
                Kind::Boots => {
                    let minutes = (g.to - g.from) as f64 / (60 * US_PER_S) as f64;
                    let rate = if minutes > 0.0 {
                        format!(
                            ", ~{} a minute",
                            thousands((g.boots_done as f64 / minutes).round() as u64)
                        )
                    } else {
                        String::new()
                    };
                    format!(
                        "{} start through {}, {} finish{rate}",
                        plural(g.boots_started, "boot", "boots"),
                        plural(g.slots, "slot", "slots"),
                        thousands(g.boots_done as u64)
                    )
                }
            };
            format!("{} {what}", span(g, start))
        })
        .collect();
    let budget = MAX_LINES - header.len() - 1;
    if lines.len() > budget {
        let left = lines.len() - (budget - 1);
        lines.truncate(budget - 1);
        lines.push(format!("… {} more groups", thousands(left as u64)));
    }
    let last = if inc.recovered {
        format!(
            "{} s last VM back (full_recovery_s {full_recovery_s})",
            secs(inc.end_us, start)
        )
    } else {
        format!(
            "{} s the run ends with VMs still down (full_recovery_s {full_recovery_s}, cut by the horizon)",
            secs(inc.end_us, start)
        )
    };
    header.append(&mut lines);
    header.push(last);
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_spaced() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2000), "2 000");
        assert_eq!(thousands(1_234_567), "1 234 567");
    }
}

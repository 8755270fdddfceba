//! Trace lines: one JSON object per timer event or note, and the filters that choose
//! which lines to print. Pure: the CLI runs the replication and writes the lines.

use std::collections::BTreeMap;
use std::io::Write;

use crate::engine::{Micros, US_PER_S};
use crate::model::{About, Event, Note};
use crate::scenario::Scenario;
use crate::scenario::duration::{format_duration_us, parse_duration_us};

/// Which lines of a trace to print; empty fields let everything through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceFilter {
    pub head: Option<u32>,
    pub vm: Option<u32>,
    /// Event or note names; empty: all.
    pub events: Vec<String>,
    pub from_us: Option<Micros>,
    pub to_us: Option<Micros>,
}

/// What one trace line is about, for filtering: every head it names (a VM's line:
/// the head the VM is on at the time; a migration's: its source and target).
struct Subject<'a> {
    name: &'a str,
    heads: [Option<u32>; 2],
    vm: Option<u32>,
}

/// "the model has 10 heads, 0 to 9", for an option that names one of `n` things.
fn what_is_allowed(n: u64, one: &str, many: &str) -> String {
    match n {
        0 => format!("the model has no {many}"),
        1 => format!("the model has 1 {one}, only 0"),
        _ => format!("the model has {n} {many}, 0 to {}", n - 1),
    }
}

impl TraceFilter {
    /// A filter from the command line's values for a trace of `sc`. An unknown name, a
    /// bad time, or a filter that can select nothing (a head or VM the model does not
    /// have, `--from` after `--to` or past the horizon) is an error naming its option.
    pub fn parse(
        sc: &Scenario,
        head: Option<u32>,
        vm: Option<u32>,
        events: &[String],
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<TraceFilter, String> {
        let time = |flag: &str, text: Option<&str>| {
            text.map(parse_duration_us)
                .transpose()
                .map_err(|e| format!("--{flag} {}: {e}", text.unwrap_or_default()))
        };
        if let Some(name) = events.iter().find(|n| !is_name(n)) {
            return Err(format!(
                "--event {name}: no such event or note; known: {}",
                names().join(", ")
            ));
        }
        let heads = u64::from(sc.site.heads);
        if let Some(h) = head
            && u64::from(h) >= heads
        {
            return Err(format!(
                "--head {h}: {}",
                what_is_allowed(heads, "head", "heads")
            ));
        }
        let vms = sc.site.vms();
        if let Some(v) = vm
            && u64::from(v) >= vms
        {
            return Err(format!("--vm {v}: {}", what_is_allowed(vms, "VM", "VMs")));
        }
        let from_us = time("from", from)?;
        let to_us = time("to", to)?;
        if let (Some(f), Some(t), Some(ft), Some(tt)) = (from_us, to_us, from, to)
            && f > t
        {
            return Err(format!(
                "--from {ft}: after --to {tt}; --from must be at or before --to"
            ));
        }
        if let (Some(f), Some(ft)) = (from_us, from)
            && f > sc.horizon_us
        {
            let horizon = format_duration_us(sc.horizon_us);
            return Err(format!(
                "--from {ft}: past the model's horizon of {horizon}; --from must be at most {horizon}"
            ));
        }
        Ok(TraceFilter {
            head,
            vm,
            events: events.to_vec(),
            from_us,
            to_us,
        })
    }

    fn keeps(&self, t_us: Micros, s: &Subject) -> bool {
        self.from_us.is_none_or(|f| t_us >= f)
            && self.to_us.is_none_or(|to| t_us <= to)
            && (self.events.is_empty() || self.events.iter().any(|e| e == s.name))
            && self.head.is_none_or(|h| s.heads.contains(&Some(h)))
            && self.vm.is_none_or(|v| s.vm == Some(v))
    }
}

/// Every name a trace line can carry, timer events first, each from its enum's own
/// list (`Event::names`, `Note::NAMES`).
pub fn names() -> Vec<&'static str> {
    Event::names().chain(Note::NAMES.iter().copied()).collect()
}

/// True for a name some trace line can carry.
pub fn is_name(name: &str) -> bool {
    Event::names().any(|n| n == name) || Note::NAMES.contains(&name)
}

/// Seconds with six decimals, exactly (no float rounding).
fn seconds(t_us: Micros) -> String {
    format!("{}.{:06}", t_us / US_PER_S, t_us % US_PER_S)
}

fn line(n: u64, t_us: Micros, name: &str, fields: &str) -> String {
    let sep = if fields.is_empty() { "" } else { "," };
    format!(
        "{{\"n\":{n},\"t_us\":{t_us},\"t_s\":{},\"event\":\"{name}\"{sep}{fields}}}",
        seconds(t_us)
    )
}

/// The lines of one trace: the filter, and what the trace has learnt from the notes
/// so far, where each VM is and the migrations under way, to name the heads of the
/// events that name only a VM.
pub struct Tracer {
    filter: TraceFilter,
    /// Each VM's head now: the placement before the run, moved by every
    /// `MigrationPaused` note.
    heads: Vec<u32>,
    /// The source and target of each migration being copied, by VM.
    copying: BTreeMap<u32, (u32, u32)>,
    /// The source and target of each VM's last migration, by VM, for its pause's end.
    moved: BTreeMap<u32, (u32, u32)>,
}

impl Tracer {
    /// A trace with `filter`, of a run whose VM `v` starts on head `heads[v]`.
    pub fn new(filter: TraceFilter, heads: Vec<u32>) -> Tracer {
        Tracer {
            filter,
            heads,
            copying: BTreeMap::new(),
            moved: BTreeMap::new(),
        }
    }

    fn head_of(&self, vm: u32) -> Option<u32> {
        self.heads.get(vm as usize).copied()
    }

    /// The heads of a migration of `vm` from `known` (source, target), appended to an
    /// event's `fields`; if no note told of it, the VM's head stands for both.
    fn migration_heads(
        &self,
        vm: u32,
        known: Option<(u32, u32)>,
        fields: &mut String,
    ) -> [Option<u32>; 2] {
        let (from, to) = known.unzip();
        let (from, to) = (from.or(self.head_of(vm)), to.or(self.head_of(vm)));
        if let (Some(f), Some(t)) = (from, to) {
            fields.push_str(&format!(",\"from\":{f},\"to\":{t}"));
        }
        [from, to]
    }

    /// The line of timer event number `n`, if the filter keeps it. An event about a
    /// VM names the VM's head at the time (`head`); the end of a migration's copy or
    /// pause names the migration's source and target (`from`, `to`).
    pub fn event_line(&mut self, n: u64, t_us: Micros, e: &Event) -> Option<String> {
        let mut fields = e.json_fields();
        let (heads, vm) = match e.about() {
            About::Site => ([None, None], None),
            About::Head(h) => ([Some(h), None], None),
            About::Vm(v) => {
                let head = self.head_of(v);
                if let Some(h) = head {
                    fields.push_str(&format!(",\"head\":{h}"));
                }
                ([head, None], Some(v))
            }
            About::MigrationCopy(v) => {
                let known = self.copying.remove(&v);
                (self.migration_heads(v, known, &mut fields), Some(v))
            }
            About::MigrationPause(v) => {
                let known = self.moved.remove(&v);
                (self.migration_heads(v, known, &mut fields), Some(v))
            }
        };
        let s = Subject {
            name: e.name(),
            heads,
            vm,
        };
        self.filter
            .keeps(t_us, &s)
            .then(|| line(n, t_us, e.name(), &fields))
    }

    /// The line of a note recorded while handling event number `n`, if the filter
    /// keeps it. Every note, kept or not, updates where the VMs are.
    pub fn note_line(&mut self, n: u64, t_us: Micros, note: &Note) -> Option<String> {
        match *note {
            Note::MigrationStarted { vm, from, to } => {
                self.copying.insert(vm, (from, to));
            }
            Note::MigrationPaused { vm, from, to } => {
                if let Some(h) = self.heads.get_mut(vm as usize) {
                    *h = to;
                }
                self.moved.insert(vm, (from, to));
            }
            Note::MigrationFailed { .. }
            | Note::BugDrawn { .. }
            | Note::SupervisorCrashed { .. }
            | Note::VmDied { .. }
            | Note::BootKilled { .. }
            | Note::VmQueued { .. }
            | Note::BootStarted { .. }
            | Note::LinkDropped { .. }
            | Note::ReconnectFailed { .. }
            | Note::LinkReconnected { .. } => {}
        }
        let s = Subject {
            name: note.name(),
            heads: note.heads(),
            vm: note.vm(),
        };
        self.filter
            .keeps(t_us, &s)
            .then(|| line(n, t_us, note.name(), &note.json_fields()))
    }
}

/// The trace's output: at most `room` more lines (`--limit`), and the first failed
/// write, after which nothing more is written.
pub struct TraceLines<W: Write> {
    pub out: W,
    room: u64,
    pub error: Option<std::io::Error>,
}

impl<W: Write> TraceLines<W> {
    pub fn new(out: W, room: u64) -> Self {
        TraceLines {
            out,
            room,
            error: None,
        }
    }

    /// Writes `line` (None: filtered out) while there is room and no write has failed.
    pub fn put(&mut self, line: Option<String>) {
        if let Some(l) = line
            && !self.done()
        {
            self.room -= 1;
            if let Err(e) = writeln!(self.out, "{l}") {
                self.error = Some(e);
            }
        }
    }

    /// Whether the trace is over: `--limit` lines written, or a write failed (the
    /// reader went away).
    pub fn done(&self) -> bool {
        self.room == 0 || self.error.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinkEvent, VmEvent};

    #[test]
    fn lines_carry_seconds_and_filters_choose_them() {
        let e = Event::Link(LinkEvent::FlapBegan { head: 3 });
        let mut all = Tracer::new(TraceFilter::default(), vec![0, 1]);
        assert_eq!(
            all.event_line(7, 3_600_000_001, &e).unwrap(),
            "{\"n\":7,\"t_us\":3600000001,\"t_s\":3600.000001,\"event\":\"FlapBegan\",\"head\":3}"
        );
        let head4 = TraceFilter {
            head: Some(4),
            ..Default::default()
        };
        assert!(Tracer::new(head4, vec![]).event_line(7, 0, &e).is_none());
        let late = TraceFilter {
            from_us: Some(10),
            ..Default::default()
        };
        let mut late = Tracer::new(late, vec![]);
        assert!(late.event_line(7, 9, &e).is_none());
        assert!(late.event_line(7, 10, &e).is_some());
    }

    #[test]
    fn a_boot_names_the_head_its_vm_moved_to() {
        let head1 = TraceFilter {
            head: Some(1),
            ..Default::default()
        };
        let mut t = Tracer::new(head1, vec![0, 0]);
        let boot = Event::Vm(VmEvent::VmBooted { vm: 1, boot: 2 });
        assert!(t.event_line(1, 0, &boot).is_none());
        let moved = Note::MigrationPaused {
            vm: 1,
            from: 0,
            to: 1,
        };
        assert!(t.note_line(1, 0, &moved).is_some());
        let line = t.event_line(2, 5, &boot).unwrap();
        assert!(line.ends_with("\"vm\":1,\"boot\":2,\"head\":1}"), "{line}");
    }
}

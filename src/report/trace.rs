//! Trace lines: one JSON object per timer event or note, and the filters that choose
//! which lines to print. Pure: the CLI runs the replication and writes the lines.

use std::io::Write;

use crate::engine::{Micros, US_PER_S};
use crate::model::{Event, Note};
use crate::scenario::duration::parse_duration_us;

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

/// What one trace line is about, for filtering.
struct Subject<'a> {
    name: &'a str,
    head: Option<u32>,
    vm: Option<u32>,
}

impl TraceFilter {
    /// A filter from the command line's values; an unknown name or a bad time is an
    /// error naming its flag.
    pub fn parse(
        head: Option<u32>,
        vm: Option<u32>,
        events: &[String],
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<TraceFilter, String> {
        let time = |flag: &str, text: Option<&str>| {
            text.map(parse_duration_us)
                .transpose()
                .map_err(|e| format!("--{flag}: {e}"))
        };
        if let Some(name) = events.iter().find(|n| !is_name(n)) {
            return Err(format!(
                "--event {name}: no such event or note; known: {}",
                names().join(", ")
            ));
        }
        Ok(TraceFilter {
            head,
            vm,
            events: events.to_vec(),
            from_us: time("from", from)?,
            to_us: time("to", to)?,
        })
    }

    fn keeps(&self, t_us: Micros, s: &Subject) -> bool {
        self.from_us.is_none_or(|f| t_us >= f)
            && self.to_us.is_none_or(|to| t_us <= to)
            && (self.events.is_empty() || self.events.iter().any(|e| e == s.name))
            && self.head.is_none_or(|h| s.head == Some(h))
            && self.vm.is_none_or(|v| s.vm == Some(v))
    }
}

/// Every timer event's name (the notes' names are `Note::NAMES`).
const EVENT_NAMES: [&str; 22] = [
    "FlapBegan",
    "FlapHealed",
    "ReconnectAttempted",
    "LongOutageReached",
    "BackgroundCrashDue",
    "SupervisorRestarted",
    "VmBooted",
    "BrainFailed",
    "BrainRecovered",
    "BrokerFailed",
    "BrokerRepaired",
    "PartitionBegan",
    "PartitionHealed",
    "CrashFaultFired",
    "HeadFaultFired",
    "HeadFailed",
    "HeadRepaired",
    "FailureWarned",
    "MaintenanceDue",
    "MaintenanceEnded",
    "MigrationCopied",
    "MigrationResumed",
];

/// Every name a trace line can carry, timer events first.
pub fn names() -> Vec<&'static str> {
    EVENT_NAMES
        .iter()
        .chain(Note::NAMES.iter())
        .copied()
        .collect()
}

/// True for a name some trace line can carry.
pub fn is_name(name: &str) -> bool {
    names().contains(&name)
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

/// The line of timer event number `n`, if the filter keeps it. `head_of` gives a VM's
/// head (a boot's end names only the VM).
pub fn event_line(
    filter: &TraceFilter,
    n: u64,
    t_us: Micros,
    e: &Event,
    head_of: impl Fn(u32) -> u32,
) -> Option<String> {
    let vm = e.vm();
    let head = e.head().or(vm.map(&head_of));
    let s = Subject {
        name: e.name(),
        head,
        vm,
    };
    filter
        .keeps(t_us, &s)
        .then(|| line(n, t_us, e.name(), &e.json_fields()))
}

/// The line of a note recorded while handling event number `n`, if the filter keeps it.
pub fn note_line(filter: &TraceFilter, n: u64, t_us: Micros, note: &Note) -> Option<String> {
    let s = Subject {
        name: note.name(),
        head: Some(note.head()),
        vm: note.vm(),
    };
    filter
        .keeps(t_us, &s)
        .then(|| line(n, t_us, note.name(), &note.json_fields()))
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
    use crate::model::LinkEvent;

    #[test]
    fn lines_carry_seconds_and_filters_choose_them() {
        let e = Event::Link(LinkEvent::FlapBegan { head: 3 });
        let all = TraceFilter::default();
        assert_eq!(
            event_line(&all, 7, 3_600_000_001, &e, |v| v).unwrap(),
            "{\"n\":7,\"t_us\":3600000001,\"t_s\":3600.000001,\"event\":\"FlapBegan\",\"head\":3}"
        );
        let head4 = TraceFilter {
            head: Some(4),
            ..Default::default()
        };
        assert!(event_line(&head4, 7, 0, &e, |v| v).is_none());
        let late = TraceFilter {
            from_us: Some(10),
            ..Default::default()
        };
        assert!(event_line(&late, 7, 9, &e, |v| v).is_none());
        assert!(event_line(&late, 7, 10, &e, |v| v).is_some());
    }
}

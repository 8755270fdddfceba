//! Trace notes: the state changes a person reasons about (a supervisor crashing and
//! why, a VM dying, a VM queued, a boot starting, a link dropping and coming back, the
//! bug's draw), which timer events alone do not show.
//!
//! Notes are recorded only while a trace or an explanation asks for them. When off,
//! recording a note is one branch on a bool and nothing else, so the event loop stays
//! as fast as before and allocates nothing. When on, notes go into a buffer sized up
//! front for the largest burst one event can produce (a site-wide crash kills every VM
//! and the heads' links come back together), which the reader drains after each event.
//! The buffer is shared with the reader because the event loop holds the model while
//! the observer runs; it is locked only while notes are on.

use std::sync::{Arc, Mutex, PoisonError};

use super::World;
use crate::engine::Micros;
use crate::metrics::OutageCause;

/// Why a supervisor crashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CrashCause {
    /// The bug, on a link reset.
    BugOnReset,
    /// The bug, once a link outage grew longer than the long-reset threshold.
    BugOnLongReset,
    /// A background crash, unrelated to resets.
    Background,
    /// A scheduled crash fault in the model file.
    Fault,
    /// A rollout with `restart_supervisor` reached the head.
    RolloutRestart,
}

impl CrashCause {
    pub fn name(self) -> &'static str {
        match self {
            CrashCause::BugOnReset => "bug_on_reset",
            CrashCause::BugOnLongReset => "bug_on_long_reset",
            CrashCause::Background => "background",
            CrashCause::Fault => "fault",
            CrashCause::RolloutRestart => "rollout_restart",
        }
    }
}

named_enum! {
    /// One state change, as a trace line names it. Facts are named in the past tense.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Note {
        /// The bug's coin was drawn for a reset (`long`: for a long outage); `hit` is the
        /// draw, `crashes` whether it crashes the supervisor in this design.
        BugDrawn {
            head: u32,
            long: bool,
            hit: bool,
            crashes: bool,
        },
        SupervisorCrashed {
            head: u32,
            cause: CrashCause,
        },
        /// A running VM went down.
        VmDied {
            vm: u32,
            head: u32,
            cause: OutageCause,
        },
        /// A boot in flight died with its head's supervisor or hardware.
        BootKilled {
            vm: u32,
            head: u32,
        },
        /// The brain learned of a dead VM and queued it for a reboot.
        VmQueued {
            vm: u32,
            head: u32,
        },
        /// A boot started; `in_flight` counts boots in flight with it.
        BootStarted {
            vm: u32,
            head: u32,
            in_flight: u32,
        },
        /// A link went down.
        LinkDropped {
            head: u32,
        },
        /// A reconnect attempt failed: something still keeps the link down.
        ReconnectFailed {
            head: u32,
        },
        /// A link came back after `down_us`.
        LinkReconnected {
            head: u32,
            down_us: Micros,
        },
        /// A live migration started copying `vm` from head `from` to head `to`.
        MigrationStarted {
            vm: u32,
            from: u32,
            to: u32,
        },
        /// The copy of `vm` succeeded: it now runs on `to` and pauses there for
        /// `migration.pause` (a `MigrationResumed` event ends a pause longer than zero).
        MigrationPaused {
            vm: u32,
            from: u32,
            to: u32,
        },
        /// The copy of `vm` failed: it stays on `from`, which drains no further.
        MigrationFailed {
            vm: u32,
            from: u32,
            to: u32,
        },
    }
}

impl Note {
    /// The head the note is about (a migration's: its source).
    pub fn head(&self) -> u32 {
        match *self {
            Note::BugDrawn { head, .. }
            | Note::SupervisorCrashed { head, .. }
            | Note::VmDied { head, .. }
            | Note::BootKilled { head, .. }
            | Note::VmQueued { head, .. }
            | Note::BootStarted { head, .. }
            | Note::LinkDropped { head }
            | Note::ReconnectFailed { head }
            | Note::LinkReconnected { head, .. } => head,
            Note::MigrationStarted { from, .. }
            | Note::MigrationPaused { from, .. }
            | Note::MigrationFailed { from, .. } => from,
        }
    }

    /// The heads the note names: its head, and a migration's target.
    pub fn heads(&self) -> [Option<u32>; 2] {
        match *self {
            Note::BugDrawn { .. }
            | Note::SupervisorCrashed { .. }
            | Note::VmDied { .. }
            | Note::BootKilled { .. }
            | Note::VmQueued { .. }
            | Note::BootStarted { .. }
            | Note::LinkDropped { .. }
            | Note::ReconnectFailed { .. }
            | Note::LinkReconnected { .. } => [Some(self.head()), None],
            Note::MigrationStarted { from, to, .. }
            | Note::MigrationPaused { from, to, .. }
            | Note::MigrationFailed { from, to, .. } => [Some(from), Some(to)],
        }
    }

    /// The VM the note is about, if any.
    pub fn vm(&self) -> Option<u32> {
        match *self {
            Note::VmDied { vm, .. }
            | Note::BootKilled { vm, .. }
            | Note::VmQueued { vm, .. }
            | Note::BootStarted { vm, .. }
            | Note::MigrationStarted { vm, .. }
            | Note::MigrationPaused { vm, .. }
            | Note::MigrationFailed { vm, .. } => Some(vm),
            Note::BugDrawn { .. }
            | Note::SupervisorCrashed { .. }
            | Note::LinkDropped { .. }
            | Note::ReconnectFailed { .. }
            | Note::LinkReconnected { .. } => None,
        }
    }

    /// The note's fields as `"key":value` JSON members (no braces).
    pub fn json_fields(&self) -> String {
        match *self {
            Note::BugDrawn {
                head,
                long,
                hit,
                crashes,
            } => format!("\"head\":{head},\"long\":{long},\"hit\":{hit},\"crashes\":{crashes}"),
            Note::SupervisorCrashed { head, cause } => {
                format!("\"head\":{head},\"cause\":\"{}\"", cause.name())
            }
            Note::VmDied { vm, head, cause } => {
                format!("\"vm\":{vm},\"head\":{head},\"cause\":\"{}\"", cause.name())
            }
            Note::BootKilled { vm, head } | Note::VmQueued { vm, head } => {
                format!("\"vm\":{vm},\"head\":{head}")
            }
            Note::BootStarted {
                vm,
                head,
                in_flight,
            } => format!("\"vm\":{vm},\"head\":{head},\"in_flight\":{in_flight}"),
            Note::LinkDropped { head } | Note::ReconnectFailed { head } => {
                format!("\"head\":{head}")
            }
            Note::LinkReconnected { head, down_us } => {
                format!("\"head\":{head},\"down_us\":{down_us}")
            }
            Note::MigrationStarted { vm, from, to }
            | Note::MigrationPaused { vm, from, to }
            | Note::MigrationFailed { vm, from, to } => {
                format!("\"vm\":{vm},\"from\":{from},\"to\":{to}")
            }
        }
    }
}

type Buffer = Arc<Mutex<Vec<(Micros, Note)>>>;

/// Where the model records notes: off unless a reader asked for them.
pub(super) struct Notes {
    pub(super) on: bool,
    /// The time of the event being handled, stamped on its notes.
    pub(super) now_us: Micros,
    buf: Option<Buffer>,
}

impl Notes {
    pub(super) fn off() -> Notes {
        Notes {
            on: false,
            now_us: 0,
            buf: None,
        }
    }

    /// Turns notes on with room for `burst` notes between drains.
    pub(super) fn start(&mut self, burst: usize) -> NoteReader {
        let buf = self
            .buf
            .get_or_insert_with(|| Arc::new(Mutex::new(Vec::with_capacity(burst))))
            .clone();
        self.on = true;
        NoteReader { buf }
    }

    /// Forgets notes left from an earlier replication.
    pub(super) fn reset(&mut self) {
        if let Some(buf) = &self.buf {
            buf.lock().unwrap_or_else(PoisonError::into_inner).clear();
        }
    }

    #[inline]
    fn push(&mut self, note: Note) {
        if let Some(buf) = &self.buf {
            buf.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((self.now_us, note));
        }
    }
}

/// The reading end of the notes: drains what the model recorded since the last drain.
#[derive(Clone)]
pub struct NoteReader {
    buf: Buffer,
}

impl NoteReader {
    /// Calls `f` with every note recorded since the last drain, oldest first, and
    /// empties the buffer (keeping its room).
    pub fn drain(&self, mut f: impl FnMut(Micros, &Note)) {
        let mut buf = self.buf.lock().unwrap_or_else(PoisonError::into_inner);
        for (t, n) in buf.iter() {
            f(*t, n);
        }
        buf.clear();
    }
}

impl World {
    /// Records a note when notes are on.
    #[inline]
    pub(super) fn note(&mut self, note: Note) {
        if self.notes.on {
            self.notes.push(note);
        }
    }
}

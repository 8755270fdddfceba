//! The discrete-event engine: integer time, the event queue, the run loop and random
//! streams. It knows nothing about clouds: a [`Process`] owns all state and handles a
//! closed set of events; the engine only decides which event comes next.
//!
//! # Ordering contract
//!
//! Simulated time is an integer number of microseconds ([`Micros`]). Events run in
//! order of time; events scheduled for the *same* time run in the order in which they
//! were scheduled (first scheduled, first run). Nothing else — not heap layout, not
//! hashing, not the wall clock — influences the order, so a run is a pure function of
//! the process's initial state and its random streams.

pub mod dist;
pub mod queue;
pub mod rng;

use std::ops::ControlFlow;

pub use dist::Dist;
pub use queue::{EventQueue, QueueFull};
pub use rng::Stream;

/// Simulated time and durations, in microseconds.
pub type Micros = u64;

pub const US_PER_S: Micros = 1_000_000;
/// A year is 365 days throughout: rates "per year" are per 365 d.
pub const US_PER_YEAR: Micros = 365 * 24 * 3600 * US_PER_S;

/// Where scheduling happens: the handler pushes future events through this.
pub struct Scheduler<E> {
    queue: EventQueue<E>,
    now_us: Micros,
    full: bool,
    /// Events scheduled by the current handler (checked against its declared bound).
    pushed: usize,
}

impl<E: Copy> Scheduler<E> {
    pub fn with_capacity(capacity: usize) -> Self {
        Scheduler {
            queue: EventQueue::with_capacity(capacity),
            now_us: 0,
            full: false,
            pushed: 0,
        }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> Micros {
        self.now_us
    }

    /// Schedules `event` `delay_us` from now (saturating at the end of time).
    #[inline]
    pub fn after(&mut self, delay_us: Micros, event: E) {
        self.at(self.now_us.saturating_add(delay_us), event);
    }

    /// Schedules `event` at absolute time `time_us`.
    ///
    /// # Panics
    ///
    /// When `time_us` is before now, in release builds too: an event in the past is a
    /// bug of the model, and running it now instead would hide it.
    #[inline]
    pub fn at(&mut self, time_us: Micros, event: E) {
        assert!(
            time_us >= self.now_us,
            "scheduling into the past: an event at {time_us} us, now {} us",
            self.now_us
        );
        self.pushed += 1;
        if self.queue.push(time_us, event).is_err() {
            // Remembered and reported by the run loop, which knows the seed and time.
            self.full = true;
        }
    }

    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    pub fn capacity(&self) -> usize {
        self.queue.capacity()
    }

    /// Forgets every pending event and rewinds the clock, keeping the allocation.
    pub fn reset(&mut self) {
        self.queue.clear();
        self.now_us = 0;
        self.full = false;
    }
}

/// A simulated system: its state plus the handler of its closed set of events.
pub trait Process {
    type Event: Copy;

    /// Applies one event at `sched.now()`, scheduling any follow-ups through `sched`.
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);

    /// False for an event whose timer was cancelled (a stale generation). Stale events
    /// are skipped without counting and dropped when the queue is compacted.
    fn is_live(&self, event: &Self::Event) -> bool;

    /// The most events one `handle` call can schedule; the loop keeps this much room.
    fn max_pushes_per_event(&self) -> usize;

    /// Checks the process's invariants; returns a description of the first violation.
    fn check_invariants(&self, _now_us: Micros) -> Result<(), String> {
        Ok(())
    }
}

/// Bounds on one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The run stops, successfully, when the next event would be later than this.
    pub horizon_us: Micros,
    /// Processing more live events than this is an error (a runaway model).
    pub max_events: u64,
    /// Check the process's invariants after every event.
    pub check_invariants: bool,
}

/// How a run ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunEnd {
    /// Live events handled.
    pub events: u64,
    /// Stale (cancelled) events skipped.
    pub stale: u64,
    /// The observer stopped the run before the horizon (see [`run_until`]).
    pub stopped: bool,
}

/// Why a run stopped early. The caller adds the seed and the reproducing command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    EventLimit {
        max_events: u64,
        time_us: Micros,
    },
    QueueFull {
        capacity: usize,
        time_us: Micros,
    },
    Invariant {
        time_us: Micros,
        events: u64,
        what: String,
    },
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::EventLimit {
                max_events,
                time_us,
            } => write!(
                f,
                "event limit of {max_events} events reached at simulated time {:.6} s",
                *time_us as f64 / US_PER_S as f64
            ),
            EngineError::QueueFull { capacity, time_us } => write!(
                f,
                "event queue full ({capacity} pending events) at simulated time {:.6} s",
                *time_us as f64 / US_PER_S as f64
            ),
            EngineError::Invariant {
                time_us,
                events,
                what,
            } => write!(
                f,
                "invariant violated after event {events} at simulated time {:.6} s: {what}",
                *time_us as f64 / US_PER_S as f64
            ),
        }
    }
}

/// Runs `process` until the horizon, calling `observe` before each live event (for
/// traces and hashes; pass a no-op closure otherwise, it compiles away).
pub fn run<P: Process>(
    process: &mut P,
    sched: &mut Scheduler<P::Event>,
    limits: Limits,
    mut observe: impl FnMut(Micros, &P::Event),
) -> Result<RunEnd, EngineError> {
    run_until(process, sched, limits, |t, e| {
        observe(t, e);
        ControlFlow::Continue(())
    })
}

/// Like [`run`], but the observer may end the run: when it returns
/// `ControlFlow::Break`, the event it was shown is not handled and the run stops
/// there, successfully, with [`RunEnd::stopped`] set. A reader of a trace that has
/// gone away, or a trace that has printed all it was asked for, stops this way.
pub fn run_until<P: Process>(
    process: &mut P,
    sched: &mut Scheduler<P::Event>,
    limits: Limits,
    mut observe: impl FnMut(Micros, &P::Event) -> ControlFlow<()>,
) -> Result<RunEnd, EngineError> {
    let mut events = 0u64;
    let mut stale = 0u64;
    let room = process.max_pushes_per_event();
    while let Some(time_us) = sched.queue.peek_time() {
        if time_us > limits.horizon_us {
            break;
        }
        // Keep room for the worst-case burst of one handler; stale entries go first.
        if sched.queue.free() < room {
            sched.queue.compact(|e| process.is_live(e));
            if sched.queue.free() < room {
                return Err(EngineError::QueueFull {
                    capacity: sched.queue.capacity(),
                    time_us,
                });
            }
        }
        let Some((time_us, event)) = sched.queue.pop() else {
            break;
        };
        debug_assert!(time_us >= sched.now_us, "time went backwards");
        sched.now_us = time_us;
        if !process.is_live(&event) {
            stale += 1;
            continue;
        }
        if events >= limits.max_events {
            return Err(EngineError::EventLimit {
                max_events: limits.max_events,
                time_us,
            });
        }
        if observe(time_us, &event).is_break() {
            return Ok(RunEnd {
                events,
                stale,
                stopped: true,
            });
        }
        events += 1;
        sched.pushed = 0;
        process.handle(event, sched);
        if sched.pushed > room {
            // The process under-declared its largest burst: the queue's sizing is wrong.
            return Err(EngineError::Invariant {
                time_us,
                events,
                what: format!(
                    "one event scheduled {} events, more than the {room} the model declares",
                    sched.pushed
                ),
            });
        }
        if sched.full {
            return Err(EngineError::QueueFull {
                capacity: sched.queue.capacity(),
                time_us,
            });
        }
        if limits.check_invariants
            && let Err(what) = process.check_invariants(time_us)
        {
            return Err(EngineError::Invariant {
                time_us,
                events,
                what,
            });
        }
    }
    Ok(RunEnd {
        events,
        stale,
        stopped: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy process: each of `n` tickers reschedules itself every `period[i]` µs,
    /// recording the order in which ticks happen.
    struct Tickers {
        period: Vec<Micros>,
        log: Vec<(Micros, u32)>,
    }

    impl Process for Tickers {
        type Event = u32;
        fn handle(&mut self, who: u32, sched: &mut Scheduler<u32>) {
            self.log.push((sched.now(), who));
            sched.after(self.period[who as usize], who);
        }
        fn is_live(&self, _: &u32) -> bool {
            true
        }
        fn max_pushes_per_event(&self) -> usize {
            1
        }
    }

    /// A process whose one event schedules another 1 µs in the past.
    struct Backwards;

    impl Process for Backwards {
        type Event = u32;
        fn handle(&mut self, _: u32, sched: &mut Scheduler<u32>) {
            sched.at(sched.now() - 1, 0);
        }
        fn is_live(&self, _: &u32) -> bool {
            true
        }
        fn max_pushes_per_event(&self) -> usize {
            1
        }
    }

    #[test]
    #[should_panic(expected = "scheduling into the past: an event at 9 us, now 10 us")]
    fn scheduling_into_the_past_panics() {
        // Proves `at` refuses a time before now (in every build: the assertion is not
        // a debug one) rather than running the event now.
        let mut s = Scheduler::with_capacity(4);
        s.at(10, 0);
        let limits = Limits {
            horizon_us: 100,
            max_events: 10,
            check_invariants: false,
        };
        let _ = run(&mut Backwards, &mut s, limits, |_, _| {});
    }

    #[test]
    fn equal_time_events_run_in_scheduling_order_through_the_loop() {
        // Tickers 0, 1, 2 with periods 2, 1, 2 all start at 0. At t=0 they run 0,1,2
        // (scheduling order); at t=2, ticker 0 and 2 were scheduled at t=0 before
        // ticker 1's second tick (scheduled at t=1), so the order is 0, 2, 1.
        let mut p = Tickers {
            period: vec![2, 1, 2],
            log: vec![],
        };
        let mut s = Scheduler::with_capacity(8);
        for i in 0..3 {
            s.at(0, i);
        }
        let limits = Limits {
            horizon_us: 2,
            max_events: 100,
            check_invariants: false,
        };
        let end = run(&mut p, &mut s, limits, |_, _| {}).unwrap();
        assert_eq!(end.events, 7);
        assert_eq!(
            p.log,
            vec![(0, 0), (0, 1), (0, 2), (1, 1), (2, 0), (2, 2), (2, 1)]
        );
    }

    #[test]
    fn an_observer_can_stop_the_run_before_an_event() {
        // One ticker of period 10: the observer stops at the event at t=30, which is
        // then not handled; the run ends successfully after 3 events, marked stopped.
        let mut p = Tickers {
            period: vec![10],
            log: vec![],
        };
        let mut s = Scheduler::with_capacity(2);
        s.at(0, 0);
        let limits = Limits {
            horizon_us: 1_000,
            max_events: 1_000,
            check_invariants: false,
        };
        let end = run_until(&mut p, &mut s, limits, |t, _| {
            if t == 30 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(
            end,
            Ok(RunEnd {
                events: 3,
                stale: 0,
                stopped: true
            })
        );
        assert_eq!(p.log, vec![(0, 0), (10, 0), (20, 0)]);
    }

    #[test]
    fn event_limit_is_an_error_naming_the_time() {
        // One ticker of period 10 and a limit of 3 events: the 4th event, at t=30, fails.
        let mut p = Tickers {
            period: vec![10],
            log: vec![],
        };
        let mut s = Scheduler::with_capacity(2);
        s.at(0, 0);
        let limits = Limits {
            horizon_us: 1_000,
            max_events: 3,
            check_invariants: false,
        };
        let err = run(&mut p, &mut s, limits, |_, _| {}).unwrap_err();
        assert_eq!(
            err,
            EngineError::EventLimit {
                max_events: 3,
                time_us: 30
            }
        );
    }

    /// A ticker every 10 µs whose invariant breaks once it has ticked `bad_after`
    /// times.
    struct BreaksAfter {
        ticks: u32,
        bad_after: u32,
    }

    impl Process for BreaksAfter {
        type Event = u32;
        fn handle(&mut self, e: u32, sched: &mut Scheduler<u32>) {
            self.ticks += 1;
            sched.after(10, e);
        }
        fn is_live(&self, _: &u32) -> bool {
            true
        }
        fn max_pushes_per_event(&self) -> usize {
            1
        }
        fn check_invariants(&self, _now_us: Micros) -> Result<(), String> {
            if self.ticks >= self.bad_after {
                Err(format!("ticked {} times", self.ticks))
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn checking_invariants_runs_the_process_checker_after_every_event() {
        // Ticks at 0, 10, 20, ...; the invariant breaks at the 3rd tick (t = 20). With
        // checks the run fails right there; without, it runs to the horizon 100:
        // 11 ticks (0, 10, ..., 100).
        let run_with = |check_invariants| {
            let mut p = BreaksAfter {
                ticks: 0,
                bad_after: 3,
            };
            let mut s = Scheduler::with_capacity(2);
            s.at(0, 0);
            let limits = Limits {
                horizon_us: 100,
                max_events: 1_000,
                check_invariants,
            };
            run(&mut p, &mut s, limits, |_, _| {})
        };
        assert_eq!(
            run_with(true),
            Err(EngineError::Invariant {
                time_us: 20,
                events: 3,
                what: "ticked 3 times".into()
            })
        );
        assert_eq!(
            run_with(false),
            Ok(RunEnd {
                events: 11,
                stale: 0,
                stopped: false,
            })
        );
    }
}

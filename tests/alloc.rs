//! The event loop allocates nothing: every table is sized when a model is loaded, and a
//! replication only writes into it. This binary counts the heap allocations each
//! thread makes (its own global allocator, so it is a test binary of its own) and
//! runs every shipped model, failing on any allocation between the first event of a
//! replication and its last.
//!
//! Set-up (`Platform::new`), the reset before the first event and the metrics after
//! the last are allowed to allocate: they run once per replication, not once per
//! event.

use bigvsim::model::{Footprint, Platform, RunOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

#[path = "it/common.rs"]
mod common;

use common::{model, shipped_model_scaled, shipped_models};

/// The system allocator, counting the allocations and reallocations of each thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    /// Bytes allocated and not yet freed by this thread, and the most there were since
    /// the last `reset_peak`.
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: a thread being torn down has no counter left; nothing to count.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

/// Adds `delta` bytes to this thread's live bytes, raising the peak.
fn add_bytes(delta: i64) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn live_bytes() -> i64 {
    LIVE.with(Cell::get)
}

/// Starts a new peak from the bytes live now.
fn reset_peak() {
    PEAK.with(|p| p.set(live_bytes()));
}

fn peak_bytes() -> i64 {
    PEAK.with(Cell::get)
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every call is passed unchanged to `System`, which upholds the contract; the
// counter itself never allocates (a const-initialised thread-local `Cell`).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        add_bytes(layout.size() as i64);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        add_bytes(layout.size() as i64);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        add_bytes(new_size as i64 - layout.size() as i64);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add_bytes(-(layout.size() as i64));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocations made while replication `rep` handled its events: counted from the
/// first event to the last (the observer sees each event before it is handled, so
/// the handling of the last event is left out, as is everything before the first).
fn allocations_in_loop(platform: &mut Platform, seed: u64, rep: u64) -> (u64, u64) {
    let mut first: Option<u64> = None;
    let mut last = 0;
    let mut events = 0;
    platform
        .run_observed(seed, rep, |_, _| {
            let now = allocations();
            first.get_or_insert(now);
            last = now;
            events += 1;
        })
        .unwrap_or_else(|e| panic!("seed {seed}, replication {rep}: {e}"));
    (last - first.unwrap_or(last), events)
}

#[test]
fn no_model_allocates_while_it_handles_events() {
    // Proves every shipped model (maintenance, migrations, rollouts, racks, reconnect
    // storms included) runs its events without touching the heap, on three
    // replications each (the first after set-up, and two that reuse its tables).
    let paths = shipped_models();
    assert!(paths.len() >= 2, "no models found in models/");
    let mut offenders = Vec::new();
    for path in &paths {
        let file = path.display();
        let m = shipped_model_scaled(path);
        let options = RunOptions {
            check_invariants: false,
            outage_log_capacity: 1_000,
        };
        let mut platform = Platform::new(&m.scenario, options);
        for rep in 0..3 {
            let (n, events) = allocations_in_loop(&mut platform, 1, rep);
            assert!(events > 0, "{file}: replication {rep} handled no event");
            if n > 0 {
                offenders.push(format!(
                    "{file}: replication {rep}: {n} allocations in {events} events"
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "the event loop allocated (reproduce: cargo test --test alloc):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_counter_sees_an_allocation_inside_the_loop() {
    // Proves the check above can fail: an observer that allocates on every event is
    // counted, so a model that allocated while handling events would be caught.
    let m = model("york-2017.ron");
    let options = RunOptions {
        check_invariants: false,
        outage_log_capacity: 1_000,
    };
    let mut platform = Platform::new(&m.scenario, options);
    let mut first: Option<u64> = None;
    let mut last = 0;
    let mut kept = Vec::new();
    let mut events = 0u64;
    platform
        .run_observed(1, 0, |_, _| {
            let now = allocations();
            first.get_or_insert(now);
            last = now;
            events += 1;
            kept.push(Box::new(events));
        })
        .unwrap();
    assert!(events > 100, "York ran only {events} events");
    assert!(
        last - first.unwrap() >= events - 1,
        "{} allocations counted for {} boxed events",
        last - first.unwrap(),
        events - 1
    );
}

#[test]
fn a_platform_takes_the_memory_its_footprint_says() {
    // Proves the model's own memory accounting (`Footprint::of`, which the resource
    // check trusts before anything is allocated) matches what a platform really takes:
    // for every shipped model, the most bytes live while a platform is built and runs
    // a replication, less those live before, is at most the footprint and not 10% less.
    let mut offenders = Vec::new();
    for path in &shipped_models() {
        let file = path.display();
        let m = shipped_model_scaled(path);
        let footprint = Footprint::of(&m.scenario).bytes as i64;
        let options = RunOptions {
            check_invariants: false,
            outage_log_capacity: 0,
        };
        let before = live_bytes();
        reset_peak();
        let mut platform = Platform::new(&m.scenario, options);
        platform
            .run_observed(1, 0, |_, _| {})
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let peak = peak_bytes() - before;
        drop(platform);
        if peak > footprint || footprint * 10 > peak * 11 {
            offenders.push(format!(
                "{file}: footprint {footprint} bytes, peak {peak} bytes"
            ));
        }
    }
    assert!(
        offenders.is_empty(),
        "Footprint::of is below what a platform takes, or 10% above it:\n{}",
        offenders.join("\n")
    );
}

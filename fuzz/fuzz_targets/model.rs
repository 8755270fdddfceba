#![no_main]
//! Model text (and up to three `--set` arguments after NUL bytes: any path, down to a
//! distribution's or a fault's parameter, with any value) → parse → validate → a short
//! run with invariants checked. Panics, full queues, broken invariants and errors or
//! warnings that span lines are failures.
use bigvsim::engine::EngineError;
use bigvsim::model::{Footprint, Platform, RunOptions};
use bigvsim::scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let model = parts.next().unwrap_or("");
    let sets: Vec<String> = parts.take(3).map(str::to_string).collect();
    let loaded = match scenario::load_str("fuzz.ron", model, &sets) {
        Ok(m) => m,
        Err(e) => {
            // Every problem prints on its own line, never across lines.
            let shown = e.to_string();
            assert!(!shown.contains('\n'), "multi-line error: {shown}");
            for line in e.lines() {
                assert!(!line.contains('\n'), "multi-line error: {line}");
            }
            return;
        }
    };
    for w in &loaded.warnings {
        assert!(!w.contains('\n'), "multi-line warning: {w}");
    }
    let resolved = loaded.resolved_ron();
    let again = scenario::load_str("resolved.ron", &resolved, &[])
        .unwrap_or_else(|e| panic!("resolved model does not load: {e}\n{resolved}"));
    assert_eq!(again.scenario, loaded.scenario);
    let mut sc = loaded.scenario;
    if sc.site.heads > 200 || Footprint::of(&sc).bytes > 8 << 20 {
        return;
    }
    sc.limits.max_events = sc.limits.max_events.min(3000);
    let mut p = Platform::new(&sc, RunOptions { check_invariants: true, outage_log_capacity: 64 });
    match p.run(data.len() as u64, 0) {
        Ok(_) | Err(EngineError::EventLimit { .. }) => {}
        Err(e) => panic!("{e}"),
    }
});

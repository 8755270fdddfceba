#![no_main]
//! Part files (two texts separated by a NUL byte) → `merge`. Panics and errors that
//! span lines are failures; every other outcome (a merged study or a refusal) is fine.
use bigvsim::experiment::shard::merge_texts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<(String, String)> = text
        .split('\0')
        .take(4)
        .enumerate()
        .map(|(k, t)| (format!("part{k}.json"), t.to_string()))
        .collect();
    if let Err(e) = merge_texts(&parts) {
        let shown = e.to_string();
        assert!(!shown.contains('\n'), "multi-line error: {shown}");
    }
});

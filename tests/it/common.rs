//! Helpers shared by the integration tests.

#![allow(dead_code)]

use bigvsim::scenario::{self, LoadedModel};

/// The repository's root (where `models/` lives).
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a model shipped in `models/` by file name.
pub fn model(name: &str) -> LoadedModel {
    let path = root().join("models").join(name);
    scenario::load(path.to_str().unwrap(), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads a model from text, with overrides.
pub fn model_str(text: &str, sets: &[&str]) -> LoadedModel {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    scenario::load_str("test.ron", text, &sets).unwrap_or_else(|e| panic!("{e}"))
}

/// The path of the built `bigvsim` binary.
pub fn bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_bigvsim"))
}

/// A quiet site of 10 heads × 7 VMs whose only fault is a site-wide supervisor crash
/// at 1 h: restart 5 s, 8 boot slots of a fixed 45 s, no contention. The oracles and
/// the incident tests work their expected values from it by hand.
pub const QUIET: &str = r#"(
    name: "quiet",
    horizon: "1d",
    site: (heads: 10, vms_per_head: 7),
    supervisor: (restart: Fixed("5s")),
    brain: (reboot_concurrency: 8, boot_time: Fixed("45s"), boot_slowdown_per_boot_on_site: 0.0),
    faults: [SupervisorCrash(at: "1h", scope: All)],
)"#;

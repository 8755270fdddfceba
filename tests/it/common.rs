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

/// Every model file shipped in `models/`, sorted by name.
pub fn shipped_models() -> Vec<std::path::PathBuf> {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(root().join("models"))
        .expect("models/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    paths.sort();
    paths
}

/// Models with more VMs than this are run on a hundredth of their heads by the tests
/// that run every shipped model.
pub const BIG_SITE_VMS: u64 = 100_000;

/// Loads a shipped model as the tests that run every model do: a model of more than
/// [`BIG_SITE_VMS`] VMs (scaling-1m) on a hundredth of its heads, which exercises the
/// same code at a size a debug build runs in a fraction of a second.
pub fn shipped_model_scaled(path: &std::path::Path) -> LoadedModel {
    let file = path.to_str().unwrap();
    let m = scenario::load(file, &[]).unwrap_or_else(|e| panic!("{e}"));
    if m.scenario.site.vms() <= BIG_SITE_VMS {
        return m;
    }
    let heads = format!("site.heads={}", (m.scenario.site.heads / 100).max(1));
    scenario::load(file, &[heads]).unwrap_or_else(|e| panic!("{e}"))
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

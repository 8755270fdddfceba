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

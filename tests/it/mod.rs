mod common;
mod cli;
mod determinism;
mod models;
mod oracles;
mod reports;
mod study;

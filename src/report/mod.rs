//! Presenting results: text tables, the JSON documents of the output contract, and
//! (with `--out`) report files and plots. Besides the CLI, the only writer of files.
//!
//! `text` prints the summaries, `json` builds the documents and `csv` the data
//! files. `charts` is the one table of every chart (file, title, caption, data),
//! `series` computes the statistics charts draw, `plot` renders them, and `files`
//! assembles a report directory and writes it.

mod cells;
#[cfg(test)]
mod chart_axes;
mod charts;
mod csv;
pub mod explain;
pub mod files;
pub mod fit;
pub mod headline;
mod html;
mod json;
mod omit;
pub mod plot;
pub mod sensitivity;
mod series;
pub mod solve;
mod sweep;
mod target_charts;
pub mod targets;
mod text;
pub mod trace;

pub use json::{compare_json, run_json};
pub use sweep::{sweep_json, sweep_text};
pub use text::{compare_text, run_text};

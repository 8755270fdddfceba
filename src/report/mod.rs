//! Presenting results: text tables, the JSON documents of the output contract, and
//! (with `--out`) report files and plots. Besides the CLI, the only writer of files.
//!
//! `text` prints the summaries, `json` builds the documents, `csv` the data files,
//! `charts` is the table of every chart (title, caption, data), `plot` renders charts
//! and `files` assembles and writes a report directory.

mod charts;
mod csv;
pub mod files;
mod json;
pub mod plot;
mod text;

pub use json::{compare_json, run_json, sweep_json};
pub use text::{compare_text, run_text, sweep_text};

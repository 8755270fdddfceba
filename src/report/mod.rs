//! Presenting results: text tables, the JSON documents of the output contract, and
//! (with `--out`) report files and plots. Besides the CLI, the only writer of files.
//!
//! `text` prints the summaries, `json` builds the documents, `csv` the data files,
//! `charts` is the table of every chart (title, caption, data), `plot` renders charts
//! and `files` assembles and writes a report directory.

pub mod charts;
pub mod csv;
pub mod files;
pub mod json;
pub mod plot;
pub mod text;

pub use csv::{csv_field, csv_num, sweep_csv};
pub use json::{compare_json, metrics_json, num, run_json, summary_json, sweep_json};
pub use text::{
    KEY_METRICS, compare_text, design_rows, difference_rows, run_text, sweep_text, table,
};

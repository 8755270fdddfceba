//! Model files: RON text → raw serde mirror (`raw`) → `--set` overrides → validated
//! [`Scenario`] with durations in microseconds.
//!
//! Every error names the file, the line and column, the field path and what is
//! allowed (or, for an override, the `--set` argument). Nothing here panics on input.
//!
//! By job: [`schema`] lists every field once (path, kind, unit, range, doc);
//! [`load`](mod@load) reads files and drives the rest; `diagnose` turns RON parse errors
//! into messages; `bare` reads a bare duration as `Fixed`, in a file and in `--set`;
//! [`overrides`] applies `--set` (`below` reaches the parameters below
//! a field); [`validate`](mod@validate) checks and
//! converts; `work` bounds the work of site-wide events; [`error`] holds the error
//! types; `reference` renders docs/models.md's model reference from the schema (for the
//! test that keeps it in step).

mod bare;
pub(crate) mod below;
mod diagnose;
pub mod duration;
mod enums;
pub mod error;
pub mod load;
pub(crate) mod locate;
pub mod observed;
pub mod overrides;
pub(crate) mod raw;
#[cfg(test)]
mod reference;
pub mod schema;
pub(crate) mod suggest;
pub mod target;
mod types;
pub mod validate;
mod vary;
mod work;

pub use error::{FieldError, Location, ScenarioError};
pub use load::{MAX_MODEL_FILE_BYTES, load, load_str, parse_raw};
pub use locate::{locate_path_or_prefix, written_at};
pub use overrides::apply_set;
pub use schema::SET_PATHS;
pub use schema::settable_paths;
pub use suggest::nearest_path;
pub use types::*;
pub use validate::{MAX_MODEL_BYTES, validate};
pub use vary::{parse_range, parse_vary, recorded_range};
pub use work::WORK_PER_EVENT;

use raw::RawScenario;

/// A model as loaded: the validated scenario, the resolved raw form (for printing and
/// provenance) and the file's text.
#[derive(Clone, Debug)]
pub struct LoadedModel {
    pub path: String,
    pub source: String,
    pub raw: RawScenario,
    pub scenario: Scenario,
    /// Settings that are valid but can never have an effect, one line each (as
    /// `file:line:column: field `path`: ...`): commands print them on stderr.
    pub warnings: Vec<String>,
}

impl LoadedModel {
    /// Every parameter after defaults and overrides, as a model file would hold them.
    pub fn resolved_ron(&self) -> String {
        resolved_ron(&self.raw)
    }
}

/// The raw scenario written back as RON (defaults and overrides included).
pub fn resolved_ron(raw: &RawScenario) -> String {
    let pretty = ron::ser::PrettyConfig::new()
        .depth_limit(3)
        .indentor("    ".to_string());
    ron::ser::to_string_pretty(raw, pretty).unwrap_or_else(|e| format!("<unprintable: {e}>"))
}

/// How model text and override values are read: `Some` may be left out.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

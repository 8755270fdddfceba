//! The model schema: every field a model file has, written once with its path, kind,
//! whether it is required, its unit, the range it must lie in and one line of
//! documentation. Defaults live beside the serde mirror in [`super::raw`] (as values
//! serde fills in) and are read from there through each field's accessor.
//!
//! Derived from this table: the paths `--set` accepts ([`SET_PATHS`], [`Field::set`]),
//! the "what is allowed" text of parse and override errors ([`Kind::expected`]), the
//! range checks and their messages in validation ([`Range`]), the "did you mean"
//! suggestions, the model reference of docs/models.md (`super::reference`) and the property-test
//! generator. A new knob is one line here, its field (and default) in `raw.rs`, its
//! field in `types.rs` and its conversion in `validate.rs`; a path typed anywhere else
//! goes through [`known`], which fails the build when the path is not in the table.

use super::raw::RawScenario;

mod paths;
pub use paths::settable_paths;

#[cfg(test)]
mod tests;
pub mod tree;
mod variants;

pub use variants::*;

/// What kind of value a field or parameter holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// Text in double quotes.
    Text,
    /// A duration in double quotes, such as `"5s"`.
    Duration,
    /// A whole number up to `max`.
    Count { max: u64 },
    /// `None`, `Some(n)` or `n`: a whole number that may be absent.
    OptionalCount,
    /// A (floating-point) number.
    Number,
    /// `None`, `Some(x)` or `x`: a number that may be absent.
    OptionalNumber,
    /// One of [`DISTRIBUTIONS`].
    Dist,
    /// One of [`SCOPES`].
    Scope,
    /// One of these variants.
    Choice(&'static [Variant]),
    /// A `( ... )` section whose fields are the table's fields below its path.
    Section,
    /// A `( ... )` holding these parameters (inside an enum variant).
    Record(&'static [Param]),
    /// A list of [`FAULTS`].
    Faults,
    /// A list `[ ... ]` of values of this kind.
    List(&'static Kind),
    /// A list of targets, each a text in [`super::target`]'s syntax.
    Targets,
}

/// A variant of an enum-valued field, distribution, scope or fault.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Variant {
    pub name: &'static str,
    /// How it is written, with placeholders: `Uniform(min: D, max: D)`.
    pub form: &'static str,
    /// A complete example.
    pub example: &'static str,
    pub doc: &'static str,
    /// Its named parameters; a tuple variant (`Fixed("5s")`) has one named "".
    pub params: &'static [Param],
}

/// A parameter of a variant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub range: Range,
    pub doc: &'static str,
}

/// What values a field allows beyond its kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// Anything of its kind.
    Any,
    /// A name shown in outputs: 1 to [`MAX_NAME_CHARS`] printable characters, not
    /// blank, without `|` (it would split a report table's cell).
    Name,
    /// A duration longer than 0.
    Positive,
    /// A whole number at least this.
    AtLeast(u64),
    /// A finite number ≥ 0, per year.
    Rate,
    /// A probability in [0, 1].
    Probability,
    /// lo ≤ x ≤ hi.
    Closed(f64, f64),
    /// lo ≤ x < hi.
    HalfOpen(f64, f64),
    /// lo < x ≤ hi.
    OpenClosed(f64, f64),
}

impl Range {
    /// Whether the number `v` is allowed.
    pub fn allows(&self, v: f64) -> bool {
        match *self {
            Range::Any | Range::Name => true,
            Range::Positive => v > 0.0,
            Range::AtLeast(n) => v >= n as f64,
            Range::Rate => v.is_finite() && v >= 0.0,
            Range::Probability => (0.0..=1.0).contains(&v),
            Range::Closed(lo, hi) => v.is_finite() && (lo..=hi).contains(&v),
            Range::HalfOpen(lo, hi) => v.is_finite() && (lo..hi).contains(&v),
            Range::OpenClosed(lo, hi) => v.is_finite() && v > lo && v <= hi,
        }
    }

    /// What is allowed, as it follows "must be" in a message; `None` for anything.
    pub fn allowed(&self) -> Option<String> {
        Some(match *self {
            Range::Any => return None,
            Range::Name => {
                format!("1 to {MAX_NAME_CHARS} printable characters, not blank, without `|`")
            }
            Range::Positive => "longer than 0".to_string(),
            Range::AtLeast(n) => format!("at least {n}"),
            Range::Rate => "a finite rate ≥ 0 (per year)".to_string(),
            Range::Probability => "a probability in [0, 1]".to_string(),
            Range::Closed(lo, hi) => format!("in [{lo}, {hi}]"),
            Range::HalfOpen(lo, hi) => format!("in [{lo}, {hi})"),
            Range::OpenClosed(lo, hi) => format!("in ({lo}, {hi}]"),
        })
    }
}

/// What a target looks like (the syntax of [`super::target`]), for error messages and
/// the model reference.
pub const TARGET_FORM: &str = "METRIC.STAT<=VALUE or METRIC.STAT>=VALUE, STAT `mean` or a quantile `p50`, `p90`, `p99` (any pNN with 0 < NN < 100), e.g. `site_recovery_s.p90<=1h` or `vm_availability.mean>=0.9995`";

/// The longest model name, in characters: names head report tables and plot legends.
pub const MAX_NAME_CHARS: usize = 100;

/// One field of a model file.
#[derive(Clone, Copy)]
pub struct Field {
    /// Its path, as in `--set` and in error messages: `brain.reboot_concurrency`.
    pub path: &'static str,
    pub kind: Kind,
    /// Whether a model must give it (it has no default).
    pub required: bool,
    /// The unit of a number, or "" when the kind says it (durations, distributions).
    pub unit: &'static str,
    pub range: Range,
    pub doc: &'static str,
    /// Parses `text` as this field's value and stores it (an override).
    set: fn(&mut RawScenario, &str) -> Result<(), ron::Error>,
    /// The field's value in `raw`, as RON text.
    get: fn(&RawScenario) -> String,
}

impl Field {
    /// Parses `text` as this field's value into `raw`; on failure, the parser's error.
    pub fn set(&self, raw: &mut RawScenario, text: &str) -> Result<(), ron::Error> {
        (self.set)(raw, text)
    }

    /// The field's value in `raw`, as RON text.
    pub fn get(&self, raw: &RawScenario) -> String {
        (self.get)(raw)
    }

    /// The field's default as RON text, or `None` when the field is required.
    pub fn default_text(&self) -> Option<String> {
        if self.required {
            return None;
        }
        Some(self.get(&defaults()))
    }

    /// The last segment of the path: `reboot_concurrency`.
    pub fn name(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }

    /// The fields directly inside this section, in table order.
    pub fn children(&self) -> impl Iterator<Item = &'static Field> + '_ {
        FIELDS.iter().filter(move |f| {
            f.path
                .strip_prefix(self.path)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|rest| !rest.contains('.'))
        })
    }

    /// What a value of this field looks like, for error messages: "a whole number
    /// from 1 to 4294967295".
    pub fn expected(&self) -> String {
        match self.kind {
            Kind::Section => {
                let names: Vec<String> = self
                    .children()
                    .map(|f| format!("{}: ...", f.name()))
                    .collect();
                format!("({})", names.join(", "))
            }
            kind => kind.expected(self.range),
        }
    }
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Kind {
    /// What a value of this kind (within `range`) looks like, for error messages.
    pub fn expected(&self, range: Range) -> String {
        match *self {
            Kind::Text => "text, e.g. york-2017".to_string(),
            Kind::Duration => "a duration such as 250ms, 5s, 4m, 2h or 365d".to_string(),
            Kind::Count { max } => {
                let min = match range {
                    Range::AtLeast(n) => n,
                    _ => 0,
                };
                format!("a whole number from {min} to {max}")
            }
            Kind::OptionalCount => {
                let min = match range {
                    Range::AtLeast(n) => n,
                    _ => 0,
                };
                format!(
                    "None, Some(n) or a whole number n from {min} to {}",
                    u32::MAX
                )
            }
            Kind::Number => match range.allowed() {
                Some(allowed) => format!("a number such as 0.5 or 52.0, {allowed}"),
                None => "a number such as 0.5 or 52.0".to_string(),
            },
            Kind::OptionalNumber => match range.allowed() {
                Some(allowed) => format!("None, Some(x) or a number x such as 50.0, {allowed}"),
                None => "None, Some(x) or a number x such as 50.0".to_string(),
            },
            Kind::Dist => format!("a distribution: {}", alternatives(DISTRIBUTIONS)),
            Kind::Scope => format!("a scope: {}", alternatives(SCOPES)),
            Kind::Choice(variants) => format!("one of: {}", alternatives(variants)),
            Kind::Record(params) => {
                let names: Vec<String> =
                    params.iter().map(|p| format!("{}: ...", p.name)).collect();
                format!("({})", names.join(", "))
            }
            Kind::Section => "a ( ... ) section as in a model file".to_string(),
            Kind::Faults => "a list of faults [ ... ]".to_string(),
            Kind::List(kind) => format!("a list [ ... ] of {}", kind.name()),
            Kind::Targets => format!("a list of targets [ \"...\", ... ], each {}", TARGET_FORM),
        }
    }

    /// The variants a value of this kind is one of, if it is an enum.
    pub fn variants(&self) -> Option<&'static [Variant]> {
        match *self {
            Kind::Dist => Some(DISTRIBUTIONS),
            Kind::Scope => Some(SCOPES),
            Kind::Faults => Some(FAULTS),
            Kind::Choice(variants) => Some(variants),
            _ => None,
        }
    }

    /// A short name of the kind for the model reference.
    pub fn name(&self) -> String {
        match *self {
            Kind::Text => "text".to_string(),
            Kind::Duration => "duration".to_string(),
            Kind::Count { .. } => "whole number".to_string(),
            Kind::OptionalCount => "`None` or whole number".to_string(),
            Kind::Number => "number".to_string(),
            Kind::OptionalNumber => "`None` or number".to_string(),
            Kind::Dist => "distribution".to_string(),
            Kind::Scope => "scope".to_string(),
            Kind::Choice(_) => "choice".to_string(),
            Kind::Section | Kind::Record(_) => "section".to_string(),
            Kind::Faults => "list of faults".to_string(),
            Kind::List(kind) => format!("list of {}", kind.name()),
            Kind::Targets => "list of targets".to_string(),
        }
    }
}

/// `A, B or C` from the variants' examples.
fn alternatives(variants: &[Variant]) -> String {
    let names: Vec<&str> = variants.iter().map(|v| v.example).collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The variant of `variants` named `name`.
pub fn variant(variants: &'static [Variant], name: &str) -> Option<&'static Variant> {
    variants.iter().find(|v| v.name == name)
}

impl Variant {
    /// The parameter named `name`.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// Every field's value when a model gives only what is required: the defaults.
pub fn defaults() -> RawScenario {
    let minimal = r#"(name: "", horizon: "1s", site: (heads: 1, vms_per_head: 1))"#;
    super::ron_options()
        .from_str(minimal)
        .expect("the minimal model parses")
}

/// The field at `path` (no indices).
pub fn field(path: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.path == path)
}

/// The kind and range of the value at `path`, also below a field: a distribution's
/// parameter (`brain.boot_time.mean`), a fault's (`faults[0].duration`) or a
/// transport's broker (`design.transport.broker.repair`). Indices are ignored; a
/// parameter is looked up by name among the variants of its enum.
pub fn resolve(path: &str) -> Option<(Kind, Range)> {
    let path = without_indices(path);
    let (field, rest) = FIELDS
        .iter()
        .filter_map(|f| {
            let rest = path.strip_prefix(f.path)?;
            (rest.is_empty() || rest.starts_with('.')).then_some((f, rest))
        })
        .max_by_key(|(f, _)| f.path.len())?;
    let mut at = (field.kind, field.range);
    for name in rest.split('.').filter(|s| !s.is_empty()) {
        let mut kind = at.0;
        while let Kind::List(inner) = kind {
            kind = *inner;
        }
        let param = match kind {
            Kind::Record(params) => params.iter().find(|p| p.name == name),
            kind => kind
                .variants()?
                .iter()
                .find_map(|v| v.params.iter().find(|p| p.name == name)),
        }?;
        at = (param.kind, param.range);
    }
    Some(at)
}

/// `path` without its `[i]` segments: `brain.boot_time[2]` → `brain.boot_time`.
pub fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `path`, checked at compile time (in a `const`) to be a field of the table: code
/// that names a field in a message writes `const P: &str = known("...")` so that a
/// renamed field breaks the build instead of the message.
pub const fn known(path: &'static str) -> &'static str {
    let mut i = 0;
    while i < FIELDS.len() {
        if same(FIELDS[i].path, path) {
            return path;
        }
        i += 1;
    }
    panic!("not a field path of the schema")
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A path of the schema, checked when the crate is built.
macro_rules! field_path {
    ($path:literal) => {{
        const PATH: &str = $crate::scenario::schema::known($path);
        PATH
    }};
}
pub(crate) use field_path;

/// The value at `value` written as compact RON (for defaults in the reference).
fn ron_text<T: serde::Serialize>(value: &T) -> String {
    let config = ron::ser::PrettyConfig::new()
        .new_line(" ".to_string())
        .indentor(String::new())
        .separator(" ".to_string())
        .depth_limit(0);
    ron::ser::to_string_pretty(value, config).unwrap_or_else(|e| format!("<{e}>"))
}

/// Parses an override value as RON; a bare word that is not valid RON is retried as a
/// string, so `--set horizon=2d` works without shell-quoted quotes. The error is the
/// first attempt's.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ron::Error> {
    let opts = super::ron_options();
    match opts.from_str::<T>(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            if !text.trim_start().starts_with('"')
                && let Ok(v) = opts.from_str::<T>(&format!("{text:?}"))
            {
                return Ok(v);
            }
            Err(first.code)
        }
    }
}

macro_rules! schema {
    ($( $($seg:ident).+ : $kind:expr, $need:ident, $unit:literal, $range:expr, $doc:literal; )*) => {
        /// Every field of a model file, in the order a model file lists them.
        pub const FIELDS: &[Field] = &[ $( Field {
            path: stringify!($($seg).+),
            kind: $kind,
            required: schema!(@$need),
            unit: $unit,
            range: $range,
            doc: $doc,
            set: |raw, text| parse(text).map(|v| raw.$($seg).+ = v),
            get: |raw| ron_text(&raw.$($seg).+),
        } ),* ];

        /// Every path `--set` accepts (besides `faults[i]`).
        pub const SET_PATHS: &[&str] = &[ $( stringify!($($seg).+) ),* ];
    };
    (@required) => { true };
    (@optional) => { false };
}

use Kind::*;
use Range::*;

pub(crate) const U32: Kind = Count {
    max: u32::MAX as u64,
};

schema! {
    name: Text, required, "", Name, "the model's name in outputs";
    horizon: Duration, required, "", Positive, "simulated time of one replication";
    kind: Choice(MODEL_KINDS), optional, "", Any,
        "what the model is for, which decides the metrics its outputs lead with (`Auto`: inferred)";
    site: Section, required, "", Any, "the site's size";
    site.heads: U32, required, "heads", AtLeast(1), "heads (servers) on the site";
    site.vms_per_head: U32, required, "VMs", AtLeast(1), "VMs on each head";
    site.racks: U32, optional, "racks", AtLeast(1),
        "racks, each behind one switch (at most `site.heads`); heads are assigned in order: head h is in rack ⌊h·racks/heads⌋, so each rack holds ⌊heads/racks⌋ or ⌈heads/racks⌉ consecutive heads";
    site.vm_slots_per_head: OptionalCount, optional, "VMs", AtLeast(1),
        "`Some(n)` (or `n`): VMs one head can hold (≥ `site.vms_per_head`), the spare room live migration moves VMs into; `None`: as many as `site.vms_per_head`, no spare room";
    design: Section, optional, "", Any, "the design under study";
    design.coupling: Choice(COUPLINGS), optional, "", Any,
        "whether a supervisor crash takes its head's VMs with it";
    design.transport: Choice(TRANSPORTS), optional, "", Any,
        "how the brain reaches the heads";
    link: Section, optional, "", Any, "the brain-to-head links";
    link.reconnect: Section, optional, "", Any, "the reconnect schedule after a drop";
    link.reconnect.initial: Duration, optional, "", Positive,
        "wait before the first reconnect attempt after a drop";
    link.reconnect.multiplier: Number, optional, "×", Closed(1.0, 100.0),
        "each further wait is multiplied by this";
    link.reconnect.max: Duration, optional, "", Any,
        "cap on the wait (≥ `link.reconnect.initial`)";
    link.reconnect.jitter: Number, optional, "fraction", HalfOpen(0.0, 1.0),
        "each wait is spread uniformly by ± this fraction";
    link.flaps_per_year: Number, optional, "per link per year", Rate,
        "routine resets of each link (Poisson)";
    link.flap_duration: Dist, optional, "", Any, "how long a routine reset keeps the link down";
    supervisor: Section, optional, "", Any, "the supervisor on each head";
    supervisor.restart: Dist, optional, "", Any, "time for a crashed supervisor to run again";
    supervisor.crash_on_reset: Number, optional, "probability", Probability,
        "probability that a link reset crashes the supervisor (the bug; `Tcp` only)";
    supervisor.crash_on_long_reset: Number, optional, "probability", Probability,
        "probability that a supervisor crashes once it has seen its link down for `long_reset_after` (one draw per supervisor life and outage, so it can crash-loop; `Tcp` only)";
    supervisor.long_reset_after: Duration, optional, "", Any, "threshold for the long-reset crash, counted from the later of the outage's start and the supervisor's start";
    supervisor.crashes_per_year: Number, optional, "per head per year", Rate,
        "background crashes, unrelated to resets";
    brain: Section, optional, "", Any, "the brain and its reboot queue";
    brain.reboot_concurrency: U32, optional, "boots", AtLeast(1),
        "boots in flight at most, site-wide";
    brain.per_head_concurrency: OptionalCount, optional, "boots", AtLeast(1),
        "`Some(k)` (or `k`): boots in flight at most per head (≤ `brain.reboot_concurrency`)";
    brain.boot_time: Dist, optional, "", Any, "an unloaded boot's duration";
    brain.boot_slowdown_per_boot_on_head: Number, optional, "per boot in flight on the head", Closed(0.0, 10.0),
        "per-head contention (the head's CPU, memory bandwidth and network port): a boot started with h others in flight on its head and s on the site takes (1 + this·h + `boot_slowdown_per_boot_on_site`·s)× as long";
    brain.boot_slowdown_per_boot_on_site: Number, optional, "per boot in flight on the site", Closed(0.0, 10.0),
        "site-wide contention (the shared storage every boot reads from): s counts every other boot in flight, the head's included";
    brain.queue_policy: Choice(QUEUE_POLICIES), optional, "", Any,
        "which waiting VM boots next (with a per-head limit, a VM whose head is at the limit keeps its place at the front, so `Fifo` serves the heads reported first before the others and `RoundRobinHeads` spreads boots over heads)";
    brain.failovers_per_year: Number, optional, "per year", Rate,
        "brain failovers: every link drops and no boot starts while it fails over";
    brain.failover_time: Dist, optional, "", Any, "how long a failover lasts";
    brain.accept_per_s: OptionalNumber, optional, "per second", OpenClosed(0.0, 1e6),
        "`Some(r)` (or `r`): reconnects the brain accepts a second (handshake), one at a time in arrival order; an attempt still costs the brain 1/r once its head has given up on it; `None`: unlimited";
    brain.resync_per_vm: Duration, optional, "", Any,
        "state resync after an accept, per VM on the head: the head is controllable this × its VMs after its accept ends";
    brain.accept_timeout: Duration, optional, "", Positive,
        "an attempt whose accept would end later than this after it is made fails at this time and its head backs off as after any failed attempt (with `brain.accept_per_s` only)";
    head: Section, optional, "", Any, "head hardware";
    head.failures_per_year: Number, optional, "per head per year", Rate,
        "hardware failures: the head's VMs die in every design";
    head.repair: Dist, optional, "", Any,
        "time to repair a head; it then restarts its supervisor and reconnects";
    head.predicted_fraction: Number, optional, "probability", Probability,
        "the share of hardware failures announced `head.warning` ahead: the head is then drained by live migration as for `drain: LiveMigrate` maintenance (an assumption; 0 announces none)";
    head.warning: Duration, optional, "", Any,
        "how long before an announced hardware failure its warning comes";
    racks: Section, optional, "", Any, "rack switches";
    racks.switch_failures_per_year: Number, optional, "per rack per year", Rate,
        "rack-switch failures (Poisson, one at a time per rack): every link of the rack's heads drops until the switch is repaired";
    racks.switch_repair: Dist, optional, "", Any, "time to repair a rack switch";
    maintenance: Section, optional, "", Any, "planned maintenance of heads (kernel patching)";
    maintenance.per_head_per_year: Number, optional, "per head per year", Rate,
        "maintenance windows of each head (Poisson); a head due while `maintenance.max_concurrent_heads` others are in maintenance waits its turn";
    maintenance.duration: Dist, optional, "", Any, "how long the work on a head takes once it is drained";
    maintenance.drain: Choice(DRAINS), optional, "", Any, "what happens to the head's VMs";
    maintenance.max_concurrent_heads: U32, optional, "heads", AtLeast(1),
        "heads in maintenance (draining or worked on) at most at once";
    migration: Section, optional, "", Any, "live migration of VMs between heads";
    migration.concurrency: U32, optional, "migrations", AtLeast(1), "migrations in flight at most, site-wide";
    migration.vm_memory_gib: Number, optional, "GiB", OpenClosed(0.0, 1e6),
        "memory of a VM, copied by a migration";
    migration.bandwidth_gib_per_s: Number, optional, "GiB per second", OpenClosed(0.0, 1e6),
        "copy bandwidth of one migration: it takes `vm_memory_gib` / this";
    migration.pause: Dist, optional, "", Any,
        "the VM's stop-and-copy pause at the end of a migration: its only downtime";
    faults: Faults, optional, "", Any, "scheduled and random faults (below)";
    changes: List(&Choice(CHANGES)), optional, "", Any,
        "parameter changes during a run (a patch, a code change), at one time or rolled out head by head; each `set` entry is `\"path=value\"` with a path among `supervisor.crash_on_reset`, `supervisor.crash_on_long_reset` and `supervisor.crashes_per_year` (the values each head's supervisor reads when it uses them); later changes override earlier ones on the heads they have reached";
    targets: Targets, optional, "", Any,
        "service-level objectives every command reports as met or not, e.g. `[\"site_recovery_s.p90 <= 1h\", \"vm_availability.mean >= 0.9995\"]`: a metric key, `.mean` or a quantile over replications `.p50`/`.p90`/`.p99` (any `.pNN`), `<=` or `>=`, and a bound in the metric's unit (a duration for a metric in seconds)";
    metrics: Section, optional, "", Any, "how incidents are classified in the results";
    metrics.site_fraction: Number, optional, "fraction", OpenClosed(0.0, 1.0),
        "an incident is site-wide when at least this fraction of the VMs were down at once";
    limits: Section, optional, "", Any, "safety limits on one replication";
    limits.max_events: Count { max: u64::MAX }, optional, "events", AtLeast(1),
        "a run processing more events is stopped with an error naming the seed, the simulated time and the command that reproduces it (a runaway model)";
    uncertain: List(&Record(UNCERTAIN)), optional, "", Any,
        "assumptions `bigvsim sensitivity` varies (the model itself ignores them): `(path: P, range: (LO, HI), scale: Linear)` with `P` a number, whole number, duration or distribution (varied as `Fixed`) path, bounds within its allowed range (durations as `\"30s\"`), `scale: Log` for ranges spanning decades";
}

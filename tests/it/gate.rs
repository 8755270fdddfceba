//! Gates that make result changes and nondeterminism visible: every shipped model
//! hashes to the same trace twice, a golden trace hash pins `models/york-2017.ron`, and
//! a tidy check keeps hash maps, wall clocks, OS randomness and float time out of the
//! engine and the model.
//!
//! The golden hash is regenerated on purpose, never silently:
//! `BIGVSIM_BLESS=1 cargo test gate::golden` rewrites `tests/golden/york-2017.trace-hash`
//! and the trace it hashes, `tests/golden/york-2017.trace`, from which a failure says
//! where the trace first differs. A layering check keeps every import of the library
//! to the layers ARCHITECTURE.md draws.

use std::path::{Path, PathBuf};

use bigvsim::experiment::trace_hash;

use super::common::{model, root, shipped_model_scaled, shipped_models};

/// Seeds every shipped model is run with.
const SEEDS: [u64; 3] = [1, 2, 1_000_003];

#[test]
fn every_model_hashes_to_the_same_trace_twice() {
    // Proves run-to-run determinism for every model in models/ (not only York): for
    // each of several seeds, two runs of replication 0 give the same trace hash and the
    // same metrics, and different seeds give different traces. Models run on two
    // threads to keep the gate fast; each hash is computed on one thread. A model of
    // more than 100 000 VMs (scaling-1m) runs on a hundredth of its heads, which
    // exercises the same code at a size a debug build runs in a fraction of a second.
    let paths = shipped_models();
    assert!(paths.len() >= 2, "no models found in models/");
    let check = |path: &PathBuf| {
        let m = shipped_model_scaled(path);
        let mut hashes = Vec::new();
        for seed in SEEDS {
            let (a, ma) = trace_hash(&m.scenario, seed, 0)
                .unwrap_or_else(|e| panic!("{}: seed {seed}: {e}", path.display()));
            let (b, mb) = trace_hash(&m.scenario, seed, 0).unwrap();
            assert_eq!(a, b, "{}: seed {seed}: two runs differ", path.display());
            assert_eq!(ma, mb, "{}: seed {seed}: metrics differ", path.display());
            hashes.push(a);
        }
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(
            hashes.len(),
            SEEDS.len(),
            "{}: different seeds gave the same trace",
            path.display()
        );
    };
    let (left, right): (Vec<_>, Vec<_>) = paths.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    std::thread::scope(|s| {
        let a = s.spawn(|| left.iter().for_each(|(_, p)| check(p)));
        right.iter().for_each(|(_, p)| check(p));
        if let Err(panic) = a.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// Where the golden trace hash of York (seed 1, replication 0) is kept.
fn golden_path() -> PathBuf {
    root().join("tests/golden/york-2017.trace-hash")
}

/// Where the golden trace itself is kept, one line per event, to show where a trace
/// that no longer hashes the same first differs.
fn golden_trace_path() -> PathBuf {
    root().join("tests/golden/york-2017.trace")
}

/// The golden file's text for a hash and event count.
fn golden_text(hash: u64, events: f64) -> String {
    format!(
        "# bigvsim::experiment::trace_hash of models/york-2017.ron, seed 1, replication 0\n\
         # ({events} events). A change here means the simulator's results changed: update it\n\
         # on purpose with `BIGVSIM_BLESS=1 cargo test gate::golden` and say why in the commit.\n\
         {hash:016x}\n"
    )
}

/// The trace `trace_hash` hashes, one line per event: the time in microseconds, the
/// event's name and its fields, tab-separated.
fn trace_lines(sc: &bigvsim::scenario::Scenario, seed: u64, rep: u64) -> Vec<String> {
    let mut p = bigvsim::model::Platform::new(sc, bigvsim::model::RunOptions::default());
    let mut lines = Vec::new();
    p.run_observed(seed, rep, |t, e| {
        lines.push(format!("{t}\t{}\t{}", e.name(), e.json_fields()));
    })
    .unwrap();
    lines
}

/// `trace_hash` of a trace given as [`trace_lines`].
fn hash_of_lines(lines: &[String]) -> u64 {
    use bigvsim::experiment::{FNV_OFFSET, fnv1a};
    lines.iter().fold(FNV_OFFSET, |h, line| {
        let mut parts = line.splitn(3, '\t');
        let t: u64 = parts
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(u64::MAX);
        let h = fnv1a(&t.to_le_bytes(), h);
        let h = fnv1a(parts.next().unwrap_or("").as_bytes(), h);
        fnv1a(parts.next().unwrap_or("").as_bytes(), h)
    })
}

/// Where two traces first differ: the event's index, its time and both lines; `None`
/// when they are the same.
fn first_difference(golden: &[String], now: &[String]) -> Option<String> {
    let i = (0..golden.len().max(now.len())).find(|&i| golden.get(i) != now.get(i))?;
    let time = |l: Option<&String>| {
        l.and_then(|l| l.split('\t').next())
            .unwrap_or("-")
            .to_string()
    };
    let shown = |l: Option<&String>| {
        l.map_or("(no event: the trace ended)".to_string(), |l| {
            l.replace('\t', " ")
        })
    };
    Some(format!(
        "the traces first differ at event {i} (time {} us golden, {} us now):\n  golden: {}\n  now:    {}",
        time(golden.get(i)),
        time(now.get(i)),
        shown(golden.get(i)),
        shown(now.get(i)),
    ))
}

#[test]
fn golden_trace_hash_of_york_2017() {
    // Proves results have not changed by accident: the trace hash of York, seed 1,
    // replication 0 equals the one stored in tests/golden/. Any change to the model,
    // the engine, the random streams or the model file shows up here and must be
    // blessed on purpose (BIGVSIM_BLESS=1), which rewrites the files. When the hash
    // differs, the message shows where the trace first differs from the stored one.
    let m = model("york-2017.ron");
    let (hash, metrics) = trace_hash(&m.scenario, 1, 0).unwrap();
    let events = metrics[bigvsim::metrics::Metric::Events];
    let lines = trace_lines(&m.scenario, 1, 0);
    assert_eq!(
        hash_of_lines(&lines),
        hash,
        "trace_lines is not the trace trace_hash hashes"
    );
    let path = golden_path();
    if std::env::var_os("BIGVSIM_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, golden_text(hash, events)).unwrap();
        std::fs::write(golden_trace_path(), lines.join("\n") + "\n").unwrap();
        eprintln!("blessed {}: {hash:016x}", path.display());
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with BIGVSIM_BLESS=1 cargo test gate::golden",
            path.display()
        )
    });
    let stored = stored
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .expect("the golden file holds a hash");
    let golden_lines: Vec<String> = std::fs::read_to_string(golden_trace_path())
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default();
    assert_eq!(
        format!("{:016x}", hash_of_lines(&golden_lines)),
        stored,
        "{} does not hash to the stored hash: bless both with BIGVSIM_BLESS=1 cargo test gate::golden",
        golden_trace_path().display()
    );
    if stored != format!("{hash:016x}") {
        panic!(
            "the trace of models/york-2017.ron seed 1 replication 0 changed ({events} events \
             now); {}. If the change is intended, run BIGVSIM_BLESS=1 cargo test gate::golden \
             and commit tests/golden/ with the reason",
            first_difference(&golden_lines, &lines).unwrap_or_default()
        );
    }
}

#[test]
fn first_difference_names_the_event_its_time_and_both_lines() {
    // Proves the golden test's message: the first differing event's index, time and
    // both lines, a trace that ends early shown as such, and equal traces give None.
    let a: Vec<String> = ["0\tFlapBegan\t\"head\":1", "5\tFlapHealed\t\"head\":1"]
        .map(str::to_string)
        .to_vec();
    let mut b = a.clone();
    assert_eq!(first_difference(&a, &b), None);
    b[1] = "6\tFlapHealed\t\"head\":1".to_string();
    let d = first_difference(&a, &b).unwrap();
    assert!(d.contains("event 1 (time 5 us golden, 6 us now)"), "{d}");
    assert!(d.contains("golden: 5 FlapHealed \"head\":1"), "{d}");
    assert!(d.contains("now:    6 FlapHealed \"head\":1"), "{d}");
    let d = first_difference(&a, &a[..1]).unwrap();
    assert!(
        d.contains("event 1") && d.contains("(no event: the trace ended)"),
        "{d}"
    );
}

// ---- tidy ----------------------------------------------------------------------------

/// Names that never belong on a simulation path, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("HashMap", "iteration order is random: use Vec or BTreeMap"),
    ("HashSet", "iteration order is random: use Vec or BTreeSet"),
    ("Instant", "wall clock: simulated time is Micros"),
    ("SystemTime", "wall clock: simulated time is Micros"),
    ("thread_rng", "OS-seeded randomness: use engine::Stream"),
    ("rand::rng(", "OS-seeded randomness: use engine::Stream"),
    ("OsRng", "OS randomness: use engine::Stream"),
    ("from_entropy", "OS-seeded randomness: use engine::Stream"),
    ("from_os_rng", "OS-seeded randomness: use engine::Stream"),
];

/// Float names allowed although they end in a time unit: distribution parameters
/// (`Dist`), which are floats by nature and are turned into whole microseconds when
/// sampled. Simulated time itself is never one of these.
const FLOAT_DURATION_PARAMETERS: &[&str] = &["mean_us", "min_us", "max_us", "scale_us"];

/// True for a name that says it holds a time or a duration.
fn time_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if FLOAT_DURATION_PARAMETERS.contains(&n.as_str()) {
        return false;
    }
    const EXACT: &[&str] = &["t", "at", "when", "now", "time", "clock", "horizon"];
    const PARTS: &[&str] = &[
        "time", "now", "clock", "deadline", "horizon", "since", "until", "elapsed",
    ];
    const SUFFIXES: &[&str] = &[
        "_s", "_sec", "_secs", "_seconds", "_ms", "_us", "_ns", "_at", "_t", "_min", "_h",
    ];
    EXACT.contains(&n.as_str())
        || PARTS.iter().any(|p| n.contains(p))
        || SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// `text` without `//` comments (doc comments included) and string literals' insides,
/// so prose that mentions a forbidden name is not a violation.
fn code_only(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_string = false;
                    out.push('"');
                }
                _ => {}
            }
            continue;
        }
        match c {
            // A character literal of a quote (`'"'`, `'\\"'`) starts no string.
            '\'' if matches!(
                chars.clone().take(3).collect::<Vec<_>>().as_slice(),
                ['"', '\'', ..] | ['\\', '"', '\'']
            ) =>
            {
                while chars.next().is_some_and(|c| c != '\'') {}
                out.push_str("' '");
            }
            '"' => {
                in_string = true;
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

/// The identifier ending just before byte `end` of `s`, if any.
fn ident_before(s: &str, end: usize) -> Option<&str> {
    let head = s[..end].trim_end();
    let start = head
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &head[start..];
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Every tidy violation in one file's text, as `line: what`.
fn tidy_violations(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = code_only(raw);
        let at = i + 1;
        for (name, why) in FORBIDDEN {
            if line.contains(name) {
                found.push(format!("{at}: `{name}`: {why}"));
            }
        }
        // `name: f64` / `name: f32`: a field, parameter or typed binding.
        for float in [": f64", ": f32"] {
            let mut from = 0;
            while let Some(pos) = line[from..].find(float) {
                let end = from + pos;
                if let Some(name) = ident_before(&line, end)
                    && time_like(name)
                {
                    found.push(format!(
                        "{at}: `{name}{float}`: float time; simulated time is integer Micros"
                    ));
                }
                from = end + float.len();
            }
        }
        // `let name = ... as f64;`: an untyped binding computed as a float.
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("let ") {
            let rest = rest.strip_prefix("mut ").unwrap_or(rest);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let value = line.trim_end();
            let float_value = value.ends_with("as f64;")
                || value.ends_with("as f32;")
                || value.split_once('=').is_some_and(|(_, v)| {
                    v.trim()
                        .trim_end_matches(';')
                        .parse::<f64>()
                        .is_ok_and(|_| v.contains('.'))
                });
            if !name.is_empty() && time_like(&name) && float_value {
                found.push(format!(
                    "{at}: `let {name}` is a float: simulated time is integer Micros"
                ));
            }
        }
    }
    found
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The most lines one source file may hold: past it, a file holds more than one job.
const MAX_SOURCE_LINES: usize = 700;

#[test]
fn no_source_file_is_over_the_line_limit() {
    let over: Vec<String> = rust_files(&root().join("src"))
        .into_iter()
        .filter_map(|p| {
            let lines = std::fs::read_to_string(&p).unwrap().lines().count();
            (lines > MAX_SOURCE_LINES).then(|| format!("{}: {lines} lines", p.display()))
        })
        .collect();
    assert!(
        over.is_empty(),
        "source files over {MAX_SOURCE_LINES} lines (split them by job):\n{}",
        over.join("\n")
    );
}

#[test]
fn tidy_engine_and_model_stay_deterministic() {
    // Proves src/engine and src/model use no HashMap/HashSet, no wall clock
    // (Instant, SystemTime), no OS-seeded randomness (thread_rng and friends) and no
    // float time (an f64/f32 field, parameter or variable named like a time or a
    // duration, e.g. `now: f64`, `t_s: f64`), comments and strings excepted.
    let mut all = Vec::new();
    for dir in ["src/engine", "src/model"] {
        let files = rust_files(&root().join(dir));
        assert!(!files.is_empty(), "{dir} has no .rs files");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for v in tidy_violations(&text) {
                all.push(format!(
                    "{}:{v}",
                    file.strip_prefix(root()).unwrap().display()
                ));
            }
        }
    }
    assert!(all.is_empty(), "tidy violations:\n{}", all.join("\n"));
}

#[test]
fn tidy_checker_catches_bad_snippets() {
    // Proves the tidy checker itself works: each bad snippet is flagged, each good one
    // (the engine's integer time, distribution parameters, prose in comments and
    // strings, float non-times) is not.
    let bad = [
        "use std::collections::HashMap;",
        "let seen: HashSet<u32> = HashSet::new();",
        "let started = std::time::Instant::now();",
        "let wall = SystemTime::now();",
        "let mut rng = rand::thread_rng();",
        "let mut rng = rand::rng();",
        "struct World { now: f64 }",
        "    pub time: f64,",
        "    last_event_s: f64,",
        "fn advance(&mut self, t: f32) {}",
        "    down_since_us: f64,",
        "let deadline = self.now_us as f64;",
        "let mut now = 0.5;",
        "struct S { a: u64, repair_time: f64 }",
    ];
    for snippet in bad {
        assert!(
            !tidy_violations(snippet).is_empty(),
            "not flagged: {snippet}"
        );
    }
    let good = [
        "    now_us: Micros,",
        "pub fn at(&mut self, time_us: Micros, event: E) {",
        "    Exponential { mean_us: f64 },",
        "    Uniform { min_us: f64, max_us: f64 },",
        "    Weibull { shape: f64, scale_us: f64 },",
        "pub fn bernoulli(&mut self, p: f64) -> bool {",
        "let factor = 1.0 + slowdown * others as f64;",
        "let duration = libm::round(base as f64 * factor) as Micros;",
        "// no HashMap iteration anywhere, and no Instant::now()",
        "/// `now: f64` would be float time",
        r#"let s = "HashMap and thread_rng in a string";"#,
        "let pos = rng.open01() * last as f64;",
    ];
    for snippet in good {
        assert_eq!(
            tidy_violations(snippet),
            Vec::<String>::new(),
            "flagged: {snippet}"
        );
    }
}

// ---- layers --------------------------------------------------------------------------

/// The layers of the library, lowest first, each with the layers its files may import
/// from (`crate::…` paths, `use` or inline). ARCHITECTURE.md's table shows the same,
/// and every edge listed here is one the source really has.
const LAYERS: &[(&str, &[&str])] = &[
    ("engine", &[]),
    ("metrics", &["engine"]),
    ("scenario", &["engine", "metrics"]),
    ("model", &["engine", "metrics", "scenario"]),
    ("experiment", &["engine", "metrics", "scenario", "model"]),
    (
        "report",
        &["engine", "metrics", "scenario", "model", "experiment"],
    ),
];

/// Items of the crate root every layer may use.
const ROOT_ITEMS: &[&str] = &["VERSION"];

/// Modules inside a layer that only that layer may reach, (layer, module): the rest
/// of the crate goes through the layer's own public functions.
const INTERNAL: &[(&str, &str)] = &[
    ("scenario", "raw"),
    ("scenario", "locate"),
    ("scenario", "below"),
    ("scenario", "suggest"),
    ("scenario", "reference"),
];

/// One path into the crate written in a file: its 1-based line and its segments after
/// `crate` (`crate::{a::b, c}` gives `a::b` and `c`; `super::` that climbs out of the
/// file's layer is resolved to the module it names).
#[derive(Debug, PartialEq)]
struct CratePath {
    line: usize,
    segments: Vec<String>,
}

/// Tokens of code (comments and strings already removed): identifiers, `::`, braces,
/// commas and `*`, each with its line.
fn path_tokens(code: &[(usize, String)]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (line, text) in code {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            // A character literal (`'{'`, `'\\''`) is no bracket; a lifetime is left.
            if c == '\'' {
                let rest: Vec<char> = chars.clone().take(4).collect();
                let len = match rest.as_slice() {
                    ['\\', _, '\'', ..] => 3,
                    [_, '\'', ..] => 2,
                    _ => 0,
                };
                for _ in 0..len {
                    chars.next();
                }
                continue;
            }
            if c.is_alphanumeric() || c == '_' {
                let mut ident = c.to_string();
                while let Some(&d) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        ident.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push((*line, ident));
            } else if c == ':' && chars.peek() == Some(&':') {
                chars.next();
                out.push((*line, "::".to_string()));
            } else if "{},*;".contains(c) {
                out.push((*line, c.to_string()));
            } else if !c.is_whitespace() {
                out.push((*line, "?".to_string()));
            }
        }
    }
    out
}

/// Reads one use tree at `tokens[*i]` below `prefix`, pushing every full path.
fn use_tree(
    tokens: &[(usize, String)],
    i: &mut usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) {
    let Some((_, t)) = tokens.get(*i) else {
        out.push(prefix.to_vec());
        return;
    };
    if t == "{" {
        *i += 1;
        while let Some((_, t)) = tokens.get(*i) {
            match t.as_str() {
                "}" => {
                    *i += 1;
                    return;
                }
                "," => *i += 1,
                _ => use_tree(tokens, i, prefix, out),
            }
        }
        return;
    }
    if t == "*" || t == "self" {
        *i += 1;
        out.push(prefix.to_vec());
        return;
    }
    if !t.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        out.push(prefix.to_vec());
        return;
    }
    let mut path = prefix.to_vec();
    path.push(t.clone());
    *i += 1;
    if tokens.get(*i).is_some_and(|(_, t)| t == "::") {
        *i += 1;
        use_tree(tokens, i, &path, out);
    } else {
        out.push(path);
        // `as name`: the alias names nothing of the crate.
        if tokens.get(*i).is_some_and(|(_, t)| t == "as") {
            *i += 2;
        }
    }
}

/// Every path into the crate that `text` (a file of module `module`, e.g.
/// `["scenario", "validate", "racks"]`) writes, comments and strings aside.
fn crate_paths(text: &str, module: &[String]) -> Vec<CratePath> {
    let code: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, code_only(l)))
        .collect();
    let tokens = path_tokens(&code);
    let mut out = Vec::new();
    // Inline modules (`mod tests { … }`) with the brace depth inside them.
    let mut module = module.to_vec();
    let mut inline: Vec<i64> = Vec::new();
    let mut depth: i64 = 0;
    let mut i = 0;
    while i < tokens.len() {
        let (line, t) = &tokens[i];
        match t.as_str() {
            "{" => depth += 1,
            "}" => {
                if inline.last() == Some(&depth) {
                    inline.pop();
                    module.pop();
                }
                depth -= 1;
            }
            "mod" if tokens.get(i + 2).is_some_and(|(_, t)| t == "{") => {
                module.push(tokens[i + 1].1.clone());
                inline.push(depth + 1);
            }
            _ => {}
        }
        let after_colons = i > 0 && tokens[i - 1].1 == "::";
        let start = match t.as_str() {
            "crate" if !after_colons => Some(Vec::new()),
            "super" if !after_colons => {
                let mut up = 0;
                let mut j = i;
                while tokens.get(j).is_some_and(|(_, t)| t == "super")
                    && tokens.get(j + 1).is_some_and(|(_, t)| t == "::")
                {
                    up += 1;
                    j += 2;
                }
                // Only a climb to the crate root can leave the file's layer.
                (up > 0 && up >= module.len()).then(|| {
                    i = j - 2;
                    Vec::new()
                })
            }
            _ => None,
        };
        match start {
            Some(prefix) if tokens.get(i + 1).is_some_and(|(_, t)| t == "::") => {
                let line = *line;
                i += 2;
                let mut paths = Vec::new();
                use_tree(&tokens, &mut i, &prefix, &mut paths);
                out.extend(
                    paths
                        .into_iter()
                        .map(|segments| CratePath { line, segments }),
                );
            }
            _ => i += 1,
        }
    }
    out
}

/// The module path of a source file under src/ (`src/scenario/validate/racks.rs` →
/// `scenario::validate::racks`, `mod.rs` naming its folder).
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every import of one file of layer `layer` that the layer table does not allow, as
/// `file:line: message`.
fn layer_violations(file: &str, module: &[String], text: &str) -> Vec<String> {
    let layer = module[0].as_str();
    let Some((_, allowed)) = LAYERS.iter().find(|(l, _)| *l == layer) else {
        return vec![format!(
            "{file}: `{layer}` is not a layer of the table in gate.rs"
        )];
    };
    let mut found = Vec::new();
    for p in crate_paths(text, module) {
        let Some(first) = p.segments.first() else {
            continue;
        };
        let shown = format!("crate::{}", p.segments.join("::"));
        if first == layer {
            continue;
        }
        if ROOT_ITEMS.contains(&first.as_str()) {
            continue;
        }
        if !allowed.contains(&first.as_str()) {
            found.push(format!(
                "{file}:{}: `{shown}`: {layer} may import only from {}",
                p.line,
                if allowed.is_empty() {
                    "itself".to_string()
                } else {
                    allowed.join(", ")
                }
            ));
        } else if let Some(second) = p.segments.get(1)
            && INTERNAL.contains(&(first.as_str(), second.as_str()))
        {
            found.push(format!(
                "{file}:{}: `{shown}`: `{first}::{second}` is internal to {first}; use a public function of {first}",
                p.line
            ));
        }
    }
    found
}

/// Every library file with its path relative to the root and its module path.
fn library_files() -> Vec<(String, Vec<String>, String)> {
    let src = root().join("src");
    rust_files(&src)
        .into_iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(&src).unwrap().to_path_buf();
            let module = module_of(&rel);
            // The binary (main.rs, cli.rs, cli/) sits above every layer; lib.rs is the root.
            let top = module.first().map(String::as_str);
            (!matches!(top, Some("main" | "cli" | "lib") | None)).then(|| {
                let text = std::fs::read_to_string(&f).unwrap();
                (format!("src/{}", rel.display()), module, text)
            })
        })
        .collect()
}

#[test]
fn every_import_follows_the_layers() {
    // Proves the layering of ARCHITECTURE.md holds in the source: every `crate::…`
    // path of a library file (in `use` or inline, grouped or not, and `super::` that
    // climbs to the root) names its own layer, a crate-root item or a layer its layer
    // may import from, and no file outside scenario reaches scenario's internals.
    let mut all = Vec::new();
    for (file, module, text) in library_files() {
        all.extend(layer_violations(&file, &module, &text));
    }
    assert!(
        all.is_empty(),
        "imports across the layers:\n{}",
        all.join("\n")
    );
}

#[test]
fn the_layer_table_is_the_real_one_and_architecture_md_shows_it() {
    // Proves the table has no edge the source lacks (each allowed layer is imported by
    // at least one file of the layer) and ARCHITECTURE.md lists the same edges, one
    // line per layer: `layer ← a, b` (or `layer ← nothing`).
    let mut used: Vec<(String, String)> = Vec::new();
    for (_, module, text) in library_files() {
        for p in crate_paths(&text, &module) {
            if let Some(first) = p.segments.first()
                && *first != module[0]
                && !ROOT_ITEMS.contains(&first.as_str())
            {
                used.push((module[0].clone(), first.clone()));
            }
        }
    }
    for (layer, allowed) in LAYERS {
        for a in *allowed {
            assert!(
                used.contains(&(layer.to_string(), a.to_string())),
                "gate.rs LAYERS: {layer} no longer imports from {a}: drop the edge here and in ARCHITECTURE.md"
            );
        }
    }
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for (layer, allowed) in LAYERS {
        let line = format!(
            "{layer:<10} ← {}",
            if allowed.is_empty() {
                "nothing".to_string()
            } else {
                allowed.join(", ")
            }
        );
        assert!(
            doc.lines().any(|l| l.trim_end() == line),
            "ARCHITECTURE.md: no line `{line}` in the layer table"
        );
    }
}

#[test]
fn architecture_md_names_every_module_of_the_model() {
    // Proves the code map stays complete: every file of src/model (but mod.rs and the
    // tests) is named in ARCHITECTURE.md as `name.rs`.
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for f in rust_files(&root().join("src/model")) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name == "mod.rs" || name == "tests.rs" {
            continue;
        }
        assert!(
            doc.contains(&format!("`{name}`")),
            "ARCHITECTURE.md does not name src/model/{name}"
        );
    }
}

#[test]
fn layer_checker_catches_bad_imports() {
    // Proves the checker itself: imports from a layer above, grouped imports, inline
    // paths, `super::` climbing to the root and scenario internals are flagged with
    // the file and the import; imports from below, from the file's own layer and of
    // crate-root items are not.
    let module = |m: &str| m.split("::").map(str::to_string).collect::<Vec<_>>();
    let bad = [
        (
            "engine::queue",
            "use crate::model::Event;",
            "crate::model::Event",
        ),
        (
            "metrics::stats",
            "use crate::{engine::Micros, scenario::Scenario};",
            "crate::scenario::Scenario",
        ),
        (
            "scenario::types",
            "let p = crate::model::Platform::new(&sc);",
            "crate::model::Platform::new",
        ),
        (
            "model::brain",
            "use crate::experiment::{\n    Plan,\n};",
            "crate::experiment::Plan",
        ),
        (
            "experiment::resources",
            "use crate::scenario::locate::locate_path;",
            "crate::scenario::locate::locate_path",
        ),
        (
            "experiment::sensitivity::part",
            "use crate::scenario::{raw::{Dur, RawBound}};",
            "crate::scenario::raw::Dur",
        ),
        (
            "scenario::validate::racks",
            "use super::super::super::report::x;",
            "crate::report::x",
        ),
        ("model", "use crate::report;", "crate::report"),
    ];
    for (m, text, import) in bad {
        let v = layer_violations("src/x.rs", &module(m), text);
        assert!(
            v.iter()
                .any(|v| v.starts_with("src/x.rs:") && v.contains(&format!("`{import}`"))),
            "not flagged in {m}: {text}: {v:?}"
        );
    }
    let good = [
        (
            "model::brain",
            "use crate::engine::{Micros, Scheduler};\nuse crate::scenario::{self, Scenario};",
        ),
        (
            "scenario::validate::racks",
            "use super::super::raw::RawRacks;\nuse crate::metrics::format::fmt_input;",
        ),
        ("scenario", "use crate::scenario::raw::RawScenario;"),
        (
            "report::json",
            "use crate::VERSION;\nuse crate::experiment::{Study, sweep::Sweep};",
        ),
        (
            "engine::rng",
            "// crate::model is above\nlet s = \"crate::model\";",
        ),
        ("experiment", "let m = crate::scenario::load(path, sets);"),
    ];
    for (m, text) in good {
        assert_eq!(
            layer_violations("src/x.rs", &module(m), text),
            Vec::<String>::new(),
            "flagged in {m}: {text}"
        );
    }
}

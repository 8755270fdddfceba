//! `bigvsim validate`: check model files and say what each is.

use bigvsim::experiment::{self, Workers};
use bigvsim::scenario;

use super::checks::{check_paths, check_sets};
use super::{Failure, out};

/// "incident model (inferred)", "operation model".
pub(super) fn kind_words(kind: &scenario::ModelKind, inferred: bool) -> String {
    format!(
        "{} model{}",
        kind.word(),
        if inferred { " (inferred)" } else { "" }
    )
}

/// "1 fault", "2 faults".
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

pub(super) fn cmd_validate(
    models: &[String],
    sets: &[String],
    verbose: bool,
) -> Result<(), Failure> {
    check_paths("a model file", models)?;
    check_sets(sets)?;
    let mut failures = Vec::new();
    for path in models {
        // `validate` answers for one worker: `run` says when several do not fit.
        let loaded = scenario::load(path, sets)
            .and_then(|m| experiment::fit_workers(&m, sets, Workers::Explicit(1), 1).map(|_| m));
        match loaded {
            Ok(m) => {
                m.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
                let sc = &m.scenario;
                out(&format!(
                    "ok {}: {} ({} heads × {} VMs = {} VMs, horizon {}, {}, {}{})\n",
                    path,
                    sc.name,
                    sc.site.heads,
                    sc.site.vms_per_head,
                    sc.site.vms(),
                    scenario::duration::format_duration_us(sc.horizon_us),
                    kind_words(&sc.kind, sc.kind_inferred),
                    count(sc.faults.len(), "fault"),
                    match sc.changes.len() {
                        0 => String::new(),
                        n => format!(", {}", count(n, "change")),
                    }
                ))?;
                if verbose {
                    out(&format!("{}\n", m.resolved_ron()))?;
                }
            }
            Err(e) => failures.extend(e.lines()),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::input(failures.join("\nerror: ")))
    }
}

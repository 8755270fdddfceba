//! Resources a study asks of the machine, checked before anything is allocated.
//!
//! Every worker thread builds its own platform, so the memory a command needs is one
//! model's footprint times the workers that run at once. This check lives here, above
//! both the scenario loader and the model, because it needs the model's footprint and
//! the number of workers, neither of which a model file knows about.

use crate::model::Footprint;
use crate::scenario::locate::locate_path_or_prefix;
use crate::scenario::{FieldError, LoadedModel, Location, MAX_MODEL_BYTES, ScenarioError};

/// How many worker threads were asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    /// The default (all cores): reduced to what fits in memory.
    Default(usize),
    /// Chosen by the user (`--jobs N`): refused when it does not fit.
    Explicit(usize),
}

/// The workers a command can run within the memory limit, and why there are fewer
/// than asked for, if there are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fitted {
    pub workers: usize,
    /// Set when the default was reduced: a line for stderr.
    pub note: Option<String>,
}

const GIB: f64 = (1u64 << 30) as f64;

/// The field a memory refusal names: the site's size is what the memory follows.
const SITE: &str = "site";

/// Checks that `workers` platforms of `model` fit in [`MAX_MODEL_BYTES`] at once.
///
/// `sets` are the `--set` arguments the model was loaded with, so the refusal blames
/// the override that made the site too large rather than the file. `runs` is the most
/// replications one batch runs: no more workers than that are started.
///
/// A model too large for a single worker is refused whatever was asked. With several
/// workers, an explicit `--jobs` that does not fit is refused with the number that
/// would; the default is reduced to that number, with a note saying so.
pub fn fit_workers(
    model: &LoadedModel,
    sets: &[String],
    requested: Workers,
    runs: u64,
) -> Result<Fitted, ScenarioError> {
    let site = &model.scenario.site;
    let per_worker = Footprint::of(&model.scenario).bytes;
    let refuse = |message: String| {
        let (field, location) = blame(model, sets);
        FieldError::new(field, message)
            .at(location)
            .in_file(&model.path)
    };
    if per_worker > MAX_MODEL_BYTES {
        return Err(refuse(format!(
            "{} heads × {} VMs would need about {:.1} GiB of memory; the limit is {} GiB",
            site.heads,
            site.vms_per_head,
            per_worker as f64 / GIB,
            MAX_MODEL_BYTES >> 30
        )));
    }
    let (asked, explicit) = match requested {
        Workers::Default(n) => (n, false),
        Workers::Explicit(n) => (n, true),
    };
    // Workers beyond the replications never start, so they need no memory.
    let asked = asked
        .max(1)
        .min(usize::try_from(runs.max(1)).unwrap_or(usize::MAX));
    let fit = usize::try_from(MAX_MODEL_BYTES / per_worker.max(1)).unwrap_or(usize::MAX);
    if asked <= fit {
        return Ok(Fitted {
            workers: asked,
            note: None,
        });
    }
    let need = |n: usize| per_worker as f64 * n as f64 / GIB;
    if explicit {
        return Err(refuse(format!(
            "{} heads × {} VMs need about {:.1} GiB of memory per worker, {:.1} GiB for {asked} \
             workers; the limit is {} GiB, which fits {fit}: use --jobs {fit}",
            site.heads,
            site.vms_per_head,
            need(1),
            need(asked),
            MAX_MODEL_BYTES >> 30
        )));
    }
    Ok(Fitted {
        workers: fit,
        note: Some(format!(
            "note: {}: each worker needs about {:.1} GiB of memory; running {fit} {} \
             instead of {asked} to stay within {} GiB (choose with --jobs)",
            model.path,
            need(1),
            if fit == 1 { "worker" } else { "workers" },
            MAX_MODEL_BYTES >> 30
        )),
    })
}

/// [`fit_workers`] over every model a command runs, one after the other, each with
/// the `--set` arguments it was loaded with: the workers that fit the largest.
pub fn fit_all(
    models: &[(&LoadedModel, Vec<String>)],
    requested: Workers,
    runs: u64,
) -> Result<Fitted, ScenarioError> {
    let mut fitted: Option<Fitted> = None;
    for (model, sets) in models {
        let f = fit_workers(model, sets, requested, runs)?;
        if fitted.as_ref().is_none_or(|g| f.workers < g.workers) {
            fitted = Some(f);
        }
    }
    Ok(fitted.unwrap_or(Fitted {
        workers: 1,
        note: None,
    }))
}

/// The field a memory refusal names and where it was written: the `--set` that grew
/// the footprint most and the field it set (`migration.concurrency`, say), else the
/// site in the file.
fn blame(model: &LoadedModel, sets: &[String]) -> (String, Location) {
    let bytes = |sets: &[String]| {
        crate::scenario::load_str(&model.path, &model.source, sets)
            .ok()
            .map(|m| Footprint::of(&m.scenario).bytes)
    };
    let mut before = bytes(&[]);
    let mut grown: Option<(u64, &String)> = None;
    for (i, arg) in sets.iter().enumerate() {
        let after = bytes(&sets[..=i]);
        if let (Some(b), Some(a)) = (before, after)
            && a > b
            && grown.is_none_or(|(g, _)| a - b >= g)
        {
            grown = Some((a - b, arg));
        }
        before = after;
    }
    if let Some((_, arg)) = grown {
        let mut raw = model.raw.clone();
        if let Ok(field) = crate::scenario::apply_set(&mut raw, arg) {
            return (field, Location::Set(arg.clone()));
        }
    }
    (SITE.to_string(), site_location(model))
}

/// Where the site's size was written in the file.
fn site_location(model: &LoadedModel) -> Location {
    locate_path_or_prefix(&model.source, SITE).map_or(Location::File, |(line, column, _)| {
        Location::At { line, column }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    const TEXT: &str = "(name: \"t\", horizon: \"1d\",\n site: (heads: 2, vms_per_head: 3))";

    fn model(sets: &[&str]) -> LoadedModel {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        load_str("m.ron", TEXT, &sets).unwrap()
    }

    /// A site that fits one worker but not two: 1 000 heads and the fewest VMs per head
    /// (in steps of 25 000) whose footprint is over half the limit. Chosen from the
    /// footprint itself, so the test follows the model's layout as it changes.
    fn fits_one_worker_only() -> (LoadedModel, Vec<String>, u64) {
        (1..=40)
            .map(|k| {
                let sets = vec![
                    "site.heads=1000".to_string(),
                    format!("site.vms_per_head={}", k * 25_000),
                ];
                let m = load_str("m.ron", TEXT, &sets).unwrap();
                let bytes = Footprint::of(&m.scenario).bytes;
                (m, sets, bytes)
            })
            .find(|(_, _, bytes)| 2 * bytes > MAX_MODEL_BYTES)
            .unwrap()
    }

    #[test]
    fn a_small_model_runs_every_worker_asked_for() {
        // Six platforms of a 6-VM site are a few kilobytes: every worker runs, but no
        // more than there are replications.
        let m = model(&[]);
        let f = fit_workers(&m, &[], Workers::Explicit(6), 100).unwrap();
        assert_eq!(
            f,
            Fitted {
                workers: 6,
                note: None
            }
        );
        let f = fit_workers(&m, &[], Workers::Default(6), 2).unwrap();
        assert_eq!(f.workers, 2);
    }

    #[test]
    fn the_bound_covers_every_worker() {
        // A site that fits one worker in 16 GiB but not two: an explicit --jobs 2 is
        // refused naming --jobs 1 and the override that sized the site; the default is
        // reduced to 1 with a note; a single replication needs only one worker.
        let (m, sets, bytes) = fits_one_worker_only();
        assert!(bytes <= MAX_MODEL_BYTES, "{bytes}");
        let e = fit_workers(&m, &sets, Workers::Explicit(2), 10).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("field `site.vms_per_head`"), "{text}");
        assert!(text.contains("use --jobs 1"), "{text}");
        assert!(text.contains(&format!("in --set {}", sets[1])), "{text}");
        let f = fit_workers(&m, &sets, Workers::Default(8), 10).unwrap();
        assert_eq!(f.workers, 1);
        assert!(f.note.unwrap().contains("running 1 worker instead of 8"));
        let f = fit_workers(&m, &sets, Workers::Explicit(8), 1).unwrap();
        assert_eq!(
            f,
            Fitted {
                workers: 1,
                note: None
            }
        );
    }

    #[test]
    fn a_model_too_large_for_one_worker_names_the_site_in_the_file() {
        // Written in the file (no override), the refusal points at the `site` field's
        // line and column, with the same words whatever the number of workers.
        let text = "(name: \"t\", horizon: \"1d\",\n site: (heads: 100000, vms_per_head: 40000))";
        let m = load_str("big.ron", text, &[]).unwrap();
        for asked in [Workers::Default(1), Workers::Explicit(4)] {
            let e = fit_workers(&m, &[], asked, 30).unwrap_err().to_string();
            assert!(
                e.starts_with(
                    "big.ron:2:2: field `site`: 100000 heads × 40000 VMs would need about"
                ),
                "{e}"
            );
            assert!(e.ends_with("GiB of memory; the limit is 16 GiB"), "{e}");
        }
    }
}

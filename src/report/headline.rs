//! The answer at a glance: the two or three sentences every command's text and
//! report.md open with, the metrics that fit the model's kind, and the words for a
//! change against the baseline. One place, so text and report.md say the same.

use crate::experiment::differences::{Finding, Verdict, fmt_pct};
use crate::experiment::{Batch, Study, Sweep, point_summaries};
use crate::metrics::format::fmt_metric;
use crate::metrics::{Direction, METRICS, Metric, OutageCause, Summary};
use crate::report::text::Fixed;
use crate::scenario::ModelKind;
use crate::scenario::duration::format_duration_us;

/// The width of every default text line.
pub const TEXT_COLUMNS: usize = 100;

/// The metrics an incident model's outputs lead with: how long the recovery took,
/// what it cost, and the crashes behind it.
pub const INCIDENT_LEAD: &[Metric] = &[
    Metric::FullRecoveryS,
    Metric::SiteRecoveryS,
    Metric::Recover50S,
    Metric::Recover90S,
    Metric::ControlRecoveryS,
    Metric::ControlLossHeadS,
    Metric::VmHoursLost,
    Metric::WorstIncidentVms,
    Metric::SupervisorCrashes,
    Metric::VmReboots,
];

/// The metrics an operation model's outputs lead with: downtime per VM-year and its
/// causes, availability, and the site-wide incidents (not the worst incident, which
/// over a year is usually one head's hardware repair).
pub const OPERATION_LEAD: &[Metric] = &[
    Metric::DowntimeMinPerVmYear,
    Metric::DowntimeBugMinPerVmYear,
    Metric::DowntimeBackgroundMinPerVmYear,
    Metric::DowntimeHardwareMinPerVmYear,
    Metric::DowntimeCrashFaultMinPerVmYear,
    Metric::DowntimeMaintenanceMinPerVmYear,
    Metric::VmAvailability,
    Metric::SiteIncidents,
    Metric::SiteRecoveryS,
    Metric::ControlRecoveryS,
    Metric::SupervisorCrashes,
];

/// The kind of a study: its baseline's (a sweep's points and a comparison's designs
/// are judged as the baseline is).
pub fn kind_of(study: &Study) -> ModelKind {
    study
        .designs
        .first()
        .map_or(ModelKind::Incident, |(_, b)| b.kind)
}

/// The metrics a kind leads with.
pub fn lead_metrics(kind: ModelKind) -> &'static [Metric] {
    match kind {
        ModelKind::Operation => OPERATION_LEAD,
        _ => INCIDENT_LEAD,
    }
}

/// The metrics the default tables show for these batches: the kind's lead metrics
/// without those that are 0 in every batch (all of them with `--all`).
pub fn shown_metrics<'a>(
    kind: ModelKind,
    batches: impl IntoIterator<Item = &'a Batch> + Clone,
    all: bool,
) -> Vec<Metric> {
    if all {
        return Metric::ALL.to_vec();
    }
    let shown: Vec<Metric> = lead_metrics(kind)
        .iter()
        .copied()
        .filter(|m| {
            batches
                .clone()
                .into_iter()
                .any(|b| b.values(*m).iter().any(|x| *x != 0.0))
        })
        .collect();
    if shown.is_empty() {
        vec![primary_of(kind, batches)]
    } else {
        shown
    }
}

/// The metric a model's question is about: downtime per VM-year for an operation
/// model; for an incident, the site-wide recovery, else the last VM's recovery, else
/// the brain's recovery of control, whichever is first not 0 in some batch.
pub fn primary_of<'a>(kind: ModelKind, batches: impl IntoIterator<Item = &'a Batch>) -> Metric {
    if kind == ModelKind::Operation {
        return Metric::DowntimeMinPerVmYear;
    }
    let batches: Vec<&Batch> = batches.into_iter().collect();
    [
        Metric::SiteRecoveryS,
        Metric::FullRecoveryS,
        Metric::ControlRecoveryS,
    ]
    .into_iter()
    .find(|m| batches.iter().any(|b| b.summary(*m).mean != 0.0))
    .unwrap_or(Metric::FullRecoveryS)
}

/// The primary metric of a study.
pub fn primary(study: &Study) -> Metric {
    primary_of(kind_of(study), study.designs.iter().map(|(_, b)| b))
}

/// Seconds as a person says them: `2 h 02 min`, `5 min 25 s`, `17 s`, `0.40 s`,
/// `3 d 4 h`.
pub fn duration_words(secs: f64) -> String {
    if !secs.is_finite() {
        return "n/a".to_string();
    }
    let neg = if secs < 0.0 { "-" } else { "" };
    let s = secs.abs();
    let text = if s < 10.0 {
        format!("{s:.2} s")
    } else if s < 60.0 {
        format!("{:.0} s", s)
    } else {
        let total = s.round() as u64;
        let (d, h, m, sec) = (
            total / 86_400,
            total / 3600 % 24,
            total / 60 % 60,
            total % 60,
        );
        if d > 0 {
            format!("{d} d {h} h")
        } else if h > 0 {
            format!("{h} h {m:02} min")
        } else {
            format!("{m} min {sec:02} s")
        }
    };
    format!("{neg}{text}")
}

/// A value of metric `m` in words: durations as [`duration_words`], others with their
/// unit (counts bare).
pub fn value_words(m: Metric, x: f64) -> String {
    value_words_as(m, x, Fixed::of(m, [x]))
}

/// `lo to hi` of metric `m` in words, the unit once: `-524.0 to -476.1 min/VM-year`.
fn range_words(m: Metric, lo: f64, hi: f64) -> String {
    let def = &METRICS[m as usize];
    let f = Fixed::of(m, [lo, hi]);
    if def.unit == "s" || def.unit == "count" || def.unit == "fraction" {
        format!(
            "{} to {}",
            value_words_as(m, lo, f),
            value_words_as(m, hi, f)
        )
    } else {
        format!("{} to {} {}", f.fmt(lo), f.fmt(hi), def.unit)
    }
}

/// [`value_words`] with the decimals of `f`, so that values read side by side (a
/// ranking) share them: `49.4, 300.8, 549.5`, not `49.362, 300.8`.
fn value_words_as(m: Metric, x: f64, f: Fixed) -> String {
    let def = &METRICS[m as usize];
    if def.unit == "s" {
        duration_words(x)
    } else if def.unit == "count" || m == Metric::VmAvailability {
        fmt_metric(m, x)
    } else if def.unit == "fraction" {
        f.fmt(x)
    } else {
        format!("{} {}", f.fmt(x), def.unit)
    }
}

/// `at least ` when some replication's value was cut by the horizon.
fn at_least(b: &Batch, m: Metric) -> &'static str {
    if b.censored(m) > 0 { "at least " } else { "" }
}

/// `mean (95 % CI ± h; p90 x)` of metric `m` in words.
fn mean_words(b: &Batch, m: Metric) -> String {
    let s = b.summary(m);
    let half = (s.n >= 2).then(|| (s.ci95_hi - s.ci95_lo) / 2.0);
    let ci = half.map_or("no CI: one replication".to_string(), |h| {
        format!("95 % CI ± {}", value_words(m, h))
    });
    format!(
        "{}{} ({ci}; p90 {}{})",
        at_least(b, m),
        value_words(m, s.mean),
        at_least(b, m),
        value_words(m, s.p90)
    )
}

/// The sentence that says a value was cut by the horizon, or nothing.
fn cut_words(b: &Batch, m: Metric) -> String {
    let k = b.censored(m);
    if k == 0 {
        String::new()
    } else {
        format!(
            " An incident was still open at the horizon in {k} of {} replications: the true value is longer (lengthen the horizon).",
            b.replications.len()
        )
    }
}

/// The kind in a header: `incident model` (with `, inferred` when it was).
pub fn kind_words(kind: ModelKind) -> String {
    format!("{} model", kind.word())
}

/// `run`'s answer: for an incident, when the last VM (or the brain's control) is
/// back and what it cost; for operation, downtime per VM-year by cause and the
/// site-wide incidents.
pub fn run_headline(name: &str, b: &Batch) -> Vec<String> {
    let mut out = Vec::new();
    let mean = |m: Metric| b.summary(m).mean;
    if b.kind == ModelKind::Operation {
        let causes: Vec<String> = OutageCause::ALL
            .iter()
            .map(|c| (c.name(), mean(c.downtime_metric())))
            .filter(|(_, x)| *x > 0.0)
            .map(|(n, x)| format!("{n} {}", fmt_metric(Metric::DowntimeMinPerVmYear, x)))
            .collect();
        out.push(format!(
            "{name} ({}): downtime {} min per VM-year{}; availability {}.",
            format_duration_us(b.horizon_us),
            mean_words(b, Metric::DowntimeMinPerVmYear).replacen(" min/VM-year", "", 2),
            if causes.is_empty() {
                String::new()
            } else {
                format!(", by cause: {}", causes.join(", "))
            },
            fmt_metric(Metric::VmAvailability, mean(Metric::VmAvailability)),
        ));
        let site = mean(Metric::SiteIncidents);
        out.push(if site > 0.0 {
            format!(
                "{} site-wide incidents per run on average; the worst takes {} to recover.{}",
                fmt_metric(Metric::SiteIncidents, site),
                mean_words(b, Metric::SiteRecoveryS),
                cut_words(b, Metric::SiteRecoveryS)
            )
        } else {
            "No site-wide incident in any replication.".to_string()
        });
        return out;
    }
    if mean(Metric::FullRecoveryS) > 0.0 {
        out.push(format!(
            "{name}: the last VM is back after {}.{}",
            mean_words(b, Metric::FullRecoveryS),
            cut_words(b, Metric::FullRecoveryS)
        ));
        out.push(format!(
            "Half the VMs are back after {}{}, 90 % after {}{}; {}{} lost, {} VMs down at worst, {} supervisor crashes.",
            at_least(b, Metric::Recover50S),
            duration_words(mean(Metric::Recover50S)),
            at_least(b, Metric::Recover90S),
            duration_words(mean(Metric::Recover90S)),
            at_least(b, Metric::VmHoursLost),
            value_words(Metric::VmHoursLost, mean(Metric::VmHoursLost)),
            fmt_metric(Metric::WorstIncidentVms, mean(Metric::WorstIncidentVms)),
            fmt_metric(Metric::SupervisorCrashes, mean(Metric::SupervisorCrashes)),
        ));
    } else {
        out.push(format!("{name}: no VM went down in any replication."));
    }
    if mean(Metric::ControlRecoveryS) > 0.0 {
        out.push(format!(
            "The brain controls every head again after {}.{}",
            mean_words(b, Metric::ControlRecoveryS),
            cut_words(b, Metric::ControlRecoveryS)
        ));
    }
    out
}

/// The change of a design against the baseline as a percentage of the baseline, in
/// words that cannot mislead: `all gone (was X)` where the design's values are
/// all 0, `new (from 0)` where the baseline's are, and a CI clamped at -100 % (a
/// metric that cannot go below 0 cannot fall by more).
pub fn percent_words(
    m: Metric,
    base: &Summary,
    design: &Summary,
    v: Option<&Verdict>,
    with_ci: bool,
) -> String {
    let def = &METRICS[m as usize];
    let gone = design.max == 0.0 && design.min == 0.0 && base.mean > 0.0;
    if gone && def.unit != "fraction" {
        return format!("all gone (was {})", fmt_metric(m, base.mean));
    }
    if def.relative_base(base.mean) == 0.0 {
        return if design.mean == 0.0 || !design.mean.is_finite() {
            "no change (0)".to_string()
        } else {
            "new (from 0)".to_string()
        };
    }
    let rel = def.relative_base(base.mean);
    let floor = |x: f64| {
        if def.unit != "fraction" {
            x.max(-100.0)
        } else {
            x
        }
    };
    match v.and_then(|v| v.change_pct.zip(v.ci95_pct)) {
        Some((p, (lo, hi))) if with_ci => format!(
            "{} (CI {} to {})",
            fmt_pct(p),
            fmt_pct(floor(lo)),
            fmt_pct(floor(hi))
        ),
        _ => fmt_pct(floor(100.0 * (design.mean - base.mean) / rel)),
    }
}

/// Whether a metric is context rather than a result in this study: supervisor
/// crashes when some design restarts supervisors on purpose (a rollout with
/// `restart_supervisor`, a scheduled `SupervisorCrash`), whose restarts it counts.
pub fn is_context(study: &Study, m: Metric) -> bool {
    m == Metric::SupervisorCrashes
        && study
            .designs
            .iter()
            .any(|(_, b)| b.summary(Metric::DowntimeCrashFaultMinPerVmYear).max > 0.0)
}

/// The verdict column of a metric: the finding in words, `context` for a metric that
/// counts planned work too, `unknown` where the horizon cut a value of either design
/// (`cut`), or why there is none.
pub fn verdict_words(study: &Study, m: Metric, v: Option<&Verdict>, cut: bool) -> String {
    if is_context(study, m) {
        return "context: counts planned restarts".to_string();
    }
    if cut && v.is_some() {
        return "unknown: cut by the horizon".to_string();
    }
    match v {
        Some(v) => Finding::of(v).words(study.min_effect),
        None => {
            let def = &METRICS[m as usize];
            if def.direction == Direction::Neutral {
                "none: neutral".to_string()
            } else if !def.judged() {
                "none: shape".to_string()
            } else {
                "n/a".to_string()
            }
        }
    }
}

/// `compare`'s answer: the designs ranked on the primary metric, then each design's
/// change on it against the baseline with its verdict.
pub fn compare_headline(study: &Study) -> Vec<String> {
    let Some(((base, base_batch), _)) = study.designs.split_first() else {
        return Vec::new();
    };
    let m = primary(study);
    let def = &METRICS[m as usize];
    let mut ranked: Vec<(&str, &Batch)> = study
        .designs
        .iter()
        .map(|(i, b)| (i.name.as_str(), b))
        .collect();
    let key = |b: &Batch| b.summary(m).mean;
    ranked.sort_by(|a, b| {
        let o = key(a.1).total_cmp(&key(b.1));
        if def.direction == Direction::HigherIsBetter {
            o.reverse()
        } else {
            o
        }
    });
    let shared = Fixed::of(m, ranked.iter().map(|(_, b)| key(b)));
    let mut out = vec![format!(
        "Ranked on {} ({} model, {}): {}.",
        def.key,
        kind_of(study).word(),
        if def.direction == Direction::HigherIsBetter {
            "higher is better"
        } else {
            "lower is better"
        },
        ranked
            .iter()
            .map(|(n, b)| format!(
                "{n} {}{}",
                at_least(b, m),
                value_words_as(m, key(b), shared)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    let verdicts = study.verdicts();
    for ((info, b), judged) in study.designs.iter().skip(1).zip(&verdicts) {
        let v = judged.iter().find(|v| v.metric == m);
        let change = key(b) - key(base_batch);
        let cut = base_batch.censored(m) > 0 || b.censored(m) > 0;
        // The CI of a difference between lower bounds says nothing: leave it out.
        let ci = v.filter(|_| !cut).map_or(String::new(), |v| {
            format!("95 % CI {}; ", range_words(m, v.ci95.0, v.ci95.1))
        });
        out.push(format!(
            "{} vs {}: {} {}{} ({ci}{}): {}.",
            info.name,
            base.name,
            def.key,
            if change > 0.0 { "+" } else { "" },
            value_words(m, change),
            percent_words(m, &base_batch.summary(m), &b.summary(m), v, false),
            verdict_words(study, m, v, cut)
        ));
    }
    out
}

/// `sweep`'s answer: the best point on the primary metric and how the metric moves
/// across the grid.
pub fn sweep_headline(sw: &Sweep) -> Vec<String> {
    let batches: Vec<&Batch> = sw.points.iter().map(|(_, b)| b).collect();
    let Some(first) = batches.first() else {
        return Vec::new();
    };
    let m = primary_of(first.kind, batches.iter().copied());
    let def = &METRICS[m as usize];
    let means: Vec<(String, f64, &Batch)> = sw
        .points
        .iter()
        .map(|(values, b)| (sw.label(values), point_summaries(b)[m as usize].mean, b))
        .collect();
    let higher = def.direction == Direction::HigherIsBetter;
    let cmp = |a: &&(String, f64, &Batch), b: &&(String, f64, &Batch)| a.1.total_cmp(&b.1);
    let (lo, hi) = (
        means.iter().min_by(cmp).expect("a point"),
        means.iter().max_by(cmp).expect("a point"),
    );
    let (best, worst) = if higher { (hi, lo) } else { (lo, hi) };
    let ties = means.iter().filter(|p| p.1 == best.1).count();
    let best_words = if ties > 1 {
        format!(
            "{} points tie at best, {}{} (the first: {})",
            ties,
            at_least(best.2, m),
            value_words(m, best.1),
            best.0
        )
    } else {
        format!("{}: {}", best.0, mean_words(best.2, m))
    };
    vec![
        format!(
            "Best on {} ({} model, {}): {best_words}.",
            def.key,
            first.kind.word(),
            if higher {
                "higher is better"
            } else {
                "lower is better"
            },
        ),
        format!(
            "Across the {} points {} runs from {}{} to {}{} (worst at {}).",
            means.len(),
            def.key,
            at_least(lo.2, m),
            value_words(m, lo.1),
            at_least(hi.2, m),
            value_words(m, hi.1),
            worst.0
        ),
    ]
}

/// Sentences wrapped at word boundaries into lines of at most `width` characters.
pub fn wrap(sentences: &[String], width: usize) -> String {
    let mut out = String::new();
    for s in sentences {
        let mut line = String::new();
        for word in s.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                out.push_str(&line);
                out.push('\n');
                line = format!("  {word}");
            } else {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A Markdown table split by columns into tables whose every line fits in `width`
/// characters, the first `keep` columns repeated in each (a column wider on its own
/// than the width gets a table to itself).
pub fn md_fitted(keep: usize, header: &[String], rows: &[Vec<String>], width: usize) -> String {
    let line = |cols: &[usize], r: &[String]| {
        4 + cols
            .iter()
            .map(|&i| r.get(i).map_or(0, |c| c.chars().count()) + 3)
            .sum::<usize>()
    };
    let widest = |cols: &[usize]| {
        std::iter::once(header)
            .chain(rows.iter().map(|r| r.as_slice()))
            .map(|r| line(cols, r))
            .max()
            .unwrap_or(0)
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = (0..keep.min(header.len())).collect();
    for i in keep..header.len() {
        let mut trial = current.clone();
        trial.push(i);
        if current.len() > keep && widest(&trial) > width {
            groups.push(std::mem::replace(
                &mut current,
                (0..keep).chain([i]).collect(),
            ));
        } else {
            current = trial;
        }
    }
    groups.push(current);
    groups
        .iter()
        .map(|cols| {
            let pick = |r: &[String]| {
                cols.iter()
                    .map(|&i| r.get(i).cloned().unwrap_or_default())
                    .collect::<Vec<_>>()
            };
            super::cells::md_table(
                &pick(header),
                &rows.iter().map(|r| pick(r)).collect::<Vec<_>>(),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_side_by_side_share_their_decimals_and_a_range_names_its_unit_once() {
        let m = Metric::DowntimeMinPerVmYear;
        // Alone, each value keeps about four significant digits.
        assert_eq!(value_words(m, 49.362), "49.36 min/VM-year");
        assert_eq!(value_words(m, 300.81), "300.8 min/VM-year");
        // In a ranking they share the decimals of the largest.
        let shared = Fixed::of(m, [49.362, 300.81, 549.47]);
        let ranked: Vec<String> = [49.362, 300.81, 549.47]
            .iter()
            .map(|x| value_words_as(m, *x, shared))
            .collect();
        assert_eq!(
            ranked,
            ["49.4 min/VM-year", "300.8 min/VM-year", "549.5 min/VM-year"]
        );
        assert_eq!(
            range_words(m, -524.04, -476.12),
            "-524.0 to -476.1 min/VM-year"
        );
        // Durations and counts read as they always do.
        assert_eq!(
            range_words(Metric::FullRecoveryS, 7150.0, 7230.0),
            "1 h 59 min to 2 h 00 min"
        );
        assert_eq!(value_words(Metric::SupervisorCrashes, 398.8), "398.8");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_words(7326.0), "2 h 02 min");
        assert_eq!(duration_words(325.4), "5 min 25 s");
        assert_eq!(duration_words(17.2), "17 s");
        assert_eq!(duration_words(0.4), "0.40 s");
        assert_eq!(duration_words(3.0 * 86_400.0 + 4.0 * 3600.0), "3 d 4 h");
        assert_eq!(duration_words(-90.0), "-1 min 30 s");
    }

    #[test]
    fn markdown_tables_split_to_fit() {
        // Three 30-character columns after a 10-character label: one table would be
        // 4 + 13 + 3 × 33 = 116 characters; split at 100, two tables repeat the label.
        let header: Vec<String> = ["label", "a", "b", "c"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows = vec![
            std::iter::once("row-name-x".to_string())
                .chain((0..3).map(|_| "x".repeat(30)))
                .collect::<Vec<_>>(),
        ];
        let md = md_fitted(1, &header, &rows, 100);
        assert_eq!(md.matches("row-name-x").count(), 2, "{md}");
        assert!(md.lines().all(|l| l.chars().count() <= 100), "{md}");
        assert_eq!(
            md_fitted(1, &header, &rows, 200)
                .matches("row-name-x")
                .count(),
            1
        );
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width() {
        let long = vec!["word ".repeat(60).trim().to_string()];
        let text = wrap(&long, 40);
        assert!(text.lines().count() > 1, "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
        assert_eq!(text.split_whitespace().count(), 60);
    }
}

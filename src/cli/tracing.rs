//! `trace` and `explain`: one replication told event by event, or its worst incident
//! as a timeline.

use std::io::Write;
use std::ops::ControlFlow;

use bigvsim::experiment::{RunFailure, Study, Workers, Workload};
use bigvsim::report::{self, trace};
use bigvsim::scenario::{self, LoadedModel};

use super::checks::{check_paths, check_sets, fit};
use super::{Failure, TraceFilterArgs, command_line, load, run_failure};

pub(super) fn cmd_trace(
    path: &str,
    seed: u64,
    replication: u64,
    limit: Option<u64>,
    sets: &[String],
    filter: &TraceFilterArgs,
) -> Result<(), Failure> {
    if limit == Some(0) {
        return Err(Failure::input("--limit must be at least 1 line"));
    }
    check_paths("the model file", [&path.to_string()])?;
    check_sets(sets)?;
    let m = load(path, sets)?;
    let filter = trace_filter(&m.scenario, filter)?;
    // A trace is one replication on one thread.
    fit(
        &[(&m, sets.to_vec())],
        Workers::Explicit(1),
        &Workload::batch(1),
    )?;
    let sc = &m.scenario;
    let mut platform = bigvsim::model::Platform::new(sc, Default::default());
    let notes = platform.record_notes();
    // Each VM's head before the run; the tracer moves VMs as the migrations' notes
    // tell, to name the head of a line about a VM.
    let heads: Vec<u32> = (0..sc.site.vms() as u32)
        .map(|vm| platform.head_of(vm))
        .collect();
    let mut tracer = trace::Tracer::new(filter, heads);
    let out = std::io::stdout();
    let mut lines = trace::TraceLines::new(
        std::io::BufWriter::new(out.lock()),
        limit.unwrap_or(u64::MAX),
    );
    let mut n = 0u64;
    // `--limit` ends the trace, not the model: the model's own event limit still
    // applies, so a runaway is reported the same way with or without `--limit`. A
    // failed write ends it too, since nobody reads the rest.
    let write_notes = |tracer: &mut trace::Tracer, lines: &mut trace::TraceLines<_>, n: u64| {
        notes.drain(|t, note| {
            lines.put(tracer.note_line(n, t, note));
        });
    };
    let result = platform.run_until(seed, replication, |t, e| {
        // The notes of the previous event come before this event's line.
        write_notes(&mut tracer, &mut lines, n);
        n += 1;
        lines.put(tracer.event_line(n, t, e));
        if lines.done() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    write_notes(&mut tracer, &mut lines, n);
    let mut write_error = lines.error.take();
    if let Err(err) = lines.out.flush() {
        write_error.get_or_insert(err);
    }
    match write_error {
        // The reader went away (`trace | head`): stop quietly, as other Unix tools do.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Some(e) => return Err(Failure::run(format!("cannot write the output: {e}"))),
        None => {}
    }
    result.map(|_| ()).map_err(|error| {
        run_failure(&RunFailure {
            path: path.to_string(),
            error: bigvsim::experiment::ReplicationError {
                seed,
                replication,
                error,
            },
        })
    })
}

/// Each design's worst incident of replication 0, for report.md, from the models the
/// study ran (`models`), or for a merge from each design's model file read again with
/// the study's overrides. A design left out is said on stderr, where the user looks.
pub(super) fn explain(s: &Study, models: Option<&[LoadedModel]>) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (k, (info, _)) in s.designs.iter().enumerate() {
        let scenario = match models {
            Some(ms) => Ok(ms[k].scenario.clone()),
            None => scenario::load(&info.path, &s.overrides)
                .map(|m| m.scenario)
                .map_err(|e| e.to_string()),
        };
        let lines = scenario.and_then(|sc| {
            report::explain::explain_replication(&sc, s.seed, 0).map_err(|e| e.to_string())
        });
        match lines {
            Ok(lines) => out.push((info.name.clone(), lines)),
            Err(e) => eprintln!(
                "note: report.md leaves out the worst-incident timeline of {}: {e}",
                info.name
            ),
        }
    }
    out
}

/// The trace filter from its arguments for a trace of `sc`; an unknown name, a bad
/// time or a filter that can select nothing is bad input.
fn trace_filter(
    sc: &bigvsim::scenario::Scenario,
    a: &TraceFilterArgs,
) -> Result<trace::TraceFilter, Failure> {
    trace::TraceFilter::parse(
        sc,
        a.head,
        a.vm,
        &a.events,
        a.from.as_deref(),
        a.to.as_deref(),
    )
    .map_err(Failure::input)
}

pub(super) fn cmd_explain(
    path: &str,
    seed: u64,
    replication: u64,
    sets: &[String],
) -> Result<(), Failure> {
    check_sets(sets)?;
    let m = load(path, sets)?;
    let lines = bigvsim::report::explain::explain_replication(&m.scenario, seed, replication)
        .map_err(|e| {
            Failure::run(format!(
                "{path}: seed {seed}, replication {replication}: {e}\n  reproduce with: {}",
                command_line()
            ))
        })?;
    // A closed pipe (`| head`) ends the output quietly.
    let mut out = std::io::stdout().lock();
    for l in lines {
        if writeln!(out, "{l}").is_err() {
            break;
        }
    }
    Ok(())
}

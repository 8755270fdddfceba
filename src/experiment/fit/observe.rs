//! What monitoring would have shown of one simulated incident: the worst incident's
//! VMs up, sampled at a fixed interval from its first death, and the metrics an
//! observation file may hold. `bigvsim observe` writes it in the observation format,
//! so a simulated incident can be fitted like a real one.

use crate::engine::{EngineError, Micros, US_PER_S};
use crate::metrics::{RunMetrics, SeriesPoint};
use crate::model::{Platform, RunOptions};
use crate::scenario::Scenario;

/// One replication's worst incident as monitoring samples it.
#[derive(Clone, Debug, PartialEq)]
pub struct Monitored {
    /// The model's VMs.
    pub vms: u64,
    /// (seconds since the first death, VMs up), every `every` from 0 until the last
    /// affected VM ran again (that instant included); empty when no VM went down.
    pub curve: Vec<(f64, u64)>,
    pub metrics: RunMetrics,
}

/// VMs down at `t_us` in a step series: the last point at or before it.
fn down_at(points: &[SeriesPoint], t_us: Micros) -> u64 {
    match points.partition_point(|p| p.since_start_us <= t_us) {
        0 => 0,
        i => points[i - 1].vms_down as u64,
    }
}

/// Replication `rep` of `sc` under `seed`, sampled every `every_us` (at least 1).
pub fn monitor(
    sc: &Scenario,
    seed: u64,
    rep: u64,
    every_us: Micros,
) -> Result<Monitored, EngineError> {
    let mut platform = Platform::new(sc, RunOptions::default());
    let metrics = platform.run(seed, rep)?;
    let rec = platform.recorder();
    let vms = sc.site.vms();
    let mut curve = Vec::new();
    if let Some(w) = rec.worst_incident() {
        let points = rec.worst_series();
        let end = w.end_us - w.start_us;
        let every = every_us.max(1);
        let mut t = 0;
        loop {
            let at = t.min(end);
            curve.push((
                at as f64 / US_PER_S as f64,
                vms - down_at(points, at).min(vms),
            ));
            if at == end {
                break;
            }
            t += every;
        }
        // The incident ends when its last VM runs again.
        if let Some(last) = curve.last_mut()
            && w.recovered
        {
            last.1 = vms;
        }
    }
    Ok(Monitored {
        vms,
        curve,
        metrics,
    })
}

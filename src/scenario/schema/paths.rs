//! Every path `--set` accepts, worked out from the schema alone.

use super::{BROKER, DISTRIBUTIONS, FAULTS, FIELDS, Kind, Param, SET_PATHS, field};

/// Every path `--set` accepts, from the schema: its fields, then the parameters of
/// every distribution-valued field (`brain.boot_time.mean`), the broker's fields and
/// the faults' (`faults[i].duration.mean`).
pub fn settable_paths() -> Vec<String> {
    let mut dist_params: Vec<&str> = Vec::new();
    for p in DISTRIBUTIONS.iter().flat_map(|v| v.params) {
        if !p.name.is_empty() && !dist_params.contains(&p.name) {
            dist_params.push(p.name);
        }
    }
    let below_dist = |path: &str, out: &mut Vec<String>| {
        for p in &dist_params {
            out.push(format!("{path}.{p}"));
        }
    };
    let mut out: Vec<String> = SET_PATHS.iter().map(|p| p.to_string()).collect();
    for field in FIELDS.iter().filter(|f| f.kind == Kind::Dist) {
        below_dist(field.path, &mut out);
    }
    let transport = field("design.transport").map_or("", |f| f.path);
    out.push(format!("{transport}.broker"));
    for p in BROKER {
        let path = format!("{transport}.broker.{}", p.name);
        out.push(path.clone());
        if p.kind == Kind::Dist {
            below_dist(&path, &mut out);
        }
    }
    out.push("faults[i]".to_string());
    let mut fault_params: Vec<&Param> = Vec::new();
    for p in FAULTS.iter().flat_map(|v| v.params) {
        if !fault_params.iter().any(|q| q.name == p.name) {
            fault_params.push(p);
        }
    }
    for p in fault_params {
        let path = format!("faults[i].{}", p.name);
        out.push(path.clone());
        if p.kind == Kind::Dist {
            below_dist(&path, &mut out);
        }
    }
    for name in ["at", "over", "order", "restart_supervisor", "drain"] {
        out.push(format!("changes[i].{name}"));
    }
    out
}

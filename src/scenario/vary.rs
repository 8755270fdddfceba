//! `--vary PATH=LO..HI[:log]`: one range of a sensitivity study given on the command
//! line, checked exactly as a model's `uncertain:` entry is.

use super::raw::{Dur, RawBound, RawScale, RawUncertain};
use super::types::Uncertain;
use super::validate::uncertain;

/// Parses `--vary PATH=LO..HI[:log]` and checks it as a model's `uncertain:` entry
/// would be; errors name the argument.
pub fn parse_vary(arg: &str) -> Result<Uncertain, String> {
    let bad = |why: &str| {
        format!(
            "--vary {arg}: {why}; expected PATH=LO..HI or PATH=LO..HI:log (e.g. brain.boot_slowdown_per_boot_on_site=0..0.06, brain.boot_time.mean=30s..90s)"
        )
    };
    let (path, spec) = arg.split_once('=').ok_or_else(|| bad("no '='"))?;
    let (range, scale) = match spec.rsplit_once(':') {
        Some((range, "log")) => (range, RawScale::Log),
        Some((range, "linear")) => (range, RawScale::Linear),
        Some((_, other)) => return Err(bad(&format!("unknown scale `{other}`"))),
        None => (spec, RawScale::Linear),
    };
    let (lo, hi) = range
        .split_once("..")
        .ok_or_else(|| bad("no `..` between the bounds"))?;
    let bound = |text: &str| -> Result<RawBound, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(bad("a bound is empty"));
        }
        Ok(match text.parse::<f64>() {
            Ok(v) => RawBound::Number(v),
            Err(_) => RawBound::Duration(Dur(text.to_string())),
        })
    };
    let raw = RawUncertain {
        path: path.trim().to_string(),
        range: (bound(lo)?, bound(hi)?),
        scale,
    };
    uncertain::entry("--vary", &raw).map_err(|e| format!("--vary {arg}: {}", e.message))
}

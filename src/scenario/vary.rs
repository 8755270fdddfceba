//! `--vary PATH=LO..HI[:log]`: one range of a sensitivity study given on the command
//! line, checked exactly as a model's `uncertain:` entry is.

use super::raw::{Dur, RawBound, RawUncertain};
use super::types::Scale;
use super::types::Uncertain;
use super::validate::uncertain;

/// Parses `--vary PATH=LO..HI[:log]` and checks it as a model's `uncertain:` entry
/// would be; errors name the argument.
pub fn parse_vary(arg: &str) -> Result<Uncertain, String> {
    parse_range("--vary", arg)
}

/// Parses `PATH=LO..HI[:log]` given to `option` (`--vary`, or `fit`'s `--param`),
/// checked as a model's `uncertain:` entry; errors name the option and the argument.
pub fn parse_range(option: &str, arg: &str) -> Result<Uncertain, String> {
    let bad = |why: &str| {
        format!(
            "{option} {arg}: {why}; expected PATH=LO..HI or PATH=LO..HI:log (e.g. brain.boot_slowdown_per_boot_on_site=0..0.06, brain.boot_time.mean=30s..90s)"
        )
    };
    let (path, spec) = arg.split_once('=').ok_or_else(|| bad("no '='"))?;
    let (range, scale) = match spec.rsplit_once(':') {
        Some((range, "log")) => (range, Scale::Log),
        Some((range, "linear")) => (range, Scale::Linear),
        Some((_, other)) => return Err(bad(&format!("unknown scale `{other}`"))),
        None => (spec, Scale::Linear),
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
    uncertain::entry(option, &raw).map_err(|e| format!("{option} {arg}: {}", e.message))
}

/// A range as a part file records it (`lo`, `hi` in the path's own unit, seconds for
/// a duration when `seconds`; `scale` `linear` or `log`), rebuilt and checked as a
/// model's `uncertain:` entry would be; the error says what is wrong with it.
pub fn recorded_range(
    path: &str,
    lo: f64,
    hi: f64,
    scale: &str,
    seconds: bool,
) -> Result<Uncertain, String> {
    let scale = match scale {
        "linear" => Scale::Linear,
        "log" => Scale::Log,
        other => {
            return Err(format!(
                "`scale` is `{}`: expected `linear` or `log`",
                super::error::printable(other)
            ));
        }
    };
    let raw = |lo: RawBound, hi: RawBound| RawUncertain {
        path: path.to_string(),
        range: (lo, hi),
        scale,
    };
    let micros = |s: f64| RawBound::Duration(Dur(format!("{}us", libm::round(s * 1e6) as u64)));
    let entry = |u: &RawUncertain| uncertain::entry("params", u).map_err(|e| e.message);
    entry(&raw(RawBound::Number(lo), RawBound::Number(hi))).or_else(|e| {
        if seconds && lo >= 0.0 {
            entry(&raw(micros(lo), micros(hi)))
        } else {
            Err(e)
        }
    })
}

//! Observation files: what monitoring saw of a real incident, for `bigvsim fit`.
//!
//! A CSV text in up to two blocks, each opened by its header line (documented in
//! docs/calibrate.md):
//!
//! ```text
//! # comment lines start with '#'; blank lines are ignored
//! t_s,vms_up              (or t_s,vms_down)
//! 0,1999
//! 60,1990
//! metric,value,sd         (the optional block of scalar observations)
//! full_recovery_s,7200,300
//! supervisor_crashes,50,
//! ```
//!
//! The recovery curve counts seconds from the incident's first VM death; times rise
//! strictly and counts are whole numbers. A scalar is any metric bigvsim reports, with
//! an optional standard deviation (its uncertainty). The text is parsed here, with no
//! file access: the caller reads the file and puts its name in front of the
//! `line:column` every error carries.

use crate::metrics::{METRICS, Metric};

/// What the counts of a recovery curve count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// VMs running (`vms_up`): the VMs down are the model's VMs less these.
    Up,
    /// VMs down (`vms_down`).
    Down,
}

/// One sample of a recovery curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// The line of the file it was written on (from 1).
    pub line: usize,
    /// Seconds since the first VM death.
    pub t_s: f64,
    /// VMs up or down, as the header says.
    pub vms: u64,
    /// The column of the count (from 1).
    pub vms_column: usize,
}

/// An observed recovery curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub counted: Counted,
    pub points: Vec<CurvePoint>,
}

/// One scalar observation: a metric's value in the observed incident.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scalar {
    pub line: usize,
    pub metric: Metric,
    pub value: f64,
    /// The observation's standard deviation, in the metric's unit, when given.
    pub sd: Option<f64>,
}

/// What one observation file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub curve: Option<Curve>,
    pub scalars: Vec<Scalar>,
}

/// A problem in an observation file, at a line and column (both from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ObservedError {
    /// The one-line message: `file:line:column: message`.
    pub fn in_file(&self, file: &str) -> String {
        format!("{file}:{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The header of the recovery curve's block, for messages.
const CURVE_HEADERS: &str = "`t_s,vms_up` or `t_s,vms_down`";
/// The header of the scalars' block.
const SCALAR_HEADER: &str = "metric,value,sd";

/// The fields of a line, each with its column (from 1), trimmed.
fn fields(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in text.split(',') {
        let lead = part.len() - part.trim_start().len();
        out.push((start + lead + 1, part.trim()));
        start += part.len() + 1;
    }
    out
}

/// Reads an observation file's text.
pub fn parse_observed(text: &str) -> Result<Observation, ObservedError> {
    #[derive(PartialEq)]
    enum Block {
        Start,
        Curve,
        Scalars,
    }
    let mut block = Block::Start;
    let mut curve: Option<Curve> = None;
    let mut scalars: Vec<Scalar> = Vec::new();
    let mut last_line = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        last_line = line;
        let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let err = |column: usize, message: String| ObservedError {
            line,
            column,
            message,
        };
        let f = fields(raw);
        let names: Vec<&str> = f.iter().map(|(_, t)| *t).collect();
        // A header opens a block.
        match names.as_slice() {
            ["t_s", counted @ ("vms_up" | "vms_down")] => {
                if block != Block::Start {
                    return Err(err(
                        1,
                        "a second recovery curve: one file holds one incident's curve, first \
                         (give another incident its own file)"
                            .into(),
                    ));
                }
                block = Block::Curve;
                curve = Some(Curve {
                    counted: if *counted == "vms_up" {
                        Counted::Up
                    } else {
                        Counted::Down
                    },
                    points: Vec::new(),
                });
                continue;
            }
            ["metric", "value", "sd"] => {
                if block == Block::Scalars {
                    return Err(err(1, format!("a second `{SCALAR_HEADER}` header")));
                }
                block = Block::Scalars;
                continue;
            }
            _ => {}
        }
        match block {
            Block::Start => {
                return Err(err(
                    1,
                    format!(
                        "expected a header line, {CURVE_HEADERS} or `{SCALAR_HEADER}`, found \
                         `{trimmed}`"
                    ),
                ));
            }
            Block::Curve => {
                let [(tc, t), (vc, v)] = f.as_slice() else {
                    return Err(err(
                        1,
                        format!(
                            "{} fields where the curve has 2 (seconds since the first VM \
                             death, VMs): `{trimmed}`",
                            f.len()
                        ),
                    ));
                };
                let t_s = number(t).map_err(|m| err(*tc, format!("t_s {m}")))?;
                if t_s < 0.0 {
                    return Err(err(
                        *tc,
                        format!("t_s = {t} is negative: times count from the first VM death"),
                    ));
                }
                let vms = count(v).map_err(|m| err(*vc, m))?;
                let c = curve.as_mut().expect("the curve block has its curve");
                if let Some(prev) = c.points.last()
                    && t_s <= prev.t_s
                {
                    return Err(err(
                        *tc,
                        format!(
                            "t_s = {t} is not after the previous row's {} (line {}): times \
                             must rise strictly",
                            prev.t_s, prev.line
                        ),
                    ));
                }
                c.points.push(CurvePoint {
                    line,
                    t_s,
                    vms,
                    vms_column: *vc,
                });
            }
            Block::Scalars => {
                let [(mc, m), (vc, v), (sc, sd)] = f.as_slice() else {
                    return Err(err(
                        1,
                        format!(
                            "{} fields where a scalar has 3 (metric, value, sd; sd may be \
                             empty): `{trimmed}`",
                            f.len()
                        ),
                    ));
                };
                let Some(metric) = METRICS.iter().position(|d| d.key == *m) else {
                    let keys: Vec<&str> = METRICS.iter().map(|d| d.key).collect();
                    let hint = super::suggest::nearest(m, &keys)
                        .map_or(String::new(), |k| format!(" (did you mean `{k}`?)"));
                    return Err(err(
                        *mc,
                        format!(
                            "unknown metric `{m}`{hint}: a scalar is a metric bigvsim \
                             reports (`bigvsim run` lists them)"
                        ),
                    ));
                };
                let metric = Metric::ALL[metric];
                if scalars.iter().any(|s| s.metric == metric) {
                    return Err(err(*mc, format!("`{m}` is observed twice")));
                }
                let value = number(v).map_err(|e| err(*vc, format!("value {e}")))?;
                let sd = if sd.is_empty() {
                    None
                } else {
                    let x = number(sd).map_err(|e| err(*sc, format!("sd {e}")))?;
                    if x <= 0.0 {
                        return Err(err(
                            *sc,
                            format!(
                                "sd = {sd} must be above 0 (leave it empty for no uncertainty \
                                 of its own)"
                            ),
                        ));
                    }
                    Some(x)
                };
                scalars.push(Scalar {
                    line,
                    metric,
                    value,
                    sd,
                });
            }
        }
    }
    let empty = |what: &str| ObservedError {
        line: last_line.max(1),
        column: 1,
        message: what.to_string(),
    };
    if let Some(c) = &curve
        && c.points.len() < 2
    {
        return Err(empty(&format!(
            "the recovery curve has {} rows: at least two samples are needed",
            c.points.len()
        )));
    }
    if curve.is_none() && scalars.is_empty() {
        return Err(empty(&format!(
            "no observations: the file needs a recovery curve ({CURVE_HEADERS}, then \
             rows) or scalars (`{SCALAR_HEADER}`, then rows)"
        )));
    }
    Ok(Observation { curve, scalars })
}

/// A finite number.
fn number(t: &str) -> Result<f64, String> {
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ if t.is_empty() => Err("is empty".into()),
        _ => Err(format!("`{t}` is not a finite number")),
    }
}

/// A whole number of VMs, 0 or more.
fn count(t: &str) -> Result<u64, String> {
    if let Ok(n) = t.parse::<u64>() {
        return Ok(n);
    }
    match t.parse::<f64>() {
        Ok(x) if x < 0.0 => Err(format!("{t} VMs: a count cannot be negative")),
        Ok(x) if x.is_finite() && x.fract() != 0.0 => {
            Err(format!("{t} VMs: a count is a whole number"))
        }
        _ => Err(format!("`{t}` is not a count of VMs")),
    }
}

impl Observation {
    /// The curve as (seconds, VMs down) for a model of `model_vms` VMs, refusing a
    /// count above the model's VMs.
    pub fn down_curve(&self, model_vms: u64) -> Result<Option<Vec<(f64, u64)>>, ObservedError> {
        let Some(c) = &self.curve else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(c.points.len());
        for p in &c.points {
            if p.vms > model_vms {
                let what = match c.counted {
                    Counted::Up => "up",
                    Counted::Down => "down",
                };
                return Err(ObservedError {
                    line: p.line,
                    column: p.vms_column,
                    message: format!(
                        "{} VMs {what}, more than the model's {model_vms}: the observation is \
                         of another site, or the model's site.heads × site.vms_per_head is \
                         wrong",
                        p.vms
                    ),
                });
            }
            let down = match c.counted {
                Counted::Up => model_vms - p.vms,
                Counted::Down => p.vms,
            };
            out.push((p.t_s, down));
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curve_and_scalars_parse_with_their_lines() {
        // Comments and blank lines are skipped; the scalars' sd may be empty.
        let o = parse_observed(
            "# York\n\nt_s,vms_up\n0, 10\n60,4\n120,10\nmetric,value,sd\nvm_reboots,10,\nfull_recovery_s,120,5\n",
        )
        .unwrap();
        let c = o.curve.as_ref().unwrap();
        assert_eq!(c.counted, Counted::Up);
        assert_eq!(c.points.len(), 3);
        assert_eq!(c.points[1].line, 5);
        assert_eq!((c.points[1].t_s, c.points[1].vms), (60.0, 4));
        assert_eq!(o.scalars.len(), 2);
        assert_eq!(o.scalars[0].metric, Metric::VmReboots);
        assert_eq!(o.scalars[0].sd, None);
        assert_eq!(o.scalars[1].sd, Some(5.0));
        assert_eq!(
            o.down_curve(10).unwrap().unwrap(),
            vec![(0.0, 0), (60.0, 6), (120.0, 0)]
        );
    }

    #[test]
    fn every_bad_line_is_named_with_its_column() {
        let bad = |text: &str| parse_observed(text).unwrap_err();
        let e = bad("t_s,vms_up\n0,5\n0,6\n");
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("rise strictly"), "{}", e.message);
        let e = bad("t_s,vms_down\n0,-3\n");
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("negative"));
        let e = bad("t_s,vms_down\n0,NaN\n");
        assert!(e.message.contains("not a count"), "{}", e.message);
        let e = bad("t_s,vms_down\nNaN,3\n");
        assert!(e.message.contains("not a finite number"), "{}", e.message);
        let e = bad("time,up\n0,1\n");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("expected a header"));
        let e = bad("t_s,vms_up\n0,1,2\n");
        assert!(e.message.contains("3 fields"));
        let e = bad("metric,value,sd\nfull_recovery,1,\n");
        assert!(
            e.message.contains("did you mean `full_recovery_s`"),
            "{}",
            e.message
        );
        let e = bad("# nothing\n\n");
        assert!(e.message.contains("no observations"));
        let e = bad("t_s,vms_up\n");
        assert!(e.message.contains("0 rows"));
        let o = parse_observed("t_s,vms_up\n0,5\n10,11\n").unwrap();
        let e = o.down_curve(10).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("more than the model's 10"));
    }
}

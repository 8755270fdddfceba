//! Every chart a report holds, in one table: its file name, title, the report.md
//! text that introduces it, the reports that draw it and how its data are drawn
//! from the results. Adding a chart is one row in [`CHARTS`] (and, for a new
//! kind of data, one function below it).

use super::plot::TargetLine;
use super::plot::{self, Bar, BarChart, LineChart, PlotError, Series};
use super::series::{
    BUSY_FRACTION, SweepAxis, TimeUnit, booting, cdf_series, incident_extent, median_band,
    outage_series, queued,
};
use crate::engine::US_PER_S;
use crate::experiment::{Batch, Study, Sweep, point_summaries};
use crate::metrics::{METRICS, Metric};
use crate::scenario::ModelKind;

/// The kinds of report, each with its own set of charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// `run`: one design.
    Run,
    /// `compare`: several designs against the first.
    Compare,
    /// `sweep`: one design at several parameter values.
    Sweep,
}

/// Where a chart's data come from.
#[derive(Clone, Copy)]
pub enum Source {
    /// A run or a comparison; `Err` says why the study has nothing to draw.
    Study(fn(&Study, &str) -> Drawn),
    /// A sweep: the mean and 95 % CI of one metric against the first swept
    /// parameter, one line per combination of the other parameters.
    Sweep(Metric),
}

/// One chart of a report.
pub struct ChartSpec {
    /// File stem: the chart is written as `{key}.png` and `{key}.svg`.
    pub key: &'static str,
    /// Title drawn above the chart, in words. `{design}` stands for the first
    /// design's name, `{incident}` for which incidents the data are (see
    /// [`incident_words`]), `{metric}` for the metric's name in words and `{param}` for
    /// the first swept parameter in words.
    pub title: &'static str,
    /// The image's alternative text in report.md.
    pub alt: &'static str,
    /// The paragraph before the image in report.md; `None` when the chart goes
    /// under the previous chart's paragraph.
    pub caption: Option<&'static str>,
    /// The reports that draw this chart.
    pub kinds: &'static [ReportKind],
    /// How the chart is drawn from the results.
    pub source: Source,
    /// A horizontal target line to draw, when one is given (none today).
    pub target: Option<Target>,
}

/// A target drawn across a chart: a value of the charted metric, in the metric's
/// unit, and its label.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub value: f64,
    pub label: &'static str,
}

const STUDIES: &[ReportKind] = &[ReportKind::Run, ReportKind::Compare];
const SWEEPS: &[ReportKind] = &[ReportKind::Sweep];

/// Every chart, in the order report.md shows them.
pub const CHARTS: &[ChartSpec] = &[
    ChartSpec {
        key: "recovery",
        title: "Recovery: VMs down from the start of the {incident} (median, 10–90 % band)",
        alt: "recovery",
        caption: Some(
            "Recovery curve: VMs down over time from the start of each replication's worst site-wide incident (at least `metrics.site_fraction` of the VMs down at once), not its longest one, which over a year is usually one head's hardware repair.",
        ),
        kinds: STUDIES,
        target: None,
        source: Source::Study(recovery),
    },
    ChartSpec {
        key: "reboot_queue",
        title: "VMs waiting in the reboot queue during the {incident} ({design}, median, 10–90 % band)",
        alt: "reboot queue",
        caption: Some(
            "Reboot queue: VMs waiting (top) and boots in flight (bottom, on its own scale) during the same incidents.",
        ),
        kinds: STUDIES,
        target: None,
        source: Source::Study(reboot_queue),
    },
    ChartSpec {
        key: "outage_cdf",
        title: "VM outage durations: cumulative distribution over all replications",
        alt: "outage CDF",
        caption: Some(
            "VM outage durations over all replications (a design whose curve coincides with an earlier one is drawn dashed and marked \"same as\" in the legend).",
        ),
        kinds: STUDIES,
        target: None,
        source: Source::Study(outage_cdf),
    },
    ChartSpec {
        key: "head_incidents",
        title: "Incidents smaller than site-wide: how long they lasted, over all replications",
        alt: "head-level incident durations",
        caption: Some(
            "Incidents that were not site-wide (typically one head's supervisor crash or hardware repair): the cumulative distribution of their durations, from the first VM down to the last one back. They are kept off the recovery plot, which they would otherwise dominate.",
        ),
        kinds: STUDIES,
        target: None,
        source: Source::Study(head_incidents),
    },
    ChartSpec {
        key: "availability",
        title: "VM availability per design, mean with 95 % CI",
        alt: "availability",
        caption: Some("Availability and downtime per design, with 95 % confidence intervals."),
        kinds: STUDIES,
        target: None,
        source: Source::Study(availability),
    },
    ChartSpec {
        key: "downtime",
        title: "Downtime per VM-year per design, mean with 95 % CI",
        alt: "downtime",
        caption: None,
        kinds: STUDIES,
        target: None,
        source: Source::Study(downtime),
    },
    sweep_chart("sweep_full_recovery_s", Metric::FullRecoveryS),
    sweep_chart(
        "sweep_downtime_min_per_vm_year",
        Metric::DowntimeMinPerVmYear,
    ),
    sweep_chart("sweep_vm_availability", Metric::VmAvailability),
    sweep_chart("sweep_vm_outage_p99_s", Metric::VmOutageP99S),
    sweep_chart("sweep_control_recovery_s", Metric::ControlRecoveryS),
];

/// The metrics that are rates over a period of operation.
const RATE_METRICS: &[Metric] = &[Metric::DowntimeMinPerVmYear, Metric::VmAvailability];

/// A sweep chart: named `sweep_{metric key}` (a test checks the name), shown
/// without a caption under its own name.
const fn sweep_chart(key: &'static str, m: Metric) -> ChartSpec {
    ChartSpec {
        key,
        title: "{metric} vs {param} (mean, 95 % CI band)",
        alt: key,
        caption: None,
        kinds: SWEEPS,
        source: Source::Sweep(m),
        target: None,
    }
}

/// The charts of one kind of report, in report order.
pub fn charts_for(kind: ReportKind) -> impl Iterator<Item = &'static ChartSpec> {
    CHARTS.iter().filter(move |c| c.kinds.contains(&kind))
}

/// A drawn chart, or why there is nothing worth drawing ("every design has 0 …").
pub type Drawn = Result<Chart, String>;

/// A drawn chart, ready to render.
pub enum Chart {
    Line(LineChart),
    /// Line charts stacked top to bottom.
    Panels(Vec<LineChart>),
    Bar(BarChart),
}

impl Chart {
    /// The chart, or why it says nothing the text does not: no data, or one value
    /// everywhere (see [`plot::line_blank`]).
    pub fn worth_drawing(self) -> Drawn {
        let blank = match &self {
            Chart::Line(c) => plot::line_blank(c),
            Chart::Panels(p) => p
                .iter()
                .map(plot::line_blank)
                .find(Option::is_some)
                .flatten(),
            Chart::Bar(c) => plot::bar_blank(c),
        };
        match blank {
            Some(why) => Err(why),
            None => Ok(self),
        }
    }

    /// The chart as PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>, PlotError> {
        match self {
            Chart::Line(c) => plot::line_chart_png(c),
            Chart::Panels(c) => plot::panels_png(c),
            Chart::Bar(c) => plot::bar_chart_png(c),
        }
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, PlotError> {
        match self {
            Chart::Line(c) => plot::line_chart_svg(c),
            Chart::Panels(c) => plot::panels_svg(c),
            Chart::Bar(c) => plot::bar_chart_svg(c),
        }
    }
}

impl ChartSpec {
    /// Draws this chart from a run's or a comparison's results; `Err` says why
    /// it has nothing worth drawing.
    pub fn draw_study(&self, study: &Study) -> Drawn {
        self.fits_kind(study.designs.iter().map(|(_, b)| b))?;
        match self.source {
            Source::Study(draw) => draw(study, self.title)
                .and_then(Chart::worth_drawing)
                .map(|c| self.with_target(c)),
            Source::Sweep(_) => Err("not a chart of a run or a comparison".into()),
        }
    }

    /// Draws this chart from a sweep; `Err` says why it has nothing worth drawing.
    pub fn draw_sweep(&self, sw: &Sweep) -> Drawn {
        self.fits_kind(sw.points.iter().map(|(_, b)| b))?;
        match self.source {
            Source::Sweep(m) => sweep_line(sw, m, self.title)
                .and_then(Chart::worth_drawing)
                .map(|c| self.with_target(c)),
            Source::Study(_) => Err("not a chart of a sweep".into()),
        }
    }

    /// Whether this chart means something for the model's kind: per-year rates and
    /// availability say little about one incident, so an incident model's report
    /// leaves their charts out (its text and JSON still carry the numbers).
    fn fits_kind<'a>(&self, mut batches: impl Iterator<Item = &'a Batch>) -> Result<(), String> {
        let rate = match self.source {
            Source::Sweep(m) => RATE_METRICS.contains(&m),
            Source::Study(_) => matches!(self.key, "availability" | "downtime"),
        };
        if rate && batches.all(|b| b.kind == ModelKind::Incident) {
            return Err("an incident model: per-year rates and availability say little about one incident (the numbers are in metrics.json)".into());
        }
        Ok(())
    }

    /// Adds this chart's target line, if any, to a drawn line chart.
    fn with_target(&self, chart: Chart) -> Chart {
        match (chart, self.target) {
            (Chart::Line(mut c), Some(t)) => {
                c.target = Some(TargetLine {
                    y: t.value,
                    label: t.label.to_string(),
                });
                Chart::Line(c)
            }
            (chart, _) => chart,
        }
    }
}

/// The x axis of incident charts, in `unit`.
fn incident_time(unit: TimeUnit) -> String {
    format!("time since the incident started ({})", unit.name)
}

/// Which incidents the incident charts show, in words, from the data: each
/// replication's worst site-wide incident, or its worst incident where it had no
/// site-wide one.
fn incident_words(study: &Study) -> &'static str {
    let site: Vec<bool> = study
        .designs
        .iter()
        .flat_map(|(_, b)| b.values(Metric::SiteIncidents))
        .map(|v| v > 0.0)
        .collect();
    if site.iter().all(|s| *s) {
        "worst site-wide incident"
    } else if site.iter().any(|s| *s) {
        "worst incident (site-wide where there was one)"
    } else {
        "worst incident (none was site-wide)"
    }
}

/// The time axis of the incident charts: its unit, where it ends, and the note
/// saying so when it ends before the longest incident does (see
/// [`IncidentExtent`]): only when the cut gains much, a quarter of the axis.
fn incident_axis<'a>(batches: impl Iterator<Item = &'a Batch>) -> (TimeUnit, f64, Vec<String>) {
    let Some(e) = incident_extent(batches) else {
        return (TimeUnit::for_max(0.0, false), 0.0, Vec::new());
    };
    let end = (e.busy_s * 1.1).max(e.span_s / 100.0);
    if end >= 0.75 * e.span_s {
        return (TimeUnit::for_max(e.span_s, false), e.span_s, Vec::new());
    }
    let unit = TimeUnit::for_max(end, false);
    let long = TimeUnit::for_max(e.span_s, false);
    let num = crate::metrics::format::fmt_compact;
    let note = format!(
        "time axis cut at {} {}: after it, under {} % of the peak stays down (at most {} VMs in 90 % of replications); the longest incident ran {} {}",
        num(end / unit.secs),
        unit.name,
        num(100.0 * BUSY_FRACTION),
        num(e.tail_vms.ceil()),
        num(e.span_s / long.secs),
        long.name
    );
    (unit, end, vec![note])
}

fn recovery(study: &Study, title: &str) -> Drawn {
    let (unit, end, notes) = incident_axis(study.designs.iter().map(|(_, b)| b));
    let series: Vec<Series> = study
        .designs
        .iter()
        .filter_map(|(info, b)| median_band(b, &info.name, unit, Some(end), |p| p.vms_down))
        .collect();
    if series.is_empty() {
        return Err("no replication of any design had an incident".into());
    }
    Ok(Chart::Line(LineChart {
        title: title.replace("{incident}", incident_words(study)),
        x_label: incident_time(unit),
        y_label: "VMs down".into(),
        series,
        y_from_zero: true,
        notes,
        ..Default::default()
    }))
}

/// The reboot queue of the first design only: several designs' queues on one
/// chart would be unreadable. VMs waiting (thousands) and boots in flight (tens)
/// get a panel each, since on one axis the boots would be a flat line. A panel
/// with nothing worth drawing is left out, and the other says so.
fn reboot_queue(study: &Study, title: &str) -> Drawn {
    let (info, b) = study.designs.first().ok_or("no design")?;
    let (unit, end, notes) = incident_axis(std::iter::once(b));
    let panel = |title: String, y_label: &str, s: Option<Series>| LineChart {
        title,
        x_label: incident_time(unit),
        y_label: y_label.into(),
        series: s.into_iter().collect(),
        y_from_zero: true,
        ..Default::default()
    };
    let title = title
        .replace("{design}", &info.name)
        .replace("{incident}", incident_words(study));
    let panels = [
        panel(
            title.clone(),
            "VMs waiting",
            median_band(b, "waiting in the reboot queue", unit, Some(end), queued),
        ),
        panel(
            "Boots in flight (same incidents)".into(),
            "boots in flight",
            median_band(b, "boots in flight", unit, Some(end), booting),
        ),
    ];
    let mut dropped = Vec::new();
    let mut kept: Vec<LineChart> = Vec::new();
    for p in panels {
        match plot::line_blank(&p) {
            Some(why) => dropped.push(format!("{} not drawn: {why}", p.y_label)),
            None => kept.push(p),
        }
    }
    let Some(first) = kept.first_mut() else {
        return Err(dropped.join("; "));
    };
    first.title = title;
    first.notes = notes.into_iter().chain(dropped).collect();
    Ok(if kept.len() == 1 {
        Chart::Line(kept.remove(0))
    } else {
        Chart::Panels(kept)
    })
}

fn outage_cdf(study: &Study, title: &str) -> Drawn {
    let longest_us = study
        .designs
        .iter()
        .filter(|(_, b)| b.outage_histogram.count() > 0)
        .map(|(_, b)| b.outage_histogram.max_us())
        .max()
        .unwrap_or(0);
    if longest_us == 0 {
        return Err("no design had a VM outage".into());
    }
    let unit = TimeUnit::for_max(longest_us as f64 / US_PER_S as f64, false);
    Ok(Chart::Line(LineChart {
        title: title.into(),
        x_label: format!("outage duration ({}, log scale)", unit.name),
        y_label: "fraction of VM outages ≤ duration".into(),
        series: study
            .designs
            .iter()
            .filter(|(_, b)| b.outage_histogram.count() > 0)
            .map(|(info, b)| outage_series(b, &info.name, unit))
            .collect(),
        y_from_zero: true,
        x_log: true,
        ..Default::default()
    }))
}

/// The durations of the incidents that were not site-wide; `Err` when no design had
/// one (a chart of nothing would suggest there is something to see).
fn head_incidents(study: &Study, title: &str) -> Drawn {
    let with = || {
        study
            .designs
            .iter()
            .filter(|(_, b)| b.head_incident_histogram.count() > 0)
    };
    let longest_us = with()
        .map(|(_, b)| b.head_incident_histogram.max_us())
        .max()
        .ok_or("no design had an incident smaller than site-wide")?;
    let unit = TimeUnit::for_max(longest_us as f64 / US_PER_S as f64, false);
    Ok(Chart::Line(LineChart {
        title: title.into(),
        x_label: format!("incident duration ({}, log scale)", unit.name),
        y_label: "fraction of these incidents ≤ duration".into(),
        series: with()
            .map(|(info, b)| cdf_series(&b.head_incident_histogram, &info.name, unit))
            .collect(),
        y_from_zero: true,
        x_log: true,
        ..Default::default()
    }))
}

/// One row per design: the mean of metric `m` with its 95 % CI.
fn metric_bars(study: &Study, m: Metric, title: &str) -> Chart {
    let d = &METRICS[m as usize];
    Chart::Bar(BarChart {
        title: title.replace("{metric}", metric_words(m)),
        y_label: format!("{} ({})", metric_words(m), d.unit),
        bars: study
            .designs
            .iter()
            .map(|(info, b)| {
                let s = b.summary(m);
                Bar {
                    label: info.name.clone(),
                    value: s.mean,
                    ci95: (s.ci95_lo, s.ci95_hi),
                }
            })
            .collect(),
        axis: None,
    })
}

fn availability(study: &Study, title: &str) -> Drawn {
    Ok(metric_bars(study, Metric::VmAvailability, title))
}

fn downtime(study: &Study, title: &str) -> Drawn {
    Ok(metric_bars(study, Metric::DowntimeMinPerVmYear, title))
}

/// A charted metric's name in words, for titles and axes.
fn metric_words(m: Metric) -> &'static str {
    match m {
        Metric::VmAvailability => "VM availability",
        Metric::DowntimeMinPerVmYear => "downtime per VM-year",
        Metric::FullRecoveryS => "full recovery time",
        Metric::VmOutageP99S => "99th percentile VM outage",
        Metric::ControlRecoveryS => "control recovery time",
        _ => METRICS[m as usize].description,
    }
}

/// A `--param` path in words: its last field, with spaces for underscores
/// (`brain.reboot_concurrency` is "reboot concurrency").
fn param_words(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.replace('_', " ")
}

/// Capitalises the first letter, for a title that starts with a metric's name.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Metric `m` against the first swept parameter: one line (with its CI band) per
/// combination of the other parameters, with a marker at each grid point (the
/// lines between them only guide the eye), hollow where the horizon cut some
/// replication's value. Times in seconds are shown in minutes or hours when long;
/// the x axis is as [`SweepAxis`] chooses.
fn sweep_line(sw: &Sweep, m: Metric, title: &str) -> Drawn {
    let axis = SweepAxis::of(sw);
    let d = &METRICS[m as usize];
    let summaries: Vec<_> = sw
        .points
        .iter()
        .map(|(_, batch)| point_summaries(batch)[m as usize])
        .collect();
    let (scale, unit) = if d.unit == "s" {
        let max = summaries
            .iter()
            .map(|s| s.ci95_hi.max(s.mean))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let u = TimeUnit::for_max(max, true);
        (u.secs, u.name)
    } else {
        (1.0, d.unit)
    };
    let mut series: Vec<Series> = Vec::new();
    for (((values, batch), &x), s) in sw.points.iter().zip(&axis.xs).zip(&summaries) {
        let label = if values.len() > 1 {
            sw.params[1..]
                .iter()
                .zip(&values[1..])
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            d.key.to_string()
        };
        let idx = match series.iter().position(|s| s.label == label) {
            Some(i) => i,
            None => {
                series.push(Series {
                    label,
                    points: Vec::new(),
                    band: Some(Vec::new()),
                    hollow: Vec::new(),
                });
                series.len() - 1
            }
        };
        let cut = batch.censored(m) > 0;
        let line = &mut series[idx];
        line.points.push((x, s.mean / scale));
        line.hollow.push(cut);
        if let Some(b) = &mut line.band {
            b.push((x, s.ci95_lo / scale, s.ci95_hi / scale));
        }
    }
    for line in &mut series {
        if !line.hollow.contains(&true) {
            line.hollow.clear();
        }
    }
    Ok(Chart::Line(LineChart {
        title: title
            .replace("{metric}", &sentence(metric_words(m)))
            .replace("{param}", &param_words(sw.params.first().map_or("", |p| p))),
        x_label: axis.label,
        y_label: format!("{} ({unit})", metric_words(m)),
        series,
        y_from_zero: m != Metric::VmAvailability,
        markers: true,
        x_log: axis.log,
        x_categories: axis.categories,
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_table_is_consistent() {
        // File names are unique, each chart belongs to reports that can draw it, and a
        // sweep chart is named after its metric (its file names are part of the output).
        let mut keys: Vec<&str> = CHARTS.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), CHARTS.len(), "duplicate chart key");
        for c in CHARTS {
            assert!(!c.kinds.is_empty(), "{} is drawn by no report", c.key);
            match c.source {
                Source::Study(_) => assert!(!c.kinds.contains(&ReportKind::Sweep), "{}", c.key),
                Source::Sweep(m) => {
                    assert_eq!(c.kinds, SWEEPS, "{}", c.key);
                    assert_eq!(c.key, format!("sweep_{}", METRICS[m as usize].key));
                }
            }
        }
        let study: Vec<&str> = charts_for(ReportKind::Compare).map(|c| c.key).collect();
        assert_eq!(
            study,
            [
                "recovery",
                "reboot_queue",
                "outage_cdf",
                "head_incidents",
                "availability",
                "downtime"
            ]
        );
    }
}

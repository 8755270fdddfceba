//! Every chart a report holds, in one table: its file name, title, the report.md
//! text that introduces it, the reports that draw it and how its data are drawn
//! from the results. Adding a chart is one row in [`CHARTS`] (and, for a new
//! kind of data, one function below it).

use super::plot::{self, Bar, BarChart, LineChart, PlotError, Series};
use super::series::{median_band, outage_series};
use crate::experiment::{Study, Sweep, point_summaries};
use crate::metrics::{METRICS, Metric};

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
    /// A run or a comparison; `None` when the study has nothing to draw.
    Study(fn(&Study, &str) -> Option<Chart>),
    /// A sweep: the mean and 95 % CI of one metric against the first swept
    /// parameter, one line per combination of the other parameters.
    Sweep(Metric),
}

/// One chart of a report.
pub struct ChartSpec {
    /// File stem: the chart is written as `{key}.png` and `{key}.svg`.
    pub key: &'static str,
    /// Title drawn above the chart. `{design}` stands for the first design's name,
    /// `{metric}` for the metric's key and `{param}` for the first swept parameter.
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
}

const STUDIES: &[ReportKind] = &[ReportKind::Run, ReportKind::Compare];
const SWEEPS: &[ReportKind] = &[ReportKind::Sweep];

/// Every chart, in the order report.md shows them.
pub const CHARTS: &[ChartSpec] = &[
    ChartSpec {
        key: "recovery",
        title: "Recovery: VMs down from the start of the worst incident (median, 10–90 % band)",
        alt: "recovery",
        caption: Some(
            "Recovery curve: VMs down over time from the start of each replication's worst incident.",
        ),
        kinds: STUDIES,
        source: Source::Study(recovery),
    },
    ChartSpec {
        key: "reboot_queue",
        title: "Reboot queue during the worst incident ({design}, median, 10–90 % band)",
        alt: "reboot queue",
        caption: Some("Reboot queue: VMs waiting and boots in flight during the worst incident."),
        kinds: STUDIES,
        source: Source::Study(reboot_queue),
    },
    ChartSpec {
        key: "outage_cdf",
        title: "VM outage durations: cumulative distribution over all replications",
        alt: "outage CDF",
        caption: Some(
            "VM outage durations over all replications (designs with identical outages draw over each other; the last listed is on top).",
        ),
        kinds: STUDIES,
        source: Source::Study(outage_cdf),
    },
    ChartSpec {
        key: "availability",
        title: "{metric} per design, mean with 95 % CI",
        alt: "availability",
        caption: Some("Availability and downtime per design, with 95 % confidence intervals."),
        kinds: STUDIES,
        source: Source::Study(availability),
    },
    ChartSpec {
        key: "downtime",
        title: "{metric} per design, mean with 95 % CI",
        alt: "downtime",
        caption: None,
        kinds: STUDIES,
        source: Source::Study(downtime),
    },
    sweep_chart("sweep_full_recovery_s", Metric::FullRecoveryS),
    sweep_chart(
        "sweep_downtime_min_per_vm_year",
        Metric::DowntimeMinPerVmYear,
    ),
    sweep_chart("sweep_vm_availability", Metric::VmAvailability),
    sweep_chart("sweep_vm_outage_p99_s", Metric::VmOutageP99S),
];

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
    }
}

/// The charts of one kind of report, in report order.
pub fn charts_for(kind: ReportKind) -> impl Iterator<Item = &'static ChartSpec> {
    CHARTS.iter().filter(move |c| c.kinds.contains(&kind))
}

/// A drawn chart, ready to render.
pub enum Chart {
    Line(LineChart),
    Bar(BarChart),
}

impl Chart {
    /// The chart as PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>, PlotError> {
        match self {
            Chart::Line(c) => plot::line_chart_png(c),
            Chart::Bar(c) => plot::bar_chart_png(c),
        }
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, PlotError> {
        match self {
            Chart::Line(c) => plot::line_chart_svg(c),
            Chart::Bar(c) => plot::bar_chart_svg(c),
        }
    }
}

impl ChartSpec {
    /// Draws this chart from a run's or a comparison's results; `None` when it
    /// has nothing to draw or is a sweep chart.
    pub fn draw_study(&self, study: &Study) -> Option<Chart> {
        match self.source {
            Source::Study(draw) => draw(study, self.title),
            Source::Sweep(_) => None,
        }
    }

    /// Draws this chart from a sweep; `None` when the first swept parameter is not
    /// numeric (there is no x axis) or this is not a sweep chart.
    pub fn draw_sweep(&self, sw: &Sweep) -> Option<Chart> {
        match self.source {
            Source::Sweep(m) => sweep_line(sw, m, self.title),
            Source::Study(_) => None,
        }
    }
}

const INCIDENT_TIME: &str = "time since the incident started (min)";

fn recovery(study: &Study, title: &str) -> Option<Chart> {
    Some(Chart::Line(LineChart {
        title: title.into(),
        x_label: INCIDENT_TIME.into(),
        y_label: "VMs down".into(),
        series: study
            .designs
            .iter()
            .filter_map(|(info, b)| median_band(b, &info.name, |p| p.vms_down))
            .collect(),
        y_from_zero: true,
        x_log: false,
    }))
}

/// The reboot queue of the first design only: several designs' queues on one
/// chart would be unreadable.
fn reboot_queue(study: &Study, title: &str) -> Option<Chart> {
    let (info, b) = study.designs.first()?;
    Some(Chart::Line(LineChart {
        title: title.replace("{design}", &info.name),
        x_label: INCIDENT_TIME.into(),
        y_label: "VMs".into(),
        series: [
            median_band(b, "waiting in the reboot queue", |p| p.queued),
            median_band(b, "boots in flight", |p| p.booting),
        ]
        .into_iter()
        .flatten()
        .collect(),
        y_from_zero: true,
        x_log: false,
    }))
}

fn outage_cdf(study: &Study, title: &str) -> Option<Chart> {
    Some(Chart::Line(LineChart {
        title: title.into(),
        x_label: "outage duration (min, log scale)".into(),
        y_label: "fraction of VM outages ≤ duration".into(),
        series: study
            .designs
            .iter()
            .filter(|(_, b)| b.outage_histogram.count() > 0)
            .map(|(info, b)| outage_series(b, &info.name))
            .collect(),
        y_from_zero: true,
        x_log: true,
    }))
}

/// One row per design: the mean of metric `m` with its 95 % CI.
fn metric_bars(study: &Study, m: Metric, title: &str) -> Chart {
    let d = &METRICS[m as usize];
    Chart::Bar(BarChart {
        title: title.replace("{metric}", d.key),
        y_label: format!("{} ({})", d.key, d.unit),
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
    })
}

fn availability(study: &Study, title: &str) -> Option<Chart> {
    Some(metric_bars(study, Metric::VmAvailability, title))
}

fn downtime(study: &Study, title: &str) -> Option<Chart> {
    Some(metric_bars(study, Metric::DowntimeMinPerVmYear, title))
}

/// Metric `m` against the first swept parameter: one line (with its CI band) per
/// combination of the other parameters.
fn sweep_line(sw: &Sweep, m: Metric, title: &str) -> Option<Chart> {
    let xs: Vec<f64> = sw
        .points
        .iter()
        .map(|(v, _)| v.first().and_then(|x| x.parse::<f64>().ok()))
        .collect::<Option<_>>()?;
    let d = &METRICS[m as usize];
    let x_name = sw.params.first().cloned().unwrap_or_default();
    let mut series: Vec<Series> = Vec::new();
    for ((values, batch), &x) in sw.points.iter().zip(&xs) {
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
        let s = point_summaries(batch)[m as usize];
        let idx = match series.iter().position(|s| s.label == label) {
            Some(i) => i,
            None => {
                series.push(Series {
                    label,
                    points: Vec::new(),
                    band: Some(Vec::new()),
                });
                series.len() - 1
            }
        };
        series[idx].points.push((x, s.mean));
        if let Some(b) = &mut series[idx].band {
            b.push((x, s.ci95_lo, s.ci95_hi));
        }
    }
    Some(Chart::Line(LineChart {
        title: title.replace("{metric}", d.key).replace("{param}", &x_name),
        x_label: x_name,
        y_label: format!("{} ({})", d.key, d.unit),
        series,
        y_from_zero: m != Metric::VmAvailability,
        x_log: false,
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
                "availability",
                "downtime"
            ]
        );
    }
}

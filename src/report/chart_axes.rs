//! Every chart function the reports use, drawn from real (small) studies and checked
//! against its layout, without rendering: the drawn ranges hold every point, a
//! linear axis is not much wider than the data (and 0), a fixed axis marks what it
//! cuts, categories and log scales come where the values call for them, and a chart
//! not worth drawing says why.

use super::charts::{Chart, ReportKind, charts_for};
use super::plot::{BarChart, HEIGHT, LineChart, WIDTH, XScale, line_layout, row_layout};
use super::target_charts::{study_target_charts, sweep_target_charts};
use crate::experiment::{Study, StudyKind, StudyPlan, Sweep, run_study};
use crate::scenario::load;
use crate::scenario::target::Target;

/// How much wider than its data (with 0, where the axis shows it) a linear axis may be.
const SLACK: f64 = 1.1;

fn study(paths: &[&str], sets: &[&str], reps: u64) -> Study {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let models: Vec<_> = paths.iter().map(|p| load(p, &sets).unwrap()).collect();
    let plan = StudyPlan {
        kind: if paths.len() == 1 {
            StudyKind::Run
        } else {
            StudyKind::Compare
        },
        seed: 1,
        replications: reps,
        shard: None,
        independent_seeds: false,
        overrides: sets,
        jobs: 1,
        check_invariants: false,
        keep_outages: false,
    };
    run_study(&models, &plan, &|_, _| {}).unwrap()
}

/// A sweep of `model` over `path`'s `values`, `reps` replications a point.
fn sweep(model: &str, path: &str, values: &[&str], reps: u64) -> Sweep {
    let mut points = Vec::new();
    let mut first = None;
    for v in values {
        let s = study(&[model], &[&format!("{path}={v}")], reps);
        let (info, batch) = s.designs.into_iter().next().unwrap();
        first.get_or_insert(info);
        points.push((vec![v.to_string()], batch));
    }
    Sweep {
        design: first.unwrap(),
        seed: 1,
        replications: reps,
        overrides: Vec::new(),
        params: vec![path.to_string()],
        points,
        targets: vec![Target::parse("vm_hours_lost.p90 <= 1000").unwrap()],
        min_effect: Default::default(),
    }
}

/// Checks a line chart's layout against its data; returns the layout's x scale.
fn check_line(c: &LineChart) -> XScale {
    let l = line_layout(c, (WIDTH, HEIGHT), 0)
        .unwrap()
        .expect("something to draw");
    let pts = c.series.iter().flat_map(|s| {
        let band = s
            .band
            .iter()
            .flatten()
            .flat_map(|b| [(b.0, b.1), (b.0, b.2)]);
        s.points.iter().copied().chain(band)
    });
    let pts: Vec<(f64, f64)> = pts
        .filter(|p| p.0.is_finite() && p.1.is_finite() && (l.x_scale != XScale::Log || p.0 > 0.0))
        .collect();
    for &(x, y) in &pts {
        assert!(
            x >= l.x.0 && x <= l.x.1,
            "{}: x {x} outside {:?}",
            c.title,
            l.x
        );
        assert!(
            y >= l.y.0 && y <= l.y.1,
            "{}: y {y} outside {:?}",
            c.title,
            l.y
        );
    }
    let (dlo, dhi) = l.data_y;
    let (lo, hi) = if l.y.0 <= 0.0 && l.y.1 >= 0.0 {
        (dlo.min(0.0), dhi.max(0.0))
    } else {
        (dlo, dhi)
    };
    if hi > lo {
        assert!(
            l.y.1 - l.y.0 <= SLACK * (hi - lo),
            "{}: y {:?} for {lo}..{hi}",
            c.title,
            l.y
        );
    }
    assert_eq!(
        l.notes.iter().any(|n| n == super::plot::NOT_FROM_ZERO),
        l.y.0 > 0.0,
        "{}: the note says whether y starts above 0",
        c.title
    );
    let (xlo, xhi) = l.data_x;
    match l.x_scale {
        XScale::Linear if xhi > xlo => {
            assert!(
                l.x.1 - l.x.0 <= SLACK * (xhi - xlo),
                "{}: x {:?}",
                c.title,
                l.x
            );
        }
        XScale::Log => {
            assert!(
                (l.x.1 / l.x.0).ln() <= SLACK * (xhi / xlo).ln(),
                "{}",
                c.title
            );
        }
        XScale::Categorical => {
            assert_eq!(
                l.x,
                (-0.5, c.x_categories.len() as f64 - 0.5),
                "{}",
                c.title
            );
            assert!(pts.iter().all(|p| p.0.fract() == 0.0), "{}", c.title);
        }
        XScale::Linear => {}
    }
    l.x_scale
}

/// Checks a chart of rows: every value and interval inside the axis or marked cut,
/// and a data-fitted axis not much wider than the data.
fn check_rows(c: &BarChart, from_zero: bool) {
    let l = row_layout(c, from_zero)
        .unwrap()
        .expect("something to draw");
    let inside = |v: f64| !v.is_finite() || (v >= l.range.0 && v <= l.range.1);
    for (i, b) in c.bars.iter().enumerate() {
        let all_in = inside(b.value) && inside(b.ci95.0) && inside(b.ci95.1);
        assert_eq!(all_in, !l.clipped.contains(&i), "{}: row {i}", c.title);
    }
    if c.axis.is_none() {
        let vals: Vec<f64> = c
            .bars
            .iter()
            .flat_map(|b| [b.value, b.ci95.0, b.ci95.1])
            .chain(from_zero.then_some(0.0))
            .filter(|v| v.is_finite())
            .collect();
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if hi > lo {
            assert!(l.range.1 - l.range.0 <= SLACK * (hi - lo), "{}", c.title);
        }
    }
}

fn check_chart(c: &Chart) {
    match c {
        Chart::Line(c) => {
            check_line(c);
        }
        Chart::Panels(p) => p.iter().for_each(|c| {
            check_line(c);
        }),
        Chart::Bar(c) => check_rows(c, false),
    }
}

#[test]
fn every_study_chart_fits_its_data() {
    // A year with designs whose worst incidents end within 2 h but keep a few VMs
    // down for many more: the recovery chart's time axis stops where the curves do
    // and says so, every point it draws inside its ranges.
    let mut s = study(
        &[
            "models/york-year.ron",
            "models/york-year-patched.ron",
            "models/york-year-fast-reboot.ron",
        ],
        &[],
        8,
    );
    s.add_targets(&[Target::parse("site_recovery_s.p90 <= 1h").unwrap()]);
    let mut drawn = 0;
    for spec in charts_for(ReportKind::Compare) {
        match spec.draw_study(&s) {
            Ok(chart) => {
                check_chart(&chart);
                drawn += 1;
                if spec.key == "recovery"
                    && let Chart::Line(c) = &chart
                {
                    let l = line_layout(c, (WIDTH, HEIGHT), 0).unwrap().unwrap();
                    assert!(
                        l.notes.iter().any(|n| n.starts_with("time axis cut at")),
                        "{:?}",
                        l.notes
                    );
                }
            }
            Err(why) => assert!(!why.is_empty(), "{}", spec.key),
        }
    }
    assert!(drawn >= 4, "{drawn}");
    let targets = study_target_charts(&s);
    assert_eq!(targets.len(), 1);
    targets.iter().for_each(|c| {
        check_line(c);
    });
}

#[test]
fn every_sweep_chart_fits_its_data_on_the_axis_its_values_call_for() {
    // From 0 s: categories. 10 to 80: linear.
    let over = sweep(
        "models/york-2016-2017-drain.ron",
        "changes[1].over",
        &["0s", "1h", "7d"],
        2,
    );
    let conc = sweep(
        "models/york-2017.ron",
        "brain.reboot_concurrency",
        &["10", "20", "80"],
        2,
    );
    for (sw, scale) in [(&over, XScale::Categorical), (&conc, XScale::Linear)] {
        for spec in charts_for(ReportKind::Sweep) {
            match spec.draw_sweep(sw) {
                Ok(Chart::Line(c)) => assert_eq!(check_line(&c), scale, "{}", spec.key),
                Ok(_) => panic!("{}: a sweep chart is a line chart", spec.key),
                // Left out only when flat, or when it is a per-year rate of an
                // incident model.
                Err(why) => assert!(
                    why.contains("at every point") || why.contains("an incident model"),
                    "{}: {why}",
                    spec.key
                ),
            }
        }
        let results: Vec<_> = sw
            .points
            .iter()
            .map(|(_, b)| {
                sw.targets
                    .iter()
                    .map(|t| crate::experiment::targets::judge(t, b))
                    .collect()
            })
            .collect();
        for c in sweep_target_charts(sw, &results) {
            if super::plot::line_blank(&c).is_none() {
                assert_eq!(check_line(&c), scale);
            }
        }
    }
}

//! Rendering tests over whole charts: content, determinism, the embedded font
//! and degenerate input.

use super::*;

fn sample_line_chart() -> LineChart {
    let xs: Vec<f64> = (0..=60).map(|i| i as f64).collect();
    let series = (0..3)
        .map(|k| {
            let points: Vec<(f64, f64)> = xs
                .iter()
                .map(|&x| (x, 20.0 + 10.0 * k as f64 + 8.0 * (x / 9.0 + k as f64).sin()))
                .collect();
            let band = points.iter().map(|&(x, y)| (x, y - 3.0, y + 3.0)).collect();
            Series {
                label: format!("design-{k}"),
                points,
                band: Some(band),
                hollow: Vec::new(),
            }
        })
        .collect();
    LineChart {
        title: "Queue length over time".into(),
        x_label: "time since incident start (min)".into(),
        y_label: "queue length (vehicles)".into(),
        series,
        y_from_zero: true,
        x_log: false,
        ..Default::default()
    }
}

fn sample_bar_chart() -> BarChart {
    let names = [
        "york-2017-decoupled",
        "york-2017-coupled",
        "baseline",
        "london-2019-adaptive-signal-control-with-priority",
        "mixed",
    ];
    BarChart {
        title: "Mean delay per design".into(),
        y_label: "mean delay (s)".into(),
        bars: names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let v = 40.0 + 7.5 * i as f64;
                Bar {
                    label: n.to_string(),
                    value: v,
                    ci95: (v - 3.0 - i as f64, v + 4.0),
                }
            })
            .collect(),
        axis: None,
    }
}

fn decode(png: &[u8]) -> image::RgbImage {
    image::load_from_memory(png).expect("PNG decodes").to_rgb8()
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

#[test]
fn line_svg_contains_title_and_legend() {
    let svg = line_chart_svg(&sample_line_chart()).unwrap();
    assert!(svg.contains("Queue length over time"));
    for k in 0..3 {
        assert!(svg.contains(&format!("design-{k}")));
    }
    assert!(svg.contains("time since incident start (min)"));
}

#[test]
fn bar_svg_contains_title_and_labels() {
    let svg = bar_chart_svg(&sample_bar_chart()).unwrap();
    assert!(svg.contains("Mean delay per design"));
    assert!(svg.contains("york-2017-decoupled"));
    assert!(svg.contains("mean delay (s)"));
}

#[test]
fn png_has_signature_and_size() {
    for png in [
        line_chart_png(&sample_line_chart()).unwrap(),
        bar_chart_png(&sample_bar_chart()).unwrap(),
    ] {
        assert_eq!(png[..8], PNG_SIGNATURE);
        let img = decode(&png);
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
    }
}

#[test]
fn output_is_deterministic() {
    let line = sample_line_chart();
    let bar = sample_bar_chart();
    assert_eq!(
        line_chart_svg(&line).unwrap(),
        line_chart_svg(&line).unwrap()
    );
    assert_eq!(
        line_chart_png(&line).unwrap(),
        line_chart_png(&line).unwrap()
    );
    assert_eq!(bar_chart_svg(&bar).unwrap(), bar_chart_svg(&bar).unwrap());
    assert_eq!(bar_chart_png(&bar).unwrap(), bar_chart_png(&bar).unwrap());
}

/// Counts pixels that differ from white in a rectangle.
fn ink(img: &image::RgbImage, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            if img.get_pixel(x, y).0 != [255, 255, 255] {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn title_is_rasterised_with_embedded_font() {
    let chart = sample_line_chart();
    let with_title = decode(&line_chart_png(&chart).unwrap());
    let without_title = decode(
        &line_chart_png(&LineChart {
            title: String::new(),
            ..chart
        })
        .unwrap(),
    );
    // The title band sits above the plotting area, so any ink there is
    // the title's glyphs; anti-aliasing produces grey levels as well.
    let titled = ink(&with_title, 0, 0, WIDTH, 40);
    assert!(titled > 300, "title area has only {titled} ink pixels");
    let greys = (0..40)
        .flat_map(|y| (0..WIDTH).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let p = with_title.get_pixel(x, y).0;
            p[0] > 30 && p[0] < 225 && p[0] == p[1] && p[1] == p[2]
        })
        .count();
    assert!(greys > 50, "no anti-aliased glyph edges found");
    assert_eq!(ink(&without_title, 0, 0, WIDTH, 8), 0);
}

#[test]
fn degenerate_line_inputs_do_not_panic() {
    let base = sample_line_chart();
    let cases: Vec<Vec<Series>> = vec![
        vec![],
        vec![Series::default()],
        vec![Series {
            label: "one".into(),
            points: vec![(3.0, 7.0)],
            band: Some(vec![(3.0, 6.0, 8.0)]),
            hollow: Vec::new(),
        }],
        vec![Series {
            label: "flat".into(),
            points: vec![(0.0, 5.0), (1.0, 5.0), (2.0, 5.0)],
            band: None,
            hollow: Vec::new(),
        }],
        vec![Series {
            label: "zeros".into(),
            points: vec![(0.0, 0.0), (0.0, 0.0)],
            band: None,
            hollow: Vec::new(),
        }],
        vec![Series {
            label: "nan".into(),
            points: vec![
                (0.0, f64::NAN),
                (1.0, f64::INFINITY),
                (f64::NEG_INFINITY, 1.0),
                (2.0, 3.0),
                (3.0, f64::NAN),
                (4.0, 4.0),
                (5.0, 4.5),
            ],
            band: Some(vec![(0.0, f64::NAN, 1.0), (1.0, 5.0, 2.0), (2.0, 1.0, 4.0)]),
            hollow: Vec::new(),
        }],
        vec![Series {
            label: "all nan".into(),
            points: vec![(f64::NAN, f64::NAN)],
            band: None,
            hollow: Vec::new(),
        }],
        vec![Series {
            label: "tiny".into(),
            points: vec![(0.0, 1e-12), (1e-9, 2e-12)],
            band: None,
            hollow: Vec::new(),
        }],
        vec![Series {
            label: "huge".into(),
            points: vec![(0.0, 1e15), (1.0, 1e15 + 1.0)],
            band: None,
            hollow: Vec::new(),
        }],
    ];
    for series in cases {
        for x_log in [false, true] {
            for y_from_zero in [false, true] {
                let chart = LineChart {
                    series: series.clone(),
                    x_log,
                    y_from_zero,
                    ..base.clone()
                };
                line_chart_svg(&chart).unwrap();
                line_chart_png(&chart).unwrap();
            }
        }
    }
    // A span that overflows f64 is reported, not drawn.
    let overflow = LineChart {
        series: vec![Series {
            label: "overflow".into(),
            points: vec![(0.0, -f64::MAX), (1.0, f64::MAX)],
            band: None,
            hollow: Vec::new(),
        }],
        ..base
    };
    assert!(line_chart_png(&overflow).is_err());
}

#[test]
fn empty_chart_says_no_data() {
    let chart = LineChart {
        title: "Nothing".into(),
        ..Default::default()
    };
    assert!(line_chart_svg(&chart).unwrap().contains("no data"));
    let bars = BarChart {
        title: "Nothing".into(),
        ..Default::default()
    };
    assert!(bar_chart_svg(&bars).unwrap().contains("no data"));
}

#[test]
fn log_axis_drops_non_positive_x() {
    let chart = LineChart {
        title: "log".into(),
        x_label: "offered load (veh/h)".into(),
        y_label: "delay (s)".into(),
        series: vec![Series {
            label: "a".into(),
            points: vec![(-1.0, 5.0), (0.0, 6.0), (10.0, 7.0), (1000.0, 9.0)],
            band: None,
            hollow: Vec::new(),
        }],
        y_from_zero: false,
        x_log: true,
        ..Default::default()
    };
    let svg = line_chart_svg(&chart).unwrap();
    assert!(svg.contains("offered load"));
    line_chart_png(&chart).unwrap();
}

#[test]
fn degenerate_bar_inputs_do_not_panic() {
    let cases = vec![
        vec![],
        vec![Bar {
            label: "only".into(),
            value: 3.0,
            ci95: (3.0, 3.0),
        }],
        vec![
            Bar {
                label: "nan".into(),
                value: f64::NAN,
                ci95: (f64::NAN, f64::INFINITY),
            },
            Bar {
                label: "reversed".into(),
                value: -2.0,
                ci95: (1.0, -4.0),
            },
        ],
        vec![Bar {
            label: String::new(),
            value: f64::NAN,
            ci95: (0.0, 0.0),
        }],
        (0..60)
            .map(|i| Bar {
                label: format!("design-with-a-rather-long-name-number-{i}"),
                value: i as f64,
                ci95: (i as f64 - 1.0, i as f64 + 1.0),
            })
            .collect(),
    ];
    for bars in cases {
        let chart = BarChart {
            title: "t".into(),
            y_label: "v".into(),
            bars,
            axis: None,
        };
        bar_chart_svg(&chart).unwrap();
        bar_chart_png(&chart).unwrap();
    }
}

/// Writes sample charts for visual inspection to the directory named by
/// `PLOT_SAMPLE_DIR`, or `out/` under the crate root. It is ignored by
/// default because it writes files; run it with
/// `cargo test write_samples -- --ignored`.
#[test]
#[ignore]
fn write_samples() {
    let dir = std::env::var_os("PLOT_SAMPLE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("out"));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    let line = sample_line_chart();
    write("line.png", &line_chart_png(&line).unwrap());
    write("line.svg", line_chart_svg(&line).unwrap().as_bytes());
    let mut log = line.clone();
    log.title = "Delay against offered load".into();
    log.x_label = "offered load (veh/h)".into();
    log.y_label = "mean delay (s)".into();
    log.x_log = true;
    log.y_from_zero = false;
    for s in &mut log.series {
        for p in &mut s.points {
            p.0 = 10f64.powf(1.0 + p.0 / 20.0);
        }
        if let Some(b) = &mut s.band {
            for r in b {
                r.0 = 10f64.powf(1.0 + r.0 / 20.0);
            }
        }
    }
    write("line_log.png", &line_chart_png(&log).unwrap());
    let mut single = line.clone();
    single.title = "A single point and a gap".into();
    single.series = vec![
        Series {
            label: "single".into(),
            points: vec![(5.0, 1.5)],
            band: None,
            hollow: Vec::new(),
        },
        Series {
            label: "with gap".into(),
            points: vec![
                (0.0, 1.0),
                (1.0, 1.2),
                (2.0, f64::NAN),
                (3.0, 1.1),
                (4.0, 1.3),
            ],
            band: None,
            hollow: Vec::new(),
        },
    ];
    write("line_degenerate.png", &line_chart_png(&single).unwrap());
    let empty = LineChart {
        title: "Empty".into(),
        x_label: "time (min)".into(),
        y_label: "count".into(),
        ..Default::default()
    };
    write("line_empty.png", &line_chart_png(&empty).unwrap());
    let bar = sample_bar_chart();
    write("bar.png", &bar_chart_png(&bar).unwrap());
    write("bar.svg", bar_chart_svg(&bar).unwrap().as_bytes());
    let many = BarChart {
        title: "Many designs with long names and a negative effect".into(),
        y_label: "change in delay relative to baseline (%)".into(),
        bars: (0..25)
            .map(|i| Bar {
                label: format!("york-2017-decoupled-variant-{i}-extended-signal-plan"),
                value: i as f64 - 8.0,
                ci95: (i as f64 - 11.0, i as f64 - 5.0),
            })
            .collect(),
        axis: None,
    };
    write("bar_many.png", &bar_chart_png(&many).unwrap());
    let long = BarChart {
        title: "An extremely long title that keeps going well past the width of the chart so that it has to be shortened somewhere".into(),
        y_label: "vehicle-hours of delay".into(),
        bars: vec![
            Bar {
                label: "a-design-name-so-long-that-it-cannot-fit-even-at-the-smallest-font-size-allowed-for-category-labels-v2".into(),
                value: 250_000.0,
                ci95: (180_000.0, 330_000.0),
            },
            Bar {
                label: "short".into(),
                value: 120_000.0,
                ci95: (110_000.0, 131_000.0),
            },
            Bar {
                label: "missing".into(),
                value: f64::NAN,
                ci95: (f64::NAN, f64::NAN),
            },
        ],
        axis: None,
    };
    write("bar_long.png", &bar_chart_png(&long).unwrap());
    let big = LineChart {
        title: "Large negative values, unlabelled series".into(),
        x_label: "simulated time (s)".into(),
        y_label: "net flow balance (veh)".into(),
        series: vec![Series {
            label: String::new(),
            points: (0..200)
                .map(|i| (i as f64 * 36.0, -150_000.0 + 900.0 * i as f64))
                .collect(),
            band: None,
            hollow: Vec::new(),
        }],
        y_from_zero: false,
        x_log: false,
        ..Default::default()
    };
    write("line_big.png", &line_chart_png(&big).unwrap());
}

fn two_point_series(label: &str, dy: f64) -> Series {
    Series {
        label: label.into(),
        points: vec![(0.0, 1.0 + dy), (1.0, 3.0 + dy), (2.0, 2.0 + dy)],
        band: None,
        hollow: Vec::new(),
    }
}

#[test]
fn coinciding_series_say_so_in_the_legend() {
    // The second series lies exactly on the first: its legend entry names the
    // first; the fourth is a hair's breadth above it, which the legend says; the
    // third, apart from all, keeps its own name only.
    let chart = LineChart {
        series: vec![
            two_point_series("first", 0.0),
            two_point_series("second", 0.0),
            two_point_series("third", 5.0),
            two_point_series("fourth", 0.001),
        ],
        ..Default::default()
    };
    let svg = line_chart_svg(&chart).unwrap();
    assert!(svg.contains("second (same as first)"), "{svg}");
    assert!(!svg.contains("second (same as first at"), "{svg}");
    assert!(
        svg.contains("fourth (same as first at this scale)"),
        "{svg}"
    );
    assert!(svg.contains("third"), "{svg}");
    assert!(!svg.contains("third (same as"), "{svg}");
}

#[test]
fn a_single_series_has_no_legend() {
    let one = LineChart {
        series: vec![two_point_series("lonely-series", 0.0)],
        ..Default::default()
    };
    assert!(!line_chart_svg(&one).unwrap().contains("lonely-series"));
    let two = LineChart {
        series: vec![
            two_point_series("lonely-series", 0.0),
            two_point_series("other", 1.0),
        ],
        ..Default::default()
    };
    assert!(line_chart_svg(&two).unwrap().contains("lonely-series"));
}

#[test]
fn markers_mark_every_point_and_a_target_line_is_labelled() {
    let circles = |svg: &str| svg.matches("<circle").count();
    let plain = LineChart {
        series: vec![two_point_series("a", 0.0)],
        ..Default::default()
    };
    assert_eq!(circles(&line_chart_svg(&plain).unwrap()), 0);
    let marked = LineChart {
        markers: true,
        target: Some(TargetLine {
            y: 10.0,
            label: "target: recovery within 10".into(),
        }),
        ..plain
    };
    let svg = line_chart_svg(&marked).unwrap();
    assert_eq!(circles(&svg), 3);
    assert!(svg.contains("target: recovery within 10"), "{svg}");
    line_chart_png(&marked).unwrap();
}

#[test]
fn panels_draw_each_chart() {
    let panel = |title: &str| LineChart {
        title: title.into(),
        series: vec![two_point_series("a", 0.0)],
        ..Default::default()
    };
    let svg = panels_svg(&[panel("Upper panel"), panel("Lower panel")]).unwrap();
    assert!(svg.contains("Upper panel") && svg.contains("Lower panel"));
    panels_png(&[panel("Upper panel"), panel("Lower panel")]).unwrap();
}

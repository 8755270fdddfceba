//! The `--out` report directory: the files it holds, their determinism, and that a
//! failed run leaves nothing behind.

use super::common::{bigvsim, bigvsim_ok, bin, scratch};

const FILES: &[&str] = &[
    "report.md",
    "report.html",
    "metrics.json",
    "replications.csv",
    "outages.csv",
    "recovery.png",
    "recovery.svg",
    "outage_cdf.png",
    "outage_cdf.svg",
    "reboot_queue.png",
    "reboot_queue.svg",
];

#[test]
fn compare_out_writes_every_file_deterministically() {
    // Two runs into two directories: the same set of files with the same bytes
    // (JSON, CSV, SVG, PNG and report.md alike), metrics.json equals the JSON on
    // stdout, and no temporary file is left.
    let (a, b) = (scratch("out-a").join("out"), scratch("out-b").join("out"));
    let args = |dir: &std::path::Path| {
        vec![
            "compare".to_string(),
            "models/york-2017.ron".into(),
            "models/york-2017-fast-reboot.ron".into(),
            "-r".into(),
            "6".into(),
            "--format".into(),
            "json".into(),
            "--out".into(),
            dir.to_string_lossy().into_owned(),
        ]
    };
    let run = |dir: &std::path::Path| {
        let argv = args(dir);
        bigvsim_ok(&argv.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let stdout = run(&a);
    run(&b);
    let mut names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = FILES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        if f.starts_with("report.") {
            // The report names its --out directory in the command line it records.
            let strip = |v: &[u8], d: &std::path::Path| {
                String::from_utf8_lossy(v).replace(&*d.to_string_lossy(), "DIR")
            };
            assert_eq!(strip(&x, &a), strip(&y, &b));
        } else {
            assert!(x == y, "{f} differs between two identical runs");
        }
    }
    let json = std::fs::read(a.join("metrics.json")).unwrap();
    assert_eq!(json, stdout);
    // An incident model: its per-year rates are left out of the plots, and report.md
    // says why.
    let md = std::fs::read_to_string(a.join("report.md")).unwrap();
    for key in ["availability", "downtime"] {
        assert!(
            md.contains(&format!("- not drawn: `{key}`")) && md.contains("an incident model"),
            "{key}: {md}"
        );
    }
    let png = std::fs::read(a.join("recovery.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(a.join("recovery.svg")).unwrap();
    assert!(svg.contains("york-2017-fast-reboot"), "legend in the SVG");
    let csv = std::fs::read_to_string(a.join("replications.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 6);
    assert!(csv.starts_with("design,replication,vm_availability,"));
    let outages = std::fs::read_to_string(a.join("outages.csv")).unwrap();
    assert!(outages.starts_with("design,vm,head,start_s,end_s,cause\n"));
    // Replication 0's outages in both designs: each of the 2 000 VMs once.
    assert_eq!(outages.lines().count(), 1 + 2 * 2000);
    let md = std::fs::read_to_string(a.join("report.md")).unwrap();
    for needle in [
        "seed | 1",
        "replications | 6",
        "![recovery](recovery.png)",
        "FNV-1a",
    ] {
        assert!(md.contains(needle), "report.md lacks {needle}");
    }
    // Every plot is shown in report.md, under its caption.
    for f in FILES.iter().filter(|f| f.ends_with(".png")) {
        assert!(
            md.contains(&format!("]({f})")),
            "report.md does not show {f}"
        );
    }
    assert!(md.contains("Recovery curve: VMs down over time"), "{md}");
}

#[test]
fn sweep_out_writes_the_sweep_plot() {
    // A sweep over the reboot concurrency writes sweep.csv and the metric-vs-parameter
    // plots.
    let dir = scratch("sweep").join("out");
    let out = bigvsim(&[
        "sweep",
        "models/york-2017.ron",
        "--param",
        "brain.reboot_concurrency=10,20,40,80",
        "-r",
        "3",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "sweep.csv",
        "sweep_full_recovery_s.png",
        "sweep_full_recovery_s.svg",
        "report.md",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5);
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    // Each metric's plot is drawn and shown, or left out with a line saying why
    // (control recovery does not move with the reboot concurrency: a flat line).
    for key in [
        "full_recovery_s",
        "downtime_min_per_vm_year",
        "vm_availability",
        "vm_outage_p99_s",
        "control_recovery_s",
    ] {
        let png = format!("sweep_{key}.png");
        let shown = md.contains(&format!("![sweep_{key}]({png})"));
        let omitted = md.contains(&format!("- not drawn: `sweep_{key}`"));
        assert!(
            shown != omitted,
            "{key}: shown {shown}, omitted {omitted}\n{md}"
        );
        assert_eq!(dir.join(&png).is_file(), shown, "{png}");
    }
    assert!(md.contains("![sweep_full_recovery_s]"), "{md}");
}

#[test]
fn failed_run_leaves_no_report() {
    // A runaway model stops at its event limit: exit 1, and the --out directory (here
    // under two parents that did not exist) is not created, nor are its parents.
    let base = scratch("failed").join("base");
    let dir = base.join("new/report");
    let out = bigvsim(&[
        "run",
        "models/york-2017.ron",
        "--set",
        "limits.max_events=100",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("event limit") && err.contains("reproduce with"),
        "{err}"
    );
    assert!(!base.exists(), "left {}", base.display());
}

#[cfg(target_os = "linux")]
#[test]
fn the_binary_links_no_font_library() {
    // Plots draw text with the embedded DejaVu font: the binary must not depend on
    // fontconfig or freetype (the libraries plotters' default features pull in), so
    // plots render on a machine with no fonts installed. The libraries are read from
    // the executable's own dynamic section, so the check needs no ldd, readelf or
    // objdump and runs on every Linux machine.
    let elf = std::fs::read(bin()).unwrap();
    let libs = needed_libraries(&elf).unwrap_or_else(|e| panic!("{}: {e}", bin().display()));
    if let Some(libs) = &libs {
        // A dynamically linked Rust binary always needs the C library; finding it
        // shows the list was really read.
        assert!(
            libs.iter()
                .any(|l| l.starts_with("libc.") || l.starts_with("libc-")),
            "no C library among {libs:?}"
        );
        for lib in ["fontconfig", "freetype", "expat"] {
            assert!(
                !libs.iter().any(|l| l.contains(lib)),
                "the binary links {lib}: {libs:?}"
            );
        }
    }
}

/// The shared libraries an ELF file names in its dynamic section (its `DT_NEEDED`
/// entries), in order; `None` for a statically linked file, which has no dynamic
/// section and so links no library at all.
fn needed_libraries(elf: &[u8]) -> Result<Option<Vec<String>>, String> {
    const SHT_DYNAMIC: u64 = 6;
    const DT_NULL: u64 = 0;
    const DT_NEEDED: u64 = 1;
    if elf.get(..4) != Some(&b"\x7fELF"[..]) {
        return Err("not an ELF file".into());
    }
    let wide = match elf.get(4) {
        Some(1) => false,
        Some(2) => true,
        c => return Err(format!("unknown ELF class {c:?}")),
    };
    let little = match elf.get(5) {
        Some(1) => true,
        Some(2) => false,
        d => return Err(format!("unknown ELF byte order {d:?}")),
    };
    let uint = |at: u64, size: usize| -> Result<u64, String> {
        let at = usize::try_from(at).map_err(|e| e.to_string())?;
        let bytes = elf
            .get(at..at + size)
            .ok_or_else(|| format!("truncated at byte {at}"))?;
        let fold = |acc: u64, b: &u8| (acc << 8) | u64::from(*b);
        Ok(if little {
            bytes.iter().rev().fold(0, fold)
        } else {
            bytes.iter().fold(0, fold)
        })
    };
    // Field offsets of the file header and of a section header, ELF32 or ELF64.
    let word = if wide { 8 } else { 4 };
    let (shoff, shentsize, shnum) = if wide {
        (uint(0x28, 8)?, uint(0x3a, 2)?, uint(0x3c, 2)?)
    } else {
        (uint(0x20, 4)?, uint(0x2e, 2)?, uint(0x30, 2)?)
    };
    let (type_at, offset_at, size_at, link_at) = if wide {
        (4, 24, 32, 40)
    } else {
        (4, 16, 20, 24)
    };
    let section = |i: u64| shoff + i * shentsize;
    let Some(dynamic) = (0..shnum).find(|&i| uint(section(i) + type_at, 4) == Ok(SHT_DYNAMIC))
    else {
        return Ok(None);
    };
    let strtab = uint(
        section(uint(section(dynamic) + link_at, 4)?) + offset_at,
        word,
    )?;
    let start = uint(section(dynamic) + offset_at, word)?;
    let end = start + uint(section(dynamic) + size_at, word)?;
    let mut libs = Vec::new();
    let mut entry = start;
    while entry < end {
        let tag = uint(entry, word)?;
        if tag == DT_NULL {
            break;
        }
        if tag == DT_NEEDED {
            let name_at = usize::try_from(strtab + uint(entry + word as u64, word)?)
                .map_err(|e| e.to_string())?;
            let name = elf
                .get(name_at..)
                .and_then(|rest| rest.split(|b| *b == 0).next())
                .ok_or("library name outside the file")?;
            libs.push(String::from_utf8_lossy(name).into_owned());
        }
        entry += 2 * word as u64;
    }
    Ok(Some(libs))
}

#[test]
fn targets_are_tabled_and_drawn_with_their_line_in_reports() {
    // With a target, a comparison's report and a sweep's report each hold a Targets
    // section naming the target and verdict for every design or point, and a chart
    // of it (target_1.png and .svg, the SVG with the target's label on its line).
    for (name, args) in [
        (
            "target-compare",
            vec![
                "compare",
                "models/york-2017.ron",
                "models/york-2017-fast-reboot.ron",
            ],
        ),
        (
            "target-sweep",
            vec![
                "sweep",
                "models/york-2017.ron",
                "--param",
                "brain.reboot_concurrency=10,40",
            ],
        ),
    ] {
        let dir = scratch(name).join("out");
        let mut all = args.clone();
        all.extend(["-r", "3", "--target", "site_recovery_s.p90<=1.5h", "--out"]);
        all.push(dir.to_str().unwrap());
        let out = bigvsim(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
        assert!(md.contains("## Targets"), "{name}: {md}");
        assert!(md.contains("`site_recovery_s.p90 <= 1.5h`"), "{name}: {md}");
        assert!(md.contains("](target_1.png)"), "{name}: {md}");
        assert!(dir.join("target_1.png").is_file(), "{name}");
        let svg = std::fs::read_to_string(dir.join("target_1.svg")).unwrap();
        assert!(
            svg.contains("target: site_recovery_s.p90 &lt;= 1.5h")
                || svg.contains("target: site_recovery_s.p90 <= 1.5h"),
            "{name}"
        );
    }
}

#[test]
fn rate_plots_are_drawn_for_operation_models_only() {
    // A year of operation: availability and downtime per VM-year are its answer,
    // drawn per design and per sweep point; for a one-day incident they are not.
    let year = scratch("rates-year").join("out");
    bigvsim_ok(&[
        "compare",
        "models/york-year.ron",
        "models/york-year-patched.ron",
        "-r",
        "3",
        "--out",
        year.to_str().unwrap(),
    ]);
    for f in ["availability.svg", "downtime.svg"] {
        assert!(
            year.join(f).exists(),
            "{f} missing from an operation model's report"
        );
    }
    let sweep = scratch("rates-sweep").join("out");
    bigvsim_ok(&[
        "sweep",
        "models/york-2017.ron",
        "--param",
        "brain.reboot_concurrency=10,40",
        "-r",
        "3",
        "--out",
        sweep.to_str().unwrap(),
    ]);
    let md = std::fs::read_to_string(sweep.join("report.md")).unwrap();
    for key in ["sweep_downtime_min_per_vm_year", "sweep_vm_availability"] {
        assert!(
            !sweep.join(format!("{key}.svg")).exists(),
            "{key} drawn for an incident"
        );
        assert!(md.contains(&format!("- not drawn: `{key}`")), "{key}: {md}");
    }
    assert!(sweep.join("sweep_full_recovery_s.svg").exists());
}

//! report.html beside report.md, for every command that writes a report: a
//! well-formed page (every tag closed in order, every `&` an entity), nothing it
//! would fetch (no address but the SVG namespace, no script, no external style),
//! and every image of report.md inline as the plot's own SVG. With few
//! replications, the plots left out are named in report.md and absent as files.

use std::path::Path;

use super::common::{bigvsim_ok, scratch};

/// Checks that `html` is well formed: tags nest and close in order (a tag ending in
/// `/>` closes itself), `<!…>` declarations aside; text holds no stray `<`, and
/// every `&` starts an entity. Returns the problem, if any.
fn well_formed(html: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        let (text, tail) = rest.split_at(i);
        let _ = text;
        if tail.starts_with('&') {
            let end = tail.find(';').ok_or("an & without ;")?;
            let name = &tail[1..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '#') {
                return Err(format!("a bare & at {:?}", &tail[..tail.len().min(30)]));
            }
            rest = &tail[end + 1..];
            continue;
        }
        let end = tail.find('>').ok_or("a < without >")?;
        let tag = &tail[1..end];
        rest = &tail[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            match open.pop() {
                Some(o) if o == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if name.is_empty() {
            return Err(format!("a stray < before {tag:?}"));
        }
        if !tag.ends_with('/') {
            open.push(name);
        }
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("left open: {open:?}"))
    }
}

/// The images report.md shows: (alt, file).
fn images(md: &str) -> Vec<(String, String)> {
    md.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("![")?;
            let (alt, rest) = rest.split_once("](")?;
            Some((alt.to_string(), rest.strip_suffix(')')?.to_string()))
        })
        .collect()
}

/// Checks report.html in `dir` against report.md and the SVGs beside it; returns
/// report.md.
fn check_report(dir: &Path) -> String {
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    if let Err(e) = well_formed(&html) {
        panic!("{}: report.html is not well formed: {e}", dir.display());
    }
    let stripped = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for banned in [
        "http://", "https://", "<script", "src=", "href=", "url(", "@import", "<link",
    ] {
        assert!(
            !stripped.contains(banned),
            "{}: report.html has {banned}",
            dir.display()
        );
    }
    let shown = images(&md);
    assert!(
        !shown.is_empty(),
        "{}: report.md shows no plot",
        dir.display()
    );
    assert_eq!(
        html.matches("<svg ").count(),
        shown.len(),
        "{}: one inline SVG per image",
        dir.display()
    );
    for (_, file) in &shown {
        let stem = file.strip_suffix(".png").unwrap();
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        // The SVG after its opening tag (to which the page adds a label) is inline.
        let body = &svg[svg.find('>').unwrap() + 1..];
        assert!(
            html.contains(body.trim_end()),
            "{}: {stem}.svg is not inline",
            dir.display()
        );
    }
    // The text is there too: every heading of report.md is a heading of the page.
    for h in md.lines().filter_map(|l| l.strip_prefix("## ")) {
        let first = h.split('`').next().unwrap().trim();
        assert!(
            html.contains(&format!("<h2>{}", first.replace('&', "&amp;"))),
            "{h}"
        );
    }
    md
}

/// Whether an SVG as plotters writes it (each text on its own line) shows `text`.
fn shows(svg: &str, text: &str) -> bool {
    svg.lines().any(|l| l.trim() == text)
}

fn report(name: &str, args: &[&str]) -> std::path::PathBuf {
    let dir = scratch(&format!("html-{name}")).join("out");
    let mut argv: Vec<&str> = args.to_vec();
    let d = dir.to_string_lossy().into_owned();
    argv.extend(["--out", d.as_str()]);
    bigvsim_ok(&argv);
    dir
}

#[test]
fn every_report_has_a_self_contained_html_page() {
    let run = report("run", &["run", "models/york-2017.ron", "-r", "2"]);
    check_report(&run);
    let solve = report(
        "solve",
        &[
            "solve",
            "models/york-2017.ron",
            "--param",
            "brain.reboot_concurrency=1..400",
            "--target",
            "site_recovery_s.p90<=1h",
            "-r",
            "3",
        ],
    );
    check_report(&solve);
    let sens = report(
        "sensitivity",
        &[
            "sensitivity",
            "models/york-2017.ron",
            "models/york-2017-fast-reboot.ron",
            "--samples",
            "12",
            "-r",
            "2",
        ],
    );
    let md = check_report(&sens);
    assert!(md.contains("(robustness.png)"), "{md}");
    let svg = std::fs::read_to_string(sens.join("robustness.svg")).unwrap();
    assert!(shows(&svg, "tied"), "a tie is a category of its own");
}

#[test]
fn a_comparison_names_its_incidents_by_what_they_were() {
    // No incident of the rack models is site-wide: the recovery plot's title says
    // "worst incident", never "site-wide", as its caption's note does.
    let dir = report(
        "compare",
        &[
            "compare",
            "models/york-rack-coupled.ron",
            "models/york-rack-decoupled.ron",
            "-r",
            "3",
        ],
    );
    let md = check_report(&dir);
    let svg = std::fs::read_to_string(dir.join("recovery.svg")).unwrap();
    assert!(md.contains("had no site-wide incident"), "{md}");
    assert!(!svg.contains("worst site-wide incident"), "{svg}");
    assert!(svg.contains("worst incident (none was site-wide)"));
}

#[test]
fn a_sweep_from_zero_over_days_gets_categories_and_leaves_flat_plots_out() {
    // The rollout's `over` from 0 s to 14 d: one category per value, labelled as
    // swept, not seven points squeezed at 0 on a days axis. Full recovery does not
    // depend on it: that plot is left out, with its line in report.md.
    let dir = report(
        "sweep",
        &[
            "sweep",
            "models/york-2016-2017-drain.ron",
            "--param",
            "changes[1].over=0s,30m,1h,6h,2d,7d,14d",
            "--param",
            "changes[1].drain=None,LiveMigrate",
            "-r",
            "3",
        ],
    );
    let md = check_report(&dir);
    let svg = std::fs::read_to_string(dir.join("sweep_downtime_min_per_vm_year.svg")).unwrap();
    for label in ["0s", "30m", "1h", "6h", "2d", "7d", "14d"] {
        assert!(shows(&svg, label), "{label} missing");
    }
    assert!(
        md.contains("- not drawn: `sweep_full_recovery_s` (sweep_full_recovery_s): full recovery time (min) is"),
        "{md}"
    );
    assert!(!dir.join("sweep_full_recovery_s.png").exists());
    assert!(!dir.join("sweep_full_recovery_s.svg").exists());
}

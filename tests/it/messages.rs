//! Every usage error is one line that names the argument at fault, and a number the
//! user wrote comes back short, never as hundreds of digits.

use super::common::{Run, run};

/// The stderr lines that are not warnings.
fn error_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .collect()
}

const M: &str = "models/york-2017.ron";

#[test]
fn usage_errors_are_one_line_naming_the_argument_and_where_to_read_more() {
    // (arguments, text the line must hold)
    let cases: &[(&[&str], &str)] = &[
        (&["run", M, "--sed", "3"], "'--sed'"),
        (&["run", M, "--seed", "abc"], "--seed"),
        (&["run", M, "-r", "-3"], "--replications"),
        (&["run"], "<MODEL>"),
        (&["runn", M], "'runn'"),
        (&["run", M, "--format", "xml"], "--format"),
        (&["compare", M], "<MODELS>"),
        (
            &["solve", M, "--target", "full_recovery_s.mean<=1h"],
            "--param",
        ),
        (&["sweep", M, "--param"], "--param"),
        (&["trace", M, "--head", "x"], "--head"),
        (&["merge"], "<PARTS>"),
        (&["sensitivity", M, "--samples", "many"], "--samples"),
    ];
    for (args, names) in cases {
        let Run { code, stderr, .. } = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        let lines = error_lines(&stderr);
        assert_eq!(
            lines.len(),
            1,
            "{args:?} printed {} lines: {stderr}",
            lines.len()
        );
        let line = lines[0];
        assert!(line.starts_with("error: "), "{args:?}: {line}");
        assert!(
            line.contains(names),
            "{args:?} does not name {names}: {line}"
        );
        assert!(
            line.contains("--help"),
            "{args:?} says nowhere to read more: {line}"
        );
        assert!(!line.contains("Usage:"), "{args:?}: {line}");
    }
    // A near miss keeps clap's spelling advice on the same line.
    let Run { stderr, .. } = run(&["run", M, "--sed", "3"]);
    assert!(stderr.contains("'--seed'"), "{stderr}");
}

#[test]
fn a_value_that_starts_with_a_hyphen_reaches_its_own_check() {
    // clap's advice for these was "use -- -1s", which makes the value a file name.
    // The value now reaches the option's own check, which names the option.
    for (args, option) in [
        (
            vec![
                "solve",
                M,
                "--param",
                "brain.boot_time.mean=10s..20s",
                "--tolerance",
                "-1s",
                "--target",
                "full_recovery_s.mean<=1h",
            ],
            "--tolerance -1s",
        ),
        (
            vec![
                "solve",
                M,
                "--param",
                "supervisor.crash_on_reset=0..1",
                "--tolerance",
                "-0.5",
                "--target",
                "full_recovery_s.mean<=1h",
            ],
            "--tolerance -0.5: must be above 0",
        ),
        (
            vec!["compare", M, M, "--min-effect", "-5%", "-r", "2"],
            "--min-effect",
        ),
        (vec!["run", M, "--set", "-x"], "--set -x"),
    ] {
        let Run { code, stderr, .. } = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        let lines = error_lines(&stderr);
        assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
        assert!(lines[0].contains(option), "{args:?}: {stderr}");
        assert!(!stderr.contains("'-- -"), "{args:?}: {stderr}");
    }
}

#[test]
fn numbers_the_user_wrote_come_back_short() {
    for args in [
        vec!["validate", M, "--set", "supervisor.crash_on_reset=1e300"],
        vec!["validate", M, "--set", "supervisor.crash_on_reset=-1e300"],
        vec!["validate", M, "--set", "link.reconnect.multiplier=1e300"],
        vec!["validate", M, "--set", "faults[0].scope=Fraction(1e300)"],
        vec![
            "validate",
            M,
            "--set",
            "brain.boot_slowdown_per_boot_on_site=1e300",
        ],
    ] {
        let Run { code, stderr, .. } = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        let longest_digits = stderr
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_digits <= 20, "{args:?}: {stderr}");
        assert!(stderr.contains("1e300"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_blank_path_is_not_called_empty() {
    let Run { code, stderr, .. } = run(&["run", M, "-r", "2", "--out", " "]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("only blanks"), "{stderr}");
    let Run { code, stderr, .. } = run(&["run", M, "-r", "2", "--out", ""]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("empty"), "{stderr}");
}

#[test]
fn a_value_a_command_applied_is_blamed_on_the_option_that_gave_it() {
    // A sweep point's value is applied as an override, but the user wrote it in
    // --param: the message names --param, not --set.
    let Run { code, stderr, .. } = run(&[
        "sweep",
        M,
        "-r",
        "2",
        "--param",
        "supervisor.crash_on_reset=0.5,7",
    ]);
    assert_eq!(code, 2, "{stderr}");
    let lines = error_lines(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("in --param supervisor.crash_on_reset=7"),
        "{stderr}"
    );
    assert!(!lines[0].contains("--set"), "{stderr}");
    // Numbers echoed from --vary and a change's `set:` are short too.
    let Run { code, stderr, .. } = run(&[
        "sensitivity",
        M,
        "-r",
        "2",
        "--vary",
        "supervisor.crash_on_reset=0..1e300",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("found 1e300"), "{stderr}");
    assert!(stderr.len() < 400, "{stderr}");
}

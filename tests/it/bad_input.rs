//! Bad input gets one clear error, exit code 2 and nothing written: every class of
//! mistake engineers make in model files, `--set` overrides and `--out` paths, each
//! checked through the real binary for its exit code, its message (file, line, column
//! or `--set` argument, field path, what is allowed) and the files left behind.
//!
//! The same cases generate docs/errors.md: `docs_errors_md_matches_the_binary` fails
//! when a message changes, and `BIGVSIM_BLESS=1 cargo test bad_input` rewrites the
//! table from what the binary prints.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::common::{bigvsim, bin, root};

/// A valid model, for the override and `--out` cases.
const OK: &str = r#"(name: "ok", horizon: "1d", site: (heads: 2, vms_per_head: 3))"#;

/// What a case's working directory holds before the command runs.
#[derive(Clone, Copy)]
enum Content {
    Text(&'static str),
    Bytes(&'static [u8]),
    Dir,
}

/// One bad input: files to create, the command, and what must come out.
struct Case {
    id: &'static str,
    /// The row's class in docs/errors.md.
    class: &'static str,
    files: &'static [(&'static str, Content)],
    args: &'static [&'static str],
    /// 2 for bad input, 1 for a run stopped by a limit.
    code: i32,
    /// Substrings stderr must contain.
    expect: &'static [&'static str],
}

use Content::*;

const CASES: &[Case] = &[
    Case {
        id: "missing-comma",
        class: "Malformed RON: missing comma",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t" horizon: "1d", site: (heads: 2, vms_per_head: 3))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &["bad.ron:1:12:", "field `name`", "a comma is missing"],
    },
    Case {
        id: "unclosed-paren",
        class: "Malformed RON: unclosed parenthesis",
        files: &[(
            "bad.ron",
            Text(
                "(\n    name: \"t\",\n    horizon: \"1d\",\n    site: (heads: 2, vms_per_head: 3),\n",
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &["bad.ron:1:1:", "this `(` is never closed", "`)`"],
    },
    Case {
        id: "trailing-text",
        class: "Malformed RON: text after the model",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3)))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &["bad.ron:1:", "after the model's closing parenthesis"],
    },
    Case {
        id: "empty-file",
        class: "Malformed RON: empty file",
        files: &[("bad.ron", Text("\n"))],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &["bad.ron: the file is empty", "(name: ..., horizon: ..."],
    },
    Case {
        id: "unknown-field",
        class: "Unknown field (nearest valid name suggested)",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (reboot_concurency: 40))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:71:",
            "field `brain.reboot_concurency`",
            "allowed here: `reboot_concurrency`",
            "did you mean `reboot_concurrency`?",
        ],
    },
    Case {
        id: "renamed-field",
        class: "Renamed field (the new name suggested)",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (boot_slowdown_per_concurrent_boot: 0.03))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:71:",
            "field `brain.boot_slowdown_per_concurrent_boot`",
            "unknown field `boot_slowdown_per_concurrent_boot`",
            "did you mean `boot_slowdown_per_boot_on_site`?",
        ],
    },
    Case {
        id: "unknown-variant",
        class: "Unknown variant (nearest valid name suggested)",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (queue_policy: Lifo))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `brain.queue_policy`",
            "allowed: `Fifo`, `Random`, ",
            "did you mean `Fifo`?",
        ],
    },
    Case {
        id: "missing-field",
        class: "Missing field",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t", horizon: "1d", site: (heads: 2))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `site.vms_per_head`",
            "missing field `vms_per_head`",
        ],
    },
    Case {
        id: "float-for-integer",
        class: "Wrong type: 1.5 for an integer",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t", horizon: "1d", site: (heads: 1.5, vms_per_head: 3))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `site.heads`",
            "expected a whole number (1 to 4294967295), found `1.5`",
        ],
    },
    Case {
        id: "text-for-number",
        class: "Wrong type: text for a number",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), link: (flaps_per_year: "weekly"))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `link.flaps_per_year`",
            "expected a number such as 0.5 or 52.0, found `\"weekly\"`",
        ],
    },
    Case {
        id: "number-for-duration",
        class: "Wrong type: a number for a duration",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t", horizon: 24, site: (heads: 2, vms_per_head: 3))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `horizon`",
            "expected a duration in double quotes",
            "found `24`",
        ],
    },
    Case {
        id: "number-for-distribution",
        class: "Wrong type: a number for a distribution",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (boot_time: 45))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `brain.boot_time`",
            "expected a distribution: Fixed(\"5s\"), Exponential(mean: \"4h\")",
            "found `45`",
        ],
    },
    Case {
        id: "negative-rate",
        class: "Negative rate",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), link: (flaps_per_year: -52.0))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:70:",
            "field `link.flaps_per_year`",
            "must be a finite rate ≥ 0 (per year), found -52",
        ],
    },
    Case {
        id: "zero-duration",
        class: "Zero duration where a positive one is needed",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t", horizon: "0s", site: (heads: 2, vms_per_head: 3))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:13:",
            "field `horizon`",
            "must be longer than 0, found \"0s\"",
        ],
    },
    Case {
        id: "negative-duration",
        class: "Negative duration",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), supervisor: (restart: Fixed("-5s")))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `supervisor.restart`",
            "a duration cannot be negative, found \"-5s\"",
        ],
    },
    Case {
        id: "zero-count",
        class: "Zero count",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t", horizon: "1d", site: (heads: 0, vms_per_head: 3))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `site.heads`",
            "must be at least 1, found 0",
        ],
    },
    Case {
        id: "negative-count",
        class: "Negative count",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (reboot_concurrency: -20))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `brain.reboot_concurrency`",
            "expected a whole number from 1 to 4294967295, found `-20`",
        ],
    },
    Case {
        id: "probability",
        class: "Probability outside [0, 1]",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), supervisor: (crash_on_reset: 1.5))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:76:",
            "field `supervisor.crash_on_reset`",
            "must be a probability in [0, 1], found 1.5",
        ],
    },
    Case {
        id: "nan",
        class: "NaN",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), supervisor: (crash_on_long_reset: NaN))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `supervisor.crash_on_long_reset`",
            "must be a probability in [0, 1], found NaN",
        ],
    },
    Case {
        id: "infinity",
        class: "Infinity",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), head: (failures_per_year: inf))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `head.failures_per_year`",
            "must be a finite rate ≥ 0 (per year), found inf",
        ],
    },
    Case {
        id: "empirical-empty",
        class: "Empty Empirical distribution",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (boot_time: Empirical([])))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `brain.boot_time`",
            "an Empirical distribution needs at least one value",
        ],
    },
    Case {
        id: "empirical-unsorted",
        class: "Unsorted Empirical distribution",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (boot_time: Empirical(["40s", "90s", "45s"])))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `brain.boot_time[2]`",
            "must be sorted in ascending order: \"45s\" comes after \"90s\"",
        ],
    },
    Case {
        id: "accept-rate-zero",
        class: "Out of range: a brain that accepts no reconnect",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (accept_per_s: 0.0))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `brain.accept_per_s`",
            "must be in (0, 1000000], found 0",
        ],
    },
    Case {
        id: "per-head-above-global",
        class: "Inconsistent: per-head boot limit above the global one",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), brain: (reboot_concurrency: 4, per_head_concurrency: Some(8)))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `brain.per_head_concurrency`",
            "must not exceed brain.reboot_concurrency (4), found 8",
        ],
    },
    Case {
        id: "reconnect-max-below-initial",
        class: "Inconsistent: reconnect max below initial",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), link: (reconnect: (initial: "10s", max: "5s")))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `link.reconnect.max`",
            "must be ≥ link.reconnect.initial (\"10s\"), found \"5s\"",
        ],
    },
    Case {
        id: "vm-slots-below-vms-per-head",
        class: "Inconsistent: fewer VM slots than VMs on a head",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3, vm_slots_per_head: 2))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `site.vm_slots_per_head`",
            "must be ≥ site.vms_per_head (3), found 2",
        ],
    },
    Case {
        id: "fault-after-horizon",
        class: "Inconsistent: scheduled fault after the horizon",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), faults: [Partition(at: "2d", duration: Fixed("4m"), scope: All)])"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `faults[0].at`",
            "\"2d\" is not before the horizon (\"1d\")",
        ],
    },
    Case {
        id: "set-unknown-path",
        class: "Unknown --set path (nearest valid path suggested)",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "run",
            "ok.ron",
            "--set",
            "brain.reboot_concurency=40",
            "--out",
            "out",
        ],
        code: 2,
        expect: &[
            "ok.ron: in --set brain.reboot_concurency=40",
            "unknown path",
            "Did you mean `brain.reboot_concurrency`?",
            "Nearest settable paths: brain.reboot_concurrency,",
            "validate --list-paths",
        ],
    },
    Case {
        id: "set-unparsable",
        class: "Unparsable --set value",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "run",
            "ok.ron",
            "--set",
            "brain.reboot_concurrency=forty",
            "--out",
            "out",
        ],
        code: 2,
        expect: &[
            "ok.ron: in --set brain.reboot_concurrency=forty",
            "field `brain.reboot_concurrency`",
            "cannot read `forty`: expected a whole number from 1 to 4294967295",
        ],
    },
    Case {
        id: "set-no-equals",
        class: "--set without PATH=VALUE",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "run",
            "ok.ron",
            "--set",
            "brain.reboot_concurrency",
            "--out",
            "out",
        ],
        code: 2,
        expect: &[
            "ok.ron: in --set brain.reboot_concurrency",
            "expected PATH=VALUE",
        ],
    },
    Case {
        id: "set-out-of-range",
        class: "--set value outside what is allowed",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "run",
            "ok.ron",
            "--set",
            "supervisor.crash_on_reset=2",
            "--out",
            "out",
        ],
        code: 2,
        expect: &[
            "ok.ron: in --set supervisor.crash_on_reset=2",
            "field `supervisor.crash_on_reset`",
            "must be a probability in [0, 1], found 2",
        ],
    },
    Case {
        id: "too-large",
        class: "Model too large for memory",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t", horizon: "1d", site: (heads: 100000, vms_per_head: 40000))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:28:",
            "field `site`",
            "100000 heads × 40000 VMs would need about",
            "GiB of memory; the limit is 16 GiB",
        ],
    },
    Case {
        id: "too-large-set",
        class: "Model too large for memory (from --set)",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "run",
            "ok.ron",
            "--set",
            "site.heads=1000000",
            "--set",
            "site.vms_per_head=4000",
            "--out",
            "out",
        ],
        code: 2,
        expect: &[
            "ok.ron: in --set site.vms_per_head=4000",
            "field `site.vms_per_head`",
            "GiB of memory; the limit is 16 GiB",
        ],
    },
    Case {
        id: "runaway-work",
        class: "Events that each touch the whole site, too often",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1y", site: (heads: 100000, vms_per_head: 1), faults: [RandomPartitions(per_year: 1e15, duration: Fixed("0s"), scope: All)])"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `faults[0].per_year`",
            "would run for hours",
            "raise limits.max_events",
        ],
    },
    Case {
        id: "runaway-crash-flaps",
        class: "Routine resets whose bug crashes kill a head's VMs, too often",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1y", site: (heads: 10, vms_per_head: 100000), link: (flaps_per_year: 1e7), supervisor: (crash_on_reset: 1.0))"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `link.flaps_per_year`",
            "would run for hours",
            "the bug's crashes kill",
        ],
    },
    Case {
        id: "runaway-crash-loop",
        class: "A long partition in which the long-reset bug crash-loops big heads",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "2y", site: (heads: 100, vms_per_head: 100000), supervisor: (crash_on_long_reset: 1.0, restart: Fixed("1s"), long_reset_after: "1s"), faults: [Partition(at: "1s", duration: Fixed("1y"), scope: All)])"#,
            ),
        )],
        args: &["validate", "bad.ron"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `faults[0]`",
            "would run for hours",
            "the bug's crashes kill",
        ],
    },
    Case {
        id: "fraction-no-head",
        class: "A Fraction scope that rounds to no head",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 3, vms_per_head: 2), faults: [RandomPartitions(per_year: 6.0, duration: Fixed("1m"), scope: Fraction(0.1))])"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `faults[0].scope`",
            "Fraction(0.1) of the site's 3 heads rounds to 0 heads",
            "the smallest fraction that touches one head is 0.1666",
        ],
    },
    Case {
        id: "fraction-no-head-set",
        class: "A Fraction scope that rounds to no head, from --set",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "validate",
            "ok.ron",
            "--set",
            r#"faults[0]=HeadFailure(at: "1h", scope: Fraction(0.2))"#,
        ],
        code: 2,
        expect: &[
            r#"ok.ron: in --set faults[0]=HeadFailure(at: "1h", scope: Fraction(0.2))"#,
            "field `faults[0].scope`",
            "rounds to 0 heads",
            "is 0.25",
        ],
    },
    Case {
        id: "duplicate-head",
        class: "A head listed twice in a scope",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 3, vms_per_head: 2), faults: [SupervisorCrash(at: "1h", scope: Heads([1, 2, 1]))])"#,
            ),
        )],
        args: &["validate", "bad.ron"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `faults[0].scope`",
            "head 1 is listed twice",
        ],
    },
    Case {
        id: "more-racks-than-heads",
        class: "More racks than heads",
        files: &[(
            "bad.ron",
            Text(r#"(name: "t", horizon: "1d", site: (heads: 3, vms_per_head: 2, racks: 4))"#),
        )],
        args: &["validate", "bad.ron"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `site.racks`",
            "must not exceed site.heads (3), found 4",
        ],
    },
    Case {
        id: "rack-out-of-range",
        class: "A scope naming a rack the site lacks",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 4, vms_per_head: 2, racks: 2), faults: [Partition(at: "1h", duration: "4m", scope: Racks([2]))])"#,
            ),
        )],
        args: &["validate", "bad.ron"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `faults[0].scope`",
            "rack 2 does not exist: the site has racks 0 to 1 (site.racks)",
        ],
    },
    Case {
        id: "rack-fraction-too-small",
        class: "A rack fraction that rounds to no rack",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 4, vms_per_head: 2, racks: 2), faults: [Partition(at: "1h", duration: "4m", scope: RackFraction(0.2))])"#,
            ),
        )],
        args: &["validate", "bad.ron"],
        code: 2,
        expect: &[
            "bad.ron:1:",
            "field `faults[0].scope`",
            "RackFraction(0.2) of the site's 2 racks rounds to 0 racks",
            "the smallest fraction that touches one rack is 0.25",
        ],
    },
    Case {
        id: "several-errors",
        class: "Several mistakes in one file: one line each",
        files: &[(
            "bad.ron",
            Text(
                "(name: \"t\", horizon: \"1d\", site: (heads: 2, vms_per_head: 3),\n link: (flaps_per_year: -1.0),\n brain: (reboot_concurrency: 0),\n faults: [Partition(at: \"2d\", duration: Fixed(\"1m\"), scope: Heads([5]))])",
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "error: bad.ron:2:9: field `link.flaps_per_year`: must be a finite rate",
            "\nerror: bad.ron:3:10: field `brain.reboot_concurrency`: must be at least 1",
            "\nerror: bad.ron:4:",
            "field `faults[0].at`: \"2d\" is not before the horizon",
            "field `faults[0].scope`: head 5 does not exist",
        ],
    },
    Case {
        id: "name-pipe",
        class: "A name that would break the report's tables",
        files: &[(
            "bad.ron",
            Text(r#"(name: "one | two", horizon: "1d", site: (heads: 2, vms_per_head: 3))"#),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:2:",
            "field `name`",
            "holds `|`",
            "1 to 100 printable",
        ],
    },
    Case {
        id: "name-newline-set",
        class: "A name with a newline, from --set",
        files: &[("ok.ron", Text(OK))],
        args: &["validate", "ok.ron", "--set", r#"name="x\nwarning: fake""#],
        code: 2,
        expect: &[
            r#"ok.ron: in --set name="x\nwarning: fake""#,
            "field `name`",
            r"control or invisible character '\n' at character 2",
        ],
    },
    Case {
        id: "name-too-long",
        class: "A name too long for outputs",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "validate",
            "ok.ron",
            "--set",
            "name=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ],
        code: 2,
        expect: &["field `name`", "is 101 characters long"],
    },
    Case {
        id: "bom-error",
        class: "A byte-order mark: accepted, positions unchanged",
        files: &[(
            "bad.ron",
            Bytes(b"\xef\xbb\xbf(name: \"t\", horizon: \"0s\", site: (heads: 2, vms_per_head: 3))"),
        )],
        args: &["validate", "bad.ron"],
        code: 2,
        expect: &["bad.ron:1:13: field `horizon`", "must be longer than 0"],
    },
    Case {
        id: "set-below-no-param",
        class: "--set of a parameter the value does not have",
        files: &[("ok.ron", Text(OK))],
        args: &["validate", "ok.ron", "--set", "brain.boot_time.shape=2"],
        code: 2,
        expect: &[
            "ok.ron: in --set brain.boot_time.shape=2",
            "field `brain.boot_time.shape`",
            "which has no parameter `shape`; its parameters: `mean`, `sigma`",
        ],
    },
    Case {
        id: "set-broker-on-tcp",
        class: "--set of the broker when the transport has none",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "validate",
            "ok.ron",
            "--set",
            "design.transport.broker.failures_per_year=3",
        ],
        code: 2,
        expect: &[
            "field `design.transport.broker.failures_per_year`",
            "design.transport is `Tcp`, which has no broker",
        ],
    },
    Case {
        id: "set-bad-duration",
        class: "--set value that validation refuses: blamed on the --set",
        files: &[(
            "m.ron",
            Text(
                "(\n    name: \"t\",\n    horizon: \"1d\",\n    site: (heads: 2, vms_per_head: 3),\n)",
            ),
        )],
        args: &["validate", "m.ron", "--set", "horizon=5 sec"],
        code: 2,
        expect: &[
            "m.ron: in --set horizon=5 sec: field `horizon`",
            "found \"5 sec\"",
        ],
    },
    Case {
        id: "set-below-unknown",
        class: "--set of an unknown path below a field (nearest suggested)",
        files: &[("ok.ron", Text(OK))],
        args: &["validate", "ok.ron", "--set", "brain.boot_tme.mean=60s"],
        code: 2,
        expect: &[
            "Did you mean `brain.boot_time.mean`?",
            "brain.boot_time.mean, ",
            "brain.failover_time.mean, ",
            "(10 of ",
            "validate --list-paths",
        ],
    },
    Case {
        id: "too-many-replications",
        class: "Too many replications for memory",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "run",
            "ok.ron",
            "-r",
            "18446744073709551615",
            "--out",
            "out",
        ],
        code: 2,
        expect: &["--replications 18446744073709551615: at most 1000000"],
    },
    Case {
        id: "sweep-grid-too-large",
        class: "Sweep grid too large",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "sweep",
            "ok.ron",
            "--param",
            "brain.reboot_concurrency=1..10000:1",
            "--param",
            "site.heads=1..10000:1",
            "--out",
            "out",
        ],
        code: 2,
        expect: &["the --param values make 100000000 grid points; at most 10000"],
    },
    Case {
        id: "merge-device",
        class: "Shard file without end (merge)",
        files: &[],
        args: &["merge", "/dev/zero", "--out", "out"],
        code: 2,
        expect: &["/dev/zero: cannot read the shard file: it is a device, not a file"],
    },
    Case {
        id: "no-such-file",
        class: "Non-existent model file",
        files: &[],
        args: &["run", "missing.ron", "--out", "out"],
        code: 2,
        expect: &["missing.ron: cannot read the model file: no such file"],
    },
    Case {
        id: "directory",
        class: "Unreadable model file: a directory",
        files: &[("models.ron", Dir)],
        args: &["run", "models.ron", "--out", "out"],
        code: 2,
        expect: &["models.ron: cannot read the model file: it is a directory"],
    },
    Case {
        id: "not-utf8",
        class: "Unreadable model file: not UTF-8",
        files: &[("bad.ron", Bytes(b"(name: \"\xff\xfe\", horizon: \"1d\")"))],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &["bad.ron: the model file is not UTF-8 text (invalid byte at offset 8)"],
    },
    Case {
        id: "endless",
        class: "Model file without end (read is bounded)",
        files: &[],
        args: &["validate", "/dev/zero"],
        code: 2,
        expect: &["/dev/zero: the model file is larger than 16 MiB"],
    },
    Case {
        id: "out-is-file",
        class: "--out pointing at a file",
        files: &[("ok.ron", Text(OK)), ("report.txt", Text("keep me\n"))],
        args: &["run", "ok.ron", "-r", "2", "--out", "report.txt"],
        code: 2,
        expect: &["--out report.txt: exists and is not a directory"],
    },
    Case {
        id: "out-not-writable",
        class: "--out a directory that cannot be created or written",
        files: &[("ok.ron", Text(OK)), ("report.txt", Text("keep me\n"))],
        args: &["run", "ok.ron", "-r", "2", "--out", "report.txt/run1"],
        code: 2,
        expect: &["--out report.txt/run1: cannot create the directory"],
    },
    Case {
        id: "out-empty",
        class: "An empty path argument",
        files: &[("ok.ron", Text(OK))],
        args: &["run", "ok.ron", "-r", "2", "--out", ""],
        code: 2,
        expect: &["--out: the path is empty"],
    },
    Case {
        id: "param-twice",
        class: "A path swept twice (rows labelled differently would hold the same results)",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "sweep",
            "ok.ron",
            "--param",
            "brain.reboot_concurrency=1,2",
            "--param",
            "brain.reboot_concurrency=3",
            "-r",
            "2",
        ],
        code: 2,
        expect: &["--param brain.reboot_concurrency: this path is swept twice"],
    },
    Case {
        id: "vary-malformed",
        class: "A `--vary` range without `..`",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "sensitivity",
            "ok.ron",
            "--vary",
            "brain.boot_slowdown_per_boot_on_site=0.05",
            "-r",
            "2",
        ],
        code: 2,
        expect: &[
            "--vary brain.boot_slowdown_per_boot_on_site=0.05: no `..` between the bounds",
            "PATH=LO..HI",
        ],
    },
    Case {
        id: "vary-not-numeric",
        class: "An uncertain path that is not a number",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "sensitivity",
            "ok.ron",
            "--vary",
            "brain.queue_policy=1..2",
            "-r",
            "2",
        ],
        code: 2,
        expect: &[
            "--vary brain.queue_policy=1..2",
            "is a choice, not a number, whole number, duration or distribution",
        ],
    },
    Case {
        id: "uncertain-out-of-range",
        class: "An uncertain range outside what the field allows",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3),
    uncertain: [(path: "supervisor.crash_on_reset", range: (0.0, 2.0))])"#,
            ),
        )],
        args: &["sensitivity", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:",
            "field `uncertain[0].range`",
            "a probability in [0, 1]",
            "found 2",
        ],
    },
    Case {
        id: "uncertain-log-from-zero",
        class: "A log-scale uncertain range from 0",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3),
    uncertain: [(path: "link.flaps_per_year", range: (0.0, 100.0), scale: Log)])"#,
            ),
        )],
        args: &["sensitivity", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:",
            "field `uncertain[0].scale`",
            "a Log scale needs a range above 0",
        ],
    },
    Case {
        id: "change-fixed-path",
        class: "A change that sets a value the model reads only when a run starts",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3),
    changes: [At(at: "1h", set: ["link.flaps_per_year=3"])])"#,
            ),
        )],
        args: &["run", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:",
            "field `changes[0].set[0]`",
            "cannot change during a run",
            "a change may set: supervisor.crash_on_reset",
        ],
    },
    Case {
        id: "change-out-of-range",
        class: "A change whose value is outside what its path allows",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3),
    changes: [Rollout(at: "1h", over: "2h", set: ["supervisor.crash_on_reset=1.5"])])"#,
            ),
        )],
        args: &["run", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:",
            "field `changes[0].set[0]`",
            "a probability in [0, 1], found 1.5",
        ],
    },
    Case {
        id: "change-after-horizon",
        class: "A change that starts at or after the horizon",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3),
    changes: [At(at: "2d", set: ["supervisor.crash_on_reset=0.5"])])"#,
            ),
        )],
        args: &["run", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:",
            "field `changes[0].at`",
            "is not before the horizon",
        ],
    },
    Case {
        id: "drain-without-restart",
        class: "A rollout that drains heads but restarts no supervisor",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3, vm_slots_per_head: 6),
    changes: [Rollout(at: "1h", over: "2h", set: [], drain: LiveMigrate)])"#,
            ),
        )],
        args: &["run", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:",
            "field `changes[0].drain`",
            "restarts none: set `restart_supervisor: true`, or `drain: None`",
        ],
    },
    Case {
        id: "drain-one-head",
        class: "A rollout that drains heads on a site of one head",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 1, vms_per_head: 3, vm_slots_per_head: 6),
    changes: [Rollout(at: "1h", over: "2h", set: [], restart_supervisor: true, drain: LiveMigrate)])"#,
            ),
        )],
        args: &["run", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:",
            "field `changes[0].drain`",
            "needs another head to move the VMs to, and site.heads has 1",
        ],
    },
    Case {
        id: "drain-reboot",
        class: "A rollout drain other than None or LiveMigrate",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3),
    changes: [Rollout(at: "1h", over: "2h", set: [], restart_supervisor: true, drain: Reboot)])"#,
            ),
        )],
        args: &["run", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:87:",
            "field `changes[0].drain`",
            "unknown variant `Reboot`; allowed: `None`, `LiveMigrate`",
        ],
    },
    Case {
        id: "drain-on-at",
        class: "A drain on an `At` change (its restarts are never drained)",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3),
    changes: [At(at: "1h", set: [], restart_supervisor: true, drain: LiveMigrate)])"#,
            ),
        )],
        args: &["run", "bad.ron", "-r", "2"],
        code: 2,
        expect: &[
            "bad.ron:2:63:",
            "field `changes[0].drain`",
            "unknown field `drain`; allowed here: `at`, `set`, `restart_supervisor`",
        ],
    },
    Case {
        id: "uncertain-empty-range",
        class: "An uncertain range whose low bound is not below its high bound",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "sensitivity",
            "ok.ron",
            "--vary",
            "brain.boot_time.mean=90s..30s",
            "-r",
            "2",
        ],
        code: 2,
        expect: &[
            "--vary brain.boot_time.mean=90s..30s",
            "the low bound must be below the high bound",
        ],
    },
    Case {
        id: "nothing-to-vary",
        class: "A sensitivity study with nothing to vary",
        files: &[("ok.ron", Text(OK))],
        args: &["sensitivity", "ok.ron", "-r", "2"],
        code: 2,
        expect: &["ok.ron: nothing to vary", "--vary PATH=LO..HI"],
    },
    Case {
        id: "set-twice",
        class: "An override that would silently replace an earlier one",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "run",
            "ok.ron",
            "-r",
            "2",
            "--set",
            "brain.reboot_concurrency=2",
            "--set",
            "brain.reboot_concurrency=3",
        ],
        code: 2,
        expect: &["it would overwrite --set brain.reboot_concurrency=2"],
    },
    Case {
        id: "shard-with-out",
        class: "A shard asked for a report",
        files: &[("ok.ron", Text(OK))],
        args: &["run", "ok.ron", "-r", "2", "--shard", "0/2", "--out", "out"],
        code: 2,
        expect: &["--shard prints a partial result for `bigvsim merge`, not a report"],
    },
    Case {
        id: "shard-format-text",
        class: "A shard asked for text",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "run", "ok.ron", "-r", "2", "--shard", "0/2", "--format", "text",
        ],
        code: 2,
        expect: &["which is always JSON: drop --format text"],
    },
    Case {
        id: "trace-limit-zero",
        class: "A trace of no line",
        files: &[("ok.ron", Text(OK))],
        args: &["trace", "ok.ron", "--limit", "0"],
        code: 2,
        expect: &["--limit must be at least 1 line"],
    },
    Case {
        id: "same-name-designs",
        class: "Two designs of one name in compare",
        files: &[("ok.ron", Text(OK))],
        args: &["compare", "ok.ron", "ok.ron", "-r", "2"],
        code: 2,
        expect: &["are both named \"ok\"", "--design-set"],
    },
    Case {
        id: "target-unknown-metric",
        class: "Target naming no metric (model file)",
        files: &[(
            "bad.ron",
            Text(
                r#"(name: "t", horizon: "1d", site: (heads: 2, vms_per_head: 3), targets: ["site_recovery_s.p90 <= 1h", "recovery_s.p90 <= 1h"])"#,
            ),
        )],
        args: &["run", "bad.ron", "--out", "out"],
        code: 2,
        expect: &[
            "bad.ron:1:102:",
            "field `targets[1]`",
            "`recovery_s` is not a metric",
            "expected METRIC.STAT<=VALUE",
        ],
    },
    Case {
        id: "target-bad-bound",
        class: "Target with a bound that is not a duration (--target)",
        files: &[("ok.ron", Text(OK))],
        args: &["run", "ok.ron", "--target", "site_recovery_s.p90<=1 hour"],
        code: 2,
        expect: &[
            "--target `site_recovery_s.p90<=1 hour`",
            "expected a duration",
        ],
    },
    Case {
        id: "target-in-sensitivity",
        class: "Target given to sensitivity, which judges none",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "sensitivity",
            "ok.ron",
            "--vary",
            "brain.reboot_concurrency=1..10",
            "--target",
            "full_recovery_s.p90<=1h",
        ],
        code: 2,
        expect: &[
            "--target full_recovery_s.p90<=1h",
            "judges no target",
            "solve",
        ],
    },
    Case {
        id: "target-max",
        class: "Target on a maximum over replications (--target)",
        files: &[("ok.ron", Text(OK))],
        args: &[
            "compare",
            "ok.ron",
            "ok.ron",
            "--design-set",
            "1:brain.reboot_concurrency=2",
            "--target",
            "full_recovery_s.p100<=1h",
        ],
        code: 2,
        expect: &["strictly between p0 and p100", "p99"],
    },
    Case {
        id: "runaway-events",
        class: "Runaway model: event limit (exit 1)",
        files: &[(
            "runaway.ron",
            Text(
                r#"(name: "runaway", horizon: "10y", site: (heads: 50, vms_per_head: 40), link: (flaps_per_year: 3.1536e13, flap_duration: Fixed("1us")))"#,
            ),
        )],
        args: &[
            "run",
            "runaway.ron",
            "-r",
            "2",
            "--set",
            "limits.max_events=200000",
        ],
        code: 1,
        expect: &[
            "runaway.ron: seed 1, replication 0: event limit of 200000 events reached at simulated time ",
            "the model may be a runaway",
            "--set limits.max_events=400000",
            "reproduce with: bigvsim run runaway.ron -r 2 --set limits.max_events=200000",
        ],
    },
    Case {
        id: "observed-unsorted",
        class: "Observation file: times that do not rise",
        files: &[
            ("ok.ron", Text(OK)),
            ("obs.csv", Text("t_s,vms_up\n0,0\n60,3\n60,4\n")),
        ],
        args: &[
            "fit",
            "ok.ron",
            "--observed",
            "obs.csv",
            "--param",
            "brain.boot_time.mean=20s..60s",
            "--out",
            "out",
        ],
        code: 2,
        expect: &[
            "obs.csv:4:1:",
            "t_s = 60 is not after the previous row's 60 (line 3)",
        ],
    },
    Case {
        id: "observed-negative",
        class: "Observation file: a negative count",
        files: &[
            ("ok.ron", Text(OK)),
            ("obs.csv", Text("t_s,vms_down\n0,6\n60,-2\n")),
        ],
        args: &[
            "fit",
            "ok.ron",
            "--observed",
            "obs.csv",
            "--param",
            "brain.boot_time.mean=20s..60s",
            "--out",
            "out",
        ],
        code: 2,
        expect: &["obs.csv:3:4:", "-2 VMs: a count cannot be negative"],
    },
    Case {
        id: "observed-too-many-up",
        class: "Observation file: more VMs up than the model has",
        files: &[
            ("ok.ron", Text(OK)),
            ("obs.csv", Text("t_s,vms_up\n0,0\n60,7\n")),
        ],
        args: &[
            "fit",
            "ok.ron",
            "--observed",
            "obs.csv",
            "--param",
            "brain.boot_time.mean=20s..60s",
            "--out",
            "out",
        ],
        code: 2,
        expect: &["obs.csv:3:4:", "7 VMs up, more than the model's 6"],
    },
    Case {
        id: "observed-empty",
        class: "Observation file: no observations",
        files: &[("ok.ron", Text(OK)), ("obs.csv", Text("# nothing yet\n"))],
        args: &[
            "fit",
            "ok.ron",
            "--observed",
            "obs.csv",
            "--param",
            "brain.boot_time.mean=20s..60s",
            "--out",
            "out",
        ],
        code: 2,
        expect: &["obs.csv:1:1:", "no observations"],
    },
    Case {
        id: "observed-wrong-columns",
        class: "Observation file: an unknown header",
        files: &[("ok.ron", Text(OK)), ("obs.csv", Text("time,up\n0,0\n"))],
        args: &[
            "fit",
            "ok.ron",
            "--observed",
            "obs.csv",
            "--param",
            "brain.boot_time.mean=20s..60s",
            "--out",
            "out",
        ],
        code: 2,
        expect: &[
            "obs.csv:1:1:",
            "expected a header line, `t_s,vms_up` or `t_s,vms_down` or `metric,value,sd`",
        ],
    },
    Case {
        id: "observed-row-width",
        class: "Observation file: a row with the wrong number of fields",
        files: &[
            ("ok.ron", Text(OK)),
            ("obs.csv", Text("t_s,vms_up\n0,0,1\n60,6\n")),
        ],
        args: &[
            "fit",
            "ok.ron",
            "--observed",
            "obs.csv",
            "--param",
            "brain.boot_time.mean=20s..60s",
            "--out",
            "out",
        ],
        code: 2,
        expect: &["obs.csv:2:1:", "3 fields where the curve has 2"],
    },
    Case {
        id: "observed-nan",
        class: "Observation file: NaN",
        files: &[
            ("ok.ron", Text(OK)),
            ("obs.csv", Text("t_s,vms_up\n0,0\nNaN,6\n")),
        ],
        args: &[
            "fit",
            "ok.ron",
            "--observed",
            "obs.csv",
            "--param",
            "brain.boot_time.mean=20s..60s",
            "--out",
            "out",
        ],
        code: 2,
        expect: &["obs.csv:3:1:", "t_s `NaN` is not a finite number"],
    },
    Case {
        id: "observed-unknown-metric",
        class: "Observation file: an unknown metric",
        files: &[
            ("ok.ron", Text(OK)),
            (
                "obs.csv",
                Text("t_s,vms_up\n0,0\n60,6\nmetric,value,sd\nfull_recovery,60,\n"),
            ),
        ],
        args: &[
            "fit",
            "ok.ron",
            "--observed",
            "obs.csv",
            "--param",
            "brain.boot_time.mean=20s..60s",
            "--out",
            "out",
        ],
        code: 2,
        expect: &[
            "obs.csv:5:1:",
            "unknown metric `full_recovery` (did you mean `full_recovery_s`?)",
        ],
    },
];

/// What one case printed.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// A fresh working directory for case `id`, holding the case's files.
fn workdir(case: &Case) -> PathBuf {
    // Tests run in parallel and may run the same case: each run gets its own directory.
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bad-input")
        .join(format!("{}-{}-{n}", case.id, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, content) in case.files {
        let path = dir.join(name);
        match content {
            Text(t) => std::fs::write(path, t).unwrap(),
            Bytes(b) => std::fs::write(path, b).unwrap(),
            Dir => std::fs::create_dir(path).unwrap(),
        }
    }
    dir
}

/// Names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run_case(case: &Case) -> Outcome {
    let dir = workdir(case);
    let before = listing(&dir);
    let started = Instant::now();
    let out = Command::new(bin())
        .args(case.args)
        .current_dir(&dir)
        .output()
        .expect("the binary runs");
    let elapsed = started.elapsed();
    // Nothing written: the directory holds exactly what it held, and files kept
    // their contents.
    assert_eq!(listing(&dir), before, "{}: files were written", case.id);
    for (name, content) in case.files {
        if let Text(t) = content {
            assert_eq!(
                std::fs::read_to_string(dir.join(name)).unwrap(),
                *t,
                "{}: {name} was modified",
                case.id
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed,
    }
}

fn case(id: &str) -> &'static Case {
    CASES
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// Runs the cases and checks exit code, silence on stdout, one `error:` and the
/// expected pieces of the message.
fn check(ids: &[&str]) {
    for id in ids {
        let c = case(id);
        let o = run_case(c);
        let e = &o.stderr;
        assert_eq!(o.code, Some(c.code), "{id}: exit code; stderr:\n{e}");
        assert_eq!(o.stdout, "", "{id}: stdout must stay empty");
        assert!(e.starts_with("error: "), "{id}: {e}");
        assert_eq!(e.matches("error: ").count(), 1, "{id}: one error: {e}");
        assert!(!e.contains("panicked"), "{id}: {e}");
        for piece in c.expect {
            assert!(e.contains(piece), "{id}: missing {piece:?} in:\n{e}");
        }
    }
}

#[test]
fn malformed_ron_points_at_the_mistake() {
    // Proves a missing comma names the line, column and the field before it; an
    // unclosed parenthesis points at the parenthesis that never closes; text after
    // the model and an empty file are explained.
    check(&[
        "missing-comma",
        "unclosed-paren",
        "trailing-text",
        "empty-file",
    ]);
}

#[test]
fn unknown_names_suggest_the_nearest_valid_one() {
    // Proves a misspelt field or variant is refused (not ignored), with the field
    // path, every allowed name and the nearest one.
    check(&["unknown-field", "unknown-variant"]);
}

#[test]
fn missing_field_is_named() {
    // Proves a field without a default that is left out is named with its path.
    check(&["missing-field"]);
}

#[test]
fn wrong_types_say_what_is_expected() {
    // Proves 1.5 for an integer, text for a number and a bare number for a duration
    // or a distribution each say what the field takes and quote what was found.
    check(&[
        "float-for-integer",
        "text-for-number",
        "number-for-duration",
        "number-for-distribution",
    ]);
}

#[test]
fn negative_and_zero_values_are_refused() {
    // Proves negative rates, zero or negative durations and zero or negative counts
    // are refused with the allowed range.
    check(&[
        "negative-rate",
        "zero-duration",
        "negative-duration",
        "zero-count",
        "negative-count",
    ]);
}

#[test]
fn probabilities_nan_and_infinity_are_refused() {
    // Proves a probability above 1, a NaN and an infinite rate are refused.
    check(&["probability", "nan", "infinity"]);
}

#[test]
fn empirical_distributions_must_be_non_empty_and_sorted() {
    // Proves an empty Empirical list is refused, and an unsorted one names the first
    // out-of-order element by index.
    check(&["empirical-empty", "empirical-unsorted"]);
}

#[test]
fn a_brain_that_accepts_no_reconnect_is_refused() {
    // Proves an accept rate of 0 (no head could ever reconnect) is refused with its
    // place in the file and the range allowed; `None` is the way to say unlimited.
    check(&["accept-rate-zero"]);
}

#[test]
fn inconsistent_settings_are_refused() {
    // Proves a per-head boot limit above the global one, a reconnect max below its
    // initial wait and a scheduled fault after the horizon are each refused, naming
    // both values.
    check(&[
        "per-head-above-global",
        "reconnect-max-below-initial",
        "fault-after-horizon",
    ]);
}

#[test]
fn bad_overrides_name_the_set_argument() {
    // Proves an unknown --set path suggests the nearest one and lists the settable
    // paths; an unparsable value, a missing `=` and an out-of-range value each name
    // the --set argument (not a file position).
    check(&[
        "set-unknown-path",
        "set-unparsable",
        "set-no-equals",
        "set-out-of-range",
    ]);
}

#[test]
fn models_too_large_are_refused_before_allocating() {
    // Proves a site that would not fit in memory is refused with the figure it would
    // need (from the file or from --set), and a model whose site-wide events would
    // each touch 100 000 heads a trillion times a year is refused as a runaway before
    // it runs (the event limit alone would let it run for hours). Each answers
    // within seconds, so nothing was allocated or run.
    for id in ["too-large", "too-large-set", "runaway-work"] {
        let o = run_case(case(id));
        assert!(o.elapsed < Duration::from_secs(10), "{id}: {:?}", o.elapsed);
    }
    check(&["too-large", "too-large-set", "runaway-work"]);
}

#[test]
fn settings_that_can_never_act_are_refused() {
    // Proves a Fraction scope that rounds to no head is refused (from the file or from
    // --set), naming the field and the smallest fraction that touches a head, and a
    // head listed twice in a scope is refused.
    check(&["fraction-no-head", "fraction-no-head-set", "duplicate-head"]);
}

#[test]
fn targets_that_cannot_be_judged_are_refused() {
    // Proves a target is checked before anything runs, from the file (placed at the
    // list element's line and column) or from --target: an unknown metric (with the
    // nearest key suggested), a bound that is not a duration, and a maximum over
    // replications, each with what is allowed.
    check(&[
        "target-unknown-metric",
        "target-bad-bound",
        "target-max",
        "target-in-sensitivity",
    ]);
}

#[test]
fn every_mistake_in_a_file_is_reported() {
    // Proves validation goes on after a mistake: four problems in four fields give
    // four `error:` lines, each with its own line and column, in the file's order,
    // with exit code 2 and nothing written.
    let c = case("several-errors");
    let o = run_case(c);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert_eq!(o.stdout, "");
    assert_eq!(o.stderr.lines().count(), 4, "{}", o.stderr);
    assert!(o.stderr.lines().all(|l| l.starts_with("error: bad.ron:")));
    for piece in c.expect {
        assert!(
            o.stderr.contains(piece),
            "missing {piece:?} in:\n{}",
            o.stderr
        );
    }
}

#[test]
fn names_are_printable_and_short() {
    // Proves a model name is checked wherever it comes from: a `|` in the file is
    // placed at its line and column, a newline from --set is named (escaped, so the
    // message stays one line and no fake `error:` line appears) and a 101-character
    // name is refused.
    check(&["name-pipe", "name-newline-set", "name-too-long"]);
}

#[test]
fn a_byte_order_mark_leaves_positions_unchanged() {
    // Proves a UTF-8 byte-order mark is dropped before parsing: the error after it
    // is at column 13, where an editor shows `horizon`, not column 14.
    check(&["bom-error"]);
}

#[test]
fn rack_mistakes_name_the_field_and_what_exists() {
    // Proves site.racks is bounded by the heads, and a rack scope by the racks: a rack
    // index past the last, and a fraction that rounds to no rack, are refused with the
    // range that exists.
    check(&[
        "more-racks-than-heads",
        "rack-out-of-range",
        "rack-fraction-too-small",
    ]);
}

#[test]
fn settings_without_effect_warn() {
    // Proves a legitimate setting that cannot act is accepted with a warning on
    // stderr naming the field and why: a long-reset crash probability when
    // long_reset_after outlasts the horizon, and both boot slowdowns (York's per-head
    // one from the file) with one boot in flight at most.
    let out = bigvsim(&[
        "validate",
        "models/york-2017.ron",
        "--set",
        "supervisor.long_reset_after=2d",
        "--set",
        "brain.reboot_concurrency=1",
        "--set",
        "brain.per_head_concurrency=None",
        "--set",
        "brain.boot_slowdown_per_boot_on_site=0.1",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let warnings: Vec<&str> = err.lines().collect();
    assert_eq!(warnings.len(), 3, "{err}");
    assert!(
        warnings[0].starts_with("warning: models/york-2017.ron:"),
        "{err}"
    );
    assert!(warnings[0].contains("field `supervisor.crash_on_long_reset`: has no effect"));
    assert!(warnings[1].contains(
        "in --set brain.boot_slowdown_per_boot_on_site=0.1: field \
         `brain.boot_slowdown_per_boot_on_site`: has no effect"
    ));
    assert!(
        warnings[2].contains(
            "field `brain.boot_slowdown_per_boot_on_head`: has no effect: at most one boot"
        ),
        "{err}"
    );
}

#[test]
fn set_below_a_field_names_the_set_argument() {
    // Proves --set of a parameter the value lacks names the ones it has, of the broker
    // under Tcp says there is none, of an unreadable value blames the --set argument
    // (not the file's line), and of a typo below a field suggests the nearest path and
    // lists the paths below fields.
    check(&[
        "set-below-no-param",
        "set-broker-on-tcp",
        "set-bad-duration",
        "set-below-unknown",
    ]);
}

#[test]
fn set_reaches_every_field_and_changes_the_result() {
    // Proves the --set paths below fields reach the model: each changes the result
    // of one replication of a model where it matters.
    let result = |model: &str, sets: &[&str]| {
        let mut args = vec!["run", model, "-r", "1", "--format", "json"];
        for s in sets {
            args.extend(["--set", s]);
        }
        let out = bigvsim(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["metrics"].to_string()
    };
    let york = "models/york-2017.ron";
    let base = result(york, &[]);
    for set in [
        r#"faults[0].duration=Fixed("10m")"#,
        "brain.boot_time.mean=60s",
    ] {
        assert_ne!(result(york, &[set]), base, "{set}");
    }
    let failing = ["head.failures_per_year=500"];
    assert_ne!(
        result(york, &[failing[0], "head.repair=1m"]),
        result(york, &[failing[0], "head.repair=4h"]),
        "head.repair"
    );
    let mq = "models/york-2017-message-queue.ron";
    assert_ne!(
        result(mq, &["design.transport.broker.failures_per_year=3000"]),
        result(mq, &[]),
        "design.transport.broker.failures_per_year"
    );
}

#[test]
fn a_bare_duration_means_fixed_in_a_model_file() {
    // Proves `repair: "4h"` where a distribution is wanted reads as `Fixed("4h")` in a
    // file (in a section, in a fault), that an error after such a value on the same
    // line keeps the column the user sees (95, not 95 + the 14 characters of two
    // `Fixed( )`), and that a string that is not a duration is still refused.
    use bigvsim::engine::Dist;
    use bigvsim::scenario::{self, Fault, Location};
    let text = "(name: \"t\", horizon: \"1d\", site: (heads: 2, vms_per_head: 3),\n \
                head: (failures_per_year: 5.0, repair: \"4h\"), brain: (boot_time: \"45s\", \
                reboot_concurrency: 15),\n faults: [Partition(at: \"1h\", duration: \"10m\", \
                scope: All)])";
    let m = scenario::load_str("m.ron", text, &[]).unwrap();
    assert_eq!(m.scenario.head.repair, Dist::Fixed(4 * 3_600_000_000));
    assert_eq!(m.scenario.brain.boot_time, Dist::Fixed(45_000_000));
    let Fault::Partition { duration, .. } = &m.scenario.faults[0] else {
        panic!("{:?}", m.scenario.faults);
    };
    assert_eq!(*duration, Dist::Fixed(600_000_000));
    let bad = text.replace("reboot_concurrency: 15", "reboot_concurrency: 1.5");
    let e = scenario::load_str("m.ron", &bad, &[]).unwrap_err();
    assert_eq!(
        e.error.location,
        Location::At {
            line: 2,
            column: 95
        },
        "{e}"
    );
    let bad = text.replace("\"4h\"", "\"4 hours\"");
    let e = scenario::load_str("m.ron", &bad, &[]).unwrap_err();
    assert!(e.to_string().contains("expected a distribution"), "{e}");
}

#[test]
fn bug_crashes_count_in_the_work_bound() {
    // Proves the work bound counts the VMs each bug crash kills, whatever triggers the
    // reset: a link flap on 10 heads of 100 000 VMs where every reset crashes the
    // supervisor, and one year-long partition in which the long-reset bug crash-loops
    // 100 heads of 100 000 VMs (a crash every 2 s) are each refused up front, in
    // well under a second of work, naming the process and the bug.
    let ids = ["runaway-crash-flaps", "runaway-crash-loop"];
    for id in ids {
        let o = run_case(case(id));
        assert!(o.elapsed < Duration::from_secs(5), "{id}: {:?}", o.elapsed);
    }
    check(&ids);
}

#[test]
fn oversized_requests_are_refused_before_allocating() {
    // Proves a replication count, a sweep grid or an endless shard file that would
    // allocate without bound (or panic on capacity overflow) is refused up front,
    // naming the argument and the limit.
    check(&["too-many-replications", "sweep-grid-too-large"]);
    if Path::new("/dev/zero").exists() {
        check(&["merge-device"]);
    }
}

#[test]
fn unreadable_model_files_are_refused() {
    // Proves a missing file, a directory, a non-UTF-8 file and an endless file
    // (/dev/zero: the read is bounded, so it neither hangs nor fills memory) each
    // get one error naming the path.
    check(&["no-such-file", "directory", "not-utf8"]);
    if Path::new("/dev/zero").exists() {
        check(&["endless"]);
    }
}

#[test]
fn bad_out_paths_are_refused_before_running() {
    // Proves --out naming a file, or a directory that cannot be created (under a
    // file), exits 2 naming the path, and leaves the file untouched.
    check(&["out-is-file", "out-not-writable"]);
}

#[test]
fn arguments_that_would_mislead_are_refused_with_one_line() {
    // Proves each argument that would silently do the wrong thing (an empty path, a
    // path swept or set twice, a shard asked for a report or for text, a trace of no
    // line, two designs of one name) exits 2 with one error line and writes nothing.
    check(&[
        "out-empty",
        "param-twice",
        "set-twice",
        "shard-with-out",
        "shard-format-text",
        "trace-limit-zero",
        "same-name-designs",
    ]);
}

#[cfg(target_os = "linux")]
#[test]
fn out_directory_without_write_permission_is_refused() {
    // Proves --out naming a directory whose parent cannot be written (the report is
    // built beside its target, then renamed into place) exits 2 naming the path and
    // leaves no file there. The parent is /proc, which refuses new entries from every
    // user, root included, so this cannot pass vacuously the way a mode 0555
    // directory would for root. (A directory that cannot even be created, under a
    // regular file, is the out-not-writable case.)
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-input/read-only");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ok.ron"), OK).unwrap();
    let proc_dir = Path::new("/proc");
    assert!(proc_dir.is_dir(), "/proc is not mounted");
    let out = Command::new(bin())
        .args(["run", "ok.ron", "-r", "1", "--out", "/proc/bigvsim-report"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--out /proc/bigvsim-report: cannot write there"),
        "{err}"
    );
    let written: Vec<String> = listing(proc_dir)
        .into_iter()
        .filter(|n| n.contains("bigvsim") || n.ends_with(".md") || n.ends_with(".json"))
        .collect();
    assert!(written.is_empty(), "files written: {written:?}");
}

#[test]
fn runaway_model_stops_at_the_event_limit_with_a_reproducing_command() {
    // Proves a flap every microsecond over ten years stops at the event limit (here
    // lowered so a debug build takes a fraction of a second), exit 1, naming the
    // seed, the replication, the simulated time, how to raise the limit and the
    // command that reproduces it. (Release build, default limit of 50 000 000
    // events: about 3 s.)
    let o = run_case(case("runaway-events"));
    assert!(o.elapsed < Duration::from_secs(20), "{:?}", o.elapsed);
    check(&["runaway-events"]);
}

#[test]
fn check_flag_runs_the_invariant_checker() {
    // Proves --check is accepted by run and a shipped model passes the invariant
    // checker after every event (the checker is not compiled out of any build: the
    // engine calls it whenever the plan asks, see engine::run).
    let out = bigvsim(&["run", "models/york-2017.ron", "-r", "2", "--check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---- docs/errors.md ------------------------------------------------------------------

/// `text` as a Markdown code span that may itself contain backticks.
fn code(text: &str) -> String {
    format!("`` {text} ``")
}

fn cell(text: &str) -> String {
    text.trim_end().replace('|', "\\|").replace('\n', "<br>")
}

fn command_text(c: &Case) -> String {
    let args: Vec<String> = c
        .args
        .iter()
        .map(|a| {
            if a.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "-_./=,:".contains(ch))
            {
                a.to_string()
            } else {
                format!("'{a}'")
            }
        })
        .collect();
    format!("bigvsim {}", args.join(" "))
}

fn input_text(c: &Case) -> String {
    c.files
        .iter()
        .map(|(name, content)| match content {
            Text(t) if t.trim().is_empty() => format!("`{name}`: empty"),
            Text(t) => format!("`{name}`: {}", code(&t.trim_end().replace('\n', "⏎"))),
            Bytes(_) => format!("`{name}`: bytes that are not UTF-8"),
            Dir => format!("`{name}`: a directory"),
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn render_errors_md(outcomes: &[(&Case, Outcome)]) -> String {
    let mut s = String::new();
    s.push_str(
        "# Bad input: what bigvsim says\n\
         \n\
         Every class of bad input, with the message the binary actually prints (generated\n\
         by `tests/it/bad_input.rs`, which runs each case and fails when a message\n\
         drifts from this table; regenerate with `BIGVSIM_BLESS=1 cargo test bad_input`).\n\
         Each case runs in an empty directory holding only its input files.\n\
         \n\
         Bad input exits with code 2, prints one `error:` line on stderr per problem (a\n\
         model file's every invalid field is reported, not only the first) and nothing on\n\
         stdout, and writes nothing (no `--out` directory, no partial file). A run stopped\n\
         by a limit exits with code 1. A message names the file, line and column (or the\n\
         `--set` argument), the field path and what is allowed. A setting that is valid\n\
         but can never act (a long-reset crash probability when `long_reset_after`\n\
         outlasts the horizon, a boot slowdown with one boot in flight at most) is\n\
         accepted with a `warning:` line in the same form.\n\
         \n\
         ## Limits\n\
         \n\
         - `limits.max_events` (default 50 000 000, set in the model or with\n\
         \x20 `--set limits.max_events=N`): a replication handling more events stops with\n\
         \x20 exit 1, naming the seed, replication, simulated time and the command that\n\
         \x20 reproduces it. With the default, a flap every microsecond on 50 heads stops in\n\
         \x20 about 3 s (release build).\n\
         - Simulated time is bounded by `horizon` (at most about 584 942 years, the range\n\
         \x20 of a `u64` of microseconds).\n\
         - Memory is estimated before anything is allocated; a model needing more than\n\
         \x20 16 GiB is refused with the figure.\n\
         - Events that each touch many heads or VMs (site-wide partitions, brain\n\
         \x20 failovers, broker failures, scheduled faults; crashes and hardware failures\n\
         \x20 per VM) are bounded before the run, each link drop counting the VMs that\n\
         \x20 the bug's crashes it triggers would kill (`crash_on_reset`, and the\n\
         \x20 long-reset crash loop): more than 50 × `limits.max_events` (and at least\n\
         \x20 1e8) head and VM updates is refused, as the run would take hours to reach\n\
         \x20 the event limit.\n\
         - Model files larger than 16 MiB are refused unread.\n\
         \n\
         ## Messages\n\
         \n\
         | Class | Input | Command | Exit | Message (stderr) |\n\
         |---|---|---|---|---|\n",
    );
    for (c, o) in outcomes {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(c.class),
            if c.files.is_empty() {
                "(none)".to_string()
            } else {
                cell(&input_text(c))
            },
            cell(&code(&command_text(c))),
            o.code.map_or("signal".to_string(), |c| c.to_string()),
            cell(&o.stderr)
                .split("<br>")
                .map(|l| code(l.trim()))
                .collect::<Vec<_>>()
                .join("<br>")
        ));
    }
    s.push_str(
        "\n## Finding crashes\n\
         \n\
         `tests/it/proptests.rs` generates model texts (valid and mutated) and `--set`\n\
         overrides and runs parse → validate → a short simulation with the invariant\n\
         checker on; any panic, full event queue or broken invariant fails. `cargo test`\n\
         runs 1 000 cases; run more with\n\
         \n\
         ```\n\
         PROPTEST_CASES=1000000 cargo test --release --test main proptests -- --nocapture\n\
         ```\n",
    );
    s
}

#[test]
fn docs_errors_md_matches_the_binary() {
    // Proves docs/errors.md lists every bad-input class with the message the binary
    // prints today: the table is rendered from running every case and must equal the
    // file (BIGVSIM_BLESS=1 rewrites it).
    let outcomes: Vec<(&Case, Outcome)> = CASES
        .iter()
        .filter(|c| !c.args.contains(&"/dev/zero") || Path::new("/dev/zero").exists())
        .map(|c| (c, run_case(c)))
        .collect();
    let rendered = render_errors_md(&outcomes);
    let path = root().join("docs/errors.md");
    if std::env::var_os("BIGVSIM_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &rendered).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    if stored != rendered {
        let first = stored
            .lines()
            .zip(rendered.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(stored.lines().count().min(rendered.lines().count()));
        panic!(
            "docs/errors.md is out of date (first difference at line {}): run \
             BIGVSIM_BLESS=1 cargo test bad_input and review the diff\n  stored:   {:?}\n  \
             binary:   {:?}",
            first + 1,
            stored.lines().nth(first),
            rendered.lines().nth(first)
        );
    }
}

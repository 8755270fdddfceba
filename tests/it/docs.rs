//! The documentation runs as written: every command README.md and docs/*.md show in a
//! ```sh block runs and exits as the text says, and every relative link points at a
//! file (and heading) that exists. The conventions (docs/testing.md, "Commands in the
//! documentation"):
//!
//! - a line in a ```sh block that starts with `bigvsim ` or `cargo run --release -- `
//!   is run with the test binary (a `\` at the end of a line continues it); other lines
//!   (`cargo test`, `sh reports/regenerate.sh`, other tools) are shell-only and skipped;
//! - it must exit 0, unless the line ends with a comment `# exit N`;
//! - a block fenced ```sh no-run (a cluster script, say) or a line ending with
//!   `# not run` is skipped and counted: at most [`MAX_NOT_RUN`] in all;
//! - to stay quick, replications become [`REPLICATIONS`] (added where a command gives
//!   none), `--samples` at most [`SAMPLES`]; `--out DIR` and `> FILE` go to a scratch
//!   directory, and a later argument naming a file written so is pointed there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::common::{bin, root, scratch};

/// Replications a documented command runs with here.
const REPLICATIONS: u64 = 2;
/// The most samples a documented sensitivity study runs with here (above the fewest
/// the shipped York models' nine uncertain parameters need).
const SAMPLES: u64 = 12;
/// How many documented commands may be skipped in all.
const MAX_NOT_RUN: usize = 4;
/// Linked documents other parts of the project write; a link to one is checked only
/// once it exists.
const WRITTEN_ELSEWHERE: &[&str] = &["calibrate.md", "reading-results.md", "reports.md"];

/// One command of the documentation.
#[derive(Debug, PartialEq)]
struct DocCommand {
    /// Where it is, `file:line`.
    at: String,
    /// Its arguments after `bigvsim`, as the shell would split them.
    args: Vec<String>,
    /// `> FILE`: where its stdout goes.
    stdout_to: Option<String>,
    /// The exit code the text gives it.
    code: i32,
}

/// The commands of one document, and how many it marks not to run.
fn commands(file: &str, text: &str) -> (Vec<DocCommand>, usize) {
    let mut found = Vec::new();
    let mut not_run = 0;
    // Inside a fence: `Some(None)` for a block of another language, `Some(Some(runs))`
    // for a ```sh block, whose commands run unless it is marked no-run.
    let mut fence: Option<Option<bool>> = None;
    let mut pending = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => {
                    let info: Vec<&str> = info.split_whitespace().collect();
                    Some((info.first() == Some(&"sh")).then(|| !info.contains(&"no-run")))
                }
            };
            continue;
        }
        let Some(Some(runs)) = fence else { continue };
        if pending.is_empty() {
            start = i + 1;
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let logical = std::mem::take(&mut pending);
        let logical = logical.trim();
        let rest = logical
            .strip_prefix("bigvsim ")
            .or_else(|| logical.strip_prefix("cargo run --release -- "));
        let Some(rest) = rest else { continue };
        let (words, comment) = split(rest);
        let comment = comment.unwrap_or_default();
        if !runs || comment.starts_with("not run") {
            not_run += 1;
            continue;
        }
        let code = comment
            .strip_prefix("exit ")
            .map_or(0, |n| n.trim().parse().expect("`# exit N` with a number"));
        let (args, stdout_to) = match words.iter().position(|w| w == ">") {
            Some(k) => (words[..k].to_vec(), words.get(k + 1).cloned()),
            None => (words, None),
        };
        found.push(DocCommand {
            at: format!("{file}:{start}"),
            args,
            stdout_to,
            code,
        });
    }
    (found, not_run)
}

/// Splits a command line as `sh` would (single and double quotes, no expansion) and
/// returns the words and the comment after an unquoted ` #`, if any.
fn split(line: &str) -> (Vec<String>, Option<String>) {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, '#') if word.is_none() => {
                return (words, Some(line[i + 1..].trim().to_string()));
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    (words, None)
}

/// The commands a study takes replications for.
const REPLICATED: &[&str] = &["run", "compare", "sweep", "solve", "sensitivity"];

/// `args` made quick and pointed at `dir` for what they write ([`DocCommand`]).
fn quick(
    args: &[String],
    dir: &Path,
    n: usize,
    written: &BTreeMap<String, PathBuf>,
) -> Vec<String> {
    let shards = args
        .iter()
        .position(|a| a == "--shard")
        .and_then(|k| args.get(k + 1))
        .and_then(|s| s.split('/').nth(1))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(1);
    let reps = REPLICATIONS.max(shards).to_string();
    let mut out = Vec::new();
    let mut given = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-r" | "--replications" => {
                it.next();
                out.extend([a.clone(), reps.clone()]);
                given = true;
            }
            "--samples" => {
                let k: u64 = it.next().and_then(|v| v.parse().ok()).unwrap_or(SAMPLES);
                out.extend([a.clone(), k.min(SAMPLES).to_string()]);
            }
            "--out" => {
                let d = it.next().expect("--out DIR");
                let to = dir.join(format!("out-{n}-{}", d.replace('/', "_")));
                out.extend([a.clone(), to.to_string_lossy().into_owned()]);
            }
            _ => out.push(
                written
                    .get(a)
                    .map_or(a.clone(), |p| p.to_string_lossy().into_owned()),
            ),
        }
    }
    if !given
        && args
            .first()
            .is_some_and(|c| REPLICATED.contains(&c.as_str()))
    {
        out.extend(["-r".to_string(), reps]);
    }
    out
}

/// Runs every command of the document at `rel` (from the repository root) and checks
/// its exit code; returns how many it marks not to run.
fn check_commands(rel: &str) -> usize {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    let (cmds, not_run) = commands(rel, &text);
    let dir = scratch(&rel.replace('/', "-"));
    let mut written = BTreeMap::new();
    for (n, c) in cmds.iter().enumerate() {
        let args = quick(&c.args, &dir, n, &written);
        let out = Command::new(bin())
            .args(&args)
            .current_dir(root())
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs");
        let code = out.status.code().unwrap_or(-1);
        assert_eq!(
            code,
            c.code,
            "{}: `bigvsim {}` exits {code}, the text says {}; stderr:\n{}",
            c.at,
            args.join(" "),
            c.code,
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(file) = &c.stdout_to {
            let path = dir.join(file);
            std::fs::write(&path, &out.stdout).unwrap();
            written.insert(file.clone(), path);
        }
    }
    not_run
}

/// README.md and every docs/*.md, from the repository root.
fn documents() -> Vec<String> {
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    docs.insert(0, "README.md".to_string());
    docs
}

#[test]
fn readme_commands_run_as_written() {
    check_commands("README.md");
}

#[test]
fn commands_doc_runs_as_written() {
    check_commands("docs/commands.md");
}

#[test]
fn comparing_doc_runs_as_written() {
    check_commands("docs/comparing.md");
}

#[test]
fn studies_doc_runs_as_written() {
    check_commands("docs/studies.md");
}

#[test]
fn models_doc_runs_as_written() {
    check_commands("docs/models.md");
}

/// The documents with a test of their own above (run in parallel).
const OWN_TEST: &[&str] = &[
    "README.md",
    "docs/commands.md",
    "docs/comparing.md",
    "docs/studies.md",
    "docs/models.md",
];

#[test]
fn other_docs_run_as_written() {
    // Every other document (docs/errors.md, docs/testing.md, and any added later).
    for rel in documents() {
        if !OWN_TEST.contains(&rel.as_str()) {
            check_commands(&rel);
        }
    }
}

#[test]
fn few_documented_commands_are_skipped() {
    let mut not_run = 0;
    for rel in documents() {
        let text = std::fs::read_to_string(root().join(&rel)).unwrap();
        not_run += commands(&rel, &text).1;
    }
    assert!(
        not_run <= MAX_NOT_RUN,
        "{not_run} documented commands are not run"
    );
}

#[test]
fn reads_the_conventions() {
    // A continued line is one command; `# exit 2` sets the expected code; a no-run
    // block and a `# not run` line are counted, not returned; other lines are skipped.
    let text = "```sh\ncargo run --release -- run m.ron \\\n    -r 50 --set 'a=b c'\n\
                bigvsim run bad.ron   # exit 2\ncargo test\nbigvsim trace m.ron  # not run\n```\n\
                ```sh no-run\nbigvsim merge part-*.json\n```\n```\nbigvsim run x.ron\n```\n\
                ```sh\nbigvsim run m.ron > out.json\n```\n";
    let (cmds, not_run) = commands("t.md", text);
    assert_eq!(not_run, 2);
    let args: Vec<Vec<&str>> = cmds
        .iter()
        .map(|c| c.args.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        args,
        [
            vec!["run", "m.ron", "-r", "50", "--set", "a=b c"],
            vec!["run", "bad.ron"],
            vec!["run", "m.ron"],
        ]
    );
    assert_eq!(cmds[0].at, "t.md:2");
    assert_eq!([cmds[0].code, cmds[1].code, cmds[2].code], [0, 2, 0]);
    assert_eq!(cmds[2].stdout_to.as_deref(), Some("out.json"));
    // Made quick: -r 50 becomes 2, and a command without one gets it.
    let dir = Path::new("/s");
    let quickened = quick(&cmds[0].args, dir, 0, &BTreeMap::new());
    assert!(
        quickened.windows(2).any(|w| w == ["-r", "2"]),
        "{quickened:?}"
    );
    let added = quick(&cmds[1].args, dir, 1, &BTreeMap::new());
    assert_eq!(added, ["run", "bad.ron", "-r", "2"]);
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a document's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `](target)` of a text outside code blocks and inline code.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Outside inline code: the odd pieces between backticks.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        for piece in prose.split("](").skip(1) {
            if let Some(end) = piece.find(')') {
                out.push(piece[..end].to_string());
            }
        }
    }
    out
}

#[test]
fn every_relative_link_points_at_a_file_and_heading_that_exist() {
    let mut checked = 0;
    for rel in documents() {
        let path = root().join(&rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let base = path.parent().unwrap();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, heading) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                path.clone()
            } else {
                base.join(file)
            };
            let name = target.file_name().unwrap().to_string_lossy().into_owned();
            if !target.exists() && WRITTEN_ELSEWHERE.contains(&name.as_str()) {
                continue;
            }
            assert!(
                target.exists(),
                "{rel}: link `{link}`: no {}",
                target.display()
            );
            if !heading.is_empty() {
                let there = std::fs::read_to_string(&target).unwrap();
                assert!(
                    anchors(&there).contains(&heading.to_string()),
                    "{rel}: link `{link}`: no heading with that anchor"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} links checked");
}

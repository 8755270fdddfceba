//! The command line as clap parses it, and its usage errors as one line each.

use std::process::ExitCode;

use super::Cli;

/// Parses the command line. Every option that takes a value accepts one that starts
/// with `-` (`--tolerance -1s`, `--min-effect -5%`), so the value reaches the
/// option's own check and its message, rather than clap's advice to write `-- -1s`
/// (which would make it a file name). A usage error is printed as one line naming
/// the argument at fault, with the nearest valid spelling when clap knows one.
pub(super) fn parse_arguments() -> Result<Cli, ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    let hyphens = |a: clap::Arg| {
        if a.get_long().is_some() && a.get_action().takes_values() {
            a.allow_hyphen_values(true)
        } else {
            a
        }
    };
    let command = Cli::command().mut_subcommands(|sub| sub.mut_args(hyphens));
    let parsed = command
        .try_get_matches()
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
    parsed.map_err(|e| {
        use clap::error::ErrorKind;
        match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                // Help and version go to stdout with exit 0, as clap prints them.
                let _ = e.print();
                ExitCode::SUCCESS
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = e.print();
                ExitCode::from(2)
            }
            _ => {
                eprintln!("error: {}", usage_error_line(&e.render().to_string()));
                ExitCode::from(2)
            }
        }
    })
}

/// clap's rendered usage error (a first line, indented continuation lines, tips, a
/// usage block) as one line: the first line with its continuations, a tip only when
/// it names a similar valid spelling, and where to read more.
fn usage_error_line(rendered: &str) -> String {
    let mut lines = rendered.lines();
    let first = lines.next().unwrap_or("").trim();
    let mut line = first
        .strip_prefix("error:")
        .unwrap_or(first)
        .trim()
        .to_string();
    let mut continuation = Vec::new();
    let mut tips = Vec::new();
    let mut in_block = true;
    for l in lines {
        let t = l.trim();
        if t.is_empty() {
            in_block = false;
        } else if let Some(tip) = t.strip_prefix("tip:") {
            if tip.contains("similar") || tip.contains("exists") {
                tips.push(tip.trim().to_string());
            }
        } else if in_block && !t.starts_with("Usage:") && !t.starts_with("For more") {
            continuation.push(t.to_string());
        } else {
            in_block = false;
        }
    }
    let line_end = line.trim_end_matches(':').to_string();
    if !continuation.is_empty() {
        line = format!("{line_end}: {}", continuation.join(", "));
    }
    for tip in tips {
        line = format!("{line} ({tip})");
    }
    let sub = std::env::args().nth(1).filter(|a| {
        <Cli as clap::CommandFactory>::command()
            .find_subcommand(a)
            .is_some()
    });
    let help = match sub {
        Some(s) => format!("bigvsim {s} --help"),
        None => "bigvsim --help".to_string(),
    };
    format!("{line}; see `{help}`")
}

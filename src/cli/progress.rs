//! The progress bar on stderr.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub(super) struct Progress {
    enabled: bool,
    started: Instant,
    /// When the bar was last drawn: redrawn at most ten times a second.
    drawn: std::sync::Mutex<Option<Instant>>,
    label: String,
}

impl Progress {
    pub(super) fn new(label: &str, total: u64) -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal() && total > 1,
            started: Instant::now(),
            drawn: std::sync::Mutex::new(None),
            label: label.to_string(),
        }
    }

    pub(super) fn update(&self, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        if let Ok(mut drawn) = self.drawn.lock() {
            let due = drawn.is_none_or(|t| t.elapsed().as_millis() >= 100);
            if !due && done < total {
                return;
            }
            *drawn = Some(Instant::now());
        }
        let width = 30;
        let filled = (done * width / total.max(1)) as usize;
        let secs = self.started.elapsed().as_secs_f64();
        let rate = done as f64 / secs.max(1e-9);
        let left = (total - done) as f64 / rate.max(1e-9);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {done}/{total} replications  {rate:.1}/s  {left:.0} s left ",
            self.label,
            "#".repeat(filled),
            " ".repeat(width as usize - filled)
        );
        if done == total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

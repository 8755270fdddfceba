//! Errors in model files and overrides, as types: a [`FieldError`] says which field is
//! wrong, where the user wrote it and what is allowed; a [`ScenarioError`] adds the
//! model file it belongs to and prints as one line.

/// Where in the user's input a problem was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Somewhere in the file, or nowhere in particular (an unreadable file, a field the
    /// file leaves to its default).
    File,
    /// A 1-based line and column in the model file.
    At { line: usize, column: usize },
    /// The `--set` argument the value came from.
    Set(String),
    /// Another option's argument that set the value, as the option and the
    /// `PATH=VALUE` it applied (`--param brain.reboot_concurrency=40` of a sweep point).
    Arg(Box<str>),
}

/// A problem with one field: its path, where it was written and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// The field path, e.g. `brain.reboot_concurrency` or `faults[0].at`; `None` when
    /// the problem is not about one field (text after the model, an empty file).
    pub path: Option<String>,
    pub location: Location,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl FieldError {
    /// A problem with the field at `path`, not yet placed in the input.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            path: Some(path.into()),
            location: Location::File,
            message: message.into(),
        }
    }

    /// A problem that belongs to no single field.
    pub fn general(location: Location, message: impl Into<String>) -> FieldError {
        FieldError {
            path: None,
            location,
            message: message.into(),
        }
    }

    /// The same problem, blamed on `location`.
    pub fn at(self, location: Location) -> FieldError {
        FieldError { location, ..self }
    }

    /// The same problem in the model file `file`.
    pub fn in_file(self, file: &str) -> ScenarioError {
        ScenarioError {
            file: file.to_string(),
            error: self,
            more: Vec::new(),
        }
    }
}

/// The problems with a model file or its overrides, with where each is: the first
/// in `error`, any others (found by the same validation pass) in `more`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    /// The model file's path as the user gave it.
    pub file: String,
    pub error: FieldError,
    /// Further problems, in the order of the file.
    pub more: Vec<FieldError>,
}

impl ScenarioError {
    /// The same problems, each one that `--set ARG` caused, for an `ARG` of `args`,
    /// blamed on `option` instead: the command applied `ARG` for that option.
    pub fn blame(mut self, option: &'static str, args: &[String]) -> ScenarioError {
        for e in std::iter::once(&mut self.error).chain(self.more.iter_mut()) {
            if let Location::Set(a) = &e.location
                && args.contains(a)
            {
                e.location = Location::Arg(format!("{option} {a}").into());
            }
        }
        self
    }

    /// Every problem in `errors` (the first is `error`), in the model file `file`;
    /// `None` when there are none.
    pub fn all(file: &str, errors: Vec<FieldError>) -> Option<ScenarioError> {
        let mut errors = errors.into_iter();
        let first = errors.next()?;
        Some(ScenarioError {
            more: errors.collect(),
            ..first.in_file(file)
        })
    }

    /// What is wrong and what is allowed, without the place (the first problem).
    pub fn message(&self) -> &str {
        &self.error.message
    }

    /// Every problem as one line each: `file:line:column: field `path`: message`.
    pub fn lines(&self) -> Vec<String> {
        std::iter::once(&self.error)
            .chain(&self.more)
            .map(|e| one_line(&self.file, e))
            .collect()
    }
}

/// One problem in `file` on one line.
fn one_line(file: &str, error: &FieldError) -> String {
    let mut s = printable(file);
    match &error.location {
        Location::File => {}
        Location::At { line, column } => s.push_str(&format!(":{line}:{column}")),
        Location::Set(arg) => s.push_str(&format!(": in --set {}", printable(arg))),
        Location::Arg(arg) => s.push_str(&format!(": in {}", printable(arg))),
    }
    // Whatever text of the user's a path or a message quotes (a name, a path in a
    // list, a target), the error stays on one line.
    if let Some(path) = &error.path {
        s.push_str(&format!(": field `{}`", printable(path)));
    }
    s.push_str(&format!(": {}", printable(&error.message)));
    s
}

/// The first problem on one line; when there are more, a note of how many (use
/// [`ScenarioError::lines`] to show each).
impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", one_line(&self.file, &self.error))?;
        match self.more.len() {
            0 => Ok(()),
            1 => write!(f, " (and 1 more problem)"),
            n => write!(f, " (and {n} more problems)"),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// `text` with control characters (newlines, tabs...) escaped, so an error is one line.
pub fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// What is wrong with `text` as one line of a report table (a recorded override):
/// a control or invisible character, or `|`; None when it may be shown.
pub fn line_problem(text: &str) -> Option<String> {
    if let Some((i, c)) = text.chars().enumerate().find(|(_, c)| invisible(*c)) {
        return Some(format!(
            "holds the control or invisible character {c:?} at character {}",
            i + 1
        ));
    }
    text.contains('|')
        .then(|| "holds `|`, which would split the report's tables".to_string())
}

/// Characters that would break a one-line output or hide what it says: control
/// characters (newlines, tabs, escapes), and invisible formatting such as zero-width
/// spaces, bidirectional overrides and byte-order marks.
pub fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_quoting_a_newline_stays_on_one_line() {
        // A path in a list written with a newline (`uncertain[0].path`, found by the
        // property test) is quoted escaped, so the error is one line.
        let e = FieldError::new("uncertain[0].path", "`a\nb` is not a path of the model")
            .in_file("m.ron");
        let lines = e.lines();
        assert_eq!(lines.len(), 1);
        assert!(!lines[0].contains('\n'), "{}", lines[0]);
        assert!(lines[0].contains("`a\\nb`"), "{}", lines[0]);
    }

    #[test]
    fn displays_file_place_field_and_message_on_one_line() {
        // Proves the one-line form users see for each kind of place: a position is
        // `file:line:column`, an override is `file: in --set ARG` with its newline
        // escaped, and a problem with no field or place is `file: message`.
        let at = FieldError::new("brain.reboot_concurrency", "must be at least 1, found 0")
            .at(Location::At { line: 3, column: 9 })
            .in_file("m.ron");
        assert_eq!(
            at.to_string(),
            "m.ron:3:9: field `brain.reboot_concurrency`: must be at least 1, found 0"
        );
        let set = FieldError::new("horizon", "bad")
            .at(Location::Set("horizon=1\nd".to_string()))
            .in_file("m.ron");
        assert_eq!(
            set.to_string(),
            "m.ron: in --set horizon=1\\nd: field `horizon`: bad"
        );
        let general = FieldError::general(Location::File, "no such file").in_file("x.ron");
        assert_eq!(general.to_string(), "x.ron: no such file");
        assert_eq!(general.message(), "no such file");
    }
}

//! The report.md text of a report's plots: the key plot (the first drawn, shown
//! right after the summary), the others under "Plots", and one line for each chart
//! left out with the reason ("not drawn: `head_incidents` (…): no design had an
//! incident smaller than site-wide"), so a missing file is never a mystery.

/// The Markdown of a report's plots, gathered while they are rendered.
#[derive(Debug, Default)]
pub struct PlotsText {
    key: Option<String>,
    rest: Vec<String>,
    omitted: Vec<String>,
}

impl PlotsText {
    /// A drawn plot's caption and image; the first becomes the key plot.
    pub fn add(&mut self, md: String) {
        if self.key.is_none() {
            self.key = Some(md);
        } else {
            self.rest.push(md);
        }
    }

    /// Plots shown before the others under "Plots" (a sweep's target charts).
    pub fn prepend(&mut self, md: String) {
        if !md.is_empty() {
            self.rest.insert(0, md);
        }
    }

    /// A chart left out: its file stem, what it shows and why it is not drawn.
    pub fn omit(&mut self, key: &str, what: &str, why: &str) {
        self.omitted
            .push(format!("- not drawn: `{key}` ({what}): {why}\n"));
    }

    /// The key plot's Markdown, to follow the summary; empty when none was drawn.
    pub fn key_md(&self) -> String {
        self.key
            .as_ref()
            .map(|k| format!("\n{k}"))
            .unwrap_or_default()
    }

    /// The "Plots" section: the other plots, then the lines of those left out;
    /// empty when there is neither.
    pub fn rest_md(&self) -> String {
        if self.rest.is_empty() && self.omitted.is_empty() {
            return String::new();
        }
        let mut md = String::from("\n## Plots\n\n");
        if self.key.is_some() {
            md.push_str("The key plot is under the summary above.\n\n");
        }
        for p in &self.rest {
            md.push_str(p);
        }
        if !self.omitted.is_empty() {
            md.push_str("Left out, as they would show nothing the tables do not:\n\n");
            for line in &self.omitted {
                md.push_str(line);
            }
            md.push('\n');
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_plot_is_the_key_and_each_omission_has_its_line() {
        let mut t = PlotsText::default();
        t.add("![a](a.png)\n\n".into());
        t.add("![b](b.png)\n\n".into());
        t.omit("c", "c things", "every design has 0 c");
        assert_eq!(t.key_md(), "\n![a](a.png)\n\n");
        let rest = t.rest_md();
        assert!(
            rest.contains("![b](b.png)") && !rest.contains("a.png"),
            "{rest}"
        );
        assert!(rest.contains("- not drawn: `c` (c things): every design has 0 c\n"));
        assert_eq!(PlotsText::default().rest_md(), "");
    }
}

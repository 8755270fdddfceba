//! The model reference of docs/models.md, rendered from the [`schema`](super::schema): a test
//! compares it with docs/models.md between the two marker comments and fails when they
//! differ; `BIGVSIM_BLESS=1 cargo test --lib reference` rewrites that part of docs/models.md.

use super::schema::{CHANGES, DISTRIBUTIONS, FAULTS, FIELDS, Field, Kind, SCOPES, Variant};

/// The comment before the generated part of docs/models.md.
pub const BEGIN: &str = "<!-- model-reference:begin (generated from src/scenario/schema.rs; \
    BIGVSIM_BLESS=1 cargo test --lib reference rewrites it) -->";
/// The comment after it.
pub const END: &str = "<!-- model-reference:end -->";

/// The model reference as Markdown, without the markers.
pub fn markdown() -> String {
    let mut s = String::new();
    s.push_str(
        "A model file is RON. Durations are strings with a unit: `\"90us\"`, `\"250ms\"`, \
         `\"5s\"`,\n`\"4m\"`, `\"2h\"`, `\"365d\"`, `\"1w\"`, `\"1y\"` (365 d), decimals \
         (`\"1.5h\"`) and compounds\n(`\"1h30m\"`). Rates are per year (a year is 365 \
         days). Unknown fields are errors. Only\n`name`, `horizon` and `site` are required; \
         every other section and field has the default\nshown. Every field here can be \
         overridden with `--set PATH=VALUE` (e.g.\n`--set brain.reboot_concurrency=40`), \
         as can a whole section (`--set 'site=(heads: 2,\nvms_per_head: 10)'`) or one \
         fault (`--set 'faults[0]=BrainFailover(at: \"1h\")'`; index\n`faults.len()` \
         appends), and so can a parameter below a field: a distribution's\n\
         (`--set brain.boot_time.mean=60s`), a fault's (`--set 'faults[0].duration=Fixed(\"10m\")'`)\n\
         or the broker's (`--set design.transport.broker.failures_per_year=3`). Where a\n\
         distribution is wanted, a bare duration means `Fixed` (`repair: \"4h\"`,\n\
         `--set head.repair=4h`). A model's `name` is 1 to 100 printable characters without\n\
         `|`; a UTF-8 byte-order mark at the start of a file is ignored.\n\n",
    );
    s.push_str("| field | kind | default | unit | allowed | meaning |\n");
    s.push_str("|---|---|---|---|---|---|\n");
    for field in FIELDS.iter().filter(|f| f.kind != Kind::Section) {
        s.push_str(&field_row(field));
    }
    s.push_str(
        "\nFaults (`at` must be before the horizon; `scope` is one of the scopes below):\n\n",
    );
    s.push_str(&variant_table("fault", FAULTS));
    s.push_str(
        "\nChanges (`at` must be before the horizon; see \"What if the patch rolls out over days?\"):\n\n",
    );
    s.push_str(&variant_table("change", CHANGES));
    s.push_str("\nScopes (which heads a fault touches):\n\n");
    s.push_str(&variant_table("scope", SCOPES));
    s.push_str(
        "\nDistributions (durations in microseconds internally, sampled with `libm` so \
         results are\nthe same on every machine):\n\n",
    );
    s.push_str(&variant_table("distribution", DISTRIBUTIONS));
    // A blank line ends the last table before the closing marker.
    s.push('\n');
    s
}

/// One field's table row.
fn field_row(field: &Field) -> String {
    let default = field
        .default_text()
        .map_or("required".to_string(), |d| format!("`{d}`"));
    let allowed = match field.kind.variants() {
        Some(variants) if matches!(field.kind, Kind::Choice(_)) => variants
            .iter()
            .map(|v| format!("`{}`", v.form))
            .collect::<Vec<_>>()
            .join(", "),
        _ => field.range.allowed().unwrap_or_else(|| "any".to_string()),
    };
    let mut meaning = field.doc.to_string();
    if let Kind::Choice(variants) = field.kind {
        for v in variants {
            meaning.push_str(&format!("; `{}`: {}", v.name, v.doc));
        }
    }
    format!(
        "| `{}` | {} | {} | {} | {} | {} |\n",
        field.path,
        field.kind.name(),
        cell(&default),
        field.unit,
        cell(&allowed),
        cell(&meaning)
    )
}

/// A two-column table of variants: how each is written, and what it means.
fn variant_table(what: &str, variants: &[Variant]) -> String {
    let mut s = format!("| {what} | example | meaning |\n|---|---|---|\n");
    for v in variants {
        let mut meaning = v.doc.to_string();
        let ranged: Vec<String> = v
            .params
            .iter()
            .filter_map(|p| {
                let allowed = p.range.allowed()?;
                let name = if p.name.is_empty() {
                    "the value"
                } else {
                    p.name
                };
                Some(format!("{name} {allowed}"))
            })
            .collect();
        if !ranged.is_empty() {
            meaning.push_str(&format!("; {}", ranged.join(", ")));
        }
        s.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            v.form,
            v.example,
            cell(&meaning)
        ));
    }
    s
}

/// `text` safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `readme` with the text between the markers replaced by `generated`; `None` when
/// the markers are missing.
pub fn replace_between_markers(readme: &str, generated: &str) -> Option<String> {
    let begin = readme.find(BEGIN)? + BEGIN.len();
    let end = readme[begin..].find(END)? + begin;
    Some(format!(
        "{}\n{}{}",
        &readme[..begin],
        generated,
        &readme[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_model_reference_matches_the_schema() {
        // Proves docs/models.md's model reference is the one the schema renders: the
        // text between the markers must equal `markdown()` (BIGVSIM_BLESS=1 rewrites
        // it). Every field of the schema appears in it with its path.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/models.md");
        let readme = std::fs::read_to_string(&path).expect("docs/models.md is readable");
        let generated = markdown();
        for field in FIELDS.iter().filter(|f| f.kind != Kind::Section) {
            assert!(generated.contains(&format!("| `{}` |", field.path)));
        }
        let expected =
            replace_between_markers(&readme, &generated).expect("docs/models.md has the markers");
        if std::env::var_os("BIGVSIM_BLESS").is_some_and(|v| v == "1") {
            std::fs::write(&path, &expected).expect("docs/models.md is writable");
            return;
        }
        if readme != expected {
            let first = readme
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "docs/models.md's model reference is out of date (first difference at line {}): \
                 run BIGVSIM_BLESS=1 cargo test --lib reference and review the diff\n  \
                 docs:      {:?}\n  generated: {:?}",
                first + 1,
                readme.lines().nth(first),
                expected.lines().nth(first)
            );
        }
    }

    #[test]
    fn markers_bound_the_replaced_text() {
        // Proves only the text between the markers is replaced, and that a README
        // without them is reported rather than rewritten.
        let readme = format!("top\n{BEGIN}\nold\n{END}\nbottom\n");
        assert_eq!(
            replace_between_markers(&readme, "new\n").as_deref(),
            Some(format!("top\n{BEGIN}\nnew\n{END}\nbottom\n").as_str())
        );
        assert_eq!(replace_between_markers("no markers", "x"), None);
    }
}

//! The cells every output is built of: aligned text tables (split to fit a width),
//! Markdown tables and JSON numbers. Below every other report module, so each can use
//! them without importing another.

use serde_json::Value;

/// Lays out rows as an aligned text table (first column left, others right).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            if i == 0 {
                out.push_str(c);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(c);
            }
        }
        out.push('\n');
    };
    line(
        &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        &mut out,
    );
    line(
        &width.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
        &mut out,
    );
    for r in rows {
        line(r, &mut out);
    }
    out
}

/// Lays out a table whose first `keep` columns label the rows and whose other columns
/// are split over as many tables as needed (each repeating the label columns) for
/// every line to fit in `width` characters; one table when `width` is None.
pub fn fitted_table(
    keep: usize,
    header: &[String],
    rows: &[Vec<String>],
    width: Option<usize>,
) -> String {
    let col_width = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .chain(header.get(i))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let labels: usize = (0..keep).map(|i| col_width(i) + 2).sum();
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut used = labels;
    for i in keep..header.len() {
        let w = col_width(i) + 2;
        match chunks.last_mut() {
            Some(chunk) if width.is_none_or(|limit| used + w <= limit) => {
                chunk.push(i);
                used += w;
            }
            _ => {
                chunks.push(vec![i]);
                used = labels + w;
            }
        }
    }
    if chunks.is_empty() {
        chunks.push(Vec::new());
    }
    let pick = |cells: &[String], chunk: &[usize]| -> Vec<String> {
        (0..keep)
            .chain(chunk.iter().copied())
            .map(|i| cells.get(i).cloned().unwrap_or_default())
            .collect()
    };
    chunks
        .iter()
        .map(|chunk| {
            let h = pick(header, chunk);
            let refs: Vec<&str> = h.iter().map(String::as_str).collect();
            let body: Vec<Vec<String>> = rows.iter().map(|r| pick(r, chunk)).collect();
            table(&refs, &body)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A markdown table (first column left, others right).
pub fn md_table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|", header.join(" | "));
    for (i, _) in header.iter().enumerate() {
        out.push_str(if i == 0 { "---|" } else { "---:|" });
    }
    out.push('\n');
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out
}

/// A finite number as JSON; NaN and infinities (which JSON lacks) become null.
pub fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

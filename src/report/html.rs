//! report.html: the report.md of a report directory as one self-contained page a
//! browser opens: the same text, its tables as HTML tables and each image as the
//! plot's own SVG inline. No script, no external style sheet, font or address: the
//! file can be mailed or opened offline.
//!
//! It is converted from report.md, so whatever report.md says, report.html says
//! too. The converter knows the Markdown subset reports use: `#` headings,
//! paragraphs, `-` lists, pipe tables (with `---:` for right-aligned columns),
//! fenced code blocks, images `![alt](NAME.png)` (drawn from `NAME.svg`) and, within
//! a line, `` `code` `` and `**bold**`.

/// Inline style: readable on screen and in print, nothing fetched.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;max-width:1060px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.6em;border-bottom:2px solid #4e79a7;padding-bottom:.2em}\
h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ddd}\
h3{font-size:1.1em}\
table{border-collapse:collapse;margin:1em 0;font-size:.9em;display:block;overflow-x:auto}\
th,td{border:1px solid #ccc;padding:.25em .6em;vertical-align:top}\
th{background:#f2f4f7}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\
tr:nth-child(even) td{background:#fafbfc}\
code{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.9em;background:#f2f4f7;padding:0 .2em}\
pre{background:#f2f4f7;padding:.8em;overflow-x:auto;font-size:.85em}pre code{background:none;padding:0}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}\
figcaption{color:#555;font-size:.9em}";

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// One line's inline Markdown: `code` spans and **bold**, the rest escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let parts: Vec<&str> = text.split('`').collect();
    let n = parts.len();
    for (i, part) in parts.iter().enumerate() {
        // With an odd number of backticks the last one is unmatched: the part
        // after it is plain text, its backtick restored.
        if i % 2 == 1 && (n % 2 == 1 || i + 1 < n) {
            out.push_str(&format!("<code>{}</code>", escape(part)));
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            let mut bold = false;
            let pieces: Vec<&str> = part.split("**").collect();
            let pairs = pieces.len() % 2 == 1;
            for (k, piece) in pieces.iter().enumerate() {
                if k > 0 {
                    if pairs {
                        out.push_str(if bold { "</strong>" } else { "<strong>" });
                        bold = !bold;
                    } else {
                        out.push_str("**");
                    }
                }
                out.push_str(&escape(piece));
            }
        }
    }
    out
}

/// The cells of a pipe table row.
fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(|c| c.trim().to_string()).collect()
}

/// Whether a line is a table's separator row (`|---|---:|`).
fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// An image line `![alt](NAME.png)`: its alt text and file name.
fn image(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim().strip_prefix("![")?;
    let (alt, rest) = rest.split_once("](")?;
    let file = rest.strip_suffix(')')?;
    Some((alt, file))
}

/// The SVG of an image, to inline: the same name with `.svg`, from the report's
/// files, its XML prologue dropped.
fn inline_svg(file: &str, alt: &str, files: &[(String, Vec<u8>)]) -> Result<String, String> {
    let stem = file.strip_suffix(".png").unwrap_or(file);
    let name = format!("{stem}.svg");
    let svg = files
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .ok_or_else(|| {
            format!("report.html: report.md shows {file}, but the report has no {name} to inline")
        })?;
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => {
            return Err(format!("report.html: {name} is not an SVG"));
        }
    };
    let labelled = body.replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{}\"", escape(alt)),
        1,
    );
    Ok(format!(
        "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
        labelled.trim_end(),
        escape(alt)
    ))
}

/// report.md as a self-contained HTML page, with each image's SVG from `files`.
pub fn report_html(md: &str, files: &[(String, Vec<u8>)]) -> Result<String, String> {
    let lines: Vec<&str> = md.lines().collect();
    let title = lines
        .iter()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("bigvsim report");
    let mut body = String::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, body: &mut String| {
        if !para.is_empty() {
            let text: Vec<String> = para.iter().map(|l| inline(l.trim())).collect();
            body.push_str(&format!("<p>{}</p>\n", text.join("\n")));
            para.clear();
        }
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        if t.starts_with("```") {
            flush(&mut para, &mut body);
            let mut code = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                code.push(escape(lines[i]));
                i += 1;
            }
            body.push_str(&format!("<pre><code>{}</code></pre>\n", code.join("\n")));
            i += 1;
            continue;
        }
        if t.is_empty() {
            flush(&mut para, &mut body);
        } else if let Some(level) = (1..=6).find(|&n| {
            t.strip_prefix(&"#".repeat(n))
                .is_some_and(|r| r.starts_with(' '))
        }) {
            flush(&mut para, &mut body);
            let text = inline(t[level..].trim());
            body.push_str(&format!("<h{level}>{text}</h{level}>\n"));
        } else if let Some((alt, file)) = image(t) {
            flush(&mut para, &mut body);
            body.push_str(&inline_svg(file, alt, files)?);
        } else if t.starts_with("- ") {
            flush(&mut para, &mut body);
            body.push_str("<ul>\n");
            while i < lines.len() && lines[i].trim_start().starts_with("- ") {
                let item = &lines[i].trim_start()[2..];
                body.push_str(&format!("<li>{}</li>\n", inline(item)));
                i += 1;
            }
            body.push_str("</ul>\n");
            continue;
        } else if t.starts_with('|') && lines.get(i + 1).is_some_and(|l| is_separator(l)) {
            flush(&mut para, &mut body);
            let head = cells(t);
            let right: Vec<bool> = cells(lines[i + 1])
                .iter()
                .map(|c| c.ends_with(':'))
                .collect();
            let class = |k: usize| {
                if right.get(k).copied().unwrap_or(false) {
                    " class=\"num\""
                } else {
                    ""
                }
            };
            body.push_str("<table>\n<thead><tr>");
            for (k, c) in head.iter().enumerate() {
                body.push_str(&format!("<th{}>{}</th>", class(k), inline(c)));
            }
            body.push_str("</tr></thead>\n<tbody>\n");
            i += 2;
            while i < lines.len() && lines[i].trim_start().starts_with('|') {
                body.push_str("<tr>");
                for (k, c) in cells(lines[i]).iter().enumerate() {
                    body.push_str(&format!("<td{}>{}</td>", class(k), inline(c)));
                }
                body.push_str("</tr>\n");
                i += 1;
            }
            body.push_str("</tbody>\n</table>\n");
            continue;
        } else {
            para.push(line);
        }
        i += 1;
    }
    flush(&mut para, &mut body);
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    ))
}

/// The files of a report with report.html added beside report.md (when there is
/// one), converted from it.
pub fn with_html(mut files: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let Some(md) = files
        .iter()
        .find(|(n, _)| n == "report.md")
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    else {
        return Ok(files);
    };
    let html = report_html(&md, &files)?;
    files.push(("report.html".into(), html.into_bytes()));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html_with_the_svg_inline() {
        let md = "# Title & co\n\nA **bold** `a<b` line\nand more.\n\n- one\n- `two`\n\n| a | n |\n|---|---:|\n| x | 1 |\n\n![the plot](p.png)\n\n```text\n<raw>\n```\n";
        let files = vec![(
            "p.svg".to_string(),
            b"<?xml version=\"1.0\"?>\n<svg width=\"10\"><rect/></svg>\n".to_vec(),
        )];
        let html = report_html(md, &files).unwrap();
        for part in [
            "<title>Title &amp; co</title>",
            "<h1>Title &amp; co</h1>",
            "<p>A <strong>bold</strong> <code>a&lt;b</code> line\nand more.</p>",
            "<li><code>two</code></li>",
            "<th class=\"num\">n</th>",
            "<td class=\"num\">1</td>",
            "<svg role=\"img\" aria-label=\"the plot\" width=\"10\"><rect/></svg>",
            "<pre><code>&lt;raw&gt;</code></pre>",
        ] {
            assert!(html.contains(part), "{part} missing from\n{html}");
        }
        assert!(!html.contains("<?xml"));
        // An image without its SVG is an error, not a hole in the page.
        assert!(report_html("![x](missing.png)\n", &files).is_err());
    }
}

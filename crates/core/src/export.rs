//! Papers as citation and spreadsheet formats: BibTeX entries and CSV rows. No I/O.

use crate::Paper;
use crate::record::format_date;

/// The year a paper is cited with: its first submission, else its listing.
fn year(paper: &Paper) -> i32 {
    paper.submitted_on.unwrap_or(paper.listed_on).year()
}

/// A citation key such as `johnson2026deliberative`: the first author's last name, the
/// year and the first long title word, in lower-case ASCII.
pub fn citation_key(paper: &Paper) -> String {
    let ascii = |text: &str| {
        text.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let author = paper
        .authors
        .first()
        .and_then(|a| a.split_whitespace().last())
        .map(ascii)
        .unwrap_or_default();
    let word = paper
        .title
        .split_whitespace()
        .map(ascii)
        .find(|w| w.len() > 3)
        .unwrap_or_default();
    let key = format!("{author}{}{word}", year(paper));
    if key.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        key
    } else {
        format!("arxiv{key}")
    }
}

/// A BibTeX field value: `&`, `%` and `#` escaped; braces kept when they are balanced
/// (so LaTeX such as `{\"u}` survives), else written as `\textbraceleft{}` and
/// `\textbraceright{}`: BibTeX counts braces whatever precedes them, so a stray one
/// could end the field.
fn bib_value(text: &str) -> String {
    let mut depth: i64 = 0;
    let balanced = text.chars().all(|c| {
        depth += match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        };
        depth >= 0
    }) && depth == 0;
    let mut out = String::with_capacity(text.len() + 8);
    for c in text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
    {
        match c {
            '&' | '%' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '{' if !balanced => out.push_str("\\textbraceleft{}"),
            '}' if !balanced => out.push_str("\\textbraceright{}"),
            '\n' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Entries for several papers, with citation keys made unique (`…a`, `…b`).
pub fn bibtex_all(papers: &[Paper]) -> String {
    let mut used: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let entries: Vec<String> = papers
        .iter()
        .map(|paper| {
            let key = citation_key(paper);
            let count = used.entry(key.clone()).or_insert(0);
            *count += 1;
            let unique = if *count == 1 {
                key
            } else {
                format!("{key}{}", suffix(*count - 1))
            };
            entry(paper, &unique)
        })
        .collect();
    entries.join("\n")
}

/// 1 → `a`, 26 → `z`, 27 → `aa`.
fn suffix(mut n: u32) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
    }
    out.iter().rev().collect()
}

/// One `@misc` entry in the form arXiv's own export uses (eprint, archivePrefix,
/// primaryClass), plus DOI and journal reference when known.
pub fn bibtex(paper: &Paper) -> String {
    entry(paper, &citation_key(paper))
}

fn entry(paper: &Paper, key: &str) -> String {
    let mut fields = vec![
        ("title", bib_value(&paper.title)),
        ("author", bib_value(&paper.authors.join(" and "))),
        ("year", year(paper).to_string()),
        ("eprint", paper.id.base().to_owned()),
        ("archivePrefix", "arXiv".to_owned()),
    ];
    if let Some(primary) = paper.primary_category() {
        fields.push(("primaryClass", bib_value(primary)));
    }
    fields.push(("url", paper.id.abs_url()));
    if let Some(doi) = &paper.doi {
        fields.push(("doi", bib_value(doi)));
    }
    if let Some(journal) = &paper.journal_ref {
        fields.push(("note", bib_value(journal)));
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("  {k} = {{{v}}}"))
        .collect();
    format!("@misc{{{key},\n{}\n}}\n", body.join(",\n"))
}

/// The CSV header matching [`csv_row`].
pub const CSV_HEADER: &str =
    "id,title,authors,categories,listed_on,submitted_on,abs_url,pdf_url,code,abstract\r\n";

/// One RFC 4180 row. Cells that a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`) are prefixed with `'`.
pub fn csv_row(paper: &Paper) -> String {
    let code: Vec<&str> = paper.links.iter().map(|l| l.url.as_str()).collect();
    let cells = [
        paper.id.to_string(),
        paper.title.clone(),
        paper.authors.join("; "),
        paper.categories.join(" "),
        format_date(paper.listed_on),
        paper.submitted_on.map(format_date).unwrap_or_default(),
        paper.id.abs_url(),
        paper.id.pdf_url(),
        code.join(" "),
        paper.abstract_text.clone(),
    ];
    let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    format!("{}\r\n", quoted.join(","))
}

fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_record;
    use time::macros::date;

    fn paper(line: &str) -> Paper {
        parse_record(line.as_bytes(), date!(2026 - 11 - 27)).unwrap()
    }

    #[test]
    fn bibtex_entries_follow_arxivs_form() {
        let p = paper(
            r#"{"id":"2606.00007","title":"Deliberative Curation: A Protocol for 100% & #1 Bases","authors":["Steven Johnson","Ana Wübben"],"categories":["cs.AI"],"first_listed":"2026-06-02","doi":"10.1/x_y"}"#,
        );
        let entry = bibtex(&p);
        assert!(
            entry.starts_with("@misc{johnson2026deliberative,\n"),
            "{entry}"
        );
        assert!(
            entry.contains(
                "  title = {Deliberative Curation: A Protocol for 100\\% \\& \\#1 Bases},"
            )
        );
        assert!(entry.contains("  author = {Steven Johnson and Ana Wübben},"));
        assert!(entry.contains(
            "  eprint = {2606.00007},\n  archivePrefix = {arXiv},\n  primaryClass = {cs.AI},"
        ));
        assert!(entry.contains("  doi = {10.1/x_y}"));
        assert!(entry.ends_with("}\n"));
    }

    #[test]
    fn keys_are_unique_within_an_export() {
        let a = paper(
            r#"{"id":"2606.00001","title":"Towards Things","authors":["Li Wang"],"first_listed":"2026-06-02"}"#,
        );
        let b = paper(
            r#"{"id":"2606.00002","title":"Towards Stuff","authors":["Wei Wang"],"first_listed":"2026-06-02"}"#,
        );
        let all = bibtex_all(&[a.clone(), b, a]);
        assert!(
            all.contains("@misc{wang2026towards,")
                && all.contains("@misc{wang2026towardsa,")
                && all.contains("@misc{wang2026towardsb,")
        );
        assert_eq!(suffix(27), "aa");
    }

    #[test]
    fn stray_braces_cannot_end_a_field() {
        assert_eq!(
            bib_value("a} @misc{evil"),
            "a\\textbraceright{} @misc\\textbraceleft{}evil"
        );
        assert_eq!(bib_value(r#"M{\"u}ller"#), r#"M{\"u}ller"#);
    }

    #[test]
    fn csv_quotes_and_guards_formulas() {
        let p = paper(
            r#"{"id":"2606.00007","title":"=HYPERLINK(\"x\") \"quoted\"","authors":["A"],"first_listed":"2026-06-02","abstract":"line one\nline, two"}"#,
        );
        let row = csv_row(&p);
        assert!(
            row.starts_with("\"2606.00007\",\"'=HYPERLINK(\"\"x\"\") \"\"quoted\"\"\",\"A\""),
            "{row}"
        );
        assert!(row.ends_with("\"line one\nline, two\"\r\n"));
        assert_eq!(
            CSV_HEADER.split(',').count(),
            row.matches("\",\"").count() + 1
        );
    }
}

//! Reading arXiv ids out of what members import: a BibTeX file (ids from the `eprint`,
//! `url` and `doi` fields, then `journal`/`note`) or a plain list of ids and arXiv URLs.
//! A broken entry is reported with its number and the reason, and reading goes on with
//! the next one: one bad entry never loses the others.

use paperstand_core::ArxivId;

/// What one entry of an import gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An arXiv id.
    Paper(ArxivId),
    /// Not usable; the reason, with the entry's key when known.
    Problem(String),
}

/// The entries of an import: BibTeX when the text has an `@type{`, else a list of ids.
pub fn read_import(text: &str) -> Vec<Entry> {
    if looks_like_bibtex(text) {
        read_bibtex(text)
    } else {
        read_id_list(text)
    }
}

fn looks_like_bibtex(text: &str) -> bool {
    text.match_indices('@').any(|(at, _)| {
        let rest = &text[at + 1..];
        let name_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
        name_len > 0 && rest[name_len..].trim_start().starts_with(['{', '('])
    })
}

/// One id or arXiv URL per line (or separated by spaces or commas); blank lines and
/// lines starting with `#` are skipped.
pub fn read_id_list(text: &str) -> Vec<Entry> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .flat_map(|line| line.split([' ', ',', '\t', ';']))
        .filter(|token| !token.is_empty())
        .map(|token| match id_in(token) {
            Some(id) => Entry::Paper(id),
            None => Entry::Problem(format!("{:?} is not an arXiv id", shorten(token))),
        })
        .collect()
}

/// The entries of a BibTeX file. `@comment`, `@preamble` and `@string` are skipped; any
/// other type is read (an unknown type is fine if it names an arXiv paper).
pub fn read_bibtex(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let (entry, next) = split_entry(&rest[at + 1..]);
        rest = next;
        match entry {
            Raw::Skip => {}
            Raw::Broken(reason) => entries.push(Entry::Problem(reason)),
            Raw::Body { kind, body } => entries.push(read_entry(&kind, body)),
        }
    }
    entries
}

/// An entry cut out of the file.
enum Raw<'a> {
    Skip,
    Broken(String),
    Body { kind: String, body: &'a str },
}

/// Cuts the entry after an `@`: its type and the text between its braces. An entry whose
/// braces do not close before the next line starting with `@` is broken; reading goes
/// on at that line.
fn split_entry(text: &str) -> (Raw<'_>, &str) {
    let kind: String = text
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase();
    let after = text[kind.len()..].trim_start();
    let open = match after.chars().next() {
        Some(c @ ('{' | '(')) => c,
        _ => return (Raw::Skip, &text[kind.len()..]),
    };
    let close = if open == '{' { '}' } else { ')' };
    let body_start = &after[1..];
    let mut depth = 0i32;
    let mut line_start = true;
    for (i, c) in body_start.char_indices() {
        if line_start && c == '@' {
            let problem = format!(
                "@{kind} entry {}: its braces never close",
                key_of(body_start)
            );
            return (Raw::Broken(problem), &body_start[i..]);
        }
        if !c.is_whitespace() {
            line_start = false;
        }
        match c {
            '\n' => line_start = true,
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c == close && depth == 0 => {
                let body = &body_start[..i];
                let next = &body_start[i + c.len_utf8()..];
                if matches!(kind.as_str(), "comment" | "preamble" | "string") {
                    return (Raw::Skip, next);
                }
                return (Raw::Body { kind, body }, next);
            }
            _ => {}
        }
    }
    let problem = format!(
        "@{kind} entry {}: the file ends inside it",
        key_of(body_start)
    );
    (Raw::Broken(problem), "")
}

fn key_of(body: &str) -> String {
    let key: String = body
        .split([',', '\n'])
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .take(60)
        .collect();
    if key.is_empty() {
        "(no key)".to_owned()
    } else {
        format!("{key:?}")
    }
}

/// Reads the fields of one entry and finds its arXiv id.
fn read_entry(kind: &str, body: &str) -> Entry {
    let key = key_of(body);
    let fields = match fields(body.split_once(',').map_or("", |(_, f)| f)) {
        Ok(fields) => fields,
        Err(reason) => return Entry::Problem(format!("@{kind} entry {key}: {reason}")),
    };
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let id = [
        "eprint",
        "arxivid",
        "url",
        "doi",
        "journal",
        "note",
        "howpublished",
    ]
    .iter()
    .filter_map(|name| value(name))
    .find_map(id_in);
    match id {
        Some(id) => Entry::Paper(id),
        None => Entry::Problem(format!(
            "@{kind} entry {key}: no arXiv id in its eprint, url or doi fields"
        )),
    }
}

/// `name = value` pairs; values in braces (nested), quotes, or bare (numbers, macros).
fn fields(mut text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    loop {
        text = text.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if text.is_empty() {
            return Ok(out);
        }
        let name_len = text
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.')))
            .unwrap_or(text.len());
        let name = &text[..name_len];
        let after = text[name_len..].trim_start();
        let Some(after) = after.strip_prefix('=') else {
            return Err(format!("expected `=` after the field {:?}", shorten(name)));
        };
        let (value, next) = field_value(after.trim_start())?;
        out.push((name.to_owned(), value));
        text = next;
    }
}

fn field_value(text: &str) -> Result<(String, &str), String> {
    let mut value = String::new();
    let mut rest = text;
    loop {
        let (part, next) = match rest.chars().next() {
            Some('{') => delimited(rest, '{', '}')?,
            Some('"') => delimited(rest, '"', '"')?,
            _ => {
                let end = rest.find([',', '#']).unwrap_or(rest.len());
                (rest[..end].trim(), &rest[end..])
            }
        };
        value.push_str(part);
        let next = next.trim_start();
        match next.strip_prefix('#') {
            Some(more) => rest = more.trim_start(),
            None => return Ok((value, next)),
        }
    }
}

/// The text between `open` at the start of `text` and its closing `close` (braces nest).
fn delimited(text: &str, open: char, close: char) -> Result<(&str, &str), String> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            '{' if open == '"' || c == open => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c == close && depth == 0 => return Ok((&text[1..i], &text[i + 1..])),
            _ => {}
        }
    }
    Err("a value's braces or quotes never close".to_owned())
}

/// The arXiv id in a field or token: a bare id (`2503.11731`, `arXiv:2503.11731v2`,
/// `hep-th/9901001`), an arxiv.org URL, or arXiv's DOI (`10.48550/arXiv.2503.11731`).
pub fn id_in(text: &str) -> Option<ArxivId> {
    let text = text
        .trim()
        .trim_matches(|c| matches!(c, '{' | '}' | '"' | '<' | '>'));
    let lower = text.to_ascii_lowercase();
    let candidates = [
        lower.find("arxiv.org/abs/").map(|i| &text[i + 14..]),
        lower.find("arxiv.org/pdf/").map(|i| &text[i + 14..]),
        lower.find("10.48550/arxiv.").map(|i| &text[i + 15..]),
        lower.find("arxiv:").map(|i| &text[i + 6..]),
        Some(text),
    ];
    candidates.into_iter().flatten().find_map(|candidate| {
        let token = candidate
            .trim()
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '}' | '?' | '#'))
            .next()?
            .trim_end_matches(".pdf");
        token.parse::<ArxivId>().ok().map(|id| id.without_version())
    })
}

fn shorten(text: &str) -> String {
    text.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn papers(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .filter_map(|e| match e {
                Entry::Paper(id) => Some(id.to_string()),
                Entry::Problem(_) => None,
            })
            .collect()
    }

    #[test]
    fn ids_come_from_eprint_url_and_doi() {
        let text = r#"
@misc{a, title = {A {nested} title}, eprint = {2503.11731v2}, archivePrefix = {arXiv}}
@article{b, title = "Quoted", url = {https://arxiv.org/abs/2501.00001}}
@inproceedings{c, doi = {10.48550/arXiv.2502.00002}, year = 2025}
@online(d, url = "https://arxiv.org/pdf/2504.00003v1.pdf")
@weirdtype{e, journal = {arXiv preprint arXiv:2505.00004}}
@comment{ignore me @misc{x, eprint={2599.99999}} }
"#;
        let entries = read_import(text);
        assert_eq!(
            papers(&entries),
            [
                "2503.11731",
                "2501.00001",
                "2502.00002",
                "2504.00003",
                "2505.00004"
            ]
        );
        assert_eq!(entries.len(), 5);
    }

    #[test]
    fn broken_entries_are_reported_and_the_rest_is_read() {
        let text = "@misc{broken, title = {Never closed, eprint = {2503.00001}\n\
                    @misc{good, eprint = {2503.00002}}\n\
                    @book{nothing, title = {A book}}\n\
                    @misc{bad field, eprint 2503.00003}\n\
                    @misc{tail, eprint = {2503.00004}";
        let entries = read_import(text);
        assert_eq!(papers(&entries), ["2503.00002"]);
        let problems: Vec<&String> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Problem(p) => Some(p),
                Entry::Paper(_) => None,
            })
            .collect();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("\"broken\"") && problems[0].contains("never close"));
        assert!(problems[1].contains("no arXiv id"));
        assert!(problems[2].contains("expected `=`"));
        assert!(problems[3].contains("ends inside it"));
    }

    #[test]
    fn a_plain_list_takes_ids_and_urls() {
        let entries = read_import(
            "# my list\n2503.11731\nhttps://arxiv.org/abs/2501.00001v3, arXiv:hep-th/9901001\nnot-an-id\n",
        );
        assert_eq!(
            papers(&entries),
            ["2503.11731", "2501.00001", "hep-th/9901001"]
        );
        assert_eq!(entries.len(), 4);
        assert!(matches!(&entries[3], Entry::Problem(p) if p.contains("not-an-id")));
    }
}

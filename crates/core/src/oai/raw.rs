//! The `arXivRaw` format: arXiv's own record, with every version (date, size, source
//! flags), the submitter and the author string as submitted.

use super::fields::{self, Fields, MetadataResult, push_class, rfc2822_day, says_withdrawn};
use super::xml::{Fatal, XmlCursor, attribute, local_name};
use crate::Version;

/// One `<version>` as written: its number and the flags the withdrawn rule needs.
#[derive(Debug)]
struct RawVersion {
    number: u32,
    size: String,
    source_type: String,
}

/// Reads the `<arXivRaw>` element the cursor has just entered.
pub(crate) fn read(doc: &mut XmlCursor<'_>) -> Result<MetadataResult, Fatal> {
    let mut f = Fields::default();
    let mut raw_versions = Vec::new();
    let mut problem = None;
    while let Some(element) = doc.child()? {
        let name = local_name(&element);
        if name == "version" {
            match read_version(doc, attribute(&element, "version"))? {
                Ok((version, raw)) => {
                    f.versions.push(version);
                    raw_versions.push(raw);
                }
                Err(reason) => {
                    problem.get_or_insert(reason);
                }
            }
            continue;
        }
        let text = doc.text()?;
        match name {
            "id" => f.id = Some(text.into_owned()),
            "submitter" => f.submitter = Some(text.into_owned()),
            "title" => f.title = Some(text.into_owned()),
            "authors" => f.authors = fields::split_authors(&text),
            "categories" => f.categories = text.split_whitespace().map(str::to_owned).collect(),
            "comments" => f.comment = Some(text.into_owned()),
            "msc-class" | "acm-class" => push_class(&mut f.classes, &text),
            "journal-ref" => f.journal_ref = Some(text.into_owned()),
            "doi" => f.doi = Some(text.into_owned()),
            "license" => f.license = Some(text.into_owned()),
            "abstract" => f.abstract_text = Some(text.into_owned()),
            _ => {}
        }
    }
    if let Some(reason) = problem {
        return Ok(Err(reason));
    }
    f.withdrawn = is_withdrawn(&f, &raw_versions);
    Ok(Ok(f))
}

/// A `<version version="vN">` with its `<date>`, `<size>` and `<source_type>`.
fn read_version(
    doc: &mut XmlCursor<'_>,
    label: Option<String>,
) -> Result<Result<(Version, RawVersion), String>, Fatal> {
    let mut date_text = None;
    let mut size = String::new();
    let mut source_type = String::new();
    while let Some(element) = doc.child()? {
        match local_name(&element) {
            "date" => date_text = Some(doc.text()?.into_owned()),
            "size" => size = doc.text()?.trim().to_owned(),
            "source_type" => source_type = doc.text()?.trim().to_owned(),
            _ => doc.skip()?,
        }
    }
    let label = label.unwrap_or_default();
    let number = label
        .trim()
        .strip_prefix('v')
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|&n| n > 0);
    let Some(number) = number else {
        return Ok(Err(format!("a version is labelled {label:?}, not vN")));
    };
    let Some(date) = date_text.as_deref().and_then(rfc2822_day) else {
        return Ok(Err(format!(
            "the date of v{number} ({:?}) is not an RFC 2822 date",
            date_text
                .unwrap_or_default()
                .chars()
                .take(40)
                .collect::<String>()
        )));
    };
    let raw = RawVersion {
        number,
        size,
        source_type,
    };
    Ok(Ok((
        Version {
            version: number,
            date,
        },
        raw,
    )))
}

/// The withdrawn rule (see [`super::HarvestedRecord::withdrawn`]): the latest version
/// carries the `I` source flag, or it is `0kb` and a withdrawal notice is present.
/// `0kb` alone isn't enough: tiny real versions round down to `0kb` too.
fn is_withdrawn(f: &Fields, versions: &[RawVersion]) -> bool {
    let Some(latest) = versions.iter().max_by_key(|v| v.number) else {
        return false;
    };
    if latest.source_type.contains('I') {
        return true;
    }
    let empty = latest.size.eq_ignore_ascii_case("0kb");
    let notice = [&f.comment, &f.abstract_text]
        .into_iter()
        .flatten()
        .any(|text| says_withdrawn(text));
    empty && notice
}

//! The `oai_dc` format (Dublin Core), as arXiv writes it:
//!
//! - `dc:creator` is `Keyname Suffix, Forenames`; it becomes `Forenames Keyname
//!   Suffix`, the display order the other formats use (a name without a comma, such
//!   as a collaboration, is kept as is). Order is kept.
//! - `dc:subject` holds category *names* ("Computer Vision and Pattern Recognition"),
//!   which are ambiguous ("Information Theory" is both cs.IT and math.IT), so they
//!   are not mapped. The categories come from the header's `setSpec`s instead, which
//!   arXiv lists in category order, primary first (`cs:cs:CV` → `cs.CV`). Subjects
//!   made of MSC / ACM codes (`35P15; 53C20`) become classes.
//! - The first `dc:description` is the abstract, the second the comments (older
//!   responses prefix it with `Comment:`, which is removed).
//! - The first `dc:date` is v1's date; the second, when present, is the latest
//!   version's, whose number isn't given, so it is not used.
//! - `dc:identifier`s: the abs URL gives the id, `doi:…` the DOI, any other
//!   non-URL text the journal reference.

use super::fields::{Fields, MetadataResult, rfc3339_day, says_withdrawn};
use super::xml::{Fatal, XmlCursor, local_name};
use crate::{ArxivId, Version};

/// Reads the `<oai_dc:dc>` element the cursor has just entered.
pub(crate) fn read(doc: &mut XmlCursor<'_>) -> Result<MetadataResult, Fatal> {
    let mut f = Fields::default();
    let mut first_date = None;
    while let Some(element) = doc.child()? {
        let name = local_name(&element);
        let text = doc.text()?;
        match name {
            "title" => f.title = Some(text.into_owned()),
            "creator" => f.authors.push(display_name(&text)),
            "subject" if is_class_list(&text) => f.classes.push(text.trim().to_owned()),
            "description" => add_description(&mut f, &text),
            "date" => {
                first_date.get_or_insert_with(|| text.into_owned());
            }
            "identifier" => add_identifier(&mut f, &text),
            _ => {}
        }
    }
    if let Some(text) = first_date {
        match rfc3339_day(&text) {
            Some(date) => f.versions.push(Version { version: 1, date }),
            None => return Ok(Err(format!("its dc:date {text:?} is not a date"))),
        }
    }
    f.withdrawn = f.comment.as_deref().is_some_and(says_withdrawn);
    Ok(Ok(f))
}

/// `Keyname Suffix, Forenames` → `Forenames Keyname Suffix`.
fn display_name(creator: &str) -> String {
    match creator.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => {
            format!("{} {}", first.trim(), last.trim())
        }
        Some((last, _)) => last.trim().to_owned(),
        None => creator.trim().to_owned(),
    }
}

fn add_description(f: &mut Fields, text: &str) {
    let trimmed = text.trim();
    if let Some(comment) = trimmed.strip_prefix("Comment:") {
        f.comment.get_or_insert_with(|| comment.trim().to_owned());
    } else if f.abstract_text.is_none() {
        f.abstract_text = Some(text.to_owned());
    } else if f.comment.is_none() {
        f.comment = Some(trimmed.to_owned());
    }
}

fn add_identifier(f: &mut Fields, text: &str) {
    let text = text.trim();
    if let Some(doi) = text.strip_prefix("doi:") {
        f.doi.get_or_insert_with(|| doi.trim().to_owned());
    } else if text.starts_with("http://") || text.starts_with("https://") {
        if f.id.is_none()
            && let Ok(id) = text.parse::<ArxivId>()
        {
            f.id = Some(id.to_string());
        }
    } else if !text.is_empty() {
        f.journal_ref.get_or_insert_with(|| text.to_owned());
    }
}

/// MSC / ACM codes separated by `,` or `;`: each part is short, has no spaces,
/// holds a digit and starts with a capital or a digit (`68T05`, `I.2.7`, `62-08`).
/// Subject names ("Optics") hold no digit.
fn is_class_list(text: &str) -> bool {
    let mut parts = text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let mut any = false;
    let all = parts.all(|p| {
        any = true;
        p.len() <= 16
            && p.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit())
            && p.bytes().any(|b| b.is_ascii_digit())
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    });
    any && all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creators_become_display_names() {
        assert_eq!(display_name("Schlei, B. R."), "B. R. Schlei");
        assert_eq!(
            display_name("Tiong, Melvin Leok Boon"),
            "Melvin Leok Boon Tiong"
        );
        assert_eq!(
            display_name("Rodrigues Jr, Waldyr A."),
            "Waldyr A. Rodrigues Jr"
        );
        assert_eq!(display_name("ATLAS Collaboration"), "ATLAS Collaboration");
        assert_eq!(display_name("Smith,"), "Smith");
    }

    #[test]
    fn class_subjects() {
        assert!(is_class_list("35P15; 53C20"));
        assert!(is_class_list("I.2.10, D.1.3, G.1.2"));
        assert!(!is_class_list("Optics"));
        assert!(!is_class_list("Computer Vision and Pattern Recognition"));
        assert!(!is_class_list(" ; "));
    }
}

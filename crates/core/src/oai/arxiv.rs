//! The `arXiv` format: authors split into `keyname` / `forenames` / `suffix`, a
//! `<created>` date, no version list.

use super::fields::{Fields, MetadataResult, push_class, rfc3339_day, says_withdrawn};
use super::xml::{Fatal, XmlCursor, local_name};
use crate::record::collapse_whitespace;

/// Reads the `<arXiv>` element the cursor has just entered.
pub(crate) fn read(doc: &mut XmlCursor<'_>) -> Result<MetadataResult, Fatal> {
    let mut f = Fields::default();
    let mut created = None;
    while let Some(element) = doc.child()? {
        let name = local_name(&element);
        if name == "authors" {
            f.authors = read_authors(doc)?;
            continue;
        }
        let text = doc.text()?;
        match name {
            "id" => f.id = Some(text.into_owned()),
            "created" => created = Some(text.into_owned()),
            "title" => f.title = Some(text.into_owned()),
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
    if let Some(text) = created {
        match rfc3339_day(&text) {
            Some(day) => f.submitted = Some(day),
            None => return Ok(Err(format!("its created date {text:?} is not a date"))),
        }
    }
    f.withdrawn = f.comment.as_deref().is_some_and(says_withdrawn);
    Ok(Ok(f))
}

/// `<authors><author><keyname/><forenames/><suffix/></author>…` as display names,
/// `Forenames Keyname Suffix`.
fn read_authors(doc: &mut XmlCursor<'_>) -> Result<Vec<String>, Fatal> {
    let mut names = Vec::new();
    while let Some(element) = doc.child()? {
        if local_name(&element) != "author" {
            doc.skip()?;
            continue;
        }
        let (mut keyname, mut forenames, mut suffix) =
            (String::new(), String::new(), String::new());
        while let Some(part) = doc.child()? {
            match local_name(&part) {
                "keyname" => keyname = doc.text()?.into_owned(),
                "forenames" => forenames = doc.text()?.into_owned(),
                "suffix" => suffix = doc.text()?.into_owned(),
                _ => doc.skip()?,
            }
        }
        let name = collapse_whitespace(&format!("{forenames} {keyname} {suffix}"));
        if !name.is_empty() {
            names.push(name);
        }
    }
    Ok(names)
}

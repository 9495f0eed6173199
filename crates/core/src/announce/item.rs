//! One `<item>` (RSS) or `<entry>` (Atom): reading it as written, then validating it
//! into an [`Announcement`].

use quick_xml::events::BytesStart;
use time::Date;

use super::text::{DescriptionHeader, local_day, parse_description, split_creators};
use super::{AnnounceType, Announcement, RejectedRecord};
use crate::ArxivId;
use crate::atom::repair_mojibake;
use crate::oai::fields::OAI_PREFIX;
use crate::oai::xml::{Fatal, XmlCursor, attribute, local_name, non_empty};
use crate::record::{PaperRecord, format_date};

/// An item as written; texts are raw (untrimmed).
#[derive(Debug, Default)]
pub(super) struct RawItem {
    /// `<guid>` (RSS) or `<id>` (Atom): `oai:arXiv.org:IDvN`.
    guid: Option<String>,
    /// `<link>` text (RSS) or the `href` of the alternate `<link>` (Atom).
    link: Option<String>,
    title: Option<String>,
    /// `<description>` (RSS) or `<summary>` (Atom).
    description: Option<String>,
    /// `<dc:creator>` texts, each a list of names.
    creators: Vec<String>,
    /// `<author><name>` texts, one name each.
    author_names: Vec<String>,
    categories: Vec<String>,
    /// `<pubDate>` (RSS) or `<published>` (Atom).
    published: Option<String>,
    /// `<updated>` (Atom).
    updated: Option<String>,
    announce_type: Option<String>,
    comment: Option<String>,
    doi: Option<String>,
    journal_ref: Option<String>,
    rights: Option<String>,
    /// The first text problem (a character XML forbids, an undefined entity).
    problem: Option<String>,
}

impl RawItem {
    /// Reads the item the cursor has just entered. Repeated single-valued elements
    /// keep their first value.
    pub(super) fn read(doc: &mut XmlCursor<'_>) -> Result<RawItem, Fatal> {
        let _stale = doc.take_problem();
        let mut raw = RawItem::default();
        while let Some(element) = doc.child()? {
            match local_name(&element) {
                "author" => raw.read_author(doc)?,
                "category" => raw.read_category(doc, &element)?,
                "link" => raw.read_link(doc, &element)?,
                "creator" => raw.creators.push(doc.text()?.into_owned()),
                name => {
                    let Some(slot) = raw.slot(name) else {
                        doc.skip()?;
                        continue;
                    };
                    let text = doc.text()?.into_owned();
                    slot.get_or_insert(text);
                }
            }
        }
        raw.problem = doc.take_problem();
        Ok(raw)
    }

    /// Where a single-valued element's text goes, by local name.
    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "guid" | "id" => &mut self.guid,
            "title" => &mut self.title,
            "description" | "summary" => &mut self.description,
            "pubDate" | "published" => &mut self.published,
            "updated" => &mut self.updated,
            "announce_type" => &mut self.announce_type,
            "comment" => &mut self.comment,
            "DOI" | "doi" => &mut self.doi,
            "journal_reference" | "journal_ref" => &mut self.journal_ref,
            "rights" => &mut self.rights,
            _ => return None,
        })
    }

    fn read_author(&mut self, doc: &mut XmlCursor<'_>) -> Result<(), Fatal> {
        crate::atom::read_author_name(doc, &mut self.author_names)
    }

    /// `<category term="cs.LG"/>` (Atom) or `<category>cs.LG</category>` (RSS).
    fn read_category(
        &mut self,
        doc: &mut XmlCursor<'_>,
        element: &BytesStart<'_>,
    ) -> Result<(), Fatal> {
        match attribute(element, "term") {
            Some(term) => {
                self.categories.push(term);
                doc.skip()
            }
            None => {
                self.categories.push(doc.text()?.into_owned());
                Ok(())
            }
        }
    }

    /// `<link href=… rel="alternate"/>` (Atom; other relations such as the PDF are
    /// ignored) or `<link>URL</link>` (RSS).
    fn read_link(
        &mut self,
        doc: &mut XmlCursor<'_>,
        element: &BytesStart<'_>,
    ) -> Result<(), Fatal> {
        let Some(href) = attribute(element, "href") else {
            let text = doc.text()?.into_owned();
            self.link.get_or_insert(text);
            return Ok(());
        };
        let rel = attribute(element, "rel");
        if rel.as_deref().is_none_or(|r| r.trim() == "alternate") {
            self.link.get_or_insert(href);
        }
        doc.skip()
    }

    /// What a rejection is filed under: the guid, else the link.
    fn identifier(&self) -> String {
        [&self.guid, &self.link]
            .into_iter()
            .find_map(|t| t.as_deref().and_then(non_empty))
            .unwrap_or_default()
    }

    /// Validates the item. `day` is the feed's announcement day; without one the
    /// item's own date is the listing date.
    pub(super) fn into_announcement(
        self,
        day: Option<Date>,
    ) -> Result<Announcement, RejectedRecord> {
        let identifier = self.identifier();
        let reject = |reason: String| RejectedRecord {
            identifier: identifier.clone(),
            reason,
        };
        if let Some(problem) = &self.problem {
            return Err(reject(format!("its text holds {problem}")));
        }
        let header = parse_description(self.description.as_deref().unwrap_or_default());
        let (id, version) = self.resolve_id(&header).map_err(&reject)?;
        let announce_type = self.resolve_type(&header).map_err(&reject)?;
        let listed_on = day.or_else(|| self.own_day()).ok_or_else(|| {
            reject("neither the feed nor the item gives a readable announcement date".to_owned())
        })?;
        let abstract_text = header.abstract_text.to_owned();
        let authors = if self.author_names.is_empty() {
            self.creators
                .iter()
                .flat_map(|c| split_creators(c))
                .collect()
        } else {
            self.author_names
        };
        let record = PaperRecord {
            id: Some(id.base().to_owned()),
            title: self
                .title
                .as_deref()
                .map(|t| repair_mojibake(t).into_owned()),
            abstract_text: Some(abstract_text),
            categories: Some(self.categories),
            authors: Some(authors),
            comment: self.comment,
            journal_ref: self.journal_ref,
            doi: self.doi,
            first_listed: Some(format_date(listed_on)),
            last_listed: Some(format_date(listed_on)),
            ..PaperRecord::default()
        };
        // The parser has no clock: plausibility of future dates is the caller's concern.
        let paper = record
            .into_paper(Date::MAX)
            .map_err(|e| reject(e.to_string()))?;
        Ok(Announcement {
            paper,
            version,
            announce_type,
            license: self.rights.as_deref().and_then(non_empty),
        })
    }

    /// The id and version from the guid, the description's `arXiv:` header and the
    /// link. Each one given must be an arXiv id, and they must name the same paper
    /// (and, where two name a version, the same version).
    fn resolve_id(&self, header: &DescriptionHeader<'_>) -> Result<(ArxivId, Option<u32>), String> {
        let guid = self.guid.as_deref().map(strip_oai_prefix);
        let sources = [
            ("guid", guid),
            ("description", header.id),
            ("link", self.link.as_deref()),
        ];
        let mut found: Option<(&str, ArxivId)> = None;
        let mut version = None;
        for (source, text) in sources {
            let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
                continue;
            };
            let id: ArxivId = text.parse().map_err(|e| format!("its {source}: {e}"))?;
            if let Some((first_source, first)) = &found
                && first.base() != id.base()
            {
                return Err(format!(
                    "its {first_source} names {} but its {source} names {}",
                    first.base(),
                    id.base()
                ));
            }
            match (version, id.version()) {
                (Some(a), Some(b)) if a != b => {
                    return Err(format!("it names both v{a} and v{b} of {}", id.base()));
                }
                (None, Some(b)) => version = Some(b),
                _ => {}
            }
            found.get_or_insert((source, id));
        }
        let (_, id) = found.ok_or("it names no arXiv id (no guid, id, link or arXiv: prefix)")?;
        Ok((id, version))
    }

    /// `<arxiv:announce_type>`, else the description's `Announce Type:`.
    fn resolve_type(&self, header: &DescriptionHeader<'_>) -> Result<AnnounceType, String> {
        let text = self
            .announce_type
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .or(header.announce_type)
            .ok_or("it has no announce type")?;
        text.parse().map_err(|e| format!("{e}"))
    }

    /// The item's own date: `<pubDate>` / `<published>`, else `<updated>`.
    fn own_day(&self) -> Option<Date> {
        [&self.published, &self.updated]
            .into_iter()
            .flatten()
            .find_map(|text| local_day(text))
    }
}

/// `oai:arXiv.org:2602.17598v1` → `2602.17598v1`; other texts unchanged.
fn strip_oai_prefix(text: &str) -> &str {
    let text = text.trim();
    match text.get(..OAI_PREFIX.len()) {
        Some(head) if head.eq_ignore_ascii_case(OAI_PREFIX) => &text[OAI_PREFIX.len()..],
        _ => text,
    }
}

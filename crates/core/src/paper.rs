//! A paper as Paperstand keeps it: one arXiv id (version-less) with its metadata.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{ArxivId, CodeLink};

/// One version of a paper, as arXiv announces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// 1 for the first submission.
    pub version: u32,
    /// The day the version was submitted.
    pub date: Date,
}

/// One paper: an arXiv id without version, its metadata and the code links found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paper {
    /// The version-less id.
    pub id: ArxivId,
    /// The title, whitespace collapsed.
    pub title: String,
    /// The abstract, verbatim (arXiv's hard line breaks kept).
    pub abstract_text: String,
    /// Author display names, in the paper's order.
    pub authors: Vec<String>,
    /// arXiv categories, primary first.
    pub categories: Vec<String>,
    /// Subject classification codes (MSC such as `68T05`, ACM such as `I.2.7`) that
    /// some sources list among the categories.
    pub classes: Vec<String>,
    /// The authors' comment ("12 pages, code at …").
    pub comment: Option<String>,
    /// Journal reference, when published.
    pub journal_ref: Option<String>,
    /// DOI of the published version.
    pub doi: Option<String>,
    /// Known versions, oldest first; empty when the source didn't say.
    pub versions: Vec<Version>,
    /// The day v1 was submitted, when known.
    pub submitted_on: Option<Date>,
    /// The listing date: the day the paper entered the feed. The daily page groups by it.
    pub listed_on: Date,
    /// The last day the paper appeared in a listing (replacements and cross-lists re-list it).
    pub last_listed_on: Option<Date>,
    /// How many listings it appeared in, when the source counted.
    pub times_listed: Option<u32>,
    /// Code links found in the abstract and the comment.
    pub links: Vec<CodeLink>,
    /// The authors withdrew the paper (its latest version replaces the content with a notice).
    pub withdrawn: bool,
}

impl Paper {
    /// The primary category (the first), if any.
    pub fn primary_category(&self) -> Option<&str> {
        self.categories.first().map(String::as_str)
    }

    /// The latest day this record knows about: how new the record is. Used to let a
    /// newer record replace an older one, and never the other way round.
    pub fn freshness(&self) -> Date {
        let latest_version = self.versions.iter().map(|v| v.date).max();
        [
            Some(self.listed_on),
            self.last_listed_on,
            latest_version,
            self.submitted_on,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.listed_on)
    }

    /// The latest version number, if versions are known.
    pub fn latest_version(&self) -> Option<u32> {
        self.versions.iter().map(|v| v.version).max()
    }
}

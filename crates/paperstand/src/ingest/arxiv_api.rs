//! The arXiv API client (Atom, `https://export.arxiv.org/api/query`): papers by id
//! (community submissions, filling in announced papers) and by search query, page by
//! page. Requests go through the polite [`Fetcher`].

use paperstand_core::ArxivId;
use paperstand_core::atom::{AtomEntry, parse_feed};

use super::fetch::Fetcher;

/// Ids per request: the API answers up to this many in one feed.
pub const IDS_PER_REQUEST: usize = 100;
/// Entries per search page.
pub const SEARCH_PAGE: u64 = 100;

/// A client of the arXiv API at `base_url`.
#[derive(Debug)]
pub struct ArxivApi<'a> {
    fetcher: &'a Fetcher,
    base_url: String,
}

/// What a fetch returned: usable entries, and ids or entries the API could not give.
#[derive(Debug, Default)]
pub struct ApiResult {
    /// Parsed entries.
    pub entries: Vec<AtomEntry>,
    /// Entries present but unusable, with why.
    pub rejected: Vec<String>,
    /// Requested ids the API did not return.
    pub missing: Vec<ArxivId>,
}

impl<'a> ArxivApi<'a> {
    /// A client of the API at `base_url`.
    pub fn new(fetcher: &'a Fetcher, base_url: &str) -> ArxivApi<'a> {
        ArxivApi {
            fetcher,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The papers with these ids (versions are kept in the request: `2503.11731v2`
    /// returns that version's metadata).
    pub async fn fetch_ids(&self, ids: &[ArxivId]) -> anyhow::Result<ApiResult> {
        let mut result = ApiResult::default();
        for chunk in ids.chunks(IDS_PER_REQUEST) {
            let list: Vec<String> = chunk.iter().map(ToString::to_string).collect();
            let url = format!(
                "{}?id_list={}&max_results={}",
                self.base_url,
                list.join(","),
                chunk.len()
            );
            let feed = self.fetch(&url).await?;
            result.rejected.extend(
                feed.rejected
                    .into_iter()
                    .map(|r| format!("{}: {}", r.identifier, r.reason)),
            );
            result.entries.extend(feed.entries);
        }
        result.missing = ids
            .iter()
            .filter(|id| {
                !result
                    .entries
                    .iter()
                    .any(|e| e.paper.id.base() == id.base())
            })
            .cloned()
            .collect();
        Ok(result)
    }

    /// Up to `limit` papers matching an arXiv search query (`cat:cs.CL AND ti:retrieval`),
    /// newest first, fetched page by page; `on_page` gets the number fetched so far and
    /// the total the API reports.
    pub async fn search(
        &self,
        query: &str,
        limit: u64,
        on_page: &(dyn Fn(u64, Option<u64>) + Sync),
    ) -> anyhow::Result<ApiResult> {
        let mut result = ApiResult::default();
        let mut start = 0;
        while start < limit {
            let size = SEARCH_PAGE.min(limit - start);
            let url = format!(
                "{}?search_query={}&start={start}&max_results={size}&sortBy=submittedDate&sortOrder=descending",
                self.base_url,
                encode_query(query)
            );
            let feed = self.fetch(&url).await?;
            let got = feed.entries.len() as u64 + feed.rejected.len() as u64;
            result.rejected.extend(
                feed.rejected
                    .into_iter()
                    .map(|r| format!("{}: {}", r.identifier, r.reason)),
            );
            result.entries.extend(feed.entries);
            start += got;
            on_page(start, feed.total_results);
            let exhausted = feed.total_results.is_some_and(|total| start >= total);
            if got == 0 || exhausted {
                break;
            }
        }
        Ok(result)
    }

    async fn fetch(&self, url: &str) -> anyhow::Result<paperstand_core::atom::AtomFeed> {
        let body = self.fetcher.get_even_if_400(url).await?;
        Ok(parse_feed(&body)?)
    }
}

/// Percent-encodes a search query for the URL (spaces as `+`, as the API documents).
fn encode_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len() + 8);
    for byte in query.bytes() {
        match byte {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn queries_are_encoded_for_the_url() {
        assert_eq!(
            super::encode_query("cat:cs.CL AND ti:\"large model\""),
            "cat:cs.CL+AND+ti:%22large+model%22"
        );
        assert_eq!(
            super::encode_query("au:del_maestro&x"),
            "au:del_maestro%26x"
        );
    }
}

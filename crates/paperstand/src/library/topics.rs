//! Topics: saved searches. What a topic may be, and the searches a topic page, its feed,
//! the topic list's "new" counts and the digest builder run, all through the one
//! [`Search`] service.

use std::sync::Arc;

use paperstand_core::Paper;
use paperstand_search::Sort;
use paperstand_store::{NewTopic, Topic};
use time::Date;

use crate::search::{Mode, Search, SearchError, SearchRequest};

/// Longest topic name, in characters.
pub const MAX_TOPIC_NAME: usize = 80;
/// Longest topic query, in characters.
pub const MAX_TOPIC_QUERY: usize = 500;

/// Checks a topic before it is saved: a name (1 to 80 characters), a query (1 to 500),
/// a known mode (or none), a category such as `cs.CL` or `cs` (or none).
pub fn new_topic(name: &str, query: &str, mode: &str, category: &str) -> Result<NewTopic, String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let query = query.trim();
    if name.is_empty()
        || name.chars().count() > MAX_TOPIC_NAME
        || name.chars().any(char::is_control)
    {
        return Err(format!(
            "A topic needs a name of 1 to {MAX_TOPIC_NAME} characters."
        ));
    }
    if query.is_empty() || query.chars().count() > MAX_TOPIC_QUERY {
        return Err(format!(
            "A topic needs a search of 1 to {MAX_TOPIC_QUERY} characters."
        ));
    }
    let mode = match mode.trim() {
        "" => String::new(),
        text => Mode::parse(text)
            .ok_or_else(|| {
                format!(
                    "mode {:?}: use keyword, semantic or hybrid",
                    text.chars().take(20).collect::<String>()
                )
            })?
            .as_str()
            .to_owned(),
    };
    let category = category.trim();
    let valid_category = category.len() <= 32
        && category
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !valid_category {
        return Err(
            "The category must be an arXiv category or archive such as cs.CL or cs.".to_owned(),
        );
    }
    Ok(NewTopic {
        name,
        query: query.to_owned(),
        mode,
        category: (!category.is_empty()).then(|| category.to_owned()),
    })
}

/// The search a topic stands for: its query, mode and category, newest first, papers
/// listed on or after `since` when given.
pub fn request(topic: &Topic, since: Option<Date>, offset: usize, limit: usize) -> SearchRequest {
    SearchRequest {
        query: topic.query.clone(),
        mode: Mode::parse(&topic.mode),
        sort: Sort::Newest,
        categories: topic.category.iter().cloned().collect(),
        from: since,
        offset,
        limit,
        ..SearchRequest::default()
    }
}

/// For the topic list and the digest builder: how many papers listed on or after
/// `since` (all papers when `None`) match the topic, and the newest `n` of them. A semantic topic on a server
/// without a model falls back to keyword search.
pub async fn new_matches(
    search: &Arc<Search>,
    topic: &Topic,
    since: Option<Date>,
    n: usize,
) -> Result<(usize, Vec<Paper>), SearchError> {
    let mut request = request(topic, since, 0, n);
    let results = match search.search(&request).await {
        Err(SearchError::SemanticOff(_)) => {
            request.mode = Some(Mode::Keyword);
            search.search(&request).await?
        }
        other => other?,
    };
    Ok((
        results.total,
        results.hits.into_iter().map(|h| h.paper).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_checked() {
        let topic = new_topic(
            "  Sparse   attention ",
            " sparse attention ",
            "Hybrid",
            "cs.LG",
        )
        .unwrap();
        assert_eq!(topic.name, "Sparse attention");
        assert_eq!(topic.query, "sparse attention");
        assert_eq!(topic.mode, "hybrid");
        assert_eq!(topic.category.as_deref(), Some("cs.LG"));
        assert!(new_topic("", "q", "", "").is_err());
        assert!(new_topic("n", "  ", "", "").is_err());
        assert!(new_topic("n", "q", "fuzzy", "").is_err());
        assert!(new_topic("n", "q", "", "<script>").is_err());
        assert!(new_topic(&"n".repeat(81), "q", "", "").is_err());
        assert_eq!(new_topic("n", "q", "", "").unwrap().category, None);
    }
}

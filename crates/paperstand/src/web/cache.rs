//! A small cache of rendered public pages. Pages depend on the papers and on the
//! community (votes, comments, curation, star counts), so every entry is dropped when
//! either of the store's change sequences moves; they are read at most once per
//! [`RECHECK`]. A page is stored only under the sequences that were current before it
//! was rendered, so a page rendered from older data never outlives a change. Trending
//! scores also decay with time, so an entry is rendered again once it is older than
//! [`MAX_AGE`](crate::ranking::MAX_AGE). Pages that differ per member (their votes and
//! forms) must not go through it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use paperstand_store::Store;

/// How often the change sequences are read: the longest a page can lag behind a change.
const RECHECK: Duration = Duration::from_secs(1);
/// Entries kept at most; a quarter of them is dropped when full.
const MAX_ENTRIES: usize = 4_096;
/// Bytes kept at most (keys come from URLs, so entries must not grow without bound).
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// The store's (papers, community) change sequences.
type Seqs = (i64, i64);

/// Rendered pages by canonical key (`daily/2026-06-02/1`, `paper/2503.11731`).
#[derive(Debug)]
pub struct PageCache {
    max_age: Duration,
    inner: Mutex<Inner>,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache::with_max_age(crate::ranking::MAX_AGE)
    }
}

#[derive(Debug, Default)]
struct Inner {
    seqs: Option<Seqs>,
    checked_at: Option<Instant>,
    pages: HashMap<String, Entry>,
    bytes: usize,
}

#[derive(Debug, Clone)]
struct Entry {
    body: Bytes,
    /// When it was rendered, for [`PageCache::max_age`].
    rendered: Instant,
    /// When this process first rendered this very body: a safe `Last-Modified`.
    since: SystemTime,
}

impl PageCache {
    /// A cache whose entries are rendered again after `max_age`.
    pub fn with_max_age(max_age: Duration) -> PageCache {
        PageCache {
            max_age,
            inner: Mutex::default(),
        }
    }

    /// The page for `key`: from the cache, or rendered by `render` and remembered.
    pub async fn get_or_render<F, Fut, E>(
        &self,
        store: &dyn Store,
        key: String,
        render: F,
    ) -> Result<Bytes, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Bytes, E>>,
    {
        Ok(self.get_or_render_dated(store, key, render).await?.0)
    }

    /// The page for `key` as [`get_or_render`](Self::get_or_render) gives it, and since
    /// when this process has been serving that very body (a `Last-Modified` that is never
    /// earlier than a change of the body).
    pub async fn get_or_render_dated<F, Fut, E>(
        &self,
        store: &dyn Store,
        key: String,
        render: F,
    ) -> Result<(Bytes, SystemTime), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Bytes, E>>,
    {
        let seqs = self.revalidate(store).await;
        if let Some(entry) = self.lock().pages.get(&key)
            && entry.rendered.elapsed() < self.max_age
        {
            return Ok((entry.body.clone(), entry.since));
        }
        let body = render().await?;
        let since = self.insert_if_current(key, body.clone(), seqs);
        Ok((body, since))
    }

    /// Remembers `body` if `seqs` are still current; returns since when it has been the
    /// body of `key` (an expired entry rendered again the same keeps its time).
    fn insert_if_current(&self, key: String, body: Bytes, seqs: Option<Seqs>) -> SystemTime {
        let now = SystemTime::now();
        let mut inner = self.lock();
        if seqs.is_none() || inner.seqs != seqs {
            return now;
        }
        let since = match inner.pages.get(&key) {
            Some(old) if old.body == body => old.since,
            _ => now,
        };
        if inner.pages.len() >= MAX_ENTRIES || inner.bytes + body.len() > MAX_BYTES {
            let victims: Vec<String> = inner
                .pages
                .keys()
                .take(inner.pages.len().div_ceil(4))
                .cloned()
                .collect();
            for victim in victims {
                if let Some(gone) = inner.pages.remove(&victim) {
                    inner.bytes -= gone.body.len();
                }
            }
        }
        inner.bytes += body.len();
        let entry = Entry {
            body,
            rendered: Instant::now(),
            since,
        };
        if let Some(replaced) = inner.pages.insert(key, entry) {
            inner.bytes -= replaced.body.len();
        }
        since
    }

    /// Empties the cache if either change sequence moved; returns the current ones
    /// (`None` when the store could not say, and then nothing is cached).
    async fn revalidate(&self, store: &dyn Store) -> Option<Seqs> {
        {
            let inner = self.lock();
            if inner.checked_at.is_some_and(|t| t.elapsed() < RECHECK) {
                return inner.seqs;
            }
        }
        let seqs = match (store.change_seq().await, store.community_seq().await) {
            (Ok(papers), Ok(community)) => Some((papers, community)),
            _ => None,
        };
        let mut inner = self.lock();
        if seqs.is_none() || inner.seqs != seqs {
            inner.pages.clear();
            inner.bytes = 0;
            inner.seqs = seqs;
        }
        inner.checked_at = Some(Instant::now());
        seqs
    }

    /// Makes the next request read the change sequences again instead of waiting out
    /// [`RECHECK`]: for a change this node made that must not show even for a second
    /// (a deleted account's name on cached pages). Other nodes still see it within
    /// [`RECHECK`].
    pub fn recheck_now(&self) {
        self.lock().checked_at = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Shared handle.
pub type SharedCache = Arc<PageCache>;

#[cfg(test)]
mod tests {
    use super::*;
    use paperstand_core::ArxivId;
    use paperstand_store::contract::sample_paper;
    use paperstand_store::{Community, SqliteStore};
    use time::OffsetDateTime;
    use time::macros::date;

    async fn render_seq(
        cache: &PageCache,
        store: &dyn Store,
        key: &str,
        body: &'static str,
    ) -> Bytes {
        cache
            .get_or_render(store, key.to_owned(), || async {
                Ok::<_, ()>(Bytes::from_static(body.as_bytes()))
            })
            .await
            .unwrap()
    }

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("p.sqlite"))
            .await
            .unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_page_rendered_before_a_change_is_not_kept_after_it() {
        let (_dir, store) = store().await;
        let cache = PageCache::default();
        assert_eq!(render_seq(&cache, &store, "k", "v1").await, "v1");
        assert_eq!(
            render_seq(&cache, &store, "k", "ignored").await,
            "v1",
            "cached"
        );

        // A render that started before a change finishes after another request saw it.
        let old_seqs = cache.revalidate(&store).await;
        store
            .upsert_papers(&[sample_paper("2503.00001", "New", date!(2025 - 03 - 18))])
            .await
            .unwrap();
        cache.lock().checked_at = None;
        assert_eq!(render_seq(&cache, &store, "other", "fresh").await, "fresh");
        cache.insert_if_current("k".to_owned(), Bytes::from_static(b"stale"), old_seqs);
        assert_eq!(
            render_seq(&cache, &store, "k", "v2").await,
            "v2",
            "the stale page was refused"
        );
    }

    #[tokio::test]
    async fn a_community_change_empties_the_cache_within_a_recheck() {
        let (_dir, store) = store().await;
        let cache = PageCache::default();
        assert_eq!(render_seq(&cache, &store, "k", "v1").await, "v1");
        // A star count (like a vote or a comment) moves the community sequence only.
        let papers_before = store.change_seq().await.unwrap();
        let id: ArxivId = "2503.00001".parse().unwrap();
        store
            .link_repos(&[(id, "owner/repo".to_owned())], OffsetDateTime::now_utc())
            .await
            .unwrap();
        assert_eq!(store.change_seq().await.unwrap(), papers_before);
        assert_eq!(
            render_seq(&cache, &store, "k", "v2").await,
            "v1",
            "within a second of the last check the cache is trusted"
        );
        tokio::time::sleep(RECHECK).await;
        assert_eq!(render_seq(&cache, &store, "k", "v2").await, "v2");
    }

    #[tokio::test]
    async fn old_entries_are_rendered_again_and_keep_their_time_if_unchanged() {
        let (_dir, store) = store().await;
        let cache = PageCache::with_max_age(Duration::from_millis(50));
        let render = |body: &'static str| {
            cache.get_or_render_dated(&store, "k".to_owned(), move || async move {
                Ok::<_, ()>(Bytes::from_static(body.as_bytes()))
            })
        };
        let (first, since) = render("v1").await.unwrap();
        assert_eq!((first, render("v2").await.unwrap().1), ("v1".into(), since));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(
            render("v1").await.unwrap(),
            ("v1".into(), since),
            "rendered again, the same: still the same Last-Modified"
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        let (changed, changed_since) = render("v2").await.unwrap();
        assert_eq!(changed, "v2");
        assert!(changed_since > since, "a new body has a new time");
    }

    #[tokio::test]
    async fn a_full_cache_drops_a_quarter() {
        let (_dir, store) = store().await;
        let cache = PageCache::default();
        for n in 0..=MAX_ENTRIES {
            render_seq(&cache, &store, &n.to_string(), "x").await;
        }
        let len = cache.lock().pages.len();
        assert_eq!(len, MAX_ENTRIES - MAX_ENTRIES / 4 + 1);
    }
}

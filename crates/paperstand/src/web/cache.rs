//! A small cache of rendered public pages. Pages depend only on the papers, so every
//! entry is dropped when the store's change sequence moves; the sequence is read at
//! most once per [`RECHECK`]. A page is stored only under the sequence that was current
//! before it was rendered, so a page rendered from older data never outlives a change.
//! Pages that will differ per member (votes, libraries) must not go through it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use paperstand_store::Store;

/// How often the change sequence is read: the longest a page can lag behind an import.
const RECHECK: Duration = Duration::from_secs(1);
/// Entries kept at most; a quarter of them is dropped when full.
const MAX_ENTRIES: usize = 4_096;
/// Bytes kept at most (keys come from URLs, so entries must not grow without bound).
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Rendered pages by canonical key (`daily/2026-06-02/1`, `paper/2503.11731`).
#[derive(Debug, Default)]
pub struct PageCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    seq: Option<i64>,
    checked_at: Option<Instant>,
    /// When this process first saw the current sequence: a safe `Last-Modified`.
    changed_at: Option<SystemTime>,
    pages: HashMap<String, Bytes>,
    bytes: usize,
}

impl PageCache {
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
        let seq = self.revalidate(store).await;
        if let Some(page) = self.lock().pages.get(&key).cloned() {
            return Ok(page);
        }
        let page = render().await?;
        self.insert_if_current(key, page.clone(), seq);
        Ok(page)
    }

    fn insert_if_current(&self, key: String, page: Bytes, seq: Option<i64>) {
        let mut inner = self.lock();
        if seq.is_none() || inner.seq != seq {
            return;
        }
        if inner.pages.len() >= MAX_ENTRIES || inner.bytes + page.len() > MAX_BYTES {
            let victims: Vec<String> = inner
                .pages
                .keys()
                .take(inner.pages.len().div_ceil(4))
                .cloned()
                .collect();
            for victim in victims {
                if let Some(gone) = inner.pages.remove(&victim) {
                    inner.bytes -= gone.len();
                }
            }
        }
        inner.bytes += page.len();
        if let Some(replaced) = inner.pages.insert(key, page) {
            inner.bytes -= replaced.len();
        }
    }

    /// The papers' change sequence the cached pages belong to (an `ETag` ingredient),
    /// and when this process first saw it (a `Last-Modified` never earlier than the change).
    pub async fn version(&self, store: &dyn Store) -> (Option<i64>, SystemTime) {
        let seq = self.revalidate(store).await;
        (seq, self.lock().changed_at.unwrap_or_else(SystemTime::now))
    }

    /// Empties the cache if the change sequence moved; returns the current sequence
    /// (`None` when the store could not say, and then nothing is cached).
    async fn revalidate(&self, store: &dyn Store) -> Option<i64> {
        {
            let inner = self.lock();
            if inner.checked_at.is_some_and(|t| t.elapsed() < RECHECK) {
                return inner.seq;
            }
        }
        let seq = store.change_seq().await.ok();
        let mut inner = self.lock();
        if seq.is_none() || inner.seq != seq {
            inner.pages.clear();
            inner.bytes = 0;
            inner.seq = seq;
            inner.changed_at = Some(SystemTime::now());
        }
        inner.checked_at = Some(Instant::now());
        seq
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
    use paperstand_store::SqliteStore;
    use paperstand_store::contract::sample_paper;
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

    #[tokio::test]
    async fn a_page_rendered_before_a_change_is_not_kept_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("p.sqlite"))
            .await
            .unwrap();
        let cache = PageCache::default();
        assert_eq!(render_seq(&cache, &store, "k", "v1").await, "v1");
        assert_eq!(
            render_seq(&cache, &store, "k", "ignored").await,
            "v1",
            "cached"
        );

        // A render that started before a change finishes after another request saw it.
        let old_seq = cache.revalidate(&store).await;
        store
            .upsert_papers(&[sample_paper("2503.00001", "New", date!(2025 - 03 - 18))])
            .await
            .unwrap();
        cache.lock().checked_at = None;
        assert_eq!(render_seq(&cache, &store, "other", "fresh").await, "fresh");
        cache.insert_if_current("k".to_owned(), Bytes::from_static(b"stale"), old_seq);
        assert_eq!(
            render_seq(&cache, &store, "k", "v2").await,
            "v2",
            "the stale page was refused"
        );
    }

    #[tokio::test]
    async fn a_full_cache_drops_a_quarter() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("p.sqlite"))
            .await
            .unwrap();
        let cache = PageCache::default();
        for n in 0..=MAX_ENTRIES {
            render_seq(&cache, &store, &n.to_string(), "x").await;
        }
        let len = cache.lock().pages.len();
        assert_eq!(len, MAX_ENTRIES - MAX_ENTRIES / 4 + 1);
    }
}

//! A small cache of rendered public pages. Pages depend only on the papers, so every
//! entry is dropped when the store's change sequence moves; the sequence is read at
//! most once per [`RECHECK`]. Pages that will differ per member (votes, libraries)
//! must not go through it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use paperstand_store::Store;

/// How often the change sequence is read: the longest a page can lag behind an import.
const RECHECK: Duration = Duration::from_secs(1);
/// Entries kept at most; the cache is emptied when full (keys come from URLs).
const MAX_ENTRIES: usize = 2_048;

/// Rendered pages by URL.
#[derive(Debug, Default)]
pub struct PageCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    seq: Option<i64>,
    checked_at: Option<Instant>,
    pages: HashMap<String, Bytes>,
}

impl PageCache {
    /// The cached page for `key`, after making sure the cache is not stale.
    pub async fn get(&self, store: &dyn Store, key: &str) -> Option<Bytes> {
        self.revalidate(store).await;
        self.lock().pages.get(key).cloned()
    }

    /// Remembers a rendered page.
    pub fn put(&self, key: String, page: Bytes) {
        let mut inner = self.lock();
        if inner.pages.len() >= MAX_ENTRIES {
            inner.pages.clear();
        }
        inner.pages.insert(key, page);
    }

    async fn revalidate(&self, store: &dyn Store) {
        let due = self
            .lock()
            .checked_at
            .is_none_or(|t| t.elapsed() >= RECHECK);
        if !due {
            return;
        }
        // On a store error the cache is emptied: better slow than stale.
        let seq = store.change_seq().await.ok();
        let mut inner = self.lock();
        if seq.is_none() || inner.seq != seq {
            inner.pages.clear();
            inner.seq = seq;
        }
        inner.checked_at = Some(Instant::now());
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

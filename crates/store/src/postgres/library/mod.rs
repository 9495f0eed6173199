//! The PostgreSQL side of [`Library`]: saved papers, notes, read and not-interested marks,
//! the dial (`items`), tags and topics (`tags`). Every write that changes what the
//! For-you model learns from moves the member's library version in the same transaction.

pub(crate) mod items;
mod tags;

use async_trait::async_trait;
use paperstand_core::ArxivId;
use time::OffsetDateTime;

use super::{PostgresStore, db_error};
use crate::library::*;
use crate::{Page, Result, StoreError, UserId};

#[async_trait]
impl Library for PostgresStore {
    async fn save_papers(&self, user: UserId, ids: &[ArxivId], now: OffsetDateTime) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let new = items::save(&mut tx, user, ids, now).await?;
        if new > 0 {
            items::bump_version(&mut tx, user, now).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(new)
    }

    async fn unsave_papers(&self, user: UserId, ids: &[ArxivId]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let gone = items::unsave(&mut tx, user, ids).await?;
        if gone > 0 {
            items::bump_version(&mut tx, user, OffsetDateTime::now_utc()).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(gone)
    }

    async fn saved_paper(&self, user: UserId, id: &ArxivId) -> Result<Option<SavedPaper>> {
        items::one(&self.pool, user, id).await
    }

    async fn saved_papers(
        &self,
        user: UserId,
        filter: &LibraryFilter,
        page: Page,
    ) -> Result<Vec<SavedPaper>> {
        items::list(&self.pool, user, filter, page).await
    }

    async fn count_saved(&self, user: UserId, filter: &LibraryFilter) -> Result<u64> {
        items::count_matching(&self.pool, user, filter).await
    }

    async fn saved_among(&self, user: UserId, ids: &[ArxivId]) -> Result<Vec<ArxivId>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        items::saved_among(&self.pool, user, ids).await
    }

    async fn set_read(
        &self,
        user: UserId,
        ids: &[ArxivId],
        read: bool,
        now: OffsetDateTime,
    ) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let touched = items::set_read(&mut tx, user, ids, read, now).await?;
        if touched > 0 {
            items::bump_version(&mut tx, user, now).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(touched)
    }

    async fn set_note(
        &self,
        user: UserId,
        id: &ArxivId,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let found = items::set_note(&mut tx, user, id, note, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(found)
    }

    async fn tag_papers(
        &self,
        user: UserId,
        ids: &[ArxivId],
        name: &str,
        now: OffsetDateTime,
    ) -> Result<Tag> {
        let mut tx = self.begin_write().await?;
        items::save(&mut tx, user, ids, now).await?;
        let tag = tags::tag(&mut tx, user, ids, name, now).await?;
        items::bump_version(&mut tx, user, now).await?;
        tx.commit().await.map_err(db_error)?;
        tags::one(&self.pool, tag)
            .await?
            .ok_or_else(|| StoreError::Other(format!("tag {tag} vanished")))
    }

    async fn untag_papers(&self, user: UserId, tag: i64, ids: &[ArxivId]) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = tags::untag(&mut tx, user, tag, ids).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(n)
    }

    async fn tags(&self, user: UserId) -> Result<Vec<Tag>> {
        tags::of_user(&self.pool, user).await
    }

    async fn tag(&self, tag: i64) -> Result<Option<Tag>> {
        tags::one(&self.pool, tag).await
    }

    async fn rename_tag(
        &self,
        user: UserId,
        tag: i64,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let found = tags::rename(&mut tx, user, tag, name, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(found)
    }

    async fn delete_tag(&self, user: UserId, tag: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let found = tags::delete(&mut tx, user, tag).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(found)
    }

    async fn set_tag_public(
        &self,
        user: UserId,
        tag: i64,
        public: bool,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let found = tags::set_public(&mut tx, user, tag, public, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(found)
    }

    async fn set_not_interested(
        &self,
        user: UserId,
        id: &ArxivId,
        marked: bool,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        items::set_not_interested(&mut tx, user, id, marked, now).await?;
        items::bump_version(&mut tx, user, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn feedback(&self, user: UserId) -> Result<Feedback> {
        items::feedback(&self.pool, user).await
    }

    async fn library_version(&self, user: UserId) -> Result<i64> {
        items::version(&self.pool, user).await
    }

    async fn dial(&self, user: UserId) -> Result<Option<f64>> {
        items::dial(&self.pool, user).await
    }

    async fn set_dial(&self, user: UserId, dial: f64, now: OffsetDateTime) -> Result<()> {
        items::set_dial(&self.pool, user, dial, now).await
    }

    async fn create_topic(
        &self,
        user: UserId,
        topic: &NewTopic,
        now: OffsetDateTime,
    ) -> Result<Topic> {
        tags::create_topic(&self.pool, user, topic, now).await
    }

    async fn topics(&self, user: UserId) -> Result<Vec<Topic>> {
        tags::topics(&self.pool, user).await
    }

    async fn topic(&self, topic: i64) -> Result<Option<Topic>> {
        tags::topic(&self.pool, topic).await
    }

    async fn mark_topic_seen(&self, user: UserId, topic: i64, now: OffsetDateTime) -> Result<bool> {
        tags::topic_seen(&self.pool, user, topic, now).await
    }

    async fn delete_topic(&self, user: UserId, topic: i64) -> Result<bool> {
        tags::delete_topic(&self.pool, user, topic).await
    }

    async fn delete_personal_data(&self, user: UserId) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let gone = items::delete_all(&mut tx, user).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(gone)
    }
}

//! The preview: exactly what a subscriber would get now, built by the same code as a
//! run and rendered by the same renderer, but recorded nowhere.

use std::collections::HashSet;

use paperstand_core::ArxivId;
use paperstand_store::{Preferences, Store, Subscriber, SubscriberStatus};
use time::{Duration, OffsetDateTime};

use super::build::{compose, message_id, period_papers};
use super::period::{Period, current_period};
use super::personal::Personal;
use super::render::{Rendered, Site, render};
use super::{mail_host, unsaved};
use crate::ranking::Ranking;
use crate::web::AppState;

/// The period a preview shows: the subscriber's current one, or else the latest
/// listing day (someone who has not subscribed yet sees the latest day's digest).
async fn preview_period(
    store: &dyn Store,
    subscriber: &Subscriber,
    now: OffsetDateTime,
) -> anyhow::Result<Period> {
    if let Some(period) = current_period(&subscriber.preferences, None, now) {
        return Ok(period);
    }
    let latest = store.latest_listing_date().await?.unwrap_or(now.date());
    Ok(Period::Day(latest))
}

/// Renders what `subscriber` would get now.
pub async fn preview(
    store: &dyn Store,
    ranking: &Ranking,
    site: &Site,
    personal: Option<&Personal>,
    subscriber: &Subscriber,
    now: OffsetDateTime,
) -> anyhow::Result<Rendered> {
    let period = preview_period(store, subscriber, now).await?;
    let papers = period_papers(store, ranking, period, now).await?;
    let history = store
        .digest_history(&[subscriber.id], now - Duration::days(60))
        .await?;
    // The period's own digest, if built already, is what they got: show it again
    // rather than the next papers down.
    let received: HashSet<ArxivId> = history
        .into_iter()
        .filter(|h| h.period != period.key())
        .flat_map(|h| h.papers)
        .collect();
    let host = mail_host(&site.public_url);
    let mut digest = compose(subscriber, period, &papers, &received, &host);
    if let Some(personal) = personal {
        personal
            .add_sections(
                store,
                ranking,
                super::personal::Target {
                    subscriber,
                    period,
                    received: &received,
                },
                &mut digest,
                now,
            )
            .await?;
    }
    digest.message_id = message_id(period, subscriber.id, &host);
    render(store, site, subscriber, &unsaved(digest, now), now).await
}

/// The preview for a signed-in member: their subscription, or the defaults if they
/// have none.
pub async fn preview_for(state: &AppState, email: &str, user: i64) -> anyhow::Result<Rendered> {
    let now = OffsetDateTime::now_utc();
    let subscriber = match state.store.subscriber_by_email(email).await? {
        Some(s) => s,
        None => Subscriber {
            id: 0,
            email: email.to_owned(),
            user: Some(user),
            status: SubscriberStatus::Pending,
            preferences: Preferences::default(),
            created_at: now,
            confirmed_at: None,
            bounces: 0,
        },
    };
    let settings = &state.digests;
    let from = settings.from.from.parse().map_err(|e| {
        anyhow::anyhow!("mail.from {:?} is not an address: {e}", settings.from.from)
    })?;
    let site = Site {
        public_url: state.public_url.trim_end_matches('/').to_owned(),
        from,
        signer: state.digest_signer(),
    };
    let personal = Personal {
        recs: state.recs.clone(),
        search: state.search.clone(),
    };
    preview(
        state.store.as_ref(),
        &state.ranking,
        &site,
        Some(&personal),
        &subscriber,
        now,
    )
    .await
}

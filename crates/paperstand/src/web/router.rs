//! Every URL of the site, on one screen.

use axum::Router;
use axum::routing::get;

use super::{AppState, api, feeds, pages};

/// The route table.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::show_daily))
        .route("/papers/{*id}", get(pages::show_paper))
        .route("/trending", get(pages::show_trending))
        .route("/api/daily_papers", get(api::hf::list_daily_papers))
        .route("/api/papers/search", get(api::hf::search_papers))
        .route("/api/papers/{*id}", get(api::hf::get_paper))
        .route("/feeds/category/{file}", get(feeds::show_category_feed))
        .route("/feeds/{file}", get(feeds::show_feed))
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .route("/static/style.css", get(pages::stylesheet))
        .fallback(pages::fallback)
        .with_state(state)
}

//! Every URL of the site, on one screen.

use axum::Router;
use axum::routing::get;

use super::{AppState, api, feeds, pages, search};

/// The route table.
pub fn routes(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/daily_papers", get(api::hf::list_daily_papers))
        .route("/api/papers/search", get(api::hf::search_papers))
        .route("/api/papers/{*id}", get(api::hf::get_paper))
        .route("/api/v1/papers", get(api::v1::list_papers_v1))
        .route("/api/v1/papers/{*id}", get(api::v1::get_paper_v1))
        .route("/api/v1/daily", get(api::v1::list_daily_v1))
        .route("/api/v1/trending", get(api::v1::list_trending_v1))
        .route("/api/v1/search", get(api::v1::search_v1))
        .route("/api/openapi.json", get(api::v1::openapi_json))
        .route("/api/{*rest}", get(api::v1::unknown_api_path))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::limits::api_guard,
        ));
    Router::new()
        .merge(api)
        .route("/", get(pages::show_daily))
        .route("/papers/{*id}", get(pages::show_paper))
        .route("/trending", get(pages::show_trending))
        .route("/search", get(search::show_search))
        .route("/feeds/category/{file}", get(feeds::show_category_feed))
        .route("/feeds/{file}", get(feeds::show_feed))
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .route("/static/style.css", get(pages::stylesheet))
        .fallback(pages::fallback)
        .with_state(state)
}

//! Every URL of the site, on one screen.

use axum::Router;
use axum::routing::{get, post};

use super::{AppState, accounts, admin, api, community, feeds, pages, search};

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
        .route("/signup", get(accounts::show_signup).post(accounts::signup))
        .route("/signin", get(accounts::show_signin).post(accounts::signin))
        .route("/signout", post(accounts::signout))
        .route(
            "/verify/{token}",
            get(accounts::show_verify).post(accounts::verify),
        )
        .route(
            "/reset",
            get(accounts::show_reset_request).post(accounts::reset_request),
        )
        .route(
            "/reset/{token}",
            get(accounts::show_reset).post(accounts::reset),
        )
        .route("/account", get(accounts::show_account))
        .route(
            "/submit",
            get(community::show_submit).post(community::submit),
        )
        .route("/vote/{*id}", post(community::vote))
        .route("/comment/{*id}", post(community::add_comment))
        .route(
            "/comments/{number}/{action}",
            post(community::comment_action),
        )
        .route("/curate/{*id}", post(community::curate))
        .route("/admin", get(admin::show_admin))
        .route("/admin/users/{id}", post(admin::user_action))
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/static/app.js", get(pages::script))
        .fallback(pages::fallback)
        .with_state(state)
}

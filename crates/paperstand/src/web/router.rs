//! Every URL of the site, on one screen. Every route is put behind the CSRF guard by the
//! loop at the end, so a route added to a table cannot skip it; `tests/csrf.rs` reads
//! this file to send every route a state-changing request without a token.

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};

use super::auth::csrf;
use super::{
    AppState, account_deletion, accounts, admin, api, community, feeds, foryou, library,
    library_import, pages, search, subscribe, topics,
};

/// The JSON API.
fn api_table() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/daily_papers", get(api::hf::list_daily_papers)),
        ("/api/papers/search", get(api::hf::search_papers)),
        ("/api/papers/{*id}", get(api::hf::get_paper)),
        ("/api/v1/papers", get(api::v1::list_papers_v1)),
        ("/api/v1/papers/{*id}", get(api::v1::get_paper_v1)),
        ("/api/v1/daily", get(api::v1::list_daily_v1)),
        ("/api/v1/trending", get(api::v1::list_trending_v1)),
        ("/api/v1/search", get(api::v1::search_v1)),
        ("/api/openapi.json", get(api::v1::openapi_json)),
        ("/api/{*rest}", get(api::v1::unknown_api_path)),
    ]
}

/// The pages, feeds and forms.
fn site_table() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/", get(pages::show_daily)),
        ("/papers/{*id}", get(pages::show_paper)),
        ("/trending", get(pages::show_trending)),
        ("/search", get(search::show_search)),
        ("/feeds/category/{file}", get(feeds::show_category_feed)),
        ("/feeds/topic/{file}", get(topics::show_topic_feed)),
        ("/feeds/{file}", get(feeds::show_feed)),
        ("/signup", get(accounts::show_signup).post(accounts::signup)),
        ("/signin", get(accounts::show_signin).post(accounts::signin)),
        ("/signout", post(accounts::signout)),
        (
            "/verify/{token}",
            get(accounts::show_verify).post(accounts::verify),
        ),
        (
            "/reset",
            get(accounts::show_reset_request).post(accounts::reset_request),
        ),
        (
            "/reset/{token}",
            get(accounts::show_reset).post(accounts::reset),
        ),
        ("/account", get(accounts::show_account)),
        ("/account/delete", post(account_deletion::delete_account)),
        (
            "/subscribe",
            get(subscribe::show_subscribe).post(subscribe::subscribe),
        ),
        (
            "/subscribe/confirm/{token}",
            get(subscribe::show_confirm).post(subscribe::confirm),
        ),
        (
            "/subscription/{token}",
            get(subscribe::show_manage).post(subscribe::save_manage),
        ),
        // RFC 8058 one-click unsubscribe: the one CSRF-exempt route (csrf::EXEMPT_PREFIXES).
        (
            "/u/{token}",
            get(subscribe::show_unsubscribe).post(subscribe::unsubscribe),
        ),
        ("/digest/preview", get(subscribe::preview)),
        (
            "/submit",
            get(community::show_submit).post(community::submit),
        ),
        ("/vote/{*id}", post(community::vote)),
        ("/comment/{*id}", post(community::add_comment)),
        (
            "/comments/{number}/{action}",
            post(community::comment_action),
        ),
        ("/curate/{*id}", post(community::curate)),
        ("/save/{*id}", post(library::save)),
        ("/library", get(library::show_library)),
        ("/library/paper/{*id}", post(library::paper_action)),
        ("/library/bulk", post(library::bulk_action)),
        ("/library/tags/{id}", post(library::tag_action)),
        (
            "/library/import",
            get(library_import::show_import).post(library_import::import),
        ),
        (
            "/library/import/{token}",
            get(library_import::show_import_job),
        ),
        ("/tags/{id}", get(library::show_public_tag)),
        ("/for-you", get(foryou::show_for_you)),
        ("/for-you/dial", post(foryou::set_dial)),
        (
            "/topics",
            get(topics::show_topics).post(topics::create_topic),
        ),
        ("/topics/{id}", get(topics::show_topic)),
        ("/topics/{id}/delete", post(topics::delete_topic)),
        ("/admin", get(admin::show_admin)),
        ("/admin/users/{id}", post(admin::user_action)),
        ("/healthz", get(pages::healthz)),
        ("/readyz", get(pages::readyz)),
        ("/static/style.css", get(pages::stylesheet)),
        ("/static/app.js", get(pages::script)),
    ]
}

/// A router of `table`, each route's handlers behind the CSRF guard (per handler, so a
/// method a route does not take is still a 405).
fn guarded(
    state: &AppState,
    table: Vec<(&'static str, MethodRouter<AppState>)>,
) -> Router<AppState> {
    table
        .into_iter()
        .fold(Router::new(), |router, (path, handlers)| {
            router.route(
                path,
                handlers.route_layer(from_fn_with_state(state.clone(), csrf::guard)),
            )
        })
}

/// The route table.
pub fn routes(state: AppState) -> Router {
    let api = guarded(&state, api_table())
        .route_layer(from_fn_with_state(state.clone(), api::limits::api_guard));
    guarded(&state, site_table())
        .merge(api)
        .fallback(pages::fallback)
        .with_state(state)
}

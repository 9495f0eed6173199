//! `/admin`: moderation for curators and admins — reported comments, hidden papers,
//! recent submissions, members (suspend, reinstate; roles are the admins').

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use paperstand_core::record::format_date;
use paperstand_store::{Page, Role, User};
use serde::Deserialize;
use time::OffsetDateTime;

use super::AppState;
use super::auth::Viewer;
use super::comment_markdown::render_comment;
use super::error::AppError;
use super::pages::{html, render};

/// Rows per section.
const SECTION_ROWS: u32 = 50;

/// A reported comment as listed.
#[derive(Debug)]
pub struct ReportRow {
    id: i64,
    paper: String,
    author: String,
    body_html: String,
    reports: u32,
    reasons: String,
    removed: bool,
}

/// A hidden paper as listed.
#[derive(Debug)]
pub struct HiddenRow {
    id: String,
    title: String,
}

/// A submission as listed.
#[derive(Debug)]
pub struct SubmissionRow {
    id: String,
    submitter: String,
    when: String,
}

/// A member as listed.
#[derive(Debug)]
pub struct UserRow {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    verified: bool,
    suspended: bool,
    joined: String,
    /// The viewer may suspend or reinstate them.
    can_suspend: bool,
}

/// The moderation page.
#[derive(Debug, Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    csrf: String,
    admin: bool,
    reports: Vec<ReportRow>,
    hidden: Vec<HiddenRow>,
    submissions: Vec<SubmissionRow>,
    users: Vec<UserRow>,
    user_count: u64,
    digest: DigestRow,
}

/// The digests at a glance: subscribers, the outbox, the last run (which balances).
#[derive(Debug, Default)]
struct DigestRow {
    subscribers: Vec<(&'static str, u64)>,
    outbox: paperstand_store::OutboxCounts,
    last_run: Option<crate::digest::RunSummary>,
}

/// A member action.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    action: String,
    role: Option<String>,
}

/// `GET /admin`.
pub async fn show_admin(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let me = viewer.curator("/admin")?.clone();
    let store = state.store.as_ref();
    let page = Page::numbered(1, SECTION_ROWS);
    let reports = store
        .reported_comments(page)
        .await?
        .into_iter()
        .map(|r| ReportRow {
            id: r.comment.id,
            paper: r.comment.arxiv_id.to_string(),
            author: r.comment.author.clone(),
            body_html: render_comment(&r.comment.body),
            reports: r.reports,
            reasons: r.reasons.join(" · "),
            removed: r.comment.removed_at.is_some(),
        })
        .collect();
    let hidden = store
        .hidden_papers(page)
        .await?
        .into_iter()
        .map(|p| HiddenRow {
            id: p.id.to_string(),
            title: p.title,
        })
        .collect();
    let submissions = store
        .recent_submissions(page)
        .await?
        .into_iter()
        .map(|s| SubmissionRow {
            id: s.arxiv_id.to_string(),
            submitter: s.submitter,
            when: format_date(s.submitted_at.date()),
        })
        .collect();
    let users = store
        .users(page)
        .await?
        .into_iter()
        .map(|u| UserRow {
            can_suspend: can_suspend(&me, &u),
            id: u.id,
            name: u.display_name,
            email: u.email,
            role: u.role.as_str(),
            verified: u.email_verified_at.is_some(),
            suspended: u.suspended_at.is_some(),
            joined: format_date(u.created_at.date()),
        })
        .collect();
    let page = AdminPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        admin: me.role == Role::Admin,
        reports,
        hidden,
        submissions,
        users,
        user_count: store.count_users().await?,
        digest: DigestRow {
            subscribers: store
                .count_subscribers()
                .await?
                .into_iter()
                .map(|(status, n)| (status.as_str(), n))
                .collect(),
            outbox: store.outbox_counts().await?,
            last_run: crate::digest::RunSummary::load(store).await,
        },
    };
    Ok(html(render(&page)?))
}

/// Curators suspend members; admins suspend anyone but themselves.
fn can_suspend(me: &User, them: &User) -> bool {
    me.id != them.id && (me.role == Role::Admin || them.role == Role::Member)
}

/// `POST /admin/users/{id}`: `suspend`, `reinstate`, or `role` with `role=…` (admins).
pub async fn user_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    let me = viewer.curator("/admin")?.clone();
    let Some(them) = state.store.user(id).await? else {
        return Err(AppError::not_found(
            "No such member",
            "The account may have been deleted.",
        ));
    };
    let now = OffsetDateTime::now_utc();
    match form.action.as_str() {
        "suspend" | "reinstate" => {
            if !can_suspend(&me, &them) {
                return Err(AppError::Forbidden(
                    "Curators can suspend members; only admins can suspend curators or admins, \
                     and nobody can suspend themselves."
                        .to_owned(),
                ));
            }
            let at = (form.action == "suspend").then_some(now);
            state.store.set_suspended(id, at, now).await?;
            tracing::info!(member = id, by = me.id, action = %form.action, "moderated a member");
        }
        "role" => {
            if me.role != Role::Admin {
                return Err(AppError::Forbidden("Only admins change roles.".to_owned()));
            }
            let role = form.role.as_deref().and_then(Role::parse).ok_or_else(|| {
                AppError::BadRequest("role must be member, curator or admin".to_owned())
            })?;
            if me.id == id && role != Role::Admin {
                return Err(AppError::Forbidden(
                    "Admins cannot demote themselves here (use `paperstand user set-role`), so \
                     an instance never loses its last admin by a click."
                        .to_owned(),
                ));
            }
            state.store.set_role(id, role, now).await?;
            tracing::info!(
                member = id,
                by = me.id,
                role = role.as_str(),
                "changed a role"
            );
        }
        other => {
            return Err(AppError::BadRequest(format!(
                "action={other:?}: use suspend, reinstate or role"
            )));
        }
    }
    Ok(Redirect::to("/admin#members").into_response())
}

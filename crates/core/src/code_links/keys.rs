//! Repository keys per host: which paths name a repository, and how the key is
//! written (`owner/repo`, GitLab subgroups, Hugging Face kinds, anonymous review ids).

use super::{CodeHost, Path};

/// The repository key of a link's path on `host`, if the path names a repository.
pub(super) fn repo_key(host: CodeHost, path: &Path) -> Option<String> {
    match host {
        CodeHost::GitHub => owner_repo_key(path, is_github_owner, GITHUB_RESERVED),
        CodeHost::Bitbucket => owner_repo_key(path, is_plain_name, BITBUCKET_RESERVED),
        CodeHost::Codeberg => owner_repo_key(path, is_plain_name, CODEBERG_RESERVED),
        CodeHost::GitLab => gitlab_key(path),
        CodeHost::HuggingFace => hugging_face_key(path),
        CodeHost::AnonymousReview => anonymous_key(path),
    }
}

/// First path segments on github.com that are site pages, not users or organisations.
const GITHUB_RESERVED: &[&str] = &[
    "about",
    "account",
    "advisories",
    "apps",
    "codespaces",
    "collections",
    "contact",
    "copilot",
    "customer-stories",
    "dashboard",
    "education",
    "enterprise",
    "events",
    "explore",
    "features",
    "home",
    "issues",
    "login",
    "logout",
    "marketplace",
    "mobile",
    "new",
    "nonprofit",
    "notifications",
    "organizations",
    "orgs",
    "pricing",
    "pulls",
    "readme",
    "resources",
    "search",
    "security",
    "sessions",
    "settings",
    "signup",
    "site",
    "solutions",
    "sponsors",
    "stars",
    "team",
    "topics",
    "trending",
    "users",
];

/// First path segments on bitbucket.org that are site pages.
const BITBUCKET_RESERVED: &[&str] = &[
    "account",
    "blog",
    "dashboard",
    "product",
    "repo",
    "site",
    "snippets",
    "support",
];

/// First path segments on codeberg.org that are site pages.
const CODEBERG_RESERVED: &[&str] = &[
    "admin",
    "api",
    "assets",
    "explore",
    "notifications",
    "org",
    "repo",
    "user",
];

/// First path segments on gitlab.com that are site pages.
const GITLAB_RESERVED: &[&str] = &[
    "admin",
    "api",
    "dashboard",
    "explore",
    "groups",
    "help",
    "profile",
    "projects",
    "search",
    "users",
];

/// Old-style GitLab deep links without the `/-/` separator (`group/repo/tree/main`).
const GITLAB_DEEP_LINKS: &[&str] = &[
    "blob",
    "branches",
    "commit",
    "commits",
    "compare",
    "issues",
    "merge_requests",
    "pipelines",
    "raw",
    "releases",
    "tags",
    "tree",
    "wikis",
];

/// First path segments on huggingface.co that are site or listing pages.
const HUGGING_FACE_RESERVED: &[&str] = &[
    "api",
    "blog",
    "chat",
    "collections",
    "docs",
    "enterprise",
    "join",
    "learn",
    "login",
    "models",
    "new",
    "organizations",
    "papers",
    "posts",
    "pricing",
    "search",
    "settings",
    "tasks",
];

/// Whether `word` is in `list`, ignoring ASCII case.
fn is_listed(list: &[&str], word: &str) -> bool {
    list.iter().any(|item| item.eq_ignore_ascii_case(word))
}

/// `owner/repo` for hosts whose repositories sit right below their owner.
fn owner_repo_key(path: &Path, valid_owner: fn(&str) -> bool, reserved: &[&str]) -> Option<String> {
    let owner = path.segment(0)?;
    if !valid_owner(owner) || is_listed(reserved, owner) {
        return None;
    }
    let repo = repo_name(path.segment(1)?)?;
    Some(format!("{owner}/{repo}"))
}

/// A GitHub user or organisation name: letters, digits and hyphens, starting with a
/// letter or digit, at most 39 characters.
fn is_github_owner(owner: &str) -> bool {
    owner.len() <= 39
        && owner.starts_with(|c: char| c.is_ascii_alphanumeric())
        && owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// An owner or namespace name on the other hosts: path characters, starting with a
/// letter, a digit or `_`, and not ending with a dot.
fn is_plain_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') && !name.ends_with('.')
}

/// The repository name in a path segment: trailing dots (sentence punctuation) and
/// a `.git` suffix removed; `None` if nothing is left.
fn repo_name(segment: &str) -> Option<&str> {
    let name = segment.trim_end_matches('.');
    let name = match name.len().checked_sub(4) {
        Some(cut)
            if name
                .get(cut..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(".git")) =>
        {
            name.get(..cut).unwrap_or_default().trim_end_matches('.')
        }
        _ => name,
    };
    (!name.is_empty()).then_some(name)
}

/// The GitLab project path: every namespace segment up to `/-/`, a legacy deep-link
/// keyword, or a segment of dots only (`group/repo/.`).
fn gitlab_key(path: &Path) -> Option<String> {
    if is_listed(GITLAB_RESERVED, path.segment(0)?) {
        return None;
    }
    let ends_project = |index: usize, segment: &str| {
        segment == "-"
            || repo_name(segment).is_none()
            || (index >= 2 && is_listed(GITLAB_DEEP_LINKS, segment))
    };
    let count = (0..path.count())
        .find(|&index| {
            path.segment(index)
                .is_none_or(|segment| ends_project(index, segment))
        })
        .unwrap_or(path.count());
    if count < 2 {
        return None;
    }
    let mut key = String::new();
    for index in 0..count {
        let segment = path.segment(index)?;
        let name = if index + 1 == count {
            repo_name(segment)?
        } else {
            segment
        };
        if !is_plain_name(name) {
            return None;
        }
        if index > 0 {
            key.push('/');
        }
        key.push_str(name);
    }
    Some(key)
}

/// Whether a first Hugging Face path segment is a repository kind prefix.
pub(super) fn is_hf_kind(segment: &str) -> bool {
    segment == "spaces" || segment == "datasets"
}

/// `spaces/owner/name`, `datasets/owner/name` or `owner/model` on Hugging Face.
fn hugging_face_key(path: &Path) -> Option<String> {
    let first = path.segment(0)?;
    let (kind, owner_index) = if is_hf_kind(first) {
        (first, 1)
    } else if is_listed(HUGGING_FACE_RESERVED, first) {
        return None;
    } else {
        ("", 0)
    };
    let owner = path.segment(owner_index)?;
    if !is_plain_name(owner) {
        return None;
    }
    let name = repo_name(path.segment(owner_index + 1)?)?;
    if kind.is_empty() {
        Some(format!("{owner}/{name}"))
    } else {
        Some(format!("{kind}/{owner}/{name}"))
    }
}

/// `r/<id>` from an anonymous.4open.science repository (`/r/<id>`) or status page
/// (`/status/<id>`); the `/w/<id>` project pages are skipped.
fn anonymous_key(path: &Path) -> Option<String> {
    if !matches!(path.segment(0)?, "r" | "status") {
        return None;
    }
    let id = repo_name(path.segment(1)?)?;
    is_plain_name(id).then(|| format!("r/{id}"))
}

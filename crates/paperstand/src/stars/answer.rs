//! Reading GitHub's repository answers: the count, the `ETag`, and a new name when the
//! repository was renamed or transferred. Pure.

use paperstand_store::RepoOutcome;
use reqwest::header::{ETAG, HeaderMap};
use serde::Deserialize;

/// The fields of a repository the star counts need.
#[derive(Deserialize)]
pub(super) struct RepoJson {
    full_name: String,
    stargazers_count: u64,
}

/// The name and count of a repository answer; an error says what is wrong with it.
pub(super) fn parse_repo(body: &[u8]) -> Result<RepoJson, String> {
    serde_json::from_slice(body)
        .map_err(|e| format!("GitHub's answer is not a repository ({e}); the stored count is kept"))
}

/// Stars, or a move when GitHub answers under another name (renames answer 200 with
/// the new `full_name` as often as 301).
pub(super) fn outcome_of(asked: &str, repo: RepoJson, headers: &HeaderMap) -> RepoOutcome {
    if !repo.full_name.eq_ignore_ascii_case(asked) && is_repo_name(&repo.full_name) {
        return RepoOutcome::Moved {
            to: repo.full_name.to_ascii_lowercase(),
        };
    }
    RepoOutcome::Stars {
        stars: repo.stargazers_count,
        etag: headers
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// `owner/name` as GitHub allows them: one slash, ASCII letters, digits, `-`, `_`, `.`,
/// and neither part `.` or `..` (the name goes into a URL path).
pub fn is_repo_name(text: &str) -> bool {
    let Some((owner, name)) = text.split_once('/') else {
        return false;
    };
    let part_ok = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part.len() <= 100
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    part_ok(owner) && part_ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn repository_names_are_checked_before_they_go_into_a_url() {
        for good in ["dogsheep/github-to-sqlite", "a/b.js", "Owner_1/repo.name-2"] {
            assert!(is_repo_name(good), "{good}");
        }
        for bad in [
            "", "owner", "a/b/c", "../x", "a/..", "a/b?x=1", "a/b#c", "a /b", "a/%2e%2e",
        ] {
            assert!(!is_repo_name(bad), "{bad}");
        }
    }

    #[test]
    fn an_answer_under_another_name_is_a_move() {
        let mut headers = HeaderMap::new();
        headers.insert(ETAG, HeaderValue::from_static("W/\"abc\""));
        let body = br#"{"full_name": "Dogsheep/GitHub-to-SQLite", "stargazers_count": 6, "watchers_count": 6}"#;
        let same = outcome_of(
            "dogsheep/github-to-sqlite",
            parse_repo(body).unwrap(),
            &headers,
        );
        assert_eq!(
            same,
            RepoOutcome::Stars {
                stars: 6,
                etag: Some("W/\"abc\"".to_owned())
            }
        );
        let renamed = outcome_of(
            "simonw/github-to-sqlite",
            parse_repo(body).unwrap(),
            &headers,
        );
        assert_eq!(
            renamed,
            RepoOutcome::Moved {
                to: "dogsheep/github-to-sqlite".to_owned()
            }
        );
        let error = parse_repo(br#"{"full_name": "a/b"}"#).err().unwrap();
        assert!(error.contains("stargazers_count"), "{error}");
    }
}

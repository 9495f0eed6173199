//! Code-link extraction from abstracts and comments.
//!
//! [`extract_code_links`] finds links to code repositories (and Hugging Face models,
//! datasets and spaces) in the free text of an arXiv abstract or comment. It runs on
//! every imported paper, so it never allocates for a text without a candidate host and
//! uses no regular expressions: it jumps from `.` to `.` with `memchr` and only looks
//! closer where a known host name ends right before the dot.
//!
//! # Heuristics
//!
//! * **Hosts** are matched case-insensitively and must start at a word boundary
//!   (optionally after `www.`): `api.github.com`, `gist.github.com`, `mygithub.com` or
//!   `user@github.com` are not links. The scheme is ignored (`http://`, `https://`,
//!   none, or even `https: //`); every produced URL is a canonical `https://` URL
//!   rebuilt from the validated repository key, never a copy of the input.
//! * **Path segments** consist of `[A-Za-z0-9._-]` (plus LaTeX's `\_`, read as `_`).
//!   Any other character ends the link, which takes care of trailing `,;:)}]>'"`,
//!   `\url{…}`, `\href{url}{text}`, `[text](url)`, `<url>`, `?query` and `#fragment`.
//!   Trailing dots are stripped from the repository name (`owner/repo.js.` gives
//!   `owner/repo.js`), then a `.git` suffix.
//! * **Hard-wrapped text**: arXiv abstracts contain line breaks, rarely inside a URL.
//!   A single line break (plus the indentation arXiv puts in comments) is skipped,
//!   i.e. the URL continues on the next line, only where the URL is clearly
//!   unfinished:
//!   - right after a dot inside the host name (`https://github.\ncom/x/y`), or
//!     before a `/` that starts the next line;
//!   - right after a `-` or `_` (`github.com/a/KVQE-\nChallenge`);
//!   - right after a `/` while the key is unfinished (`github.com/\nowner/repo`,
//!     `github.com/owner/\nrepo`);
//!   - while the path holds only the owner part so far (`github.com/own\ner/repo`).
//!
//!   It is *not* skipped after a `.` in the path (`github.com/a/b.\nThe next
//!   sentence`), nor after a complete `owner/repo` (`github.com/a/b\nand we` gives
//!   `a/b`), nor when the next line starts with a common English word such as "soon"
//!   or "and" (`github.com/owner/\nsoon.` is an unfinished placeholder, not
//!   `owner/soon`). A blank line (paragraph break) always ends the link.
//!
//!   A *single space* right after a `/`, `-` or `_` is the same kind of artefact (PDF
//!   copy-paste: `github.com/ owner/repo`, `github.com/owner/ repo`,
//!   `github.com/Naeem- Paeedeh/x`) and follows the same rules; a space after any
//!   other character ends the link. Empty segments (`github.com//owner/repo`) are
//!   ignored.
//! * **Repository keys** per host:
//!   - GitHub, Bitbucket, Codeberg: `owner/repo`; deep links (`/tree/…`, `/blob/…`,
//!     `/issues`, …) are cut. Owner-only pages and site pages (`github.com/features`,
//!     `/orgs/…`, `/settings`, `/sponsors/…`, …) are skipped. GitHub Pages sites
//!     (`owner.github.io/project`) are project pages, not repositories, and are
//!     skipped entirely: guessing the repository behind them would often be wrong.
//!   - GitLab: the full project path including subgroups (`group/sub/repo`), which ends
//!     at a `/-/` separator or at a legacy deep-link keyword (`tree`, `blob`, …).
//!   - Hugging Face (`huggingface.co` and its short form `hf.co`): `spaces/owner/name`,
//!     `datasets/owner/name`, or `owner/model`; listing and site pages (`/papers/…`,
//!     `/docs/…`, `/blog/…`, `/models`, `/collections/…`, …) and organisation pages are
//!     skipped.
//!   - anonymous.4open.science: `r/<id>` from `/r/<id>` (and its `/status/<id>` page);
//!     `/w/<id>` is the anonymised *project page* and is skipped like `github.io`.
//! * **De-duplication** is by host and case-insensitive key; the abstract is scanned
//!   first, so a link present in both fields keeps [`LinkSource::Abstract`], and the
//!   first spelling found is kept.

use memchr::memchr_iter;
use serde::{Deserialize, Serialize};

/// Where in the paper's metadata a link was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkSource {
    /// The abstract.
    Abstract,
    /// The authors' comment field.
    Comment,
}

/// The code host a link points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeHost {
    /// github.com
    GitHub,
    /// gitlab.com
    GitLab,
    /// huggingface.co (models, datasets, spaces)
    HuggingFace,
    /// bitbucket.org
    Bitbucket,
    /// codeberg.org
    Codeberg,
    /// anonymous.4open.science (double-blind review mirrors)
    AnonymousReview,
}

/// One link to a code repository (or model, dataset, space) found in a paper.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodeLink {
    /// The host.
    pub host: CodeHost,
    /// The repository key on that host: `owner/repo` for git hosts,
    /// `spaces/owner/name`, `datasets/owner/name` or `owner/model` for Hugging Face,
    /// `r/<id>` for anonymous.4open.science.
    pub repo: String,
    /// A canonical `https://` URL of the repository (never the deep link).
    pub url: String,
    /// Where the link was found.
    pub source: LinkSource,
}

/// Extracts the code links of a paper, abstract first, de-duplicated by repository
/// (the first occurrence wins, so a link in both places keeps `Abstract`).
pub fn extract_code_links(abstract_text: &str, comment: Option<&str>) -> Vec<CodeLink> {
    let mut links = Vec::new();
    scan_text(abstract_text, LinkSource::Abstract, &mut links);
    if let Some(comment) = comment {
        scan_text(comment, LinkSource::Comment, &mut links);
    }
    links
}

/// How one host name is spelled in text: `label` ends right before a dot, `rest`
/// follows that dot.
struct HostName {
    label: &'static [u8],
    rest: &'static [u8],
    host: CodeHost,
}

/// Every spelling we look for; `hf.co` is Hugging Face's official short domain.
const HOST_NAMES: [HostName; 7] = [
    host_name(b"github", b"com", CodeHost::GitHub),
    host_name(b"huggingface", b"co", CodeHost::HuggingFace),
    host_name(b"anonymous", b"4open.science", CodeHost::AnonymousReview),
    host_name(b"gitlab", b"com", CodeHost::GitLab),
    host_name(b"hf", b"co", CodeHost::HuggingFace),
    host_name(b"bitbucket", b"org", CodeHost::Bitbucket),
    host_name(b"codeberg", b"org", CodeHost::Codeberg),
];

/// Builds a [`HostName`] (keeps the table compact).
const fn host_name(label: &'static [u8], rest: &'static [u8], host: CodeHost) -> HostName {
    HostName { label, rest, host }
}

/// The most path segments read after a host (GitLab subgroups included); deeper
/// paths are cut, which only matters for absurdly nested GitLab groups.
const MAX_SEGMENTS: usize = 10;

/// Appends the links found in one text to `links`, skipping duplicates.
fn scan_text(text: &str, source: LinkSource, links: &mut Vec<CodeLink>) {
    let bytes = text.as_bytes();
    for dot in memchr_iter(b'.', bytes) {
        let Some((host, path_start)) = match_host(bytes, dot) else {
            continue;
        };
        let path = read_path(bytes, path_start, host);
        if let Some(repo) = repo_key(host, &path) {
            push_unique(links, host, repo, source);
        }
    }
}

/// Adds a link unless the same repository (case-insensitively) is already there.
fn push_unique(links: &mut Vec<CodeLink>, host: CodeHost, repo: String, source: LinkSource) {
    let seen = links
        .iter()
        .any(|link| link.host == host && link.repo.eq_ignore_ascii_case(&repo));
    if !seen {
        let url = format!("https://{}/{repo}", canonical_domain(host));
        links.push(CodeLink {
            host,
            repo,
            url,
            source,
        });
    }
}

/// The domain used in canonical URLs.
fn canonical_domain(host: CodeHost) -> &'static str {
    match host {
        CodeHost::GitHub => "github.com",
        CodeHost::GitLab => "gitlab.com",
        CodeHost::HuggingFace => "huggingface.co",
        CodeHost::Bitbucket => "bitbucket.org",
        CodeHost::Codeberg => "codeberg.org",
        CodeHost::AnonymousReview => "anonymous.4open.science",
    }
}

/// If a known host name has its (first) dot at `dot`, returns the host and the
/// position right after the `/` that starts the path.
fn match_host(bytes: &[u8], dot: usize) -> Option<(CodeHost, usize)> {
    let name = HOST_NAMES.iter().find(|name| {
        dot.checked_sub(name.label.len())
            .and_then(|start| bytes.get(start..dot))
            .is_some_and(|label| label.eq_ignore_ascii_case(name.label))
    })?;
    if !starts_at_boundary(bytes, dot - name.label.len()) {
        return None;
    }
    let mut pos = match_rest(bytes, dot + 1, name.rest)?;
    if bytes.get(pos) != Some(&b'/') {
        // `github.com\n/owner/repo`: a next line starting with `/` continues the URL.
        pos = line_break_end(bytes, pos).filter(|&next| bytes.get(next) == Some(&b'/'))?;
    }
    Some((name.host, pos + 1))
}

/// Whether a host name starting at `start` (possibly after `www.`) is a whole word:
/// not a subdomain (`api.github.com`), not a longer name (`mygithub.com`), not an
/// e-mail address.
fn starts_at_boundary(bytes: &[u8], start: usize) -> bool {
    let www = start
        .checked_sub(4)
        .and_then(|begin| bytes.get(begin..start))
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"www."));
    let start = if www { start - 4 } else { start };
    match start.checked_sub(1).and_then(|before| bytes.get(before)) {
        None => true,
        Some(&byte) => !(byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'@')),
    }
}

/// Matches the part of a host name after its first dot, case-insensitively, allowing
/// a line break after any dot (`github.\ncom`). Returns the position after it, which
/// must not continue the host name (`github.community` is another site).
fn match_rest(bytes: &[u8], mut pos: usize, rest: &[u8]) -> Option<usize> {
    let mut after_dot = true;
    for &expected in rest {
        let mut actual = *bytes.get(pos)?;
        if after_dot && matches!(actual, b'\r' | b'\n') {
            pos = line_break_end(bytes, pos)?;
            actual = *bytes.get(pos)?;
        }
        if !actual.eq_ignore_ascii_case(&expected) {
            return None;
        }
        after_dot = expected == b'.';
        pos += 1;
    }
    let continues = bytes
        .get(pos)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-');
    (!continues).then_some(pos)
}

/// If `pos` is at a single line break (`\n` or `\r\n`), returns the position of the
/// first character of the next line after its indentation. A blank line (paragraph
/// break) or the end of the text gives `None`.
fn line_break_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    if bytes.get(pos) == Some(&b'\r') {
        pos += 1;
    }
    if bytes.get(pos) != Some(&b'\n') {
        return None;
    }
    pos += 1;
    while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    match bytes.get(pos) {
        None | Some(b'\r' | b'\n') => None,
        Some(_) => Some(pos),
    }
}

/// The characters a path segment may contain.
fn is_segment_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-')
}

/// The leading path segments of a link, concatenated in `buf`; segment `i` ends at
/// `ends[i]`. Only built once a host name matched.
#[derive(Default)]
struct Path {
    buf: String,
    ends: [usize; MAX_SEGMENTS],
    len: usize,
}

impl Path {
    /// The number of complete segments.
    fn count(&self) -> usize {
        self.len
    }

    /// Segment `index`, if there is one.
    fn segment(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(..self.len)?.get(index)?;
        self.buf.get(self.segment_start(index)..end)
    }

    /// Where segment `index` starts in `buf`.
    fn segment_start(&self, index: usize) -> usize {
        index
            .checked_sub(1)
            .and_then(|previous| self.ends.get(previous))
            .copied()
            .unwrap_or(0)
    }

    /// Ends the segment being read, unless it is empty (as in `a//b`) or the segment
    /// table is full.
    fn close_segment(&mut self) {
        let start = self.segment_start(self.len);
        if self.buf.len() > start
            && let Some(end) = self.ends.get_mut(self.len)
        {
            *end = self.buf.len();
            self.len += 1;
        }
    }

    /// The number of segments that make up the owner part of the key: one, or two
    /// after Hugging Face's `spaces` or `datasets`.
    fn owner_segments(&self, host: CodeHost) -> usize {
        match (host, self.segment(0)) {
            (CodeHost::HuggingFace, Some(first)) if is_hf_kind(first) => 2,
            _ => 1,
        }
    }
}

/// Whitespace inside a link that may be a wrap or copy-paste artefact.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// One line break, with the next line's indentation.
    LineBreak,
    /// One space (PDF copy-paste often inserts one after `/` or `-`).
    Space,
}

/// If `pos` is at a gap that may split a link, returns its kind and the position of
/// the first character after it.
fn gap_end(bytes: &[u8], pos: usize) -> Option<(Gap, usize)> {
    if bytes.get(pos) == Some(&b' ') {
        let next = pos + 1;
        let single = bytes.get(next).is_some_and(|b| !b.is_ascii_whitespace());
        return single.then_some((Gap::Space, next));
    }
    line_break_end(bytes, pos).map(|next| (Gap::LineBreak, next))
}

/// Reads the path segments starting at `pos` (right after the host's `/`), joining
/// lines where the URL is clearly unfinished (see the module documentation). Empty
/// segments (`github.com//owner/repo`) are ignored.
fn read_path(bytes: &[u8], mut pos: usize, host: CodeHost) -> Path {
    let mut path = Path::default();
    let mut prev = b'/';
    while let Some(&byte) = bytes.get(pos) {
        match byte {
            b'/' if path.count() == MAX_SEGMENTS => return path,
            b'/' => {
                path.close_segment();
                pos += 1;
            }
            b'\\' if bytes.get(pos + 1) == Some(&b'_') => {
                path.buf.push('_');
                pos += 2;
            }
            b' ' | b'\r' | b'\n' => match gap_end(bytes, pos) {
                Some((gap, next)) if joins_across(bytes, next, prev, gap, &path, host) => {
                    pos = next;
                    continue;
                }
                _ => break,
            },
            _ if is_segment_byte(byte) => {
                path.buf.push(char::from(byte));
                pos += 1;
            }
            _ => break,
        }
        // The last byte consumed (`_` for LaTeX's `\_`), as the gaps see it.
        prev = if byte == b'\\' { b'_' } else { byte };
    }
    path.close_segment();
    path
}

/// Whether the link goes on after a gap that follows `prev`, at `next` (see the
/// module documentation): after `-` or `_`, after a `/` while the key is unfinished,
/// and, for line breaks only, while the owner part is unfinished. Never when the next
/// word is a common English word.
fn joins_across(
    bytes: &[u8],
    next: usize,
    prev: u8,
    gap: Gap,
    path: &Path,
    host: CodeHost,
) -> bool {
    let Some(&first) = bytes.get(next) else {
        return false;
    };
    if gap == Gap::LineBreak && first == b'/' {
        return true;
    }
    if !is_segment_byte(first) {
        return false;
    }
    let owner_segments = path.owner_segments(host);
    match prev {
        b'-' | b'_' => true,
        b'/' => path.count() <= owner_segments && !starts_with_common_word(bytes, next),
        b'.' => false,
        _ => {
            gap == Gap::LineBreak
                && path.count() < owner_segments
                && !starts_with_common_word(bytes, next)
        }
    }
}

/// English words that often follow a URL at a line break ("available at URL\nsoon",
/// "at URL\nand …"), and are therefore not taken as the rest of a wrapped URL.
const COMMON_WORDS: [&str; 32] = [
    "a", "after", "an", "and", "are", "as", "at", "by", "for", "from", "if", "in", "is", "it",
    "later", "of", "on", "once", "or", "our", "shortly", "soon", "that", "the", "this", "to",
    "under", "upon", "was", "we", "which", "with",
];

/// Whether the line at `pos` starts with a word of [`COMMON_WORDS`] standing alone
/// (not followed by more path characters, except sentence punctuation).
fn starts_with_common_word(bytes: &[u8], pos: usize) -> bool {
    let rest = bytes.get(pos..).unwrap_or_default();
    let len = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (word, after) = rest.split_at(len);
    let alone = !after
        .first()
        .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/'));
    alone
        && COMMON_WORDS
            .iter()
            .any(|common| common.as_bytes().eq_ignore_ascii_case(word))
}

/// The repository key of a link's path on `host`, if the path names a repository.
fn repo_key(host: CodeHost, path: &Path) -> Option<String> {
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
fn is_hf_kind(segment: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    use CodeHost::{AnonymousReview, Bitbucket, Codeberg, GitHub, GitLab, HuggingFace};
    use LinkSource::{Abstract, Comment};

    /// The expected links: host, repository key, source.
    type Expected = &'static [(CodeHost, &'static str, LinkSource)];

    /// Runs the extractor and checks the links plus the invariants every link keeps.
    fn check(abstract_text: &str, comment: Option<&str>, expected: Expected) {
        let links = extract_code_links(abstract_text, comment);
        let got: Vec<_> = links
            .iter()
            .map(|link| (link.host, link.repo.as_str(), link.source))
            .collect();
        assert_eq!(
            got, expected,
            "abstract {abstract_text:?}, comment {comment:?}"
        );
        for link in &links {
            let domain = canonical_domain(link.host);
            assert_eq!(link.url, format!("https://{domain}/{}", link.repo));
            let clean = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/');
            assert!(link.repo.bytes().all(clean), "unclean repo {:?}", link.repo);
            assert!(link.repo.split('/').all(|segment| !segment.is_empty()));
        }
    }

    /// Snippets copied verbatim from abstracts of the arXiv cs 2025-2026 corpus
    /// (`/work/shared/corpora/arxiv-cs-2025-2026`); the comment names the paper.
    #[rstest]
    // arXiv:2505.05446 — line break inside the host name
    #[case(
        "rios. Our code and models are released at https://github.\ncom/Euphoria16/DocMark.",
        &[(GitHub, "Euphoria16/DocMark", Abstract)]
    )]
    // arXiv:2510.08901 — host broken, trailing `/)`
    #[case(
        "cations (code and dataset can be found at https://github.\ncom/ronan-39/tlt/).",
        &[(GitHub, "ronan-39/tlt", Abstract)]
    )]
    // arXiv:2507.09506 — host broken
    #[case(
        "sights. Our data and code can be found in https://github.\ncom/wujunjie1998/Ref-Long.",
        &[(GitHub, "wujunjie1998/Ref-Long", Abstract)]
    )]
    // arXiv:2510.06009 — line break right after the host's `/`
    #[case(
        " code can\nbe found via the following link https://github.com/\nGepardius/Taetz_Bordelius_Continual_ImageCaptioning.",
        &[(GitHub, "Gepardius/Taetz_Bordelius_Continual_ImageCaptioning", Abstract)]
    )]
    // arXiv:2504.13131 — line break after a `-` inside the repository name
    #[case(
        "ublicly available at https://github.com/lixinustc/KVQE-\nChallengeCVPR-NTIRE2025.",
        &[(GitHub, "lixinustc/KVQE-ChallengeCVPR-NTIRE2025", Abstract)]
    )]
    // arXiv:2505.23353 — the next line's word is not glued on
    #[case(
        "de and generated data at https://github.com/agr78/PRLx-GAN\nupon publication.",
        &[(GitHub, "agr78/PRLx-GAN", Abstract)]
    )]
    // arXiv:2507.03578 — the next line's word is not glued on
    #[case(
        "se our code at https://github.com/google-deepmind/scivid\nto facilitate further research in the development",
        &[(GitHub, "google-deepmind/scivid", Abstract)]
    )]
    // arXiv:2506.02393 — unfinished placeholder, "soon" is not a repository
    #[case(" Our code will be available at https://github.com/yongxianLiu/\nsoon.", &[])]
    // arXiv:2505.22046 — placeholder, `--` is no GitHub owner
    #[case("e evaluation metrics will be available at https://github.com/\n--.", &[])]
    // arXiv:2503.12061 — trailing period
    #[case(
        "0, and UCF-QNRF. Our\ncode is in https://anonymous.4open.science/r/EHNet.",
        &[(AnonymousReview, "r/EHNet", Abstract)]
    )]
    // arXiv:2504.05995 — in parentheses, then a period
    #[case(
        "ble for the\ncommunity (https://gitlab.com/nativqa/nativqa-framework).",
        &[(GitLab, "nativqa/nativqa-framework", Abstract)]
    )]
    // arXiv:2505.00737 — `).` and a line break
    #[case(
        "d\nfuture prospects (https://github.com/JiajiaLi04/3D-Reconstruction-Plants).\nThrough this review, we aim to provide insights i",
        &[(GitHub, "JiajiaLi04/3D-Reconstruction-Plants", Abstract)]
    )]
    // arXiv:2503.17966 — \url{…}
    #[case(
        ".\nThe code and dataset are publicly available at\n\\url{https://github.com/lwCVer/RRSHID}.",
        &[(GitHub, "lwCVer/RRSHID", Abstract)]
    )]
    // arXiv:2503.17793 — ~\url{…} to a Hugging Face model
    #[case(
        "cessed\nat~\\url{https://huggingface.co/inclusionAI/Ling-Coder-lite}.",
        &[(HuggingFace, "inclusionAI/Ling-Coder-lite", Abstract)]
    )]
    // arXiv:2504.12324 — \href{url/}{text}
    #[case(
        "ilable at\n\\href{https://anonymous.4open.science/r/CDCL-NLI-637E/}{CDCL-NLI-Link for peer\nreview}.",
        &[(AnonymousReview, "r/CDCL-NLI-637E", Abstract)]
    )]
    // arXiv:2507.15576 — \href to a tree/main deep link
    #[case(
        "ins. Code:\n\\href{https://github.com/Nicolas-Poggi/Project_THz_Classification/tree/main}{GitHub\nrepository}.",
        &[(GitHub, "Nicolas-Poggi/Project_THz_Classification", Abstract)]
    )]
    // arXiv:2510.17238 — \href to a tree/main/sub deep link
    #[case(
        "digm for LLM reasoning. Code will be released at\n\\href{https://github.com/EIT-NLP/StreamingLLM/tree/main/StreamingThinker}{this\nrepository.}",
        &[(GitHub, "EIT-NLP/StreamingLLM", Abstract)]
    )]
    // arXiv:2503.18854 — $\href{url}{url}$, de-duplicated
    #[case(
        "he code and\ndataset will be publicly available at\n$\\href{https://github.com/arctanxarc/MC-LLaVA}{https://github.com/arctanxarc/MC-LLaVA}$.",
        &[(GitHub, "arctanxarc/MC-LLaVA", Abstract)]
    )]
    // arXiv:2506.07412 — \href{url}{url} with a line break after
    #[case(
        "e the dataset and all accompanying source code at\n\\href{https://github.com/chansongoal/Compressed-Feature-Quality-Assessment}{https://github.com/chansongoal/Compressed-Feature-Quality-Assessment}.\nThis contribution aims to advance the field and p",
        &[(GitHub, "chansongoal/Compressed-Feature-Quality-Assessment", Abstract)]
    )]
    // arXiv:2603.08967 — \hyperlink{url}{url} to GitLab
    #[case(
        "review} - \\hyperlink{https://gitlab.com/viper-purdue/atlas}{https://gitlab.com/viper-purdue/atlas}\n  \\keywor",
        &[(GitLab, "viper-purdue/atlas", Abstract)]
    )]
    // arXiv:2506.09003 — markdown link
    #[case(
        " all code, datasets, models, and Docker images at\n[Github](https://github.com/Hambaobao/SWE-Flow).",
        &[(GitHub, "Hambaobao/SWE-Flow", Abstract)]
    )]
    // arXiv:2505.18956 — angle brackets and `.git`
    #[case(
        "ublicly available at <https://github.com/IMPL-Lab/IAL.git>.",
        &[(GitHub, "IMPL-Lab/IAL", Abstract)]
    )]
    // arXiv:2509.09703 — angle brackets
    #[case(
        "rios. Our\ncode and data are publicly available at <https://github.com/Xuzhenhua55/CTCC>.",
        &[(GitHub, "Xuzhenhua55/CTCC", Abstract)]
    )]
    // arXiv:2503.12559 — `.git.`
    #[case(
        "de is available at\nhttps://github.com/SCZwangxiao/video-FlexReduc.git.",
        &[(GitHub, "SCZwangxiao/video-FlexReduc", Abstract)]
    )]
    // arXiv:2505.00681 — query string and LaTeX-escaped fragment
    #[case(
        "vailable under\nhttps://github.com/google-deepmind/neptune?tab=readme-ov-file\\#minerva.",
        &[(GitHub, "google-deepmind/neptune", Abstract)]
    )]
    // arXiv:2601.08557 — fragment
    #[case(
        "full code and experimental resources available at https://github.com/Simula/HEDGE#videohedge .",
        &[(GitHub, "Simula/HEDGE", Abstract)]
    )]
    // arXiv:2503.16983 — http:// and a deep tree link
    #[case(
        "d implemented using the PaddlePaddle framework at\nhttp://github.com/PaddlePaddle/PaddleMIX/tree/develop/ppdiffusers/examples/ppvctrl.",
        &[(GitHub, "PaddlePaddle/PaddleMIX", Abstract)]
    )]
    // arXiv:2504.18959 — www. without scheme
    #[case(
        "tection in SAR imagery. The code is available at:\nwww.github.com/ka-mirul/R-Sparse-R-CNN.",
        &[(GitHub, "ka-mirul/R-Sparse-R-CNN", Abstract)]
    )]
    // arXiv:2508.14370 — no scheme, two hosts in one text
    #[case(
        "OT20 test sets. Code and Benchmark\nare available: github.com/Hamidreza-Hashempoor/FastTracker,\nhuggingface.co/datasets/Hamidreza-Hashemp/FastTracker-Benchmark.",
        &[
            (GitHub, "Hamidreza-Hashempoor/FastTracker", Abstract),
            (HuggingFace, "datasets/Hamidreza-Hashemp/FastTracker-Benchmark", Abstract),
        ]
    )]
    // arXiv:2504.11468 — Hugging Face space in parentheses
    #[case(
        "p-1 performance on Open LMM Reasoning Leaderboard\n(https://huggingface.co/spaces/opencompass/Open_LMM_Reasoning_Leaderboard)\namong 4B scale LVLMs, surpassing the previous sta",
        &[(HuggingFace, "spaces/opencompass/Open_LMM_Reasoning_Leaderboard", Abstract)]
    )]
    // arXiv:2503.19633 — dataset name with a dot inside
    #[case(
        "guage Models (LLMs). The dataset was\npublished in\n\\href{https://huggingface.co/datasets/a-m-team/AM-DeepSeek-R1-Distilled-1.4M}{https://huggingface.co/datasets/a-m-team/AM-DeepSeek-R1-Distilled-1.4M}.",
        &[(HuggingFace, "datasets/a-m-team/AM-DeepSeek-R1-Distilled-1.4M", Abstract)]
    )]
    // arXiv:2505.13404 — hf.co short domain, dataset
    #[case(
        " 50%\nless data. Dataset will be made available at\nhttps://hf.co/datasets/nvidia/Granary",
        &[(HuggingFace, "datasets/nvidia/Granary", Abstract)]
    )]
    // arXiv:2512.05000 — hf.co short domain, space
    #[case(
        "ty solution for reflection removal. Project page: https://hf.co/spaces/huawei-bayerlab/windowseat-reflection-removal-web",
        &[(HuggingFace, "spaces/huawei-bayerlab/windowseat-reflection-removal-web", Abstract)]
    )]
    // arXiv:2504.03601 — a Hugging Face collection and a github.io site: no repository
    #[case(
        "e on HuggingFace at\nhttps://huggingface.co/collections/Salesforce/xlam-2-67ef5be12949d8dcdae354c4\nand project website is https://apigen-mt.github.io",
        &[]
    )]
    // arXiv:2503.21819 — Hugging Face organisation page only
    #[case("\\textbf{We will open-source all trained models at\nhttps://huggingface.co/hydroxai.", &[])]
    // arXiv:2511.03416 — GitLab subgroups
    #[case(
        "arch settings. The code is publicly\navailable at:\nhttps://gitlab.com/radiology/prenatal-image-analysis/pca-3d-alignment.",
        &[(GitLab, "radiology/prenatal-image-analysis/pca-3d-alignment", Abstract)]
    )]
    // arXiv:2606.00076 — GitLab `/-/tree/<sha>` deep link
    #[case(
        " DefocusTrackerAI based on YOLOv9 is available at https://gitlab.com/goncalo.coutinho/defocustrackerAI-main/-/tree/7e0f11f649ebad50e20dca5b9545f26ca303ebe0 and can be used for automatic detection of defocu",
        &[(GitLab, "goncalo.coutinho/defocustrackerAI-main", Abstract)]
    )]
    // arXiv:2509.06464 — GitLab user name with a dot; a complete URL is not continued
    #[case(
        "e synthetic dataset publicly available on GitLab:\nhttps://gitlab.com/Erez.Posner/stomach_pytorch to facilitate further research.\nThis work introdu",
        &[(GitLab, "Erez.Posner/stomach_pytorch", Abstract)]
    )]
    // arXiv:2503.13477 — line break after the scheme; another link (bit.ly) ignored
    #[case(
        "the pose detection and segmentation models. Code: https://\nanonymous.4open.science/r/Bone-Loss-Keypoint-Detection-Code. Dataset:\nhttps://bit.ly/4hJ3aE7.",
        &[(AnonymousReview, "r/Bone-Loss-Keypoint-Detection-Code", Abstract)]
    )]
    // arXiv:2506.08797 — anonymous project page (/w/), not a repository
    #[case(
        "r-friendly demo interface.\nThe project page is at https://anonymous.4open.science/w/homa-page-0FBE/.",
        &[]
    )]
    // arXiv:2605.27853 — anonymous status page of a repository
    #[case(
        "rounded structural context. Code is available at: https://anonymous.4open.science/status/MolLingo-7450.",
        &[(AnonymousReview, "r/MolLingo-7450", Abstract)]
    )]
    // arXiv:2504.07335 — id ending with `_`, trailing `/ .`
    #[case(
        "LM-O) and 89.5% (YCB-V). The code is available at\nhttps://anonymous.4open.science/r/DLTPose_/ .",
        &[(AnonymousReview, "r/DLTPose_", Abstract)]
    )]
    // arXiv:2503.17057 — LaTeX-escaped underscores
    #[case(
        "tation tasks. Our codes are publicly\navailable on https://github.com/13204942/SSL\\_Cervical\\_Segmentation.",
        &[(GitHub, "13204942/SSL_Cervical_Segmentation", Abstract)]
    )]
    // arXiv:2503.21829 — http:// and an escaped underscore
    #[case(
        "t seen during training. Our code can be found at:\nhttp://github.com/SCAN-NRAD/e3nn\\_U-Net.",
        &[(GitHub, "SCAN-NRAD/e3nn_U-Net", Abstract)]
    )]
    // arXiv:2606.10666 — copy-paste space after the host's `/`, escaped underscores
    #[case(
        "e publicly available at the following repository: https://github.com/ ChristianSieberichs/BoundingBox\\_corruption\\_detection",
        &[(GitHub, "ChristianSieberichs/BoundingBox_corruption_detection", Abstract)]
    )]
    // arXiv:2504.12560 — copy-paste space after the host's `/`
    #[case(
        "-based methods. Our code is publicly\navailable at https://github.com/ elakhatibi/CDF-RAG.",
        &[(GitHub, "elakhatibi/CDF-RAG", Abstract)]
    )]
    // arXiv:2602.19004 — copy-paste space after the owner's `/`
    #[case(
        "nsistency across modalities. Code is available at https://github.com/bbvisual/ MoBind.",
        &[(GitHub, "bbvisual/MoBind", Abstract)]
    )]
    // arXiv:2601.22581 — copy-paste space after a `-`; "for" is not glued on
    #[case(
        "gin. The source code of MIFOMO is open-sourced in https://github.com/Naeem- Paeedeh/MIFOMO for reproducibility and convenient further study.",
        &[(GitHub, "Naeem-Paeedeh/MIFOMO", Abstract)]
    )]
    // arXiv:2601.22853 — double slash
    #[case(
        " missing-data scenarios. Our code is available at https://github.com//siyi-wind/DyMo.",
        &[(GitHub, "siyi-wind/DyMo", Abstract)]
    )]
    // arXiv:2505.18129 — organisation page only
    #[case(
        "g with the Orsta models, is publicly available at\nhttps://github.com/MiniMax-AI.",
        &[]
    )]
    // arXiv:2509.14142 — organisation page with a trailing slash
    #[case(
        "workshop website and our GitHub organization page\nhttps://github.com/mars2workshop/, where our updates and announcements of\nupcoming e",
        &[]
    )]
    // arXiv:2508.10453 — bare host
    #[case("The source code for TS-Mamba will\nbe available at https://github.com.", &[])]
    // arXiv:2506.23270 — host glued to the previous word: a different domain, skipped
    #[case(
        "ti-turn conversation, etc). The\ncode is available atgithub.com/xmed-lab/TAM.",
        &[]
    )]
    fn abstract_snippets(#[case] abstract_text: &str, #[case] expected: Expected) {
        check(abstract_text, None, expected);
    }

    /// Snippets copied verbatim from the comment field (indented continuation lines).
    #[rstest]
    // arXiv:2503.21694 — `.` then a line break is the end; a Hugging Face space follows
    #[case(
        "ted to CVPR 2025.\n  Code:https://github.com/theEricMa/TriplaneTurbo.\n  Demo:https://huggingface.co/spaces/ZhiyuanthePony/TriplaneTurbo",
        &[
            (GitHub, "theEricMa/TriplaneTurbo", Comment),
            (HuggingFace, "spaces/ZhiyuanthePony/TriplaneTurbo", Comment),
        ]
    )]
    // arXiv:2504.02949 — a dot inside the repository name, a trailing one outside
    #[case(
        "Code is available at: https://github.com/VARGPT-family/VARGPT-v1.1.\n  arXiv admin note: text overlap with arXiv:2501.",
        &[(GitHub, "VARGPT-family/VARGPT-v1.1", Comment)]
    )]
    // arXiv:2605.06832 — two markdown links, same name on two hosts
    #[case(
        "IntentGrasp data is available on [Hugging Face](https://huggingface.co/datasets/yuweiyin/IntentGrasp), and the code is released on [GitHub](https://github.com/YuweiYin/IntentGrasp)",
        &[
            (HuggingFace, "datasets/yuweiyin/IntentGrasp", Comment),
            (GitHub, "YuweiYin/IntentGrasp", Comment),
        ]
    )]
    // arXiv:2506.22783 — dataset, then a copy-paste space after the owner's `/`
    #[case(
        "h 2025, for\n  the dataset see https://huggingface.co/datasets/phonemefake/PhonemeFakeV2,\n  for the code see https://github.com/UTAustin-SwarmLab/ PhonemeFake",
        &[
            (HuggingFace, "datasets/phonemefake/PhonemeFakeV2", Comment),
            (GitHub, "UTAustin-SwarmLab/PhonemeFake", Comment),
        ]
    )]
    // arXiv:2504.10568 — github.io site skipped; dataset with a trailing slash
    #[case(
        "Project Website: https://agmmu.github.io/ Huggingface:\n  https://huggingface.co/datasets/AgMMU/AgMMU_v1/",
        &[(HuggingFace, "datasets/AgMMU/AgMMU_v1", Comment)]
    )]
    // arXiv:2504.13189 — dataset tree/main deep link
    #[case(
        "The codes and the datasets can be accessed from\n  https://huggingface.co/datasets/sohomghosh/BASIR_Budget_Assisted_Sectoral_Impact_Ranking/tree/main/",
        &[(HuggingFace, "datasets/sohomghosh/BASIR_Budget_Assisted_Sectoral_Impact_Ranking", Comment)]
    )]
    // arXiv:2508.11607 — hf.co short domain, model
    #[case(
        " Creative AI track, code and\n  model available at https://hf.co/npc-worldwide/TinyTimV1",
        &[(HuggingFace, "npc-worldwide/TinyTimV1", Comment)]
    )]
    // arXiv:2512.11079 — blob deep link with a percent-encoded file name
    #[case(
        " pages, 18 figures, https://github.com/Alanshnir/imessage-analyzer/blob/main/Research/NLP-iMessage-Analyzer%20Findings.pdf",
        &[(GitHub, "Alanshnir/imessage-analyzer", Comment)]
    )]
    // arXiv:2512.11575 — Codeberg
    #[case(
        "Source code available under https://codeberg.org/fuchsfa/in-context-learning-seismic",
        &[(Codeberg, "fuchsfa/in-context-learning-seismic", Comment)]
    )]
    // arXiv:2605.27255 — capitalised host, no scheme
    #[case(
        "Project Page: GitHub.com/AlbertTan404/PIPO",
        &[(GitHub, "AlbertTan404/PIPO", Comment)]
    )]
    // arXiv:2603.16385 — template placeholder
    #[case(
        "nsing of Environment. Code and data available at: https://github.com/[your-repo-link]",
        &[]
    )]
    fn comment_snippets(#[case] comment: &str, #[case] expected: Expected) {
        check("", Some(comment), expected);
    }

    /// Papers whose abstract and comment both carry links (verbatim snippets).
    #[rstest]
    // arXiv:2503.13646 — the same link in both places keeps `Abstract`
    #[case(
        "poral dynamics. Dataset and code are available at\nhttps://github.com/google-research-datasets/egotempo.git.",
        "to CVPR 2025. Dataset and code are available at\n  https://github.com/google-research-datasets/egotempo.git",
        &[(GitHub, "google-research-datasets/egotempo", Abstract)]
    )]
    // arXiv:2503.13440 — http:// in both places
    #[case(
        "sing\nperformance. Code and models are released at http://github.com/hustvl/MaTVLM.",
        "Code and model are available at http://github.com/hustvl/MaTVLM",
        &[(GitHub, "hustvl/MaTVLM", Abstract)]
    )]
    // arXiv:2503.13881 — link in the comment only
    #[case(
        "We propose a new method for multimodal reasoning segmentation.",
        "ICLR 2025, Code and dataset are available at\n  \\url{https://github.com/jdg900/MMR}",
        &[(GitHub, "jdg900/MMR", Comment)]
    )]
    fn both_fields(#[case] abstract_text: &str, #[case] comment: &str, #[case] expected: Expected) {
        check(abstract_text, Some(comment), expected);
    }

    /// Synthetic edge cases.
    #[rstest]
    #[case("", &[])]
    #[case("No links here. Just text with dots... and more.", &[])]
    #[case("github.com", &[])]
    #[case("see github.com/", &[])]
    #[case("see https://github.com/octocat", &[])]
    #[case("see https://github.com/octocat/", &[])]
    #[case("https://github.com/a/b", &[(GitHub, "a/b", Abstract)])]
    #[case("at https://github.com/a/b\nand we", &[(GitHub, "a/b", Abstract)])]
    #[case("at https://github.com/foo/\nbar and", &[(GitHub, "foo/bar", Abstract)])]
    #[case("at https://github.com/fo\no/bar and", &[(GitHub, "foo/bar", Abstract)])]
    #[case("at https://github.com\n/foo/bar and", &[(GitHub, "foo/bar", Abstract)])]
    #[case("at https://github.com/foo/\n\nbar", &[])]
    #[case("at https://github.com/foo/bar\r\nand", &[(GitHub, "foo/bar", Abstract)])]
    #[case("at https://github.\r\ncom/foo/bar.", &[(GitHub, "foo/bar", Abstract)])]
    #[case("at https://github.com/a/b.\nc", &[(GitHub, "a/b", Abstract)])]
    #[case("at https://github.com/owner\nand", &[])]
    #[case("https://github.com/owner/repo.js.", &[(GitHub, "owner/repo.js", Abstract)])]
    #[case("(code: https://github.com/a/b)", &[(GitHub, "a/b", Abstract)])]
    #[case("\"https://github.com/a/b\";", &[(GitHub, "a/b", Abstract)])]
    #[case("'https://github.com/a/b'", &[(GitHub, "a/b", Abstract)])]
    #[case("{https://github.com/a/b}].:", &[(GitHub, "a/b", Abstract)])]
    #[case("https://github.com/a/b.git/", &[(GitHub, "a/b", Abstract)])]
    #[case("https://github.com/a/b/issues/12", &[(GitHub, "a/b", Abstract)])]
    #[case("https://github.com/a/b#readme", &[(GitHub, "a/b", Abstract)])]
    #[case("https://github.com/a/.git", &[])]
    #[case("https://github.com/a/..", &[])]
    #[case("HTTPS://WWW.GITHUB.COM/Owner/Repo", &[(GitHub, "Owner/Repo", Abstract)])]
    #[case("ftp://github.com/a/b", &[(GitHub, "a/b", Abstract)])]
    #[case("javascript:alert(1)//github.com/a/b", &[(GitHub, "a/b", Abstract)])]
    #[case("javascript://github.com/%0Aalert(document.cookie)", &[])]
    #[case("javascript:alert('github.com')", &[])]
    #[case("<script>https://github.com/a/b</script>", &[(GitHub, "a/b", Abstract)])]
    #[case("<script src=\"https://github.com/a/b<img>\">", &[(GitHub, "a/b", Abstract)])]
    #[case("https://github.com/a/b\"onmouseover=\"x", &[(GitHub, "a/b", Abstract)])]
    #[case("https://github.com/features/copilot", &[])]
    #[case("https://github.com/orgs/acme/repositories", &[])]
    #[case("https://github.com/settings/profile", &[])]
    #[case("https://github.com/sponsors/octocat", &[])]
    #[case("https://github.com/topics/nlp", &[])]
    #[case("https://github.com/github/linguist", &[(GitHub, "github/linguist", Abstract)])]
    #[case("https://octocat.github.io/project/", &[])]
    #[case("https://human-tailor.github.com/x/y", &[])]
    #[case("https://api.github.com/repos/a/b", &[])]
    #[case("https://gist.github.com/octocat/6cad326836d38bd3a7ae", &[])]
    #[case("https://mygithub.com/a/b", &[])]
    #[case("mail git@github.com:a/b.git", &[])]
    #[case("https://github.community/t/x", &[])]
    #[case("https://github.com.evil.example/a/b", &[])]
    #[case("https://github.com/-a/b", &[])]
    #[case("https://github.com/a_b/c", &[])]
    #[case("https://huggingface.co/papers/2501.00001", &[])]
    #[case("https://huggingface.co/docs/transformers/index", &[])]
    #[case("https://huggingface.co/blog/some-post", &[])]
    #[case("https://huggingface.co/models?search=x", &[])]
    #[case("https://huggingface.co/spaces", &[])]
    #[case("https://huggingface.co/datasets/only-owner", &[])]
    #[case(
        "https://huggingface.co/meta-llama/Llama-3.1-8B/tree/main",
        &[(HuggingFace, "meta-llama/Llama-3.1-8B", Abstract)]
    )]
    #[case(
        "https://gitlab.com/a/b/tree/master/src",
        &[(GitLab, "a/b", Abstract)]
    )]
    #[case("https://gitlab.com/groups/acme", &[])]
    #[case("https://gitlab.com/acme", &[])]
    #[case(
        "https://gitlab.com/g/s/r.git/-/blob/main/x",
        &[(GitLab, "g/s/r", Abstract)]
    )]
    #[case(
        "https://bitbucket.org/acme/tool/src/master/",
        &[(Bitbucket, "acme/tool", Abstract)]
    )]
    #[case("https://bitbucket.org/acme", &[])]
    #[case(
        "https://codeberg.org/forgejo/forgejo/issues",
        &[(Codeberg, "forgejo/forgejo", Abstract)]
    )]
    #[case("https://codeberg.org/explore/repos", &[])]
    #[case("https://anonymous.4open.science/r/", &[])]
    #[case(
        "github.com/a/b github.com/A/B GITHUB.com/a/B",
        &[(GitHub, "a/b", Abstract)]
    )]
    #[case(
        "gitlab.com/a/b and github.com/a/b",
        &[(GitLab, "a/b", Abstract), (GitHub, "a/b", Abstract)]
    )]
    fn synthetic(#[case] abstract_text: &str, #[case] expected: Expected) {
        check(abstract_text, None, expected);
    }

    #[test]
    fn no_comment_and_empty_comment() {
        check("", None, &[]);
        check("", Some(""), &[]);
    }

    #[test]
    fn case_insensitive_dedupe_keeps_abstract_spelling() {
        check(
            "code: https://github.com/Owner/Repo",
            Some("code: https://github.com/owner/repo"),
            &[(GitHub, "Owner/Repo", Abstract)],
        );
    }

    #[test]
    fn canonical_urls() {
        let links = extract_code_links(
            "http://www.GitHub.com/a/b/tree/main huggingface.co/spaces/o/n \
             hf.co/datasets/o/d https://gitlab.com/g/s/r/-/tree/x \
             https://anonymous.4open.science/r/X-1234/README.md",
            None,
        );
        let urls: Vec<_> = links.iter().map(|link| link.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://github.com/a/b",
                "https://huggingface.co/spaces/o/n",
                "https://huggingface.co/datasets/o/d",
                "https://gitlab.com/g/s/r",
                "https://anonymous.4open.science/r/X-1234",
            ]
        );
    }

    #[test]
    fn deep_gitlab_nesting_is_cut() {
        let text = "https://gitlab.com/a/b/c/d/e/f/g/h/i/j/k/l/m";
        check(text, None, &[(GitLab, "a/b/c/d/e/f/g/h/i/j", Abstract)]);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let texts = [
            "github.",
            "github.\n",
            "github.\n\ncom/a/b",
            "huggingface.",
            "hf.co/",
            ".",
            "x/github.com/a/b\\",
            "https://github.com/a/b\\",
            "github.com/\u{e9}/b",
            "github.com/a/\u{e9}t\u{e9}",
            "\u{1F600}.github.com/a/b",
            "github.com/a/b/\n",
        ];
        for text in texts {
            let _ = extract_code_links(text, Some(text));
        }
    }
}

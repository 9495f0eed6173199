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
    /// Papers with Code's links between papers and code.
    #[serde(rename = "pwc")]
    PapersWithCode,
    /// Hugging Face Papers (`githubRepo` of a daily paper).
    #[serde(rename = "huggingface")]
    HuggingFace,
}

impl LinkSource {
    /// Where the link came from, in words ("the abstract", "Papers with Code").
    pub fn describe(self) -> &'static str {
        match self {
            LinkSource::Abstract => "the abstract",
            LinkSource::Comment => "the comment",
            LinkSource::PapersWithCode => "Papers with Code",
            LinkSource::HuggingFace => "Hugging Face",
        }
    }
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
    pub(super) fn count(&self) -> usize {
        self.len
    }

    /// Segment `index`, if there is one.
    pub(super) fn segment(&self, index: usize) -> Option<&str> {
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

mod keys;

use keys::{is_hf_kind, repo_key};

#[cfg(test)]
mod tests;

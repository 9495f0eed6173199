//! arXiv identifiers: new style (`2503.11731`, `0704.0001`) and old style
//! (`astro-ph/0601001`, `math.GT/0309136`), each with an optional version.
//!
//! The scheme is arXiv's own: <https://info.arxiv.org/help/arxiv_identifier.html>.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An arXiv identifier, optionally with a version (`v3`).
///
/// The textual form is canonical: parsing accepts URLs and prefixes, and `Display`
/// prints the bare id, so `parse(display(x)) == x`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArxivId {
    /// The version-less id, e.g. `2503.11731` or `math.GT/0309136`.
    base: Box<str>,
    version: Option<u32>,
}

/// Why a text is not an arXiv id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not an arXiv id: {reason} (ids look like 2503.11731, 2503.11731v2 or math.GT/0309136)"
)]
pub struct ArxivIdError {
    /// The text that was given (shortened when long).
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Old-style archives: arXiv's subject archives before April 2007.
const OLD_ARCHIVES: &[&str] = &[
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn",
    "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex",
    "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th",
    "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph", "solv-int", "supr-con",
];

/// Hosts whose `/abs/`, `/pdf/` and `/html/` URLs carry an arXiv id.
const ARXIV_HOSTS: &[&str] = &["arxiv.org", "www.arxiv.org", "export.arxiv.org"];

impl ArxivId {
    /// The version-less id (`2503.11731`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The version, if the id named one.
    pub fn version(&self) -> Option<u32> {
        self.version
    }

    /// The same paper without a version: what Paperstand stores papers under.
    pub fn without_version(&self) -> ArxivId {
        ArxivId {
            base: self.base.clone(),
            version: None,
        }
    }

    /// True for pre-2007 ids such as `hep-th/9901001`.
    pub fn is_old_style(&self) -> bool {
        self.base.contains('/')
    }

    /// The arXiv abstract page.
    pub fn abs_url(&self) -> String {
        format!("https://arxiv.org/abs/{self}")
    }

    /// The arXiv PDF.
    pub fn pdf_url(&self) -> String {
        format!("https://arxiv.org/pdf/{self}")
    }
}

impl fmt::Display for ArxivId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)?;
        if let Some(v) = self.version {
            write!(f, "v{v}")?;
        }
        Ok(())
    }
}

impl FromStr for ArxivId {
    type Err = ArxivIdError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| ArxivIdError {
            input: shorten(input),
            reason,
        };
        let text = strip_wrapping(input.trim().trim_end_matches('/'))
            .ok_or_else(|| err("it is an arXiv URL without an id"))?;
        if text.is_empty() {
            return Err(err("it is empty"));
        }
        let (body, version) = split_version(text).map_err(err)?;
        let base = if body.contains('/') {
            check_old_style(body)
        } else {
            check_new_style(body)
        };
        base.map_err(err)?;
        Ok(ArxivId {
            base: normalize_subject_class(body).into(),
            version,
        })
    }
}

/// Removes an `arXiv:` prefix or an arxiv.org URL around the id. `None` when the
/// text is an arXiv URL that doesn't name a paper.
fn strip_wrapping(text: &str) -> Option<&str> {
    if let Some(rest) = strip_prefix_ignore_case(text, "arxiv:") {
        return Some(rest.trim_start());
    }
    let no_scheme = strip_prefix_ignore_case(text, "https://")
        .or_else(|| strip_prefix_ignore_case(text, "http://"))
        .unwrap_or(text);
    let Some((host, path)) = no_scheme.split_once('/') else {
        return Some(text);
    };
    if !ARXIV_HOSTS.iter().any(|h| host.eq_ignore_ascii_case(h)) {
        return Some(text);
    }
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let id = ["abs/", "pdf/", "html/", "format/"]
        .iter()
        .find_map(|p| path.strip_prefix(p))?;
    let id = id.trim_end_matches('/');
    Some(id.strip_suffix(".pdf").unwrap_or(id))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Splits a trailing `vN` off; `v0` and an empty number are errors.
fn split_version(text: &str) -> Result<(&str, Option<u32>), &'static str> {
    let Some(pos) = text.rfind('v') else {
        return Ok((text, None));
    };
    let (body, digits) = (&text[..pos], &text[pos + 1..]);
    // `v` inside an old-style archive name (e.g. `solv-int/`) is not a version marker.
    if body.is_empty() || digits.contains('/') || !body.ends_with(|c: char| c.is_ascii_digit()) {
        return Ok((text, None));
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 4 {
        return Err("the version must be a number, as in v2");
    }
    match digits.parse::<u32>() {
        Ok(0) | Err(_) => Err("versions start at v1"),
        Ok(v) => Ok((body, Some(v))),
    }
}

/// `YYMM.NNNN` (April 2007 – December 2014) or `YYMM.NNNNN` (since January 2015).
fn check_new_style(body: &str) -> Result<(), &'static str> {
    let (yymm, number) = body
        .split_once('.')
        .ok_or("it has neither the YYMM.NNNNN nor the archive/YYMMNNN form")?;
    if yymm.len() != 4 || !is_digits(yymm) || !is_digits(number) {
        return Err("a new-style id is four digits, a dot and four or five digits");
    }
    let (yy, mm) = (to_num(&yymm[..2]), to_num(&yymm[2..]));
    if !(1..=12).contains(&mm) {
        return Err("the month (digits 3-4) must be 01 to 12");
    }
    if yy < 7 || (yy == 7 && mm < 4) {
        return Err("new-style ids start in April 2007 (0704)");
    }
    let expected = if yy < 15 { 4 } else { 5 };
    if number.len() != expected {
        return Err(if expected == 4 {
            "ids before 2015 have four digits after the dot"
        } else {
            "ids since 2015 have five digits after the dot"
        });
    }
    Ok(())
}

/// `archive[.SC]/YYMMNNN`, from 1991 to March 2007.
fn check_old_style(body: &str) -> Result<(), &'static str> {
    let (archive_class, number) = body.split_once('/').ok_or("malformed old-style id")?;
    let (archive, class) = match archive_class.split_once('.') {
        Some((a, c)) => (a, Some(c)),
        None => (archive_class, None),
    };
    if !OLD_ARCHIVES.contains(&archive) {
        return Err("unknown archive before the slash (e.g. hep-th, math, cs)");
    }
    if let Some(c) = class
        && (c.is_empty() || c.len() > 3 || !c.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err("the subject class after the dot must be letters, as in math.GT");
    }
    if number.len() != 7 || !is_digits(number) {
        return Err("an old-style id has seven digits after the slash (YYMMNNN)");
    }
    let (yy, mm) = (to_num(&number[..2]), to_num(&number[2..4]));
    if !(1..=12).contains(&mm) {
        return Err("the month (digits 3-4 after the slash) must be 01 to 12");
    }
    if (8..91).contains(&yy) || (yy == 7 && mm > 3) {
        return Err("old-style ids run from 1991 to March 2007");
    }
    Ok(())
}

/// Old-style subject classes are upper case (`math.GT`); `math.gt/0309136` names the same paper.
fn normalize_subject_class(body: &str) -> String {
    match body.split_once('.') {
        Some((archive, rest)) if body.contains('/') => {
            format!("{archive}.{}", rest.to_ascii_uppercase())
        }
        _ => body.to_owned(),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn to_num(s: &str) -> u32 {
    s.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

fn shorten(input: &str) -> String {
    const MAX_CHARS: usize = 80;
    match input.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &input[..cut]),
        None => input.to_owned(),
    }
}

impl Serialize for ArxivId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ArxivId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("2503.11731", "2503.11731", None)]
    #[case("0704.0001", "0704.0001", None)]
    #[case("1412.6980", "1412.6980", None)]
    #[case("1501.00001", "1501.00001", None)]
    #[case("2503.11731v3", "2503.11731", Some(3))]
    #[case("astro-ph/0601001", "astro-ph/0601001", None)]
    #[case("math.GT/0309136", "math.GT/0309136", None)]
    #[case("hep-th/9901001v2", "hep-th/9901001", Some(2))]
    #[case("solv-int/9901001", "solv-int/9901001", None)]
    #[case("cs/0112017v1", "cs/0112017", Some(1))]
    #[case("  2503.11731 ", "2503.11731", None)]
    #[case("arXiv:2503.11731", "2503.11731", None)]
    #[case("arxiv: 2503.11731v2", "2503.11731", Some(2))]
    #[case("https://arxiv.org/abs/2503.11731", "2503.11731", None)]
    #[case("https://arxiv.org/abs/2503.11731v2", "2503.11731", Some(2))]
    #[case("http://arxiv.org/pdf/2503.11731v1.pdf", "2503.11731", Some(1))]
    #[case("https://arxiv.org/pdf/2503.11731", "2503.11731", None)]
    #[case("arxiv.org/abs/2503.11731", "2503.11731", None)]
    #[case("www.arxiv.org/abs/2503.11731/", "2503.11731", None)]
    #[case(
        "https://export.arxiv.org/abs/math.GT/0309136",
        "math.GT/0309136",
        None
    )]
    #[case(
        "https://arxiv.org/abs/astro-ph/0601001v1?context=astro-ph",
        "astro-ph/0601001",
        Some(1)
    )]
    #[case("https://arxiv.org/html/2503.11731v1#S2", "2503.11731", Some(1))]
    #[case("HTTPS://ARXIV.ORG/abs/2503.11731", "2503.11731", None)]
    #[case("math.gt/0309136", "math.GT/0309136", None)]
    #[case("2503.11731/", "2503.11731", None)]
    fn parses(#[case] input: &str, #[case] base: &str, #[case] version: Option<u32>) {
        let id: ArxivId = input.parse().unwrap();
        assert_eq!(id.base(), base);
        assert_eq!(id.version(), version);
    }

    #[rstest]
    #[case("", "empty")]
    #[case("hello", "neither")]
    #[case("2503.1173", "five digits")]
    #[case("1412.69801", "four digits")]
    #[case("2513.11731", "month")]
    #[case("0703.0001", "April 2007")]
    #[case("2503.11731v0", "start at v1")]
    #[case("2503.11731v", "number")]
    #[case("2503.11731vx", "number")]
    #[case("foo-ph/0601001", "unknown archive")]
    #[case("astro-ph/060100", "seven digits")]
    #[case("astro-ph/0613001", "month")]
    #[case("astro-ph/0801001", "1991 to March 2007")]
    #[case("math.G1/0309136", "letters")]
    #[case("https://arxiv.org/list/cs.AI/recent", "without an id")]
    #[case("2503.11731<script>", "four digits")]
    #[case("25O3.11731", "four digits")]
    fn rejects(#[case] input: &str, #[case] reason_part: &str) {
        let err = input.parse::<ArxivId>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains(reason_part), "{message}");
        assert!(message.contains("ids look like"), "{message}");
    }

    #[rstest]
    #[case("2503.11731")]
    #[case("2503.11731v12")]
    #[case("0704.0001v1")]
    #[case("astro-ph/0601001")]
    #[case("math.GT/0309136v2")]
    fn display_round_trips(#[case] text: &str) {
        let id: ArxivId = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        assert_eq!(id.to_string().parse::<ArxivId>().unwrap(), id);
    }

    #[test]
    fn urls_and_version_helpers() {
        let id: ArxivId = "2503.11731v2".parse().unwrap();
        assert_eq!(id.abs_url(), "https://arxiv.org/abs/2503.11731v2");
        assert_eq!(
            id.without_version().pdf_url(),
            "https://arxiv.org/pdf/2503.11731"
        );
        assert!(!id.is_old_style());
        assert!("hep-th/9901001".parse::<ArxivId>().unwrap().is_old_style());
    }

    #[test]
    fn long_garbage_is_shortened_in_the_message() {
        let input = "x".repeat(10_000);
        let message = input.parse::<ArxivId>().unwrap_err().to_string();
        assert!(message.len() < 400, "{}", message.len());
    }

    #[test]
    fn serde_uses_the_text_form() {
        let id: ArxivId = serde_json::from_str("\"2503.11731v2\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"2503.11731v2\"");
        assert!(serde_json::from_str::<ArxivId>("\"nope\"").is_err());
    }
}

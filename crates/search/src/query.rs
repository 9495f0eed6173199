//! The search-box query syntax: parsing user text into a [`ParsedQuery`] (an AST).
//!
//! Parsing never fails: anything it cannot read as syntax is searched for as words,
//! and what it did about it is said in [`ParsedQuery::notes`]. This module imports
//! only `std`; the text index turns the AST into index queries.

/// Most clauses taken from one query; the rest is dropped with a note.
pub const MAX_CLAUSES: usize = 64;
/// Longest text (in chars) of one clause; longer words and phrases are cut.
pub const MAX_CLAUSE_CHARS: usize = 256;
/// Years accepted by `year:` (arXiv began in 1991; the margin tolerates typos).
const YEARS: std::ops::RangeInclusive<u32> = 1900..=2200;

/// A query as the user wrote it, in clauses (all required unless negated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// The clauses, in the order written.
    pub clauses: Vec<Clause>,
    /// Messages for the user about how the query was read.
    pub notes: Vec<String>,
}

/// One clause: what to match, and whether to exclude it instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// `-` before the clause: papers matching it are excluded.
    pub negated: bool,
    /// What the clause matches.
    pub kind: ClauseKind,
}

/// Where a text clause is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any text field (title, authors, abstract, comment, code, categories, id).
    Any,
    /// `ti:` the title.
    Title,
    /// `au:` the author names.
    Author,
    /// `abs:` the abstract.
    Abstract,
    /// `code:` the code repositories.
    Code,
}

/// What one clause matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClauseKind {
    /// A word (`phrase == false`) or a quoted phrase, in a scope. A "word" the index
    /// splits into several tokens (`self-attention`) is matched as a phrase.
    Text {
        /// Where to look.
        scope: Scope,
        /// The text as written (control characters removed).
        text: String,
        /// Written in quotes.
        phrase: bool,
    },
    /// `cat:cs.CL` (a category) or `cat:cs` (an archive), lowercased.
    Category(String),
    /// `year:2025`, `year:2023..2025`, `year:2023..`, `year:..2025` (inclusive).
    Year {
        /// First year, if bounded.
        from: Option<u32>,
        /// Last year, if bounded.
        until: Option<u32>,
    },
    /// `code:yes` (true) or `code:no` (false).
    HasCode(bool),
}

impl ClauseKind {
    /// A word searched for in every text field.
    fn word(text: &str) -> ClauseKind {
        ClauseKind::Text {
            scope: Scope::Any,
            text: text.to_owned(),
            phrase: false,
        }
    }
}

/// Parses a query. Never fails; see the module docs.
pub fn parse_query(input: &str) -> ParsedQuery {
    // Tabs and newlines separate words; other control characters are dropped.
    let cleaned: String = input
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    let mut parser = Parser {
        rest: &cleaned,
        out: ParsedQuery::default(),
        dropped: 0,
    };
    parser.run();
    let mut out = parser.out;
    if parser.dropped > 0 {
        out.notes.push(format!(
            "the query is too long: only its first {MAX_CLAUSES} terms were used"
        ));
    }
    out
}

/// Splits the input into clauses, left to right.
struct Parser<'a> {
    rest: &'a str,
    out: ParsedQuery,
    dropped: usize,
}

impl Parser<'_> {
    fn run(&mut self) {
        loop {
            self.rest = self.rest.trim_start();
            if self.rest.is_empty() {
                return;
            }
            let negated = self.rest.len() > 1
                && self.rest.starts_with('-')
                && !self.rest[1..].starts_with(char::is_whitespace);
            if negated {
                self.rest = &self.rest[1..];
            }
            if let Some(after_quote) = self.rest.strip_prefix('"') {
                self.rest = after_quote;
                self.quoted(negated, Scope::Any);
            } else {
                self.bare(negated);
            }
        }
    }

    /// Reads a quoted phrase (the opening quote already consumed) in `scope`.
    fn quoted(&mut self, negated: bool, scope: Scope) {
        match self.rest.find('"') {
            Some(end) => {
                let text = &self.rest[..end];
                self.rest = &self.rest[end + 1..];
                if !text.trim().is_empty() {
                    let kind = ClauseKind::Text {
                        scope,
                        text: text.trim().to_owned(),
                        phrase: true,
                    };
                    self.push(negated, kind);
                }
            }
            None => {
                // An unbalanced quote: the rest is read as plain words, which finds
                // more than guessing where the phrase was meant to end.
                self.out
                    .notes
                    .push("a quote was not closed: the rest was searched for as words".into());
                let words: Vec<&str> = self.rest.split_whitespace().collect();
                self.rest = "";
                for word in words {
                    let word = word.trim_matches('"');
                    if !word.is_empty() {
                        let kind = ClauseKind::Text {
                            scope,
                            text: word.to_owned(),
                            phrase: false,
                        };
                        self.push(negated, kind);
                    }
                }
            }
        }
    }

    /// Reads an unquoted token: `prefix:value` or a word.
    fn bare(&mut self, negated: bool) {
        if let Some((prefix, value_start)) = self.known_prefix() {
            self.rest = &self.rest[value_start..];
            if let Some(after_quote) = self.rest.strip_prefix('"') {
                self.rest = after_quote;
                match prefix {
                    Prefix::Text(scope) => self.quoted(negated, scope),
                    _ => self.quoted(negated, Scope::Any),
                }
                return;
            }
            let value = self.take_token();
            self.prefixed(negated, prefix, &value);
            return;
        }
        let token = self.take_token();
        let word = token.trim_matches('"');
        // Pure punctuation ("-", "&", "…") has nothing to search for.
        if word.chars().any(char::is_alphanumeric) {
            self.push(negated, ClauseKind::word(word));
        }
    }

    /// The prefix at the start of `rest` if it is a known one followed by a value.
    fn known_prefix(&self) -> Option<(Prefix, usize)> {
        let colon = self.rest.find(':')?;
        let name = &self.rest[..colon];
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '"') {
            return None;
        }
        let prefix = Prefix::from_name(name)?;
        let after = &self.rest[colon + 1..];
        if after.is_empty() || after.starts_with(char::is_whitespace) {
            return None;
        }
        Some((prefix, colon + 1))
    }

    /// Takes text up to the next whitespace.
    fn take_token(&mut self) -> String {
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let token = self.rest[..end].to_owned();
        self.rest = &self.rest[end..];
        token
    }

    /// Builds the clause of `prefix:value` (value unquoted).
    fn prefixed(&mut self, negated: bool, prefix: Prefix, value: &str) {
        let kind = match prefix {
            Prefix::Text(Scope::Code) => match value.to_lowercase().as_str() {
                "yes" | "true" | "1" => ClauseKind::HasCode(true),
                "no" | "false" | "0" => ClauseKind::HasCode(false),
                _ => text_clause(Scope::Code, value),
            },
            Prefix::Text(scope) => text_clause(scope, value),
            Prefix::Category => ClauseKind::Category(value.to_lowercase()),
            Prefix::Year => match parse_years(value) {
                Some((from, until)) => ClauseKind::Year { from, until },
                None => {
                    self.out.notes.push(format!(
                        "year:{value} is not a year or a range such as 2023..2025; \
                         searched for it as words"
                    ));
                    self.push(negated, ClauseKind::word("year"));
                    ClauseKind::word(value)
                }
            },
        };
        self.push(negated, kind);
    }

    /// Adds a clause unless the cap is reached; long text is cut at a char boundary.
    fn push(&mut self, negated: bool, mut kind: ClauseKind) {
        if self.out.clauses.len() >= MAX_CLAUSES {
            self.dropped += 1;
            return;
        }
        if let ClauseKind::Text { text, .. } = &mut kind
            && let Some((cut, _)) = text.char_indices().nth(MAX_CLAUSE_CHARS)
        {
            text.truncate(cut);
        }
        self.out.clauses.push(Clause { negated, kind });
    }
}

/// A word in a scope.
fn text_clause(scope: Scope, value: &str) -> ClauseKind {
    ClauseKind::Text {
        scope,
        text: value.to_owned(),
        phrase: false,
    }
}

/// The prefixes the syntax knows.
#[derive(Debug, Clone, Copy)]
enum Prefix {
    Text(Scope),
    Category,
    Year,
}

impl Prefix {
    /// Case-insensitive; a few long spellings are accepted too.
    fn from_name(name: &str) -> Option<Prefix> {
        let prefix = match name.to_ascii_lowercase().as_str() {
            "ti" | "title" => Prefix::Text(Scope::Title),
            "au" | "author" => Prefix::Text(Scope::Author),
            "abs" | "abstract" => Prefix::Text(Scope::Abstract),
            "code" => Prefix::Text(Scope::Code),
            "cat" | "category" => Prefix::Category,
            "year" => Prefix::Year,
            _ => return None,
        };
        Some(prefix)
    }
}

/// Reads `2025`, `2023..2025`, `2023..` or `..2025`; `None` if it is none of these.
fn parse_years(value: &str) -> Option<(Option<u32>, Option<u32>)> {
    let year = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|y| s.len() == 4 && YEARS.contains(y))
    };
    match value.split_once("..") {
        None => year(value).map(|y| (Some(y), Some(y))),
        Some(("", "")) => None,
        Some((from, until)) => {
            let from = if from.is_empty() {
                None
            } else {
                Some(year(from)?)
            };
            let until = if until.is_empty() {
                None
            } else {
                Some(year(until)?)
            };
            match (from, until) {
                (Some(a), Some(b)) if a > b => Some((Some(b), Some(a))),
                bounds => Some(bounds),
            }
        }
    }
}

#[cfg(test)]
mod tests;

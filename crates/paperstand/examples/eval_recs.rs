//! Evaluation of For-you (issue #8) against an arxiv-sanity-lite-style baseline, on a
//! corpus in the import format (JSON Lines, optionally gzipped).
//!
//! Simulated users, two kinds (docs/benchmarks.md):
//! - *title-word interests* (the issue's): a (primary category, title word) pair shared
//!   by 15 to 40 papers, where the word is at least five letters long, not a stop word,
//!   and in at most 200 titles of the whole corpus;
//! - *phrase interests* (`phrases…` modes): a pair of neighbouring abstract words, each
//!   at least five letters, that 15 to 40 abstracts contain; neither titles nor
//!   categories enter their making, so they check that what helps the first kind is not
//!   an artefact of how it is drawn.
//!
//! Interests are drawn at random (seeded) from all such; each user likes k papers of
//! their interest, k drawn uniformly from 10 to 30 (at most the interest's size); 20% of
//! the likes (at least two) are held out. Both models train on the rest and rank every
//! other paper.
//!
//! (a) For-you exactly as served: `recs::train_user` over `TfIdfParams::FOR_YOU` vectors
//!     (uni- and bigrams, a light primary-category feature), logistic regression against
//!     1,000 sampled background papers, plus the positives' centroid.
//! (b) Baseline: `recs::model::train_linear_svm`, a linear SVM (squared hinge, C = 0.01,
//!     balanced classes) over every paper (liked = 1, all others = 0) on
//!     `TfIdfParams::SANITY` vectors (uni- and bigrams, min_df 5, max_df 0.1, 20,000
//!     features, sublinear tf), as arxiv-sanity-lite does per tag.
//!
//! Prints mean precision@10 and recall@50 of the held-out likes for both.
//!
//! Modes: `all` (default: test users, both models), `ours` (For-you alone), `validate`
//! (a second, disjoint set of users — the next USERS interests of the same shuffled pool
//! — with the ceiling a perfect model reaches and For-you under other title and category
//! weights: settings are chosen there, never on the test users), `validate-baseline`
//! (also the baseline on the validation users), and `phrases`, `phrases-validate` for
//! phrase interests. With `EVAL_ONLY_SERVED` set, the validation modes stop after For-you
//! as served and with 40 gradient steps (the latency trade-off in docs/benchmarks.md).
//! Usage: eval_recs CORPUS [USERS] [SEED] [MODE]

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

use paperstand::recs::model::{LogisticParams, next_random, shuffle, train_linear_svm};
use paperstand::recs::text::{SparseVec, TfIdfParams, words};
use paperstand::recs::{Corpus, PaperText, train_user};
use paperstand_store::Feedback;

/// Papers an interest holds at least and at most.
const INTEREST_SIZE: (usize, usize) = (15, 40);
/// Titles a word may appear in, at most, across the corpus (a "rare keyword").
const MAX_WORD_TITLES: usize = 200;

struct Record {
    text: PaperText,
    primary: String,
}

fn read_corpus(path: &str) -> Vec<Record> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    let reader: Box<dyn Read> = if path.ends_with(".gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    BufReader::new(reader)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| {
            let value: serde_json::Value = serde_json::from_str(&line).ok()?;
            Some(Record {
                text: PaperText {
                    id: value["id"].as_str()?.parse().ok()?,
                    title: value["title"].as_str()?.to_owned(),
                    abstract_text: value["abstract"].as_str().unwrap_or_default().to_owned(),
                    listed_on: time::Date::MIN,
                    categories: value["categories"]
                        .as_array()
                        .map(|all| {
                            all.iter()
                                .filter_map(|c| Some(c.as_str()?.to_owned()))
                                .collect()
                        })
                        .unwrap_or_default(),
                },
                primary: value["categories"][0].as_str().unwrap_or("").to_owned(),
            })
        })
        .collect()
}

/// Every (primary category, rare title word) pair of the right size, with its papers.
fn interests(records: &[Record]) -> Vec<Vec<usize>> {
    let mut titles_with: HashMap<String, usize> = HashMap::new();
    let mut pairs: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let mut seen: Vec<String> = words(&record.text.title)
            .into_iter()
            .filter(|w| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for word in seen {
            *titles_with.entry(word.clone()).or_default() += 1;
            pairs
                .entry((record.primary.clone(), word))
                .or_default()
                .push(i);
        }
    }
    let mut chosen: Vec<((String, String), Vec<usize>)> = pairs
        .into_iter()
        .filter(|((_, word), papers)| {
            (INTEREST_SIZE.0..=INTEREST_SIZE.1).contains(&papers.len())
                && titles_with[word] <= MAX_WORD_TITLES
        })
        .collect();
    chosen.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    chosen.into_iter().map(|(_, papers)| papers).collect()
}

/// The second kind of interest, with neither titles nor categories in its making: a pair
/// of neighbouring abstract words (each at least five letters, not stop words) that 15
/// to 40 abstracts of the corpus contain.
fn phrase_interests(records: &[Record]) -> Vec<Vec<usize>> {
    let mut with: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let words: Vec<String> = words(&record.text.abstract_text);
        let mut seen: Vec<String> = words
            .windows(2)
            .filter(|pair| {
                pair.iter()
                    .all(|w| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
            })
            .map(|pair| format!("{} {}", pair[0], pair[1]))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for phrase in seen {
            with.entry(phrase).or_default().push(i);
        }
    }
    let mut chosen: Vec<(String, Vec<usize>)> = with
        .into_iter()
        .filter(|(_, papers)| (INTEREST_SIZE.0..=INTEREST_SIZE.1).contains(&papers.len()))
        .collect();
    chosen.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    chosen.into_iter().map(|(_, papers)| papers).collect()
}

/// The best `k` positions by `score`, skipping `exclude`.
fn top(scores: &[f32], exclude: &HashSet<usize>, k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).filter(|i| !exclude.contains(i)).collect();
    order.select_nth_unstable_by(k, |a, b| scores[*b].total_cmp(&scores[*a]));
    order.truncate(k);
    order.sort_unstable_by(|a, b| scores[*b].total_cmp(&scores[*a]));
    order
}

#[derive(Default)]
struct Tally {
    precision_at_10: f64,
    recall_at_50: f64,
    seconds: f64,
}

impl Tally {
    fn add(&mut self, ranked: &[usize], held_out: &HashSet<usize>, seconds: f64) {
        let hits = |n: usize| {
            ranked
                .iter()
                .take(n)
                .filter(|i| held_out.contains(i))
                .count()
        };
        self.precision_at_10 += hits(10) as f64 / 10.0;
        self.recall_at_50 += hits(50) as f64 / held_out.len() as f64;
        self.seconds += seconds;
    }
}

/// One simulated user: their training likes and held-out likes.
struct User {
    train: Vec<usize>,
    held_out: HashSet<usize>,
    /// Every paper of the interest (for the ceiling a perfect model reaches).
    interest: Vec<usize>,
}

fn draw_users(pool: &[Vec<usize>], rng: &mut u64) -> Vec<User> {
    pool.iter()
        .map(|interest| {
            let mut likes = interest.clone();
            shuffle(&mut likes, rng);
            let k = (10 + (next_random(rng) % 21) as usize).min(likes.len());
            likes.truncate(k);
            let held = (k as f64 * 0.2).ceil().max(2.0) as usize;
            User {
                held_out: likes[..held].iter().copied().collect(),
                train: likes[held..].to_vec(),
                interest: interest.clone(),
            }
        })
        .collect()
}

fn evaluate_ours(corpus: &Corpus, users: &[User], params: &LogisticParams) -> Tally {
    evaluate_with(users, |u, user| {
        model_scores(corpus, user, params, u as u64 + 1)
    })
}

fn evaluate_baseline(corpus: &Corpus, users: &[User]) -> Tally {
    evaluate_with(users, |u, user| {
        let liked: HashSet<usize> = user.train.iter().copied().collect();
        let examples: Vec<(&SparseVec, bool)> = corpus
            .vectors
            .iter()
            .enumerate()
            .map(|(i, x)| (x, liked.contains(&i)))
            .collect();
        let svm = train_linear_svm(&examples, corpus.dim, 0.01, 50, u as u64 + 1);
        if (u + 1) % 50 == 0 {
            eprintln!("baseline: {} users done", u + 1);
        }
        corpus.vectors.iter().map(|x| svm.score(x)).collect()
    })
}

fn report(name: &str, tally: &Tally, users: usize) {
    let n = users as f64;
    println!(
        "{name}: precision@10 {:.3}, recall@50 {:.3}, {:.0} ms per user",
        tally.precision_at_10 / n,
        tally.recall_at_50 / n,
        1e3 * tally.seconds / n
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect(
        "usage: eval_recs CORPUS [USERS] [SEED] [all|ours|validate|phrases|phrases-validate]",
    );
    let users: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(200);
    let seed: u64 = args
        .get(3)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_261_127);
    let mode = args.get(4).map_or("all", String::as_str);
    let started = Instant::now();
    let records = read_corpus(path);
    let texts: Vec<PaperText> = records.iter().map(|r| r.text.clone()).collect();
    let ours = Corpus::build(texts.clone(), TfIdfParams::FOR_YOU);
    println!(
        "corpus: {} papers; For-you vocabulary {} terms; built in {:.1?}",
        records.len(),
        ours.dim,
        started.elapsed()
    );
    let mut pool = if mode.starts_with("phrases") {
        phrase_interests(&records)
    } else {
        interests(&records)
    };
    println!("interests to draw from: {}", pool.len());
    let mut rng = seed | 1;
    shuffle(&mut pool, &mut rng);
    let users = users.min(pool.len() / 2);
    let test = draw_users(&pool[..users], &mut rng);
    if mode.ends_with("validate") || mode == "validate-baseline" {
        let validation = draw_users(&pool[users..2 * users], &mut rng);
        println!(
            "validation users: {} (interests disjoint from the test users')",
            validation.len()
        );
        validate(&records, &ours, &validation, mode == "validate-baseline");
        return;
    }
    println!("users: {users} (seed {seed})");
    let a = evaluate_ours(&ours, &test, &LogisticParams::default());
    report(
        "(a) For-you (logistic regression + centroid, tf-idf uni+bigrams)",
        &a,
        users,
    );
    if mode == "all" || mode == "phrases" {
        let sanity = Corpus::build(
            records.into_iter().map(|r| r.text).collect(),
            TfIdfParams::SANITY,
        );
        println!("baseline vocabulary: {} terms", sanity.dim);
        let b = evaluate_baseline(&sanity, &test);
        report(
            "(b) arxiv-sanity-lite baseline (LinearSVC C=0.01 balanced, tf-idf uni+bigrams)",
            &b,
            users,
        );
    }
    println!("total {:.1?}", started.elapsed());
}

/// Scores every paper for each user with `score` and tallies the held-out likes.
fn evaluate_with(users: &[User], score: impl Fn(usize, &User) -> Vec<f32>) -> Tally {
    let mut tally = Tally::default();
    for (u, user) in users.iter().enumerate() {
        let clock = Instant::now();
        let exclude: HashSet<usize> = user.train.iter().copied().collect();
        let scores = score(u, user);
        tally.add(
            &top(&scores, &exclude, 50),
            &user.held_out,
            clock.elapsed().as_secs_f64(),
        );
    }
    tally
}

fn model_scores(corpus: &Corpus, user: &User, params: &LogisticParams, seed: u64) -> Vec<f32> {
    let feedback = Feedback {
        saved: user.train.iter().map(|&i| corpus.ids[i].clone()).collect(),
        ..Feedback::default()
    };
    let model = train_user(corpus, &feedback, params, seed);
    corpus
        .vectors
        .iter()
        .map(|x| model.model.score(x))
        .collect()
}

fn validate(records: &[Record], ours: &Corpus, users: &[User], baseline: bool) {
    let n = users.len();
    let ceiling = evaluate_with(users, |u, user| {
        let mut rng = u as u64 * 7 + 1;
        let mut scores: Vec<f32> = (0..ours.len())
            .map(|_| (next_random(&mut rng) % 1000) as f32 * 1e-6)
            .collect();
        for &i in &user.interest {
            scores[i] += 1.0;
        }
        scores
    });
    report("ceiling (every paper of the interest first)", &ceiling, n);
    let default = LogisticParams::default();
    report(
        "For-you as served",
        &evaluate_with(users, |u, user| {
            model_scores(ours, user, &default, u as u64 + 1)
        }),
        n,
    );
    let fewer_steps = LogisticParams {
        iterations: 40,
        ..default
    };
    report(
        "For-you as served, 40 steps",
        &evaluate_with(users, |u, user| {
            model_scores(ours, user, &fewer_steps, u as u64 + 1)
        }),
        n,
    );
    if std::env::var_os("EVAL_ONLY_SERVED").is_some() {
        return;
    }
    for (title_weight, category_weight) in [(1, 0.0), (2, 0.0), (1, 0.1), (1, 0.2), (2, 0.1)] {
        let corpus = Corpus::build(
            records.iter().map(|r| r.text.clone()).collect(),
            TfIdfParams {
                title_weight,
                category_weight,
                ..TfIdfParams::FOR_YOU
            },
        );
        report(
            &format!("title weight {title_weight}, category weight {category_weight}"),
            &evaluate_with(users, |u, user| {
                model_scores(&corpus, user, &default, u as u64 + 1)
            }),
            n,
        );
    }
    if baseline {
        let sanity = Corpus::build(
            records.iter().map(|r| r.text.clone()).collect(),
            TfIdfParams::SANITY,
        );
        report("(b) baseline", &evaluate_baseline(&sanity, users), n);
    }
}

use std::collections::HashMap;

use paperstand_core::ArxivId;
use paperstand_store::Feedback;
use time::macros::date;

use super::model::LogisticParams;
use super::text::TfIdfParams;
use super::*;

fn id(n: usize) -> ArxivId {
    format!("2503.{n:05}").parse().unwrap()
}

/// Twenty papers on graph neural networks, twenty on robot grasping, twenty on speech;
/// every fifth paper of each is older than the window.
fn corpus() -> Corpus {
    let topics = [
        "graph neural networks message passing over molecules",
        "robot grasping with tactile sensors and manipulation policies",
        "speech recognition acoustic models for spoken language",
    ];
    let categories = ["cs.LG", "cs.RO", "cs.CL"];
    let papers = (0..60)
        .map(|n| PaperText {
            id: id(n),
            title: format!("Paper {n} on {}", topics[n / 20]),
            abstract_text: format!("We study {} variant {}.", topics[n / 20], n % 7),
            listed_on: if n % 5 == 0 {
                date!(2025 - 01 - 01)
            } else {
                date!(2025 - 03 - 18)
            },
            // Speech papers cross-list to cs.LG; the primary category comes first.
            categories: if n / 20 == 2 {
                vec![categories[2].to_owned(), "cs.LG".to_owned()]
            } else {
                vec![categories[n / 20].to_owned()]
            },
        })
        .collect();
    let params = TfIdfParams {
        min_df: 1,
        max_df: 0.5,
        max_features: 1_000,
        title_weight: 2,
        category_weight: 0.4,
    };
    Corpus::build(papers, params)
}

fn feedback(saved: &[usize], not_interested: &[usize]) -> Feedback {
    Feedback {
        saved: saved.iter().map(|&n| id(n)).collect(),
        upvoted: Vec::new(),
        not_interested: not_interested.iter().map(|&n| id(n)).collect(),
    }
}

#[test]
fn a_graph_reader_gets_graph_papers_with_reasons() {
    let corpus = corpus();
    let user = train_user(
        &corpus,
        &feedback(&[1, 2, 3], &[]),
        &LogisticParams::default(),
        7,
    );
    let picks = recommend(&corpus, &user, None, &HashMap::new(), 0.0, 0, 10);
    assert_eq!(picks.len(), 10);
    for pick in &picks {
        let n: usize = pick.id.to_string()[5..].parse().unwrap();
        assert!(n < 20, "{} is not a graph paper", pick.id);
        assert!(![1, 2, 3].contains(&n), "saved papers are excluded");
        let reason = pick.close_to.as_deref().unwrap();
        assert!(reason.contains("graph neural"), "{reason}");
    }
}

#[test]
fn the_primary_category_is_a_feature_but_never_a_reason() {
    let corpus = corpus();
    assert_eq!(
        corpus.dim,
        corpus.text_dim + 3,
        "one feature per primary category"
    );
    let graph = &corpus.vectors[1];
    let robot = &corpus.vectors[21];
    assert!(
        graph
            .idx
            .last()
            .is_some_and(|&i| i as usize >= corpus.text_dim)
    );
    let norm: f32 = graph.val.iter().map(|v| v * v).sum();
    assert!((norm - 1.0).abs() < 1e-5, "still a unit vector");
    assert_eq!(graph.dot_below(robot, corpus.text_dim), 0.0);
    // A paper sharing only the category with a saved one: no "close to" for it.
    let mut papers: Vec<PaperText> = (0..3)
        .map(|n| PaperText {
            id: id(n),
            title: ["graph networks", "graph message passing", "lattice quantum"][n].to_owned(),
            abstract_text: String::new(),
            listed_on: date!(2025 - 03 - 18),
            categories: vec!["cs.LG".to_owned()],
        })
        .collect();
    // The saved paper's text again, once in another category and once in its own.
    papers.push(PaperText {
        id: id(3),
        categories: vec!["cs.CL".to_owned()],
        ..papers[0].clone()
    });
    papers.push(PaperText {
        id: id(4),
        ..papers[0].clone()
    });
    let params = TfIdfParams {
        min_df: 1,
        max_df: 1.0,
        max_features: 100,
        title_weight: 2,
        category_weight: 0.4,
    };
    let small = Corpus::build(papers, params);
    let user = train_user(&small, &feedback(&[0], &[]), &LogisticParams::default(), 1);
    assert_eq!(closest(&small, &user, 1), Some(0), "shares \"graph\"");
    assert_eq!(closest(&small, &user, 2), None, "shares the category only");
    assert!(
        user.model.score(&small.vectors[4]) > user.model.score(&small.vectors[3]),
        "the member's category counts for a paper"
    );
}

#[test]
fn not_interested_papers_are_excluded_and_the_window_holds() {
    let corpus = corpus();
    let user = train_user(
        &corpus,
        &feedback(&[1, 2], &[4]),
        &LogisticParams::default(),
        7,
    );
    let picks = recommend(
        &corpus,
        &user,
        Some(date!(2025 - 03 - 01)),
        &HashMap::new(),
        0.0,
        0,
        60,
    );
    assert!(picks.iter().all(|p| p.id != id(4) && p.id != id(1)));
    assert!(
        picks
            .iter()
            .all(|p| corpus.listed_on[p.position] >= date!(2025 - 03 - 01)),
        "older papers are outside the window"
    );
    assert_eq!(
        picks.len(),
        60 - 12 - 3,
        "48 in the window, less two saved and one marked"
    );
}

#[test]
fn the_dial_moves_from_personal_to_trending() {
    let corpus = corpus();
    let user = train_user(
        &corpus,
        &feedback(&[1, 2, 3], &[]),
        &LogisticParams::default(),
        7,
    );
    let trending: HashMap<ArxivId, f64> = [(id(41), 10.0), (id(42), 5.0)].into_iter().collect();
    let personal = recommend(&corpus, &user, None, &trending, 0.0, 0, 3);
    assert!(personal.iter().all(|p| p.id != id(41)));
    let popular = recommend(&corpus, &user, None, &trending, 1.0, 0, 3);
    assert_eq!(popular[0].id, id(41));
    assert_eq!(popular[1].id, id(42));
    assert!((popular[0].trending - 1.0).abs() < 1e-6);
    let clamped = recommend(&corpus, &user, None, &trending, 7.0, 0, 3);
    assert_eq!(clamped, popular, "a dial past 1 is 1");
}

#[test]
fn paging_continues_the_same_order_and_no_feedback_still_lists() {
    let corpus = corpus();
    let user = train_user(
        &corpus,
        &feedback(&[21, 22], &[]),
        &LogisticParams::default(),
        3,
    );
    let all = recommend(&corpus, &user, None, &HashMap::new(), 0.0, 0, 20);
    let second = recommend(&corpus, &user, None, &HashMap::new(), 0.0, 10, 10);
    assert_eq!(all[10..], second[..]);
    let nobody = train_user(&corpus, &Feedback::default(), &LogisticParams::default(), 3);
    let picks = recommend(&corpus, &nobody, None, &HashMap::new(), 0.0, 0, 5);
    assert_eq!(picks.len(), 5);
    assert!(picks.iter().all(|p| p.close_to.is_none()));
}

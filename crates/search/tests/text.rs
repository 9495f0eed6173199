//! The text index over the demo set: every syntax element, filters, sorting, paging.

mod common;

use std::collections::{HashMap, HashSet};

use common::{found, ids, sample_index, sample_papers, search, search_newest};
use paperstand_search::{SearchOptions, Sort};
use time::macros::date;

/// 2503.11731: "Industrial-Grade Sensor Simulation via Gaussian Splatting …", whose
/// abstract mentions LiDAR and autonomous driving.
const SPLATTING: &str = "2503.11731";

#[test]
fn the_whole_sample_is_indexed() {
    assert_eq!(sample_index().doc_count(), sample_papers().len() as u64);
    assert_eq!(sample_index().caught_up(), 1);
}

#[test]
fn words_must_all_match() {
    let index = sample_index();
    let hits = search(index, "gaussian splatting sensor", 5);
    assert_eq!(ids(&hits)[0], SPLATTING);
    // One word that appears nowhere removes every hit (AND, not OR).
    let none = search(index, "gaussian splatting sensor xylophonist", 5);
    assert_eq!(none.total, 0);
}

#[test]
fn phrases_need_adjacent_words() {
    let index = sample_index();
    assert!(found(
        &search(index, "\"sensor simulation\" gaussian", 10),
        SPLATTING
    ));
    let swapped = search(index, "\"simulation sensor\" gaussian", 10);
    assert!(!found(&swapped, SPLATTING));
    // The same words unquoted do match.
    assert!(found(
        &search(index, "simulation sensor gaussian", 10),
        SPLATTING
    ));
}

#[test]
fn exclusions_remove_papers() {
    let index = sample_index();
    let with = search(index, "gaussian splatting sensor", 50);
    assert!(found(&with, SPLATTING));
    for query in [
        "gaussian splatting sensor -lidar",
        "gaussian splatting sensor -LiDAR",
        "gaussian splatting sensor -\"autonomous driving\"",
        "gaussian splatting sensor -cat:cs.RO",
        "gaussian splatting sensor -year:2025",
    ] {
        let without = search(index, query, 50);
        assert!(!found(&without, SPLATTING), "{query}");
        assert!(without.total < with.total, "{query}");
    }
}

#[test]
fn scoped_fields() {
    let index = sample_index();
    assert!(found(
        &search(index, "ti:splatting ti:sensor", 10),
        SPLATTING
    ));
    // "lidar" is in its abstract, not its title.
    assert!(!found(
        &search(index, "ti:lidar ti:splatting", 10),
        SPLATTING
    ));
    assert!(found(
        &search(index, "abs:lidar abs:splatting", 10),
        SPLATTING
    ));
    assert!(found(
        &search(index, "au:zeng au:\"qifeng chen\"", 10),
        SPLATTING
    ));
    assert!(!found(
        &search(index, "au:\"chen qifeng\" splatting", 10),
        SPLATTING
    ));
    assert!(!found(&search(index, "au:splatting", 10), SPLATTING));
}

#[test]
fn ascii_folding_matches_accents_both_ways() {
    let index = sample_index();
    for query in ["au:Süsstrunk", "au:susstrunk", "au:SUSSTRUNK"] {
        assert!(found(&search(index, query, 10), "2503.19191"), "{query}");
    }
    for query in ["demoireing", "Demoiréing", "ti:demoiréing"] {
        assert!(found(&search(index, query, 10), "2504.12245"), "{query}");
    }
}

#[test]
fn stemming_joins_word_forms() {
    let index = sample_index();
    assert!(found(
        &search(index, "gaussians splat sensors", 10),
        SPLATTING
    ));
}

#[test]
fn an_id_finds_its_paper_first() {
    let index = sample_index();
    assert_eq!(ids(&search(index, SPLATTING, 5))[0], SPLATTING);
    assert_eq!(ids(&search(index, "2503.11731v2", 5))[0], SPLATTING);
}

#[test]
fn categories_and_archives() {
    let index = sample_index();
    let count = |pred: &dyn Fn(&str) -> bool| {
        sample_papers()
            .iter()
            .filter(|p| p.categories.iter().any(|c| pred(c)))
            .count()
    };
    let cv = count(&|c| c == "cs.CV");
    let eess = count(&|c| c.starts_with("eess."));
    assert!(cv > 0 && eess > 0);
    assert_eq!(search(index, "cat:cs.CV", 1).total, cv);
    assert_eq!(search(index, "CAT:CS.cv", 1).total, cv);
    assert_eq!(search(index, "cat:eess", 1).total, eess);
    assert_eq!(search(index, "cat:nosuch.XX", 1).total, 0);
}

#[test]
fn year_ranges_count_listing_years() {
    let index = sample_index();
    let in_years = |from: i32, until: i32| {
        sample_papers()
            .iter()
            .filter(|p| (from..=until).contains(&p.listed_on.year()))
            .count()
    };
    assert_eq!(search(index, "year:2026", 1).total, in_years(2026, 2026));
    assert_eq!(search(index, "year:2025", 1).total, in_years(2025, 2025));
    assert_eq!(search(index, "year:2025..2026", 1).total, 2000);
    assert_eq!(search(index, "year:..2025", 1).total, in_years(2000, 2025));
    assert_eq!(search(index, "year:2026..", 1).total, in_years(2026, 2100));
    assert_eq!(search(index, "year:2027..", 1).total, 0);
    assert!(in_years(2026, 2026) > 0 && in_years(2025, 2025) > 0);
}

#[test]
fn code_yes_and_no() {
    let index = sample_index();
    let with_code = sample_papers()
        .iter()
        .filter(|p| !p.links.is_empty())
        .count();
    assert!(with_code > 100);
    assert_eq!(search(index, "code:yes", 1).total, with_code);
    assert_eq!(search(index, "code:no", 1).total, 2000 - with_code);
    assert_eq!(search(index, "-code:yes", 1).total, 2000 - with_code);
    let paper = sample_papers()
        .iter()
        .find(|p| p.links.iter().any(|l| l.repo.contains('/')))
        .expect("a paper with a repository");
    let repo = &paper.links[0].repo;
    let id = paper.id.to_string();
    let url = paper.links[0].url.trim_start_matches("https://").to_owned();
    assert!(
        found(&search(index, &format!("code:{url}"), 10), &id),
        "{url}"
    );
    assert!(
        found(&search(index, &format!("code:{repo}"), 10), &id),
        "{repo}"
    );
}

#[test]
fn newest_sorts_by_listing_day_then_id() {
    let index = sample_index();
    let listed: HashMap<String, (time::Date, String)> = sample_papers()
        .iter()
        .map(|p| (p.id.to_string(), (p.listed_on, p.id.to_string())))
        .collect();
    let hits = search_newest(index, "learning", 200);
    assert_eq!(hits.hits.len(), 200);
    let keys: Vec<_> = ids(&hits).iter().map(|id| listed[id].clone()).collect();
    for pair in keys.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a.0 > b.0 || (a.0 == b.0 && a.1 < b.1), "{a:?} before {b:?}");
    }
    // Over everything (an exclusion-only query), the latest listing comes first.
    let all = search_newest(index, "-xylophonist", 1);
    assert_eq!(all.total, 2000);
    let first = listed[&ids(&all)[0]].0;
    assert_eq!(
        Some(first),
        sample_papers().iter().map(|p| p.listed_on).max()
    );
}

#[test]
fn pages_partition_the_results() {
    let index = sample_index();
    let total = search(index, "learning", 1).total;
    assert!(total > 60);
    let mut seen = HashSet::new();
    for page in 0..3 {
        let opts = SearchOptions {
            offset: page * 20,
            limit: 20,
            ..SearchOptions::default()
        };
        let results = index.search("learning", &opts).expect("search");
        assert_eq!(results.total, total);
        assert_eq!(results.hits.len(), 20);
        assert!(ids(&results).into_iter().all(|id| seen.insert(id)));
    }
    let past_end = SearchOptions {
        offset: total,
        ..SearchOptions::default()
    };
    let results = index.search("learning", &past_end).expect("search");
    assert_eq!((results.total, results.hits.len()), (total, 0));
    let zero = SearchOptions {
        limit: 0,
        ..SearchOptions::default()
    };
    assert_eq!(
        index.search("learning", &zero).expect("search").total,
        total
    );
}

#[test]
fn option_filters_restrict_without_rescoring() {
    let index = sample_index();
    let plain = search(index, "gaussian splatting", 100);
    let opts = SearchOptions {
        categories: vec!["cs.RO".into(), "eess.IV".into()],
        from: Some(date!(2025 - 03 - 18)),
        until: Some(date!(2025 - 03 - 18)),
        limit: 100,
        ..SearchOptions::default()
    };
    let filtered = index.search("gaussian splatting", &opts).expect("search");
    assert!(found(&filtered, SPLATTING));
    assert!(filtered.total < plain.total);
    let by_id = |r: &paperstand_search::TextResults| -> HashMap<String, f32> {
        r.hits.iter().map(|h| (h.id.to_string(), h.score)).collect()
    };
    let (plain, filtered) = (by_id(&plain), by_id(&filtered));
    for (id, score) in &filtered {
        assert_eq!(plain[id], *score, "{id}");
        let paper = sample_papers().iter().find(|p| &p.id.to_string() == id);
        let paper = paper.expect("paper");
        assert_eq!(paper.listed_on, date!(2025 - 03 - 18));
        assert!(
            paper
                .categories
                .iter()
                .any(|c| c == "cs.RO" || c == "eess.IV")
        );
    }
    let archive = SearchOptions {
        categories: vec!["eess".into()],
        sort: Sort::Newest,
        ..SearchOptions::default()
    };
    let eess = index.search("", &archive).expect("search");
    assert_eq!(
        eess.total, 0,
        "an empty query finds nothing, even with filters"
    );
}

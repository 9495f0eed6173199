//! The trending ranking over real HTTP: votes, comments, star counts and a submission
//! written through the store rank as `core::trending` says on `/trending`, the API,
//! the daily page, the feeds and the Hugging Face–compatible API; filters work; hidden
//! papers are absent everywhere; a vote reaches the cached page within a second.

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use common::member::Visitor;
use paperstand_core::ArxivId;
use paperstand_core::trending::{TrendingInput, TrendingParams, Window, rank};
use paperstand_store::contract::sample_paper;
use paperstand_store::{Community, NewUser, RepoCheck, RepoOutcome, Role, Store, UserId};
use serde_json::Value;
use time::{Date, OffsetDateTime};

/// Listed yesterday: 3 upvotes, 2 comments.
const A: &str = "2511.00001";
/// Listed three days ago, cs.CV: 6 upvotes.
const B: &str = "2511.00002";
/// Listed two days ago: nothing.
const C: &str = "2511.00003";
/// Listed in 2020: its repository gained 500 stars this week (1,500 in all).
const D: &str = "2001.00004";
/// Listed yesterday, hidden by a curator: 10 upvotes.
const E: &str = "2511.00005";
/// Listed twenty days ago: nothing (in the month, not the week).
const F: &str = "2511.00006";
/// Listed yesterday, withdrawn.
const G: &str = "2511.00007";
/// Listed yesterday, featured: nothing else.
const H: &str = "2511.00008";
/// Listed yesterday: 1 upvote.
const I: &str = "2511.00009";
/// Submitted by a member today (stored with today's listing).
const J: &str = "2511.00010";

struct World {
    app: TestApp,
    today: Date,
    users: Vec<UserId>,
}

fn id(text: &str) -> ArxivId {
    text.parse().unwrap()
}

fn days_ago(today: Date, days: i64) -> Date {
    today - time::Duration::days(days)
}

async fn user(app: &TestApp, n: usize, role: Role) -> UserId {
    let user = NewUser {
        email: format!("member{n}@example.org"),
        display_name: format!("Member {n}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
            .to_owned(),
        role,
        verified: true,
    };
    let now = OffsetDateTime::now_utc();
    app.store.create_user(&user, now).await.unwrap().id
}

async fn vote(world: &World, paper: &str, votes: usize) {
    let now = OffsetDateTime::now_utc();
    for user in &world.users[..votes] {
        world
            .app
            .store
            .set_vote(*user, &id(paper), true, now)
            .await
            .unwrap();
    }
}

/// The papers, signals and curation of the constants above.
async fn world() -> World {
    let app = TestApp::empty().await;
    let now = OffsetDateTime::now_utc();
    let today = now.date();
    let mut papers = vec![
        sample_paper(A, "Alpha", days_ago(today, 1)),
        sample_paper(B, "Bravo", days_ago(today, 3)),
        sample_paper(C, "Charlie", days_ago(today, 2)),
        sample_paper(D, "Delta", time::macros::date!(2020 - 01 - 10)),
        sample_paper(E, "Echo", days_ago(today, 1)),
        sample_paper(F, "Foxtrot", days_ago(today, 20)),
        sample_paper(G, "Golf", days_ago(today, 1)),
        sample_paper(H, "Hotel", days_ago(today, 1)),
        sample_paper(I, "India", days_ago(today, 1)),
    ];
    papers[1].categories = vec!["cs.CV".to_owned()];
    papers[6].withdrawn = true;
    app.insert(&papers).await;
    let mut users = Vec::new();
    for n in 0..12 {
        users.push(user(&app, n, Role::Member).await);
    }
    let curator = user(&app, 99, Role::Curator).await;
    let world = World { app, today, users };
    vote(&world, A, 3).await;
    vote(&world, B, 6).await;
    vote(&world, E, 10).await;
    vote(&world, I, 1).await;
    let store = &world.app.store;
    for n in 0..2 {
        store
            .add_comment(world.users[n], &id(A), "Worth reading.", now)
            .await
            .unwrap();
    }
    store.set_hidden(&id(E), true, curator, now).await.unwrap();
    store
        .set_featured(&id(H), true, curator, now)
        .await
        .unwrap();
    let submitted = sample_paper(J, "Juliett", today);
    store
        .submit_paper(&submitted, world.users[0], now)
        .await
        .unwrap();
    stars(store.as_ref(), D, now).await;
    world
}

/// 1,000 stars ten days ago, 1,500 now.
async fn stars(store: &dyn Store, paper: &str, now: OffsetDateTime) {
    let before = now - time::Duration::days(10);
    store
        .link_repos(&[(id(paper), "owner/delta".to_owned())], before)
        .await
        .unwrap();
    let repo = store.repos_due(now, 10).await.unwrap()[0].id;
    for (at, stars) in [(before, 1_000), (now, 1_500)] {
        let check = RepoCheck {
            id: repo,
            outcome: RepoOutcome::Stars { stars, etag: None },
            checked_at: at,
            next_check_at: at + time::Duration::days(1),
        };
        store.record_repo_check(&check).await.unwrap();
    }
}

/// What the store should count for each visible paper in the week window, written out
/// by hand from the world above.
fn week_inputs(today: Date) -> Vec<TrendingInput> {
    let input = |paper: &str, listed_on: Date, up: u32, stars: u32, comments: u32, sub: bool| {
        TrendingInput {
            id: id(paper),
            listed_on,
            upvotes_in_window: up,
            stars_gained_in_window: stars,
            comments_in_window: comments,
            submitted_by_member: sub,
        }
    };
    vec![
        input(A, days_ago(today, 1), 3, 0, 2, false),
        input(B, days_ago(today, 3), 6, 0, 0, false),
        input(C, days_ago(today, 2), 0, 0, 0, false),
        input(D, time::macros::date!(2020 - 01 - 10), 0, 500, 0, false),
        input(H, days_ago(today, 1), 0, 0, 0, false),
        input(I, days_ago(today, 1), 1, 0, 0, false),
        input(J, today, 0, 0, 0, true),
    ]
}

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let (status, _, body) = app.get(path).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn item_ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["paper"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The papers of the cards on a page, in order.
fn card_ids(html: &str) -> Vec<String> {
    html.split("<article class=\"card\">")
        .skip(1)
        .filter_map(|card| {
            let start = card.find("href=\"/papers/")? + "href=\"/papers/".len();
            let end = card[start..].find('"')?;
            Some(card[start..start + end].to_owned())
        })
        .collect()
}

/// The papers of an Atom feed's entries, in order.
fn entry_ids(atom: &str) -> Vec<String> {
    atom.split("<entry>")
        .skip(1)
        .filter_map(|entry| {
            let marker = "<link rel=\"alternate\" href=\"";
            let start = entry.find(marker)? + marker.len();
            let end = entry[start..].find('"')?;
            let link = &entry[start..start + end];
            Some(link.rsplit_once("/papers/")?.1.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn the_api_ranks_as_the_formula_says_and_explains_each_score() {
    let world = world().await;
    let (status, list) = json(&world.app, "/api/v1/trending?limit=100").await;
    assert_eq!(status, 200, "{list}");
    let now = OffsetDateTime::now_utc();
    let params = TrendingParams::default();
    let expected = rank(&week_inputs(world.today), &params, Window::Week, now);
    let expected_ids: Vec<String> = expected.iter().map(|s| s.item.to_string()).collect();
    assert_eq!(item_ids(&list), expected_ids);
    assert_eq!(expected_ids[0], D, "500 stars this week lead");
    assert_eq!(
        (list["window"].as_str(), list["total"].as_u64()),
        (Some("week"), Some(7))
    );
    assert_eq!(list["ranking"], "trending");
    for (item, want) in list["items"].as_array().unwrap().iter().zip(&expected) {
        let score = item["score"].as_f64().unwrap();
        assert!(
            (score - want.score).abs() <= 1e-3 * want.score.max(1.0),
            "{item}"
        );
        let breakdown = &item["breakdown"];
        assert_eq!(breakdown["score"].as_f64(), Some(score));
        let terms = breakdown["terms"].as_array().unwrap();
        let kinds: Vec<&str> = terms.iter().map(|t| t["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["upvotes", "stars", "comments", "submitted"]);
        let points: f64 = terms
            .iter()
            .map(|t| t["contribution"].as_f64().unwrap())
            .sum();
        assert_eq!(points, breakdown["points"].as_f64().unwrap());
        let decay = breakdown["decay"].as_f64().unwrap();
        assert!(
            (points / decay - score).abs() < 1e-9,
            "the breakdown sums to the score"
        );
    }
    let a = &list["items"][expected_ids.iter().position(|i| i == A).unwrap()]["breakdown"];
    assert_eq!(a["terms"][0]["label"], "3 upvotes");
    assert_eq!(
        a["terms"][2]["contribution"].as_f64(),
        Some(1.0),
        "2 comments × 0.5"
    );
    let j = &list["items"][expected_ids.iter().position(|i| i == J).unwrap()]["breakdown"];
    assert_eq!(
        j["terms"][3]["contribution"].as_f64(),
        Some(2.0),
        "a member's submission"
    );
}

#[tokio::test]
async fn api_filters_windows_and_paging() {
    let world = world().await;
    let app = &world.app;
    let ids = |path: &'static str| async move { item_ids(&json(app, path).await.1) };
    assert_eq!(ids("/api/v1/trending?category=cs.CV").await, [B]);
    assert_eq!(ids("/api/v1/trending?year=2020").await, [D]);
    assert_eq!(
        ids("/api/v1/trending?category=cs&limit=100").await.len(),
        7,
        "an archive"
    );
    let month = ids("/api/v1/trending?window=month&limit=100").await;
    assert!(
        month.contains(&F.to_owned()) && month.len() == 8,
        "{month:?}"
    );
    let all = ids("/api/v1/trending?window=all&limit=100").await;
    assert_eq!(all.len(), 8);
    assert!(!all.contains(&E.to_owned()) && !all.contains(&G.to_owned()));
    let (_, first) = json(app, "/api/v1/trending?limit=3").await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = json(app, &format!("/api/v1/trending?limit=3&cursor={cursor}")).await;
    let (_, whole) = json(app, "/api/v1/trending?limit=6").await;
    let paged: Vec<String> = item_ids(&first)
        .into_iter()
        .chain(item_ids(&second))
        .collect();
    assert_eq!(paged, item_ids(&whole));
    for (path, field) in [
        ("/api/v1/trending?window=year", "window"),
        ("/api/v1/trending?year=26", "year"),
        ("/api/v1/trending?category=%3Cx%3E", "category"),
    ] {
        let (status, body) = json(app, path).await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (400, Some(field)),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_paper_item_has_its_counts_and_the_weeks_breakdown() {
    let world = world().await;
    let (status, paper) = json(&world.app, &format!("/api/v1/papers/{A}")).await;
    assert_eq!(status, 200, "{paper}");
    assert_eq!(
        (paper["id"].as_str(), paper["upvotes"].as_u64()),
        (Some(A), Some(3))
    );
    assert_eq!(paper["comments"], 2);
    assert_eq!(paper["trending"]["window"], "week");
    assert_eq!(paper["trending"]["terms"][0]["count"], 3);
    let (_, old) = json(&world.app, &format!("/api/v1/papers/{F}")).await;
    assert!(old["trending"].is_null(), "not on the week's list: {old}");
    assert_eq!(
        json(&world.app, &format!("/api/v1/papers/{E}")).await.0,
        404,
        "hidden"
    );
}

#[tokio::test]
async fn the_trending_page_lists_in_order_with_each_cards_why() {
    let world = world().await;
    let app = &world.app;
    let (status, _, page) = app.get("/trending").await;
    assert_eq!(status, 200);
    let (_, api) = json(app, "/api/v1/trending?limit=100").await;
    assert_eq!(card_ids(&page), item_ids(&api), "the same ranking");
    assert!(page.contains("<h1>Trending this week</h1>"), "{page}");
    assert!(page.contains("500 stars gained · score "), "D's why");
    assert!(page.contains("3 upvotes · 2 comments · score "), "A's why");
    assert!(page.contains(&format!(r#"href="/papers/{A}#why">why</a>"#)));
    assert!(!page.contains(E), "hidden");
    let cv = common::normalize_entities(&app.get("/trending?window=month&cat=cs.CV").await.2);
    assert_eq!(card_ids(&cv), [B]);
    assert!(cv.contains("Trending this month in cs.CV"));
    assert!(
        cv.contains(r#"href="/trending?window=all&amp;cat=cs.CV""#),
        "tabs keep the filters"
    );
    let (_, _, all) = app.get("/trending?window=all").await;
    assert_eq!(card_ids(&all).len(), 8);
    let (_, _, none) = app.get("/trending?cat=math.GT").await;
    assert!(none.contains("Nothing to rank here"), "{none}");
    for (path, message) in [
        (
            "/trending?window=year",
            "window must be day (or today), week, month or all",
        ),
        (
            "/trending?year=twenty",
            "year must be a year of four digits",
        ),
        (
            "/trending?cat=%3Cb%3E",
            "category must be an arXiv category or archive",
        ),
    ] {
        let (status, _, body) = app.get(path).await;
        assert_eq!(status, 400, "{path}");
        assert!(
            common::normalize_entities(&body).contains(message),
            "{path}: {body}"
        );
    }
    let (status, _, json_export) = app.get("/trending?format=json").await;
    assert_eq!(status, 200);
    let exported: Vec<Value> = serde_json::from_str(&json_export).unwrap();
    let exported: Vec<&str> = exported.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(exported, item_ids(&api), "the download keeps the order");
}

#[tokio::test]
async fn the_daily_page_puts_featured_first_then_the_day_by_its_signals() {
    let world = world().await;
    let day = paperstand_core::record::format_date(days_ago(world.today, 1));
    let (status, _, page) = world.app.get(&format!("/?date={day}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        card_ids(&page),
        [H, A, I, G],
        "featured, 4 points, 1 point, withdrawn"
    );
    assert!(page.contains("4 papers listed on"));
    assert!(page.contains(r#"<span class="featured">Featured</span>"#));
    // The download keeps arXiv id order.
    let (_, _, export) = world.app.get(&format!("/?date={day}&format=json")).await;
    let exported: Vec<Value> = serde_json::from_str(&export).unwrap();
    let exported: Vec<&str> = exported.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(exported, [A, G, H, I]);
}

#[tokio::test]
async fn feeds_and_the_hugging_face_api_follow_the_ranking() {
    let world = world().await;
    let app = &world.app;
    let (_, api) = json(app, "/api/v1/trending?limit=100").await;
    let (_, _, atom) = app.get("/feeds/trending.atom").await;
    assert_eq!(entry_ids(&atom), item_ids(&api));
    let (_, _, cv) = app.get("/feeds/trending.atom?window=all&cat=cs.CV").await;
    assert_eq!(entry_ids(&cv), [B]);
    let day = paperstand_core::record::format_date(days_ago(world.today, 1));
    let (_, _, daily) = app.get("/feeds/daily.atom").await;
    assert!(!daily.contains(E), "hidden");
    let (status, hf) = json(app, &format!("/api/daily_papers?date={day}&sort=trending")).await;
    assert_eq!(status, 200, "{hf}");
    let hf_ids: Vec<&str> = hf
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["paper"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(hf_ids, [H, A, I, G], "the daily page's order");
    let a = &hf[1];
    assert_eq!(
        (a["paper"]["upvotes"].as_u64(), a["numComments"].as_u64()),
        (Some(3), Some(2))
    );
    let (_, by_date) = json(app, &format!("/api/daily_papers?date={day}")).await;
    assert_eq!(
        by_date.as_array().unwrap().len(),
        4,
        "publishedAt lists the same papers"
    );
    let (_, paper) = json(app, &format!("/api/papers/{A}")).await;
    assert_eq!(
        (paper["upvotes"].as_u64(), paper["numComments"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        json(app, &format!("/api/papers/{E}")).await.0,
        404,
        "hidden"
    );
}

#[tokio::test]
async fn a_vote_reaches_the_cached_page_within_a_second_and_members_pages_are_their_own() {
    let world = world().await;
    let app = &world.app;
    let (_, _, before) = app.get("/trending").await;
    assert_ne!(card_ids(&before)[0], C);
    vote(&world, C, 12).await;
    let started = Instant::now();
    loop {
        let (_, _, page) = app.get("/trending").await;
        if card_ids(&page)[0] == C {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_millis(2_500),
            "the vote never showed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        started.elapsed() < Duration::from_millis(1_600),
        "{:?}",
        started.elapsed()
    );
    // A member's page carries their vote forms; it never reaches visitors.
    let mut member = Visitor::member(app, "reader@example.org", "Reader").await;
    let mine = member.get("/trending").await;
    assert!(
        mine.body.contains(&format!(r#"action="/vote/{C}""#)),
        "{}",
        mine.body
    );
    let (_, _, visitor) = app.get("/trending").await;
    assert!(
        !visitor.contains("name=\"csrf\""),
        "no member's token in the shared page"
    );
    assert!(visitor.contains(&format!("/signin?next=/papers/{C}")));
}

#[tokio::test]
async fn the_paper_page_explains_its_weeks_score() {
    let world = world().await;
    let (status, _, page) = world.app.get(&format!("/papers/{A}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Why it is trending (week)"), "{page}");
    assert!(page.contains("<td>3 upvotes</td>"));
}

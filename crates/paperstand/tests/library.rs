//! Personal libraries over real HTTP with cookies: saving (form and script), tags,
//! notes, read marks, filters, bulk actions, public tags, privacy between members,
//! hostile input, For-you with its reasons and dial, and topics with their feeds.

mod common;

use common::TestApp;
use common::member::Visitor;

const LLM_SAFETY: &str = "2606.00975";
const GUARDRAILS: &str = "2606.02041";
const VIDEO_SAFETY: &str = "2606.02443";

async fn library(visitor: &mut Visitor, query: &str) -> String {
    let page = visitor.get(&format!("/library{query}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
}

fn tag_id(html: &str, name: &str) -> String {
    let marker = format!("\">{name}</a> (");
    let end = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no tag {name} in {html}"));
    let start = html[..end].rfind("/library?tag=").unwrap() + "/library?tag=".len();
    html[start..end].to_owned()
}

#[tokio::test]
async fn saving_tagging_notes_read_marks_and_filters() {
    let app = TestApp::with_fixture().await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.get("/").await;
    let saved = ada
        .post(&format!("/save/{LLM_SAFETY}"), &[("saved", "1")])
        .await;
    assert_eq!(saved.status, 303, "the form works without the script");
    let token = ada.csrf.clone().unwrap();
    let form = vec![
        ("saved".to_owned(), "1".to_owned()),
        ("csrf".to_owned(), token),
    ];
    let json = ada
        .post_raw(
            &format!("/save/{GUARDRAILS}v1"),
            &form,
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!((json.status, json.body.as_str()), (200, "{\"saved\":true}"));
    let again = ada
        .post(&format!("/save/{GUARDRAILS}"), &[("saved", "1")])
        .await;
    assert_eq!(again.status, 303, "a duplicate save is fine");
    let page = library(&mut ada, "").await;
    assert!(page.contains("2 of 2 saved papers"), "{page}");
    assert!(page.contains("aria-pressed=\"true\" title=\"Remove from your library\""));
    let missing = ada.post("/save/2101.99999", &[("saved", "1")]).await;
    assert_eq!(missing.status, 404);

    // Tags: hostile markup is text; a 1,000-character name is refused and loses nothing.
    let hostile = "<script>alert(1)</script>";
    let tagged = ada
        .post(
            &format!("/library/paper/{LLM_SAFETY}"),
            &[("action", "tag"), ("tag", hostile)],
        )
        .await;
    assert_eq!(tagged.status, 303);
    let page = library(&mut ada, "").await;
    assert!(
        !page.contains(hostile) && page.contains("script&#62;alert(1)"),
        "{page}"
    );
    let long = "x".repeat(1_000);
    let refused = ada
        .post(
            &format!("/library/paper/{LLM_SAFETY}"),
            &[("action", "tag"), ("tag", &long)],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .body
            .contains("at most 64 characters; this one has 1,000"),
        "{}",
        refused.body
    );
    assert!(
        library(&mut ada, "").await.contains("2 of 2 saved papers"),
        "nothing lost"
    );

    // Notes are Markdown through the comment renderer.
    let note = "**key idea** <img src=x onerror=alert(1)>";
    let noted = ada
        .post(
            &format!("/library/paper/{GUARDRAILS}"),
            &[("action", "note"), ("note", note)],
        )
        .await;
    assert_eq!(noted.status, 303);
    let page = library(&mut ada, "").await;
    assert!(page.contains("<strong>key idea</strong>"), "{page}");
    assert!(!page.contains("<img src=x"));

    // Read marks and filters.
    ada.post(
        &format!("/library/paper/{LLM_SAFETY}"),
        &[("action", "read")],
    )
    .await;
    let unread = library(&mut ada, "?read=unread").await;
    assert!(unread.contains(GUARDRAILS) && !unread.contains(&format!("saved-{LLM_SAFETY}")));
    let bad = ada.get("/library?read=maybe").await;
    assert_eq!(bad.status, 400);

    // Bulk: tag both; nothing ticked is an error.
    let token = ada.csrf.clone().unwrap();
    let fields: Vec<(String, String)> = [
        ("csrf", token.as_str()),
        ("id", LLM_SAFETY),
        ("id", GUARDRAILS),
        ("action", "tag"),
        ("tag", "safety"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(
        ada.post_raw("/library/bulk", &fields, &[]).await.status,
        303
    );
    let page = library(&mut ada, "").await;
    let safety = tag_id(&page, "safety");
    let tagged = library(&mut ada, &format!("?tag={safety}")).await;
    assert!(tagged.contains("2 of 2 saved papers"), "{tagged}");
    assert_eq!(
        ada.post("/library/bulk", &[("action", "read")])
            .await
            .status,
        400
    );

    // Export of the tag as BibTeX.
    let bib = ada.get(&format!("/library?tag={safety}&format=bib")).await;
    assert!(
        bib.body.contains(&format!("eprint = {{{LLM_SAFETY}}}")),
        "{}",
        bib.body
    );

    // Unsave: gone from the library.
    ada.post(&format!("/save/{LLM_SAFETY}"), &[("saved", "0")])
        .await;
    assert!(library(&mut ada, "").await.contains("1 of 1 saved paper"));
}

#[tokio::test]
async fn tags_are_private_until_made_public_and_belong_to_their_member() {
    let app = TestApp::with_fixture().await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.get("/library").await;
    ada.post(
        &format!("/library/paper/{LLM_SAFETY}"),
        &[("action", "tag"), ("tag", "reading group")],
    )
    .await;
    ada.post(
        &format!("/library/paper/{GUARDRAILS}"),
        &[("action", "tag"), ("tag", "other")],
    )
    .await;
    let page = library(&mut ada, "").await;
    let tag = tag_id(&page, "reading group");
    let mut visitor = Visitor::new(&app);
    assert_eq!(
        visitor.get(&format!("/tags/{tag}")).await.status,
        404,
        "private"
    );
    let conflict = ada
        .post(
            &format!("/library/tags/{tag}"),
            &[("action", "rename"), ("name", "OTHER")],
        )
        .await;
    assert_eq!(conflict.status, 400);
    assert!(conflict.body.contains("already"));
    ada.post(&format!("/library/tags/{tag}"), &[("action", "public")])
        .await;
    let public = visitor.get(&format!("/tags/{tag}")).await;
    assert_eq!(public.status, 200);
    assert!(public.body.contains("A reading list by Ada") && public.body.contains(LLM_SAFETY));
    assert!(!public.body.contains(GUARDRAILS), "only this tag's papers");

    let mut eve = Visitor::member(&app, "eve@example.org", "Eve").await;
    let theirs = library(&mut eve, "").await;
    assert!(theirs.contains("0 of 0 saved papers") && !theirs.contains(LLM_SAFETY));
    let hijack = eve
        .post(&format!("/library/tags/{tag}"), &[("action", "delete")])
        .await;
    assert_eq!(hijack.status, 404);
    assert_eq!(
        visitor.get(&format!("/tags/{tag}")).await.status,
        200,
        "still there"
    );

    // Visitors are sent to sign in; a post without a token is refused.
    let anonymous = visitor.get("/library").await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous.location().starts_with("/signin"));
    let forged = ada
        .post_raw(
            &format!("/save/{GUARDRAILS}"),
            &[("saved".to_owned(), "1".to_owned())],
            &[],
        )
        .await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn for_you_explains_excludes_and_follows_the_dial() {
    let app = TestApp::with_fixture().await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    let cold = ada.get("/for-you").await;
    assert_eq!(cold.status, 200);
    assert!(cold.body.contains("learns what you like"));
    ada.post(&format!("/save/{LLM_SAFETY}"), &[("saved", "1")])
        .await;
    ada.post(&format!("/save/{GUARDRAILS}"), &[("saved", "1")])
        .await;
    let page = ada.get("/for-you?days=all").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Because you saved — close to: "),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains(&format!("action=\"/library/paper/{LLM_SAFETY}\"")),
        "saved papers are not picks"
    );
    assert!(page.body.contains(VIDEO_SAFETY));
    let marked = ada
        .post(
            &format!("/library/paper/{VIDEO_SAFETY}"),
            &[("action", "not_interested")],
        )
        .await;
    assert_eq!(marked.status, 303);
    let page = ada.get("/for-you?days=all").await;
    assert!(
        !page.body.contains(&format!("/papers/{VIDEO_SAFETY}")),
        "not interested is excluded"
    );

    let clamped = ada.post("/for-you/dial", &[("dial", "7")]).await;
    assert_eq!(clamped.location(), "/for-you?clamped=1");
    let page = ada.get("/for-you?clamped=1").await;
    assert!(page.body.contains("value=\"1.00\"") && page.body.contains("brought within"));
    let negative = ada.post("/for-you/dial", &[("dial", "-3")]).await;
    assert_eq!(negative.location(), "/for-you?clamped=1");
    assert!(ada.get("/for-you").await.body.contains("value=\"0.00\""));
    let nonsense = ada.post("/for-you/dial", &[("dial", "lots")]).await;
    assert_eq!(nonsense.status, 400);
    assert!(nonsense.body.contains("not a number"));
    assert_eq!(ada.get("/for-you?days=0").await.status, 400);
}

#[tokio::test]
async fn topics_count_new_papers_and_have_private_feeds() {
    let app = TestApp::with_fixture().await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.get("/topics").await;
    let bad = ada.post("/topics", &[("name", ""), ("q", "safety")]).await;
    assert_eq!(bad.status, 400);
    let made = ada
        .post(
            "/topics",
            &[
                ("name", "LLM safety"),
                ("q", "safety"),
                ("mode", "keyword"),
                ("cat", ""),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let path = made.location().to_owned();
    let list = ada.get("/topics").await;
    assert!(list.body.contains("LLM safety") && !list.body.contains("new</strong>"));
    let tomorrow = time::OffsetDateTime::now_utc().date() + time::Duration::days(2);
    let newer =
        paperstand_store::contract::sample_paper("2612.00001", "Safety cases for agents", tomorrow);
    app.insert(&[newer]).await;
    let list = ada.get("/topics").await;
    assert!(list.body.contains("1 new</strong>"), "{}", list.body);
    let page = ada.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(LLM_SAFETY), "{}", page.body);
    let start = page.body.find("/feeds/topic/").unwrap();
    let end = start + page.body[start..].find('"').unwrap();
    let feed_path = page.body[start..end].replace("&amp;", "&");
    let mut reader = Visitor::new(&app);
    let feed = reader.get(&feed_path).await;
    assert_eq!(feed.status, 200, "{feed_path}");
    assert!(feed.body.contains("<feed") && feed.body.contains(LLM_SAFETY));
    let wrong = reader.get(&format!("{}x", feed_path)).await;
    assert_eq!(wrong.status, 404);
    let mut eve = Visitor::member(&app, "eve@example.org", "Eve").await;
    assert_eq!(eve.get(&path).await.status, 404, "topics are private");
}

/// With the embedding model, For-you reads the papers' sentence embeddings.
#[tokio::test(flavor = "multi_thread")]
async fn for_you_uses_sentence_embeddings_when_the_model_is_there() {
    let app = TestApp::semantic_with_lines(common::FIXTURE).await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.post(&format!("/save/{LLM_SAFETY}"), &[("saved", "1")])
        .await;
    ada.post(&format!("/save/{GUARDRAILS}"), &[("saved", "1")])
        .await;
    let page = ada.get("/for-you?days=all").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("sentence embeddings"), "{}", page.body);
    assert!(page.body.contains("Because you saved — close to: "));
    let first = page.body.find("class=\"card\"").unwrap();
    assert!(
        !page.body[first..].contains(&format!("action=\"/save/{LLM_SAFETY}\"")),
        "saved papers are not picks"
    );
}

//! Hostile text in titles, abstracts, author names, comments, report reasons and display
//! names renders inert on every page that shows it, checked on the markup the server
//! sends (the browser test checks the same pages in Chromium).

mod common;

use common::TestApp;
use common::inert::assert_inert;
use common::member::{PASSWORD, Visitor};

#[tokio::test]
async fn hostile_text_is_inert_on_every_page() {
    let app = TestApp::empty().await;
    let seeded = common::hostile::seed(&app).await;
    assert!(common::hostile::payloads().len() >= 100);
    let mut visitor = Visitor::new(&app);
    let mut admin = Visitor::new(&app);
    admin.sign_in(&seeded.admin, PASSWORD).await;

    let mut checked = 0;
    for who in [&mut visitor, &mut admin] {
        for page in 1..=5 {
            let answer = who.get(&format!("/?page={page}")).await;
            if answer.status == 404 {
                break;
            }
            assert_eq!(answer.status, 200);
            assert_inert(&answer.body, &format!("daily page {page}"));
            checked += 1;
        }
        for path in [
            "/trending?window=all",
            "/search?q=alert",
            "/search?q=script&mode=keyword",
        ] {
            let answer = who.get(path).await;
            assert_eq!(answer.status, 200, "{path}");
            assert_inert(&answer.body, path);
            checked += 1;
        }
        for id in seeded
            .papers
            .iter()
            .chain(std::iter::once(&"2611.99999".parse().unwrap()))
        {
            let answer = who.get(&format!("/papers/{id}")).await;
            assert_eq!(answer.status, 200);
            assert_inert(&answer.body, &format!("paper page {id}"));
            checked += 1;
        }
    }
    let page = admin.get("/admin").await;
    assert_eq!(page.status, 200);
    assert_inert(&page.body, "/admin");
    let account = admin.get("/account").await;
    assert_inert(&account.body, "/account");
    // The comments really are on the page (escaped), not dropped.
    let commented = visitor.get(&format!("/papers/{}", seeded.commented)).await;
    assert!(
        commented
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            || commented.body.contains("&lt;script&gt;alert(1)")
    );
    assert!(checked > 400, "{checked} pages");
}

//! A visitor with a cookie jar, for flows over real HTTP: sign up, confirm, sign in,
//! and send forms with the CSRF token the page gave.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};

use super::TestApp;

/// The answer to a request.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub body: String,
}

impl Answer {
    /// The `Location` header.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `Set-Cookie` header for `name`, whole.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// A browser-like client: keeps cookies, follows nothing.
#[derive(Debug, Clone)]
pub struct Visitor {
    base: String,
    client: reqwest::Client,
    /// Cookies by name.
    pub cookies: BTreeMap<String, String>,
    /// The last CSRF token a page gave.
    pub csrf: Option<String>,
}

impl Visitor {
    /// A new visitor of `app`.
    pub fn new(app: &TestApp) -> Visitor {
        Visitor {
            base: app.url.clone(),
            client: app.client.clone(),
            cookies: BTreeMap::new(),
            csrf: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE).iter() {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
    }

    async fn finish(&mut self, response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.remember(&headers);
        let body = response.text().await.expect("body");
        if let Some(token) = csrf_in(&body) {
            self.csrf = Some(token);
        }
        Answer {
            status,
            headers,
            body,
        }
    }

    /// GET `path` with the cookies.
    pub async fn get(&mut self, path: &str) -> Answer {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("request");
        self.finish(response).await
    }

    /// POST a form to `path` with the cookies and the last CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(token) = &self.csrf {
            form.push(("csrf".to_owned(), token.clone()));
        }
        self.post_raw(path, &form, &[]).await
    }

    /// POST exactly these fields and headers (no token added).
    pub async fn post_raw(
        &mut self,
        path: &str,
        form: &[(String, String)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode_form(form));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request");
        self.finish(response).await
    }

    /// POST a raw body with these headers (a file upload by script).
    pub async fn post_raw_body(
        &mut self,
        path: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request");
        self.finish(response).await
    }

    /// Signs up, confirms through the e-mailed link and signs in. Returns the visitor,
    /// signed in.
    pub async fn member(app: &TestApp, email: &str, name: &str) -> Visitor {
        let mut visitor = Visitor::new(app);
        visitor.get("/signup").await;
        let answer = visitor
            .post(
                "/signup",
                &[
                    ("email", email),
                    ("display_name", name),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let link = app.wait_for_link(email, "/verify/").await;
        visitor.get(&link).await;
        let answer = visitor.post(&link, &[]).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        visitor.sign_in(email, PASSWORD).await;
        visitor
    }

    /// Signs in; panics unless it worked.
    pub async fn sign_in(&mut self, email: &str, password: &str) {
        self.get("/signin").await;
        let answer = self
            .post("/signin", &[("email", email), ("password", password)])
            .await;
        assert_eq!(answer.status, 303, "sign-in failed: {}", answer.body);
        assert!(self.cookies.contains_key("ps_session"));
        // Pages for members carry the session's token.
        self.get("/account").await;
    }
}

/// `application/x-www-form-urlencoded` of the fields.
pub fn encode_form(form: &[(String, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in form {
        out.append_pair(k, v);
    }
    out.finish()
}

/// The password test members use.
pub const PASSWORD: &str = "correct horse battery staple";

/// The first `name="csrf" value="…"` in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

impl TestApp {
    /// The id of the member with this address.
    pub async fn user_id(&self, email: &str) -> i64 {
        use paperstand_store::Community;
        self.store
            .credentials(email)
            .await
            .expect("store")
            .expect("no such member")
            .user
            .id
    }

    /// Gives the member with this address a role; returns their id.
    pub async fn make(&self, email: &str, role: paperstand_store::Role) -> i64 {
        use paperstand_store::Community;
        let id = self.user_id(email).await;
        self.store
            .set_role(id, role, time::OffsetDateTime::now_utc())
            .await
            .expect("store");
        id
    }

    /// Waits (up to 5 s) for an e-mail to `to` containing a link with `marker`; returns
    /// the link's path.
    pub async fn wait_for_link(&self, to: &str, marker: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let found = self.mailer.sent().into_iter().rev().find_map(|m| {
                if m.to != to {
                    return None;
                }
                let at = m.text.find(marker)?;
                let end = m.text[at..]
                    .find(char::is_whitespace)
                    .map_or(m.text.len(), |e| at + e);
                Some(m.text[at..end].to_owned())
            });
            if let Some(link) = found {
                return link;
            }
            assert!(
                Instant::now() < deadline,
                "no e-mail to {to} with {marker} in 5 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

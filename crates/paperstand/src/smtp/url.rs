//! The one setting that says where mail goes: `smtp://`, `smtp+starttls://` or
//! `smtps://`, with an optional `user:password@` (percent-encoded). The password is
//! kept but never shown: `Display` and `Debug` write `***` in its place.

use std::fmt;
use std::str::FromStr;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: no TLS at all (a relay on this machine or a trusted network).
    Plain,
    /// `smtp+starttls://`: plain connect, then `STARTTLS` (required, never skipped).
    StartTls,
    /// `smtps://`: TLS from the first byte (implicit TLS, RFC 8314).
    Implicit,
}

impl Security {
    /// The scheme as written in the URL.
    pub fn scheme(self) -> &'static str {
        match self {
            Security::Plain => "smtp",
            Security::StartTls => "smtp+starttls",
            Security::Implicit => "smtps",
        }
    }

    /// The port used when the URL names none: 25, 587 or 465.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Plain => 25,
            Security::StartTls => 587,
            Security::Implicit => 465,
        }
    }
}

/// A parsed SMTP URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// TLS or not.
    pub security: Security,
    /// Host name or IP address (an IPv6 address without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The user name, when the server wants AUTH.
    pub user: Option<String>,
    password: Option<String>,
}

/// What the URL may look like, for error messages.
const ACCEPTED: &str = "expected smtp://host[:port] (plain), smtp+starttls://host[:port] \
     (STARTTLS, default port 587) or smtps://host[:port] (implicit TLS, default port 465), \
     optionally with user:password@ before the host (percent-encode @ : / in them)";

/// A URL that is not one of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid SMTP URL: {problem}; {ACCEPTED}")]
pub struct SmtpUrlError {
    problem: String,
}

fn bad(problem: impl Into<String>) -> SmtpUrlError {
    SmtpUrlError {
        problem: problem.into(),
    }
}

impl SmtpUrl {
    /// A URL without credentials.
    pub fn new(security: Security, host: &str, port: u16) -> SmtpUrl {
        SmtpUrl {
            security,
            host: host.to_owned(),
            port,
            user: None,
            password: None,
        }
    }

    /// The same URL with these credentials.
    pub fn with_credentials(mut self, user: &str, password: &str) -> SmtpUrl {
        self.user = Some(user.to_owned());
        self.password = Some(password.to_owned());
        self
    }

    /// The password (only for authenticating; never log it).
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Parses `text` (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<SmtpUrl, SmtpUrlError> {
        let text = text.trim();
        if text.chars().any(char::is_control) || text.contains(' ') {
            return Err(bad("it contains spaces or control characters"));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(bad("no scheme"));
        };
        let security = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => Security::Plain,
            "smtp+starttls" => Security::StartTls,
            "smtps" => Security::Implicit,
            // Said plainly, since a guess at the wrong kind of TLS fails later and obscurely.
            _ => return Err(bad(format!("unknown scheme {scheme:?}"))),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(bad("a path, query or fragment is not allowed"));
        }
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let (host, port) = split_host_port(hostport)?;
        let port = match port {
            None => security.default_port(),
            Some(p) => match p.parse::<u16>() {
                Ok(port) if port != 0 => port,
                _ => {
                    return Err(bad(format!(
                        "the port {p:?} is not a number from 1 to 65535"
                    )));
                }
            },
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (user, password) = info.split_once(':').unwrap_or((info, ""));
                let user = percent_decode(user)
                    .ok_or_else(|| bad("the user name is not valid percent-encoded UTF-8"))?;
                let password = percent_decode(password)
                    .ok_or_else(|| bad("the password is not valid percent-encoded UTF-8"))?;
                if user.is_empty() {
                    return Err(bad("an empty user name before @"));
                }
                (Some(user), Some(password))
            }
        };
        Ok(SmtpUrl {
            security,
            host,
            port,
            user,
            password,
        })
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_host_port(hostport: &str) -> Result<(String, Option<&str>), SmtpUrlError> {
    if let Some(inner) = hostport.strip_prefix('[') {
        let Some((v6, after)) = inner.split_once(']') else {
            return Err(bad("an IPv6 address without its closing ]"));
        };
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(bad(format!("{v6:?} is not an IPv6 address")));
        }
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| bad("text after the IPv6 address"))?,
            ),
        };
        return Ok((v6.to_owned(), port));
    }
    let (host, port) = match hostport.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (hostport, None),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let valid = host.split('.').all(|label| {
        !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if !valid {
        return Err(bad(format!("{host:?} is not a host name or IPv4 address")));
    }
    Ok((host.to_ascii_lowercase(), port))
}

/// `%XX` decoding; `None` for a broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes what would end the user name in a URL.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' | '@' | ':' | '/' | '?' | '#' | '[' | ']' => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            _ => out.push(c),
        }
    }
    out
}

impl FromStr for SmtpUrl {
    type Err = SmtpUrlError;
    fn from_str(text: &str) -> Result<SmtpUrl, SmtpUrlError> {
        SmtpUrl::parse(text)
    }
}

impl<'de> serde::Deserialize<'de> for SmtpUrl {
    /// From the URL string (a config file's `smtp_url`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<SmtpUrl, D::Error> {
        let text = String::deserialize(deserializer)?;
        SmtpUrl::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.security.scheme())?;
        if let Some(user) = &self.user {
            // The user name is shown (it helps an operator); the password never is.
            write!(f, "{}:***@", percent_encode(user))?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_schemes_with_their_default_ports() {
        let plain = SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (plain.security, plain.host.as_str(), plain.port),
            (Security::Plain, "127.0.0.1", 2525)
        );
        assert_eq!(SmtpUrl::parse("smtp://Mail.Example.org").unwrap().port, 25);
        let starttls = SmtpUrl::parse("smtp+starttls://mail.example.org/").unwrap();
        assert_eq!(
            (starttls.security, starttls.port),
            (Security::StartTls, 587)
        );
        let implicit = SmtpUrl::parse("SMTPS://[::1]").unwrap();
        assert_eq!(
            (implicit.security, implicit.host.as_str(), implicit.port),
            (Security::Implicit, "::1", 465)
        );
        assert_eq!(implicit.to_string(), "smtps://[::1]:465");
    }

    #[test]
    fn credentials_are_percent_decoded_and_the_password_never_shown() {
        let url = SmtpUrl::parse("smtps://digest%40example.org:p%40ss%3Aw0rd%2F@mail.example.org")
            .unwrap();
        assert_eq!(url.user.as_deref(), Some("digest@example.org"));
        assert_eq!(url.password(), Some("p@ss:w0rd/"));
        for shown in [url.to_string(), format!("{url:?}")] {
            assert!(
                !shown.contains("p@ss") && !shown.contains("w0rd"),
                "{shown}"
            );
            assert!(
                shown.contains("digest%40example.org:***@mail.example.org:465"),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_config_file_holds_the_url_as_a_string() {
        #[derive(serde::Deserialize)]
        struct Mail {
            smtp_url: SmtpUrl,
        }
        let mail: Mail = toml::from_str("smtp_url = \"smtps://u:p%40w@mail.example.org\"").unwrap();
        assert_eq!(mail.smtp_url.password(), Some("p@w"));
        // toml quotes the offending line of the file, password included, so whoever
        // reports a config error must not show that snippet; our own message has none.
        let error = serde_json::from_str::<Mail>(r#"{"smtp_url": "ftp://x:secretpw@h"}"#)
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.contains("invalid SMTP URL") && !error.contains("secretpw"),
            "{error}"
        );
    }

    #[test]
    fn bad_urls_say_what_is_accepted() {
        for text in [
            "",
            "mail.example.org:25",
            "http://mail.example.org",
            "smtp://",
            "smtp://:25",
            "smtp://host:0",
            "smtp://host:99999",
            "smtp://host:25/path",
            "smtp://host?x=1",
            "smtp://ho st",
            "smtp://host\r\n:25",
            "smtp://[::1",
            "smtp://[nope]:25",
            "smtp://a..b",
            "smtp://:pw@host",
            "smtp://user:%zz@host",
        ] {
            let error = SmtpUrl::parse(text).expect_err(text).to_string();
            assert!(error.starts_with("invalid SMTP URL: "), "{error}");
            assert!(error.contains("smtp+starttls://host[:port]"), "{error}");
        }
        let secret = SmtpUrl::parse("smtp://user:hunter2@host:25/x")
            .unwrap_err()
            .to_string();
        assert!(!secret.contains("hunter2"), "{secret}");
    }
}

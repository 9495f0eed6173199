//! Signed links in digests: unsubscribe (`/u/TOKEN`) and manage (`/subscription/TOKEN`).
//!
//! A token is `{subscriber id}.{tag}`, the tag an HMAC-SHA256 (truncated to 128 bits) of
//! the purpose, the list's id and the subscriber id under the `[digest] token_key` (or a
//! key derived from the instance's secret). It needs no database row and never expires,
//! so a link in a year-old digest still unsubscribes; a tampered token, one made for
//! another purpose or another list (another instance or key) is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use paperstand_store::SubscriberId;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// What a link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Unsubscribe (one click).
    Unsubscribe,
    /// See and change preferences.
    Manage,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::Unsubscribe => "unsubscribe",
            Purpose::Manage => "manage",
        }
    }
}

/// Signs and checks digest links.
#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
    list_id: String,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSigner")
            .field("list_id", &self.list_id)
            .finish_non_exhaustive()
    }
}

impl LinkSigner {
    /// A signer with `key` for the list `list_id`.
    pub fn new(key: &[u8], list_id: &str) -> LinkSigner {
        LinkSigner {
            key: key.to_vec(),
            list_id: list_id.to_owned(),
        }
    }

    /// The list's id (`List-Id` header).
    pub fn list_id(&self) -> &str {
        &self.list_id
    }

    fn tag(&self, purpose: Purpose, id: SubscriberId) -> [u8; 16] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(b"paperstand digest link\0");
        mac.update(purpose.label().as_bytes());
        mac.update(b"\0");
        mac.update(self.list_id.as_bytes());
        mac.update(b"\0");
        mac.update(id.to_string().as_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0; 16];
        tag.copy_from_slice(&full[..16]);
        tag
    }

    /// The token for `purpose` and subscriber `id`.
    pub fn token(&self, purpose: Purpose, id: SubscriberId) -> String {
        format!("{id}.{}", URL_SAFE_NO_PAD.encode(self.tag(purpose, id)))
    }

    /// The subscriber a token is for, when it is genuine and for `purpose`.
    pub fn check(&self, purpose: Purpose, token: &str) -> Option<SubscriberId> {
        let (id, tag) = token.split_once('.')?;
        if id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id: SubscriberId = id.parse().ok()?;
        let given = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let expected = self.tag(purpose, id);
        (given.len() == expected.len() && bool::from(given.ct_eq(&expected))).then_some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genuine_tokens_check_and_everything_else_is_refused() {
        let signer = LinkSigner::new(b"k".repeat(32).as_slice(), "digest.example.org");
        let token = signer.token(Purpose::Unsubscribe, 42);
        assert_eq!(signer.check(Purpose::Unsubscribe, &token), Some(42));
        // Another purpose, another list, another key, another id, a changed tag.
        assert_eq!(signer.check(Purpose::Manage, &token), None);
        let other_list = LinkSigner::new(b"k".repeat(32).as_slice(), "digest.other.org");
        assert_eq!(other_list.check(Purpose::Unsubscribe, &token), None);
        let other_key = LinkSigner::new(b"j".repeat(32).as_slice(), "digest.example.org");
        assert_eq!(other_key.check(Purpose::Unsubscribe, &token), None);
        let (_, tag) = token.split_once('.').unwrap();
        assert_eq!(
            signer.check(Purpose::Unsubscribe, &format!("43.{tag}")),
            None
        );
        let mut flipped = token.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(signer.check(Purpose::Unsubscribe, &flipped), None);
        for junk in ["", ".", "42", "42.", "-1.AAAA", "x.y", "4\u{661}.AAAA"] {
            assert_eq!(signer.check(Purpose::Unsubscribe, junk), None, "{junk:?}");
        }
    }
}

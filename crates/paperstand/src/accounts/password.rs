//! Passwords: argon2id hashes in PHC strings, verification that takes the same time
//! whether or not the account exists, and the policy a new password must meet.
//! Hashing is slow on purpose (tens of milliseconds): async callers run it on a
//! blocking thread.

use std::collections::HashSet;
use std::hint::black_box;
use std::sync::LazyLock;

use anyhow::Context;
use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier,
    Version,
};

// Cost parameters: OWASP's Password Storage Cheat Sheet recommends, for Argon2id, "a
// minimum configuration of 19 MiB of memory, an iteration count of 2, and 1 degree of
// parallelism" (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id).
/// Memory each hash uses, in KiB (19 MiB).
pub const MEMORY_KIB: u32 = 19_456;
/// Passes over that memory.
pub const PASSES: u32 = 2;
/// Lanes (degree of parallelism).
pub const LANES: u32 = 1;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 8;
/// Most characters a password may have (long enough for any passphrase, short enough
/// that hashing one costs nothing extra).
pub const MAX_CHARS: usize = 128;

// Bounds on the cost a stored hash may ask `verify` for, so one corrupt row cannot make
// a sign-in allocate gigabytes or run for minutes. Generous enough for future raises.
/// Most memory a stored hash may name, in KiB (256 MiB).
const MAX_VERIFY_MEMORY_KIB: u32 = 262_144;
/// Most passes a stored hash may name.
const MAX_VERIFY_PASSES: u32 = 16;
/// Most lanes a stored hash may name.
const MAX_VERIFY_LANES: u32 = 8;

/// The hash [`verify_dummy`] checks against: made once by [`hash`] from a throwaway
/// password, with the current parameters (a test keeps it in step with them). Whether
/// it matches never matters; only the time spent does.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$\
                         rt5HkZ44vZDcaIf16ThwnA$Ph+VEZSBd3djYGgvT+S0OWYxfN5e5/lgy0iFJcLWmd4";

static HASHER: LazyLock<Argon2<'static>> = LazyLock::new(|| {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .expect("the constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
});

/// The 1,000 most common passwords, lowercased (the data file says where they come from).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Hashes `password` with argon2id and a fresh random salt from the OS; returns the PHC
/// string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) to store.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let hashed = HASHER
        .hash_password(password.as_bytes())
        .context("cannot hash a password (is the OS random number generator available?)")?;
    Ok(hashed.to_string())
}

/// True when `password` matches the stored PHC string `phc`. False, never a panic, when
/// `phc` is malformed, is not argon2id, or asks for more work than any hash we make.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm != ARGON2ID_IDENT || !within_bounds(&parsed) {
        return false;
    }
    HASHER.verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Spends the time of one [`verify`] and answers nothing: call it when the account asked
/// for does not exist, so a failed sign-in takes as long either way.
pub fn verify_dummy(password: &str) {
    black_box(verify(black_box(password), DUMMY_PHC));
}

fn within_bounds(parsed: &PasswordHash) -> bool {
    Params::try_from(parsed).is_ok_and(|params| {
        params.m_cost() <= MAX_VERIFY_MEMORY_KIB
            && params.t_cost() <= MAX_VERIFY_PASSES
            && params.p_cost() <= MAX_VERIFY_LANES
    })
}

/// Why a new password was refused; the message is for the member choosing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error("Passwords need at least {min} characters; this one has {chars}.", min = MIN_CHARS)]
    TooShort {
        /// Characters the password has.
        chars: usize,
    },
    /// More than [`MAX_CHARS`] characters.
    #[error("Passwords can have at most {max} characters; this one has {chars}.", max = MAX_CHARS)]
    TooLong {
        /// Characters the password has.
        chars: usize,
    },
    /// One of the most common passwords (in any case).
    #[error(
        "This is one of the most common passwords, so it is among the first an attacker \
         tries. Please choose another."
    )]
    Common,
    /// The account's e-mail address or the part before its `@`.
    #[error("Your password can't be your e-mail address or its name part. Please choose another.")]
    IsEmail,
}

/// Checks a new password for the account with address `email`: 8 to 128 characters
/// (Unicode scalar values, not bytes), not among the 1,000 most common passwords in any
/// case, and not the address or its local part.
pub fn check_policy(password: &str, email: &str) -> Result<(), PolicyError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PolicyError::TooShort { chars });
    }
    if chars > MAX_CHARS {
        return Err(PolicyError::TooLong { chars });
    }
    let lowered = password.to_lowercase();
    if is_email_or_local_part(&lowered, email) {
        return Err(PolicyError::IsEmail);
    }
    if COMMON.contains(lowered.as_str()) {
        return Err(PolicyError::Common);
    }
    Ok(())
}

fn is_email_or_local_part(lowered_password: &str, email: &str) -> bool {
    let email = email.trim().to_lowercase();
    let local = email
        .rsplit_once('@')
        .map_or(email.as_str(), |(local, _)| local);
    (!email.is_empty() && lowered_password == email)
        || (!local.is_empty() && lowered_password == local)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    const EMAIL: &str = "ada.lovelace@example.org";

    #[test]
    fn length_is_counted_in_characters() {
        let cases: &[(&str, Result<(), PolicyError>)] = &[
            ("", Err(PolicyError::TooShort { chars: 0 })),
            ("xkcd-93", Err(PolicyError::TooShort { chars: 7 })),
            ("xkcd-936", Ok(())),
            // Seven characters in 14 bytes is still too short; eight in 16 is enough.
            ("ñçéøüßå", Err(PolicyError::TooShort { chars: 7 })),
            ("ñçéøüßåæ", Ok(())),
            ("密码是很长的吗", Err(PolicyError::TooShort { chars: 7 })),
            ("🦀🦀🦀🦀🦀🦀🦀🦀", Ok(())),
        ];
        for (password, expected) in cases {
            assert_eq!(&check_policy(password, EMAIL), expected, "{password:?}");
        }
        let at_most = "q7".repeat(64);
        assert_eq!(check_policy(&at_most, EMAIL), Ok(()));
        let over = format!("{at_most}z");
        assert_eq!(
            check_policy(&over, EMAIL),
            Err(PolicyError::TooLong { chars: 129 })
        );
        // 128 four-byte characters (512 bytes) are allowed; 129 are not.
        assert_eq!(check_policy(&"🦀".repeat(128), EMAIL), Ok(()));
        assert_eq!(
            check_policy(&"🦀".repeat(129), EMAIL),
            Err(PolicyError::TooLong { chars: 129 })
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        assert_eq!(COMMON.len(), 1_000);
        for password in [
            "password",
            "PASSWORD",
            "PassWord",
            "12345678",
            "iloveyou",
            "Qwertyuiop",
        ] {
            assert_eq!(
                check_policy(password, EMAIL),
                Err(PolicyError::Common),
                "{password}"
            );
        }
        assert_eq!(check_policy("correct horse battery", EMAIL), Ok(()));
    }

    #[test]
    fn the_email_address_and_its_local_part_are_refused() {
        for password in [
            EMAIL,
            "Ada.Lovelace@Example.org",
            "ada.lovelace",
            "ADA.LOVELACE",
        ] {
            assert_eq!(
                check_policy(password, EMAIL),
                Err(PolicyError::IsEmail),
                "{password}"
            );
        }
        assert_eq!(check_policy("ada.lovelace!", EMAIL), Ok(()));
        // An address without '@' (not validated here) or an empty one refuses nothing odd.
        assert_eq!(
            check_policy("ada.lovelace", "ada.lovelace"),
            Err(PolicyError::IsEmail)
        );
        assert_eq!(check_policy("ada.lovelace", ""), Ok(()));
    }

    #[test]
    fn messages_tell_the_member_what_to_do() {
        assert_eq!(
            PolicyError::TooShort { chars: 7 }.to_string(),
            "Passwords need at least 8 characters; this one has 7."
        );
        assert_eq!(
            PolicyError::TooLong { chars: 129 }.to_string(),
            "Passwords can have at most 128 characters; this one has 129."
        );
        assert!(PolicyError::Common.to_string().contains("choose another"));
    }

    #[test]
    fn hashes_verify_only_their_own_password() {
        let phc = hash("correct horse battery staple").unwrap();
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapler", &phc));
        assert!(!verify("Correct horse battery staple", &phc));
        assert!(!verify("", &phc));
        // A fresh salt each time: the same password hashes differently.
        assert_ne!(hash("correct horse battery staple").unwrap(), phc);
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let phc = hash("ñçéøüßåæ 🦀").unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert_eq!(parsed.algorithm, ARGON2ID_IDENT);
        assert_eq!(parsed.version, Some(0x13));
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19_456, 2, 1)
        );
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        // A 16-byte salt (22 base64 characters) and a 32-byte hash (43).
        let fields: Vec<&str> = phc.split('$').collect();
        assert_eq!((fields[4].len(), fields[5].len()), (22, 43), "{phc}");
    }

    #[test]
    fn malformed_or_foreign_hashes_never_verify() {
        let phc = hash("hunter2hunter2").unwrap();
        let truncated = &phc[..phc.len() - 5];
        let argon2i = phc.replacen("argon2id", "argon2i", 1);
        let expensive = phc.replacen("m=19456", "m=4194304", 1);
        let slow = phc.replacen("t=2", "t=100000", 1);
        for bad in [
            "",
            "$",
            "not a hash",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$",
            "$argon2id$v=19$m=1,t=0,p=0$c2FsdHNhbHQ$aGFzaA",
            "$argon2id$v=99$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$argon2id$v=19$m=19456,t=2,p=1$!!!!$????",
            truncated,
            &argon2i,
            &expensive,
            &slow,
            "\u{0}\u{ffff}$argon2id$$$$$$$",
        ] {
            assert!(!verify("hunter2hunter2", bad), "{bad:?}");
        }
    }

    #[test]
    fn the_dummy_hash_has_the_current_parameters() {
        let parsed = PasswordHash::new(DUMMY_PHC).unwrap();
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(parsed.algorithm, ARGON2ID_IDENT);
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (MEMORY_KIB, PASSES, LANES)
        );
        assert!(within_bounds(&parsed));
        assert!(!verify("", DUMMY_PHC));
        verify_dummy("anything at all");
    }

    /// Prints how long one hash and one verify take in this build, not a timed
    /// assertion: `cargo test -p paperstand --lib prints_hash_time -- --nocapture`.
    #[test]
    fn prints_hash_time() {
        let started = Instant::now();
        let phc = hash("a password of ordinary length").unwrap();
        let hashed = started.elapsed();
        let started = Instant::now();
        assert!(verify("a password of ordinary length", &phc));
        let verified = started.elapsed();
        let started = Instant::now();
        verify_dummy("a password of ordinary length");
        let dummy = started.elapsed();
        println!("argon2id m=19456 t=2 p=1: hash {hashed:?}, verify {verified:?}, dummy {dummy:?}");
    }
}

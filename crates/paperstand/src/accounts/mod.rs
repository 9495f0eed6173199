//! Members' accounts: passwords now; sign-up, sessions and tokens as issue #5 grows.
//! Imports `std`, `argon2` and `thiserror` only: no store, no web layer, so handlers and
//! the CLI share one set of rules.

pub mod password;

//! Getting papers from outside: polite HTTP fetching (`fetch`), merging records into
//! the store without losing listing facts (`merge`), and the OAI-PMH harvester (`oai`).
//! Imports `core`, `store` and the configuration; nothing of the web layer.

pub mod fetch;
pub mod merge;
pub mod oai;

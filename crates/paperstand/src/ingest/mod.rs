//! Getting papers from outside: polite HTTP fetching (`fetch`), merging records into
//! the store without losing listing facts (`merge`), the OAI-PMH harvester (`oai`) and
//! the arXiv API client (`arxiv_api`).
//! Imports `core`, `store` and the configuration; nothing of the web layer.

pub mod announce;
pub mod arxiv_api;
pub mod daily;
pub mod fetch;
pub mod merge;
pub mod oai;
pub mod services;

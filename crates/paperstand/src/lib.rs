//! Paperstand: a self-hostable service that brings a research community its papers.
//! The library holds the whole application; `main.rs` only calls [`cli::main`].
//! Modules: `cli` (commands), `config`, `app` (opening the store, the demo import),
//! `transfer` (import/export), `ingest` (harvesting from arXiv), `stars` (GitHub star
//! counts), `ranking` (the trending lists every surface shows), `recs` (personal
//! recommendations), `web` (pages), `accounts` (members' passwords), `telemetry` (logs).

pub mod accounts;
pub mod app;
pub mod cli;
pub mod config;
pub mod digest;
pub mod ingest;
pub mod jobs;
pub mod library;
pub mod mail;
pub mod ranking;
pub mod recs;
pub mod search;
pub mod smtp;
pub mod stars;
pub mod telemetry;
pub mod transfer;
pub mod web;

-- Why: the foundation. One row per arXiv paper (version-less id). List-valued metadata
-- (authors, categories, versions, code links) is stored as JSON arrays because every
-- reader needs it whole with its paper; tables for querying by them come with the
-- features that query them, filled from these columns by their migrations.
create table papers (
    id integer primary key,
    arxiv_id text not null unique,
    title text not null,
    abstract text not null,
    authors text not null,           -- JSON array of display names, in order
    categories text not null,        -- JSON array, primary first
    primary_category text,
    classes text not null,           -- JSON array of MSC/ACM classification codes
    comment text,
    journal_ref text,
    doi text,
    versions text not null,          -- JSON array of {"version": n, "date": "YYYY-MM-DD"}
    submitted_on text,               -- YYYY-MM-DD, v1 submission
    listed_on text not null,         -- YYYY-MM-DD, the listing date (daily page)
    last_listed_on text,
    times_listed integer,
    code_links text not null,        -- JSON array of code links
    freshness text not null,         -- YYYY-MM-DD, the latest date the record knows
    content_hash text not null,      -- SHA-256 of the canonical record: detects changes on import
    change_seq integer not null,     -- grows with every insert/update: followers catch up by it
    created_at text not null,
    updated_at text not null
) strict;

create index papers_by_listed_on on papers (listed_on, arxiv_id);
create index papers_by_change_seq on papers (change_seq);

-- Why: small durable state (harvest positions, one-time markers such as the demo import).
create table settings (
    key text primary key,
    value text not null,
    created_at text not null,
    updated_at text not null
) strict;

-- Why: monotonic counters shared by all writers (the papers change sequence).
create table counters (
    name text primary key,
    value integer not null
) strict;

insert into counters (name, value) values ('papers', 0);

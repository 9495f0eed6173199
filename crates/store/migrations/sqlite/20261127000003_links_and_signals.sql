-- Why: code links and signals from other services (Papers with Code, Hugging Face). They
-- are kept by arXiv id, not by paper row: a link may arrive before its paper does.
create table paper_code_links (
    id integer primary key,
    arxiv_id text not null,
    source text not null,            -- 'pwc', 'huggingface'
    host text not null,
    repo text not null,
    url text not null,
    official integer,                -- Papers with Code's is_official (null: not said)
    framework text,
    created_at text not null,
    updated_at text not null,
    unique (arxiv_id, source, host, repo)
) strict;

-- Why: dated observations that feed ranking (upvotes, stars, comments), one per
-- paper, kind, source and day; a later observation on the same day replaces it.
create table signals (
    id integer primary key,
    arxiv_id text not null,
    kind text not null,
    source text not null,
    value integer not null,
    observed_on text not null,
    created_at text not null,
    updated_at text not null,
    unique (arxiv_id, kind, source, observed_on)
) strict;

create index signals_by_paper on signals (arxiv_id, kind, observed_on);

-- Why: search by meaning. One sentence embedding per paper and model, kept in the
-- database (not only in each node's index) because computing them is the slow part:
-- a rebuilt index or a second node reads them instead of embedding 75k papers again.
-- source_seq is the paper's change_seq when its text was embedded: a newer change_seq
-- means the text may have changed. seq grows with every write, so vector indexes
-- follow this table the way the text index follows papers.change_seq.
create table paper_embeddings (
    id integer primary key,
    arxiv_id text not null unique,
    model text not null,             -- model name and revision, e.g. all-MiniLM-L6-v2@53aa51172d14
    text_hash text not null,         -- SHA-256 of the embedded text
    source_seq integer not null,
    vector blob not null,            -- little-endian f32 values
    seq integer not null,
    created_at text not null,
    updated_at text not null
) strict;

create index paper_embeddings_by_seq on paper_embeddings (seq);

insert into counters (name, value) values ('embeddings', 0);

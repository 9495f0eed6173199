-- Why: personal libraries and recommendations (issue #8). Saved papers with a private
-- note and a read mark, tags (private unless made public), "not interested" marks, each
-- member's For-you dial and library version (the model is cached under it), and topics
-- (saved searches). Everything personal goes with its member (on delete cascade).

create table library_items (
    user_id integer not null references users (id) on delete cascade,
    arxiv_id text not null,          -- version-less; the paper may not be stored yet
    saved_at text not null,
    read_at text,
    note text not null default '',   -- Markdown as written; rendered when shown
    updated_at text not null,
    primary key (user_id, arxiv_id)
) strict;

create index library_items_by_saved on library_items (user_id, saved_at);

create table library_tags (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    name text not null,              -- as written
    name_key text not null,          -- lower-cased: one member's names are unique in any case
    public integer not null default 0,
    created_at text not null,
    updated_at text not null,
    unique (user_id, name_key)
) strict;

create table library_item_tags (
    tag_id integer not null references library_tags (id) on delete cascade,
    user_id integer not null,
    arxiv_id text not null,
    primary key (tag_id, arxiv_id),
    foreign key (user_id, arxiv_id) references library_items (user_id, arxiv_id)
        on delete cascade
) strict;

create index library_item_tags_by_item on library_item_tags (user_id, arxiv_id);

create table not_interested (
    user_id integer not null references users (id) on delete cascade,
    arxiv_id text not null,
    created_at text not null,
    primary key (user_id, arxiv_id)
) strict;

-- One row per member who has touched their library: `version` grows with every change.
create table library_prefs (
    user_id integer primary key references users (id) on delete cascade,
    version integer not null default 0,
    dial real,                       -- 0 = only personal relevance, 1 = only trending
    updated_at text not null
) strict;

create table topics (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    name text not null,
    query text not null,
    mode text not null default '',
    category text,
    created_at text not null,
    updated_at text not null,
    seen_at text not null
) strict;

create index topics_by_user on topics (user_id);

-- Why: account deletion (issue #8). A deleted member's comments keep their place in
-- their threads, without author or body ("[deleted]"), so comments.user_id becomes
-- nullable and is set to null when the member goes (it was `not null ... on delete
-- cascade`). SQLite cannot change a column's constraint in place: the table is rebuilt,
-- with comment_reports (which refers to it) rebuilt too, because dropping the old
-- comments table would otherwise cascade into the reports. Ids, rows and indexes are
-- kept as they were.

create table comments_new (
    id integer primary key,
    arxiv_id text not null,
    user_id integer references users (id) on delete set null,  -- null: the author deleted their account
    body text not null,              -- the Markdown as written; rendered when shown
    created_at text not null,
    edited_at text,
    removed_at text,                 -- deleted by its author or removed by a curator
    removed_by integer references users (id) on delete set null
) strict;

insert into comments_new (id, arxiv_id, user_id, body, created_at, edited_at, removed_at, removed_by)
    select id, arxiv_id, user_id, body, created_at, edited_at, removed_at, removed_by from comments;

create table comment_reports_new (
    comment_id integer not null references comments_new (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    reason text not null,
    created_at text not null,
    resolved_at text,
    primary key (comment_id, user_id)
) strict;

insert into comment_reports_new (comment_id, user_id, reason, created_at, resolved_at)
    select comment_id, user_id, reason, created_at, resolved_at from comment_reports;

drop table comment_reports;
drop table comments;

-- Renaming rewrites comment_reports_new's reference to comments_new as well.
alter table comments_new rename to comments;
alter table comment_reports_new rename to comment_reports;

create index comments_by_paper on comments (arxiv_id, created_at);
create index comments_live_by_paper on comments (arxiv_id, created_at, removed_at)
    where removed_at is null;
create index comments_by_user on comments (user_id, created_at);

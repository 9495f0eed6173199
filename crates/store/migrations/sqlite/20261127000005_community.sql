-- Why: the community (issue #5). Members with roles, sessions and one-time tokens kept
-- in the database (so several nodes share them), upvotes, comments and their reports,
-- member submissions, curation (hidden, featured), GitHub repositories with dated star
-- counts, and a generic table of recent events for rate limits.

create table users (
    id integer primary key,
    email text not null unique,      -- lower-cased, trimmed
    display_name text not null,
    password_hash text not null,     -- PHC string (argon2id)
    role text not null default 'member' check (role in ('member', 'curator', 'admin')),
    email_verified_at text,
    suspended_at text,
    created_at text not null,
    updated_at text not null
) strict;

-- Only a hash of the session token is stored: a copy of the database signs no one in.
create table sessions (
    token_hash text primary key,
    user_id integer not null references users (id) on delete cascade,
    created_at text not null,
    expires_at text not null
) strict;

create index sessions_by_user on sessions (user_id);

-- E-mail verification and password reset links: single use, hashed, expiring.
create table user_tokens (
    token_hash text primary key,
    kind text not null check (kind in ('verify', 'reset')),
    user_id integer not null references users (id) on delete cascade,
    created_at text not null,
    expires_at text not null
) strict;

-- Recent events counted by rate limits (sign-in tries per IP, failures per account,
-- comments per member): a kind, a key (never an e-mail address in clear) and a time.
create table rate_events (
    id integer primary key,
    kind text not null,
    key text not null,
    at text not null
) strict;

create index rate_events_by_key on rate_events (kind, key, at);

-- Without rowid: the primary key is the table, and the index by paper carries the
-- member too, so counting a paper's votes in a window reads one index and nothing else.
create table votes (
    user_id integer not null references users (id) on delete cascade,
    arxiv_id text not null,
    created_at text not null,
    primary key (user_id, arxiv_id)
) strict, without rowid;

create index votes_by_paper on votes (arxiv_id, created_at);

create table comments (
    id integer primary key,
    arxiv_id text not null,
    user_id integer not null references users (id) on delete cascade,
    body text not null,              -- the Markdown as written; rendered when shown
    created_at text not null,
    edited_at text,
    removed_at text,                 -- deleted by its author or removed by a curator
    removed_by integer references users (id) on delete set null
) strict;

create index comments_by_paper on comments (arxiv_id, created_at);
-- Counts and trending read only comments that stand: this index answers them alone
-- (removed_at, always null here, is in it so that SQLite knows it need not read the row).
create index comments_live_by_paper on comments (arxiv_id, created_at, removed_at)
    where removed_at is null;
create index comments_by_user on comments (user_id, created_at);

create table comment_reports (
    comment_id integer not null references comments (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    reason text not null,
    created_at text not null,
    resolved_at text,
    primary key (comment_id, user_id)
) strict;

-- One submission per paper: the first member to submit it is credited.
create table submissions (
    arxiv_id text primary key,
    user_id integer references users (id) on delete set null,
    submitted_at text not null
) strict;

create index submissions_by_time on submissions (submitted_at);

-- Curation by arXiv id. Hiding bumps the paper's change sequence so followers (page
-- cache, search index) drop it.
create table curation (
    arxiv_id text primary key,
    hidden_at text,
    hidden_by integer references users (id) on delete set null,
    featured_at text,
    featured_by integer references users (id) on delete set null
) strict;

alter table papers add column hidden integer not null default 0;

-- Every list leaves hidden papers out. This index holds only visible papers, in listing
-- order, with what trending filters on (withdrawn, year, categories), so lists, counts
-- and the trending scan never read the (large) paper rows to skip hidden ones (hidden,
-- always 0 here, is in it so that SQLite knows it need not read the row). It replaces
-- the plain listing index, which no query uses any more.
create index papers_visible_by_listed_on
    on papers (listed_on, arxiv_id, withdrawn, submitted_on, categories, hidden) where hidden = 0;
drop index papers_by_listed_on;

-- GitHub repositories linked from papers, with what the last check learned.
create table repos (
    id integer primary key,
    full_name text not null unique,  -- owner/name, lower-cased
    etag text,
    stars integer,                   -- the latest count seen
    status text not null default 'new' check (status in ('new', 'ok', 'moved', 'gone')),
    moved_to text,                   -- owner/name it redirects to, for 'moved'
    checked_at text,
    next_check_at text not null,
    created_at text not null
) strict;

-- Only repositories still checked ('gone' ones never are; a 'moved' one handed its
-- papers to the repository it moved to).
create index repos_due on repos (next_check_at) where status in ('new', 'ok');

create table paper_repos (
    arxiv_id text not null,
    repo_id integer not null references repos (id) on delete cascade,
    primary key (arxiv_id, repo_id)
) strict, without rowid;

create index paper_repos_by_repo on paper_repos (repo_id);

-- One star count per repository and day; a later check on the same day replaces it.
-- Without rowid, the rows live in the key's b-tree: a repository's latest count, or its
-- last one before a day, is one seek.
create table star_snapshots (
    repo_id integer not null references repos (id) on delete cascade,
    observed_on text not null,
    stars integer not null,
    primary key (repo_id, observed_on)
) strict, without rowid;

-- Bumped by every vote, comment, submission, curation change and star count: cached
-- pages that show them are dropped when it moves.
insert into counters (name, value) values ('community', 0);

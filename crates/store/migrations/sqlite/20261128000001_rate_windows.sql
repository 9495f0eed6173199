-- Why: the JSON API's per-client limit is shared by every node when several share a
-- database (PostgreSQL); SQLite gets the same table so both schemas and the store
-- contract stay alike, though a single SQLite node keeps its limiter in memory.
-- One row per client key and window (Unix seconds of its start), counting hits.
create table rate_windows (
    key text not null,
    window_start integer not null,
    hits integer not null,
    primary key (key, window_start)
) strict;
create index rate_windows_by_start on rate_windows (window_start);

-- Why: the JSON API's per-client limit is shared by every node (see migrations/sqlite).
-- Unlogged: every API request writes here, and counters need no WAL or fsync (4.5× the
-- requests a second from one client in docs/benchmarks.md); after a crash PostgreSQL
-- empties the table, which only gives every client a fresh minute.
create unlogged table rate_windows (
    key text collate "C" not null,
    window_start bigint not null,
    hits bigint not null,
    primary key (key, window_start)
);
create index rate_windows_by_start on rate_windows (window_start);

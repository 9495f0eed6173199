-- Why: the JSON API's per-client limit is shared by every node (see migrations/sqlite).
create table rate_windows (
    key text collate "C" not null,
    window_start bigint not null,
    hits bigint not null,
    primary key (key, window_start)
);
create index rate_windows_by_start on rate_windows (window_start);

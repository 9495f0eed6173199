-- Why: scheduled jobs run on one node at a time (see migrations/sqlite).
create table leases (
    name text collate "C" primary key,
    owner text collate "C" not null,
    acquired_at text collate "C" not null,
    expires_at text collate "C" not null
);

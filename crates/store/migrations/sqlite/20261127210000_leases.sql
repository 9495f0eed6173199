-- Why: scheduled jobs (harvest, star refresh, digests) run on one node at a time when
-- several share a database: a lease per job, held by a node until it expires.
create table leases (
    name text primary key,
    owner text not null,
    acquired_at text not null,
    expires_at text not null
) strict;

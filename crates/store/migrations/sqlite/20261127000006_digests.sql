-- Why: e-mail digests (issue #6). Subscribers with double opt-in and their preferences
-- (JSON, so a new preference needs no migration), single-use confirmation tokens
-- (hashed), one digest per subscriber and period, and the outbox senders claim.

create table subscribers (
    id integer primary key,
    email text not null,
    email_key text not null unique,  -- lower-cased: one subscription per address
    user_id integer references users (id) on delete set null,
    status text not null check (status in ('pending', 'active', 'unsubscribed', 'bouncing')),
    preferences text not null,
    bounces integer not null default 0,
    created_at text not null,
    confirmed_at text,
    status_at text not null
) strict;

create index subscribers_by_status on subscribers (status, id);
create index subscribers_by_user on subscribers (user_id);

create table subscription_tokens (
    token_hash text primary key,
    subscriber_id integer not null references subscribers (id) on delete cascade,
    created_at text not null,
    expires_at text not null
) strict;

create index subscription_tokens_by_subscriber on subscription_tokens (subscriber_id);

-- One row per subscriber and period, sent or not: the unique key is what makes a
-- digest happen once. `items` is a JSON array of {id, section, reason}.
create table digests (
    id integer primary key,
    subscriber_id integer not null references subscribers (id) on delete cascade,
    period text not null,
    kind text not null check (kind in ('papers', 'note', 'skipped')),
    items text not null,
    message_id text not null,
    created_at text not null,
    unique (subscriber_id, period)
) strict;

create index digests_by_time on digests (subscriber_id, created_at);

create table outbox (
    id integer primary key,
    digest_id integer not null unique references digests (id) on delete cascade,
    subscriber_id integer not null references subscribers (id) on delete cascade,
    state text not null check (state in ('pending', 'sending', 'sent', 'failed', 'suppressed')),
    attempts integer not null default 0,
    next_attempt_at text not null,
    claimed_by text,
    claim_expires_at text,
    last_error text,
    created_at text not null,
    done_at text
) strict;

create index outbox_waiting on outbox (state, next_attempt_at);
create index outbox_by_subscriber on outbox (subscriber_id, state);

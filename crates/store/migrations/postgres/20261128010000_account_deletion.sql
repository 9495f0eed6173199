-- Why: account deletion (issue #8): a deleted member's comments keep their place without
-- author or body, so comments.user_id becomes nullable and is set to null when the
-- member goes (see migrations/sqlite).
alter table comments alter column user_id drop not null;
alter table comments drop constraint comments_user_id_fkey;
alter table comments add constraint comments_user_id_fkey
    foreign key (user_id) references users (id) on delete set null;

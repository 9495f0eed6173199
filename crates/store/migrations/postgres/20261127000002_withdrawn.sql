-- Why: arXiv marks papers their authors withdrew; harvests carry the flag and pages show it.
alter table papers add column withdrawn boolean not null default false;

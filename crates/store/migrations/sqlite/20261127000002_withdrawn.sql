-- Why: arXiv marks papers their authors withdrew; harvests carry the flag and pages show it.
alter table papers add column withdrawn integer not null default 0;

-- Reviews of candidates (docs/process.md): a review is for pursuits or for candidates (subject);
-- a candidate review (e.g. qualification: budget, authority, need, timeline) may gate
-- promote_candidate. A candidate's checklists and their items live beside the pursuits' ones,
-- in tables of their own, so the pursuits' checklists are untouched.
alter table checklist_templates add column subject text not null default 'pursuit';

create table candidate_checklists (
  id text primary key,
  org_id text not null references orgs (id),
  candidate_id text not null references candidates (id),
  kind text not null,
  template_id text null references checklist_templates (id),
  template_version integer not null default 1,
  created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  constraint candidate_checklists_candidate_kind_key unique (candidate_id, kind)
);

create table candidate_checklist_items (
  id text primary key,
  org_id text not null references orgs (id),
  checklist_id text not null references candidate_checklists (id),
  item_key text not null,
  label text not null,
  is_required integer not null default 1,
  position integer not null,
  state text not null default 'open',
  note text null,
  updated_by text null,
  updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  constraint candidate_checklist_items_state_check check (state in ('open', 'done', 'n_a')),
  constraint candidate_checklist_items_key unique (checklist_id, item_key)
);

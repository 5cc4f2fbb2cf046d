-- Reviews of candidates (docs/process.md): a review is for pursuits or for candidates (subject);
-- a candidate review (e.g. qualification: budget, authority, need, timeline) may gate
-- promote_candidate. A candidate's checklists and their items live beside the pursuits' ones,
-- in tables of their own, so the pursuits' checklists are untouched.
alter table checklist_templates add subject nvarchar(20) not null
  constraint checklist_templates_subject_default default 'pursuit';

create table candidate_checklists (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  candidate_id nvarchar(64) not null references candidates (id),
  kind nvarchar(40) not null,
  template_id nvarchar(64) null references checklist_templates (id),
  template_version integer not null default 1,
  created_at datetime2(3) not null default sysutcdatetime(),
  constraint candidate_checklists_candidate_kind_key unique (candidate_id, kind)
);

create table candidate_checklist_items (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  checklist_id nvarchar(64) not null references candidate_checklists (id),
  item_key nvarchar(200) not null,
  label nvarchar(400) not null,
  is_required bit not null default 1,
  position integer not null,
  state nvarchar(40) not null default 'open',
  note nvarchar(max) null,
  updated_by nvarchar(200) null,
  updated_at datetime2(3) not null default sysutcdatetime(),
  constraint candidate_checklist_items_state_check check (state in ('open', 'done', 'n_a')),
  constraint candidate_checklist_items_key unique (checklist_id, item_key)
);

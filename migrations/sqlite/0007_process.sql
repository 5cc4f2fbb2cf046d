-- The capture process as the organization's configuration (docs/process.md): a review is a
-- named checklist template (kind = the review's key, e.g. blue, pink, red, white), versioned by
-- new rows; it says which actions it gates (gates_json, a list of tool names; null: the org's
-- legacy settings_json.gates) and whether it is worked after close (is_after_close). A pursuit's
-- checklist records the template version it was made from. Sign-offs are requests for an
-- approval by a role before an action passes.
-- SQLite cannot drop a check constraint: checklist_templates and checklists are rebuilt. Their
-- children (checklist_template_items, checklists, checklist_items) refer to them by name, so
-- the foreign keys are deferred to the commit, when the rebuilt tables hold every id again.
pragma defer_foreign_keys = on;

create table checklist_templates_0007 (
  id text primary key,
  org_id text not null references orgs (id),
  kind text not null,
  name text not null,
  created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  version integer not null default 1,
  gates_json text null,
  is_after_close integer not null default 0,
  constraint checklist_templates_kind_key unique (org_id, kind, version)
);
insert into checklist_templates_0007 (id, org_id, kind, name, created_at, updated_at)
  select id, org_id, kind, name, created_at, updated_at from checklist_templates;
drop table checklist_templates;
alter table checklist_templates_0007 rename to checklist_templates;

create table checklists_0007 (
  id text primary key,
  org_id text not null references orgs (id),
  pursuit_id text not null references pursuits (id),
  kind text not null,
  template_id text null references checklist_templates (id),
  created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  template_version integer not null default 1,
  constraint checklists_pursuit_kind_key unique (pursuit_id, kind)
);
insert into checklists_0007 (id, org_id, pursuit_id, kind, template_id, created_at)
  select id, org_id, pursuit_id, kind, template_id, created_at from checklists;
drop table checklists;
alter table checklists_0007 rename to checklists;

alter table checklist_template_items add column help text null;

create table sign_offs (
  id text primary key,
  org_id text not null references orgs (id),
  pursuit_id text not null references pursuits (id),
  action text not null,
  role text not null,
  state text not null default 'requested',
  requested_by text not null,
  requested_at text not null,
  request_note text null,
  decided_by text null,
  decided_at text null,
  decision_note text null,
  consumed_at text null,
  constraint sign_offs_state_check check (state in ('requested', 'approved', 'rejected'))
);
create index sign_offs_open_idx on sign_offs (org_id, state, id);
create index sign_offs_pursuit_idx on sign_offs (pursuit_id, action);

-- The capture process as the organization's configuration (docs/process.md): a review is a
-- named checklist template (kind = the review's key, e.g. blue, pink, red, white), versioned by
-- new rows; it says which actions it gates (gates_json, a list of tool names; null: the org's
-- legacy settings_json.gates) and whether it is worked after close (is_after_close). A pursuit's
-- checklist records the template version it was made from. Sign-offs are requests for an
-- approval by a role before an action passes.
alter table checklist_templates drop constraint checklist_templates_kind_check;
alter table checklist_templates drop constraint checklist_templates_kind_key;
alter table checklist_templates add column version integer not null default 1;
alter table checklist_templates add column gates_json jsonb null;
alter table checklist_templates add column is_after_close boolean not null default false;
alter table checklist_templates add constraint checklist_templates_kind_key unique (org_id, kind, version);
alter table checklists drop constraint checklists_kind_check;
alter table checklists add column template_version integer not null default 1;
alter table checklist_template_items add column help text null;

create table sign_offs (
  id text primary key,
  org_id text not null references orgs (id),
  pursuit_id text not null references pursuits (id),
  action text not null,
  role text not null,
  state text not null default 'requested',
  requested_by text not null,
  requested_at timestamptz not null,
  request_note text null,
  decided_by text null,
  decided_at timestamptz null,
  decision_note text null,
  consumed_at timestamptz null,
  constraint sign_offs_state_check check (state in ('requested', 'approved', 'rejected'))
);
create index sign_offs_open_idx on sign_offs (org_id, state, id);
create index sign_offs_pursuit_idx on sign_offs (pursuit_id, action);

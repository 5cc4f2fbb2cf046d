-- The capture process as the organization's configuration (docs/process.md): a review is a
-- named checklist template (kind = the review's key, e.g. blue, pink, red, white), versioned by
-- new rows; it says which actions it gates (gates_json, a list of tool names; null: the org's
-- legacy settings_json.gates) and whether it is worked after close (is_after_close). A pursuit's
-- checklist records the template version it was made from. Sign-offs are requests for an
-- approval by a role before an action passes.
alter table checklist_templates drop constraint checklist_templates_kind_check;
alter table checklist_templates drop constraint checklist_templates_kind_key;
alter table checklist_templates add version integer not null
  constraint checklist_templates_version_default default 1;
alter table checklist_templates add gates_json nvarchar(max) null;
alter table checklist_templates add is_after_close bit not null
  constraint checklist_templates_after_close_default default 0;
alter table checklist_templates add constraint checklist_templates_kind_key unique (org_id, kind, version);
alter table checklists drop constraint checklists_kind_check;
alter table checklists add template_version integer not null
  constraint checklists_template_version_default default 1;
alter table checklist_template_items add help nvarchar(2000) null;

create table sign_offs (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  pursuit_id nvarchar(64) not null references pursuits (id),
  action nvarchar(40) not null,
  role nvarchar(40) not null,
  state nvarchar(20) not null default 'requested',
  requested_by nvarchar(64) not null,
  requested_at datetime2(3) not null,
  request_note nvarchar(2000) null,
  decided_by nvarchar(64) null,
  decided_at datetime2(3) null,
  decision_note nvarchar(2000) null,
  consumed_at datetime2(3) null,
  constraint sign_offs_state_check check (state in ('requested', 'approved', 'rejected'))
);
create index sign_offs_open_idx on sign_offs (org_id, state, id);
create index sign_offs_pursuit_idx on sign_offs (pursuit_id, action);

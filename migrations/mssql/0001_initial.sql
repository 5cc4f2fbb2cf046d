-- The initial workstream schema (SQL Server).
-- Timestamps are datetime2(3) holding UTC; JSON columns are nvarchar(max).
-- Conventions shared by all three dialects: ids are prefixed, time-ordered text; every
-- tenant row carries org_id; timestamps end in _at (UTC); booleans start with is_;
-- JSON columns end in _json; mutable aggregates carry a version for optimistic concurrency.

create table orgs (
  id nvarchar(64) not null primary key,
  name nvarchar(400) not null,
  slug nvarchar(200) not null,
  settings_json nvarchar(max) not null default '{}',
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint orgs_slug_key unique (slug)
);

create table members (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  email nvarchar(400) not null,
  display_name nvarchar(400) not null,
  role nvarchar(40) not null default 'member',
  created_at datetime2(3) not null default sysutcdatetime(),
  constraint members_role_check check (role in ('admin', 'member', 'viewer')),
  constraint members_org_email_key unique (org_id, email)
);

create table api_tokens (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  member_id nvarchar(64) not null references members (id),
  name nvarchar(400) not null,
  token_hash nvarchar(200) not null,
  scopes_json nvarchar(max) not null default '[]',
  created_at datetime2(3) not null default sysutcdatetime(),
  last_used_at datetime2(3) null,
  revoked_at datetime2(3) null,
  constraint api_tokens_hash_key unique (token_hash)
);

create table candidates (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  title nvarchar(400) not null,
  account_name nvarchar(400) not null,
  account_domain nvarchar(200) null,
  opportunity_ref nvarchar(200) null,
  natural_key nvarchar(200) not null,
  state nvarchar(40) not null default 'new',
  priority nvarchar(40) not null default 'medium',
  assignee_id nvarchar(64) null references members (id),
  due_at datetime2(3) null,
  estimated_value decimal(18, 2) null,
  fields_json nvarchar(max) not null default '{}',
  disqualify_reason nvarchar(80) null,
  disqualify_note nvarchar(max) null,
  merged_into_id nvarchar(64) null references candidates (id),
  first_touch_at datetime2(3) null,
  created_by nvarchar(200) not null,
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint candidates_state_check
    check (state in ('new', 'contacted', 'qualified', 'promoted', 'disqualified', 'merged')),
  constraint candidates_priority_check check (priority in ('urgent', 'high', 'medium', 'low'))
);
-- One open candidate per natural key (normalised account + opportunity reference).
create unique index candidates_open_natural_key
  on candidates (org_id, natural_key)
  where state in ('new', 'contacted', 'qualified', 'promoted');
-- Today Panel: an assignee's open work by priority and due date.
create index candidates_today on candidates (org_id, assignee_id, state, priority, due_at);
create index candidates_org_list on candidates (org_id, state, id);

create table signals (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  source nvarchar(200) not null,
  external_ref nvarchar(200) not null,
  kind nvarchar(40) not null default 'other',
  title nvarchar(400) not null,
  url nvarchar(700) null,
  account_name nvarchar(400) null,
  account_domain nvarchar(200) null,
  opportunity_ref nvarchar(200) null,
  summary nvarchar(max) null,
  payload_json nvarchar(max) not null default '{}',
  state nvarchar(40) not null default 'new',
  dismiss_reason nvarchar(max) null,
  candidate_id nvarchar(64) null references candidates (id),
  received_at datetime2(3) not null,
  created_by nvarchar(200) not null,
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint signals_state_check check (state in ('new', 'accepted', 'dismissed')),
  constraint signals_kind_check check (kind in ('rfp_notice', 'form_fill', 'referral', 'news', 'other')),
  constraint signals_source_ref_key unique (org_id, source, external_ref)
);
create index signals_org_list on signals (org_id, state, id);

create table pursuits (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  candidate_id nvarchar(64) not null references candidates (id),
  title nvarchar(400) not null,
  account_name nvarchar(400) not null,
  state nvarchar(40) not null default 'capture',
  held_from_state nvarchar(40) null,
  priority nvarchar(40) not null default 'medium',
  assignee_id nvarchar(64) null references members (id),
  due_at datetime2(3) null,
  estimated_value decimal(18, 2) null,
  probability integer null,
  award_amount decimal(18, 2) null,
  loss_reason nvarchar(max) null,
  close_reason nvarchar(max) null,
  fields_json nvarchar(max) not null default '{}',
  submitted_at datetime2(3) null,
  closed_at datetime2(3) null,
  created_by nvarchar(200) not null,
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint pursuits_state_check check (state in
    ('capture', 'proposal', 'submitted', 'won', 'lost', 'no_bid', 'cancelled', 'on_hold')),
  constraint pursuits_priority_check check (priority in ('urgent', 'high', 'medium', 'low')),
  constraint pursuits_probability_check check (probability between 0 and 100),
  -- At most one pursuit per candidate: promoting again returns it.
  constraint pursuits_candidate_key unique (candidate_id)
);
create index pursuits_today on pursuits (org_id, assignee_id, state, priority, due_at);
create index pursuits_org_list on pursuits (org_id, state, id);

create table proposal_versions (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  pursuit_id nvarchar(64) not null references pursuits (id),
  number integer not null,
  state nvarchar(40) not null default 'draft',
  title nvarchar(400) not null,
  document_url nvarchar(700) null,
  amount decimal(18, 2) null,
  notes nvarchar(max) null,
  sent_at datetime2(3) null,
  created_by nvarchar(200) not null,
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint proposal_versions_state_check check (state in ('draft', 'sent', 'superseded', 'withdrawn')),
  constraint proposal_versions_number_key unique (pursuit_id, number)
);

create table checklist_templates (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  kind nvarchar(40) not null,
  name nvarchar(400) not null,
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  constraint checklist_templates_kind_check check (kind in ('pink', 'red')),
  constraint checklist_templates_kind_key unique (org_id, kind)
);

create table checklist_template_items (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  template_id nvarchar(64) not null references checklist_templates (id),
  item_key nvarchar(200) not null,
  label nvarchar(400) not null,
  is_required bit not null default 1,
  position integer not null,
  constraint checklist_template_items_key unique (template_id, item_key)
);

create table checklists (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  pursuit_id nvarchar(64) not null references pursuits (id),
  kind nvarchar(40) not null,
  template_id nvarchar(64) null references checklist_templates (id),
  created_at datetime2(3) not null default sysutcdatetime(),
  constraint checklists_kind_check check (kind in ('pink', 'red')),
  constraint checklists_pursuit_kind_key unique (pursuit_id, kind)
);

create table checklist_items (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  checklist_id nvarchar(64) not null references checklists (id),
  item_key nvarchar(200) not null,
  label nvarchar(400) not null,
  is_required bit not null default 1,
  position integer not null,
  state nvarchar(40) not null default 'open',
  note nvarchar(max) null,
  updated_by nvarchar(200) null,
  updated_at datetime2(3) not null default sysutcdatetime(),
  constraint checklist_items_state_check check (state in ('open', 'done', 'n_a')),
  constraint checklist_items_key unique (checklist_id, item_key)
);

create table activities (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  entity_type nvarchar(40) not null,
  entity_id nvarchar(64) not null,
  kind nvarchar(40) not null,
  summary nvarchar(max) not null,
  occurred_at datetime2(3) not null,
  actor_id nvarchar(64) not null,
  created_at datetime2(3) not null default sysutcdatetime(),
  constraint activities_entity_check check (entity_type in ('candidate', 'pursuit')),
  constraint activities_kind_check check (kind in ('call', 'email', 'meeting', 'note', 'follow_up'))
);
create index activities_entity on activities (org_id, entity_type, entity_id, occurred_at);

create table tags (
  org_id nvarchar(64) not null references orgs (id),
  entity_type nvarchar(40) not null,
  entity_id nvarchar(64) not null,
  tag nvarchar(200) not null,
  created_at datetime2(3) not null default sysutcdatetime(),
  constraint tags_pkey primary key (org_id, entity_type, entity_id, tag),
  constraint tags_entity_check check (entity_type in ('signal', 'candidate', 'pursuit'))
);
create index tags_by_tag on tags (org_id, tag, entity_type, entity_id);

-- The history: append-only, the audit trail and the source of outbox rows.
create table events (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  entity_type nvarchar(40) not null,
  entity_id nvarchar(64) not null,
  type nvarchar(80) not null,
  actor_id nvarchar(64) not null,
  from_state nvarchar(40) null,
  to_state nvarchar(40) null,
  reason nvarchar(max) null,
  data_json nvarchar(max) not null default '{}',
  occurred_at datetime2(3) not null
);
create index events_entity on events (org_id, entity_type, entity_id, id);
create index events_org_feed on events (org_id, id);

create table business_calendars (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  name nvarchar(400) not null,
  time_zone nvarchar(200) not null,
  weekly_json nvarchar(max) not null,
  holidays_json nvarchar(max) not null default '[]',
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint business_calendars_name_key unique (org_id, name)
);

create table sla_policies (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  kind nvarchar(40) not null,
  priority nvarchar(40) not null default 'any',
  target_minutes integer not null,
  calendar_id nvarchar(64) null references business_calendars (id),
  warn_percent integer not null default 75,
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint sla_policies_kind_check check (kind in ('triage', 'proposal', 'response')),
  constraint sla_policies_priority_check check (priority in ('any', 'urgent', 'high', 'medium', 'low')),
  constraint sla_policies_target_check check (target_minutes >= 0),
  constraint sla_policies_warn_check check (warn_percent between 1 and 100),
  constraint sla_policies_kind_priority_key unique (org_id, kind, priority)
);

create table sla_clocks (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  kind nvarchar(40) not null,
  entity_type nvarchar(40) not null,
  entity_id nvarchar(64) not null,
  policy_id nvarchar(64) null references sla_policies (id),
  state nvarchar(40) not null default 'running',
  started_at datetime2(3) not null,
  due_at datetime2(3) not null,
  warn_at datetime2(3) not null,
  paused_at datetime2(3) null,
  paused_minutes integer not null default 0,
  met_at datetime2(3) null,
  cancelled_at datetime2(3) null,
  warned_at datetime2(3) null,
  breached_at datetime2(3) null,
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint sla_clocks_kind_check check (kind in ('triage', 'proposal', 'response')),
  constraint sla_clocks_state_check check (state in ('running', 'paused', 'met', 'cancelled')),
  constraint sla_clocks_entity_check check (entity_type in ('candidate', 'pursuit'))
);
-- At most one open clock of a kind per entity.
create unique index sla_clocks_open_key on sla_clocks (entity_type, entity_id, kind)
  where state in ('running', 'paused');
-- The sweep reads only the clocks falling due: running, not yet warned / breached, by time.
create index sla_clocks_warn_sweep on sla_clocks (state, warn_at) where warned_at is null;
create index sla_clocks_due_sweep on sla_clocks (state, due_at) where breached_at is null;
create index sla_clocks_org on sla_clocks (org_id, state, due_at);

-- One delivery of one event to one destination, written in the transaction that made the event.
create table outbox (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  event_id nvarchar(64) not null references events (id),
  destination nvarchar(200) not null,
  payload_json nvarchar(max) not null,
  attempts integer not null default 0,
  max_attempts integer not null default 10,
  run_at datetime2(3) not null default sysutcdatetime(),
  locked_by nvarchar(200) null,
  locked_at datetime2(3) null,
  last_error nvarchar(max) null,
  errors_json nvarchar(max) not null default '[]',
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  constraint outbox_event_destination_key unique (event_id, destination)
);
-- The claim reads unlocked rows in run_at order; the index covers it.
create index outbox_claim on outbox (run_at, id) where locked_at is null;
create index outbox_locked on outbox (locked_at) where locked_at is not null;

create table dead_letters (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  event_id nvarchar(64) not null references events (id),
  destination nvarchar(200) not null,
  payload_json nvarchar(max) not null,
  attempts integer not null,
  errors_json nvarchar(max) not null default '[]',
  last_error nvarchar(max) null,
  created_at datetime2(3) not null,
  dead_at datetime2(3) not null default sysutcdatetime(),
  constraint dead_letters_event_destination_key unique (event_id, destination)
);

create table enrichments (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  candidate_id nvarchar(64) not null references candidates (id),
  provider nvarchar(200) not null,
  tool nvarchar(200) not null,
  state nvarchar(40) not null default 'pending',
  fields_json nvarchar(max) not null default '{}',
  raw_json nvarchar(max) null,
  last_error nvarchar(max) null,
  attempts integer not null default 0,
  requested_at datetime2(3) not null,
  completed_at datetime2(3) null,
  updated_at datetime2(3) not null default sysutcdatetime(),
  constraint enrichments_state_check check (state in ('pending', 'ok', 'failed')),
  constraint enrichments_candidate_provider_key unique (candidate_id, provider)
);

create table webhook_endpoints (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  url nvarchar(700) not null,
  secret nvarchar(200) not null,
  event_types_json nvarchar(max) not null default '["*"]',
  is_active bit not null default 1,
  description nvarchar(max) null,
  created_at datetime2(3) not null default sysutcdatetime(),
  updated_at datetime2(3) not null default sysutcdatetime(),
  version integer not null default 1,
  constraint webhook_endpoints_url_key unique (org_id, url)
);

-- The initial workstream schema (PostgreSQL).
-- Conventions shared by all three dialects: ids are prefixed, time-ordered text; every
-- tenant row carries org_id; timestamps end in _at (UTC); booleans start with is_;
-- JSON columns end in _json; mutable aggregates carry a version for optimistic concurrency.

create table orgs (
  id text primary key,
  name text not null,
  slug text not null,
  settings_json jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  constraint orgs_slug_key unique (slug)
);

create table members (
  id text primary key,
  org_id text not null references orgs (id),
  email text not null,
  display_name text not null,
  role text not null default 'member',
  created_at timestamptz not null default now(),
  constraint members_role_check check (role in ('admin', 'member', 'viewer')),
  constraint members_org_email_key unique (org_id, email)
);

create table api_tokens (
  id text primary key,
  org_id text not null references orgs (id),
  member_id text not null references members (id),
  name text not null,
  token_hash text not null,
  scopes_json jsonb not null default '[]',
  created_at timestamptz not null default now(),
  last_used_at timestamptz null,
  revoked_at timestamptz null,
  constraint api_tokens_hash_key unique (token_hash)
);

create table candidates (
  id text primary key,
  org_id text not null references orgs (id),
  title text not null,
  account_name text not null,
  account_domain text null,
  opportunity_ref text null,
  natural_key text not null,
  state text not null default 'new',
  priority text not null default 'medium',
  assignee_id text null references members (id),
  due_at timestamptz null,
  estimated_value numeric(18, 2) null,
  fields_json jsonb not null default '{}',
  disqualify_reason text null,
  disqualify_note text null,
  merged_into_id text null references candidates (id),
  first_touch_at timestamptz null,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
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
  id text primary key,
  org_id text not null references orgs (id),
  source text not null,
  external_ref text not null,
  kind text not null default 'other',
  title text not null,
  url text null,
  account_name text null,
  account_domain text null,
  opportunity_ref text null,
  summary text null,
  payload_json jsonb not null default '{}',
  state text not null default 'new',
  dismiss_reason text null,
  candidate_id text null references candidates (id),
  received_at timestamptz not null,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  constraint signals_state_check check (state in ('new', 'accepted', 'dismissed')),
  constraint signals_kind_check check (kind in ('rfp_notice', 'form_fill', 'referral', 'news', 'other')),
  constraint signals_source_ref_key unique (org_id, source, external_ref)
);
create index signals_org_list on signals (org_id, state, id);

create table pursuits (
  id text primary key,
  org_id text not null references orgs (id),
  candidate_id text not null references candidates (id),
  title text not null,
  account_name text not null,
  state text not null default 'capture',
  held_from_state text null,
  priority text not null default 'medium',
  assignee_id text null references members (id),
  due_at timestamptz null,
  estimated_value numeric(18, 2) null,
  probability integer null,
  award_amount numeric(18, 2) null,
  loss_reason text null,
  close_reason text null,
  fields_json jsonb not null default '{}',
  submitted_at timestamptz null,
  closed_at timestamptz null,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
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
  id text primary key,
  org_id text not null references orgs (id),
  pursuit_id text not null references pursuits (id),
  number integer not null,
  state text not null default 'draft',
  title text not null,
  document_url text null,
  amount numeric(18, 2) null,
  notes text null,
  sent_at timestamptz null,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  constraint proposal_versions_state_check check (state in ('draft', 'sent', 'superseded', 'withdrawn')),
  constraint proposal_versions_number_key unique (pursuit_id, number)
);

create table checklist_templates (
  id text primary key,
  org_id text not null references orgs (id),
  kind text not null,
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint checklist_templates_kind_check check (kind in ('pink', 'red')),
  constraint checklist_templates_kind_key unique (org_id, kind)
);

create table checklist_template_items (
  id text primary key,
  org_id text not null references orgs (id),
  template_id text not null references checklist_templates (id),
  item_key text not null,
  label text not null,
  is_required boolean not null default true,
  position integer not null,
  constraint checklist_template_items_key unique (template_id, item_key)
);

create table checklists (
  id text primary key,
  org_id text not null references orgs (id),
  pursuit_id text not null references pursuits (id),
  kind text not null,
  template_id text null references checklist_templates (id),
  created_at timestamptz not null default now(),
  constraint checklists_kind_check check (kind in ('pink', 'red')),
  constraint checklists_pursuit_kind_key unique (pursuit_id, kind)
);

create table checklist_items (
  id text primary key,
  org_id text not null references orgs (id),
  checklist_id text not null references checklists (id),
  item_key text not null,
  label text not null,
  is_required boolean not null default true,
  position integer not null,
  state text not null default 'open',
  note text null,
  updated_by text null,
  updated_at timestamptz not null default now(),
  constraint checklist_items_state_check check (state in ('open', 'done', 'n_a')),
  constraint checklist_items_key unique (checklist_id, item_key)
);

create table activities (
  id text primary key,
  org_id text not null references orgs (id),
  entity_type text not null,
  entity_id text not null,
  kind text not null,
  summary text not null,
  occurred_at timestamptz not null,
  actor_id text not null,
  created_at timestamptz not null default now(),
  constraint activities_entity_check check (entity_type in ('candidate', 'pursuit')),
  constraint activities_kind_check check (kind in ('call', 'email', 'meeting', 'note', 'follow_up'))
);
create index activities_entity on activities (org_id, entity_type, entity_id, occurred_at);

create table tags (
  org_id text not null references orgs (id),
  entity_type text not null,
  entity_id text not null,
  tag text not null,
  created_at timestamptz not null default now(),
  constraint tags_pkey primary key (org_id, entity_type, entity_id, tag),
  constraint tags_entity_check check (entity_type in ('signal', 'candidate', 'pursuit'))
);
create index tags_by_tag on tags (org_id, tag, entity_type, entity_id);

-- The history: append-only, the audit trail and the source of outbox rows.
create table events (
  id text primary key,
  org_id text not null references orgs (id),
  entity_type text not null,
  entity_id text not null,
  type text not null,
  actor_id text not null,
  from_state text null,
  to_state text null,
  reason text null,
  data_json jsonb not null default '{}',
  occurred_at timestamptz not null
);
create index events_entity on events (org_id, entity_type, entity_id, id);
create index events_org_feed on events (org_id, id);

create table business_calendars (
  id text primary key,
  org_id text not null references orgs (id),
  name text not null,
  time_zone text not null,
  weekly_json jsonb not null,
  holidays_json jsonb not null default '[]',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  constraint business_calendars_name_key unique (org_id, name)
);

create table sla_policies (
  id text primary key,
  org_id text not null references orgs (id),
  kind text not null,
  priority text not null default 'any',
  target_minutes integer not null,
  calendar_id text null references business_calendars (id),
  warn_percent integer not null default 75,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  constraint sla_policies_kind_check check (kind in ('triage', 'proposal', 'response')),
  constraint sla_policies_priority_check check (priority in ('any', 'urgent', 'high', 'medium', 'low')),
  constraint sla_policies_target_check check (target_minutes >= 0),
  constraint sla_policies_warn_check check (warn_percent between 1 and 100),
  constraint sla_policies_kind_priority_key unique (org_id, kind, priority)
);

create table sla_clocks (
  id text primary key,
  org_id text not null references orgs (id),
  kind text not null,
  entity_type text not null,
  entity_id text not null,
  policy_id text null references sla_policies (id),
  state text not null default 'running',
  started_at timestamptz not null,
  due_at timestamptz not null,
  warn_at timestamptz not null,
  paused_at timestamptz null,
  paused_minutes integer not null default 0,
  met_at timestamptz null,
  cancelled_at timestamptz null,
  warned_at timestamptz null,
  breached_at timestamptz null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
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
  id text primary key,
  org_id text not null references orgs (id),
  event_id text not null references events (id),
  destination text not null,
  payload_json jsonb not null,
  attempts integer not null default 0,
  max_attempts integer not null default 10,
  run_at timestamptz not null default now(),
  locked_by text null,
  locked_at timestamptz null,
  last_error text null,
  errors_json jsonb not null default '[]',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint outbox_event_destination_key unique (event_id, destination)
);
-- The claim reads unlocked rows in run_at order; the index covers it.
create index outbox_claim on outbox (run_at, id) where locked_at is null;
create index outbox_locked on outbox (locked_at) where locked_at is not null;

create table dead_letters (
  id text primary key,
  org_id text not null references orgs (id),
  event_id text not null references events (id),
  destination text not null,
  payload_json jsonb not null,
  attempts integer not null,
  errors_json jsonb not null default '[]',
  last_error text null,
  created_at timestamptz not null,
  dead_at timestamptz not null default now(),
  constraint dead_letters_event_destination_key unique (event_id, destination)
);

create table enrichments (
  id text primary key,
  org_id text not null references orgs (id),
  candidate_id text not null references candidates (id),
  provider text not null,
  tool text not null,
  state text not null default 'pending',
  fields_json jsonb not null default '{}',
  raw_json jsonb null,
  last_error text null,
  attempts integer not null default 0,
  requested_at timestamptz not null,
  completed_at timestamptz null,
  updated_at timestamptz not null default now(),
  constraint enrichments_state_check check (state in ('pending', 'ok', 'failed')),
  constraint enrichments_candidate_provider_key unique (candidate_id, provider)
);

create table webhook_endpoints (
  id text primary key,
  org_id text not null references orgs (id),
  url text not null,
  secret text not null,
  event_types_json jsonb not null default '["*"]',
  is_active boolean not null default true,
  description text null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  constraint webhook_endpoints_url_key unique (org_id, url)
);

/**
 * The database as Kysely sees it, typed once from migrations/<dialect>/0001_initial.sql.
 * Rows come back the same on every dialect: timestamps as `Date` (UTC), booleans as
 * `boolean`, JSON columns as parsed values (see ./dialect.ts for how each driver gets there).
 */
import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type { CandidateState } from '../domain/candidate.js';
import type { ChecklistKind, ItemState, ReviewSubject } from '../domain/checklist.js';
import type { Priority } from '../domain/priority.js';
import type { ProposalVersionState } from '../domain/proposal.js';
import type { PursuitState } from '../domain/pursuit.js';
import type { SignalState } from '../domain/signal.js';
import type { ClockState, SlaKind } from '../domain/sla.js';

/** A column the database fills in when the insert leaves it out. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** A JSON column: written as a JSON string, read back parsed. */
type Json<T> = ColumnType<T, string, string>;
type DefaultedJson<T> = ColumnType<T, string | undefined, string>;
type Timestamp = ColumnType<Date, Date, Date>;
type DefaultedTimestamp = ColumnType<Date, Date | undefined, Date>;

export type JsonObject = { [key: string]: unknown };

export interface OrgsTable {
  id: string;
  name: string;
  slug: string;
  settings_json: DefaultedJson<JsonObject>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  version: Defaulted<number>;
}

export interface MembersTable {
  id: string;
  org_id: string;
  email: string;
  display_name: string;
  role: Defaulted<'admin' | 'member' | 'viewer'>;
  created_at: DefaultedTimestamp;
  /** Set by `member remove`: the row stays so history keeps the name; the member can no longer act. */
  deactivated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The identity provider's subject (`sub`), when members are matched by it rather than by e-mail. */
  subject: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApiTokensTable {
  id: string;
  org_id: string;
  member_id: string;
  name: string;
  token_hash: string;
  scopes_json: DefaultedJson<string[]>;
  created_at: DefaultedTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** One access decision or change: sign-ins, refusals, tokens issued and revoked, members removed. */
export interface AccessEventsTable {
  id: string;
  /** Null when the caller could not be tied to an organization (then only the log line has it). */
  org_id: string | null;
  member_id: string | null;
  kind: string;
  token_id: string | null;
  client_id: string | null;
  detail_json: DefaultedJson<JsonObject>;
  occurred_at: Timestamp;
}

/** A signed-in session of the /today page; `id` is the SHA-256 of the cookie's value (migration 0013). */
export interface WebSessionsTable {
  id: string;
  org_id: string;
  member_id: string;
  /** The API token signed in with; null for a caller without one (the session then lasts its term). */
  token_id: string | null;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface CandidatesTable {
  id: string;
  org_id: string;
  title: string;
  account_name: string;
  account_domain: string | null;
  opportunity_ref: string | null;
  natural_key: string;
  state: Defaulted<CandidateState>;
  priority: Defaulted<Priority>;
  assignee_id: string | null;
  due_at: Timestamp | null;
  estimated_value: number | null;
  fields_json: DefaultedJson<JsonObject>;
  disqualify_reason: string | null;
  disqualify_note: string | null;
  merged_into_id: string | null;
  first_touch_at: Timestamp | null;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  /** Its place in the Today Panel (0005_today_order.sql, src/workstream/today-order.ts). */
  today_owner: string | null;
  today_rank: number | null;
  today_due_at: Timestamp | null;
  version: Defaulted<number>;
}

export interface SignalsTable {
  id: string;
  org_id: string;
  source: string;
  external_ref: string;
  kind: Defaulted<string>;
  title: string;
  url: string | null;
  account_name: string | null;
  account_domain: string | null;
  opportunity_ref: string | null;
  summary: string | null;
  payload_json: DefaultedJson<JsonObject>;
  state: Defaulted<SignalState>;
  dismiss_reason: string | null;
  candidate_id: string | null;
  received_at: Timestamp;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  version: Defaulted<number>;
}

export interface PursuitsTable {
  id: string;
  org_id: string;
  candidate_id: string;
  title: string;
  account_name: string;
  state: Defaulted<PursuitState>;
  held_from_state: PursuitState | null;
  priority: Defaulted<Priority>;
  assignee_id: string | null;
  due_at: Timestamp | null;
  estimated_value: number | null;
  probability: number | null;
  award_amount: number | null;
  loss_reason: string | null;
  close_reason: string | null;
  fields_json: DefaultedJson<JsonObject>;
  submitted_at: Timestamp | null;
  closed_at: Timestamp | null;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  /** Its place in the Today Panel (0005_today_order.sql, src/workstream/today-order.ts). */
  today_owner: string | null;
  today_rank: number | null;
  today_due_at: Timestamp | null;
  version: Defaulted<number>;
}

export interface ProposalVersionsTable {
  id: string;
  org_id: string;
  pursuit_id: string;
  number: number;
  state: Defaulted<ProposalVersionState>;
  title: string;
  document_url: string | null;
  amount: number | null;
  notes: string | null;
  sent_at: Timestamp | null;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  version: Defaulted<number>;
}

export interface ChecklistTemplatesTable {
  id: string;
  org_id: string;
  kind: ChecklistKind;
  name: string;
  version: Defaulted<number>;
  /** Tool names the review gates; null: the org's legacy settings_json.gates. */
  gates_json: Json<string[]> | null;
  is_after_close: Defaulted<boolean>;
  /** Whose review it is: a pursuit's (the default) or a candidate's. */
  subject: Defaulted<ReviewSubject>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface ChecklistTemplateItemsTable {
  id: string;
  org_id: string;
  template_id: string;
  item_key: string;
  label: string;
  is_required: Defaulted<boolean>;
  position: number;
  help: string | null;
}

export interface ChecklistsTable {
  id: string;
  org_id: string;
  pursuit_id: string;
  kind: ChecklistKind;
  template_id: string | null;
  template_version: Defaulted<number>;
  created_at: DefaultedTimestamp;
}

/** A candidate's checklist (a candidate review's copy); its items are candidate_checklist_items. */
export interface CandidateChecklistsTable {
  id: string;
  org_id: string;
  candidate_id: string;
  kind: ChecklistKind;
  template_id: string | null;
  template_version: Defaulted<number>;
  created_at: DefaultedTimestamp;
}

export interface SignOffsTable {
  id: string;
  org_id: string;
  pursuit_id: string;
  action: string;
  role: string;
  state: Defaulted<'requested' | 'approved' | 'rejected'>;
  requested_by: string;
  requested_at: Timestamp;
  request_note: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
  consumed_at: Timestamp | null;
}

export interface ChecklistItemsTable {
  id: string;
  org_id: string;
  checklist_id: string;
  item_key: string;
  label: string;
  is_required: Defaulted<boolean>;
  position: number;
  state: Defaulted<ItemState>;
  note: string | null;
  updated_by: string | null;
  updated_at: DefaultedTimestamp;
}

export interface ActivitiesTable {
  id: string;
  org_id: string;
  entity_type: string;
  entity_id: string;
  kind: string;
  summary: string;
  occurred_at: Timestamp;
  actor_id: string;
  created_at: DefaultedTimestamp;
}

export interface TagsTable {
  org_id: string;
  entity_type: string;
  entity_id: string;
  tag: string;
  created_at: DefaultedTimestamp;
}

export interface EventsTable {
  id: string;
  org_id: string;
  entity_type: string;
  entity_id: string;
  type: string;
  actor_id: string;
  from_state: string | null;
  to_state: string | null;
  reason: string | null;
  data_json: DefaultedJson<JsonObject>;
  occurred_at: Timestamp;
}

/** A finished stay in a state, written by the events trigger of migration 0003 (analytics). */
export interface StateStaysTable {
  left_event_id: string;
  org_id: string;
  entity_type: string;
  entity_id: string;
  state: string;
  next_state: string;
  entered_at: Timestamp | null;
  left_at: Timestamp;
}

export interface BusinessCalendarsTable {
  id: string;
  org_id: string;
  name: string;
  time_zone: string;
  weekly_json: Json<unknown[]>;
  holidays_json: DefaultedJson<string[]>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  version: Defaulted<number>;
}

export interface SlaPoliciesTable {
  id: string;
  org_id: string;
  kind: SlaKind;
  priority: Defaulted<Priority | 'any'>;
  target_minutes: number;
  calendar_id: string | null;
  warn_percent: Defaulted<number>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  version: Defaulted<number>;
}

export interface SlaClocksTable {
  id: string;
  org_id: string;
  kind: SlaKind;
  entity_type: 'candidate' | 'pursuit';
  entity_id: string;
  policy_id: string | null;
  state: Defaulted<ClockState>;
  started_at: Timestamp;
  due_at: Timestamp;
  warn_at: Timestamp;
  paused_at: Timestamp | null;
  paused_minutes: Defaulted<number>;
  met_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  warned_at: Timestamp | null;
  breached_at: Timestamp | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  /** The assignee of its candidate or pursuit while the clock is open. */
  assignee_id: string | null;
  version: Defaulted<number>;
}

/** How many items are in each member's Today Panel, by kind: the panel's total without reading them. */
export interface TodayCountsTable {
  org_id: string;
  member_id: string;
  entity_type: 'candidate' | 'pursuit';
  items: Defaulted<number>;
}

export interface OutboxTable {
  id: string;
  org_id: string;
  event_id: string;
  destination: string;
  payload_json: Json<JsonObject>;
  attempts: Defaulted<number>;
  max_attempts: Defaulted<number>;
  run_at: DefaultedTimestamp;
  locked_by: string | null;
  locked_at: Timestamp | null;
  last_error: string | null;
  errors_json: DefaultedJson<unknown[]>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  /**
   * False while the row is in the log (delivered by range, see src/worker/sql/); true once a
   * delivery of it failed and it is retried on its own. The log position columns (txid, seq)
   * differ in type per dialect and are read and written only by src/worker/sql/.
   */
  is_retry: Defaulted<boolean>;
}

/** The one row saying where the next leased range of the outbox log starts (positions: src/worker/sql/). */
export interface OutboxCursorTable {
  id: number;
}

/** A range of the outbox log held by one worker loop; its bounds are read only by src/worker/sql/. */
export interface OutboxLeasesTable {
  id: string;
  locked_by: string;
  locked_at: Timestamp;
  attempts: Defaulted<number>;
  created_at: DefaultedTimestamp;
}

export interface DeadLettersTable {
  id: string;
  org_id: string;
  event_id: string;
  destination: string;
  payload_json: Json<JsonObject>;
  attempts: number;
  errors_json: DefaultedJson<unknown[]>;
  last_error: string | null;
  created_at: Timestamp;
  dead_at: DefaultedTimestamp;
}

export interface EnrichmentsTable {
  id: string;
  org_id: string;
  candidate_id: string;
  provider: string;
  tool: string;
  state: Defaulted<'pending' | 'ok' | 'failed'>;
  fields_json: DefaultedJson<JsonObject>;
  raw_json: Json<unknown> | null;
  last_error: string | null;
  attempts: Defaulted<number>;
  requested_at: Timestamp;
  completed_at: Timestamp | null;
  updated_at: DefaultedTimestamp;
}

export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  url: string;
  secret: string;
  event_types_json: DefaultedJson<string[]>;
  is_active: Defaulted<boolean>;
  description: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  version: Defaulted<number>;
}

export interface MigrationsTable {
  name: string;
  checksum: string;
  applied_at: DefaultedTimestamp;
}

export interface Database {
  orgs: OrgsTable;
  members: MembersTable;
  api_tokens: ApiTokensTable;
  candidates: CandidatesTable;
  signals: SignalsTable;
  pursuits: PursuitsTable;
  proposal_versions: ProposalVersionsTable;
  checklist_templates: ChecklistTemplatesTable;
  checklist_template_items: ChecklistTemplateItemsTable;
  checklists: ChecklistsTable;
  checklist_items: ChecklistItemsTable;
  candidate_checklists: CandidateChecklistsTable;
  candidate_checklist_items: ChecklistItemsTable;
  sign_offs: SignOffsTable;
  activities: ActivitiesTable;
  tags: TagsTable;
  events: EventsTable;
  business_calendars: BusinessCalendarsTable;
  sla_policies: SlaPoliciesTable;
  sla_clocks: SlaClocksTable;
  today_counts: TodayCountsTable;
  outbox: OutboxTable;
  outbox_cursor: OutboxCursorTable;
  outbox_leases: OutboxLeasesTable;
  dead_letters: DeadLettersTable;
  enrichments: EnrichmentsTable;
  webhook_endpoints: WebhookEndpointsTable;
  access_events: AccessEventsTable;
  web_sessions: WebSessionsTable;
  state_stays: StateStaysTable;
  workstream_migrations: MigrationsTable;
}

export type TableName = Exclude<keyof Database, 'workstream_migrations'>;

/** Every table of the schema, in the order the migration creates them. */
export const TABLE_NAMES = [
  'orgs',
  'members',
  'api_tokens',
  'candidates',
  'signals',
  'pursuits',
  'proposal_versions',
  'checklist_templates',
  'checklist_template_items',
  'checklists',
  'checklist_items',
  'sign_offs',
  'activities',
  'tags',
  'events',
  'business_calendars',
  'sla_policies',
  'sla_clocks',
  'today_counts',
  'outbox',
  'dead_letters',
  'enrichments',
  'webhook_endpoints',
  'access_events',
  'outbox_cursor',
  'outbox_leases',
  'state_stays',
  'candidate_checklists',
  'candidate_checklist_items',
  'web_sessions',
] as const satisfies readonly TableName[];
export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;

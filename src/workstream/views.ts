/**
 * What commands and queries return, each view one zod schema: the type is derived from it, the
 * MCP tools publish it as their output schema, and every answer is checked against it. Times are
 * ISO strings; every record lists the actions its state allows so an assistant knows what it can
 * do next. The mappers below turn rows into views.
 */
import { z } from 'zod';
import {
  allowedIn,
  CANDIDATE_ACTIONS_TABLE,
  PURSUIT_ACTIONS_TABLE,
  SIGNAL_ACTIONS_TABLE,
} from '../domain/actions.js';
import { CANDIDATE_STATES } from '../domain/candidate.js';
import { type ChecklistKind, completion, ITEM_STATES } from '../domain/checklist.js';
import { PRIORITIES } from '../domain/priority.js';
import { PROPOSAL_VERSION_STATES } from '../domain/proposal.js';
import { PURSUIT_STATES } from '../domain/pursuit.js';
import { SIGNAL_STATES } from '../domain/signal.js';
import type { Row } from '../store/schema.js';

// Small shapes every view shares.
export const Json = z.record(z.string(), z.unknown());
export const Time = z.iso.datetime();
export const OptionalTime = Time.nullable();
export const Version = z.number().int();
export const AllowedActions = z.array(z.string());
export const PriorityValue = z.enum(PRIORITIES);
export const NextCursor = z.string().nullable();

/** A page of items and the cursor to the next one. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: NextCursor });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export const SignalView = z.object({
  id: z.string(),
  source: z.string(),
  externalRef: z.string(),
  kind: z.string(),
  title: z.string(),
  url: z.string().nullable(),
  accountName: z.string().nullable(),
  accountDomain: z.string().nullable(),
  opportunityRef: z.string().nullable(),
  summary: z.string().nullable(),
  payload: Json,
  state: z.enum(SIGNAL_STATES),
  dismissReason: z.string().nullable(),
  candidateId: z.string().nullable(),
  receivedAt: Time,
  createdAt: Time,
  updatedAt: Time,
  version: Version,
  allowedActions: AllowedActions,
});
export type SignalView = z.output<typeof SignalView>;

export function signalView(row: Row<'signals'>): SignalView {
  const state = row.state;
  return {
    id: row.id,
    source: row.source,
    externalRef: row.external_ref,
    kind: row.kind,
    title: row.title,
    url: row.url,
    accountName: row.account_name,
    accountDomain: row.account_domain,
    opportunityRef: row.opportunity_ref,
    summary: row.summary,
    payload: row.payload_json,
    state,
    dismissReason: row.dismiss_reason,
    candidateId: row.candidate_id,
    receivedAt: row.received_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
    allowedActions: allowedIn(SIGNAL_ACTIONS_TABLE, state),
  };
}

export const EnrichmentView = z.object({
  provider: z.string(),
  tool: z.string(),
  state: z.enum(['pending', 'ok', 'failed']),
  fields: Json,
  lastError: z.string().nullable(),
  attempts: z.number().int(),
  requestedAt: Time,
  completedAt: OptionalTime,
});
export type EnrichmentView = z.output<typeof EnrichmentView>;

export const EnrichmentProvenance = EnrichmentView.extend({
  raw: z.unknown().describe('The provider’s answer as it came, before mapping.'),
});
export type EnrichmentProvenance = z.output<typeof EnrichmentProvenance>;

export function enrichmentView(row: Row<'enrichments'>): EnrichmentView {
  return {
    provider: row.provider,
    tool: row.tool,
    state: row.state,
    fields: row.fields_json,
    lastError: row.last_error,
    attempts: row.attempts,
    requestedAt: row.requested_at.toISOString(),
    completedAt: iso(row.completed_at),
  };
}

export const ChecklistView = z.object({
  kind: z.string(),
  completion: z.object({
    done: z.number().int(),
    total: z.number().int(),
    applicable: z.number().int(),
    percent: z.number().int(),
  }),
  items: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      required: z.boolean(),
      state: z.enum(ITEM_STATES),
      note: z.string().nullable(),
    }),
  ),
});
export type ChecklistView = z.output<typeof ChecklistView>;

export function checklistView(kind: ChecklistKind, items: Row<'checklist_items'>[]): ChecklistView {
  const views = items
    .sort((a, b) => a.position - b.position)
    .map((item) => ({
      key: item.item_key,
      label: item.label,
      required: item.is_required,
      state: item.state,
      note: item.note,
    }));
  return { kind, completion: completion(views), items: views };
}

export const CandidateView = z.object({
  id: z.string(),
  title: z.string(),
  accountName: z.string(),
  accountDomain: z.string().nullable(),
  opportunityRef: z.string().nullable(),
  state: z.enum(CANDIDATE_STATES),
  priority: PriorityValue,
  assigneeId: z.string().nullable(),
  dueAt: OptionalTime,
  estimatedValue: z.number().nullable(),
  fields: Json,
  tags: z.array(z.string()),
  disqualifyReason: z.string().nullable(),
  disqualifyNote: z.string().nullable(),
  mergedIntoId: z.string().nullable(),
  firstTouchAt: OptionalTime,
  pursuitId: z.string().nullable(),
  enrichment: z
    .array(EnrichmentView)
    .describe('What enrichment providers found, per provider, with their status.'),
  checklists: z.array(ChecklistView),
  createdAt: Time,
  updatedAt: Time,
  version: Version,
  allowedActions: AllowedActions,
});
export type CandidateView = z.output<typeof CandidateView>;

export interface CandidateParts {
  tags: string[];
  pursuitId: string | null;
  enrichment: EnrichmentView[];
  checklists: ChecklistView[];
}

export function candidateView(
  row: Row<'candidates'>,
  { tags, pursuitId, enrichment, checklists }: CandidateParts,
): CandidateView {
  const state = row.state;
  const actions = allowedIn(CANDIDATE_ACTIONS_TABLE, state);
  return {
    id: row.id,
    title: row.title,
    accountName: row.account_name,
    accountDomain: row.account_domain,
    opportunityRef: row.opportunity_ref,
    state,
    priority: row.priority,
    assigneeId: row.assignee_id,
    dueAt: iso(row.due_at),
    estimatedValue: row.estimated_value,
    fields: row.fields_json,
    tags,
    disqualifyReason: row.disqualify_reason,
    disqualifyNote: row.disqualify_note,
    mergedIntoId: row.merged_into_id,
    firstTouchAt: iso(row.first_touch_at),
    pursuitId,
    enrichment,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
    allowedActions: actions,
    checklists,
  };
}

export const ProposalVersionView = z.object({
  id: z.string(),
  number: z.number().int(),
  state: z.enum(PROPOSAL_VERSION_STATES),
  title: z.string(),
  documentUrl: z.string().nullable(),
  amount: z.number().nullable(),
  notes: z.string().nullable(),
  sentAt: OptionalTime,
  createdAt: Time,
});
export type ProposalVersionView = z.output<typeof ProposalVersionView>;

export function proposalVersionView(row: Row<'proposal_versions'>): ProposalVersionView {
  return {
    id: row.id,
    number: row.number,
    state: row.state,
    title: row.title,
    documentUrl: row.document_url,
    amount: row.amount,
    notes: row.notes,
    sentAt: iso(row.sent_at),
    createdAt: row.created_at.toISOString(),
  };
}

export const PursuitView = z.object({
  id: z.string(),
  candidateId: z.string(),
  title: z.string(),
  accountName: z.string(),
  state: z.enum(PURSUIT_STATES),
  heldFromState: z.enum(PURSUIT_STATES).nullable(),
  priority: PriorityValue,
  assigneeId: z.string().nullable(),
  dueAt: OptionalTime,
  estimatedValue: z.number().nullable(),
  probability: z.number().nullable(),
  awardAmount: z.number().nullable(),
  lossReason: z.string().nullable(),
  closeReason: z.string().nullable(),
  fields: Json,
  tags: z.array(z.string()),
  submittedAt: OptionalTime,
  closedAt: OptionalTime,
  createdAt: Time,
  updatedAt: Time,
  version: Version,
  allowedActions: AllowedActions,
  checklists: z.array(ChecklistView),
  proposalVersions: z.array(ProposalVersionView),
});
export type PursuitView = z.output<typeof PursuitView>;

export interface PursuitParts {
  tags: string[];
  checklists: ChecklistView[];
  proposalVersions: ProposalVersionView[];
}

export function pursuitView(row: Row<'pursuits'>, parts: PursuitParts): PursuitView {
  const state = row.state;
  const actions = allowedIn(PURSUIT_ACTIONS_TABLE, state);
  return {
    id: row.id,
    candidateId: row.candidate_id,
    title: row.title,
    accountName: row.account_name,
    state,
    heldFromState: row.held_from_state,
    priority: row.priority,
    assigneeId: row.assignee_id,
    dueAt: iso(row.due_at),
    estimatedValue: row.estimated_value,
    probability: row.probability,
    awardAmount: row.award_amount,
    lossReason: row.loss_reason,
    closeReason: row.close_reason,
    fields: row.fields_json,
    tags: parts.tags,
    submittedAt: iso(row.submitted_at),
    closedAt: iso(row.closed_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
    allowedActions: actions,
    checklists: parts.checklists,
    proposalVersions: parts.proposalVersions,
  };
}

export const EventView = z.object({
  id: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  type: z.string(),
  actorId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  reason: z.string().nullable(),
  data: Json,
  occurredAt: Time,
});
export type EventView = z.output<typeof EventView>;

export function eventView(row: Row<'events'>): EventView {
  return {
    id: row.id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    type: row.type,
    actorId: row.actor_id,
    from: row.from_state,
    to: row.to_state,
    reason: row.reason,
    data: row.data_json,
    occurredAt: row.occurred_at.toISOString(),
  };
}

export const SlaClockView = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.string(),
  startedAt: Time,
  dueAt: Time,
  warnAt: Time,
  warnedAt: OptionalTime,
  breachedAt: OptionalTime,
  breached: z.boolean(),
  atRisk: z.boolean(),
  minutesToDue: z
    .number()
    .int()
    .nullable()
    .describe('Minutes until due (negative: overdue); null while paused.'),
});
export type SlaClockView = z.output<typeof SlaClockView>;

/** A clock's flags: what clockView answers and the Today Panel reads from fewer columns. */
export function clockFlags(
  row: Pick<Row<'sla_clocks'>, 'kind' | 'state' | 'due_at' | 'warn_at' | 'warned_at' | 'breached_at'>,
  now: Date,
): Pick<SlaClockView, 'kind' | 'state' | 'breached' | 'atRisk'> {
  const running = row.state === 'running';
  return {
    kind: row.kind,
    state: row.state,
    breached: row.breached_at !== null || (running && row.due_at.getTime() <= now.getTime()),
    atRisk: row.warned_at !== null || (running && row.warn_at.getTime() <= now.getTime()),
  };
}

export function clockView(row: Row<'sla_clocks'>, now: Date): SlaClockView {
  const running = row.state === 'running';
  const { breached, atRisk } = clockFlags(row, now);
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    startedAt: row.started_at.toISOString(),
    dueAt: row.due_at.toISOString(),
    warnAt: row.warn_at.toISOString(),
    warnedAt: row.warned_at?.toISOString() ?? null,
    breachedAt: row.breached_at?.toISOString() ?? null,
    breached,
    atRisk,
    minutesToDue: running ? Math.round((row.due_at.getTime() - now.getTime()) / 60_000) : null,
  };
}

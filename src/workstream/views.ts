/**
 * What commands and queries return: plain JSON-ready views (ISO strings for times), each with
 * the actions its state allows so an assistant knows what it can do next.
 */
import { CANDIDATE_MACHINE, type CandidateState } from '../domain/candidate.js';
import { type ChecklistKind, completion, type ItemState } from '../domain/checklist.js';
import type { CompletionFigures } from '../domain/errors.js';
import { allowedActions } from '../domain/machine.js';
import type { Priority } from '../domain/priority.js';
import type { ProposalVersionState } from '../domain/proposal.js';
import { PURSUIT_MACHINE, type PursuitState } from '../domain/pursuit.js';
import { SIGNAL_MACHINE, type SignalState } from '../domain/signal.js';
import type { JsonObject, Row } from '../store/schema.js';
import type { EnrichmentView } from './enrichment.js';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export interface SignalView {
  id: string;
  source: string;
  externalRef: string;
  kind: string;
  title: string;
  url: string | null;
  accountName: string | null;
  accountDomain: string | null;
  opportunityRef: string | null;
  summary: string | null;
  payload: JsonObject;
  state: SignalState;
  dismissReason: string | null;
  candidateId: string | null;
  receivedAt: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  allowedActions: string[];
}

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
    allowedActions: allowedActions(SIGNAL_MACHINE, state),
  };
}

export interface CandidateView {
  id: string;
  title: string;
  accountName: string;
  accountDomain: string | null;
  opportunityRef: string | null;
  state: CandidateState;
  priority: Priority;
  assigneeId: string | null;
  dueAt: string | null;
  estimatedValue: number | null;
  fields: JsonObject;
  tags: string[];
  disqualifyReason: string | null;
  disqualifyNote: string | null;
  mergedIntoId: string | null;
  firstTouchAt: string | null;
  pursuitId: string | null;
  /** What enrichment providers found, per provider, with their status. */
  enrichment: EnrichmentView[];
  createdAt: string;
  updatedAt: string;
  version: number;
  allowedActions: string[];
}

const TOUCHABLE: readonly CandidateState[] = ['contacted', 'qualified'];

export interface CandidateParts {
  tags: string[];
  pursuitId: string | null;
  enrichment: EnrichmentView[];
}

export function candidateView(
  row: Row<'candidates'>,
  { tags, pursuitId, enrichment }: CandidateParts,
): CandidateView {
  const state = row.state;
  const actions: string[] = allowedActions(CANDIDATE_MACHINE, state);
  // Later touches keep the state, so the machine does not list them; they are allowed all the same.
  if (TOUCHABLE.includes(state)) actions.unshift('log_touch');
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
  };
}

export interface ChecklistItemView {
  key: string;
  label: string;
  required: boolean;
  state: ItemState;
  note: string | null;
}

export interface ChecklistView {
  kind: ChecklistKind;
  completion: CompletionFigures;
  items: ChecklistItemView[];
}

export interface ProposalVersionView {
  id: string;
  number: number;
  state: ProposalVersionState;
  title: string;
  documentUrl: string | null;
  amount: number | null;
  notes: string | null;
  sentAt: string | null;
  createdAt: string;
}

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

export interface PursuitView {
  id: string;
  candidateId: string;
  title: string;
  accountName: string;
  state: PursuitState;
  heldFromState: PursuitState | null;
  priority: Priority;
  assigneeId: string | null;
  dueAt: string | null;
  estimatedValue: number | null;
  probability: number | null;
  awardAmount: number | null;
  lossReason: string | null;
  closeReason: string | null;
  fields: JsonObject;
  tags: string[];
  submittedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  allowedActions: string[];
  checklists: ChecklistView[];
  proposalVersions: ProposalVersionView[];
}

export interface PursuitParts {
  tags: string[];
  checklists: ChecklistView[];
  proposalVersions: ProposalVersionView[];
}

export function pursuitView(row: Row<'pursuits'>, parts: PursuitParts): PursuitView {
  const state = row.state;
  const actions: string[] = allowedActions(PURSUIT_MACHINE, state);
  if (state === 'capture' || state === 'proposal' || state === 'submitted')
    actions.push('add_proposal_version');
  if (state === 'submitted') actions.push('send_proposal_version', 'log_follow_up');
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

export interface EventView {
  id: string;
  entityType: string;
  entityId: string;
  type: string;
  actorId: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  data: JsonObject;
  occurredAt: string;
}

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

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

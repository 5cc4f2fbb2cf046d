/**
 * The input of every command and query, as zod schemas. The commands parse with them (so no
 * caller skips validation) and the MCP tools publish them (so assistants see the same rules).
 * Descriptions are written for the model that reads the tool list.
 */
import { z } from 'zod';
import { CANDIDATE_STATES } from '../domain/candidate.js';
import { CHECKLIST_KINDS, ITEM_STATES } from '../domain/checklist.js';
import { PRIORITIES } from '../domain/priority.js';
import { PURSUIT_STATES } from '../domain/pursuit.js';
import { SIGNAL_STATES } from '../domain/signal.js';

const id = (prefix: string, what: string, findWith: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${what} id such as ${prefix}_01J…`)
    .describe(`A ${what} id such as ${prefix}_01J…; find one with ${findWith}.`);

export const SignalId = id('sig', 'signal', 'list_signals');
export const CandidateId = id('cand', 'candidate', 'list_candidates');
export const PursuitId = id('pur', 'pursuit', 'list_pursuits');
export const ProposalVersionId = id('prop', 'proposal version', 'get_pursuit');

export const ExpectedVersion = z
  .number()
  .int()
  .positive()
  .describe(
    'The version you last read. If the record changed since, the call fails with CONFLICT instead of overwriting. Omit to apply the change to whatever is current.',
  );

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const Reason = text(2000).describe('Why, in a sentence; kept in the history.');
export const Timestamp = z.iso
  .datetime({ offset: true })
  .describe('An ISO-8601 date-time, e.g. 2026-12-01T17:00:00Z.');
export const Priority = z.enum(PRIORITIES).describe('urgent, high, medium or low.');
const Money = z.number().nonnegative().max(1e15);
export const Tag = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _:./-]*$/u, 'letters, digits, space and _ : . / -')
  .transform((tag) => tag.toLowerCase());
const Tags = z.array(Tag).max(30).describe('Free-form labels such as "federal" or "q3".');
const Fields = z.record(z.string().max(100), z.unknown()).describe('Extra fields to store with the record.');
/** A member id (mem_…) or the member's e-mail; null clears the assignee. */
const Assignee = z
  .string()
  .trim()
  .min(1)
  .max(400)
  .nullable()
  .describe('Who owns it: a member id (mem_…) or e-mail; null to unassign.');
const Domain = z
  .string()
  .trim()
  .max(200)
  .describe("The account's web domain, e.g. acme.com; used to spot duplicates.");

export const Cursor = z
  .string()
  .max(200)
  .describe('nextCursor from the previous page; omit for the first page.');
export const Limit = z.number().int().min(1).max(100).default(25).describe('Page size, 1–100 (default 25).');

export const CreateSignal = z.object({
  source: text(200).describe('Where it came from, e.g. "sam.gov", "website-form", "referral".'),
  externalRef: text(200).describe(
    "The source's own id for it; the same source + externalRef is never stored twice.",
  ),
  kind: z.enum(['rfp_notice', 'form_fill', 'referral', 'news', 'other']).default('other'),
  title: text(400),
  url: z.url().max(700).optional(),
  accountName: text(400).optional(),
  accountDomain: Domain.optional(),
  opportunityRef: text(200).optional().describe('The opportunity reference, e.g. an RFP number.'),
  summary: text(4000).optional(),
  payload: Fields.optional(),
  receivedAt: Timestamp.optional(),
});

const CandidateDetails = {
  priority: Priority.optional(),
  assignee: Assignee.optional(),
  dueAt: Timestamp.nullable().optional().describe('When the next step is due; null clears it.'),
  estimatedValue: Money.nullable().optional(),
  tags: Tags.optional(),
  fields: Fields.optional(),
};

export const AcceptSignal = z.object({
  signalId: SignalId,
  candidateId: CandidateId.optional().describe(
    'Link the signal to this existing candidate instead of creating one.',
  ),
  title: text(400).optional().describe("The candidate's title; defaults to the signal's."),
  accountName: text(400)
    .optional()
    .describe("Defaults to the signal's account name; required if it has none."),
  accountDomain: Domain.optional(),
  opportunityRef: text(200).optional(),
  ...CandidateDetails,
  expectedVersion: ExpectedVersion.optional(),
});

export const DismissSignal = z.object({
  signalId: SignalId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const CreateCandidate = z.object({
  title: text(400),
  accountName: text(400),
  accountDomain: Domain.optional(),
  opportunityRef: text(200).optional().describe('The opportunity reference, e.g. an RFP number.'),
  ...CandidateDetails,
});

const TagChanges = z
  .object({ add: Tags.optional(), remove: Tags.optional() })
  .describe('Tags to add and to remove; others stay.');

export const UpdateCandidate = z.object({
  candidateId: CandidateId,
  title: text(400).optional(),
  ...CandidateDetails,
  tags: TagChanges.optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const ActivityKind = z.enum(['call', 'email', 'meeting', 'note']);

export const LogTouch = z.object({
  candidateId: CandidateId,
  kind: ActivityKind.describe('call, email, meeting or note.'),
  summary: text(4000).describe('What happened, in a sentence or two.'),
  occurredAt: Timestamp.optional().describe('When it happened; defaults to now.'),
  expectedVersion: ExpectedVersion.optional(),
});

export const QualifyCandidate = z.object({
  candidateId: CandidateId,
  note: text(2000).optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const DisqualifyCandidate = z.object({
  candidateId: CandidateId,
  reason: text(80).describe('A short reason code, e.g. no_budget, not_a_fit, no_response, competitor.'),
  note: text(2000).optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const ReopenCandidate = z.object({
  candidateId: CandidateId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const MergeCandidates = z.object({
  candidateId: CandidateId.describe('The candidate to merge away (it becomes `merged`).'),
  intoId: CandidateId.describe(
    'The open candidate that takes over its history, activities, tags and signals.',
  ),
  expectedVersion: ExpectedVersion.optional(),
});

export const PromoteCandidate = z.object({
  candidateId: CandidateId,
  title: text(400).optional().describe("The pursuit's title; defaults to the candidate's."),
  dueAt: Timestamp.optional().describe('The submission deadline.'),
  estimatedValue: Money.optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const UpdatePursuit = z.object({
  pursuitId: PursuitId,
  title: text(400).optional(),
  priority: Priority.optional(),
  assignee: Assignee.optional(),
  dueAt: Timestamp.nullable().optional().describe('The submission deadline; null clears it.'),
  estimatedValue: Money.nullable().optional(),
  probability: z.number().int().min(0).max(100).nullable().optional().describe('Win probability, 0–100.'),
  tags: TagChanges.optional(),
  fields: Fields.optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const DecideBid = z.object({
  pursuitId: PursuitId,
  decision: z.enum(['bid', 'no_bid']),
  reason: Reason.optional().describe('Why; required for no_bid.'),
  expectedVersion: ExpectedVersion.optional(),
});

export const HoldPursuit = z.object({
  pursuitId: PursuitId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});
export const ResumePursuit = z.object({ pursuitId: PursuitId, expectedVersion: ExpectedVersion.optional() });

export const AddProposalVersion = z.object({
  pursuitId: PursuitId,
  title: text(400).describe('e.g. "Technical and price volume, v2".'),
  documentUrl: z.url().max(700).optional(),
  amount: Money.optional().describe('The price proposed.'),
  notes: text(4000).optional(),
});

export const SubmitPursuit = z.object({ pursuitId: PursuitId, expectedVersion: ExpectedVersion.optional() });
export const SendProposalVersion = z.object({
  pursuitId: PursuitId,
  expectedVersion: ExpectedVersion.optional(),
});

export const WithdrawProposalVersion = z.object({
  pursuitId: PursuitId,
  versionId: ProposalVersionId.describe(
    'The proposal version to withdraw (prop_…); see get_pursuit, proposalVersions[].id.',
  ),
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const LogFollowUp = z.object({
  pursuitId: PursuitId,
  summary: text(4000),
  occurredAt: Timestamp.optional(),
});

export const MarkWon = z.object({
  pursuitId: PursuitId,
  awardAmount: Money.describe('The value awarded.'),
  note: text(2000).optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const MarkLost = z.object({
  pursuitId: PursuitId,
  lossReason: text(2000).describe('Why it was lost, e.g. "price: 12% above the winner".'),
  expectedVersion: ExpectedVersion.optional(),
});

export const CancelPursuit = z.object({
  pursuitId: PursuitId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const SetChecklistItem = z.object({
  pursuitId: PursuitId,
  checklist: z
    .enum(CHECKLIST_KINDS)
    .describe('pink (gates submit_pursuit) or red (gates mark_won / mark_lost).'),
  itemKey: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe('The item key, e.g. compliance_matrix; see get_pursuit.'),
  state: z.enum(ITEM_STATES).describe('open, done, or n_a (not applicable: needs a note).'),
  note: z.string().trim().max(2000).nullable().optional(),
});

export const RegisterWebhook = z.object({
  url: z
    .url({ protocol: /^https?$/ })
    .max(700)
    .describe('Where to POST events (https in production).'),
  eventTypes: z
    .array(
      z.string().regex(/^(\*|[a-z_]+\.(\*|[a-z_]+))$/, 'an event type such as pursuit.won, pursuit.* or *'),
    )
    .min(1)
    .max(50)
    .default(['*']),
  description: text(400).optional(),
});

export const GetById = z.object({ id: z.string().trim().min(1).max(100) });
export const GetSignal = z.object({ signalId: SignalId });
export const GetCandidate = z.object({ candidateId: CandidateId });
export const GetPursuit = z.object({ pursuitId: PursuitId });

export const ListSignals = z.object({
  state: z.enum(SIGNAL_STATES).optional(),
  source: z.string().max(200).optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});

const WorkFilters = {
  assignee: z.string().max(400).optional().describe('A member id or e-mail; "me" for yourself.'),
  priority: Priority.optional(),
  tag: Tag.optional(),
  cursor: Cursor.optional(),
  limit: Limit,
};

export const ListCandidates = z.object({ state: z.enum(CANDIDATE_STATES).optional(), ...WorkFilters });
export const ListPursuits = z.object({ state: z.enum(PURSUIT_STATES).optional(), ...WorkFilters });

export const GetHistory = z.object({
  id: z
    .string()
    .regex(/^(sig|cand|pur)_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a signal, candidate or pursuit id')
    .describe('A signal, candidate or pursuit id.'),
  cursor: Cursor.optional(),
  limit: Limit,
});

export type Input<S extends z.ZodType> = z.input<S>;

/**
 * Output schemas: the views of src/workstream/views.ts as zod, published as each tool's
 * outputSchema and checked against every structuredContent. The type checks at the bottom fail
 * the build when a view and its schema drift apart.
 */
import { z } from 'zod';
import { CANDIDATE_STATES } from '../domain/candidate.js';
import { CHECKLIST_KINDS, ITEM_STATES } from '../domain/checklist.js';
import { ERROR_CODES } from '../domain/errors.js';
import { PRIORITIES } from '../domain/priority.js';
import { PROPOSAL_VERSION_STATES } from '../domain/proposal.js';
import { PURSUIT_STATES } from '../domain/pursuit.js';
import { SIGNAL_STATES } from '../domain/signal.js';
import { SLA_KINDS } from '../domain/sla.js';
import type { Promoted } from '../workstream/candidates.js';
import type { EnrichmentProvenance, EnrichmentView } from '../workstream/enrichment.js';
import type { SignalAccepted, SignalCreated } from '../workstream/signals.js';
import type { SlaPoliciesView } from '../workstream/sla-admin.js';
import type { ComplianceView, SlaBreachView } from '../workstream/sla-views.js';
import type { SlaClocks, SlaClockView, TodayItem, TodayPanel } from '../workstream/today.js';
import type {
  CandidateView,
  ChecklistView,
  EventView,
  Page,
  ProposalVersionView,
  PursuitView,
  SignalView,
} from '../workstream/views.js';
import type { WebhookRegistered } from '../workstream/webhooks.js';

const Json = z.record(z.string(), z.unknown());
const Time = z.string().describe('ISO-8601 date-time (UTC).');
const OptionalTime = Time.nullable();
const Version = z
  .number()
  .int()
  .describe('Pass as expectedVersion to refuse the change if someone else changed it since.');
const AllowedActions = z.array(z.string()).describe('The tools that its current state allows next.');
const Priority = z.enum(PRIORITIES);

export const SignalOutput = z.object({
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

export const EnrichmentOutput = z.object({
  provider: z.string(),
  tool: z.string(),
  state: z.enum(['pending', 'ok', 'failed']),
  fields: Json,
  lastError: z.string().nullable(),
  attempts: z.number().int(),
  requestedAt: Time,
  completedAt: OptionalTime,
});

export const CandidateOutput = z.object({
  id: z.string(),
  title: z.string(),
  accountName: z.string(),
  accountDomain: z.string().nullable(),
  opportunityRef: z.string().nullable(),
  state: z.enum(CANDIDATE_STATES),
  priority: Priority,
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
    .array(EnrichmentOutput)
    .describe('What enrichment providers found, per provider, with their status.'),
  createdAt: Time,
  updatedAt: Time,
  version: Version,
  allowedActions: AllowedActions,
});

const ChecklistOutput = z.object({
  kind: z.enum(CHECKLIST_KINDS),
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

const ProposalVersionOutput = z.object({
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

export const PursuitOutput = z.object({
  id: z.string(),
  candidateId: z.string(),
  title: z.string(),
  accountName: z.string(),
  state: z.enum(PURSUIT_STATES),
  heldFromState: z.enum(PURSUIT_STATES).nullable(),
  priority: Priority,
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
  checklists: z.array(ChecklistOutput),
  proposalVersions: z.array(ProposalVersionOutput),
});

export const EventOutput = z.object({
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

const NextCursor = z
  .string()
  .nullable()
  .describe('Pass as cursor to get the next page; null on the last page.');

function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: NextCursor });
}

export const SignalPage = page(SignalOutput);
export const CandidatePage = page(CandidateOutput);
export const PursuitPage = page(PursuitOutput);
export const EventPage = page(EventOutput);

export const SignalCreatedOutput = z.object({
  signal: SignalOutput,
  created: z.boolean().describe('False when this source + externalRef was recorded before.'),
});

export const SignalAcceptedOutput = z.object({
  signal: SignalOutput,
  candidate: CandidateOutput,
  candidateCreated: z.boolean().describe('False when the signal was linked to an existing candidate.'),
});

export const PromotedOutput = z.object({
  pursuit: PursuitOutput,
  created: z.boolean().describe('False when the candidate was promoted before: its pursuit is returned.'),
});

export const WebhookOutput = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  secret: z.string().describe('Shown once: verify the X-Workstream-Signature header with it.'),
});

const SlaClockOutput = z.object({
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
    .describe('Minutes until due; negative when overdue by that many; null while paused.'),
});

export const EnrichmentsOutput = z.object({
  candidateId: z.string(),
  enrichment: z
    .array(EnrichmentOutput)
    .describe('One entry per provider, with its status and the fields it found.'),
});

export const EnrichmentProvenanceOutput = z.object({
  candidateId: z.string(),
  enrichment: z.array(
    EnrichmentOutput.extend({
      raw: z.unknown().describe('The provider’s answer as it came, before mapping.'),
    }),
  ),
});

export const SlaClocksOutput = z.object({ entityId: z.string(), clocks: z.array(SlaClockOutput) });

const TodayItemOutput = z.object({
  kind: z.enum(['candidate', 'pursuit']),
  id: z.string(),
  title: z.string(),
  accountName: z.string(),
  state: z.string(),
  priority: Priority,
  assigneeId: z.string().nullable(),
  dueAt: OptionalTime,
  effectiveDueAt: OptionalTime.describe('The earliest of its own due date and its running SLA clocks.'),
  createdAt: Time,
  tags: z.array(z.string()),
  clocks: z.array(SlaClockOutput),
  overdue: z.boolean().describe('Its effective due time has passed.'),
  breached: z.boolean().describe('An open SLA clock is past due.'),
  atRisk: z.boolean().describe('An open SLA clock is past its warning time.'),
  version: Version,
  allowedActions: AllowedActions,
});

export const TodayPanelOutput = z.object({
  assigneeId: z.string(),
  asOf: Time,
  total: z.number().int().describe('Items matching the filters over all pages.'),
  items: z.array(TodayItemOutput),
  nextCursor: NextCursor,
});

export const SlaPoliciesOutput = z.object({
  calendar: z
    .object({
      timeZone: z.string().describe('IANA time zone the working hours are in.'),
      weekly: z.array(z.unknown()).describe('Weekly working intervals {day, start, end}, local time.'),
      holidays: z.array(z.string()).describe('Local dates with no working time, YYYY-MM-DD.'),
    })
    .nullable()
    .describe('The business calendar; null when the organization has none (every target is calendar time).'),
  policies: z.array(
    z.object({
      kind: z.string().describe('triage, proposal or response.'),
      priority: z.string().describe('The priority it applies to; "any" is the fallback for the others.'),
      targetHours: z.number(),
      businessHours: z.boolean().describe("True: counted in the calendar's working time; false: 24×7."),
      warnPercent: z.number().int().describe('At-risk once this share of the target has elapsed.'),
    }),
  ),
});

const SlaBreachOutput = z.object({
  clockId: z.string(),
  kind: z.enum(SLA_KINDS),
  status: z.enum(['breached', 'at_risk']).describe('breached: past due; at_risk: past its warning time.'),
  entityType: z.enum(['candidate', 'pursuit']),
  entityId: z.string(),
  title: z.string().nullable(),
  assigneeId: z.string().nullable(),
  startedAt: Time,
  warnAt: Time,
  dueAt: Time,
  overdueMinutes: z
    .number()
    .int()
    .describe('Minutes past due; negative while at risk (minutes left until due).'),
});

export const SlaBreachPage = page(SlaBreachOutput);

export const SlaComplianceOutput = z.object({
  from: Time,
  to: Time,
  kinds: z.array(
    z.object({
      kind: z.enum(SLA_KINDS),
      met: z.number().int().describe('Clocks met in time in the period.'),
      breached: z.number().int().describe('Clocks met after their due time in the period.'),
      compliance: z
        .number()
        .nullable()
        .describe('met / (met + breached), 0–1; null when no clock of this kind was met in the period.'),
      medianMinutesToMeet: z.number().nullable(),
      p90MinutesToMeet: z.number().nullable(),
    }),
  ),
});

/** What an isError result carries in structuredContent (not validated by the SDK; documented here). */
export const ErrorOutput = z.object({
  error: z.looseObject({
    code: z.enum([...ERROR_CODES, 'INTERNAL']),
    message: z.string(),
    nextStep: z.string().optional(),
    errorId: z.string().optional(),
  }),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

/** Compile-time proof that each schema describes exactly its view. */
export type OutputsMatchViews = [
  Expect<Same<z.output<typeof SignalOutput>, SignalView>>,
  Expect<Same<z.output<typeof CandidateOutput>, CandidateView>>,
  Expect<Same<z.output<typeof PursuitOutput>, PursuitView>>,
  Expect<Same<z.output<typeof ChecklistOutput>, ChecklistView>>,
  Expect<Same<z.output<typeof ProposalVersionOutput>, ProposalVersionView>>,
  Expect<Same<z.output<typeof EventOutput>, EventView>>,
  Expect<Same<z.output<typeof SignalPage>, Page<SignalView>>>,
  Expect<Same<z.output<typeof EventPage>, Page<EventView>>>,
  Expect<Same<z.output<typeof SignalCreatedOutput>, SignalCreated>>,
  Expect<Same<z.output<typeof SignalAcceptedOutput>, SignalAccepted>>,
  Expect<Same<z.output<typeof PromotedOutput>, Promoted>>,
  Expect<Same<z.output<typeof WebhookOutput>, WebhookRegistered>>,
  Expect<Same<z.output<typeof SlaClockOutput>, SlaClockView>>,
  Expect<Same<z.output<typeof SlaClocksOutput>, SlaClocks>>,
  Expect<Same<z.output<typeof TodayItemOutput>, TodayItem>>,
  Expect<Same<z.output<typeof TodayPanelOutput>, TodayPanel>>,
  Expect<Same<z.output<typeof EnrichmentsOutput>['enrichment'], EnrichmentView[]>>,
  Expect<Same<z.output<typeof EnrichmentProvenanceOutput>['enrichment'], EnrichmentProvenance[]>>,
  Expect<Same<z.output<typeof SlaPoliciesOutput>, SlaPoliciesView>>,
  Expect<Same<z.output<typeof SlaBreachOutput>, SlaBreachView>>,
  Expect<Same<z.output<typeof SlaBreachPage>, Page<SlaBreachView>>>,
  Expect<Same<z.output<typeof SlaComplianceOutput>, ComplianceView>>,
];

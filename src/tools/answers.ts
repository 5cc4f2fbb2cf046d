/**
 * What change tools answer: one small shape for every write to a record (`Changed`: its id, the
 * state it is in now, its version and the actions that state allows next), the same for a
 * signal, a candidate or a pursuit, whatever the change was. What the change made beside it (a
 * checklist's completion, a proposal version's id and state) is in the text digest, which is
 * rendered from the command's whole output; everything else is one get_… call away. Each answer
 * is a pick of the command's output, so parsing that output with it keeps exactly the answer;
 * one zod object, so its JSON Schema is converted once and the same bytes in every tool.
 */
import { z } from 'zod';
import { FieldSchemaView } from '../workstream/custom-fields.js';
import { CandidateEnrichment } from '../workstream/enrichment.js';
import { ProcessView, SignOffView } from '../workstream/process.js';
import { SlaPoliciesView } from '../workstream/sla-admin.js';
import { PursuitView } from '../workstream/views.js';

export const Changed = PursuitView.pick({ id: true, version: true, allowedActions: true }).extend({
  /** The state it is in now; the states it can be in are get_…'s to list. */
  state: z.string(),
});

/**
 * How much of an answer's schema is published, where the one shape `Changed` decides it. The
 * shape is described once, in the server's instructions (`CHANGED_SHAPE`), rather than as the same
 * schema in each of the many tools that answer it: a tool whose whole answer is `Changed` publishes
 * no output schema (0), and one that answers a `Changed` record under its kind (`signal`,
 * `candidate`, `pursuit`) publishes that property as an object (1). With icons on, every
 * toolset's `tools/list` fits its budget only so. The server still checks every answer against
 * its whole schema.
 */
export function changedDepth(answer: z.ZodType): 0 | 1 | undefined {
  if (answer === Changed) return 0;
  if (answer instanceof z.ZodObject && Object.values(answer.shape).includes(Changed)) return 1;
  return undefined;
}

/** Whether a tool publishes an output schema (`changedDepth`). */
export const publishesAnswer = (answer: z.ZodType): boolean => changedDepth(answer) !== 0;

/** The keys of `Changed`, as the instructions name them. */
export const CHANGED_SHAPE = `{${Object.keys(Changed.shape).join(', ')}}`;

/** A changed record of each kind: the one shape. */
export const CandidateAnswer = Changed;
export const PursuitAnswer = Changed;
export const SignalAnswer = Changed;

export const SignalCreatedAnswer = z.object({ signal: Changed, created: z.boolean() });
export const SignalAcceptedAnswer = z.object({
  signal: Changed,
  candidate: Changed,
  candidateCreated: z.boolean(),
});
export const PromotedAnswer = z.object({ pursuit: Changed, created: z.boolean() });

/**
 * What a change to the process answers: each review's key and current version; the whole
 * process is in the text and in get_process.
 */
export const ProcessAnswer = z.object({
  reviews: z.array(ProcessView.shape.reviews.element.pick({ key: true, version: true })),
});

/** What an SLA policy change answers: the targets; the calendar and all of it in the text. */
export const SlaPoliciesAnswer = SlaPoliciesView.pick({ policies: true });
/** What a calendar change answers: the calendar's time zone; the rest in the text and get_sla_policies. */
export const CalendarAnswer = z.object({
  calendar: SlaPoliciesView.shape.calendar.unwrap().pick({ timeZone: true }).nullable(),
});

/** What a custom field change answers: each field's key, type and whether it is retired. */
export const FieldsAnswer = z.object({
  fields: z.array(
    FieldSchemaView.shape.fields.element.pick({ entity: true, key: true, type: true, retired: true }),
  ),
});

/** What asking for enrichment answers: each provider's state; what they found in get_enrichment. */
export const EnrichmentAnswer = CandidateEnrichment.extend({
  enrichment: z.array(CandidateEnrichment.shape.enrichment.element.pick({ provider: true, state: true })),
});

/** What a sign-off request or decision answers; its notes are in the text. */
export const SignOffAnswer = SignOffView.pick({ id: true, pursuitId: true, action: true, state: true });

/**
 * The capture process as the organization's configuration (docs/process.md). Reviews are
 * versioned checklist templates (rows of checklist_templates, one per version) naming the
 * actions they gate; the other rules — required fields, reason codes, sign-offs — are one
 * zod-validated object in orgs.settings_json.process, because they are small, read together on
 * every gated call, and change together. Every change is a `config.*` event on the org.
 */
import { z } from 'zod';
import { PURSUIT_ACTIONS_TABLE, permitWork } from '../domain/actions.js';
import {
  ALL_GATE_TOOLS,
  CANDIDATE_GATE_TOOLS,
  GATE_TOOLS,
  type GatedTool,
  type Gates,
  gateActionOf,
  gatedToolsOf,
  REVIEW_KEY,
  REVIEW_SUBJECTS,
} from '../domain/checklist.js';
import { must, notFound, validation } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { HELD_FROM } from '../domain/machine.js';
import {
  checkReasonCode,
  checkRequiredFields,
  checkSignOff,
  DEFAULT_REASONS,
  REASON_LISTS,
  REQUIRABLE,
  type ReasonList,
  SIGN_OFF_ROLES,
} from '../domain/process.js';
import { OPEN_PURSUIT_STATES, PURSUIT_MACHINE } from '../domain/pursuit.js';
import { toJson } from '../store/dialect.js';
import type { JsonObject, Row } from '../store/schema.js';
import { requireAdmin } from './admin-role.js';
import { applyCandidateReview, carriedItems } from './checklists.js';
import { change, query } from './command.js';
import { fieldsForMove, givenFields } from './custom-fields.js';
import type { Reader } from './load.js';
import { loadPursuit } from './load.js';
import { configEvent, orgSettings } from './org-settings.js';
import { PursuitId, text } from './params.js';
import { refuse } from './refusals.js';
import { run, type Unit } from './unit-of-work.js';

const GATED_TOOLS = Object.values(GATE_TOOLS) as [GatedTool, ...GatedTool[]];
const REVIEW_GATES = [...GATED_TOOLS, ...Object.values(CANDIDATE_GATE_TOOLS)] as const;
const ReviewKey = z.string().trim().regex(REVIEW_KEY, 'lower case, e.g. blue');
const Code = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,59}$/, 'lower-case code, e.g. price');

/** The rules in settings_json.process; what an org leaves out is not required. */
export const ProcessRules = z.strictObject({
  requiredFields: z
    .partialRecord(z.enum(GATED_TOOLS), z.array(z.string().max(100)).max(20))
    .default({})
    .describe('Per tool: argument names or fields.<key>.'),
  reasons: z
    .partialRecord(z.enum(REASON_LISTS), z.array(Code).min(1).max(50))
    .default({})
    .describe('Reason codes per list; a set list is enforced.'),
  signOffs: z
    .partialRecord(z.enum(GATED_TOOLS), z.enum(SIGN_OFF_ROLES))
    .default({})
    .describe('Approving role.'),
});
export type ProcessRules = z.output<typeof ProcessRules>;

const EMPTY_RULES: ProcessRules = { requiredFields: {}, reasons: {}, signOffs: {} };

export async function rulesOf(db: Reader, orgId: string): Promise<ProcessRules> {
  const parsed = ProcessRules.safeParse((await orgSettings(db, orgId)).settings.process ?? {});
  return parsed.success ? parsed.data : EMPTY_RULES;
}

const LegacyGates = z.object({
  gates: z.partialRecord(z.enum(['submit', 'won', 'lost']), z.array(z.string())).default({}),
});
const LEGACY_DEFAULT = { submit: ['pink'], won: ['red'], lost: ['red'] } as const;

/** Every review's current version: the newest row of each key, in the order the keys were first made. */
export async function currentTemplates(db: Reader, orgId: string) {
  const rows = await db.selectFrom('checklist_templates').selectAll().where('org_id', '=', orgId).execute();
  // Ids are time-ordered: a key's first row says when the review was made.
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byKind = new Map<string, Row<'checklist_templates'>>();
  for (const row of rows) {
    const seen = byKind.get(row.kind);
    if (!seen || row.version > seen.version) byKind.set(row.kind, row);
  }
  return [...byKind.values()];
}

/**
 * Which reviews gate which action. A review row says so (gates_json); rows from before reviews
 * were configurable (null) keep the org's legacy settings_json.gates, else today's defaults.
 */
export async function gatesOf(db: Reader, orgId: string): Promise<Gates> {
  const [templates, settings] = await Promise.all([currentTemplates(db, orgId), orgSettings(db, orgId)]);
  const legacy = LegacyGates.safeParse(settings.settings);
  const legacyGates = { ...LEGACY_DEFAULT, ...(legacy.success ? legacy.data.gates : {}) };
  const gates: Record<string, string[]> = {};
  for (const template of templates) {
    const tools =
      template.gates_json ??
      Object.entries(legacyGates)
        .filter(([, kinds]) => (kinds as readonly string[]).includes(template.kind))
        .map(([action]) => GATE_TOOLS[action as keyof typeof legacyGates]);
    for (const tool of tools) {
      const action = gateActionOf(tool);
      if (action) gates[action] = [...(gates[action] ?? []), template.kind];
    }
  }
  return gates;
}

/** The reason list of `list` if the org set one. */
export async function checkReason(unit: Unit, list: ReasonList, reason: string): Promise<void> {
  must(checkReasonCode(list, reason, (await rulesOf(unit.db, unit.orgId)).reasons[list]));
}

/**
 * The process rules of a gated pursuit action after its own guard passed: reason code, required
 * fields (all named at once), then the sign-off, which is consumed by the action.
 */
export async function passRules(
  unit: Unit,
  pursuit: Row<'pursuits'>,
  tool: GatedTool,
  args: Readonly<Record<string, unknown>>,
  reason?: { list: ReasonList; value: string },
): Promise<void> {
  const rules = await rulesOf(unit.db, unit.orgId);
  if (reason) must(checkReasonCode(reason.list, reason.value, rules.reasons[reason.list]));
  // What the org requires of this action, and the fields required from the state it moves into.
  const to = PURSUIT_MACHINE.transitions.find((t) => t.action === tool && t.from.includes(pursuit.state))?.to;
  const required = [
    ...(rules.requiredFields[tool] ?? []),
    ...(to === undefined || to === HELD_FROM ? [] : await fieldsForMove(unit, 'pursuit', pursuit, to)),
  ];
  must(
    checkRequiredFields(tool, required, givenFields(pursuit, args), { entity: 'pursuit', id: pursuit.id }),
  );
  const role = rules.signOffs[tool];
  if (role === undefined) return;
  const latest = await unit.db
    .selectFrom('sign_offs')
    .select(['id', 'state', 'decision_note'])
    .where('org_id', '=', unit.orgId)
    .where('pursuit_id', '=', pursuit.id)
    .where('action', '=', tool)
    .where('consumed_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const id = must(
    checkSignOff(
      tool,
      role,
      latest && { id: latest.id, state: latest.state, decisionNote: latest.decision_note },
      pursuit.id,
    ),
  );
  await unit.db.updateTable('sign_offs').set({ consumed_at: unit.now }).where('id', '=', id).execute();
}

// ---- views ---------------------------------------------------------------------------------

const ReviewView = z.object({
  key: z.string(),
  title: z.string(),
  subject: z.enum(REVIEW_SUBJECTS),
  version: z.number().int(),
  gates: z.array(z.string()),
  afterClose: z.boolean(),
  items: z.array(
    z.object({ key: z.string(), label: z.string(), required: z.boolean(), help: z.string().nullable() }),
  ),
});

export const ProcessView = z.object({
  reviews: z.array(ReviewView),
  rules: ProcessRules,
  defaultReasons: z.record(z.string(), z.array(z.string())),
});
export type ProcessView = z.output<typeof ProcessView>;

async function processView(db: Reader, orgId: string): Promise<ProcessView> {
  const [templates, gates, rules] = await Promise.all([
    currentTemplates(db, orgId),
    gatesOf(db, orgId),
    rulesOf(db, orgId),
  ]);
  const items =
    templates.length === 0
      ? []
      : await db
          .selectFrom('checklist_template_items')
          .selectAll()
          .where(
            'template_id',
            'in',
            templates.map((t) => t.id),
          )
          .orderBy('position')
          .execute();
  return {
    reviews: templates.map((t) => ({
      key: t.kind,
      title: t.name,
      subject: t.subject,
      version: t.version,
      gates: Object.entries(gates)
        .filter(([, kinds]) => kinds?.includes(t.kind))
        .map(([action]) => ALL_GATE_TOOLS[action as keyof typeof ALL_GATE_TOOLS]),
      afterClose: Boolean(t.is_after_close),
      items: items
        .filter((i) => i.template_id === t.id)
        .map((i) => ({ key: i.item_key, label: i.label, required: Boolean(i.is_required), help: i.help })),
    })),
    rules,
    defaultReasons: Object.fromEntries(Object.entries(DEFAULT_REASONS).map(([k, v]) => [k, [...v]])),
  };
}

export const getProcess = query({
  input: z.strictObject({}),
  output: ProcessView,
  run: (deps, actor) => run(deps, actor, (unit) => processView(unit.db, unit.orgId)),
});

// ---- reviews -------------------------------------------------------------------------------

export const SetChecklistTemplate = z.strictObject({
  key: ReviewKey.describe('Review key, e.g. blue.'),
  title: text(200),
  items: z
    .array(
      z.strictObject({
        key: z
          .string()
          .trim()
          .regex(/^[a-z][a-z0-9_]{0,79}$/, 'lower case, e.g. win_themes'),
        label: text(400),
        required: z.boolean().default(true),
        help: z.string().trim().max(1000).optional(),
      }),
    )
    .min(1)
    .max(50)
    .describe('In order.'),
  subject: z.enum(REVIEW_SUBJECTS).default('pursuit').describe('Whose review; a key keeps its subject.'),
  gates: z.array(z.enum(REVIEW_GATES)).max(5).default([]).describe('Actions it must be done before.'),
  afterClose: z.boolean().default(false).describe('Worked after won/lost; gates nothing.'),
});

/** Creates a review or its next version; open pursuits keep theirs until apply_checklist_template. */
export const setChecklistTemplate = change({
  input: SetChecklistTemplate,
  output: ProcessView,
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) => {
      await requireAdmin(unit, 'Changing a review');
      const keys = input.items.map((i) => i.key);
      const twice = keys.find((key, index) => keys.indexOf(key) !== index);
      if (twice) refuse(validation('items', `item key \`${twice}\` appears twice.`));
      if (input.afterClose && input.gates.length > 0)
        refuse(validation('gates', 'an after-close review gates nothing; leave gates empty.'));
      const allowed = gatedToolsOf(input.subject);
      const foreign = input.gates.find((tool) => !allowed.includes(tool));
      if (foreign)
        refuse(
          validation(
            'gates',
            `a ${input.subject} review gates ${allowed.join(', ')}, not ${foreign}; set subject to match or drop it.`,
          ),
        );
      if (input.afterClose && input.subject === 'candidate')
        refuse(
          validation('afterClose', 'a candidate review is worked before promotion; leave afterClose false.'),
        );
      const current = (await currentTemplates(unit.db, unit.orgId)).find((t) => t.kind === input.key);
      if (current && current.subject !== input.subject)
        refuse(
          validation(
            'subject',
            `review \`${input.key}\` is a ${current.subject} review; a key keeps its subject (use a new key).`,
          ),
        );
      const version = (current?.version ?? 0) + 1;
      const id = newId('tpl', unit.now);
      await unit.db
        .insertInto('checklist_templates')
        .values({
          id,
          org_id: unit.orgId,
          kind: input.key,
          name: input.title,
          version,
          gates_json: toJson(input.gates),
          is_after_close: input.afterClose,
          subject: input.subject,
          created_at: unit.now,
          updated_at: unit.now,
        })
        .execute();
      await unit.db
        .insertInto('checklist_template_items')
        .values(
          input.items.map((item, position) => ({
            id: newId('tpli', unit.now),
            org_id: unit.orgId,
            template_id: id,
            item_key: item.key,
            label: item.label,
            is_required: item.required,
            position,
            help: item.help ?? null,
          })),
        )
        .execute();
      await configEvent(unit, 'review_set', {
        key: input.key,
        version,
        subject: input.subject,
        gates: input.gates,
        afterClose: input.afterClose,
        items: keys,
      });
      return processView(unit.db, unit.orgId);
    }),
});

export const ApplyChecklistTemplate = z.strictObject({ key: ReviewKey.describe('Review key.') });
export const Applied = z.object({
  key: z.string(),
  version: z.number().int(),
  pursuits: z.number().int(),
  candidates: z.number().int(),
});

/**
 * Moves every open pursuit to the review's current version (adding it where missing): items
 * whose keys persist keep their state and note; new items start open; dropped items go.
 */
export const applyChecklistTemplate = change({
  input: ApplyChecklistTemplate,
  output: Applied,
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) => {
      await requireAdmin(unit, 'Applying a review');
      const template = (await currentTemplates(unit.db, unit.orgId)).find((t) => t.kind === input.key);
      if (!template) refuse({ ...notFound('checklist_template', input.key), nextStep: 'See get_process.' });
      const items = await unit.db
        .selectFrom('checklist_template_items')
        .selectAll()
        .where('template_id', '=', template.id)
        .orderBy('position')
        .execute();
      if (template.subject === 'candidate') {
        const moved = await applyCandidateReview(unit, template, items);
        if (moved > 0)
          await configEvent(unit, 'review_applied', {
            key: input.key,
            version: template.version,
            candidates: moved,
          });
        return { key: input.key, version: template.version, pursuits: 0, candidates: moved };
      }
      const pursuits = await unit.db
        .selectFrom('pursuits')
        .select(['id', 'version'])
        .where('org_id', '=', unit.orgId)
        .where('state', 'in', [...OPEN_PURSUIT_STATES])
        .execute();
      let moved = 0;
      for (const pursuit of pursuits) {
        const checklist = await unit.db
          .selectFrom('checklists')
          .selectAll()
          .where('pursuit_id', '=', pursuit.id)
          .where('kind', '=', input.key)
          .executeTakeFirst();
        if (checklist && checklist.template_id === template.id) continue;
        const old = checklist
          ? await unit.db
              .selectFrom('checklist_items')
              .selectAll()
              .where('checklist_id', '=', checklist.id)
              .execute()
          : [];
        const checklistId = checklist?.id ?? newId('chk', unit.now);
        if (checklist) {
          await unit.db.deleteFrom('checklist_items').where('checklist_id', '=', checklist.id).execute();
          await unit.db
            .updateTable('checklists')
            .set({ template_id: template.id, template_version: template.version })
            .where('id', '=', checklist.id)
            .execute();
        } else {
          await unit.db
            .insertInto('checklists')
            .values({
              id: checklistId,
              org_id: unit.orgId,
              pursuit_id: pursuit.id,
              kind: input.key,
              template_id: template.id,
              template_version: template.version,
              created_at: unit.now,
            })
            .execute();
        }
        await unit.db
          .insertInto('checklist_items')
          .values(carriedItems(unit, checklistId, items, old))
          .execute();
        await unit.bump('pursuits', pursuit.id, pursuit.version, {});
        await unit.event({
          entityType: 'pursuit',
          entityId: pursuit.id,
          type: 'pursuit.checklist_applied',
          data: { checklist: input.key, version: template.version },
        });
        moved += 1;
      }
      // Applying a version every open pursuit already has changes nothing and records nothing.
      if (moved > 0)
        await configEvent(unit, 'review_applied', {
          key: input.key,
          version: template.version,
          pursuits: moved,
        });
      return { key: input.key, version: template.version, pursuits: moved, candidates: 0 };
    }),
});

// ---- rules ---------------------------------------------------------------------------------

export const SetProcessRules = ProcessRules.partial();

/** Replaces the rule groups it names (requiredFields, reasons, signOffs), keeping the others. */
export const setProcessRules = change({
  input: SetProcessRules,
  output: ProcessView,
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) => {
      await requireAdmin(unit, 'Changing the process rules');
      for (const [tool, fields] of Object.entries(input.requiredFields ?? {})) {
        const allowed = REQUIRABLE[tool as GatedTool];
        const bad = (fields ?? []).find(
          (f) => !allowed.includes(f) && !/^fields\.[A-Za-z0-9_]{1,100}$/.test(f),
        );
        if (bad)
          refuse(
            validation(
              `requiredFields.${tool}`,
              `\`${bad}\` is not an argument of ${tool} (${allowed.join(', ') || 'none'}) nor fields.<key>.`,
            ),
          );
      }
      const read = await orgSettings(unit.db, unit.orgId);
      const before = await rulesOf(unit.db, unit.orgId);
      const rules = { ...before, ...input };
      // Setting the rules they already are changes nothing and records nothing (a safe retry).
      if (toJson(rules) === toJson(before)) return processView(unit.db, unit.orgId);
      await unit.setOrgSetting(read, 'process', rules);
      await configEvent(unit, 'rules_set', { changed: Object.keys(input), ...input } as JsonObject);
      return processView(unit.db, unit.orgId);
    }),
});

// ---- sign-offs -----------------------------------------------------------------------------

export const SignOffView = z.object({
  id: z.string(),
  pursuitId: z.string(),
  action: z.string(),
  role: z.string(),
  state: z.enum(['requested', 'approved', 'rejected']),
  requestedBy: z.string(),
  note: z.string().nullable(),
  decisionNote: z.string().nullable(),
});
export type SignOffView = z.output<typeof SignOffView>;

export function signOffView(row: Row<'sign_offs'>): SignOffView {
  return {
    id: row.id,
    pursuitId: row.pursuit_id,
    action: row.action,
    role: row.role,
    state: row.state,
    requestedBy: row.requested_by,
    note: row.request_note,
    decisionNote: row.decision_note,
  };
}

export const RequestSignOff = z.strictObject({
  pursuitId: PursuitId,
  action: z.enum(GATED_TOOLS),
  note: z.string().trim().max(2000).optional(),
});

/** Asks the approving role for a sign-off; asking again while one is open answers that one. */
export const requestSignOff = change({
  input: RequestSignOff,
  output: SignOffView,
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) => {
      const pursuit = await loadPursuit(unit.db, unit.orgId, input.pursuitId);
      must(
        permitWork(PURSUIT_ACTIONS_TABLE, pursuit.state, 'request_sign_off', {
          id: pursuit.id,
          heldFrom: pursuit.held_from_state,
        }),
      );
      const role = (await rulesOf(unit.db, unit.orgId)).signOffs[input.action];
      if (role === undefined)
        refuse(validation('action', `${input.action} needs no sign-off in this organization; just call it.`));
      const open = await unit.db
        .selectFrom('sign_offs')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .where('pursuit_id', '=', pursuit.id)
        .where('action', '=', input.action)
        .where('consumed_at', 'is', null)
        .where('state', 'in', ['requested', 'approved'])
        .executeTakeFirst();
      if (open) return signOffView(open);
      const row = {
        id: newId('sgn', unit.now),
        org_id: unit.orgId,
        pursuit_id: pursuit.id,
        action: input.action,
        role,
        state: 'requested' as const,
        requested_by: unit.actor.memberId,
        requested_at: unit.now,
        request_note: input.note ?? null,
        decided_by: null,
        decided_at: null,
        decision_note: null,
        consumed_at: null,
      };
      await unit.db.insertInto('sign_offs').values(row).execute();
      await unit.event({
        entityType: 'pursuit',
        entityId: pursuit.id,
        type: 'pursuit.sign_off_requested',
        data: { signOffId: row.id, action: input.action, role },
      });
      return signOffView(row);
    }),
});

export const DecideSignOff = z.strictObject({
  signOffId: z.string().regex(/^sgn_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a sign-off id (sgn_…)'),
  decision: z.enum(['approve', 'reject']),
  note: z.string().trim().max(2000).optional().describe('Why; needed to reject.'),
});

/** A member of the approving role, other than the requester, approves or rejects. */
export const decideSignOff = change({
  input: DecideSignOff,
  output: SignOffView,
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) => {
      const row = await unit.db
        .selectFrom('sign_offs')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .where('id', '=', input.signOffId)
        .executeTakeFirst();
      if (!row) refuse(notFound('sign_off', input.signOffId));
      const state = input.decision === 'approve' ? 'approved' : 'rejected';
      if (row.state === state && row.decided_by === unit.actor.memberId) return signOffView(row);
      if (row.state !== 'requested')
        refuse(validation('signOffId', `sign-off ${row.id} was ${row.state} already.`));
      if (row.role === 'admin') await requireAdmin(unit, 'This sign-off');
      if (row.requested_by === unit.actor.memberId)
        refuse(
          validation('signOffId', 'the requester cannot decide their own sign-off; another member must.'),
        );
      if (state === 'rejected' && !input.note)
        refuse(validation('note', 'a rejection needs a note saying what to address.'));
      const decided = {
        state,
        decided_by: unit.actor.memberId,
        decided_at: unit.now,
        decision_note: input.note ?? null,
      } as const;
      await unit.db.updateTable('sign_offs').set(decided).where('id', '=', row.id).execute();
      await unit.event({
        entityType: 'pursuit',
        entityId: row.pursuit_id,
        type: `pursuit.sign_off_${state}`,
        reason: input.note ?? null,
        data: { signOffId: row.id, action: row.action },
      });
      return signOffView({ ...row, ...decided });
    }),
});

/** Requests the caller may decide, for the Today Panel: their role's, not their own. */
export async function signOffsFor(unit: Unit): Promise<SignOffView[]> {
  const { role } = unit.caller;
  const roles = role === 'admin' ? ['admin', 'member'] : role === 'member' ? ['member'] : [];
  if (roles.length === 0) return [];
  const rows = await unit.db
    .selectFrom('sign_offs')
    .selectAll()
    .where('org_id', '=', unit.orgId)
    .where('state', '=', 'requested')
    .where('role', 'in', roles)
    .where('requested_by', '<>', unit.actor.memberId)
    .orderBy('id')
    .limit(20)
    .execute();
  return rows.map(signOffView);
}

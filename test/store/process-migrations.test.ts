/**
 * Migrations 0007 (process) and 0008 (candidate reviews) on a database that has data, on each
 * dialect: a database is built at migration 0006 (`migrate` with the files up to it), pursuits
 * are given checklists the way the code before 0007 wrote them (templates with no version, the
 * org's gates in settings_json.gates), then 0007 runs, then 0008 and the rest. The pursuits keep
 * their checklists, item states and notes, completion and gates.
 */
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { type ChecklistsByKind, checkGate, completion } from '../../src/domain/checklist.js';
import { ManualClock } from '../../src/domain/clock.js';
import { WorkstreamError } from '../../src/domain/errors.js';
import { newId } from '../../src/domain/ids.js';
import { loadMigrations, migrate } from '../../src/store/migrator.js';
import { gateChecklists } from '../../src/workstream/load.js';
import { gatesOf } from '../../src/workstream/process.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { snapshot } from '../support/workstream.js';

const made = new Date('2026-02-02T09:00:00.000Z');
const ORG = newId('org', made);
const MEMBER = newId('mem', made);
const A = newId('pur', made);
const B = newId('pur', made);

/** The legacy gates: red before submitting too, besides the defaults. */
const LEGACY_SETTINGS = { gates: { submit: ['pink', 'red'] } };

const TEMPLATES = {
  pink: [
    ['compliance_matrix', 'Compliance matrix complete', true],
    ['win_themes', 'Win themes agreed', true],
    ['graphics_review', 'Graphics reviewed', false],
  ],
  red: [
    ['evaluator_scoring', 'Scored against the criteria', true],
    ['final_price_approval', 'Final price approved', true],
  ],
} as const;

/** Item states per pursuit and checklist: [state, note]. */
const STATES: Record<string, Record<string, [string, string | null][]>> = {
  [A]: {
    pink: [
      ['done', null],
      ['open', null],
      ['open', null],
    ],
    red: [
      ['n_a', 'No evaluation criteria published'],
      ['open', null],
    ],
  },
  [B]: {
    pink: [
      ['done', null],
      ['done', 'Agreed with the capture lead'],
      ['open', null],
    ],
    red: [
      ['done', null],
      ['done', null],
    ],
  },
};

const upTo = (dialect: Parameters<typeof loadMigrations>[0], last: string) =>
  loadMigrations(dialect).filter((m) => m.name <= last);

describeEachDialect(
  'migrations 0007 and 0008 on existing checklists',
  ({ dialect, store }) => {
    let itemsBefore: unknown[];
    let checklistsBefore: { id: string; pursuit_id: string; kind: string; template_id: string | null }[];

    beforeAll(async () => {
      const applied = await migrate(store(), upTo(dialect, '0006_search'));
      expect(applied.applied.at(-1)).toBe('0006_search');
      const db = store().db;
      // Rows as the code before 0007 wrote them (the columns 0007 adds do not exist yet).
      await db
        .insertInto('orgs')
        .values({
          id: ORG,
          name: 'Migrated',
          slug: `migrated-${dialect}`,
          settings_json: JSON.stringify(LEGACY_SETTINGS),
        } as never)
        .execute();
      await db
        .insertInto('members')
        .values({
          id: MEMBER,
          org_id: ORG,
          email: 'ada@migrated.test',
          display_name: 'Ada',
          role: 'admin',
        } as never)
        .execute();
      for (const [n, pursuitId] of [A, B].entries()) {
        const candidateId = newId('cand', made);
        await db
          .insertInto('candidates')
          .values({
            id: candidateId,
            org_id: ORG,
            title: `Lead ${n}`,
            account_name: `Account ${n}`,
            natural_key: `account ${n}|`,
            state: 'promoted',
            created_by: MEMBER,
          } as never)
          .execute();
        await db
          .insertInto('pursuits')
          .values({
            id: pursuitId,
            org_id: ORG,
            candidate_id: candidateId,
            title: `Bid ${n}`,
            account_name: `Account ${n}`,
            state: 'proposal',
            created_by: MEMBER,
          } as never)
          .execute();
      }
      for (const [t, [kind, items]] of Object.entries(TEMPLATES).entries()) {
        const templateId = newId('tpl', new Date(made.getTime() + t));
        await db
          .insertInto('checklist_templates')
          .values({ id: templateId, org_id: ORG, kind, name: `${kind} team` } as never)
          .execute();
        await db
          .insertInto('checklist_template_items')
          .values(
            items.map(([key, label, required], position) => ({
              id: newId('tpli', made),
              org_id: ORG,
              template_id: templateId,
              item_key: key,
              label,
              is_required: required,
              position,
            })) as never,
          )
          .execute();
        for (const [p, pursuitId] of [A, B].entries()) {
          const checklistId = newId('chk', new Date(made.getTime() + 10 * t + p));
          await db
            .insertInto('checklists')
            .values({
              id: checklistId,
              org_id: ORG,
              pursuit_id: pursuitId,
              kind,
              template_id: templateId,
            } as never)
            .execute();
          await db
            .insertInto('checklist_items')
            .values(
              items.map(([key, label, required], position) => {
                const [state, note] = STATES[pursuitId]?.[kind]?.[position] ?? ['open', null];
                return {
                  id: newId('item', made),
                  org_id: ORG,
                  checklist_id: checklistId,
                  item_key: key,
                  label,
                  is_required: required,
                  position,
                  state,
                  note,
                  updated_by: MEMBER,
                };
              }) as never,
            )
            .execute();
        }
      }
      itemsBefore = await db.selectFrom('checklist_items').selectAll().orderBy('id').execute();
      checklistsBefore = await db
        .selectFrom('checklists')
        .select(['id', 'pursuit_id', 'kind', 'template_id'])
        .orderBy('id')
        .execute();
      expect(itemsBefore).toHaveLength(10);
    });

    it('0007 keeps every checklist and item; the templates become version 1 with the legacy gates', async () => {
      const applied = await migrate(store(), upTo(dialect, '0007_process'));
      expect(applied.applied).toEqual(['0007_process']);
      const db = store().db;
      expect(await db.selectFrom('checklist_items').selectAll().orderBy('id').execute()).toEqual(itemsBefore);
      const checklists = await db.selectFrom('checklists').selectAll().orderBy('id').execute();
      expect(
        checklists.map(({ id, pursuit_id, kind, template_id }) => ({ id, pursuit_id, kind, template_id })),
      ).toEqual(checklistsBefore);
      expect(checklists.map((c) => c.template_version)).toEqual(checklists.map(() => 1));
      const templates = await db.selectFrom('checklist_templates').selectAll().orderBy('id').execute();
      expect(templates.map((t) => [t.kind, t.version, t.gates_json, Boolean(t.is_after_close)])).toEqual([
        ['pink', 1, null, false],
        ['red', 1, null, false],
      ]);
      // Null gates_json reads the org's legacy settings_json.gates over the defaults.
      const gates = await gatesOf(db, ORG);
      expect(gates).toEqual({ submit: ['pink', 'red'], won: ['red'], lost: ['red'] });
      const a: ChecklistsByKind = await gateChecklists(db, ORG, A);
      expect(completion(a.pink ?? [])).toEqual({ done: 1, total: 3, applicable: 3, percent: 33 });
      expect(completion(a.red ?? [])).toEqual({ done: 0, total: 2, applicable: 1, percent: 0 });
      const gate = checkGate('submit', gates, a, { entity: 'pursuit', id: A });
      expect(gate.ok).toBe(false);
      if (!gate.ok) expect(gate.failure).toMatchObject({ review: 'pink', missing: [{ key: 'win_themes' }] });
      const b = await gateChecklists(db, ORG, B);
      expect(checkGate('submit', gates, b, { entity: 'pursuit', id: B })).toEqual({
        ok: true,
        value: undefined,
      });
    });

    it('0008 and the rest keep them too: pursuit reviews, the same completion, the same gates', async () => {
      const applied = await migrate(store());
      expect(applied.applied[0]).toBe('0008_candidate_reviews');
      const db = store().db;
      expect(await db.selectFrom('checklist_items').selectAll().orderBy('id').execute()).toEqual(itemsBefore);
      const templates = await db
        .selectFrom('checklist_templates')
        .select(['kind', 'subject'])
        .orderBy('id')
        .execute();
      expect(templates).toEqual([
        { kind: 'pink', subject: 'pursuit' },
        { kind: 'red', subject: 'pursuit' },
      ]);
      expect(await db.selectFrom('candidate_checklists').selectAll().execute()).toEqual([]);

      const ws = createWorkstream(store(), new ManualClock('2026-03-02T09:00:00.000Z'));
      const actor = { orgId: ORG, memberId: MEMBER };
      const pursuit = await ws.getPursuit(actor, { pursuitId: A });
      expect(pursuit.checklists.map((c) => [c.kind, c.completion])).toEqual([
        ['pink', { done: 1, total: 3, applicable: 3, percent: 33 }],
        ['red', { done: 0, total: 2, applicable: 1, percent: 0 }],
      ]);
      expect(pursuit.checklists[1]?.items[0]).toMatchObject({
        key: 'evaluator_scoring',
        state: 'n_a',
        note: 'No evaluation criteria published',
      });
      const process = await ws.getProcess(actor, {});
      expect(process.reviews.map((r) => [r.key, r.subject, r.version, r.gates])).toEqual([
        ['pink', 'pursuit', 1, ['submit_pursuit']],
        ['red', 'pursuit', 1, ['submit_pursuit', 'mark_won', 'mark_lost']],
      ]);
      // The gate refuses as it did before the migrations, and writes nothing.
      const before = await snapshot(store());
      const refused = await ws.submitPursuit(actor, { pursuitId: A }).then(
        () => null,
        (error: unknown) => (error instanceof WorkstreamError ? error.failure : error),
      );
      expect(refused).toMatchObject({
        code: 'GUARD_FAILED',
        review: 'pink',
        missing: [{ key: 'win_themes' }],
      });
      expect(await snapshot(store())).toEqual(before);
    });

    // SQLite only: the other dialects check foreign keys on every statement.
    if (dialect === 'sqlite')
      it('refuses, on SQLite, a migration that would leave a row referring to a missing one, and keeps foreign keys on', async () => {
        const dangling = {
          name: '0099_dangling',
          checksum: '0'.repeat(64),
          statements: [
            `insert into checklist_items (id, org_id, checklist_id, item_key, label, position) values ('item_x', '${ORG}', 'chk_missing', 'k', 'k', 0)`,
          ],
        };
        await expect(migrate(store(), [...loadMigrations(dialect), dangling])).rejects.toThrow(
          /0099_dangling\.sql would leave 1 row\(s\) referring to missing rows \(first: checklist_items → checklists\)/,
        );
        const db = store().db;
        expect(
          await db.selectFrom('checklist_items').select('id').where('id', '=', 'item_x').execute(),
        ).toEqual([]);
        expect(
          await db
            .selectFrom('workstream_migrations')
            .select('name')
            .where('name', '=', '0099_dangling')
            .execute(),
        ).toEqual([]);
        const on = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
        expect(on.rows[0]?.foreign_keys).toBe(1);
      });
  },
  { migrate: false },
);

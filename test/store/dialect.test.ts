import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import {
  databaseNow,
  insertReturning,
  limitRows,
  normaliseRow,
  nowPlusSql,
  toJson,
  uniqueViolation,
  updateReturning,
  violates,
} from '../../src/store/dialect.js';
import { describeEachDialect } from '../support/databases.js';
import { seedOrg } from '../support/seed.js';

describeEachDialect('dialect', ({ dialect, store }) => {
  let orgId: string;
  beforeAll(async () => {
    orgId = await seedOrg(store());
  });

  it('reads the database clock as a Date in UTC', async () => {
    const now = await databaseNow(store().db, dialect);
    expect(now).toBeInstanceOf(Date);
    expect(Math.abs(now.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('adds milliseconds to the database clock', async () => {
    const { db } = store();
    const row = (
      await sql<{
        now_at: Date;
        later_at: Date;
        earlier_at: Date;
      }>`select ${sql`${nowPlusSql(dialect, 0)}`} as now_at,
        ${nowPlusSql(dialect, 90_000)} as later_at, ${nowPlusSql(dialect, -3_600_000)} as earlier_at`.execute(
        db,
      )
    ).rows[0];
    expect(row).toBeDefined();
    if (!row) return;
    expect(row.later_at.getTime() - row.now_at.getTime()).toBeGreaterThanOrEqual(89_000);
    expect(row.later_at.getTime() - row.now_at.getTime()).toBeLessThanOrEqual(91_000);
    expect(row.now_at.getTime() - row.earlier_at.getTime()).toBeGreaterThanOrEqual(3_599_000);
  });

  it('returns inserted and updated rows with dates, booleans and JSON in one shape', async () => {
    const { db } = store();
    const [inserted] = await insertReturning(
      dialect,
      db.insertInto('webhook_endpoints').values({
        id: newId('whk'),
        org_id: orgId,
        url: 'https://hooks.example.com/a',
        secret: 's3cret',
        event_types_json: toJson(['candidate.created']),
      }),
    );
    expect(inserted?.is_active).toBe(true);
    expect(inserted?.event_types_json).toEqual(['candidate.created']);
    expect(inserted?.created_at).toBeInstanceOf(Date);

    const [updated] = await updateReturning(
      dialect,
      db
        .updateTable('webhook_endpoints')
        .set({ is_active: false, updated_at: new Date('2026-03-01T10:00:00.000Z') })
        .where('id', '=', inserted?.id ?? ''),
    );
    expect(updated?.is_active).toBe(false);
    expect(updated?.updated_at.toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });

  it('limits a select to n rows', async () => {
    const { db } = store();
    for (let i = 0; i < 3; i++) await seedOrg(store());
    const rows = await limitRows(dialect, db.selectFrom('orgs').select('id').orderBy('id'), 2).execute();
    expect(rows).toHaveLength(2);
  });

  it('recognises a unique violation and names its constraint', async () => {
    const { db } = store();
    const slug = `dup-${newId('org').slice(-8).toLowerCase()}`;
    await db
      .insertInto('orgs')
      .values({ id: newId('org'), name: 'A', slug })
      .execute();
    const error = await db
      .insertInto('orgs')
      .values({ id: newId('org'), name: 'B', slug })
      .execute()
      .then(
        () => null,
        (e: unknown) => e,
      );
    const violation = uniqueViolation(error);
    expect(violation).not.toBeNull();
    expect(violates(violation, 'orgs_slug_key', 'orgs.slug')).toBe(true);
    expect(violates(violation, 'members_org_email_key', 'members.org_id, members.email')).toBe(false);
  });

  it('does not mistake another error for a unique violation', async () => {
    const error = await sql`select * from no_such_table`.execute(store().db).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    expect(uniqueViolation(error)).toBeNull();
  });
});

describe('row conventions', () => {
  it('reads *_at text as Date, is_* integers as booleans and *_json text as values', () => {
    expect(
      normaliseRow({
        due_at: '2026-01-02T03:04:05.006Z',
        is_required: 0,
        fields_json: '{"a":[1]}',
        title: '2026-01-02T03:04:05.006Z',
      }),
    ).toEqual({
      due_at: new Date('2026-01-02T03:04:05.006Z'),
      is_required: false,
      fields_json: { a: [1] },
      title: '2026-01-02T03:04:05.006Z',
    });
  });

  it('leaves values the driver already converted alone', () => {
    const date = new Date();
    expect(normaliseRow({ due_at: date, is_active: true, data_json: { a: 1 }, due: null })).toEqual({
      due_at: date,
      is_active: true,
      data_json: { a: 1 },
      due: null,
    });
  });
});

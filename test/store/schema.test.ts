import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { CandidateState } from '../../src/domain/candidate.js';
import { connect } from '../../src/store/connect.js';
import { DIALECTS, migrationLockSql, toJson, uniqueViolation } from '../../src/store/dialect.js';
import { loadMigrations, MigrationError, migrate } from '../../src/store/migrator.js';
import { runCli } from '../support/cli.js';
import { createDatabase, describeEachDialect } from '../support/databases.js';
import { describeSchema, OWN, withoutOwn } from '../support/schema-files.js';
import { seedEvent, seedOrg } from '../support/seed.js';

describe('schema files', () => {
  const postgres = describeSchema('postgres');

  it('describe the whole domain', () => {
    expect(Object.keys(postgres.tables).sort()).toEqual(
      [
        'access_events',
        'activities',
        'api_tokens',
        'business_calendars',
        'candidate_checklist_items',
        'candidate_checklists',
        'candidates',
        'checklist_items',
        'checklist_template_items',
        'checklist_templates',
        'checklists',
        'dead_letters',
        'enrichments',
        'events',
        'members',
        'orgs',
        'outbox',
        'outbox_cursor',
        'outbox_leases',
        'proposal_versions',
        'pursuits',
        'search_documents',
        'sign_offs',
        'signals',
        'sla_clocks',
        'sla_policies',
        'state_stays',
        'tags',
        'today_counts',
        'web_sessions',
        'webhook_endpoints',
      ].sort(),
    );
  });

  for (const dialect of DIALECTS.filter((d) => d !== 'postgres')) {
    it(`of ${dialect} have the same tables, columns, constraints and indexes as PostgreSQL's`, () => {
      const other = describeSchema(dialect);
      const own = OWN[dialect] ?? { columns: {}, names: [] };
      // The dialect's own columns and indexes are there, and nothing else differs.
      for (const [table, columns] of Object.entries(own.columns))
        expect(other.tables[table]).toEqual(expect.arrayContaining(columns));
      expect(other.names).toEqual(expect.arrayContaining(own.names));
      const shared = withoutOwn(dialect, other);
      expect(shared.tables).toEqual(postgres.tables);
      expect(shared.names).toEqual(postgres.names);
    });
  }
});

describeEachDialect(
  'migrations',
  ({ dialect, store, url }) => {
    it('apply from empty, then apply nothing the second time', async () => {
      const first = await migrate(store());
      expect(first.applied).toEqual(loadMigrations(dialect).map((m) => m.name));
      const second = await migrate(store());
      expect(second.applied).toEqual([]);
      expect(second.current).toEqual(first.current);
      const orgs = await store()
        .db.selectFrom('orgs')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(orgs.n)).toBe(0);
    });

    it('check a database already at this version without waiting for the migration lock', async () => {
      await migrate(store());
      // Another process holds what migrating takes: SQLite's write lock (a worker's write
      // transaction) or PostgreSQL's migration lock. A start that needed it would wait for it.
      const other = await connect(url());
      let holding: () => void = () => {};
      let held: () => void = () => {};
      const release = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const lockHeld = new Promise<void>((resolve) => {
        held = resolve;
      });
      const holder = other.db.transaction().execute(async (tx) => {
        const lock = migrationLockSql(dialect);
        if (lock) await lock.execute(tx);
        else
          await sql`insert into workstream_migrations (name, checksum) values ('held', 'held')`.execute(tx);
        held();
        await release;
        throw new Error('rolled back');
      });
      try {
        await lockHeld;
        const result = await migrate(store());
        expect(result.applied).toEqual([]);
        expect(result.current).toEqual(loadMigrations(dialect).map((m) => m.name));
      } finally {
        holding();
        await expect(holder).rejects.toThrow('rolled back');
        await other.close();
      }
    });

    it('refuse to start when an applied file was changed', async () => {
      const changed = loadMigrations(dialect).map((m, i) =>
        i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m,
      );
      await expect(migrate(store(), changed)).rejects.toThrow(MigrationError);
      await expect(migrate(store(), changed)).rejects.toThrow(/changed after it was applied/);
    });

    it('refuse to start when the database is newer than the files', async () => {
      await expect(migrate(store(), [])).rejects.toThrow(/does not know/);
    });

    it('apply once when several processes start at the same moment', async () => {
      const database = await createDatabase(dialect);
      try {
        const runs = await Promise.all(
          Array.from({ length: 3 }, () => runCli(['migrate', '--db', database.url])),
        );
        for (const run of runs) expect(run.stderr).toBe('');
        expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
        // Each file is applied by exactly one of them, whichever took the lock for it.
        const applied = runs.flatMap((run) => /applied ([^;]+);/.exec(run.stdout)?.[1]?.split(', ') ?? []);
        expect(applied.sort()).toEqual(loadMigrations(dialect).map(({ name }) => name));
      } finally {
        await database.drop();
      }
    });
  },
  { migrate: false },
);

describeEachDialect('unique constraints', ({ store }) => {
  /** Inserts a row twice (the second with fresh ids) and returns what the second insert threw. */
  async function secondInsertError(insert: () => Promise<unknown>): Promise<unknown> {
    await insert();
    return insert().then(
      () => null,
      (error: unknown) => error,
    );
  }

  const candidate = (orgId: string, id: string, state: CandidateState = 'new') => ({
    id,
    org_id: orgId,
    title: 'Acme RFP',
    account_name: 'Acme',
    natural_key: 'acme|rfp-1',
    state,
    created_by: 'test',
  });

  it('refuse a second signal with the same source and external reference', async () => {
    const orgId = await seedOrg(store());
    let n = 0;
    const error = await secondInsertError(() =>
      store()
        .db.insertInto('signals')
        .values({
          id: `sig_${n++}_${orgId}`,
          org_id: orgId,
          source: 'sam.gov',
          external_ref: 'X-1',
          title: 'RFP',
          received_at: new Date(),
          created_by: 'test',
        })
        .execute(),
    );
    expect(uniqueViolation(error)).not.toBeNull();
  });

  it('refuse a second open candidate with the same natural key, but not beside a closed one', async () => {
    const orgId = await seedOrg(store());
    const { db } = store();
    await db
      .insertInto('candidates')
      .values(candidate(orgId, `cand_a_${orgId}`, 'disqualified'))
      .execute();
    await db
      .insertInto('candidates')
      .values(candidate(orgId, `cand_b_${orgId}`, 'merged'))
      .execute();
    await db
      .insertInto('candidates')
      .values(candidate(orgId, `cand_c_${orgId}`))
      .execute();
    const error = await db
      .insertInto('candidates')
      .values(candidate(orgId, `cand_d_${orgId}`, 'qualified'))
      .execute()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(uniqueViolation(error)).not.toBeNull();
  });

  it('refuse a second pursuit for one candidate', async () => {
    const orgId = await seedOrg(store());
    const { db } = store();
    await db
      .insertInto('candidates')
      .values(candidate(orgId, `cand_p_${orgId}`, 'promoted'))
      .execute();
    let n = 0;
    const error = await secondInsertError(() =>
      db
        .insertInto('pursuits')
        .values({
          id: `pur_${n++}_${orgId}`,
          org_id: orgId,
          candidate_id: `cand_p_${orgId}`,
          title: 'T',
          account_name: 'Acme',
          created_by: 'test',
        })
        .execute(),
    );
    expect(uniqueViolation(error)).not.toBeNull();
  });

  it('refuse a second delivery of one event to one destination', async () => {
    const orgId = await seedOrg(store());
    const eventId = await seedEvent(store(), orgId);
    let n = 0;
    const error = await secondInsertError(() =>
      store()
        .db.insertInto('outbox')
        .values({
          id: `obx_${n++}_${orgId}`,
          org_id: orgId,
          event_id: eventId,
          destination: 'webhook',
          payload_json: toJson({}),
        })
        .execute(),
    );
    expect(uniqueViolation(error)).not.toBeNull();
  });

  it('refuse a second open SLA clock of one kind on one entity', async () => {
    const orgId = await seedOrg(store());
    let n = 0;
    const now = new Date();
    const error = await secondInsertError(() =>
      store()
        .db.insertInto('sla_clocks')
        .values({
          id: `clk_${n++}_${orgId}`,
          org_id: orgId,
          kind: 'triage',
          entity_type: 'candidate',
          entity_id: `cand_${orgId}`,
          started_at: now,
          due_at: now,
          warn_at: now,
        })
        .execute(),
    );
    expect(uniqueViolation(error)).not.toBeNull();
  });

  it('refuse duplicate members, tags and SLA policies', async () => {
    const orgId = await seedOrg(store());
    const { db } = store();
    let n = 0;
    const member = await secondInsertError(() =>
      db
        .insertInto('members')
        .values({ id: `mem_${n++}_${orgId}`, org_id: orgId, email: 'a@x.com', display_name: 'A' })
        .execute(),
    );
    const tag = await secondInsertError(() =>
      db
        .insertInto('tags')
        .values({ org_id: orgId, entity_type: 'candidate', entity_id: 'cand_1', tag: 'federal' })
        .execute(),
    );
    const policy = await secondInsertError(() =>
      db
        .insertInto('sla_policies')
        .values({ id: `slap_${n++}_${orgId}`, org_id: orgId, kind: 'triage', target_minutes: 60 })
        .execute(),
    );
    expect([member, tag, policy].map((e) => uniqueViolation(e) !== null)).toEqual([true, true, true]);
  });
});

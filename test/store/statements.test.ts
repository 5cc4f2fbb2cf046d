import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Store } from '../../src/store/connect.js';
import { migrate } from '../../src/store/migrator.js';
import { run } from '../../src/workstream/unit-of-work.js';
import { createDatabase, PG_URL, type TestDatabase } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';

describe('SQLite binds Dates and booleans as it stores them', () => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createDatabase('sqlite');
    store = await connect(database.url);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('in built queries and in raw SQL alike', async () => {
    const at = new Date('2026-01-02T03:04:05.006Z');
    const raw = await sql<{ t: string; b: number }>`select ${at} as t, ${true} as b`.execute(store.db);
    expect(raw.rows[0]).toEqual({ t: '2026-01-02T03:04:05.006Z', b: 1 });
    await sql`create table stamps (id integer primary key, made_at text, is_on integer)`.execute(store.db);
    const db = store.db as unknown as import('kysely').Kysely<{
      stamps: { id: number; made_at: Date; is_on: boolean };
    }>;
    await db.insertInto('stamps').values({ id: 1, made_at: at, is_on: false }).execute();
    const row = await db.selectFrom('stamps').selectAll().where('made_at', '=', at).executeTakeFirst();
    expect(row).toEqual({ id: 1, made_at: at, is_on: false });
  });
});

describe.runIf(PG_URL)('PostgreSQL plans a statement once per connection', () => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createDatabase('postgres');
    store = await connect(database.url, { poolSize: 1 });
    await migrate(store);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const prepared = async () =>
    (
      await sql<{
        statement: string;
      }>`select statement from pg_prepared_statements order by statement`.execute(store.db)
    ).rows.map((row) => row.statement);

  it('names a parameterised statement and runs it again without planning it anew', async () => {
    const text = (n: number) => sql<{ n: number }>`select ${n}::int + 1 as n`.execute(store.db);
    expect((await text(1)).rows[0]?.n).toBe(2);
    expect((await text(41)).rows[0]?.n).toBe(42);
    const statements = await prepared();
    expect(statements.filter((s) => s.includes('+ 1 as n'))).toHaveLength(1);
  });

  it('plans afresh when a table it reads changed shape, failing that one execution only', async () => {
    await sql`create table shapes (id int primary key, a int)`.execute(store.db);
    await sql`insert into shapes values (1, 10)`.execute(store.db);
    const read = () => sql<Record<string, number>>`select * from shapes where id = ${1}`.execute(store.db);
    expect((await read()).rows[0]).toEqual({ id: 1, a: 10 });
    await sql`alter table shapes add column b int default 7`.execute(store.db);
    const failed = await read().then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    // PostgreSQL refuses the plan whose result changed shape once (a unit of work runs again on it), then it is planned again.
    expect(failed).toBe('0A000');
    expect((await read()).rows[0]).toEqual({ id: 1, a: 10, b: 7 });
  });

  it('runs a unit of work again when its prepared plan went stale, so the command answers', async () => {
    const org = await testOrg(store);
    await sql`create table stale (id int primary key, a int)`.execute(store.db);
    await sql`insert into stale values (1, 10)`.execute(store.db);
    const read = () =>
      run(org.ws.deps, org.actor, async (unit) => {
        const result = await sql<Record<string, number>>`select * from stale where id = ${1}`.execute(
          unit.db,
        );
        return result.rows[0];
      });
    expect(await read()).toEqual({ id: 1, a: 10 });
    await sql`alter table stale add column b int default 7`.execute(store.db);
    expect(await read()).toEqual({ id: 1, a: 10, b: 7 });
  });
});

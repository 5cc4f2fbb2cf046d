/**
 * Runs once per test run: refuses to run without PostgreSQL in CI, checks the test servers
 * answer, and afterwards drops every database the run created.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export async function setup(): Promise<() => Promise<void>> {
  const pgUrl = process.env.WORKSTREAM_TEST_PG_URL;
  if (!pgUrl && process.env.CI === 'true') {
    throw new Error(
      'CI=true but WORKSTREAM_TEST_PG_URL is not set: the PostgreSQL contract suites must run in CI',
    );
  }
  if (!pgUrl) {
    process.stderr.write(
      'WORKSTREAM_TEST_PG_URL is not set: the PostgreSQL suites are skipped (set it to run them).\n',
    );
  }
  // Test files run in worker processes that inherit this; it names the run's databases.
  process.env.WORKSTREAM_TEST_RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `ws_test_${process.env.WORKSTREAM_TEST_RUN}_`;

  if (pgUrl) {
    const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.end();
    } catch (error) {
      throw new Error(`WORKSTREAM_TEST_PG_URL=${pgUrl} does not answer: ${(error as Error).message}`);
    }
  }

  return async () => {
    if (!pgUrl) return;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const left = await client.query<{ datname: string }>(
        'select datname from pg_database where datname like $1',
        [`${prefix}%`],
      );
      for (const { datname } of left.rows)
        await client.query(`drop database if exists "${datname}" with (force)`);
    } finally {
      await client.end();
    }
  };
}

import { describe, expect, it } from 'vitest';
import { ConnectError, connect, maskUrl, parseDatabaseUrl } from '../../src/store/connect.js';

describe('connect', () => {
  it('masks the password in URLs it reports', () => {
    expect(maskUrl('postgres://sales:hunter2@db.internal:5432/ws')).toBe(
      'postgres://sales:***@db.internal:5432/ws',
    );
    expect(maskUrl('sqlite:/tmp/x.db')).toBe('sqlite:/tmp/x.db');
  });

  it('recognises the three dialects by scheme', () => {
    expect(parseDatabaseUrl('sqlite:./a.db').dialect).toBe('sqlite');
    expect(parseDatabaseUrl('postgresql://h/db').dialect).toBe('postgres');
    expect(parseDatabaseUrl('mssql://u:p@h:1433/db').dialect).toBe('mssql');
  });

  it('refuses an unknown scheme with the schemes it knows', () => {
    expect(() => parseDatabaseUrl('mysql://u:pw@h/db')).toThrow(
      "mysql://u:***@h/db: unsupported scheme 'mysql:'; use sqlite:, postgres:// or mssql://",
    );
  });

  it('refuses a SQL Server URL without a database name', () => {
    expect(() => parseDatabaseUrl('mssql://u:p@h:1433/')).toThrow(/name the database/);
  });

  it('says nothing is listening, in one line with the password masked, when the port is closed', async () => {
    const error = await connect('postgres://sales:hunter2@127.0.0.1:1/ws', { connectTimeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toBe(
      'postgres://sales:***@127.0.0.1:1/ws: nothing is listening at 127.0.0.1:1; is the database server running?',
    );
  });

  it('says the SQLite file cannot be opened when its folder is not writable', async () => {
    const error = await connect('sqlite:/etc/hostname/sub/x.db').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toMatch(
      /^sqlite:\/etc\/hostname\/sub\/x\.db: cannot open the SQLite file .*check the folder exists and is writable$/,
    );
  });
});

describe.skipIf(!process.env.WORKSTREAM_TEST_PG_URL)('connect to PostgreSQL', () => {
  it('says the database does not exist when it does not', async () => {
    const url = new URL(process.env.WORKSTREAM_TEST_PG_URL ?? '');
    url.pathname = '/no_such_workstream_db';
    const error = await connect(url.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toMatch(
      /the database does not exist on 127\.0\.0\.1:5432; create it first$/,
    );
  });
});

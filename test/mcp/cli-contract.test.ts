/**
 * The command line behaves like the server: every command migrates a fresh data directory
 * first, and every expected failure is one line on stderr with a non-zero exit code, never a
 * stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/server/auth.js';
import { CLI, type CliResult, exited, runCli, spawnCli } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';
import { orgIdentity, printed } from './support.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'workstream-cli-'));
  dirs.push(dir);
  return dir;
};

/** One line on stderr, no stack trace, the exit code given. */
function oneLine(result: CliResult, code: number, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('the command line on a fresh data directory', () => {
  it.each([
    [['outbox', 'stats'], /^\{"pending":0/],
    [['outbox', 'dead-letters'], /^no dead letters\n$/],
    [['outbox', 'replay', '--all'], /^replayed 0 dead letters\n$/],
  ])('%j migrates first and answers', async (args, stdout) => {
    const result = await runCli([...args, '--data-dir', freshDataDir()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(stdout);
    expect(result.stderr).not.toMatch(/no such table|\n\s+at /);
  });

  it('runs the worker on a fresh data directory without a missing table, and stops on SIGTERM', async () => {
    const child = spawnCli(['worker', '--data-dir', freshDataDir(), '--sla-sweep-seconds', '1']);
    await printed(child, /worker/i);
    // A second for the first claims and the first sweep to run against the new schema.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(child.output()).not.toMatch(/no such table|"level":50/);
  });

  it.each([[['serve', '--http', '--worker']], [['start']]])(
    '%j with the port taken prints one line and exits',
    async (args) => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as AddressInfo;
      try {
        const result = await runCli([...args, '--port', String(port), '--data-dir', freshDataDir()]);
        oneLine(result, 2, new RegExp(`^workstream: cannot listen on 127.0.0.1:${port}: the port is in use`));
        expect(result.stderr).not.toMatch(/destroyed/);
      } finally {
        taken.close();
      }
    },
  );

  it('prints help with every flag apart from its variable', async () => {
    const result = await runCli(['help']);
    expect(result.code).toBe(0);
    for (const line of result.stdout.split('\n').filter((l) => l.includes('WORKSTREAM_')))
      expect(line, line).toMatch(/^ {2}--\S+( VALUE)? {2,}WORKSTREAM_[A-Z_]+$/);
  });

  it('logs the end of a stdio session once', async () => {
    const dir = freshDataDir();
    const org = await runCli([
      'org',
      'create',
      'acme',
      '--name',
      'Acme',
      '--admin',
      'ada@acme.test',
      '--data-dir',
      dir,
    ]);
    expect(org.code, org.stderr).toBe(0);
    // The client goes away: stdin reports its end and its close, and the session ends once.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'serve', '--org', 'acme', '--actor', 'ada@acme.test', '--data-dir', dir],
      { env: { ...process.env, WORKSTREAM_LOG_LEVEL: 'info' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end('\n');
    expect(await code).toBe(0);
    expect(stderr).toMatch(/serving MCP on stdio/);
    expect(stderr.match(/stdio session ended/g)).toHaveLength(1);
  });
});

describeEachDialect('the command line refusals', (db) => {
  it('refuses an existing organization and a malformed slug in one line each', async () => {
    const org = await testOrg(db.store());
    const { slug } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const base = ['--name', 'Again', '--admin', 'x@example.com', '--db', db.url()];
    oneLine(await runCli(['org', 'create', slug, ...base]), 1, /^workstream: DUPLICATE: .*/);
    oneLine(await runCli(['org', 'create', 'Not A Slug!', ...base]), 1, /^workstream: VALIDATION: .*slug/);
  });

  it('refuses an existing member and an unknown role in one line each', async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const add = (more: string[]) =>
      runCli(['member', 'add', '--org', slug, '--name', 'Someone', '--db', db.url(), ...more]);
    oneLine(await add(['--email', email]), 1, /^workstream: DUPLICATE: .*/);
    oneLine(
      await add(['--email', `new-${Date.now()}@example.com`, '--role', 'boss']),
      1,
      /^workstream: VALIDATION: .*role/,
    );
  });

  it('revokes a token given the token itself, as stdout printed it', async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const created = await runCli(['token', 'create', '--org', slug, '--member', email, '--db', db.url()]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(created.stderr).toMatch(/token revoke tok_/);
    expect(await authenticate(db.store(), token)).not.toBeNull();
    const revoked = await runCli(['token', 'revoke', token, '--db', db.url()]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked /);
    expect(await authenticate(db.store(), token)).toBeNull();
    oneLine(await runCli(['token', 'revoke', token, '--db', db.url()]), 1, /^workstream: no live token/);
  });
});

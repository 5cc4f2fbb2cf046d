/** The server's commands as an operator runs them: demo, token, serve --http and the two-command start. */

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/server/auth.js';
import { exited, runCli, spawnCli } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';
import { MODERN, ok, orgIdentity, printed } from './support.js';

describeEachDialect('workstream demo and token', (db) => {
  it('loads the demo organization once, with work in every state', async () => {
    const first = await runCli(['demo', '--db', db.url()]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^loaded: organization 'demo' in .* with \d+ signals, \d+ candidates, \d+ pursuits; act as dana@demo.example\n$/,
    );
    const again = await runCli(['demo', '--db', db.url()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout.replace(/^loaded/, 'already loaded'));

    const { db: kysely } = db.store();
    const org = await kysely
      .selectFrom('orgs')
      .select('id')
      .where('slug', '=', 'demo')
      .executeTakeFirstOrThrow();
    const states = async (table: 'signals' | 'candidates' | 'pursuits') =>
      new Set(
        (await kysely.selectFrom(table).select('state').where('org_id', '=', org.id).execute()).map(
          (row) => row.state,
        ),
      );
    expect(await states('signals')).toEqual(new Set(['new', 'accepted', 'dismissed']));
    expect(await states('candidates')).toEqual(
      new Set(['new', 'contacted', 'qualified', 'promoted', 'disqualified', 'merged']),
    );
    expect(await states('pursuits')).toEqual(
      new Set(['capture', 'proposal', 'submitted', 'won', 'lost', 'no_bid', 'cancelled', 'on_hold']),
    );
    const count = async (table: 'signals' | 'candidates' | 'pursuits') =>
      (await kysely.selectFrom(table).select('id').where('org_id', '=', org.id).execute()).length;
    expect(await count('signals')).toBeGreaterThanOrEqual(30);
    expect(await count('candidates')).toBeGreaterThanOrEqual(30);
    expect(await count('pursuits')).toBeGreaterThanOrEqual(12);
    const tagged = await kysely.selectFrom('tags').select('tag').where('org_id', '=', org.id).execute();
    expect(new Set(tagged.map((row) => row.tag)).size).toBeGreaterThan(5);
  });

  it('issues a token once, usable until revoked', async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const created = await runCli([
      'token',
      'create',
      '--org',
      slug,
      '--member',
      email,
      '--name',
      'laptop',
      '--db',
      db.url(),
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^wst_[A-Za-z0-9_-]{43}\n$/);
    const token = created.stdout.trim();
    const auth = await authenticate(db.store(), token);
    expect(auth?.extra).toMatchObject({ orgId: org.orgId, memberId: org.actor.memberId, via: 'static' });
    const id = String(auth?.clientId);
    expect(created.stderr).toContain(id);

    const revoked = await runCli(['token', 'revoke', id, '--db', db.url()]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${id}\n` });
    expect(await authenticate(db.store(), token)).toBeNull();
    expect((await runCli(['token', 'revoke', id, '--db', db.url()])).code).toBe(1);

    const unknown = await runCli([
      'token',
      'create',
      '--org',
      slug,
      '--member',
      'ghost@example.com',
      '--db',
      db.url(),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^workstream: ghost@example.com is not a member/);
  });

  it('creates an organization and adds members from the command line', async () => {
    const slug = `cli-${Date.now().toString(36)}`;
    const org = await runCli([
      'org',
      'create',
      slug,
      '--name',
      'CLI Co',
      '--admin',
      'boss@cli.example',
      '--db',
      db.url(),
    ]);
    expect(org.code, org.stderr).toBe(0);
    const member = await runCli([
      'member',
      'add',
      '--org',
      slug,
      '--email',
      'rep@cli.example',
      '--name',
      'Rep',
      '--db',
      db.url(),
    ]);
    expect(member.code, member.stderr).toBe(0);
    expect(
      (await runCli(['token', 'create', '--org', slug, '--member', 'rep@cli.example', '--db', db.url()]))
        .code,
    ).toBe(0);
  });
});

describe('workstream serve --http and workstream start', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'workstream-start-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTP on the port it is given, printing the URL, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const child = spawnCli(['serve', '--http', '--port', '0', '--data-dir', dir]);
    const [, url] = await printed(child, /MCP over Streamable HTTP at (http:\/\/127\.0\.0\.1:\d+\/mcp)\n/);
    const health = await fetch(String(url).replace(/\/mcp$/, '/api/health'));
    expect(health.status).toBe(200);
    expect((await fetch(String(url), { method: 'POST' })).status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('stops with one line when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const result = await runCli(['serve', '--http', '--port', String(port), '--data-dir', tempDir()]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^workstream: cannot listen on 127.0.0.1:${port}: the port is in use`),
      );
    } finally {
      taken.close();
    }
  });

  it('starts on the embedded database with the demo organization and prints ready-to-paste configurations', async () => {
    const dir = tempDir();
    const child = spawnCli(['start', '--port', '0', '--data-dir', dir]);
    await printed(child, /Stop with Ctrl-C/);
    const banner = child.output();
    const url = banner.match(/MCP endpoint\s+(http:\/\/127\.0\.0\.1:\d+\/mcp)/)?.[1] ?? '';
    const token = banner.match(/Bearer token\s+(wst_\S+)/)?.[1] ?? '';
    expect(banner).toContain(
      `claude mcp add --transport http workstream ${url} --header "Authorization: Bearer ${token}"`,
    );
    expect(banner).toMatch(
      /claude mcp add workstream --env WORKSTREAM_DB_URL=sqlite:\S+ --env WORKSTREAM_ORG=demo --env WORKSTREAM_ACTOR=dana@demo.example -- \S+ \S+dist\/src\/cli\.js serve/,
    );
    const desktop = JSON.parse(
      banner.slice(banner.indexOf('{\n  "mcpServers"'), banner.indexOf('\n}\n') + 2),
    );
    expect(desktop.mcpServers.workstream).toMatchObject({
      command: process.execPath,
      args: [expect.stringMatching(/dist\/src\/cli\.js$/), 'serve'],
      env: {
        WORKSTREAM_DB_URL: `sqlite:${join(dir, 'workstream.db')}`,
        WORKSTREAM_ORG: 'demo',
        WORKSTREAM_ACTOR: 'dana@demo.example',
      },
    });
    expect(statSync(join(dir, 'demo-token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'demo-token'), 'utf8').trim()).toBe(token);

    const client = new Client({ name: 'start-test', version: '1.0.0' }, MODERN);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const panel = await ok(client, 'get_today_panel', {});
    expect(panel.total).toBeGreaterThan(10);
    await client.close();
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);

    // A second start reuses the demo data and the token: the pasted configurations still work.
    const again = spawnCli(['start', '--port', '0', '--data-dir', dir]);
    await printed(again, /Stop with Ctrl-C/);
    expect(again.output()).toContain(`Bearer token  ${token}`);
    expect(again.output()).toMatch(/Organization {2}demo \(54 signals/);
    again.kill('SIGTERM');
    expect(await exited(again)).toBe(0);
  });
});

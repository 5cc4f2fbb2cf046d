/** Static tokens that expire, and members that leave: their tokens stop at once, history keeps them. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { issueToken } from '../../src/server/auth.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { inMemoryClient, ok, orgIdentity, quiet } from '../mcp/support.js';
import { runCli } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { refusal, testOrg } from '../support/workstream.js';
import { bearer, INITIALIZE, raw, toolCall } from './http.js';

describeEachDialect('static tokens and members', (db) => {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  let server: RunningHttpServer;

  beforeAll(async () => {
    server = await startHttpServer({
      store: db.store(),
      workstream: createWorkstream(db.store(), clock),
      log: quiet,
      metrics: new Metrics(),
      host: '127.0.0.1',
      port: 0,
      clock,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('creates a token with --expires-in that works until then and is refused after, naming the expiry', async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const created = await runCli([
      'token',
      'create',
      '--org',
      slug,
      '--member',
      email,
      '--expires-in',
      '2h',
      '--db',
      db.url(),
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/valid until \d{4}-\d\d-\d\dT/);
    const row = await db
      .store()
      .db.selectFrom('api_tokens')
      .select(['created_at', 'expires_at'])
      .where('org_id', '=', org.orgId)
      .executeTakeFirstOrThrow();
    expect((row.expires_at?.getTime() ?? 0) - row.created_at.getTime()).toBe(2 * 3_600_000);
    const cliToken = await db
      .store()
      .db.selectFrom('api_tokens')
      .select('id')
      .where('org_id', '=', org.orgId)
      .executeTakeFirstOrThrow();
    const revoked = await runCli(['token', 'revoke', cliToken.id, '--db', db.url()]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const admin = await inMemoryClient(org.ws, org.actor);
    try {
      const trail = await ok(admin, 'list_access_events', {});
      expect(trail.items.map((event: { kind: string }) => event.kind)).toEqual([
        'token_revoked',
        'token_issued',
      ]);
      expect(trail.items[1]).toMatchObject({
        tokenId: cliToken.id,
        detail: { expiresAt: row.expires_at?.toISOString() },
      });
    } finally {
      await admin.close();
    }

    const issued = await issueToken(
      db.store(),
      { orgSlug: slug, email, name: 'short', expiresInMs: 3_600_000 },
      clock,
    );
    expect(
      (await raw(server.url, { method: 'POST', headers: bearer(issued.token), body: INITIALIZE })).status,
    ).toBe(200);
    clock.advance({ minutes: 61 });
    const late = await raw(server.url, { method: 'POST', headers: bearer(issued.token), body: INITIALIZE });
    expect(late.status).toBe(401);
    expect(late.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect(JSON.parse(late.body).error_description).toMatch(
      new RegExp(`${issued.id} expired at 2026-03-02T10:00`),
    );
  });

  it('adds a member with the identity provider subject they are matched by', async () => {
    const org = await testOrg(db.store());
    const { slug } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const added = await runCli([
      'member',
      'add',
      '--org',
      slug,
      '--email',
      'job@svc.test',
      '--name',
      'Nightly job',
      '--subject',
      'nightly-job',
      '--db',
      db.url(),
    ]);
    expect(added.code, added.stderr).toBe(0);
    const row = await db
      .store()
      .db.selectFrom('members')
      .select(['subject', 'role'])
      .where('email', '=', 'job@svc.test')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ subject: 'nightly-job', role: 'member' });
  });

  it('refuses a malformed --expires-in with one line', async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const bad = await runCli([
      'token',
      'create',
      '--org',
      slug,
      '--member',
      email,
      '--expires-in',
      'soon',
      '--db',
      db.url(),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^workstream: --expires-in "soon": give a whole number of minutes, hours or days/,
    );
    expect(
      await db.store().db.selectFrom('api_tokens').select('id').where('org_id', '=', org.orgId).execute(),
    ).toEqual([]);
  });

  it('member remove: their tokens stop at once, the Workstream refuses them, history keeps their name', async () => {
    const org = await testOrg(db.store());
    const { slug } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: 'rep@leaving.test',
      name: 'Rita Rep',
    });
    const rita = { orgId: org.orgId, memberId };
    const issued = await issueToken(db.store(), { orgSlug: slug, email: 'rep@leaving.test', name: 'laptop' });
    const candidate = await org.ws.createCandidate(rita, { title: 'Bridge works', accountName: 'Acme' });
    const headers = bearer(issued.token);
    const before = await raw(server.url, { method: 'POST', headers, body: toolCall('list_candidates') });
    expect(before.status).toBe(200);

    const removed = await runCli([
      'member',
      'remove',
      '--org',
      slug,
      '--email',
      'rep@leaving.test',
      '--db',
      db.url(),
    ]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^removed rep@leaving.test from/);

    const after = await raw(server.url, { method: 'POST', headers, body: toolCall('list_candidates') });
    expect(after.status).toBe(401);
    expect(JSON.parse(after.body).error_description).toMatch(/was removed from the organization/);
    expect((await refusal(org.ws.listCandidates(rita, {}))).code).toBe('FORBIDDEN');

    const member = await db
      .store()
      .db.selectFrom('members')
      .selectAll()
      .where('id', '=', memberId)
      .executeTakeFirstOrThrow();
    expect(member).toMatchObject({ display_name: 'Rita Rep', email: 'rep@leaving.test' });
    expect(member.deactivated_at).toBeInstanceOf(Date);
    const admin = await inMemoryClient(org.ws, org.actor);
    try {
      const history = await ok(admin, 'get_history', { id: candidate.id });
      expect(history.items[0]).toMatchObject({ actorId: memberId });
      const trail = await ok(admin, 'list_access_events', { memberId });
      expect(trail.items.map((event: { kind: string }) => event.kind)).toEqual(
        expect.arrayContaining(['member_removed', 'token_refused']),
      );
      expect(trail.items[0].memberName).toBe('Rita Rep');
    } finally {
      await admin.close();
    }

    const again = await runCli([
      'member',
      'remove',
      '--org',
      slug,
      '--email',
      'rep@leaving.test',
      '--db',
      db.url(),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no active member rep@leaving.test/);
  });
});

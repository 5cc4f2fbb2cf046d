/**
 * The /today page's HTTP contract on every dialect (the browser itself: test/browser): signing
 * in with a token, the session cookie's rules, the panel JSON in the command's order, the
 * server-sent "changed" after a change made by an MCP client of either SDK, and refusals.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_ACTOR, DEMO_SLUG, loadDemo } from '../../src/demo/load.js';
import { inProcessFeed } from '../../src/live/feed.js';
import { issueToken, resolveActor, revokeToken } from '../../src/server/auth.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import type { Actor } from '../../src/workstream/deps.js';
import { createWorkstream, type Workstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { type Loose, MODERN, quiet } from './support.js';

describeEachDialect('the /today page over HTTP', (db) => {
  let server: RunningHttpServer;
  let base: string;
  let token: string;
  let tokenId: string;
  let actor: Actor;
  let workstream: Workstream;

  beforeAll(async () => {
    await loadDemo(db.store());
    ({ token, id: tokenId } = await issueToken(db.store(), {
      orgSlug: DEMO_SLUG,
      email: DEMO_ACTOR,
      name: 'web',
    }));
    actor = await resolveActor(db.store(), DEMO_SLUG, DEMO_ACTOR);
    workstream = createWorkstream(db.store());
    server = await serve();
    base = server.url.replace(/\/mcp$/, '');
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Another HTTP server process's worth on the same database (its own pool, sessions read from it). */
  const serve = (extra: { changeFeed?: ReturnType<typeof inProcessFeed> } = {}) =>
    startHttpServer({
      store: db.store(),
      workstream,
      log: quiet,
      metrics: new Metrics(),
      host: '127.0.0.1',
      port: 0,
      ...extra,
    });

  async function signIn(value = token, origin: string | null = base): Promise<Response> {
    return fetch(`${base}/today/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(origin === null ? {} : { origin }),
      },
      body: new URLSearchParams({ token: value }).toString(),
    });
  }

  async function session(value = token): Promise<string> {
    const res = await signIn(value);
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie') ?? '';
    return cookie.split(';')[0] ?? '';
  }

  it('exchanges a token for an HttpOnly, SameSite=Strict session cookie, only from its own origin', async () => {
    expect((await signIn(token, null)).status).toBe(403);
    expect((await signIn(token, 'http://evil.example')).status).toBe(403);
    expect((await signIn('wst_nope')).status).toBe(401);
    const res = await signIn();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/today');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^workstream_session=[A-Za-z0-9_-]{43}; Path=\/today; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    );
    const page = await fetch(`${base}/today`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<meta name="csrf" content="[A-Za-z0-9_-]{32}">/);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('answers the panel in the command’s own order, and refuses hostile parameters with 400', async () => {
    const cookie = await session();
    const panel: Loose = await (await fetch(`${base}/today/panel.json`, { headers: { cookie } })).json();
    const direct = await workstream.getTodayPanel(actor, {});
    expect(panel.items.map((i: Loose) => [i.id, i.flags])).toEqual(direct.items.map((i) => [i.id, i.flags]));
    expect(panel.items.length).toBeGreaterThan(5);
    for (const query of [
      'kind=everything',
      `tags=${encodeURIComponent('a\u0000b')}`,
      `tags=${encodeURIComponent("x' or 1=1 --".repeat(200))}`,
      `assignee=${'x'.repeat(10_000)}`,
      'limit=-1',
      "surprise=1'--",
    ]) {
      const res = await fetch(`${base}/today/panel.json?${query}`, { headers: { cookie } });
      expect(res.status, query.slice(0, 40)).toBe(400);
      expect(((await res.json()) as Loose).error.code).toBe('VALIDATION');
    }
    expect((await fetch(`${base}/today/pursuits/pur_x`, { headers: { cookie } })).status).toBe(400);
    expect(
      (await fetch(`${base}/today/pursuits/pur_01ARZ3NDEKTSV4RRFFQ69G5FAV`, { headers: { cookie } })).status,
    ).toBe(404);
  });

  it('pushes "changed" when an MCP client of either SDK changes the member’s panel', async () => {
    const cookie = await session();
    const v2 = new Client({ name: 'today-web-v2', version: '1' }, MODERN);
    await v2.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const v1 = new ClientV1({ name: 'today-web-v1', version: '1' });
    await v1.connect(
      new HttpTransportV1(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const open = (await workstream.getTodayPanel(actor, { kind: 'candidate' })).items.filter((i) =>
        ['new', 'contacted'].includes(i.state),
      );
      expect(open.length).toBeGreaterThanOrEqual(2);
      for (const [client, item] of [
        [v2, open[0]],
        [v1, open[1]],
      ] as const) {
        const controller = new AbortController();
        const res = await fetch(`${base}/today/events`, { headers: { cookie }, signal: controller.signal });
        expect(res.headers.get('content-type')).toBe('text/event-stream');
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        let seen = '';
        let acted = false;
        const heard = (async () => {
          while (!seen.includes('event: changed')) {
            const { value, done } = await reader.read();
            if (done) break;
            seen += new TextDecoder().decode(value);
            // Act once the stream has taken its first look at the panel.
            if (seen.includes('retry:') && !acted) {
              acted = true;
              await new Promise((r) => setTimeout(r, 200));
              const result = (await (client as Loose).callTool({
                name: 'log_touch',
                arguments: { candidateId: item?.id, kind: 'note', summary: 'noted over MCP' },
              })) as Loose;
              expect(result.isError).toBeFalsy();
            }
          }
        })();
        await heard;
        controller.abort();
        expect(seen).toContain('event: changed');
      }
    } finally {
      await v2.close();
      await v1.close();
    }
  });

  it('ends the session when its token is revoked or on sign-out, and requires the CSRF token to act', async () => {
    const cookie = await session();
    const page = await (await fetch(`${base}/today`, { headers: { cookie } })).text();
    const csrf = /name="csrf" content="([^"]+)"/.exec(page)?.[1] ?? '';
    const touch = (headers: Record<string, string>) =>
      fetch(`${base}/today/touch`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ candidateId: 'cand_01ARZ3NDEKTSV4RRFFQ69G5FAV', kind: 'call', summary: 'x' }),
      });
    expect((await touch({ origin: base })).status).toBe(403);
    expect((await touch({ origin: base, 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await touch({ origin: 'http://evil.example', 'x-csrf-token': csrf })).status).toBe(403);
    expect((await touch({ origin: base, 'x-csrf-token': csrf })).status).toBe(404);

    const out = await fetch(`${base}/today/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${csrf}`,
    });
    expect(out.status).toBe(303);
    expect((await fetch(`${base}/today/panel.json`, { headers: { cookie } })).status).toBe(401);
    const signedOut = await fetch(`${base}/today`, { headers: { cookie }, redirect: 'manual' });
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toBe('/today/sign-in');

    const again = await session();
    expect((await fetch(`${base}/today/panel.json`, { headers: { cookie: again } })).status).toBe(200);
    await revokeToken(db.store(), tokenId);
    expect((await fetch(`${base}/today/panel.json`, { headers: { cookie: again } })).status).toBe(401);
  });

  it('keeps sessions in the database: another server process takes the cookie, a restart keeps it, sign-out on one ends it on all', async () => {
    // The suite's own token was revoked above: this test signs in with one of its own.
    const { token: own, id: ownId } = await issueToken(db.store(), {
      orgSlug: DEMO_SLUG,
      email: DEMO_ACTOR,
      name: 'two',
    });
    const cookie = await session(own);
    const other = await serve();
    const otherBase = other.url.replace(/\/mcp$/, '');
    try {
      const key = createHash('sha256')
        .update(cookie.slice(cookie.indexOf('=') + 1))
        .digest('hex');
      const row = await db
        .store()
        .db.selectFrom('web_sessions')
        .selectAll()
        .where('id', '=', key)
        .executeTakeFirst();
      expect(row?.member_id).toBe(actor.memberId);
      expect(row?.token_id).toBe(ownId);
      // The cookie's value itself is stored nowhere.
      const values = await db.store().db.selectFrom('web_sessions').select('id').execute();
      expect(values.map((v) => v.id)).not.toContain(cookie.slice(cookie.indexOf('=') + 1));

      expect((await fetch(`${otherBase}/today/panel.json`, { headers: { cookie } })).status).toBe(200);
      // The form token is the same on both: it comes from the cookie, not from a process.
      const csrfAt = async (at: string) =>
        /name="csrf" content="([^"]+)"/.exec(
          await (await fetch(`${at}/today`, { headers: { cookie } })).text(),
        )?.[1];
      const csrf = await csrfAt(base);
      expect(csrf).toBeTruthy();
      expect(await csrfAt(otherBase)).toBe(csrf);

      const out = await fetch(`${otherBase}/today/sign-out`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, origin: otherBase, 'content-type': 'application/x-www-form-urlencoded' },
        body: `csrf=${csrf}`,
      });
      expect(out.status).toBe(303);
      expect((await fetch(`${base}/today/panel.json`, { headers: { cookie } })).status).toBe(401);
      expect(
        await db.store().db.selectFrom('web_sessions').select('id').where('id', '=', key).executeTakeFirst(),
      ).toBeUndefined();
    } finally {
      await other.close();
    }
    // A server started after the sign-in (a restart) knows the session.
    const later = await session(own);
    const restarted = await serve();
    try {
      const at = restarted.url.replace(/\/mcp$/, '');
      expect((await fetch(`${at}/today/panel.json`, { headers: { cookie: later } })).status).toBe(200);
    } finally {
      await restarted.close();
    }
  });

  it('clears sessions past their term at the next sign-in', async () => {
    const { token: own } = await issueToken(db.store(), {
      orgSlug: DEMO_SLUG,
      email: DEMO_ACTOR,
      name: 'three',
    });
    const cookie = await session(own);
    const key = createHash('sha256')
      .update(cookie.slice(cookie.indexOf('=') + 1))
      .digest('hex');
    await db
      .store()
      .db.updateTable('web_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', key)
      .execute();
    expect((await fetch(`${base}/today/panel.json`, { headers: { cookie } })).status).toBe(401);
    const stale = randomUUID();
    await db
      .store()
      .db.insertInto('web_sessions')
      .values({
        id: stale,
        org_id: actor.orgId,
        member_id: actor.memberId,
        token_id: null,
        expires_at: new Date(Date.now() - 1000),
        created_at: new Date(Date.now() - 9 * 3600 * 1000),
      })
      .execute();
    await session(own);
    expect(
      await db.store().db.selectFrom('web_sessions').select('id').where('id', '=', stale).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('sends "changed" from the change feed at once, for the member’s own items only', async () => {
    const feed = inProcessFeed();
    const fed = await serve({ changeFeed: feed });
    const fedBase = fed.url.replace(/\/mcp$/, '');
    const { token: fresh } = await issueToken(db.store(), {
      orgSlug: DEMO_SLUG,
      email: DEMO_ACTOR,
      name: 'feed',
    });
    try {
      const res = await fetch(`${fedBase}/today/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: fedBase },
        body: new URLSearchParams({ token: fresh }).toString(),
      });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const controller = new AbortController();
      const stream = await fetch(`${fedBase}/today/events`, {
        headers: { cookie },
        signal: controller.signal,
      });
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      let seen = '';
      while (!seen.includes('retry:')) seen += new TextDecoder().decode((await reader.read()).value);
      const change = (memberId: string) => ({
        orgId: actor.orgId,
        entityType: 'candidate' as const,
        entityId: 'cand_01ARZ3NDEKTSV4RRFFQ69G5FAV',
        members: [memberId],
        clocks: false,
        source: 'command' as const,
      });
      // Nothing in the database changed, so only the feed can be why the stream speaks.
      feed.publish([change('mem_01ARZ3NDEKTSV4RRFFQ69G5FAV')]);
      feed.publish([change(actor.memberId)]);
      const started = Date.now();
      while (!seen.includes('event: changed')) seen += new TextDecoder().decode((await reader.read()).value);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(seen.match(/event: changed/g)).toHaveLength(1);
      controller.abort();
    } finally {
      await fed.close();
      await feed.close();
    }
  });
});

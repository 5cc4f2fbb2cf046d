/**
 * Operators scrape real processes: `serve --http` at /metrics, `workstream worker` and `serve` on
 * stdio at --metrics-port, while they work. The series move with the work: a delivery raises the
 * delivery counter, a held connection shows in use, a breach raises the breach counter.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueToken } from '../../src/server/auth.js';
import { ok, orgIdentity, printed } from '../mcp/support.js';
import { CLI, exited, spawnCli } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { type Scrape, scrape } from '../support/metrics.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

const until = <T>(check: () => Promise<T> | T, timeout = 30_000) =>
  vi.waitFor(check, { timeout, interval: 100 });

/** Waits until a scrape satisfies `expectation` and returns that scrape. */
async function scrapeUntil(url: string, expectation: (metrics: Scrape) => void): Promise<Scrape> {
  return until(async () => {
    const metrics = await scrape(url);
    expectation(metrics);
    return metrics;
  });
}

describeEachDialect('metrics of running processes', ({ dialect, store, url }) => {
  let org: TestOrg;
  let identity: { slug: string; email: string };

  beforeAll(async () => {
    // Monday 2 March 2026: clocks started then are long overdue by the worker's real clock.
    org = await testOrg(store(), new Date('2026-03-02T09:00:00.000Z'));
    identity = await orgIdentity(store(), org.orgId, org.actor.memberId);
  });

  describe('serve --http', () => {
    let server: ReturnType<typeof spawnCli>;
    let base: string;
    let client: Client;

    beforeAll(async () => {
      const { token } = await issueToken(store(), {
        orgSlug: identity.slug,
        email: identity.email,
        name: 'metrics',
      });
      server = spawnCli(['serve', '--http', '--db', url(), '--port', '0'], { WORKSTREAM_LOG_LEVEL: 'warn' });
      const [, mcpUrl = ''] = await printed(server, /Streamable HTTP at (http:\S+\/mcp)/);
      base = mcpUrl.replace(/\/mcp$/, '');
      client = new Client({ name: 'metrics-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(mcpUrl), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
    }, 60_000);

    afterAll(async () => {
      await client?.close();
      server?.kill('SIGTERM');
      if (server) expect(await exited(server)).toBe(0);
    });

    it('exports pool, HTTP, tool-call and event-loop series', async () => {
      // The client's `initialized` notification may still be authenticating: wait for the pool to rest.
      const metrics = await scrapeUntil(`${base}/metrics`, (m) =>
        expect(m.value('workstream_db_pool_connections_in_use', { dialect })).toBe(0),
      );
      expect(metrics.value('workstream_db_pool_connections_max', { dialect })).toBe(
        dialect === 'sqlite' ? 1 : 10,
      );
      expect(metrics.value('workstream_db_pool_connections', { dialect })).toBeGreaterThanOrEqual(1);
      expect(metrics.value('workstream_db_pool_waiting_requests', { dialect })).toBe(0);
      expect(metrics.value('workstream_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(metrics.value('workstream_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    });

    it('counts requests by status and tool calls by outcome, and the pool lends a connection per call', async () => {
      const before = await scrape(`${base}/metrics`);
      const unauthorised = await fetch(`${base}/mcp`, { method: 'POST', body: '{}' });
      expect(unauthorised.status).toBe(401);
      await ok(client, 'create_candidate', { title: 'Scraped', accountName: `Scrape ${dialect}` });
      const after = await scrapeUntil(`${base}/metrics`, (metrics) =>
        expect(metrics.value('workstream_http_requests_total', { route: 'mcp', status: '401' })).toBe(
          (before.value('workstream_http_requests_total', { route: 'mcp', status: '401' }) ?? 0) + 1,
        ),
      );
      expect(after.value('workstream_tool_calls_total', { tool: 'create_candidate', outcome: 'ok' })).toBe(1);
      expect(after.value('workstream_http_requests_total', { route: 'mcp', status: '200' })).toBeGreaterThan(
        0,
      );
      expect(after.value('workstream_db_pool_acquire_duration_seconds_count', { dialect })).toBeGreaterThan(
        before.value('workstream_db_pool_acquire_duration_seconds_count', { dialect }) ?? 0,
      );
    });

    it.runIf(dialect === 'postgres')(
      'shows a connection in use while a tool call waits on a lock, and idle again after',
      async () => {
        const blocker = new pg.Client({ connectionString: url() });
        await blocker.connect();
        try {
          await blocker.query('begin');
          await blocker.query('lock table candidates in access exclusive mode');
          const call = ok(client, 'list_candidates', {});
          await scrapeUntil(`${base}/metrics`, (metrics) =>
            expect(
              metrics.value('workstream_db_pool_connections_in_use', { dialect }),
            ).toBeGreaterThanOrEqual(1),
          );
          await blocker.query('commit');
          await call;
          await scrapeUntil(`${base}/metrics`, (metrics) =>
            expect(metrics.value('workstream_db_pool_connections_in_use', { dialect })).toBe(0),
          );
        } finally {
          await blocker.end();
        }
      },
      60_000,
    );
  });

  describe('workstream worker --metrics-port', () => {
    let receiver: Receiver;
    let worker: ReturnType<typeof spawnCli>;
    let metricsUrl: string;

    beforeAll(async () => {
      receiver = await startReceiver();
      worker = spawnCli(['worker', '--db', url(), '--metrics-port', '0', '--sla-sweep-seconds', '1']);
      const [, found = ''] = await printed(worker, /"url":"(http:[^"]+)\/metrics"/);
      metricsUrl = found;
    }, 60_000);

    afterAll(async () => {
      worker?.kill('SIGTERM');
      if (worker) expect(await exited(worker)).toBe(0);
      await receiver?.close();
    });

    async function hook(path: string, eventTypes: string[]) {
      const registered = await org.ws.registerWebhook(org.actor, {
        url: `${receiver.url}${path}`,
        eventTypes,
      });
      receiver.secrets.set(path, registered.secret);
    }

    it('answers /healthz for an orchestrator', async () => {
      const response = await fetch(`${metricsUrl}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', role: 'worker' });
    });

    it('raises the delivery counter and the claims when it delivers, and shows the outbox gauges', async () => {
      const before = await scrape(`${metricsUrl}/metrics`);
      const delivered = (m: Scrape) =>
        m.value('workstream_outbox_deliveries_total', { destination: 'webhook', outcome: 'delivered' }) ?? 0;
      await hook('/delivered', ['candidate.created']);
      await org.ws.createCandidate(org.actor, { title: 'Deliver me', accountName: `Deliver ${dialect}` });
      await until(() => expect(receiver.deliveries.some((d) => d.path === '/delivered')).toBe(true));
      const after = await scrapeUntil(`${metricsUrl}/metrics`, (m) =>
        expect(delivered(m)).toBe(delivered(before) + 1),
      );
      expect(after.value('workstream_outbox_claimed_rows_total')).toBeGreaterThan(
        before.value('workstream_outbox_claimed_rows_total') ?? 0,
      );
      expect(
        after.value('workstream_outbox_delivery_duration_seconds_count', { destination: 'webhook' }),
      ).toBeGreaterThan(0);
      expect(
        after.value('workstream_outbox_delivery_lag_seconds_count', { destination: 'webhook' }),
      ).toBeGreaterThan(0);
      expect(after.value('workstream_outbox_pending_rows')).toBeGreaterThanOrEqual(0);
      expect(after.value('workstream_outbox_dead_letters')).toBe(0);
      expect(after.value('workstream_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);
      expect(after.value('workstream_db_pool_connections', { dialect })).toBeGreaterThanOrEqual(1);
    });

    it('counts a failed delivery and the retry it schedules', async () => {
      receiver.statuses.set('/failing', 503);
      await hook('/failing', ['candidate.created']);
      await org.ws.createCandidate(org.actor, { title: 'Fail me', accountName: `Fail ${dialect}` });
      const metrics = await scrapeUntil(`${metricsUrl}/metrics`, (m) =>
        expect(
          m.value('workstream_outbox_retries_scheduled_total', { destination: 'webhook' }),
        ).toBeGreaterThanOrEqual(1),
      );
      expect(
        metrics.value('workstream_outbox_deliveries_total', { destination: 'webhook', outcome: 'failed' }),
      ).toBeGreaterThanOrEqual(1);
      // The retry waits a minute: the row is pending, and the gauge says so.
      await scrapeUntil(`${metricsUrl}/metrics`, (m) =>
        expect(m.value('workstream_outbox_pending_rows')).toBeGreaterThanOrEqual(1),
      );
    });

    it('raises the breach counter when its sweep marks an overdue clock, and the clock gauges show it', async () => {
      const breaches = (m: Scrape) => m.value('workstream_sla_breaches_total', { kind: 'triage' }) ?? 0;
      const before = breaches(await scrape(`${metricsUrl}/metrics`));
      // Created on 2 March by the org's clock: the triage clock was due that evening.
      await org.ws.createCandidate(org.actor, { title: 'Overdue', accountName: `Overdue ${dialect}` });
      const metrics = await scrapeUntil(`${metricsUrl}/metrics`, (m) =>
        expect(breaches(m)).toBeGreaterThan(before),
      );
      expect(metrics.value('workstream_sla_warnings_total', { kind: 'triage' })).toBeGreaterThanOrEqual(1);
      expect(metrics.value('workstream_sla_sweep_duration_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(metrics.value('workstream_sla_sweep_marked_clocks_sum')).toBeGreaterThanOrEqual(2);
      await scrapeUntil(`${metricsUrl}/metrics`, (m) =>
        expect(m.value('workstream_sla_clocks_breached', { kind: 'triage' })).toBeGreaterThanOrEqual(1),
      );
      expect(metrics.value('workstream_sla_clocks_running', { kind: 'triage' })).toBeGreaterThanOrEqual(1);
    });
  });

  describe('serve on stdio --metrics-port', () => {
    it('exports the tool calls it answers', async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', CLI, 'serve'],
        env: {
          ...(process.env as Record<string, string>),
          WORKSTREAM_DB_URL: url(),
          WORKSTREAM_ORG: identity.slug,
          WORKSTREAM_ACTOR: identity.email,
          WORKSTREAM_METRICS_PORT: '0',
          WORKSTREAM_LOG_LEVEL: 'info',
        },
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const client = new Client({ name: 'metrics-test', version: '1.0.0' });
      await client.connect(transport);
      try {
        await ok(client, 'list_candidates', {});
        const metricsUrl = await until(() => {
          const found = /"url":"(http:[^"]+\/metrics)"/.exec(stderr)?.[1];
          expect(found).toBeDefined();
          return found ?? '';
        });
        const metrics = await scrape(metricsUrl);
        expect(metrics.value('workstream_tool_calls_total', { tool: 'list_candidates', outcome: 'ok' })).toBe(
          1,
        );
        expect(metrics.value('workstream_db_pool_connections_max', { dialect })).toBeGreaterThanOrEqual(1);
        const health = await fetch(metricsUrl.replace(/\/metrics$/, '/healthz'));
        expect(await health.json()).toEqual({ status: 'ok', role: 'server' });
      } finally {
        await client.close();
      }
    }, 60_000);
  });
});

/**
 * Providers that fail, as real processes (test/enrichment/fixtures/faulty-provider.mjs): not
 * found, exiting at start, crashing mid-call, hanging past the timeout, spinning and ignoring
 * SIGTERM. Each failure is recorded on the enrichment row, retried as configured, never changes
 * the candidate and never loses the event. SQLite only: what is tested here is the provider
 * side (processes, timeouts, restarts); the database writes are the same ones
 * sample-provider.test.ts runs on every dialect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichmentConfig } from '../../src/enrichment/config.js';
import { connect, type Store } from '../../src/store/connect.js';
import { migrate } from '../../src/store/migrator.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { createDatabase, type TestDatabase } from '../support/databases.js';
import {
  candidateRow,
  config,
  deadLetters,
  enrichingOrg,
  enrichmentRow,
  FAULTY_PROVIDER,
  type HttpProvider,
  isAlive,
  makeDue,
  outboxRows,
  pidsIn,
  startHttpProvider,
  until,
  worker,
} from './support.js';

/** A port nothing listens on: taken from the OS, then let go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

let database: TestDatabase;
let store: Store;
let dir: string;
let providers = 0;

beforeAll(async () => {
  database = await createDatabase('sqlite');
  store = await connect(database.url);
  await migrate(store);
  dir = mkdtempSync(join(tmpdir(), 'enrichment-failures-'));
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

interface Fixture {
  readonly name: string;
  readonly destination: string;
  readonly pidFile: string;
  readonly config: EnrichmentConfig;
}

/** A provider spawned from the faulty fixture in the given mode, with a fresh pid file. */
function fixture(
  mode: string,
  overrides: {
    timeoutMs?: number;
    startTimeoutMs?: number;
    tool?: string;
    command?: string;
    arguments?: Record<string, unknown>;
    passEnv?: string[];
  } = {},
): Fixture {
  const name = `faulty-${mode}-${++providers}`;
  const pidFile = join(dir, `${name}.pids`);
  return {
    name,
    destination: `enrichment:${name}`,
    pidFile,
    config: config({
      providers: [
        {
          name,
          transport: {
            type: 'stdio',
            command: overrides.command ?? process.execPath,
            args: [FAULTY_PROVIDER],
            env: { FIXTURE_MODE: mode, FIXTURE_PID_FILE: pidFile },
            passEnv: overrides.passEnv ?? [],
          },
          tool: overrides.tool ?? 'lookup_company',
          arguments: overrides.arguments ?? { name: '{{accountName}}' },
          result: { fields: { industry: 'company.industry' }, required: ['industry'] },
          timeoutMs: overrides.timeoutMs ?? 5_000,
          // A cold start of the fixture takes seconds on a loaded machine; tests of the call
          // timeout must not turn into start failures.
          startTimeoutMs: overrides.startTimeoutMs ?? 30_000,
        },
      ],
    }),
  };
}

/** Creates a candidate enriched by the fixture; returns it with its row as it was written. */
async function candidateFor(provider: Fixture, accountName = 'Northwind Freight') {
  const { ws, actor } = await enrichingOrg(store, provider.config);
  const candidate = await ws.createCandidate(actor, { title: `Deal with ${accountName}`, accountName });
  return { ws, actor, id: candidate.id, before: await candidateRow(store, candidate.id) };
}

/** Waits until the first attempt settled: the outbox row is back, unlocked, with its error. */
async function firstAttempt(provider: Fixture) {
  await until(async () => {
    const [row] = await outboxRows(store, provider.destination);
    expect(row).toMatchObject({ attempts: 1, locked_at: null, last_error: expect.any(String) });
  });
  const [row] = await outboxRows(store, provider.destination);
  return row;
}

describe('failing enrichment providers [sqlite]', () => {
  it('records a provider command that does not exist, retries, then fails and dead-letters', async () => {
    const provider = fixture('ok', { command: 'definitely-not-an-enrichment-provider' });
    const { id, before } = await candidateFor(provider);
    const running = worker(store, provider.config, { maxAttempts: 2 });
    try {
      await firstAttempt(provider);
      expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
        state: 'pending',
        attempts: 1,
        last_error: 'cannot start provider: spawn definitely-not-an-enrichment-provider ENOENT',
      });
      await makeDue(store, provider.destination);
      running.worker.wake();
      await until(async () => expect((await enrichmentRow(store, id, provider.name)).state).toBe('failed'));
    } finally {
      await running.stop();
    }
    expect(await outboxRows(store, provider.destination)).toEqual([]);
    const [letter] = await deadLetters(store, provider.destination);
    expect(letter).toMatchObject({
      attempts: 2,
      last_error: 'cannot start provider: spawn definitely-not-an-enrichment-provider ENOENT',
    });
    expect(letter?.payload_json).toMatchObject({ type: 'candidate.created', entityId: id });
    expect(await candidateRow(store, id)).toEqual(before);
  });

  it('records a provider that exits before answering, with its exit code and stderr', async () => {
    const provider = fixture('exit-at-start');
    const { id, before } = await candidateFor(provider);
    const running = worker(store, provider.config);
    try {
      await firstAttempt(provider);
    } finally {
      await running.stop();
    }
    expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
      state: 'pending',
      attempts: 1,
      last_error:
        'cannot start provider: process exited (code 2) before it answered; its stderr ended: fixture: refusing to start',
    });
    expect(await candidateRow(store, id)).toEqual(before);
  });

  it('gives up on a provider that never answers initialize within its start timeout, and stops it', async () => {
    const provider = fixture('mute-at-start', { startTimeoutMs: 300 });
    const { id, before } = await candidateFor(provider);
    const running = worker(store, provider.config);
    try {
      await firstAttempt(provider);
      const [mute] = pidsIn(provider.pidFile);
      await until(() => expect(isAlive(mute ?? 0)).toBe(false), 10_000);
    } finally {
      await running.stop();
    }
    expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
      state: 'pending',
      attempts: 1,
      last_error:
        'cannot start provider: no answer to initialize within 300 ms; its stderr ended: fixture: never answering',
    });
    expect(await candidateRow(store, id)).toEqual(before);
  });

  it('dead-letters at once a provider name the worker is not configured with, and says so on the row', async () => {
    const provider = fixture('ok');
    const { id, before } = await candidateFor(provider);
    const running = worker(store, config({ providers: [] }));
    try {
      await until(async () => expect(await deadLetters(store, provider.destination)).toHaveLength(1));
    } finally {
      await running.stop();
    }
    const error = `no enrichment provider named '${provider.name}' is configured in this worker (configured: none)`;
    expect((await deadLetters(store, provider.destination))[0]).toMatchObject({
      attempts: 1,
      last_error: error,
    });
    expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
      state: 'failed',
      last_error: error,
    });
    expect(pidsIn(provider.pidFile)).toEqual([]);
    expect(await candidateRow(store, id)).toEqual(before);
  });

  it('records a tool the provider does not offer', async () => {
    const provider = fixture('ok', { tool: 'find_company' });
    const { id } = await candidateFor(provider);
    const running = worker(store, provider.config);
    try {
      await firstAttempt(provider);
    } finally {
      await running.stop();
    }
    expect((await enrichmentRow(store, id, provider.name)).last_error).toBe(
      `tool find_company is not offered by provider ${provider.name}: Tool find_company not found`,
    );
  });

  it('records a provider that crashes mid-call, with its exit code and stderr, and dead-letters after the last attempt', async () => {
    const provider = fixture('crash');
    const { id, before } = await candidateFor(provider);
    const running = worker(store, provider.config, { maxAttempts: 2 });
    const crashed =
      'provider process exited (code 3) during the call; its stderr ended: fixture: crashing on purpose';
    try {
      await firstAttempt(provider);
      expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
        state: 'pending',
        attempts: 1,
        last_error: crashed,
      });
      await makeDue(store, provider.destination);
      running.worker.wake();
      await until(async () => expect(await deadLetters(store, provider.destination)).toHaveLength(1));
    } finally {
      await running.stop();
    }
    expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
      state: 'failed',
      attempts: 2,
      last_error: crashed,
    });
    // Restarted for the second attempt: a process per attempt, each gone.
    const pids = pidsIn(provider.pidFile);
    expect(pids).toHaveLength(2);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await candidateRow(store, id)).toEqual(before);
  });

  it('restarts a crashed provider for the next attempt, which succeeds', async () => {
    const provider = fixture('crash-first');
    const { id, before } = await candidateFor(provider);
    const running = worker(store, provider.config);
    try {
      await firstAttempt(provider);
      await makeDue(store, provider.destination);
      running.worker.wake();
      await until(async () => expect((await enrichmentRow(store, id, provider.name)).state).toBe('ok'));
    } finally {
      await running.stop();
    }
    expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
      attempts: 2,
      last_error: null,
      fields_json: { industry: 'Testing' },
    });
    expect(pidsIn(provider.pidFile)).toHaveLength(2);
    expect(await outboxRows(store, provider.destination)).toEqual([]);
    expect(await candidateRow(store, id)).toEqual(before);
  });

  it('gives up on a provider that hangs past the timeout, stops its process, and starts a new one next time', async () => {
    const provider = fixture('hang-first', { timeoutMs: 500 });
    const { id, before } = await candidateFor(provider);
    const running = worker(store, provider.config);
    try {
      const row = await firstAttempt(provider);
      expect(row?.last_error).toBe('provider did not answer within 500 ms');
      expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
        state: 'pending',
        attempts: 1,
        last_error: 'provider did not answer within 500 ms',
      });
      const [hung] = pidsIn(provider.pidFile);
      await until(() => expect(isAlive(hung ?? 0)).toBe(false), 10_000);

      await makeDue(store, provider.destination);
      running.worker.wake();
      await until(async () => expect((await enrichmentRow(store, id, provider.name)).state).toBe('ok'));
    } finally {
      await running.stop();
    }
    expect(pidsIn(provider.pidFile)).toHaveLength(2);
    expect(await candidateRow(store, id)).toEqual(before);
  });

  it('kills a provider that spins the CPU and ignores SIGTERM', async () => {
    const provider = fixture('block', { timeoutMs: 500 });
    const { id, before } = await candidateFor(provider);
    const running = worker(store, provider.config);
    try {
      await firstAttempt(provider);
      const [spinning] = pidsIn(provider.pidFile);
      // stdin closed, SIGTERM after 2 s, SIGKILL after 4 s (the SDK's close sequence).
      await until(() => expect(isAlive(spinning ?? 0)).toBe(false), 10_000);
    } finally {
      await running.stop();
    }
    expect((await enrichmentRow(store, id, provider.name)).last_error).toBe(
      'provider did not answer within 500 ms',
    );
    expect(await outboxRows(store, provider.destination)).toHaveLength(1);
    expect(await candidateRow(store, id)).toEqual(before);
  });

  it('reuses one provider process across deliveries and stops it when the worker stops', async () => {
    const provider = fixture('ok');
    const { ws, actor } = await enrichingOrg(store, provider.config);
    const ids: string[] = [];
    for (const accountName of ['Acme Analytics', 'Verde Foods', 'Cobalt Mining Group'])
      ids.push((await ws.createCandidate(actor, { title: `Deal with ${accountName}`, accountName })).id);
    const running = worker(store, provider.config);
    try {
      await until(async () => {
        for (const id of ids) expect((await enrichmentRow(store, id, provider.name)).state).toBe('ok');
      });
      // A later candidate still goes to the same process.
      const late = await ws.createCandidate(actor, { title: 'Late deal', accountName: 'Sakura Robotics' });
      running.worker.wake();
      await until(async () => expect((await enrichmentRow(store, late.id, provider.name)).state).toBe('ok'));
      expect(pidsIn(provider.pidFile)).toHaveLength(1);
      expect(pidsIn(provider.pidFile).filter(isAlive)).toHaveLength(1);
    } finally {
      await running.stop();
    }
    expect(pidsIn(provider.pidFile).filter(isAlive)).toEqual([]);
  });

  it('sends the configured arguments: candidate variables filled in, absent ones left out', async () => {
    const provider = fixture('ok', {
      arguments: {
        name: '{{accountName}}',
        domain: '{{accountDomain}}',
        signalUrl: '{{signalUrl}}',
        note: 'ref {{opportunityRef}} for {{title}}',
        limit: 3,
        tags: ['{{accountDomain}}', 'fixed'],
      },
    });
    const { ws, actor } = await enrichingOrg(store, provider.config);
    const signal = await ws.createSignal(actor, {
      source: 'sam.gov',
      externalRef: `RFP-${providers}`,
      title: 'Satellite ground segment',
      url: 'https://sam.example/opp/RFP-77',
      accountName: 'Orbitale Aerospace',
      opportunityRef: 'RFP-77',
    });
    const accepted = await ws.acceptSignal(actor, { signalId: signal.signal.id });
    const candidateId = accepted.candidate.id;
    const running = worker(store, provider.config);
    try {
      await until(async () =>
        expect((await enrichmentRow(store, candidateId, provider.name)).state).toBe('ok'),
      );
    } finally {
      await running.stop();
    }
    const row = await enrichmentRow(store, candidateId, provider.name);
    expect(row.raw_json).toMatchObject({
      structuredContent: {
        arguments: {
          name: 'Orbitale Aerospace',
          signalUrl: 'https://sam.example/opp/RFP-77',
          note: 'ref RFP-77 for Satellite ground segment',
          limit: 3,
          tags: ['fixed'],
        },
      },
    });
    expect(row.raw_json).not.toHaveProperty('structuredContent.arguments.domain');
  });

  it('gives a stdio provider only the environment variables its configuration passes', async () => {
    const provider = fixture('ok', { passEnv: ['FIXTURE_SECRET'] });
    const { id } = await candidateFor(provider);
    process.env.FIXTURE_SECRET = 'from-the-worker-environment';
    process.env.UNLISTED = 'not for providers';
    const running = worker(store, provider.config);
    try {
      await until(async () => expect((await enrichmentRow(store, id, provider.name)).state).toBe('ok'));
    } finally {
      await running.stop();
      delete process.env.FIXTURE_SECRET;
      delete process.env.UNLISTED;
    }
    expect((await enrichmentRow(store, id, provider.name)).raw_json).toMatchObject({
      structuredContent: { environment: { FIXTURE_SECRET: 'from-the-worker-environment', UNLISTED: null } },
    });
  });

  it('re-enriches on request after a failure, and a stale delivery does not overwrite the newer request', async () => {
    const provider = fixture('crash-first');
    const { ws, actor, id } = await candidateFor(provider);
    const running = worker(store, provider.config);
    try {
      await firstAttempt(provider);
      // Asked again (enrich_candidate): a new event, its own outbox row, the row reset to pending.
      const later = createWorkstream(store, undefined, {
        enrichmentProviders: [{ name: provider.name, tool: 'lookup_company' }],
      });
      await later.enrichCandidate(actor, { candidateId: id });
      running.worker.wake();
      await until(async () => expect((await enrichmentRow(store, id, provider.name)).state).toBe('ok'));
      // The first request's retry, made due now, is superseded: delivered without a call.
      await makeDue(store, provider.destination);
      running.worker.wake();
      await until(async () => expect(await outboxRows(store, provider.destination)).toEqual([]));
    } finally {
      await running.stop();
    }
    expect(await enrichmentRow(store, id, provider.name)).toMatchObject({
      state: 'ok',
      attempts: 1,
      last_error: null,
    });
    expect(pidsIn(provider.pidFile)).toHaveLength(2);
    expect(await ws.getCandidate(actor, { candidateId: id })).toMatchObject({
      enrichment: [{ provider: provider.name, state: 'ok', fields: { industry: 'Testing' } }],
    });
  });
});

describe('a failing enrichment provider over Streamable HTTP [sqlite]', () => {
  let hanging: HttpProvider;
  beforeAll(async () => {
    hanging = await startHttpProvider(FAULTY_PROVIDER, ['--http'], { FIXTURE_MODE: 'hang' });
  });
  afterAll(() => hanging?.stop());

  it('records a provider URL where nothing listens, and keeps the event for a retry', async () => {
    const port = await freePort();
    const enrichment = config({
      providers: [
        {
          name: 'nobody-home',
          transport: { type: 'http', url: `http://127.0.0.1:${port}/mcp` },
          tool: 'lookup_company',
          result: { fields: { industry: 'company.industry' } },
        },
      ],
    });
    const { ws, actor } = await enrichingOrg(store, enrichment);
    const candidate = await ws.createCandidate(actor, { title: 'Nobody home', accountName: 'Verde Foods' });
    const running = worker(store, enrichment);
    try {
      await until(async () => {
        const [row] = await outboxRows(store, 'enrichment:nobody-home');
        expect(row).toMatchObject({ attempts: 1, locked_at: null });
      });
    } finally {
      await running.stop();
    }
    expect((await enrichmentRow(store, candidate.id, 'nobody-home')).last_error).toBe(
      `cannot start provider at http://127.0.0.1:${port}/mcp: fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });

  it('gives up after the timeout and keeps the event for a retry', async () => {
    const enrichment = config({
      providers: [
        {
          name: 'hanging-http',
          transport: { type: 'http', url: hanging.url },
          tool: 'lookup_company',
          arguments: { name: '{{accountName}}' },
          result: { fields: { industry: 'company.industry' } },
          timeoutMs: 500,
        },
      ],
    });
    const { ws, actor } = await enrichingOrg(store, enrichment);
    const candidate = await ws.createCandidate(actor, { title: 'Hangs', accountName: 'Quayside Telecom' });
    const before = await candidateRow(store, candidate.id);
    const running = worker(store, enrichment);
    try {
      await until(async () => {
        const [row] = await outboxRows(store, 'enrichment:hanging-http');
        expect(row).toMatchObject({ attempts: 1, locked_at: null });
      });
    } finally {
      await running.stop();
    }
    expect(await enrichmentRow(store, candidate.id, 'hanging-http')).toMatchObject({
      state: 'pending',
      last_error: 'provider did not answer within 500 ms',
    });
    expect(await candidateRow(store, candidate.id)).toEqual(before);
  });
});

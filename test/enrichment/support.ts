/** Driving enrichment the way the system does: a Workstream with providers, and a real worker. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { vi } from 'vitest';
import { type EnrichmentConfig, parseEnrichmentConfig, providerRefs } from '../../src/enrichment/config.js';
import { createLogger } from '../../src/log.js';
import type { Store } from '../../src/store/connect.js';
import { nowPlusSql } from '../../src/store/dialect.js';
import { type RunningWorker, startWorker } from '../../src/worker/run.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SAMPLE_DIR = join(ROOT, 'examples', 'company-directory');
export const SAMPLE_SERVER = join(SAMPLE_DIR, 'server.mjs');
export const FAULTY_PROVIDER = join(import.meta.dirname, 'fixtures', 'faulty-provider.mjs');

export const log = createLogger(process.env.TEST_ENRICHMENT_LOG ?? 'silent', 'enrichment-test');

export const until = (check: () => Promise<void> | void, timeout = 20_000) =>
  vi.waitFor(check, { timeout, interval: 25 });

/** A configuration written in a test, validated exactly as a file would be. */
export function config(value: unknown, baseDir = ROOT): EnrichmentConfig {
  return parseEnrichmentConfig(value, 'test configuration', baseDir);
}

/** An organization whose Workstream enriches new candidates with the configuration's providers. */
export async function enrichingOrg(store: Store, enrichment: EnrichmentConfig): Promise<TestOrg> {
  const org = await testOrg(store, new Date());
  const ws = createWorkstream(store, org.clock, { enrichmentProviders: providerRefs(enrichment) });
  return { ...org, ws };
}

/** A worker (as `workstream worker` runs it) polling fast, retrying after `makeDue`. */
export function worker(
  store: Store,
  enrichment: EnrichmentConfig,
  options: { maxAttempts?: number } = {},
): RunningWorker {
  const running = startWorker(store, log, { enrichment, maxIdleMs: 50, slaSweepMs: 0, ...options });
  return running;
}

export async function enrichmentRow(store: Store, candidateId: string, provider: string) {
  return store.db
    .selectFrom('enrichments')
    .selectAll()
    .where('candidate_id', '=', candidateId)
    .where('provider', '=', provider)
    .executeTakeFirstOrThrow();
}

export async function outboxRows(store: Store, destination: string) {
  return store.db.selectFrom('outbox').selectAll().where('destination', '=', destination).execute();
}

export async function deadLetters(store: Store, destination: string) {
  return store.db.selectFrom('dead_letters').selectAll().where('destination', '=', destination).execute();
}

/** The candidate's own row: enrichment must never change it. */
export async function candidateRow(store: Store, candidateId: string) {
  return store.db
    .selectFrom('candidates')
    .selectAll()
    .where('id', '=', candidateId)
    .executeTakeFirstOrThrow();
}

/** Makes scheduled retries of a destination due now: the clock moves, nobody waits a minute. */
export async function makeDue(store: Store, destination: string): Promise<void> {
  await store.db
    .updateTable('outbox')
    .set({ run_at: nowPlusSql(store.dialect, -1000) })
    .where('destination', '=', destination)
    .where('locked_at', 'is', null)
    .execute();
}

/** Pids a fixture provider wrote, one per start. */
export function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface HttpProvider {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts an MCP server process that serves HTTP on a free port and prints its URL on stdout. */
export async function startHttpProvider(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<HttpProvider> {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const found = /http:\/\/\S+\/mcp/.exec(line)?.[0];
      if (found) resolve(found);
      else reject(new Error(`unexpected first line from ${script}: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (code ${code}) before listening`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

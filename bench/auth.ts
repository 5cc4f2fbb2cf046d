/**
 * What the door of /mcp costs: p50/p99 of one `tools/list` over Streamable HTTP (a 2025-era
 * stateless request) with a static token and with an OAuth JWT checked against a JWKS (served by
 * an issuer on loopback, cached after the first fetch), on SQLite in a temporary folder; and
 * the cost of one refusal (no token: 401 before anything else is done).
 *
 *   npx tsx bench/auth.ts [--calls 500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createLogger } from '../src/log.js';
import { issueToken } from '../src/server/auth.js';
import { startHttpServer } from '../src/server/http.js';
import { Metrics } from '../src/server/metrics.js';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { createWorkstream } from '../src/workstream/workstream.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '500' } } });
const CALLS = Number(values.calls);
const WARMUP = 50;
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

const dir = mkdtempSync(join(tmpdir(), 'workstream-bench-auth-'));
const store = await connect(`sqlite:${join(dir, 'bench.db')}`);
await migrate(store);
const workstream = createWorkstream(store);
await workstream.createOrg({
  name: 'Bench',
  slug: 'bench',
  admin: { email: 'admin@bench.test', name: 'Admin' },
});
const { token: staticToken } = await issueToken(store, {
  orgSlug: 'bench',
  email: 'admin@bench.test',
  name: 'bench',
});

// An issuer on loopback: discovery and a key set, as an identity provider serves them.
const { privateKey, publicKey } = await generateKeyPair('ES256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
const issuerServer = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url === '/.well-known/openid-configuration')
    res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
  else res.end(JSON.stringify({ keys: [jwk] }));
});
await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;

const server = await startHttpServer({
  store,
  workstream,
  log: createLogger('silent'),
  metrics: new Metrics(),
  host: '127.0.0.1',
  port: 0,
  limits: { tokenPerMinute: 0, orgPerMinute: 0 },
  oauth: { issuers: [issuer], memberClaim: 'email', scopePrefix: 'workstream:' },
});
const jwt = await new SignJWT({
  email: 'admin@bench.test',
  scope: 'workstream:read workstream:write workstream:admin',
})
  .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
  .setIssuer(issuer)
  .setAudience(server.url)
  .setSubject('admin')
  .setExpirationTime('1h')
  .sign(privateKey);

async function once(authorization: string | null): Promise<number> {
  const started = performance.now();
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(authorization ? { authorization } : {}),
    },
    body: LIST,
  });
  await response.arrayBuffer();
  if (authorization && response.status !== 200) throw new Error(`answered ${response.status}`);
  return performance.now() - started;
}

/** The three kinds interleaved call by call, so a change in the machine's load hits them alike. */
async function measure(kinds: readonly (readonly [string, string | null])[]) {
  for (let i = 0; i < WARMUP; i++) for (const [, authorization] of kinds) await once(authorization);
  const times = kinds.map(() => [] as number[]);
  for (let i = 0; i < CALLS; i++)
    for (const [k, [, authorization]] of kinds.entries()) times[k]?.push(await once(authorization));
  for (const [k, [label]] of kinds.entries()) {
    const sorted = (times[k] ?? []).sort((a, b) => a - b);
    const at = (q: number) =>
      (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
    process.stdout.write(`| ${label} | ${CALLS} | ${at(0.5)} | ${at(0.99)} |\n`);
  }
}

process.stdout.write(
  `tools/list over HTTP, SQLite, ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Node ${process.version}\n\n`,
);
process.stdout.write('| token | calls | p50 ms | p99 ms |\n|---|---|---|---|\n');
await measure([
  ['static (wst_…)', `Bearer ${staticToken}`],
  ['OAuth JWT (ES256, JWKS cached)', `Bearer ${jwt}`],
  ['none (401)', null],
]);

await server.close();
await new Promise((resolve) => issuerServer.close(resolve));
await store.close();
rmSync(dir, { recursive: true, force: true });

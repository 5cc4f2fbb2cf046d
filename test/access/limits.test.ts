/** HTTP limits: bodies refused before they are read, slow clients cut, a connection cap, no open Host by accident. */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { issueToken } from '../../src/server/auth.js';
import { type HttpOptions, type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { orgIdentity, quiet } from '../mcp/support.js';
import { runCli } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';
import { bearer, raw } from './http.js';

/** Sends headers declaring `declared` bytes, then body chunks as fast as the server takes them. */
function pushBody(port: number, headers: string, declared: number) {
  return new Promise<{ response: string; sent: number }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    let open = true;
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const done = () => {
      if (!open) return;
      open = false;
      resolve({ response, sent });
    };
    socket.on('data', (data) => {
      response += data.toString();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', async () => {
      socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${declared}\r\n${headers}\r\n`);
      while (open && sent < declared) {
        const flushed = socket.write(chunk);
        sent += chunk.length;
        if (!flushed) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
      socket.end();
    });
  });
}

function opened(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

function closed(socket: Socket): Promise<string> {
  let data = '';
  socket.on('data', (chunk) => {
    data += chunk.toString();
  });
  return new Promise((resolve) => socket.once('close', () => resolve(data)));
}

const HUNDRED_MB = 100 * 1024 * 1024;

describeEachDialect('HTTP limits', (db) => {
  let server: RunningHttpServer;
  let token: string;
  const base = (db: { store(): HttpOptions['store'] }): HttpOptions => ({
    store: db.store(),
    workstream: createWorkstream(db.store()),
    log: quiet,
    metrics: new Metrics(),
    host: '127.0.0.1',
    port: 0,
  });

  beforeAll(async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    ({ token } = await issueToken(db.store(), { orgSlug: slug, email, name: 'limits' }));
    server = await startHttpServer({
      ...base(db),
      limits: { requestTimeoutMs: 1000, headersTimeoutMs: 1000, maxBodyBytes: 64 * 1024, maxConnections: 16 },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses an unauthenticated 100 MB body with 401 before reading it, and closes the connection', async () => {
    const { response, sent } = await pushBody(server.port, 'Content-Type: application/json\r\n', HUNDRED_MB);
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toMatch(/connection: close/i);
    expect(sent).toBeLessThan(HUNDRED_MB / 4);
  });

  it('answers Expect: 100-continue with 401 before the body is sent, and with 100 once the token is good', async () => {
    const ask = (headers: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write(
            `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 20\r\nExpect: 100-continue\r\n${headers}\r\n`,
          );
        });
        socket.once('data', (data) => {
          resolve(data.toString());
          socket.destroy();
        });
      });
    expect(await ask('')).toMatch(/^HTTP\/1\.1 401 /);
    expect(await ask(`Authorization: Bearer ${token}\r\n`)).toMatch(/^HTTP\/1\.1 100 Continue/);
  });

  it('refuses a body declared over the limit with 413, even with a valid token, before reading it', async () => {
    const { response, sent } = await pushBody(
      server.port,
      `Content-Type: application/json\r\nAuthorization: Bearer ${token}\r\n`,
      HUNDRED_MB,
    );
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('over 65536 bytes');
    expect(sent).toBeLessThan(HUNDRED_MB / 4);
  });

  it('refuses a body that turns out larger than the limit without a declared length', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(70_000) },
    });
    const answer = await raw(server.url, {
      method: 'POST',
      headers: { ...bearer(token), 'transfer-encoding': 'chunked' },
      body: big,
    });
    expect(answer.status).toBe(413);
  });

  it('cuts connections that send a body too slowly', async () => {
    const sockets = await Promise.all(Array.from({ length: 10 }, () => opened(server.port)));
    const ends = sockets.map((socket) => {
      socket.write(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n{"jsonrpc"`,
      );
      return closed(socket);
    });
    const started = performance.now();
    const answers = await Promise.all(ends);
    expect(performance.now() - started).toBeLessThan(10_000);
    for (const answer of answers) expect(answer).toMatch(/^(HTTP\/1\.1 408 |)$/m);
  });

  it('closes connections beyond the cap and keeps serving the ones it has', async () => {
    const capped = await startHttpServer({ ...base(db), limits: { maxConnections: 3 } });
    try {
      const held = await Promise.all([opened(capped.port), opened(capped.port), opened(capped.port)]);
      const extra = await opened(capped.port);
      expect(await closed(extra)).toBe('');
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await raw(capped.url.replace(/\/mcp$/, '/healthz'))).status).toBe(200);
    } finally {
      await capped.close();
    }
  });

  it('refuses to listen beyond loopback with no allowed hosts unless told to', async () => {
    await expect(startHttpServer({ ...base(db), host: '0.0.0.0' })).rejects.toThrow(ConfigError);
    await expect(startHttpServer({ ...base(db), host: '0.0.0.0' })).rejects.toThrow(
      /WORKSTREAM_ALLOWED_HOSTS/,
    );
    const named = await startHttpServer({ ...base(db), host: '0.0.0.0', allowedHosts: ['mcp.example.com'] });
    const open = await startHttpServer({ ...base(db), host: '0.0.0.0', allowAnyHost: true });
    try {
      const refused = await raw(named.url, {
        method: 'POST',
        headers: { ...bearer(token), host: 'evil.example' },
      });
      expect(refused.status).toBe(403);
      const any = await raw(open.url.replace(/\/mcp$/, '/healthz'), { headers: { host: 'evil.example' } });
      expect(any.status).toBe(200);
    } finally {
      await named.close();
      await open.close();
    }
    const cli = await runCli(['serve', '--http', '--host', '0.0.0.0', '--port', '0', '--db', db.url()]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(
      /^workstream: listening on 0\.0\.0\.0 \(beyond loopback\) accepts any Host header/,
    );
  });
});

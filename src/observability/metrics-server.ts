/**
 * `--metrics-port`: a small HTTP listener of its own for processes without one (`workstream
 * worker`, `serve` on stdio), serving GET /metrics (Prometheus text) and GET /healthz (200 while
 * the process works, 503 once it is stopping), on loopback unless told otherwise.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config.js';
import type { Logger } from '../log.js';
import { collectProcessMetrics, httpRequestAnswered, METRICS_CONTENT_TYPE, metricsText } from './metrics.js';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port; the running server reports the one it got. */
  readonly port: number;
  /** The process's role, shown by /healthz. */
  readonly role: string;
  /** The exposition text; by default this process's registry. */
  readonly text?: () => Promise<string>;
  /** False once the process is stopping: /healthz answers 503. */
  readonly healthy?: () => boolean;
}

export interface RunningMetricsServer {
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const text = options.text ?? metricsText;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const answer = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      httpRequestAnswered(path, status);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer(405, 'text/plain', `${req.method} is not served here\n`);
      return;
    }
    if (path === '/metrics') {
      text().then(
        (body) => answer(200, METRICS_CONTENT_TYPE, body),
        (error: unknown) => answer(500, 'text/plain', `metrics failed: ${String(error)}\n`),
      );
      return;
    }
    if (path === '/healthz') {
      const healthy = options.healthy?.() ?? true;
      answer(
        healthy ? 200 : 503,
        'application/json',
        JSON.stringify({ status: healthy ? 'ok' : 'stopping', role: options.role }),
      );
      return;
    }
    answer(404, 'text/plain', 'served here: /metrics and /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? new ConfigError(
              `cannot serve metrics on ${options.host}:${options.port} (${error.code}); choose another with --metrics-port / --metrics-host`,
            )
          : error,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * What every long-running command calls at start: Node's figures on, and the `--metrics-port`
 * listener when a port is configured (null otherwise).
 */
export async function exposeMetrics(
  settings: { readonly host: string; readonly port: number | undefined },
  log: Logger,
  options: Pick<MetricsServerOptions, 'role' | 'text' | 'healthy'>,
): Promise<RunningMetricsServer | null> {
  collectProcessMetrics();
  if (settings.port === undefined) return null;
  const server = await startMetricsServer({ host: settings.host, port: settings.port, ...options });
  log.info({ url: `${server.url}/metrics`, role: options.role }, 'serving metrics');
  return server;
}

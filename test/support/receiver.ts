/** A real webhook receiver on a loopback port: records every delivery and verifies its signature. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhook } from '../../src/worker/destinations.js';

export interface Delivery {
  readonly path: string;
  readonly eventId: string;
  readonly body: Record<string, unknown>;
  readonly signatureValid: boolean;
  readonly idempotencyKey: string | undefined;
}

export interface Receiver {
  readonly url: string;
  readonly deliveries: Delivery[];
  /** Secret per path, to verify signatures; set after registering the webhook. */
  readonly secrets: Map<string, string>;
  /** Status to answer per path (default 200); a function may vary it per call. */
  readonly statuses: Map<string, number | (() => number)>;
  /** Paths that never answer (a hung receiver). */
  readonly hang: Set<string>;
  /** Milliseconds to wait before answering, for every path. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const secrets = new Map<string, string>();
  const statuses = new Map<string, number | (() => number)>();
  const hang = new Set<string>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      if (hang.has(path)) return;
      const raw = Buffer.concat(chunks).toString('utf8');
      const secret = secrets.get(path);
      const timestamp = String(request.headers['x-workstream-timestamp'] ?? '');
      deliveries.push({
        path,
        eventId: String(request.headers['x-workstream-event-id'] ?? ''),
        body: JSON.parse(raw) as Record<string, unknown>,
        signatureValid:
          secret !== undefined &&
          request.headers['x-workstream-signature'] === signWebhook(secret, timestamp, raw),
        idempotencyKey: request.headers['idempotency-key'] as string | undefined,
      });
      const status = statuses.get(path) ?? 200;
      setTimeout(
        () => response.writeHead(typeof status === 'function' ? status() : status).end(),
        receiver.delayMs,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    secrets,
    statuses,
    hang,
    delayMs: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

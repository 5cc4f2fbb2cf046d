/**
 * MCP server instances for stateless HTTP, built once and reused. The SDK serves each HTTP
 * request with an instance of its own (it refuses one that is still serving), and building one —
 * the McpServer, every selected tool with its published schemas, the resources and prompts —
 * costs more CPU than most tool calls' database work. An instance is bound to one caller and one
 * protocol era, so a pool keeps the idle instances of each (caller, era) and hands one out again
 * once the SDK has closed its exchange.
 *
 * Safe reuse: the SDK closes an instance at the end of its exchange (the transport's close
 * clears it, then calls `onclose`). The instance goes back to the pool on the next turn of the
 * event loop, after whatever else the SDK's teardown does with it in the same turn, and only
 * if it is not serving; an instance is never handed out twice.
 */
import type { McpServer } from '@modelcontextprotocol/server';

export type Era = 'legacy' | 'modern';

export interface PoolLimits {
  /** Idle instances kept per caller and era (more are built under load and dropped after). */
  readonly idlePerCaller?: number;
  /** Callers whose idle instances are kept; the least recently served are dropped first. */
  readonly callers?: number;
}

export interface ServerPool {
  /**
   * An idle instance built for this caller and era, or a new one from `build`. `caller` names
   * everything the instance is built for (who calls, with which role and scopes): instances of
   * one caller never serve another.
   */
  take(caller: string, era: Era, build: () => McpServer): McpServer;
  /** How many idle instances the pool holds (for tests and metrics). */
  readonly idle: number;
}

export function serverPool(limits: PoolLimits = {}): ServerPool {
  const idlePerCaller = limits.idlePerCaller ?? 8;
  const callers = limits.callers ?? 64;
  // Map order is recency: a caller served again moves to the end; the first is the oldest.
  const idle = new Map<string, McpServer[]>();
  const resting = new WeakSet<McpServer>();

  const release = (key: string, server: McpServer) => {
    if (resting.has(server) || server.server.transport !== undefined) return;
    const list = idle.get(key) ?? [];
    idle.delete(key);
    idle.set(key, list);
    if (list.length < idlePerCaller) {
      list.push(server);
      resting.add(server);
    }
    while (idle.size > callers) {
      const oldest = idle.keys().next().value;
      if (oldest === undefined) break;
      idle.delete(oldest);
    }
  };

  return {
    take(caller, era, build) {
      const key = `${era}\u0000${caller}`;
      const reused = idle.get(key)?.pop();
      if (reused) {
        resting.delete(reused);
        return reused;
      }
      const server = build();
      // Every exchange ends by closing the instance; the SDK chains its own onclose before ours.
      server.server.onclose = () => setImmediate(() => release(key, server));
      return server;
    },
    get idle() {
      let count = 0;
      for (const list of idle.values()) count += list.length;
      return count;
    },
  };
}

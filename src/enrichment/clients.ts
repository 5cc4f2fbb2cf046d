/**
 * One connected MCP client per enrichment provider, opened on first use and reused by every
 * delivery after it. A connection that closes, errs, or lets a call time out is dropped (a
 * stdio provider's process is stopped: stdin closed, then SIGTERM, then SIGKILL), and the next
 * delivery starts a fresh one: a crashed or hung provider is restarted by the traffic itself.
 */
import { ChildProcess } from 'node:child_process';
import {
  type CallToolResult,
  Client,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Logger } from '../log.js';
import { traceMeta } from '../observability/tracing.js';
import { VERSION } from '../version.js';
import type { EnrichmentProvider } from './config.js';

/** A failed call, described for the enrichment row and the outbox's error history. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The SDK's stdio transport, also remembering how the child exited (which the SDK drops). */
class WatchedStdioTransport extends StdioClientTransport {
  exit: Exit | undefined;

  override async start(): Promise<void> {
    await super.start();
    // The SDK keeps the child private and discards its exit code, which is what makes a crash
    // legible ("exited (code 1)"). If a later SDK renames the field we only lose the code.
    const child: unknown = Reflect.get(this, '_process');
    if (child instanceof ChildProcess)
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
      });
  }
}

interface Connection {
  readonly provider: EnrichmentProvider;
  readonly client: Client;
  readonly transport: WatchedStdioTransport | StreamableHTTPClientTransport;
  ready: Promise<void>;
  /** The provider's last stderr lines (stdio), for error messages. */
  readonly stderr: string[];
  /** Why we closed it, when we did. */
  closedBecause?: string;
}

const STDERR_LINES = 5;

function messageOf(error: unknown): string {
  if (error instanceof SdkHttpError) {
    const status = `HTTP ${error.status}${error.statusText ? ` ${error.statusText}` : ''}`;
    return `${error.message.replace(/:\s*$/, '')} (${status})`;
  }
  if (!(error instanceof Error)) return String(error);
  // fetch hides the reason (ECONNREFUSED, …) in its cause.
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}

function isCode(error: unknown, code: SdkErrorCode): boolean {
  return error instanceof SdkError && error.code === code;
}

/** Rejects as soon as the signal aborts, leaving the shared promise to settle for others. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new ProviderError('the delivery was abandoned: the worker is shutting down'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export class ProviderClients {
  readonly #connections = new Map<string, Connection>();
  readonly #closing = new Set<Promise<void>>();
  #shutDown = false;

  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Calls the provider's tool with these arguments; throws ProviderError saying what went wrong. */
  async call(
    provider: EnrichmentProvider,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<CallToolResult> {
    if (this.#shutDown) throw new ProviderError('the worker is shutting down');
    const connection = this.#connections.get(provider.name) ?? this.#open(provider);
    await untilAborted(connection.ready, signal);
    try {
      return await connection.client.callTool(
        // The provider continues our trace when it reads `_meta.traceparent` (tracing on only).
        { name: provider.tool, arguments: args, ...traceMeta() },
        { timeout: provider.timeoutMs, signal },
      );
    } catch (error) {
      throw this.#callFailed(connection, error, signal);
    }
  }

  /** Closes every connection (stopping stdio providers) and waits until they are gone. */
  async closeAll(): Promise<void> {
    this.#shutDown = true;
    for (const connection of this.#connections.values()) this.#discard(connection, 'the worker shut down');
    await Promise.all(this.#closing);
  }

  #open(provider: EnrichmentProvider): Connection {
    const client = new Client({ name: 'workstream-enrichment', version: VERSION });
    const transport = this.#transport(provider);
    const connection: Connection = { provider, client, transport, ready: Promise.resolve(), stderr: [] };
    this.#connections.set(provider.name, connection);
    if (transport instanceof WatchedStdioTransport) this.#captureStderr(connection, transport);
    client.onclose = () => {
      if (this.#connections.get(provider.name) === connection) this.#connections.delete(provider.name);
      this.log.info(
        { provider: provider.name, reason: connection.closedBecause ?? this.#closeReason(connection) },
        'enrichment provider connection closed',
      );
    };
    client.onerror = (error) =>
      this.log.debug({ provider: provider.name, err: error }, 'enrichment provider transport error');
    connection.ready = client.connect(transport, { timeout: provider.startTimeoutMs }).then(
      () => {
        const pid = transport instanceof WatchedStdioTransport ? transport.pid : undefined;
        this.log.info(
          { provider: provider.name, transport: provider.transport.type, pid },
          'enrichment provider connected',
        );
      },
      (error: unknown) => {
        const reason = this.#startFailure(connection, error);
        this.#discard(connection, 'it did not start');
        throw new ProviderError(reason);
      },
    );
    // Deliveries that stopped waiting (shutdown) must not leave the rejection unhandled.
    connection.ready.catch(() => {});
    return connection;
  }

  #transport(provider: EnrichmentProvider): Connection['transport'] {
    const spec = provider.transport;
    if (spec.type === 'stdio') {
      const passed: Record<string, string> = {};
      for (const name of spec.passEnv) {
        const value = this.env[name];
        if (value !== undefined) passed[name] = value;
        else
          this.log.warn(
            { provider: provider.name, variable: name },
            'passEnv variable is not set in the worker',
          );
      }
      return new WatchedStdioTransport({
        command: spec.command,
        args: spec.args,
        env: { ...spec.env, ...passed },
        ...(spec.cwd ? { cwd: spec.cwd } : {}),
        stderr: 'pipe',
      });
    }
    const headers: Record<string, string> = {};
    if (spec.bearerTokenEnv) {
      const token = this.env[spec.bearerTokenEnv];
      if (!token)
        throw new ProviderError(
          `cannot connect to provider: environment variable ${spec.bearerTokenEnv} (its bearerTokenEnv) is not set`,
        );
      headers.authorization = `Bearer ${token}`;
    }
    return new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers } });
  }

  /** Keeps the last few stderr lines for error messages, and logs them at debug. */
  #captureStderr(connection: Connection, transport: WatchedStdioTransport): void {
    let partial = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
        connection.stderr.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
        if (connection.stderr.length > STDERR_LINES) connection.stderr.shift();
        this.log.debug({ provider: connection.provider.name, line }, 'enrichment provider stderr');
      }
    });
  }

  #stderrTail(connection: Connection): string {
    return connection.stderr.length > 0 ? `; its stderr ended: ${connection.stderr.join(' | ')}` : '';
  }

  #exitText(connection: Connection): string | undefined {
    const exit =
      connection.transport instanceof WatchedStdioTransport ? connection.transport.exit : undefined;
    if (!exit) return undefined;
    return exit.code !== null ? `code ${exit.code}` : `signal ${exit.signal ?? 'unknown'}`;
  }

  #closeReason(connection: Connection): string {
    const exit = this.#exitText(connection);
    return exit ? `provider process exited (${exit})` : 'the provider closed the connection';
  }

  #startFailure(connection: Connection, error: unknown): string {
    const { provider } = connection;
    const where = provider.transport.type === 'http' ? ` at ${provider.transport.url}` : '';
    if (isCode(error, SdkErrorCode.RequestTimeout))
      return `cannot start provider${where}: no answer to initialize within ${provider.startTimeoutMs} ms${this.#stderrTail(connection)}`;
    const exit = this.#exitText(connection);
    if (exit)
      return `cannot start provider: process exited (${exit}) before it answered${this.#stderrTail(connection)}`;
    const spec = provider.transport;
    const refused = error instanceof SdkHttpError && (error.status === 401 || error.status === 403);
    const hint =
      refused && spec.type === 'http'
        ? spec.bearerTokenEnv
          ? `; check the token in ${spec.bearerTokenEnv}`
          : '; the provider wants a token: set bearerTokenEnv'
        : '';
    return `cannot start provider${where}: ${messageOf(error)}${hint}${this.#stderrTail(connection)}`;
  }

  #callFailed(connection: Connection, error: unknown, signal: AbortSignal): ProviderError {
    const { provider } = connection;
    if (signal.aborted) return new ProviderError('the delivery was abandoned: the worker is shutting down');
    if (isCode(error, SdkErrorCode.RequestTimeout)) {
      // A provider that does not answer may never answer again: stop it, start afresh next time.
      this.#discard(connection, `a call did not answer within ${provider.timeoutMs} ms`);
      return new ProviderError(`provider did not answer within ${provider.timeoutMs} ms`);
    }
    if (error instanceof ProtocolError) {
      if (/not found|unknown tool/i.test(error.message))
        return new ProviderError(
          `tool ${provider.tool} is not offered by provider ${provider.name}: ${error.message}`,
        );
      return new ProviderError(`provider answered error ${error.code}: ${error.message}`);
    }
    // Closed by us (another call timed out, shutdown) before the process's own exit counts.
    if (connection.closedBecause)
      return new ProviderError(`provider connection was closed because ${connection.closedBecause}`);
    const exit = this.#exitText(connection);
    if (exit)
      return new ProviderError(
        `provider process exited (${exit}) during the call${this.#stderrTail(connection)}`,
      );
    this.#discard(connection, `a call failed: ${messageOf(error)}`);
    if (isCode(error, SdkErrorCode.ConnectionClosed))
      return new ProviderError('the provider closed the connection during the call');
    return new ProviderError(`call to provider failed: ${messageOf(error)}`);
  }

  /** Drops the connection so the next delivery opens a new one, and closes it in the background. */
  #discard(connection: Connection, reason: string): void {
    if (this.#connections.get(connection.provider.name) === connection)
      this.#connections.delete(connection.provider.name);
    if (connection.closedBecause !== undefined) return;
    connection.closedBecause = reason;
    const closing: Promise<void> = connection.client
      .close()
      .catch((error: unknown) =>
        this.log.warn(
          { provider: connection.provider.name, err: error },
          'closing enrichment provider failed',
        ),
      )
      .finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }
}

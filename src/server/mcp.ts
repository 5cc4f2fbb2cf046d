/**
 * The McpServer factory: one instance per connection (stdio) or per request (HTTP), serving
 * the selected tools, the resources and the prompts to one caller. Every tool call runs the
 * same way: parse the arguments with its command's schema and run the command (once), check
 * the result against the output schema, and answer with structuredContent plus a short text;
 * refusals and defects become isError results (./results.ts). A bad call never escapes.
 */
import { McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { toolsFor } from '../access/levels.js';
import { WorkstreamError } from '../domain/errors.js';
import {
  instanceWatch,
  type LiveOptions,
  type ResourceWatch,
  serveResourceSubscriptions,
} from '../live/subscriptions.js';
import { traceToolCall } from '../observability/tracing.js';
import { registerPrompts } from '../prompts/index.js';
import { registerResources } from '../resources/index.js';
import { CHANGED_SHAPE, publishesAnswer } from '../tools/answers.js';
import {
  type BuiltSchemas,
  published,
  publishedHints,
  publishedTitle,
  type Tool,
  useConvertedSchemas,
} from '../tools/define.js';
import { SERVER_ICON, toolIcons } from '../tools/icons.js';
import { ALL_TOOLS, selectTools, type ToolSelection } from '../tools/index.js';
import { VERSION } from '../version.js';
import { execute } from '../workstream/command.js';
import { channelOf, confirmFirst } from './confirm.js';
import type { Caller } from './context.js';
import type { Metrics } from './metrics.js';
import { internalResult, newErrorId, refusedResult } from './results.js';

export interface ServerOptions extends Caller, ToolSelection {
  readonly metrics?: Metrics;
  /**
   * 2025-era resource subscriptions (`resources/subscribe`), for an instance serving one
   * connection (stdio, in-memory); never over HTTP, whose per-request instances cannot send later.
   */
  readonly live?: LiveOptions;
  /** The connection's watch the subscriptions use (./stdio.ts); one of the instance's own otherwise. */
  readonly liveWatch?: ResourceWatch;
  /**
   * A 2026-era instance whose serving entry answers `subscriptions/listen` from the change feed
   * (src/live/listen.ts): it advertises `resources.subscribe`, which the entry's acknowledgement
   * is narrowed against.
   */
  readonly listen?: boolean;
  /**
   * The URL clients reach the server by (WORKSTREAM_PUBLIC_URL): each tool then carries its
   * toolset's icon, served from this origin at /icons/<toolset>.svg (src/tools/icons.ts).
   */
  readonly publicUrl?: string | undefined;
}

/**
 * The lists this server publishes never change while a client is connected (the tools follow the
 * caller's role and scopes as they were at connection or request time; resources and prompts are
 * fixed), so no list is advertised as changing. The SDK advertises `listChanged: true` unless told.
 */
export const LIST_CAPABILITIES = {
  tools: { listChanged: false },
  resources: { listChanged: false },
  prompts: { listChanged: false },
} as const;

export const INSTRUCTIONS = `A B2B sales workstream: signals (inbound leads) become candidates, qualified candidates become pursuits (bids with pink and red checklist gates), all under SLAs.
Start with get_today_panel for what needs attention now, and list_sla_breaches for what is late across the team. Ids are prefixed (sig_, cand_, pur_, prop_, mem_); find records with search or list_signals, list_candidates, list_pursuits, and people with list_members. An assignee is a member id, e-mail or name; times are ISO-8601 with an offset (2026-12-01T09:00:00Z).
Lists answer summaries, newest first, 25 by default (limit up to 100); pass nextCursor back as cursor until it is null. get_signal, get_candidate and get_pursuit give the details.
Every record lists allowedActions: exactly the tools its state allows next; any other tool on it is refused as INVALID_TRANSITION. A closed record (a pursuit won, lost, no_bid or cancelled; a candidate promoted, disqualified or merged; a signal accepted or dismissed) takes only tag changes.
Pass its version as expectedVersion when changing it: a stale one is refused with CONFLICT (read again and retry). A change answers ${CHANGED_SHAPE} of the record it changed as structuredContent (a tool listing no output schema answers only that; one that can create or change two records answers each under its kind: signal, candidate, pursuit); its text says what the change made. Tools annotated idempotent are safe to retry: a repeat answers the record as the first call left it and changes nothing.
A refused call is an isError result whose text is "CODE: message Next: next step" (the failure's fields are also in _meta["workstream/error"]): follow the next step. An argument a tool does not list is refused as VALIDATION naming it; admin-only tools refuse others with FORBIDDEN.`;

/** Every tool's JSON Schemas, converted by the build (scripts/bundle-cli.mjs); absent when run from source. */
declare const WORKSTREAM_BUILT_SCHEMAS: BuiltSchemas | undefined;
let builtSchemasTaken = false;

export function createServer(options: ServerOptions): McpServer {
  if (!builtSchemasTaken) {
    builtSchemasTaken = true;
    if (typeof WORKSTREAM_BUILT_SCHEMAS !== 'undefined')
      useConvertedSchemas(ALL_TOOLS, WORKSTREAM_BUILT_SCHEMAS);
  }
  const server = new McpServer(
    { name: 'workstream', title: 'Workstream', version: VERSION, icons: [SERVER_ICON] },
    { instructions: INSTRUCTIONS, capabilities: structuredClone(LIST_CAPABILITIES) },
  );
  for (const tool of toolsFor(options.access, selectTools(options))) {
    const icons = toolIcons(tool.toolset, options.publicUrl);
    server.registerTool(
      tool.name,
      {
        ...(publishedTitle(tool) ? { title: publishedTitle(tool) } : {}),
        description: tool.description,
        inputSchema: published(tool.command.input),
        ...(publishesAnswer(tool.answer) ? { outputSchema: published(tool.answer) } : {}),
        annotations: publishedHints(tool.annotations),
        ...(icons ? { icons } : {}),
        // The MCP Apps extension: supporting hosts render this view with the result.
        ...(tool.app ? { _meta: { ui: { resourceUri: tool.app } } } : {}),
      },
      (args: unknown, ctx) =>
        traceToolCall({ tool: tool.name, orgId: options.actor.orgId, meta: ctx.mcpReq._meta }, () =>
          callTool(tool, args, options, { server, ctx }),
        ),
    );
  }
  registerResources(server, options);
  registerPrompts(server, options);
  if (options.listen) server.server.registerCapabilities({ resources: { subscribe: true } });
  else if (options.live)
    serveResourceSubscriptions(
      server,
      options.actor,
      options.liveWatch ?? instanceWatch(server, options.actor, options.live),
    );
  return server;
}

/** Where a call arrived: the instance and the request's context (what the client can be asked). */
interface Arrival {
  readonly server: McpServer;
  readonly ctx: ServerContext;
}

async function callTool(tool: Tool, args: unknown, options: ServerOptions, arrival: Arrival) {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const deps = options.workstream.deps;
    let runWith = args;
    // A destructive tool asks the user first where the client can ask (./confirm.ts).
    const confirmation = tool.confirm;
    const channel = confirmation ? channelOf(arrival.server, arrival.ctx) : undefined;
    if (confirmation && channel) {
      const first = await confirmFirst(
        tool,
        confirmation,
        args,
        { deps, actor: options.actor },
        channel,
        arrival.ctx,
      );
      if ('ask' in first) return first.ask;
      runWith = first.args;
    }
    const result = await execute(tool.command, deps, options.actor, runWith);
    // The output schema types the command's answer; this catches what types cannot see (a
    // driver returning a string for a number) as a logged defect, not a shrug.
    // A tool answering a summary parses the command's output into it, dropping the details.
    const checked = tool.answer.safeParse(result);
    if (!checked.success)
      throw new Error(`${tool.name} returned a result its output schema refuses: ${checked.error.message}`);
    options.metrics?.toolCall(tool.name, seconds());
    return {
      content: [{ type: 'text' as const, text: tool.render(result) }],
      structuredContent: checked.data,
    };
  } catch (error) {
    if (error instanceof WorkstreamError) {
      options.metrics?.toolCall(tool.name, seconds(), error.failure);
      options.log.debug({ tool: tool.name, failure: error.failure }, 'tool call refused');
      return refusedResult(error.failure);
    }
    const errorId = newErrorId();
    options.metrics?.toolCall(tool.name, seconds(), { code: 'INTERNAL' });
    options.log.error({ err: error, errorId, tool: tool.name, actor: options.actor }, 'tool call failed');
    return internalResult(errorId);
  }
}

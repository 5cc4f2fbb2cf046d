/**
 * Analytics resources: `workstream://analytics/{funnel,outcomes,velocity,pipeline,sla}`, each the
 * answer of its tool (get_funnel, get_outcomes, get_velocity, get_pipeline, get_sla_breakdown)
 * for the query's from, to, period, groupBy and timeZone. Registered like the Today Panel: the
 * bare URI, the RFC 6570 form that is advertised, and a catch-all `{+query}` so parameters are
 * optional and in any order. And `workstream://analytics/definitions`: what every figure of those
 * answers means, by tool and field path, derived from the same schemas the tools answer by (their
 * published output schemas keep the shape and leave the definitions to this resource, so
 * tools/list stays small).
 */
import { type McpServer, ResourceNotFoundError, ResourceTemplate } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Caller } from '../server/context.js';
import { protocolErrorOf } from '../server/results.js';
import { ANALYTICS_DEFINITIONS, ANALYTICS_TOOLS } from '../tools/analytics.js';
import { compactSchema } from '../tools/compact-schema.js';
import { definitionsOf, withoutDescriptions } from '../tools/define.js';
import type { Actor, Workstream } from '../workstream/workstream.js';

const JSON_TYPE = 'application/json';

const PARAMETERS = ['from', 'to', 'period', 'groupBy', 'timeZone'] as const;

/** The tool arguments in an analytics URI's query (empty values left out). */
export function analyticsArguments(uri: URL): Record<string, string> {
  const args: Record<string, string> = {};
  for (const name of PARAMETERS) {
    const value = uri.searchParams.get(name);
    if (value !== null && value !== '') args[name] = value;
  }
  return args;
}

interface Family {
  readonly name: string;
  readonly tool: string;
  readonly description: string;
  /** The query parameters its tool takes. */
  readonly query: readonly (typeof PARAMETERS)[number][];
  readonly read: (workstream: Workstream, actor: Actor, args: Record<string, string>) => Promise<unknown>;
}

const FAMILIES: readonly Family[] = [
  {
    name: 'funnel',
    tool: 'get_funnel',
    description: 'Counts and conversion at each stage, signal → won, per period and group.',
    query: ['from', 'to', 'period', 'groupBy', 'timeZone'],
    read: (ws, actor, args) => ws.getFunnel(actor, args),
  },
  {
    name: 'outcomes',
    tool: 'get_outcomes',
    description: 'Bid rate, win rate by count and value, awards and reasons ranked, per period and group.',
    query: ['from', 'to', 'period', 'groupBy', 'timeZone'],
    read: (ws, actor, args) => ws.getOutcomes(actor, args),
  },
  {
    name: 'velocity',
    tool: 'get_velocity',
    description: 'Time in each state, cycle times with hold time apart, and the items stuck longest.',
    query: ['from', 'to', 'groupBy', 'timeZone'],
    read: (ws, actor, args) => ws.getVelocity(actor, args),
  },
  {
    name: 'pipeline',
    tool: 'get_pipeline',
    description: 'Open value by state, weighted by probability, and the forecast by deadline month.',
    query: ['groupBy', 'timeZone'],
    read: (ws, actor, args) => ws.getPipeline(actor, args),
  },
  {
    name: 'sla',
    tool: 'get_sla_breakdown',
    description: 'SLA compliance per kind split by assignee, tag or priority.',
    query: ['from', 'to', 'groupBy', 'timeZone'],
    read: (ws, actor, args) => ws.getSlaBreakdown(actor, args),
  },
];

let definitions: string | undefined;

/**
 * Every analytics tool's definitions, `{ tool: { arguments: { from: "…" }, answer: { "rows[].counts.won":
 * "…" }, answerSchema: {…} } }`, as compact JSON: the meaning of every argument and figure by
 * path, and the whole answer's JSON Schema (tools/list publishes its top level only).
 */
export function analyticsDefinitions(): string {
  definitions ??= JSON.stringify(
    Object.fromEntries(
      ANALYTICS_TOOLS.map((tool) => [
        tool.name,
        {
          arguments: definitionsOf(z.toJSONSchema(tool.command.input, { io: 'input' })),
          answer: definitionsOf(z.toJSONSchema(tool.answer, { io: 'output' })),
          // The whole answer's shape: tools/list publishes its top level (src/tools/define.ts).
          answerSchema: withoutDescriptions(
            compactSchema(z.toJSONSchema(tool.answer, { io: 'output' }), 'output'),
          ),
        },
      ]),
    ),
  );
  return definitions;
}

export function registerAnalyticsResources(server: McpServer, caller: Caller): void {
  const { workstream, actor, log } = caller;
  server.registerResource(
    'analytics-definitions',
    ANALYTICS_DEFINITIONS,
    {
      title: 'Analytics: definitions',
      description: `What each argument and figure of ${ANALYTICS_TOOLS.map((tool) => tool.name).join(', ')} means, by tool and field path.`,
      mimeType: JSON_TYPE,
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: JSON_TYPE, text: analyticsDefinitions() }] }),
  );
  for (const family of FAMILIES) {
    const path = `/${family.name}`;
    const base = `workstream://analytics${path}`;
    const read = async (uri: URL) => {
      // The catch-all template also matches workstream://analytics/funnelX.
      if (uri.host !== 'analytics' || uri.pathname !== path) throw new ResourceNotFoundError(uri.href);
      try {
        const value = await family.read(workstream, actor, analyticsArguments(uri));
        return { contents: [{ uri: uri.href, mimeType: JSON_TYPE, text: JSON.stringify(value, null, 2) }] };
      } catch (error) {
        throw protocolErrorOf(error, log, { uri: uri.href });
      }
    };
    const metadata = {
      title: `Analytics: ${family.name}`,
      description: `${family.description} The answer of ${family.tool} (figures defined in ${ANALYTICS_DEFINITIONS}). Query: ${family.query.join(', ')}.`,
      mimeType: JSON_TYPE,
    };
    server.registerResource(`analytics-${family.name}`, base, metadata, read);
    server.registerResource(
      `analytics-${family.name}-filtered`,
      new ResourceTemplate(`${base}{?${family.query.join(',')}}`, { list: undefined }),
      metadata,
      read,
    );
    server.registerResource(
      `analytics-${family.name}-query`,
      new ResourceTemplate(`${base}{+query}`, { list: undefined }),
      { ...metadata, title: `${metadata.title} (any query)` },
      read,
    );
  }
}

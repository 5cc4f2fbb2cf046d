/**
 * MCP resources: the Today Panel, the SLA breaches and one record each by URI template.
 *
 * `workstream://today{?assignee,tags}` is advertised in its RFC 6570 form, but the SDK matches
 * query templates strictly (every variable, in order, nothing else), so the panel is also
 * registered as the bare URI and under a catch-all `workstream://today{+query}`; all three read
 * the query with URLSearchParams, so parameters are optional, in any order and percent-decoded.
 * Besides assignee and tags (comma-separated) the panel takes tagMatch, kind, cursor and limit.
 * `workstream://sla/breaches{?status,kind,assignee}` is registered the same three ways.
 */
import { RESOURCE_MIME_TYPE, registerAppResource } from '@modelcontextprotocol/ext-apps/server';
import { type McpServer, ResourceNotFoundError, ResourceTemplate } from '@modelcontextprotocol/server';
import { TODAY_VIEW_URI, todayViewHtml } from '../apps/today-view.js';
import type { Caller } from '../server/context.js';
import { protocolErrorOf } from '../server/results.js';
import { type Completed, complete } from '../workstream/completions.js';
import { registerAnalyticsResources } from './analytics.js';

const JSON_TYPE = 'application/json';

function json(uri: URL, value: unknown) {
  return { contents: [{ uri: uri.href, mimeType: JSON_TYPE, text: JSON.stringify(value) }] };
}

/** The Today Panel's arguments from a workstream://today URI. */
export function todayArguments(uri: URL): Record<string, unknown> {
  const query = uri.searchParams;
  const args: Record<string, unknown> = {};
  for (const name of ['assignee', 'tagMatch', 'kind', 'cursor'] as const) {
    const value = query.get(name);
    if (value !== null && value !== '') args[name] = value;
  }
  const tags = query.get('tags');
  if (tags)
    args.tags = tags
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
  const limit = query.get('limit');
  if (limit) args.limit = Number(limit);
  return args;
}

/** Breaches the resource shows at once: the largest page list_sla_breaches serves. */
export const BREACHES_PAGE = 100;

/** list_sla_breaches's arguments from a workstream://sla/breaches URI. */
export function breachArguments(uri: URL): Record<string, unknown> {
  const query = uri.searchParams;
  const args: Record<string, unknown> = { limit: BREACHES_PAGE };
  for (const name of ['status', 'kind', 'assignee', 'cursor'] as const) {
    const value = query.get(name);
    if (value !== null && value !== '') args[name] = value;
  }
  return args;
}

/** The URI of the page after this one: the same filters and the cursor. */
function nextBreachesUri(uri: URL, cursor: string): string {
  const next = new URL(uri.href);
  next.searchParams.set('cursor', cursor);
  return next.href;
}

export function registerResources(server: McpServer, caller: Caller): void {
  const { workstream, actor, log } = caller;
  // Template variables complete from the organization's data (completion/complete).
  const from = (what: Completed) => (value: string) => complete(workstream.deps, actor, what, value);
  const among = (values: readonly string[]) => (value: string) => values.filter((v) => v.startsWith(value));
  const todayVariables = { assignee: from('assignee'), tags: from('tags') };
  const breachVariables = {
    status: among(['breached', 'at_risk', 'all']),
    kind: among(['triage', 'proposal', 'response']),
    assignee: from('assignee'),
  };
  registerAnalyticsResources(server, caller);

  const readToday = async (uri: URL) => {
    // The catch-all template also matches workstream://todayX and workstream://today/x.
    if (uri.host !== 'today' || (uri.pathname !== '' && uri.pathname !== '/'))
      throw new ResourceNotFoundError(uri.href);
    try {
      return json(uri, await workstream.getTodayPanel(actor, todayArguments(uri)));
    } catch (error) {
      throw protocolErrorOf(error, log, { uri: uri.href });
    }
  };
  const today = {
    title: 'Today Panel',
    description:
      'Your open candidates and pursuits with their open SLA clocks, most urgent first, flagged overdue / breached / atRisk. ' +
      'Query: assignee (member id or e-mail), tags (comma-separated), tagMatch (all|any), kind (candidate|pursuit), cursor, limit.',
    mimeType: JSON_TYPE,
  };
  server.registerResource('today', 'workstream://today', today, readToday);
  // The MCP App view get_today_panel names in _meta.ui.resourceUri (src/apps/today-view.ts).
  registerAppResource(
    server,
    'today-view',
    TODAY_VIEW_URI,
    { title: 'Today Panel view', description: 'The interactive Today Panel (MCP Apps).' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: RESOURCE_MIME_TYPE, text: todayViewHtml('app') }] }),
  );
  server.registerResource(
    'today-filtered',
    new ResourceTemplate('workstream://today{?assignee,tags}', { list: undefined, complete: todayVariables }),
    today,
    readToday,
  );
  server.registerResource(
    'today-query',
    new ResourceTemplate('workstream://today{+query}', { list: undefined }),
    { ...today, title: 'Today Panel (any query)' },
    readToday,
  );

  const readBreaches = async (uri: URL) => {
    // The catch-all template also matches workstream://sla/breachesX.
    if (uri.host !== 'sla' || uri.pathname !== '/breaches') throw new ResourceNotFoundError(uri.href);
    try {
      const page = await workstream.listSlaBreaches(actor, breachArguments(uri));
      // Nothing is cut off silently: a full page says where the rest is.
      const more =
        page.nextCursor === null
          ? null
          : `More than ${page.items.length} clocks match: read ${nextBreachesUri(uri, page.nextCursor)}, or call ` +
            `list_sla_breaches with cursor "${page.nextCursor}" and the same filters.`;
      return json(uri, { ...page, more });
    } catch (error) {
      throw protocolErrorOf(error, log, { uri: uri.href });
    }
  };
  const breaches = {
    title: 'SLA breaches',
    description:
      'Running SLA clocks that are breached (past due) or at risk (past the warning time), most overdue first, each with ' +
      `its candidate or pursuit, assignee and minutes overdue; up to ${BREACHES_PAGE}, with nextCursor and a note saying ` +
      'where the rest is when more match. Query: status (breached|at_risk|all), kind (triage|proposal|response), ' +
      'assignee (member id, e-mail or "me"), cursor.',
    mimeType: JSON_TYPE,
  };
  server.registerResource('sla-breaches', 'workstream://sla/breaches', breaches, readBreaches);
  server.registerResource(
    'sla-breaches-filtered',
    new ResourceTemplate('workstream://sla/breaches{?status,kind,assignee}', {
      list: undefined,
      complete: breachVariables,
    }),
    breaches,
    readBreaches,
  );
  server.registerResource(
    'sla-breaches-query',
    new ResourceTemplate('workstream://sla/breaches{+query}', { list: undefined }),
    { ...breaches, title: 'SLA breaches (any query)' },
    readBreaches,
  );

  const entity = (
    name: Completed,
    template: string,
    description: string,
    read: (id: string) => Promise<unknown>,
  ) =>
    server.registerResource(
      name,
      new ResourceTemplate(template, { list: undefined, complete: { id: from(name) } }),
      { title: description.split(':')[0], description, mimeType: JSON_TYPE },
      async (uri, variables) => {
        const id = decodeURIComponent(String(variables.id));
        try {
          return json(uri, await read(id));
        } catch (error) {
          throw protocolErrorOf(error, log, { uri: uri.href });
        }
      },
    );

  entity('signal', 'workstream://signals/{id}', 'Signal: one signal by id (sig_…).', async (signalId) => ({
    signal: await workstream.getSignal(actor, { signalId }),
  }));
  entity(
    'candidate',
    'workstream://candidates/{id}',
    'Candidate: one candidate by id (cand_…) with its open SLA clocks.',
    async (candidateId) => ({
      candidate: await workstream.getCandidate(actor, { candidateId }),
      slaClocks: (await workstream.getSlaClocks(actor, { id: candidateId })).clocks,
    }),
  );
  entity(
    'pursuit',
    'workstream://pursuits/{id}',
    'Pursuit: one pursuit by id (pur_…) with its checklists, proposal versions and open SLA clocks.',
    async (pursuitId) => ({
      pursuit: await workstream.getPursuit(actor, { pursuitId }),
      slaClocks: (await workstream.getSlaClocks(actor, { id: pursuitId })).clocks,
    }),
  );
}

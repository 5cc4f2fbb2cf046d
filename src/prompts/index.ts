/**
 * MCP prompts: ready-made conversations that start from live data. Each embeds the resource it
 * is about, so the model starts with the facts instead of a first tool call.
 */
import { completable, type GetPromptResult, type McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { todayArguments } from '../resources/index.js';
import type { Caller } from '../server/context.js';
import { protocolErrorOf } from '../server/results.js';
import { complete } from '../workstream/completions.js';
import type { PursuitView } from '../workstream/views.js';

const JSON_TYPE = 'application/json';

function embedded(uri: string, value: unknown) {
  return {
    role: 'user' as const,
    content: {
      type: 'resource' as const,
      resource: { uri, mimeType: JSON_TYPE, text: JSON.stringify(value) },
    },
  };
}

function said(text: string) {
  return { role: 'user' as const, content: { type: 'text' as const, text } };
}

const DAILY_TRIAGE = `Walk me through my Today Panel, one item at a time, in the order given (it is already sorted by priority, then effective due time, then age).
For each item:
1. Say in one line what it is, where it stands and why it is urgent (overdue, SLA breached, SLA at risk, or just next in line).
2. Propose the single next step, using only the tools its state allows (the panel's allowedActions[state]: log_touch, qualify_candidate, promote_candidate, decide_bid, submit_pursuit, …), with the arguments you would pass.
3. Ask me before calling any tool that changes something; pass the item's version as expectedVersion.
If a tool refuses, read structuredContent.error (code, message, nextStep) and follow nextStep.
When the page is done and nextCursor is not null, fetch the next page with get_today_panel and that cursor.`;

function reviewText(pursuit: PursuitView, gate: 'pink' | 'red'): string {
  const list = pursuit.checklists.find((checklist) => checklist.kind === gate);
  const items = list
    ? list.items
        .map(
          (item) =>
            `- ${item.key} (${item.required ? 'required' : 'optional'}): ${item.state}${item.note ? ` — ${item.note}` : ''}`,
        )
        .join('\n')
    : '(this pursuit has no such checklist)';
  const versions = pursuit.proposalVersions.map((v) => `v${v.number} ${v.state}`).join(', ') || 'none';
  const goal =
    gate === 'pink'
      ? 'The pink gate must pass before submit_pursuit: every required pink item done, and a draft proposal version to send.'
      : 'The red gate must pass before mark_won or mark_lost: every required red item done.';
  return `Review pursuit ${pursuit.id} "${pursuit.title}" (${pursuit.accountName}, state ${pursuit.state}, version ${pursuit.version}) against its ${gate} gate.
${goal}

${gate} checklist (${list ? `${list.completion.percent}% of applicable items done` : 'missing'}):
${items}
Proposal versions: ${versions}

For every required item that is not done: say what evidence would close it and ask me for it. When I confirm, call set_checklist_item (pursuitId ${pursuit.id}, checklist ${gate}, itemKey, state done; or n_a with a note saying why it does not apply).
Then say whether the gate passes. If it does, offer to call ${gate === 'pink' ? 'submit_pursuit' : 'mark_won (with awardAmount) or mark_lost (with lossReason)'} with expectedVersion; do not call it until I agree.
The full record is attached.`;
}

export function registerPrompts(server: McpServer, caller: Caller): void {
  const { workstream, actor, log } = caller;

  server.registerPrompt(
    'daily_triage',
    {
      title: 'Daily triage',
      description: 'Walk the Today Panel item by item, most urgent first, proposing the next step for each.',
      argsSchema: z.object({
        // Completable inside optional: the SDK unwraps an optional argument to find its completer.
        assignee: completable(z.string(), (value) => complete(workstream.deps, actor, 'assignee', value))
          .optional()
          .describe('Whose panel: a member id, e-mail or name; yours by default.'),
        tags: completable(z.string(), (value) => complete(workstream.deps, actor, 'tags', value))
          .optional()
          .describe('Only items with these tags, comma-separated (all of them).'),
      }),
    },
    async ({ assignee, tags }): Promise<GetPromptResult> => {
      const uri = new URL('workstream://today');
      if (assignee) uri.searchParams.set('assignee', assignee);
      if (tags) uri.searchParams.set('tags', tags);
      try {
        const panel = await workstream.getTodayPanel(actor, todayArguments(uri));
        return {
          description: `Daily triage of ${panel.total} open item${panel.total === 1 ? '' : 's'}`,
          messages: [said(DAILY_TRIAGE), embedded(uri.href, panel)],
        };
      } catch (error) {
        throw protocolErrorOf(error, log, { prompt: 'daily_triage' });
      }
    },
  );

  server.registerPrompt(
    'pursuit_review',
    {
      title: 'Pursuit gate review',
      description:
        'Check a pursuit against its pink gate (before submitting) or red gate (before marking it won or lost), item by item.',
      argsSchema: z.object({
        pursuitId: completable(
          z.string().describe('The pursuit id (pur_…); find one with list_pursuits or get_today_panel.'),
          (value) => complete(workstream.deps, actor, 'pursuit', value),
        ),
        gate: completable(z.enum(['pink', 'red']), (value) =>
          (['pink', 'red'] as const).filter((gate) => gate.startsWith(value ?? '')),
        )
          .optional()
          .describe('pink or red; by default pink until the pursuit is submitted, red after.'),
      }),
    },
    async ({ pursuitId, gate }): Promise<GetPromptResult> => {
      try {
        const pursuit = await workstream.getPursuit(actor, { pursuitId });
        const slaClocks = (await workstream.getSlaClocks(actor, { id: pursuitId })).clocks;
        const chosen = gate ?? (pursuit.state === 'submitted' ? 'red' : 'pink');
        return {
          description: `${chosen} gate review of ${pursuit.id}`,
          messages: [
            said(reviewText(pursuit, chosen)),
            embedded(`workstream://pursuits/${pursuit.id}`, { pursuit, slaClocks }),
          ],
        };
      } catch (error) {
        throw protocolErrorOf(error, log, { prompt: 'pursuit_review' });
      }
    },
  );
}

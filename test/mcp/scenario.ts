/**
 * What every transport must carry: the whole lifecycle through tools, refusals with their
 * payloads, pagination across pages, the Today Panel order and a malformed call to every tool.
 * Each run uses fresh references and a tag of its own, so several clients can share a database.
 */
import { expect } from 'vitest';
import { type ToolClient as Client, call, type Loose, ok, refused } from './support.js';

let runs = 0;

/** A tag and a reference prefix unique to one scenario run. */
export function runLabel(): string {
  return `r${process.pid}-${++runs}-${Math.random().toString(36).slice(2, 7)}`;
}

const HOUR = 60 * 60 * 1000;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

/** signal → candidate → pursuit → won, with each refusal an assistant would meet on the way. */
export async function lifecycle(client: Client): Promise<void> {
  const label = runLabel();
  const { signal } = await ok(client, 'create_signal', {
    source: 'sam.gov',
    externalRef: `${label}-RFP-1`,
    kind: 'rfp_notice',
    title: 'Fleet telematics',
    accountName: `Acme ${label}`,
    accountDomain: `${label}.example`,
  });
  expect(signal.allowedActions).toEqual(['accept_signal', 'dismiss_signal']);
  const again = await ok(client, 'create_signal', {
    source: 'sam.gov',
    externalRef: `${label}-RFP-1`,
    title: 'Fleet telematics',
  });
  expect(again).toMatchObject({ created: false, signal: { id: signal.id } });

  const accepted = await ok(client, 'accept_signal', {
    signalId: signal.id,
    priority: 'high',
    assignee: 'me',
    tags: [label],
  });
  const candidateId: string = accepted.candidate.id;
  expect(accepted).toMatchObject({ candidateCreated: true, signal: { state: 'accepted' } });
  // A retry of the same accept answers the same candidate and creates nothing.
  expect(
    await ok(client, 'accept_signal', {
      signalId: signal.id,
      priority: 'high',
      assignee: 'me',
      tags: [label],
    }),
  ).toMatchObject({
    candidateCreated: false,
    candidate: { id: candidateId },
  });

  // Another lead for the same account: the candidate that holds its key is named.
  const twin = await refused(client, 'create_candidate', {
    title: 'Fleet telematics again',
    accountName: `Acme ${label}`,
    accountDomain: `${label}.example`,
  });
  expect(twin).toMatchObject({ code: 'DUPLICATE', entity: 'candidate', existingId: candidateId });
  expect(twin.nextStep).toContain(candidateId);
  const { signal: second } = await ok(client, 'create_signal', {
    source: 'website-form',
    externalRef: `${label}-form-1`,
    title: 'Telematics enquiry',
    accountName: `Acme ${label}`,
    accountDomain: `${label}.example`,
  });
  const twinSignal = await refused(client, 'accept_signal', { signalId: second.id });
  expect(twinSignal).toMatchObject({ code: 'DUPLICATE', existingId: candidateId });
  expect(twinSignal.nextStep).toContain(candidateId);

  // An argument the tool does not know is refused by name, not silently dropped.
  const unknown = await refused(client, 'list_candidates', { search: 'Acme' });
  expect(unknown).toMatchObject({ code: 'VALIDATION', field: 'search' });

  const early = await refused(client, 'promote_candidate', { candidateId });
  expect(early).toMatchObject({
    code: 'INVALID_TRANSITION',
    entity: 'candidate',
    id: candidateId,
    state: 'new',
    action: 'promote_candidate',
  });
  expect(early.nextStep).toMatch(/log_touch/);
  expect(early.allowed.map((a: { action: string }) => a.action)).toContain('log_touch');

  await ok(client, 'log_touch', { candidateId, kind: 'call', summary: 'Intro call' });
  const qualified = await ok(client, 'qualify_candidate', { candidateId });
  expect(qualified.state).toBe('qualified');

  const stale = await refused(client, 'update_candidate', {
    candidateId,
    priority: 'urgent',
    expectedVersion: 1,
  });
  expect(stale).toMatchObject({
    code: 'CONFLICT',
    id: candidateId,
    expectedVersion: 1,
    actualVersion: qualified.version,
  });

  const promoted = await ok(client, 'promote_candidate', {
    candidateId,
    dueAt: inHours(72),
    estimatedValue: 250000,
  });
  expect(promoted.created).toBe(true);
  const pursuitId: string = promoted.pursuit.id;
  expect(await ok(client, 'promote_candidate', { candidateId })).toMatchObject({
    created: false,
    pursuit: { id: pursuitId },
  });

  const notYet = await refused(client, 'submit_pursuit', { pursuitId });
  expect(notYet).toMatchObject({ code: 'INVALID_TRANSITION', state: 'capture', action: 'submit_pursuit' });
  await ok(client, 'decide_bid', { pursuitId, reason: 'Good fit' });

  const gate = await refused(client, 'submit_pursuit', { pursuitId });
  expect(gate).toMatchObject({ code: 'GUARD_FAILED', entity: 'pursuit', id: pursuitId });
  expect(gate.missing.length).toBeGreaterThan(0);
  const pursuit = await ok(client, 'get_pursuit', { pursuitId });
  const pink = pursuit.checklists.find((c: { kind: string }) => c.kind === 'pink');
  for (const item of pink.items.filter((i: { required: boolean }) => i.required)) {
    await ok(client, 'set_checklist_item', {
      pursuitId,
      checklist: 'pink',
      itemKey: item.key,
      state: 'done',
    });
  }
  const noVersion = await refused(client, 'submit_pursuit', { pursuitId });
  expect(noVersion).toMatchObject({ code: 'GUARD_FAILED' });
  const added = await call(client, 'add_proposal_version', {
    pursuitId,
    title: 'Technical volume v1',
    amount: 240000,
  });
  // A change answers the record's short form; the text names what it made.
  expect(Object.keys(added.data).sort()).toEqual(['allowedActions', 'id', 'state', 'version']);
  expect(added.text).toMatch(/proposal v1 prop_[0-9A-Z]{26} draft/);
  const submitted = await ok(client, 'submit_pursuit', { pursuitId });
  expect(submitted.state).toBe('submitted');
  expect((await ok(client, 'get_pursuit', { pursuitId })).proposalVersions[0].state).toBe('sent');

  const red = await refused(client, 'mark_won', { pursuitId, awardAmount: 240000 });
  expect(red).toMatchObject({ code: 'GUARD_FAILED' });
  const details = await ok(client, 'get_pursuit', { pursuitId });
  for (const item of details.checklists.find((c: { kind: string }) => c.kind === 'red').items) {
    if (item.required)
      await ok(client, 'set_checklist_item', {
        pursuitId,
        checklist: 'red',
        itemKey: item.key,
        state: 'done',
      });
  }
  const won = await ok(client, 'mark_won', { pursuitId, awardAmount: 240000 });
  expect(won).toMatchObject({ state: 'won', allowedActions: ['update_pursuit'] });
  expect(await ok(client, 'get_pursuit', { pursuitId })).toMatchObject({ awardAmount: 240000 });
  const closed = await refused(client, 'cancel_pursuit', { pursuitId, reason: 'too late' });
  expect(closed).toMatchObject({ code: 'INVALID_TRANSITION', state: 'won' });

  const missing = await refused(client, 'get_candidate', { candidateId: 'cand_01JAAAAAAAAAAAAAAAAAAAAAAA' });
  expect(missing).toMatchObject({ code: 'NOT_FOUND', entity: 'candidate' });

  // The history, read two events at a time, is the whole history.
  const all = await ok(client, 'get_history', { id: pursuitId, limit: 100 });
  const paged = await collectPages(client, 'get_history', { id: pursuitId, limit: 2 });
  expect(paged.map((e) => e.id)).toEqual(all.items.map((e: { id: string }) => e.id));
  expect(all.items.map((e: { type: string }) => e.type)).toContain('pursuit.won');
}

/** What a caller who may only read meets on a change: FORBIDDEN, as a result. */
export async function forbidden(viewer: Client): Promise<void> {
  const refusal = await refused(viewer, 'create_candidate', {
    title: 'x',
    accountName: `Viewer ${runLabel()}`,
  });
  expect(refusal).toMatchObject({ code: 'FORBIDDEN' });
}

/** What a caller meets when the server itself fails: INTERNAL with an error id, as a result. */
export async function internal(broken: Client): Promise<void> {
  const refusal = await refused(broken, 'list_signals', {});
  expect(refusal).toMatchObject({ code: 'INTERNAL', errorId: expect.stringMatching(/^err_/) });
}

/** Follows nextCursor to the end; checks no page is over the limit and nothing repeats. */
export async function collectPages(
  client: Client,
  tool: string,
  args: Record<string, unknown>,
): Promise<Loose[]> {
  const items: Loose[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await ok(client, tool, { ...args, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(Number(args.limit ?? 25));
    items.push(...page.items);
    if (page.nextCursor === null) {
      expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
      return items;
    }
    expect(page.items.length).toBe(Number(args.limit ?? 25));
    cursor = page.nextCursor;
  }
  throw new Error(`${tool} did not reach its last page`);
}

/** Seven signals read three at a time: three pages, each signal once, newest first. */
export async function pagination(client: Client): Promise<void> {
  const label = runLabel();
  const ids: string[] = [];
  for (let n = 0; n < 7; n++) {
    const { signal } = await ok(client, 'create_signal', {
      source: label,
      externalRef: `${label}-${n}`,
      title: `Signal ${n}`,
    });
    ids.push(signal.id);
  }
  const pages = await collectPages(client, 'list_signals', { source: label, limit: 3 });
  expect(pages.map((signal) => signal.id)).toEqual([...ids].reverse());
  const first = await ok(client, 'list_signals', { source: label, limit: 3 });
  expect(first.items).toHaveLength(3);
  expect(first.nextCursor).toEqual(expect.any(String));
  const bad = await refused(client, 'list_signals', { source: label, cursor: 'not-a-cursor' });
  expect(bad).toMatchObject({ code: 'VALIDATION', field: 'cursor' });
}

/** Urgent before high before low; among equals the earlier due first; undated last; then older first. */
export async function todayOrder(client: Client): Promise<void> {
  const label = runLabel();
  const make = async (title: string, priority: string, dueAt?: string) => {
    const candidate = await ok(client, 'create_candidate', {
      title,
      accountName: `${title} ${label}`,
      priority,
      assignee: 'me',
      tags: [label],
      ...(dueAt ? { dueAt } : {}),
    });
    return candidate.id as string;
  };
  const lowSoon = await make('low soon', 'low', inHours(1));
  const highLater = await make('high later', 'high', inHours(48));
  const highUndated = await make('high undated', 'high');
  const urgentLate = await make('urgent late', 'urgent', inHours(240));
  const highOverdue = await make('high overdue', 'high', inHours(-5));
  const highSoon = await make('high soon', 'high', inHours(2));
  const expected = [urgentLate, highOverdue, highSoon, highLater, highUndated, lowSoon];

  const panel = await ok(client, 'get_today_panel', { tags: [label] });
  expect(panel.items.map((item: { id: string }) => item.id)).toEqual(expected);
  expect(panel.total).toBe(6);
  expect(panel.items[1]).toMatchObject({ id: highOverdue, flags: ['overdue'] });
  expect(panel.items[2]).toMatchObject({ id: highSoon, flags: [] });

  const paged = await collectPages(client, 'get_today_panel', { tags: [label], limit: 4 });
  expect(paged.map((item) => item.id)).toEqual(expected);
}

type JsonSchema = { type?: string | string[]; enum?: unknown[]; anyOf?: JsonSchema[] };

/** A value of the wrong type for a property of this JSON Schema. */
function wrongValue(schema: JsonSchema): unknown {
  const types = [schema.type, ...(schema.anyOf ?? []).map((s) => s.type)].flat().filter(Boolean);
  if (schema.enum) return 'not-one-of-the-options';
  if (types.includes('string')) return 12345;
  if (types.includes('integer') || types.includes('number')) return 'a lot';
  return 'not-the-right-shape';
}

/**
 * Every tool the server lists, called with a malformed argument: a VALIDATION refusal naming the
 * field. A tool that takes no arguments (get_sla_policies) has none to get wrong: it must answer a
 * call without any.
 */
export async function malformedCalls(client: Client): Promise<number> {
  const { tools } = await client.listTools();
  expect(tools.length).toBeGreaterThan(0);
  for (const tool of tools) {
    const schema = tool.inputSchema as { properties?: Record<string, JsonSchema>; required?: string[] };
    const properties = Object.entries(schema.properties ?? {});
    let args: Record<string, unknown> = {};
    let field: string;
    if (schema.required?.length) {
      field = schema.required[0] as string;
    } else {
      const [name, property] = properties[0] ?? [];
      if (!name || !property) {
        const answer = await call(client, tool.name, {});
        expect(answer.isError, `${tool.name} takes no arguments, yet refused none: ${answer.text}`).toBe(
          false,
        );
        continue;
      }
      field = name;
      args = { [name]: wrongValue(property) };
    }
    const answer = await call(client, tool.name, args);
    expect(answer.isError, `${tool.name} accepted ${JSON.stringify(args)}`).toBe(true);
    expect(answer.data?.error, tool.name).toMatchObject({ code: 'VALIDATION', field });
    expect(answer.text, tool.name).toContain(field);
  }
  return tools.length;
}

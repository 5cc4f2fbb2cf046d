/**
 * Fields required from a state on (a custom field's requiredFrom), through real MCP clients (SDK
 * v2 and v1) on each dialect. Every transition of the candidate and pursuit machines is driven
 * by its tool into its target state with every field missing, while the org requires one field
 * from each state: the record's allowedActions lists the tool (the state table's, as for the
 * checklist gates), the call is refused as GUARD_FAILED `required_fields` naming exactly the
 * fields the target state requires (src/domain: statesFrom, fieldsRequiredIn) and changes
 * nothing; with those fields set, the same call moves the record.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport as InMemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ActionTable,
  allowedIn,
  CANDIDATE_ACTIONS_TABLE,
  isClosed,
  PURSUIT_ACTIONS_TABLE,
} from '../../src/domain/actions.js';
import { HELD_FROM } from '../../src/domain/machine.js';
import { fieldsRequiredIn } from '../../src/domain/process.js';
import { createServer } from '../../src/server/mcp.js';
import { TOOLSETS } from '../../src/tools/toolsets.js';
import { describeEachDialect } from '../support/databases.js';
import { snapshot, type TestOrg, testOrg } from '../support/workstream.js';
import { runLabel } from './scenario.js';
import { inMemoryClient, type Loose, ok, quiet, refused, type ToolClient } from './support.js';

type Entity = 'candidate' | 'pursuit';
const ID_ARG = { candidate: 'candidateId', pursuit: 'pursuitId' } as const;
const SDKS = ['v2', 'v1'] as const;
const TABLES: Record<Entity, ActionTable<string>> = {
  candidate: CANDIDATE_ACTIONS_TABLE,
  pursuit: PURSUIT_ACTIONS_TABLE,
};

/** One move: a record in `from` (held from `heldFrom`) called with `tool` into `to`. */
interface Move {
  readonly entity: Entity;
  readonly tool: string;
  readonly from: string;
  readonly heldFrom?: string;
  readonly to: string;
}

/** Every transition of both machines, a held pursuit's resume once per state it can be held from. */
function moves(): Move[] {
  const out: Move[] = [];
  for (const entity of ['candidate', 'pursuit'] as const) {
    const machine = TABLES[entity].machine;
    for (const t of machine.transitions)
      for (const from of t.from) {
        if (t.to !== HELD_FROM) {
          out.push({ entity, tool: t.action, from, to: t.to });
          continue;
        }
        const entering = machine.transitions.filter((e) => e.to === from).flatMap((e) => e.from);
        for (const heldFrom of new Set(entering))
          out.push({ entity, tool: t.action, from, heldFrom, to: heldFrom });
      }
  }
  return out;
}

/** The org's definitions: one text field per entity and state (past the first), required from it. */
function definitions() {
  return (['candidate', 'pursuit'] as const).flatMap((entity) => {
    const machine = TABLES[entity].machine;
    return machine.states
      .filter((state) => state !== machine.initial)
      .map((state) => ({
        entity,
        key: `from_${state}`,
        label: `From ${state}`,
        type: 'text',
        requiredFrom: state,
      }));
  });
}

class Driver {
  constructor(readonly client: ToolClient) {}

  async candidate(state: string): Promise<string> {
    const label = runLabel();
    const created = await ok(this.client, 'create_candidate', {
      title: `Lead ${label}`,
      accountName: `Acme ${label}`,
    });
    const candidateId = created.id;
    if (state === 'new') return candidateId;
    if (state === 'disqualified') {
      await ok(this.client, 'disqualify_candidate', { candidateId, reason: 'no_budget' });
      return candidateId;
    }
    await ok(this.client, 'log_touch', { candidateId, kind: 'call', summary: 'Intro' });
    if (state === 'contacted') return candidateId;
    await ok(this.client, 'qualify_candidate', { candidateId });
    if (state === 'qualified') return candidateId;
    throw new Error(`no candidate driven to ${state}`);
  }

  async complete(pursuitId: string, kind: string): Promise<void> {
    const full = await ok(this.client, 'get_pursuit', { pursuitId });
    const list = full.checklists.find((c: { kind: string }) => c.kind === kind);
    for (const item of list.items)
      if (item.required)
        await ok(this.client, 'set_checklist_item', {
          pursuitId,
          checklist: kind,
          itemKey: item.key,
          state: 'done',
        });
  }

  /** A pursuit in `state`, its checklists and proposal ready for the move out of it. */
  async pursuit(state: string, heldFrom?: string): Promise<string> {
    const { pursuit } = await ok(this.client, 'promote_candidate', {
      candidateId: await this.candidate('qualified'),
    });
    const pursuitId: string = pursuit.id;
    if (state === 'capture') return pursuitId;
    if (state === 'on_hold') {
      if (heldFrom === 'proposal') await ok(this.client, 'decide_bid', { pursuitId });
      await ok(this.client, 'hold_pursuit', { pursuitId, reason: 'budget freeze' });
      return pursuitId;
    }
    await ok(this.client, 'decide_bid', { pursuitId });
    await this.complete(pursuitId, 'pink');
    await ok(this.client, 'add_proposal_version', { pursuitId, title: 'v1' });
    if (state === 'proposal') return pursuitId;
    await ok(this.client, 'submit_pursuit', { pursuitId });
    await this.complete(pursuitId, 'red');
    if (state === 'submitted') return pursuitId;
    throw new Error(`no pursuit driven to ${state}`);
  }

  record(move: Move): Promise<string> {
    return move.entity === 'candidate' ? this.candidate(move.from) : this.pursuit(move.from, move.heldFrom);
  }

  async args(move: Move, id: string): Promise<Record<string, unknown>> {
    const base = { [ID_ARG[move.entity]]: id };
    switch (move.tool) {
      case 'log_touch':
        return { ...base, kind: 'email', summary: 'Touch' };
      case 'disqualify_candidate':
        return { ...base, reason: 'no_fit' };
      case 'reopen_candidate':
        return { ...base, reason: 'they called back' };
      case 'merge_candidate':
        return { ...base, intoId: await this.candidate('new') };
      case 'decide_no_bid':
      case 'hold_pursuit':
      case 'cancel_pursuit':
        return { ...base, reason: 'other work first' };
      case 'mark_won':
        return { ...base, awardAmount: 5000 };
      case 'mark_lost':
        return { ...base, lossReason: 'price' };
      default:
        return base;
    }
  }
}

async function v1Client(org: TestOrg): Promise<ToolClient> {
  const server = createServer({ workstream: org.ws, actor: org.actor, log: quiet, toolsets: TOOLSETS });
  const [clientSide, serverSide] = InMemoryV1.createLinkedPair();
  await server.connect(serverSide as never);
  const client = new ClientV1({ name: 'required-from-v1', version: '1.0.0' });
  await client.connect(clientSide);
  return client as unknown as ToolClient;
}

const label = (m: Move) =>
  `${m.entity} ${m.tool} ${m.from}${m.heldFrom ? ` (held from ${m.heldFrom})` : ''} → ${m.to}`;

describeEachDialect('fields required from a state on', (db) => {
  let org: TestOrg;
  const clients: Partial<Record<(typeof SDKS)[number], ToolClient>> = {};
  /** Each move's record, driven before the org required anything. */
  const records = new Map<string, string>();
  const defs = definitions();
  const all = moves();

  beforeAll(async () => {
    org = await testOrg(db.store());
    clients.v2 = await inMemoryClient(org.ws, org.actor, { toolsets: TOOLSETS });
    clients.v1 = await v1Client(org);
    for (const sdk of SDKS) {
      const driver = new Driver(clients[sdk] as ToolClient);
      for (const move of all) records.set(`${sdk} ${label(move)}`, await driver.record(move));
    }
    for (const def of defs) await ok(clients.v2 as ToolClient, 'set_custom_field', def);
  }, 120_000);

  it('covers every transition of both machines', () => {
    expect(all.length).toBe(
      (['candidate', 'pursuit'] as const).flatMap((e) => TABLES[e].machine.transitions.flatMap((t) => t.from))
        .length + 1, // resume_pursuit once per state a pursuit is held from (capture, proposal)
    );
    expect(all.map((m) => m.tool)).toEqual(
      expect.arrayContaining(['log_touch', 'promote_candidate', 'resume_pursuit']),
    );
  });

  for (const sdk of SDKS)
    describe(`SDK ${sdk}`, () => {
      it.each(all.map((move) => ({ move, name: label(move) })))('$name', async ({ move }) => {
        const client = clients[sdk] as ToolClient;
        const driver = new Driver(client);
        const table = TABLES[move.entity];
        const id = records.get(`${sdk} ${label(move)}`) as string;
        const get = () => ok(client, `get_${move.entity}`, { [ID_ARG[move.entity]]: id });
        const before: Loose = await get();
        expect(before.state).toBe(move.from);
        // allowedActions is the state table's: the move is listed whether or not its fields are there.
        expect(before.allowedActions).toEqual(allowedIn(table, move.from));
        expect(before.allowedActions).toContain(move.tool);

        // A move out of a closed state needs nothing: the closed record could not take the fields.
        const required = isClosed(table, move.from) ? [] : fieldsRequiredIn(table.machine, defs, move.to);
        const args = await driver.args(move, id);
        if (required.length > 0) {
          const rows = await snapshot(db.store());
          const failure = await refused(client, move.tool, args);
          expect(failure).toMatchObject({
            code: 'GUARD_FAILED',
            gate: 'required_fields',
            entity: move.entity,
            id,
          });
          expect(failure.missing.map((m: { key: string }) => m.key)).toEqual(required);
          expect(failure.nextStep).toContain(`with update_${move.entity}`);
          expect(failure.nextStep).toContain(`call ${move.tool} again`);
          expect(await snapshot(db.store())).toEqual(rows);
          const fields = Object.fromEntries(
            required.map((f) => [f.slice('fields.'.length), `set for ${move.to}`]),
          );
          await ok(client, `update_${move.entity}`, { [ID_ARG[move.entity]]: id, fields });
        }
        await ok(client, move.tool, args);
        expect((await get()).state).toBe(move.to);
      });
    });

  for (const sdk of SDKS)
    it(`keeps a required field from being cleared, and takes requiredFrom only as a later state (SDK ${sdk})`, async () => {
      const client = clients[sdk] as ToolClient;
      const schema = await ok(client, 'get_field_schema', { entity: 'pursuit' });
      expect(schema.fields.find((f: { key: string }) => f.key === 'from_submitted')).toMatchObject({
        requiredFrom: 'submitted',
      });
      const label = runLabel();
      const candidate = await ok(client, 'create_candidate', {
        title: `Keep ${label}`,
        accountName: `Keep ${label}`,
        fields: { from_contacted: 'Chief buyer' },
      });
      const candidateId = candidate.id;
      await ok(client, 'log_touch', { candidateId, kind: 'call', summary: 'Intro' });
      const rows = await snapshot(db.store());
      for (const value of [null, '  ']) {
        const cleared = await refused(client, 'update_candidate', {
          candidateId,
          fields: { from_contacted: value },
        });
        expect(cleared).toMatchObject({ code: 'VALIDATION', field: 'fields.from_contacted' });
        expect(cleared.message).toContain('`contacted`');
      }
      expect(await snapshot(db.store())).toEqual(rows);
      // A field the state does not require yet may be cleared; a required one may be changed.
      await ok(client, 'update_candidate', {
        candidateId,
        fields: { from_qualified: null, from_contacted: 'CFO' },
      });

      const configured = await snapshot(db.store());
      const notAState = await refused(client, 'set_custom_field', {
        entity: 'candidate',
        key: 'award_ref',
        label: 'Award ref',
        type: 'text',
        requiredFrom: 'won',
      });
      expect(notAState).toMatchObject({ code: 'VALIDATION', field: 'requiredFrom' });
      expect(notAState.message).toContain('not a candidate state');
      const first = await refused(client, 'set_custom_field', {
        entity: 'pursuit',
        key: 'award_ref',
        label: 'Award ref',
        type: 'text',
        requiredFrom: 'capture',
      });
      expect(first).toMatchObject({ code: 'VALIDATION', field: 'requiredFrom' });
      expect(first.message).toContain('required on create');
      expect(await snapshot(db.store())).toEqual(configured);
    });
});

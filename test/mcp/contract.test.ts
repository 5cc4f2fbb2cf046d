/**
 * The promises an assistant relies on, held over a real MCP client and a real database:
 * - every record's allowedActions lists exactly the tools its state does not refuse as a
 *   transition (each entity kind × state × tool, driven with real commands);
 * - every tool that says idempotentHint, called twice with the same arguments, answers the same
 *   the second time and writes nothing more;
 * - every tool refuses an argument it does not know, by name, as the server's instructions say
 *   once for all of them (the published schemas leave `additionalProperties: false` out).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CANDIDATE_STATES } from '../../src/domain/candidate.js';
import { PURSUIT_STATES } from '../../src/domain/pursuit.js';
import { SIGNAL_STATES } from '../../src/domain/signal.js';
import { Changed, changedDepth } from '../../src/tools/answers.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { TOOLSETS } from '../../src/tools/toolsets.js';
import type { Actor } from '../../src/workstream/workstream.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';
import { runLabel } from './scenario.js';
import { type Answer, call, inMemoryClient, type Loose, ok, type ToolClient } from './support.js';

type Kind = 'signal' | 'candidate' | 'pursuit';
const ID_ARG: Record<Kind, string> = { signal: 'signalId', candidate: 'candidateId', pursuit: 'pursuitId' };
const STATES: Record<Kind, readonly string[]> = {
  signal: SIGNAL_STATES,
  candidate: CANDIDATE_STATES,
  pursuit: PURSUIT_STATES,
};

/** The write tools whose subject is one record of `kind`: the ones its allowedActions speak of. */
function toolsOf(kind: Kind): string[] {
  return ALL_TOOLS.filter((tool) => {
    if (tool.annotations.readOnlyHint) return false;
    // The record a tool acts on is its first required id argument (accept_signal may also name a
    // candidate); a tool whose id arguments are all optional acts on whichever it is given
    // (set_checklist_item: a pursuit's review by pursuitId, a candidate's by candidateId).
    const shape = tool.command.input.shape as Record<string, { isOptional(): boolean }>;
    const ids = Object.keys(shape).filter((key) => Object.values(ID_ARG).includes(key));
    const required = ids.filter((key) => !shape[key]?.isOptional());
    return required.length > 0 ? required[0] === ID_ARG[kind] : ids.includes(ID_ARG[kind]);
  }).map((tool) => tool.name);
}

/** Drives records into each state through the tools, as an assistant would. */
class Driver {
  /** `review`: a candidate review gating promote_candidate, whose required items are ticked before promoting. */
  constructor(
    readonly client: ToolClient,
    readonly review?: { key: string; items: string[] },
  ) {}

  async promote(candidateId: string): Promise<Loose> {
    for (const itemKey of this.review?.items ?? [])
      await ok(this.client, 'set_checklist_item', {
        candidateId,
        checklist: this.review?.key,
        itemKey,
        state: 'done',
      });
    return ok(this.client, 'promote_candidate', { candidateId });
  }

  async signal(state: string): Promise<Loose> {
    const label = runLabel();
    const { signal } = await ok(this.client, 'create_signal', {
      source: 'contract',
      externalRef: label,
      title: `Signal ${label}`,
      accountName: `Account ${label}`,
    });
    if (state === 'accepted') return (await ok(this.client, 'accept_signal', { signalId: signal.id })).signal;
    if (state === 'dismissed')
      return ok(this.client, 'dismiss_signal', { signalId: signal.id, reason: 'not for us' });
    return signal;
  }

  async candidate(state: string): Promise<Loose> {
    const label = runLabel();
    const created = await ok(this.client, 'create_candidate', {
      title: `Lead ${label}`,
      accountName: `Acme ${label}`,
    });
    const candidateId = created.id;
    if (state === 'new') return created;
    if (state === 'disqualified')
      return ok(this.client, 'disqualify_candidate', { candidateId, reason: 'no_budget' });
    if (state === 'merged') {
      const into = await this.candidate('new');
      await ok(this.client, 'merge_candidate', { candidateId, intoId: into.id });
      return ok(this.client, 'get_candidate', { candidateId });
    }
    const contacted = await ok(this.client, 'log_touch', { candidateId, kind: 'call', summary: 'Intro' });
    if (state === 'contacted') return contacted;
    const qualified = await ok(this.client, 'qualify_candidate', { candidateId });
    if (state === 'qualified') return qualified;
    await this.promote(candidateId);
    return ok(this.client, 'get_candidate', { candidateId });
  }

  async completeChecklist(pursuit: Loose, kind: 'pink' | 'red'): Promise<void> {
    // Change answers carry the record's state, not its checklists: read them.
    const full = await ok(this.client, 'get_pursuit', { pursuitId: pursuit.id });
    const list = full.checklists.find((c: { kind: string }) => c.kind === kind);
    for (const item of list.items)
      if (item.required)
        await ok(this.client, 'set_checklist_item', {
          pursuitId: pursuit.id,
          checklist: kind,
          itemKey: item.key,
          state: 'done',
        });
  }

  /** A pursuit driven to `state`, read whole (change answers are summaries). */
  async pursuit(state: string): Promise<Loose> {
    const driven = await this.drivePursuit(state);
    return ok(this.client, 'get_pursuit', { pursuitId: driven.id });
  }

  async drivePursuit(state: string): Promise<Loose> {
    const candidate = await this.candidate('qualified');
    const { pursuit } = await this.promote(candidate.id);
    const pursuitId = pursuit.id;
    if (state === 'capture') return pursuit;
    if (state === 'on_hold') return ok(this.client, 'hold_pursuit', { pursuitId, reason: 'budget freeze' });
    if (state === 'no_bid') return ok(this.client, 'decide_no_bid', { pursuitId, reason: 'no capacity' });
    if (state === 'cancelled') return ok(this.client, 'cancel_pursuit', { pursuitId, reason: 'called off' });
    const proposal = await ok(this.client, 'decide_bid', { pursuitId });
    if (state === 'proposal') return proposal;
    await this.completeChecklist(proposal, 'pink');
    await ok(this.client, 'add_proposal_version', { pursuitId, title: 'v1' });
    const submitted = await ok(this.client, 'submit_pursuit', { pursuitId });
    if (state === 'submitted') return submitted;
    await this.completeChecklist(submitted, 'red');
    if (state === 'won') return ok(this.client, 'mark_won', { pursuitId, awardAmount: 1000 });
    return ok(this.client, 'mark_lost', { pursuitId, lossReason: 'price' });
  }

  record(kind: Kind, state: string): Promise<Loose> {
    return this[kind](state);
  }

  async reread(kind: Kind, id: string): Promise<Loose> {
    return ok(this.client, `get_${kind}`, { [ID_ARG[kind]]: id });
  }
}

/** Arguments for each record tool: valid, and different from what drove the record there. */
async function argsFor(driver: Driver, tool: string, record: Loose): Promise<Record<string, unknown>> {
  const latestVersion = () => (record.proposalVersions ?? []).at(-1)?.id ?? 'prop_01JAAAAAAAAAAAAAAAAAAAAAAA';
  const id = record.id;
  switch (tool) {
    case 'accept_signal':
      return { signalId: id };
    case 'dismiss_signal':
      return { signalId: id, reason: 'a different reason' };
    case 'update_candidate':
      return { candidateId: id, tags: { add: ['checked'] } };
    case 'log_touch':
      return { candidateId: id, kind: 'email', summary: 'Follow-up' };
    case 'qualify_candidate':
      return { candidateId: id };
    case 'disqualify_candidate':
      return { candidateId: id, reason: 'not_a_fit' };
    case 'reopen_candidate':
      return { candidateId: id, reason: 'they called back' };
    case 'merge_candidate':
      return { candidateId: id, intoId: (await driver.candidate('new')).id };
    case 'promote_candidate':
      return { candidateId: id };
    case 'enrich_candidate':
      return { candidateId: id };
    case 'update_pursuit':
      return { pursuitId: id, tags: { add: ['checked'] } };
    case 'decide_bid':
      return { pursuitId: id };
    case 'decide_no_bid':
      return { pursuitId: id, reason: 'a different reason' };
    case 'hold_pursuit':
      return { pursuitId: id, reason: 'a different reason' };
    case 'resume_pursuit':
      return { pursuitId: id };
    case 'add_proposal_version':
      return { pursuitId: id, title: 'v2' };
    case 'submit_pursuit':
      return { pursuitId: id };
    case 'send_proposal_version':
      return { pursuitId: id };
    case 'withdraw_proposal_version':
      return { pursuitId: id, versionId: latestVersion(), reason: 'superseded offline' };
    case 'log_follow_up':
      return { pursuitId: id, summary: 'Called the buyer' };
    case 'mark_won':
      return { pursuitId: id, awardAmount: 4242 };
    case 'mark_lost':
      return { pursuitId: id, lossReason: 'a different reason' };
    case 'cancel_pursuit':
      return { pursuitId: id, reason: 'a different reason' };
    case 'request_sign_off':
      return { pursuitId: id, action: 'decide_bid' };
    case 'set_checklist_item': {
      // A candidate's review where the org has one (else the item is not found: not a transition).
      if (id.startsWith('cand_')) {
        const review = driver.review ?? { key: 'qualification', items: ['budget'] };
        return { candidateId: id, checklist: review.key, itemKey: review.items[0], state: 'done' };
      }
      const pink = record.checklists.find((c: { kind: string }) => c.kind === 'pink');
      return { pursuitId: id, checklist: 'pink', itemKey: pink.items[0].key, state: 'done' };
    }
    default:
      throw new Error(`no arguments for ${tool}: add them to this test`);
  }
}

const refusedAsTransition = (answer: Answer) =>
  answer.isError && answer.data?.error?.code === 'INVALID_TRANSITION';

/**
 * One rule for allowedActions and the guards: a listed tool is never refused as a transition
 * (a gate such as a review still open answers GUARD_FAILED); an unlisted one is, unless it
 * retries what made the state and changes nothing.
 */
async function agree(client: ToolClient, driver: Driver, kind: Kind, state: string, tool: string) {
  const record = await driver.record(kind, state);
  expect(record.state).toBe(state);
  const listed: boolean = record.allowedActions.includes(tool);
  const answer = await call(client, tool, await argsFor(driver, tool, record));
  if (listed) {
    expect(refusedAsTransition(answer), `${tool} is listed on a ${state} ${kind}: ${answer.text}`).toBe(
      false,
    );
  } else if (!refusedAsTransition(answer)) {
    // Not listed yet accepted: only a retry of what made the state, which changes nothing.
    expect(answer.isError, `${tool} is not listed on a ${state} ${kind}, yet: ${answer.text}`).toBe(false);
    expect((await driver.reread(kind, record.id)).version, `${tool} changed a ${state} ${kind}`).toBe(
      record.version,
    );
  }
  return answer;
}

describeEachDialect('the assistant contract', (db) => {
  let client: ToolClient;
  let driver: Driver;
  let org: TestOrg;
  let seller: Actor;

  beforeAll(async () => {
    org = await testOrg(db.store());
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `sam-${runLabel()}@contract.test`,
      name: 'Sam Seller',
    });
    seller = { orgId: org.orgId, memberId };
    client = await inMemoryClient(createWorkstream(db.store()), org.actor, { toolsets: TOOLSETS });
    driver = new Driver(client);
  });

  describe('allowedActions', () => {
    const cases = (['signal', 'candidate', 'pursuit'] as const).flatMap((kind) =>
      STATES[kind].flatMap((state) => toolsOf(kind).map((tool) => ({ kind, state, tool }))),
    );

    it('covers every record tool', () => {
      expect(toolsOf('signal')).toEqual(['accept_signal', 'dismiss_signal']);
      expect(toolsOf('candidate')).toContain('update_candidate');
      expect(toolsOf('candidate')).toContain('set_checklist_item');
      expect(toolsOf('pursuit')).toContain('set_checklist_item');
    });

    it.each(cases)(
      'a $kind in $state lists $tool exactly when $tool is not refused as a transition',
      async ({ kind, state, tool }) => {
        await agree(client, driver, kind, state, tool);
      },
    );

    it('lets a closed record take tags, and refuses anything else as INVALID_TRANSITION', async () => {
      for (const [kind, state, change] of [
        ['pursuit', 'won', { title: 'Renamed' }],
        ['pursuit', 'cancelled', { priority: 'urgent' }],
        ['candidate', 'disqualified', { title: 'Renamed' }],
        ['candidate', 'promoted', { estimatedValue: 5 }],
      ] as const) {
        const record = await driver.record(kind, state);
        const tool = `update_${kind}`;
        const tagged = await ok(client, tool, { [ID_ARG[kind]]: record.id, tags: { add: ['after-close'] } });
        // Change answers are summaries: the tags are read back whole.
        expect((await driver.reread(kind, tagged.id)).tags).toContain('after-close');
        const answer = await call(client, tool, { [ID_ARG[kind]]: record.id, ...change });
        expect(answer.data.error, `${tool} on a ${state} ${kind}`).toMatchObject({
          code: 'INVALID_TRANSITION',
          state,
          action: tool,
        });
        expect(answer.text).toContain(Object.keys(change)[0]);
        expect((await driver.reread(kind, record.id)).version).toBe(tagged.version);
      }
    });
  });

  describe('idempotentHint', () => {
    /** A first call that succeeds, for each tool that says a repeat is harmless. */
    const firstCalls: Record<string, () => Promise<Record<string, unknown>>> = {
      create_signal: async () => ({ source: 'twice', externalRef: runLabel(), title: 'Twice' }),
      accept_signal: async () => ({ signalId: (await driver.signal('new')).id, priority: 'high' }),
      dismiss_signal: async () => ({ signalId: (await driver.signal('new')).id, reason: 'spam' }),
      update_candidate: async () => ({
        candidateId: (await driver.candidate('new')).id,
        title: 'Retitled',
        priority: 'urgent',
        assignee: 'me',
        dueAt: '2026-12-24T12:00:00Z',
        estimatedValue: 99,
        fields: { source: 'fair' },
        tags: { add: ['twice'] },
      }),
      qualify_candidate: async () => ({ candidateId: (await driver.candidate('contacted')).id }),
      disqualify_candidate: async () => ({
        candidateId: (await driver.candidate('new')).id,
        reason: 'no_budget',
      }),
      reopen_candidate: async () => ({
        candidateId: (await driver.candidate('disqualified')).id,
        reason: 'budget found',
      }),
      merge_candidate: async () => ({
        candidateId: (await driver.candidate('new')).id,
        intoId: (await driver.candidate('new')).id,
      }),
      promote_candidate: async () => ({ candidateId: (await driver.candidate('qualified')).id }),
      update_pursuit: async () => ({
        pursuitId: (await driver.pursuit('capture')).id,
        title: 'Retitled',
        priority: 'low',
        assignee: 'me',
        dueAt: '2026-12-24T12:00:00Z',
        estimatedValue: 7,
        probability: 40,
        tags: { add: ['twice'] },
      }),
      decide_bid: async () => ({ pursuitId: (await driver.pursuit('capture')).id }),
      decide_no_bid: async () => ({ pursuitId: (await driver.pursuit('capture')).id, reason: 'no fit' }),
      hold_pursuit: async () => ({ pursuitId: (await driver.pursuit('capture')).id, reason: 'freeze' }),
      resume_pursuit: async () => ({ pursuitId: (await driver.pursuit('on_hold')).id }),
      submit_pursuit: async () => {
        const pursuit = await driver.pursuit('proposal');
        await driver.completeChecklist(pursuit, 'pink');
        await ok(client, 'add_proposal_version', { pursuitId: pursuit.id, title: 'v1' });
        return { pursuitId: pursuit.id };
      },
      send_proposal_version: async () => {
        const pursuit = await driver.pursuit('submitted');
        await ok(client, 'add_proposal_version', { pursuitId: pursuit.id, title: 'v2' });
        return { pursuitId: pursuit.id };
      },
      withdraw_proposal_version: async () => {
        const pursuit = await driver.pursuit('proposal');
        await ok(client, 'add_proposal_version', { pursuitId: pursuit.id, title: 'v1' });
        const read = await ok(client, 'get_pursuit', { pursuitId: pursuit.id });
        return { pursuitId: pursuit.id, versionId: read.proposalVersions[0].id, reason: 'wrong file' };
      },
      mark_won: async () => {
        const pursuit = await driver.pursuit('submitted');
        await driver.completeChecklist(pursuit, 'red');
        return { pursuitId: pursuit.id, awardAmount: 1234 };
      },
      mark_lost: async () => {
        const pursuit = await driver.pursuit('submitted');
        await driver.completeChecklist(pursuit, 'red');
        return { pursuitId: pursuit.id, lossReason: 'price' };
      },
      cancel_pursuit: async () => ({ pursuitId: (await driver.pursuit('capture')).id, reason: 'called off' }),
      set_checklist_item: async () => {
        const pursuit = await driver.pursuit('capture');
        const pink = pursuit.checklists.find((c: { kind: string }) => c.kind === 'pink');
        return { pursuitId: pursuit.id, checklist: 'pink', itemKey: pink.items[0].key, state: 'done' };
      },
      set_sla_policy: async () => ({ kind: 'triage', priority: 'high', targetHours: 5 }),
      set_custom_field: async () => ({ entity: 'pursuit', key: 'sector', label: 'Sector', type: 'text' }),
      set_process_rules: async () => ({ reasons: { loss: ['price', 'timing'] } }),
      apply_checklist_template: async () => ({ key: 'pink' }),
      request_sign_off: async () => {
        await org.ws.setProcessRules(org.actor, { signOffs: { decide_bid: 'admin' } });
        return { pursuitId: (await driver.pursuit('capture')).id, action: 'decide_bid' };
      },
      decide_sign_off: async () => {
        // Another member asks; the client's admin decides.
        await org.ws.setProcessRules(org.actor, { signOffs: { decide_bid: 'admin' } });
        const asked = await org.ws.requestSignOff(seller, {
          pursuitId: (await driver.pursuit('capture')).id,
          action: 'decide_bid',
        });
        return { signOffId: asked.id, decision: 'approve' };
      },
      set_business_calendar: async () => ({
        timeZone: 'Europe/Paris',
        weekly: [{ day: 'mon', start: '09:00', end: '17:00' }],
      }),
    };
    // The sign-off first calls make decide_bid need a sign-off; the other tests drive pursuits through it.
    afterEach(async () => {
      await org.ws.setProcessRules(org.actor, { signOffs: {} });
    });
    const idempotent = ALL_TOOLS.filter((t) => t.annotations.idempotentHint && !t.annotations.readOnlyHint);

    it('has a first call for every tool that says so', () => {
      expect(idempotent.map((t) => t.name).sort()).toEqual(Object.keys(firstCalls).sort());
    });

    /** Whether the call made something new; the rest of the answer must be the same. */
    const sameAnswer = (answer: Loose) => {
      const { created: _c, candidateCreated: _cc, ...rest } = answer;
      return rest;
    };

    it.each(idempotent.map((t) => t.name))(
      '%s called twice answers the same and writes nothing more',
      async (name) => {
        const args = await (firstCalls[name] as () => Promise<Record<string, unknown>>)();
        const first = await call(client, name, args);
        expect(first.isError, `${name} first call: ${first.text}`).toBe(false);
        // A tool that publishes no output schema answers the shape the instructions state.
        // The records a change answers are the shape the instructions state, not published:
        // the whole answer, or each record under its kind (changedDepth).
        const answer = ALL_TOOLS.find((t) => t.name === name)?.answer;
        const depth = answer && changedDepth(answer);
        const records =
          depth === 0
            ? [first.data]
            : depth === 1
              ? Object.values(first.data).filter((v) => typeof v === 'object')
              : [];
        if (depth !== undefined) expect(records.length, name).toBeGreaterThan(0);
        for (const record of records)
          expect(Object.keys(record).sort(), name).toEqual(Object.keys(Changed.shape).sort());
        const events = await db
          .store()
          .db.selectFrom('events')
          .select(db.store().db.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        const second = await call(client, name, args);
        expect(second.isError, `${name} second call: ${second.text}`).toBe(false);
        expect(sameAnswer(second.data)).toEqual(sameAnswer(first.data));
        const after = await db
          .store()
          .db.selectFrom('events')
          .select(db.store().db.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        expect(Number(after.n), `${name} wrote events on its second call`).toBe(Number(events.n));
      },
    );
  });

  describe('arguments', () => {
    it.each(ALL_TOOLS.map((t) => t.name))(
      '%s refuses an argument it does not know, by name',
      async (name) => {
        const answer = await call(client, name, { notAnArgument: 1 });
        expect(answer.isError).toBe(true);
        expect(answer.data.error).toMatchObject({ code: 'VALIDATION' });
        const fields = (answer.data.error.issues ?? []).map((issue: { field: string }) => issue.field);
        expect(fields).toContain('notAnArgument');
        expect(answer.text).toContain('notAnArgument');
      },
    );

    it('says once, in the instructions, that an argument a tool does not list is refused by name', async () => {
      expect((client as unknown as { getInstructions(): string }).getInstructions()).toContain(
        'An argument a tool does not list is refused as VALIDATION naming it',
      );
      const { tools } = await client.listTools();
      for (const tool of tools) expect(tool.inputSchema, tool.name).toMatchObject({ type: 'object' });
    });

    it('publishes awardAmount as above zero, as mark_won requires', async () => {
      const { tools } = await client.listTools();
      const markWon = tools.find((t) => t.name === 'mark_won') as Loose;
      expect(markWon.inputSchema.properties.awardAmount).toMatchObject({ exclusiveMinimum: 0 });
      const pursuit = await driver.pursuit('submitted');
      const zero = await call(client, 'mark_won', { pursuitId: pursuit.id, awardAmount: 0 });
      expect(zero.data.error).toMatchObject({ code: 'VALIDATION', field: 'awardAmount' });
    });
  });
});

describeEachDialect('the assistant contract with a candidate review gating promote_candidate', (db) => {
  const review = { key: 'qualification', items: ['budget', 'authority', 'need'] };
  let client: ToolClient;
  let driver: Driver;

  beforeAll(async () => {
    const org = await testOrg(db.store());
    await org.ws.setChecklistTemplate(org.actor, {
      key: review.key,
      title: 'Qualification',
      subject: 'candidate',
      items: [...review.items, 'timeline'].map((key) => ({ key, label: key, required: key !== 'timeline' })),
      gates: ['promote_candidate'],
    });
    client = await inMemoryClient(createWorkstream(db.store()), org.actor, { toolsets: TOOLSETS });
    driver = new Driver(client, review);
  });

  const cases = CANDIDATE_STATES.flatMap((state) => toolsOf('candidate').map((tool) => ({ state, tool })));
  it.each(cases)(
    'a candidate in $state lists $tool exactly when $tool is not refused as a transition',
    async ({ state, tool }) => {
      await agree(client, driver, 'candidate', state, tool);
    },
  );

  it('lists promote_candidate on a qualified candidate whose review is open; the guard answers GUARD_FAILED and writes nothing', async () => {
    const record = await driver.record('candidate', 'qualified');
    expect(record.allowedActions).toContain('promote_candidate');
    const held = await call(client, 'promote_candidate', { candidateId: record.id });
    expect(held.data.error).toMatchObject({ code: 'GUARD_FAILED', review: 'qualification' });
    expect(held.data.error.missing.map((m: { key: string }) => m.key)).toEqual(review.items);
    expect((await driver.reread('candidate', record.id)).version).toBe(record.version);
    expect((await driver.promote(record.id)).created).toBe(true);
  });
});

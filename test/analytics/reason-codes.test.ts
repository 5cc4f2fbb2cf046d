/**
 * Outcome reasons grouped by the org's reason codes (set_process_rules reasons), on every
 * available dialect, over known data: reasons recorded before the lists were set (free text,
 * some outside them) and after (`code` or `code: detail`). The counts are worked out by hand.
 * Then the same answer through get_outcomes with SDK v2 and v1 clients, and its definitions.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport as InMemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupByCode, OutcomesInput, outcomes } from '../../src/analytics/outcomes.js';
import { createServer } from '../../src/server/mcp.js';
import { TOOLSETS } from '../../src/tools/toolsets.js';
import { parse } from '../../src/workstream/validate.js';
import { inMemoryClient, type Loose, ok, quiet, type ToolClient } from '../mcp/support.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

const RANGE = { from: '2026-01-01T00:00:00Z', to: '2026-07-01T00:00:00Z' };
const LISTS = {
  loss: ['price', 'technical', 'incumbent'],
  no_bid: ['no_fit', 'no_capacity'],
  // `other` is a code on this list: a reason coded other counts under it, not as unlisted.
  disqualify: ['no_budget', 'no_authority', 'other'],
  cancel: ['customer_cancelled', 'requirement_changed'],
};

describe('grouping reasons by code', () => {
  it('keeps the list order with zeros, folds `code: detail` and case, and counts the rest as unlisted', () => {
    const reasons = [
      { reason: 'price', count: 2 },
      { reason: 'Price: 8% above', count: 1 },
      { reason: 'bad luck', count: 1 },
    ];
    expect(groupByCode(reasons, ['technical', 'price', 'incumbent'])).toEqual({
      list: 'org',
      codes: [
        { code: 'technical', count: 0 },
        { code: 'price', count: 3 },
        { code: 'incumbent', count: 0 },
      ],
      unlisted: 1,
      unlistedCodes: [{ code: 'bad luck', count: 1 }],
      total: 4,
    });
    expect(groupByCode(reasons, undefined)).toEqual({
      list: 'none',
      codes: [
        { code: 'price', count: 3 },
        { code: 'bad luck', count: 1 },
      ],
      unlisted: 0,
      unlistedCodes: [],
      total: 4,
    });
  });
});

describeEachDialect('outcome reasons by the org reason codes', ({ store }) => {
  let org: TestOrg;
  let minute = 0;
  const at = () => org.clock.set(new Date(Date.parse('2026-03-02T09:00:00Z') + ++minute * 60_000));
  const read = async () => outcomes(org.ws.deps, org.actor, parse(OutcomesInput, RANGE));

  async function pursuit(name: string): Promise<string> {
    const { ws, actor } = org;
    at();
    const candidate = await ws.createCandidate(actor, { title: name, accountName: `${name} Inc` });
    await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'Intro' });
    await ws.qualifyCandidate(actor, { candidateId: candidate.id });
    return (await ws.promoteCandidate(actor, { candidateId: candidate.id })).pursuit.id;
  }
  async function lost(lossReason: string) {
    const pursuitId = await pursuit(`Lost ${++minute}`);
    await org.ws.decideBid(org.actor, { pursuitId });
    await org.ws.addProposalVersion(org.actor, { pursuitId, title: 'v1' });
    await org.ws.submitPursuit(org.actor, { pursuitId });
    at();
    await org.ws.markLost(org.actor, { pursuitId, lossReason });
  }
  async function noBid(reason: string) {
    const pursuitId = await pursuit(`No bid ${++minute}`);
    at();
    await org.ws.decideNoBid(org.actor, { pursuitId, reason });
  }
  async function cancelled(reason: string) {
    const pursuitId = await pursuit(`Cancelled ${++minute}`);
    at();
    await org.ws.cancelPursuit(org.actor, { pursuitId, reason });
  }
  async function disqualified(reason: string) {
    at();
    const candidate = await org.ws.createCandidate(org.actor, {
      title: `Disqualified ${++minute}`,
      accountName: `Dq ${minute} Inc`,
    });
    at();
    await org.ws.disqualifyCandidate(org.actor, { candidateId: candidate.id, reason });
  }

  beforeAll(async () => {
    org = await testOrg(store());
    // Pink and red gate nothing in this org, so pursuits close in a few calls.
    for (const key of ['pink', 'red'])
      await org.ws.setChecklistTemplate(org.actor, {
        key,
        title: key,
        items: [{ key: 'x', label: 'x', required: false }],
        gates: [],
      });
    // Before the lists: free text, some of it outside the lists to come.
    await lost('price');
    await lost('Bad luck');
    await noBid('no_fit: too small');
    await noBid('busy');
    await disqualified('no_budget');
    await disqualified('not_a_fit');
    await cancelled('customer_cancelled');
  }, 60_000);

  it('groups by the codes found while the org has no lists', async () => {
    const view = await read();
    expect(view.reasonCodes).toEqual({
      loss: {
        list: 'none',
        codes: [
          { code: 'bad luck', count: 1 },
          { code: 'price', count: 1 },
        ],
        unlisted: 0,
        unlistedCodes: [],
        total: 2,
      },
      no_bid: {
        list: 'none',
        codes: [
          { code: 'busy', count: 1 },
          { code: 'no_fit', count: 1 },
        ],
        unlisted: 0,
        unlistedCodes: [],
        total: 2,
      },
      disqualify: {
        list: 'none',
        codes: [
          { code: 'no_budget', count: 1 },
          { code: 'not_a_fit', count: 1 },
        ],
        unlisted: 0,
        unlistedCodes: [],
        total: 2,
      },
      cancel: {
        list: 'none',
        codes: [{ code: 'customer_cancelled', count: 1 }],
        unlisted: 0,
        unlistedCodes: [],
        total: 1,
      },
    });
  });

  it("groups by the org's lists once set, in their order, counting older reasons outside them as unlisted", async () => {
    await org.ws.setProcessRules(org.actor, { reasons: LISTS });
    // After the lists: coded reasons, some with detail.
    await lost('price: 8% above');
    await lost('technical');
    await noBid('no_capacity');
    await disqualified('no_authority: the CFO decides');
    await disqualified('other: moved abroad');
    await cancelled('requirement_changed: scope cut');

    const view = await read();
    expect(view.reasonCodes).toEqual({
      loss: {
        list: 'org',
        codes: [
          { code: 'price', count: 2 },
          { code: 'technical', count: 1 },
          { code: 'incumbent', count: 0 },
        ],
        unlisted: 1,
        unlistedCodes: [{ code: 'bad luck', count: 1 }],
        total: 4,
      },
      no_bid: {
        list: 'org',
        codes: [
          { code: 'no_fit', count: 1 },
          { code: 'no_capacity', count: 1 },
        ],
        unlisted: 1,
        unlistedCodes: [{ code: 'busy', count: 1 }],
        total: 3,
      },
      disqualify: {
        list: 'org',
        codes: [
          { code: 'no_budget', count: 1 },
          { code: 'no_authority', count: 1 },
          { code: 'other', count: 1 },
        ],
        unlisted: 1,
        unlistedCodes: [{ code: 'not_a_fit', count: 1 }],
        total: 4,
      },
      cancel: {
        list: 'org',
        codes: [
          { code: 'customer_cancelled', count: 1 },
          { code: 'requirement_changed', count: 1 },
        ],
        unlisted: 0,
        unlistedCodes: [],
        total: 2,
      },
    });
    // The ranked reasons are still the texts as recorded.
    expect(view.reasons.loss.map((r) => r.reason).sort()).toEqual(
      ['Bad luck', 'price', 'price: 8% above', 'technical'].sort(),
    );
    // A range holding none of it: every list's codes at 0.
    const empty = await outcomes(
      org.ws.deps,
      org.actor,
      parse(OutcomesInput, { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' }),
    );
    expect(empty.reasonCodes.loss).toEqual({
      list: 'org',
      codes: LISTS.loss.map((code) => ({ code, count: 0 })),
      unlisted: 0,
      unlistedCodes: [],
      total: 0,
    });
  });

  describe.each(['v2', 'v1'] as const)('through get_outcomes (SDK %s)', (sdk) => {
    let client: ToolClient;

    beforeAll(async () => {
      // The lists are set by the test above; set them again so this block stands alone.
      await org.ws.setProcessRules(org.actor, { reasons: LISTS });
      if (sdk === 'v2') client = await inMemoryClient(org.ws, org.actor, { toolsets: TOOLSETS });
      else {
        const server = createServer({ workstream: org.ws, actor: org.actor, log: quiet, toolsets: TOOLSETS });
        const [c, s] = InMemoryV1.createLinkedPair();
        await server.connect(s as never);
        const v1 = new ClientV1({ name: 'reasons-v1', version: '1.0.0' });
        await v1.connect(c);
        client = v1;
      }
    });

    it('answers the grouping, says it in the text and defines it in the definitions resource', async () => {
      const answer: Loose = await client.callTool({ name: 'get_outcomes', arguments: RANGE });
      expect(answer.isError ?? false).toBe(false);
      const direct = await read();
      expect(answer.structuredContent.reasonCodes).toEqual(direct.reasonCodes);
      const text = answer.content.map((c: { text: string }) => c.text).join('\n');
      expect(text).toContain(
        "disqualify reasons by the org's codes: no_budget 1, no_authority 1, other 1; unlisted 1.",
      );
      const defs = await (client as Loose).readResource({ uri: 'workstream://analytics/definitions' });
      const defined: Loose = JSON.parse(String((defs.contents[0] as { text: string }).text)).get_outcomes
        .answer;
      expect(defined['reasonCodes.loss.unlisted']).toMatch(/not on the org's list/);
      expect(defined['reasonCodes.loss.list']).toMatch(/set_process_rules/);
      expect(await ok(client, 'get_process')).toMatchObject({ rules: { reasons: LISTS } });
    });
  });
});

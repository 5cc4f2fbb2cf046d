/**
 * Candidate reviews through real MCP clients (SDK v2 and v1) on each dialect: a qualification
 * review (budget, authority, need, timeline) for candidates gates promote_candidate; new
 * candidates get it, older open ones when an admin applies it; set_checklist_item ticks it by
 * candidateId; get_candidate shows it with its completion; an org without candidate reviews
 * promotes as before.
 */
import { Client } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport as InMemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/mcp.js';
import { TOOLSETS } from '../../src/tools/toolsets.js';
import type { Actor, Workstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { snapshot, type TestOrg, testOrg } from '../support/workstream.js';
import { call, ok, quiet, refused, type ToolClient } from './support.js';

async function clients(workstream: Workstream, actor: Actor): Promise<Record<'v2' | 'v1', ToolClient>> {
  const v2Server = createServer({ workstream, actor, log: quiet, toolsets: TOOLSETS });
  const [c2, s2] = InMemoryTransport.createLinkedPair();
  await v2Server.connect(s2);
  const v2 = new Client({ name: 'reviews-v2', version: '1.0.0' });
  await v2.connect(c2);
  const v1Server = createServer({ workstream, actor, log: quiet, toolsets: TOOLSETS });
  const [c1, s1] = InMemoryV1.createLinkedPair();
  await v1Server.connect(s1 as never);
  const v1 = new ClientV1({ name: 'reviews-v1', version: '1.0.0' });
  await v1.connect(c1);
  return { v2, v1 };
}

const item = (key: string, required = true) => ({ key, label: key.replace(/_/g, ' '), required });
const QUALIFICATION = {
  key: 'qualification',
  title: 'Qualification: budget, authority, need, timeline',
  subject: 'candidate',
  items: [item('budget'), item('authority'), item('need'), item('timeline', false)],
  gates: ['promote_candidate'],
};
const keys = (list: { key: string }[]) => list.map((m) => m.key);

describeEachDialect('candidate reviews', (db) => {
  let org: TestOrg;
  let admin: Record<'v2' | 'v1', ToolClient>;
  let seller: Record<'v2' | 'v1', ToolClient>;
  let older: string;

  async function qualified(client: ToolClient, title: string): Promise<string> {
    const candidate = await ok(client, 'create_candidate', { title, accountName: `${title} Inc` });
    await ok(client, 'log_touch', { candidateId: candidate.id, kind: 'call', summary: 'Intro call' });
    await ok(client, 'qualify_candidate', { candidateId: candidate.id });
    return candidate.id;
  }

  beforeAll(async () => {
    org = await testOrg(db.store());
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `sam-${Math.random().toString(36).slice(2, 8)}@reviews.test`,
      name: 'Sam Seller',
    });
    admin = await clients(org.ws, org.actor);
    seller = await clients(org.ws, { orgId: org.orgId, memberId });
    // A candidate from before the review exists, still being qualified.
    older = await qualified(seller.v2, 'Older lead');
    await ok(admin.v2, 'set_checklist_template', QUALIFICATION);
  });

  it('publishes the review as a candidate review gating promote_candidate', async () => {
    const process = await ok(seller.v1, 'get_process');
    const review = process.reviews.find((r: { key: string }) => r.key === 'qualification');
    expect(review).toMatchObject({ subject: 'candidate', gates: ['promote_candidate'], version: 1 });
    // The pursuit reviews are still the pursuits'.
    expect(process.reviews.find((r: { key: string }) => r.key === 'pink')).toMatchObject({
      subject: 'pursuit',
      gates: ['submit_pursuit'],
    });
  });

  for (const sdk of ['v2', 'v1'] as const) {
    it(`holds a promotion until the qualification review is done, then promotes (SDK ${sdk})`, async () => {
      const me = seller[sdk];
      const candidateId = await qualified(me, `Qualified ${sdk}`);
      const fresh = await ok(me, 'get_candidate', { candidateId });
      expect(fresh.checklists).toEqual([
        expect.objectContaining({
          kind: 'qualification',
          completion: { done: 0, total: 4, applicable: 4, percent: 0 },
        }),
      ]);
      expect(keys(fresh.checklists[0].items)).toEqual(['budget', 'authority', 'need', 'timeline']);
      // allowedActions speaks of the state: promote_candidate is listed; the review is a gate.
      expect(fresh.allowedActions).toContain('promote_candidate');
      expect(fresh.allowedActions).toContain('set_checklist_item');

      const before = await snapshot(db.store());
      const held = await refused(me, 'promote_candidate', { candidateId });
      expect(held).toMatchObject({
        code: 'GUARD_FAILED',
        entity: 'candidate',
        id: candidateId,
        gate: 'qualification_checklist',
        review: 'qualification',
        completion: { done: 0, applicable: 4, percent: 0 },
      });
      expect(keys(held.missing)).toEqual(['budget', 'authority', 'need']);
      expect(held.message).toBe(
        'qualification checklist 0/4 done (0%): items `budget`, `authority`, `need` are open.',
      );
      expect(held.nextStep).toBe(
        'Complete them with set_checklist_item (or mark them n_a with a note), then call promote_candidate again.',
      );
      expect(await snapshot(db.store())).toEqual(before);

      const answer = await call(me, 'set_checklist_item', {
        candidateId,
        checklist: 'qualification',
        itemKey: 'budget',
        state: 'done',
      });
      expect(answer.isError).toBeFalsy();
      const ticked = answer.data;
      // A change answers the one short shape; its text names the review's completion.
      expect(ticked).toEqual({
        id: candidateId,
        state: 'qualified',
        version: fresh.version + 1,
        allowedActions: expect.any(Array),
      });
      expect(answer.text).toContain('qualification 25%');
      expect((await ok(me, 'get_candidate', { candidateId })).checklists[0].completion).toMatchObject({
        done: 1,
        applicable: 4,
        percent: 25,
      });
      // A retry changes nothing more.
      const again = await ok(me, 'set_checklist_item', {
        candidateId,
        checklist: 'qualification',
        itemKey: 'budget',
        state: 'done',
      });
      expect(again.version).toBe(ticked.version);
      await ok(me, 'set_checklist_item', {
        candidateId,
        checklist: 'qualification',
        itemKey: 'authority',
        state: 'done',
      });
      const one = await refused(me, 'promote_candidate', { candidateId });
      expect(one.missing).toEqual([{ key: 'need', label: 'need' }]);
      expect(one.nextStep).toBe(
        'Complete it with set_checklist_item (or mark it n_a with a note), then call promote_candidate again.',
      );
      await ok(me, 'set_checklist_item', {
        candidateId,
        checklist: 'qualification',
        itemKey: 'need',
        state: 'n_a',
        note: 'Mandated by regulation',
      });
      const read = await call(me, 'get_candidate', { candidateId });
      expect(read.data.checklists[0].completion).toEqual({ done: 2, total: 4, applicable: 3, percent: 66 });
      expect(read.text).toContain('qualification 66%');

      const promoted = await ok(me, 'promote_candidate', { candidateId });
      expect(promoted.created).toBe(true);
      // The pursuit gets the pursuit reviews, not the candidate's.
      const pursuit = await ok(me, 'get_pursuit', { pursuitId: promoted.pursuit.id });
      expect(pursuit.checklists.map((c: { kind: string }) => c.kind)).toEqual(['pink', 'red']);
      // A promoted candidate's review is closed: its pursuit carries the work.
      const closed = await refused(me, 'set_checklist_item', {
        candidateId,
        checklist: 'qualification',
        itemKey: 'timeline',
        state: 'done',
      });
      expect(closed).toMatchObject({ code: 'INVALID_TRANSITION', action: 'set_checklist_item' });
      expect(closed.nextStep).toContain('pursuitId');
    });
  }

  it('gives a candidate made from a signal the review too', async () => {
    const { signal } = await ok(seller.v1, 'create_signal', {
      source: 'reviews',
      externalRef: `sig-${Math.random().toString(36).slice(2, 8)}`,
      title: 'From a signal',
      accountName: 'Signal Co',
    });
    const accepted = await ok(seller.v1, 'accept_signal', { signalId: signal.id });
    const candidate = await ok(seller.v2, 'get_candidate', { candidateId: accepted.candidate.id });
    expect(candidate.checklists.map((c: { kind: string }) => c.kind)).toEqual(['qualification']);
  });

  it('refuses a tick naming both a pursuit and a candidate, or neither, by the field', async () => {
    const me = seller.v2;
    const candidateId = await qualified(me, 'Both ids');
    const both = await refused(me, 'set_checklist_item', {
      candidateId,
      pursuitId: 'pur_01JAAAAAAAAAAAAAAAAAAAAAAA',
      checklist: 'qualification',
      itemKey: 'budget',
      state: 'done',
    });
    expect(both).toMatchObject({ code: 'VALIDATION', field: 'pursuitId' });
    const neither = await refused(seller.v1, 'set_checklist_item', {
      checklist: 'qualification',
      itemKey: 'budget',
      state: 'done',
    });
    expect(neither).toMatchObject({ code: 'VALIDATION', field: 'pursuitId' });
    const unknown = await refused(me, 'set_checklist_item', {
      candidateId,
      checklist: 'qualification',
      itemKey: 'nope',
      state: 'done',
    });
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', entity: 'checklist_item' });
    expect(unknown.nextStep).toContain('budget, authority, need, timeline');
  });

  it('gives older open candidates the review when an admin applies it, keeping ticks across versions', async () => {
    const me = seller.v1;
    const boss = admin.v2;
    // Made before the review: it has none, and the gate says so.
    expect((await ok(me, 'get_candidate', { candidateId: older })).checklists).toEqual([]);
    const absent = await refused(me, 'promote_candidate', { candidateId: older });
    expect(absent).toMatchObject({
      code: 'GUARD_FAILED',
      review: 'qualification',
      missing: [{ key: 'qualification_checklist' }],
    });
    const applied = await ok(boss, 'apply_checklist_template', { key: 'qualification' });
    expect(applied).toMatchObject({ key: 'qualification', version: 1, pursuits: 0 });
    expect(applied.candidates).toBeGreaterThan(0);
    // Applying what every candidate has already changes nothing.
    expect((await ok(boss, 'apply_checklist_template', { key: 'qualification' })).candidates).toBe(0);
    await ok(me, 'set_checklist_item', {
      candidateId: older,
      checklist: 'qualification',
      itemKey: 'budget',
      state: 'done',
    });

    // Version 2 drops `authority` and adds `champion`; `budget` keeps its tick once applied.
    await ok(boss, 'set_checklist_template', {
      ...QUALIFICATION,
      items: [item('budget'), item('need'), item('champion')],
    });
    const kept = await refused(me, 'promote_candidate', { candidateId: older });
    expect(keys(kept.missing)).toEqual(['authority', 'need']);
    expect((await ok(boss, 'apply_checklist_template', { key: 'qualification' })).candidates).toBeGreaterThan(
      0,
    );
    const moved = await refused(me, 'promote_candidate', { candidateId: older });
    expect(keys(moved.missing)).toEqual(['need', 'champion']);
    const read = await ok(me, 'get_candidate', { candidateId: older });
    expect(read.checklists[0].items.find((i: { key: string }) => i.key === 'budget').state).toBe('done');
  });

  it('keeps a review to its subject and a candidate review to promote_candidate', async () => {
    const boss = admin.v1;
    const before = await snapshot(db.store());
    const gates = await refused(boss, 'set_checklist_template', {
      ...QUALIFICATION,
      gates: ['submit_pursuit'],
    });
    expect(gates).toMatchObject({ code: 'VALIDATION', field: 'gates' });
    expect(gates.message).toContain('promote_candidate');
    const wrong = await refused(boss, 'set_checklist_template', {
      key: 'pink',
      title: 'Pink for candidates',
      subject: 'candidate',
      items: [item('x')],
    });
    expect(wrong).toMatchObject({ code: 'VALIDATION', field: 'subject' });
    const pursuitGate = await refused(boss, 'set_checklist_template', {
      key: 'discovery',
      title: 'Discovery',
      items: [item('x')],
      gates: ['promote_candidate'],
    });
    expect(pursuitGate).toMatchObject({ code: 'VALIDATION', field: 'gates' });
    const late = await refused(boss, 'set_checklist_template', {
      ...QUALIFICATION,
      key: 'late',
      gates: [],
      afterClose: true,
    });
    expect(late).toMatchObject({ code: 'VALIDATION', field: 'afterClose' });
    expect(await snapshot(db.store())).toEqual(before);
  });
});

describeEachDialect('an organization without candidate reviews', (db) => {
  let client: ToolClient;
  let v1: ToolClient;

  beforeAll(async () => {
    const org = await testOrg(db.store());
    ({ v2: client, v1 } = await clients(org.ws, org.actor));
  });

  describe.each(['v2', 'v1'] as const)('SDK %s', (sdk) => {
    it('promotes a qualified candidate as before, with no candidate checklists', async () => {
      const me = sdk === 'v2' ? client : v1;
      const candidate = await ok(me, 'create_candidate', {
        title: `Plain ${sdk}`,
        accountName: `Plain ${sdk} Co`,
      });
      await ok(me, 'log_touch', { candidateId: candidate.id, kind: 'call', summary: 'Intro' });
      await ok(me, 'qualify_candidate', { candidateId: candidate.id });
      expect((await ok(me, 'get_candidate', { candidateId: candidate.id })).checklists).toEqual([]);
      const promoted = await ok(me, 'promote_candidate', { candidateId: candidate.id });
      expect(promoted).toMatchObject({ created: true, pursuit: { state: 'capture' } });
    });
  });
});

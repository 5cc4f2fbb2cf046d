/**
 * The capture process as configuration, end to end through real MCP clients (SDK v2 and v1) on
 * each dialect: an org with four reviews (blue before bid, pink and red before submit, white
 * after won/lost), reason codes, required fields and a sign-off runs the whole lifecycle, with
 * two custom fields: a contract vehicle required from submitted on, and the ceiling the won gate
 * requires.
 */
import { Client } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport as InMemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { beforeAll, expect, it } from 'vitest';
import { createServer } from '../../src/server/mcp.js';
import { TOOLSETS } from '../../src/tools/toolsets.js';
import type { Actor, Workstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { snapshot, type TestOrg, testOrg } from '../support/workstream.js';
import { ok, quiet, refused, type ToolClient } from './support.js';

async function clients(workstream: Workstream, actor: Actor): Promise<Record<string, ToolClient>> {
  const v2Server = createServer({ workstream, actor, log: quiet, toolsets: TOOLSETS });
  const [c2, s2] = InMemoryTransport.createLinkedPair();
  await v2Server.connect(s2);
  const v2 = new Client({ name: 'process-v2', version: '1.0.0' });
  await v2.connect(c2);
  const v1Server = createServer({ workstream, actor, log: quiet, toolsets: TOOLSETS });
  const [c1, s1] = InMemoryV1.createLinkedPair();
  await v1Server.connect(s1 as never);
  const v1 = new ClientV1({ name: 'process-v1', version: '1.0.0' });
  await v1.connect(c1);
  return { v2, v1 };
}

const item = (key: string, required = true) => ({ key, label: key.replace(/_/g, ' '), required });

describeEachDialect('the capture process as configuration', (db) => {
  let org: TestOrg;
  let admin: Record<string, ToolClient>;
  let seller: Record<string, ToolClient>;

  beforeAll(async () => {
    org = await testOrg(db.store());
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `sam-${Math.random().toString(36).slice(2, 8)}@process.test`,
      name: 'Sam Seller',
    });
    admin = await clients(org.ws, org.actor);
    seller = await clients(org.ws, { orgId: org.orgId, memberId });
    const a = admin.v2 as ToolClient;
    await ok(a, 'set_checklist_template', {
      key: 'blue',
      title: 'Blue team: capture strategy',
      items: [item('customer_needs'), item('competitors'), item('teaming', false)],
      gates: ['decide_bid'],
    });
    await ok(a, 'set_checklist_template', {
      key: 'pink',
      title: 'Pink team',
      items: [item('compliance_matrix'), item('win_themes')],
      gates: ['submit_pursuit'],
    });
    await ok(a, 'set_checklist_template', {
      key: 'red',
      title: 'Red team',
      items: [item('evaluator_scoring')],
      gates: ['submit_pursuit'],
    });
    await ok(a, 'set_checklist_template', {
      key: 'white',
      title: 'White: lessons learned',
      items: [item('lessons_captured')],
      afterClose: true,
    });
    await ok(a, 'set_custom_field', {
      entity: 'pursuit',
      key: 'contract_vehicle',
      label: 'Contract vehicle',
      type: 'enum',
      options: ['GSA', 'SEWP', 'OASIS'],
      requiredFrom: 'submitted',
    });
    await ok(a, 'set_custom_field', { entity: 'pursuit', key: 'ceiling', label: 'Ceiling', type: 'money' });
    await ok(a, 'set_process_rules', {
      reasons: { loss: ['price', 'technical', 'incumbent'], no_bid: ['no_fit', 'no_capacity'] },
      requiredFields: { decide_bid: ['reason'], mark_won: ['note', 'fields.ceiling'] },
      signOffs: { submit_pursuit: 'admin' },
    });
  });

  async function pursuitBy(client: ToolClient, title: string) {
    const candidate = await ok(client, 'create_candidate', {
      title,
      accountName: `${title} Inc`,
      assignee: 'me',
    });
    await ok(client, 'log_touch', { candidateId: candidate.id, kind: 'call', summary: 'Intro call' });
    await ok(client, 'qualify_candidate', { candidateId: candidate.id });
    const promoted = await ok(client, 'promote_candidate', { candidateId: candidate.id });
    return promoted.pursuit?.id ?? promoted.pursuitId ?? promoted.id;
  }

  async function tick(client: ToolClient, pursuitId: string, checklist: string, keys: string[]) {
    for (const itemKey of keys)
      await ok(client, 'set_checklist_item', { pursuitId, checklist, itemKey, state: 'done' });
  }

  for (const sdk of ['v2', 'v1'] as const) {
    it(`runs a pursuit through blue, pink and red to won and white after it (SDK ${sdk})`, async () => {
      const me = seller[sdk] as ToolClient;
      const boss = admin[sdk] as ToolClient;
      const process = await ok(me, 'get_process');
      expect(process.reviews.map((r: { key: string }) => r.key)).toEqual(['pink', 'red', 'blue', 'white']);
      const pursuitId = await pursuitBy(me, `Four reviews ${sdk}`);

      // Blue gates the bid: the refusal names the review, its open items and the next step.
      const before = await snapshot(db.store());
      const blue = await refused(me, 'decide_bid', { pursuitId, reason: 'Strong fit' });
      expect(blue).toMatchObject({ code: 'GUARD_FAILED', gate: 'blue_checklist', review: 'blue' });
      expect(blue.missing.map((m: { key: string }) => m.key)).toEqual(['customer_needs', 'competitors']);
      expect(blue.nextStep).toContain('set_checklist_item');
      expect(await snapshot(db.store())).toEqual(before);
      await tick(me, pursuitId, 'blue', ['customer_needs', 'competitors']);

      // The bid rationale is a required field.
      const rationale = await refused(me, 'decide_bid', { pursuitId });
      expect(rationale).toMatchObject({ gate: 'required_fields', missing: [{ key: 'reason' }] });
      expect(rationale.nextStep).toBe('Give reason, then call decide_bid again.');
      await ok(me, 'decide_bid', { pursuitId, reason: 'Strong fit, known buyer' });

      // Pink and red gate the submission, in configuration order; then the admin's sign-off.
      await ok(me, 'add_proposal_version', { pursuitId, title: 'v1' });
      expect(await refused(me, 'submit_pursuit', { pursuitId })).toMatchObject({ review: 'pink' });
      await tick(me, pursuitId, 'pink', ['compliance_matrix', 'win_themes']);
      const red = await refused(me, 'submit_pursuit', { pursuitId });
      expect(red).toMatchObject({ review: 'red', missing: [{ key: 'evaluator_scoring' }] });
      await tick(me, pursuitId, 'red', ['evaluator_scoring']);

      // The contract vehicle is required from submitted on: named with the step that sets it.
      const unchanged = await snapshot(db.store());
      const vehicle = await refused(me, 'submit_pursuit', { pursuitId });
      expect(vehicle).toMatchObject({
        code: 'GUARD_FAILED',
        gate: 'required_fields',
        missing: [{ key: 'fields.contract_vehicle', label: 'pursuit field contract_vehicle' }],
      });
      expect(vehicle.nextStep).toBe(
        'Set contract_vehicle with update_pursuit, then call submit_pursuit again.',
      );
      expect(await snapshot(db.store())).toEqual(unchanged);
      const listed = await ok(me, 'get_pursuit', { pursuitId });
      expect(listed.allowedActions).toContain('submit_pursuit');
      await ok(me, 'update_pursuit', { pursuitId, fields: { contract_vehicle: 'SEWP' } });
      const needs = await refused(me, 'submit_pursuit', { pursuitId });
      expect(needs).toMatchObject({ gate: 'sign_off' });
      expect(needs.nextStep).toContain('request_sign_off');

      // Request, reject with a note, request again, approve; the approver sees it on the panel.
      const asked = await ok(me, 'request_sign_off', { pursuitId, action: 'submit_pursuit', note: 'Ready' });
      expect(asked.state).toBe('requested');
      // Only an admin decides an admin sign-off.
      expect((await refused(me, 'decide_sign_off', { signOffId: asked.id, decision: 'approve' })).code).toBe(
        'FORBIDDEN',
      );
      const panel = await ok(boss, 'get_today_panel');
      expect(panel.signOffs).toContain(`${asked.id} submit_pursuit ${pursuitId}`);
      expect((await refused(me, 'submit_pursuit', { pursuitId })).message).toContain('waits for sign-off');
      const rejected = await ok(boss, 'decide_sign_off', {
        signOffId: asked.id,
        decision: 'reject',
        note: 'Price page missing',
      });
      expect(rejected.state).toBe('rejected');
      const again = await refused(me, 'submit_pursuit', { pursuitId });
      expect(again.message).toContain('Price page missing');
      const second = await ok(me, 'request_sign_off', { pursuitId, action: 'submit_pursuit' });
      expect(second.id).not.toBe(asked.id);
      await ok(boss, 'decide_sign_off', { signOffId: second.id, decision: 'approve', note: 'Go' });
      const submitted = await ok(me, 'submit_pursuit', { pursuitId });
      expect(submitted.state).toBe('submitted');
      // Submitted, it keeps its vehicle: clearing it is refused; it is found by it.
      const clear = await refused(me, 'update_pursuit', { pursuitId, fields: { contract_vehicle: null } });
      expect(clear).toMatchObject({ code: 'VALIDATION', field: 'fields.contract_vehicle' });
      const bySewp = await ok(me, 'list_pursuits', { field: 'contract_vehicle=SEWP', state: 'submitted' });
      expect(bySewp.items.map((p: { id: string }) => p.id)).toContain(pursuitId);

      // Won needs the note and the ceiling (required fields, named at once); white is worked after close.
      const won = await refused(me, 'mark_won', { pursuitId, awardAmount: 100_000 });
      expect(won).toMatchObject({
        gate: 'required_fields',
        missing: [{ key: 'note' }, { key: 'fields.ceiling' }],
      });
      expect(won.nextStep).toBe('Set ceiling with update_pursuit and give note, then call mark_won again.');
      await ok(me, 'update_pursuit', {
        pursuitId,
        fields: { ceiling: { amount: 250_000, currency: 'USD' } },
      });
      expect((await ok(me, 'mark_won', { pursuitId, awardAmount: 100_000, note: 'Best value' })).state).toBe(
        'won',
      );
      await tick(me, pursuitId, 'white', ['lessons_captured']);
      const pink = await refused(me, 'set_checklist_item', {
        pursuitId,
        checklist: 'pink',
        itemKey: 'win_themes',
        state: 'open',
      });
      expect(pink.code).toBe('INVALID_TRANSITION');
    });
  }

  it('validates loss and no-bid reasons against the org lists', async () => {
    const me = seller.v2 as ToolClient;
    const lostId = await pursuitBy(me, 'Lost on price');
    await tick(me, lostId, 'blue', ['customer_needs', 'competitors']);
    await ok(me, 'decide_bid', { pursuitId: lostId, reason: 'Worth a go' });
    await ok(me, 'add_proposal_version', { pursuitId: lostId, title: 'v1' });
    await tick(me, lostId, 'pink', ['compliance_matrix', 'win_themes']);
    await tick(me, lostId, 'red', ['evaluator_scoring']);
    await ok(me, 'update_pursuit', { pursuitId: lostId, fields: { contract_vehicle: 'GSA' } });
    const asked = await ok(me, 'request_sign_off', { pursuitId: lostId, action: 'submit_pursuit' });
    await ok(admin.v1 as ToolClient, 'decide_sign_off', { signOffId: asked.id, decision: 'approve' });
    await ok(me, 'submit_pursuit', { pursuitId: lostId });
    const bad = await refused(me, 'mark_lost', { pursuitId: lostId, lossReason: 'bad luck' });
    expect(bad).toMatchObject({ code: 'VALIDATION', field: 'lossReason' });
    expect(bad.message).toContain('price, technical, incumbent');
    expect((await ok(me, 'mark_lost', { pursuitId: lostId, lossReason: 'price: 8% above' })).state).toBe(
      'lost',
    );

    const noBidId = await pursuitBy(me, 'Not for us');
    expect(await refused(me, 'decide_no_bid', { pursuitId: noBidId, reason: 'meh' })).toMatchObject({
      field: 'reason',
    });
    expect((await ok(me, 'decide_no_bid', { pursuitId: noBidId, reason: 'no_fit' })).state).toBe('no_bid');
  });

  it('versions a review; apply_checklist_template moves open pursuits, keeping ticks; the org history shows it', async () => {
    const me = seller.v1 as ToolClient;
    const boss = admin.v2 as ToolClient;
    const pursuitId = await pursuitBy(me, 'Versioned');
    await tick(me, pursuitId, 'blue', ['customer_needs']);
    const v2 = await ok(boss, 'set_checklist_template', {
      key: 'blue',
      title: 'Blue team v2',
      items: [item('customer_needs'), item('price_to_win')],
      gates: ['decide_bid'],
    });
    expect(v2.reviews.find((r: { key: string }) => r.key === 'blue').version).toBe(2);
    // The pursuit keeps the checklist it was made with until the admin applies the new one.
    const kept = await refused(me, 'decide_bid', { pursuitId, reason: 'x' });
    expect(kept.missing.map((m: { key: string }) => m.key)).toEqual(['competitors']);
    expect((await refused(me, 'apply_checklist_template', { key: 'blue' })).code).toBe('FORBIDDEN');
    const applied = await ok(boss, 'apply_checklist_template', { key: 'blue' });
    expect(applied).toMatchObject({ key: 'blue', version: 2 });
    expect(applied.pursuits).toBeGreaterThan(0);
    const moved = await refused(me, 'decide_bid', { pursuitId, reason: 'x' });
    expect(moved.missing.map((m: { key: string }) => m.key)).toEqual(['price_to_win']);

    const history = await ok(boss, 'get_history', { id: org.orgId, limit: 100 });
    const types = history.items.map((e: { type: string }) => e.type);
    expect(types).toContain('config.review_set');
    expect(types).toContain('config.rules_set');
    expect(types).toContain('config.review_applied');
  });
});

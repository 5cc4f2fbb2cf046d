/** Typed custom fields: definitions per org and entity, checked on every write, each change an org event. */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/databases.js';
import { refusal, snapshot, testOrg } from '../support/workstream.js';

describeEachDialect('custom fields', ({ store }) => {
  async function withFields() {
    const org = await testOrg(store());
    const { ws, actor } = org;
    await ws.setCustomField(actor, {
      entity: 'candidate',
      key: 'region',
      label: 'Region',
      type: 'enum',
      options: ['EMEA', 'AMER'],
    });
    await ws.setCustomField(actor, { entity: 'candidate', key: 'budget', label: 'Budget', type: 'money' });
    await ws.setCustomField(actor, { entity: 'candidate', key: 'close_by', label: 'Close by', type: 'date' });
    await ws.setCustomField(actor, { entity: 'candidate', key: 'owner', label: 'Owner', type: 'member' });
    await ws.setCustomField(actor, { entity: 'candidate', key: 'seats', label: 'Seats', type: 'number' });
    await ws.setCustomField(actor, { entity: 'candidate', key: 'rfp', label: 'RFP', type: 'boolean' });
    await ws.setCustomField(actor, {
      entity: 'pursuit',
      key: 'region',
      label: 'Region',
      type: 'enum',
      options: ['EMEA', 'AMER'],
    });
    return org;
  }

  it('keeps both of two configuration changes made at once to different parts of the settings', async () => {
    const { ws, actor } = await testOrg(store());
    const fields = Array.from({ length: 4 }, (_, i) =>
      ws.setCustomField(actor, { entity: 'pursuit', key: `f${i}`, label: `F${i}`, type: 'text' }),
    );
    const rules = ws.setProcessRules(actor, { reasons: { loss: ['price', 'timing'] } });
    await Promise.all([...fields, rules]);
    const schema = await ws.getFieldSchema(actor, { entity: 'pursuit' });
    expect(schema.fields.map((f) => f.key).sort()).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect((await ws.getProcess(actor, {})).rules.reasons).toEqual({ loss: ['price', 'timing'] });
  });

  it('accepts typed values, stores a member by id, and reads the schema back', async () => {
    const { ws, actor, orgId } = await withFields();
    const email = `admin@${(await store().db.selectFrom('orgs').select('slug').where('id', '=', orgId).executeTakeFirstOrThrow()).slug}.test`;
    const candidate = await ws.createCandidate(actor, {
      title: 'Typed',
      accountName: `Typed ${process.pid}`,
      fields: {
        region: 'EMEA',
        budget: { amount: 1200.5, currency: 'EUR' },
        close_by: '2026-04-30',
        owner: email,
        seats: 40,
        rfp: true,
      },
    });
    expect(candidate.fields).toEqual({
      region: 'EMEA',
      budget: { amount: 1200.5, currency: 'EUR' },
      close_by: '2026-04-30',
      owner: actor.memberId,
      seats: 40,
      rfp: true,
    });
    const schema = await ws.getFieldSchema(actor, { entity: 'candidate' });
    expect(schema.fields.map((f) => `${f.key}:${f.type}`)).toEqual([
      'region:enum',
      'budget:money',
      'close_by:date',
      'owner:member',
      'seats:number',
      'rfp:boolean',
    ]);
  });

  it.each([
    [{ nope: 1 }, 'fields.nope', 'is not a candidate field'],
    [{ region: 'APAC' }, 'fields.region', 'one of "EMEA", "AMER"'],
    [{ budget: 12 }, 'fields.budget', 'money'],
    [{ budget: { amount: 1, currency: 'euro' } }, 'fields.budget', 'money'],
    [{ close_by: '2026-02-30' }, 'fields.close_by', 'YYYY-MM-DD'],
    [{ seats: '40' }, 'fields.seats', 'finite number'],
    [{ rfp: 'yes' }, 'fields.rfp', 'true or false'],
    [{ owner: 'stranger@elsewhere.test' }, 'fields.owner', ''],
  ])('refuses %j with VALIDATION naming %s and changes nothing', async (fields, field, message) => {
    const { ws, actor } = await withFields();
    const before = await snapshot(store());
    const failure = await refusal(
      ws.createCandidate(actor, { title: 'Bad', accountName: `Bad ${process.pid}`, fields }),
    );
    expect(failure).toMatchObject({ code: 'VALIDATION', field });
    expect(failure.message).toContain(message);
    expect(await snapshot(store())).toEqual(before);
  });

  it('checks updates, refuses a retired field, keeps a type fixed, and records each change as an org event', async () => {
    const { ws, actor, orgId } = await withFields();
    const candidate = await ws.createCandidate(actor, {
      title: 'U',
      accountName: `U ${process.pid}`,
      fields: { region: 'AMER' },
    });
    const failure = await refusal(
      ws.updateCandidate(actor, { candidateId: candidate.id, fields: { seats: 'many' } }),
    );
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'fields.seats' });
    await ws.setCustomField(actor, {
      entity: 'candidate',
      key: 'seats',
      label: 'Seats',
      type: 'number',
      retired: true,
    });
    expect(
      await refusal(ws.updateCandidate(actor, { candidateId: candidate.id, fields: { seats: 3 } })),
    ).toMatchObject({ code: 'VALIDATION', field: 'fields.seats' });
    const typeChange = await refusal(
      ws.setCustomField(actor, { entity: 'candidate', key: 'rfp', label: 'RFP', type: 'text' }),
    );
    expect(typeChange).toMatchObject({ code: 'VALIDATION', field: 'type' });
    const events = await store()
      .db.selectFrom('events')
      .select(['type', 'entity_type'])
      .where('org_id', '=', orgId)
      .where('entity_id', '=', orgId)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual([
      ...Array(7).fill('config.custom_field_set'),
      'config.custom_field_retired',
    ]);
    expect(new Set(events.map((e) => e.entity_type))).toEqual(new Set(['org']));
  });

  it('refuses hostile text in a text field like anywhere else', async () => {
    const { ws, actor } = await testOrg(store());
    await ws.setCustomField(actor, { entity: 'candidate', key: 'note', label: 'Note', type: 'text' });
    const failure = await refusal(
      ws.createCandidate(actor, {
        title: 'H',
        accountName: `H ${process.pid}`,
        fields: { note: 'a\u0000b' },
      }),
    );
    expect(failure).toMatchObject({ code: 'VALIDATION', field: expect.stringContaining('fields.note') });
    const long = await refusal(
      ws.createCandidate(actor, {
        title: 'H',
        accountName: `H ${process.pid}`,
        fields: { note: 'x'.repeat(2001) },
      }),
    );
    expect(long).toMatchObject({ code: 'VALIDATION', field: 'fields.note' });
  });

  it('keeps moves free without requiredFrom; records, repeats and removes a requirement as org events', async () => {
    const { ws, actor, orgId } = await testOrg(store());
    const define = (requiredFrom?: 'qualified') =>
      ws.setCustomField(actor, {
        entity: 'candidate',
        key: 'segment',
        label: 'Segment',
        type: 'text',
        ...(requiredFrom ? { requiredFrom } : {}),
      });
    await define();
    const touched = async () => {
      const c = await ws.createCandidate(actor, { title: 'R', accountName: `R ${Math.random()}` });
      await ws.logTouch(actor, { candidateId: c.id, kind: 'call', summary: 'Hi' });
      return c.id;
    };
    // No requiredFrom: today's behaviour, the move needs nothing.
    expect((await ws.qualifyCandidate(actor, { candidateId: await touched() })).state).toBe('qualified');
    await define('qualified');
    await define('qualified');
    const gated = await touched();
    expect(await refusal(ws.qualifyCandidate(actor, { candidateId: gated }))).toMatchObject({
      code: 'GUARD_FAILED',
      gate: 'required_fields',
      missing: [{ key: 'fields.segment' }],
    });
    // Stating the definition without requiredFrom removes the requirement.
    await define();
    expect((await ws.qualifyCandidate(actor, { candidateId: gated })).state).toBe('qualified');
    const events = await store()
      .db.selectFrom('events')
      .select(['type', 'data_json'])
      .where('org_id', '=', orgId)
      .where('entity_id', '=', orgId)
      .orderBy('id')
      .execute();
    expect(
      events.map((e) => [e.type, (e.data_json as { after: { requiredFrom?: string } }).after.requiredFrom]),
    ).toEqual([
      ['config.custom_field_set', undefined],
      ['config.custom_field_set', 'qualified'],
      ['config.custom_field_set', undefined],
    ]);
  });
});

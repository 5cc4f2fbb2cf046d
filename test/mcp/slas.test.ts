/** SLA tools and the workstream://sla/breaches resource, driven by a client while the clock is moved. */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BREACHES_PAGE } from '../../src/resources/index.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';
import { call, inMemoryClient, type Loose, ok, refused } from './support.js';

/** Monday 2 March 2026: the default calendar works Mon–Fri 09:00–17:00 UTC. */
const MONDAY_9 = new Date('2026-03-02T09:00:00.000Z');
const MONDAY_16 = new Date('2026-03-02T16:00:00.000Z');

describeEachDialect('MCP SLA tools', (db) => {
  let org: TestOrg;
  let client: Client;
  const opened: Client[] = [];

  async function clientFor(who: TestOrg['actor'], ws = org.ws): Promise<Client> {
    const opening = await inMemoryClient(ws, who);
    opened.push(opening);
    return opening;
  }

  async function read(reader: Client, uri: string): Promise<Loose> {
    const [content] = (await reader.readResource({ uri })).contents;
    expect(content).toMatchObject({ uri, mimeType: 'application/json' });
    return JSON.parse(String((content as { text: string }).text));
  }

  const ids = (page: { items: { entityId: string }[] }) => page.items.map((item) => item.entityId);

  beforeAll(async () => {
    org = await testOrg(db.store(), MONDAY_9);
    client = await clientFor(org.actor);
  });
  afterAll(async () => {
    for (const opening of opened) await opening.close();
  });

  it('lists breached and at-risk clocks, most overdue first, as a tool and as a resource', async () => {
    // Triage targets: urgent 2 working hours (due 11:00), medium 8 (due 17:00, at risk from 15:00).
    const urgent = await ok(client, 'create_candidate', {
      title: 'Urgent lead',
      accountName: 'Breach Co',
      priority: 'urgent',
      assignee: 'me',
    });
    const medium = await ok(client, 'create_candidate', { title: 'Medium lead', accountName: 'Risk Co' });
    expect((await ok(client, 'list_sla_breaches')).items).toEqual([]);

    org.clock.set(MONDAY_16);
    const all = await call(client, 'list_sla_breaches', {});
    expect(all.isError).toBe(false);
    expect(all.data).toMatchObject({
      items: [
        {
          entityType: 'candidate',
          entityId: urgent.id,
          kind: 'triage',
          status: 'breached',
          overdueMinutes: 300,
        },
        {
          entityType: 'candidate',
          entityId: medium.id,
          kind: 'triage',
          status: 'at_risk',
          overdueMinutes: -60,
        },
      ],
      nextCursor: null,
    });
    expect(all.text).toContain(`triage SLA BREACHED 5 h ago`);
    expect(all.text).toContain(`candidate ${urgent.id} "Urgent lead"`);
    expect(ids(await ok(client, 'list_sla_breaches', { status: 'breached' }))).toEqual([urgent.id]);
    expect(ids(await ok(client, 'list_sla_breaches', { assignee: 'me' }))).toEqual([urgent.id]);

    expect(await read(client, 'workstream://sla/breaches')).toEqual({ ...all.data, more: null });
    expect(ids(await read(client, 'workstream://sla/breaches?status=breached&kind=triage'))).toEqual([
      urgent.id,
    ]);
    // Any order, any subset: the catch-all template reads the query too.
    expect(ids(await read(client, 'workstream://sla/breaches?kind=triage&status=at_risk'))).toEqual([
      medium.id,
    ]);
    await expect(client.readResource({ uri: 'workstream://sla/breaches?status=late' })).rejects.toThrow(
      /VALIDATION: status/,
    );
    await expect(client.readResource({ uri: 'workstream://sla/breachesX' })).rejects.toThrow(/not found/i);

    // Met late by the first touch: it leaves the list and counts against compliance.
    await ok(client, 'log_touch', { candidateId: urgent.id, kind: 'call', summary: 'Finally called' });
    expect(ids(await ok(client, 'list_sla_breaches'))).toEqual([medium.id]);
    const compliance = await call(client, 'get_sla_compliance', {});
    expect(compliance.data.kinds).toContainEqual(
      expect.objectContaining({
        kind: 'triage',
        met: 0,
        breached: 1,
        compliance: 0,
        medianMinutesToMeet: 420,
      }),
    );
    expect(compliance.text).toContain('triage: 0% in time (0 in time, 1 late');
  });

  it(`says where the rest is when more than ${BREACHES_PAGE} clocks match, cutting nothing silently`, async () => {
    const busy = await testOrg(db.store(), MONDAY_9);
    for (let n = 0; n <= BREACHES_PAGE; n++)
      await busy.ws.createCandidate(busy.actor, { title: `Lead ${n}`, accountName: `Busy ${n}` });
    busy.clock.set(MONDAY_16);
    const reader = await clientFor(busy.actor, busy.ws);

    const first = await read(reader, 'workstream://sla/breaches?kind=triage');
    expect(first.items).toHaveLength(BREACHES_PAGE);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.more).toContain(`list_sla_breaches with cursor "${first.nextCursor}"`);
    const nextUri = `workstream://sla/breaches?kind=triage&cursor=${encodeURIComponent(first.nextCursor)}`;
    expect(first.more).toContain(nextUri);

    const rest = await read(reader, nextUri);
    expect(rest).toMatchObject({ nextCursor: null, more: null });
    expect(rest.items).toHaveLength(1);
    const everyClock = [...first.items, ...rest.items].map((item: { clockId: string }) => item.clockId);
    expect(new Set(everyClock).size).toBe(BREACHES_PAGE + 1);
  });

  it('shows the policies to anyone, and lets only an admin change them', async () => {
    const own = await testOrg(db.store(), MONDAY_9);
    const admin = await clientFor(own.actor, own.ws);
    const { memberId } = await own.ws.addMember({
      orgId: own.orgId,
      email: `rep${Date.now()}@example.com`,
      name: 'Rep',
      role: 'member',
    });
    const rep = await clientFor({ orgId: own.orgId, memberId }, own.ws);

    const policies = await call(rep, 'get_sla_policies');
    expect(policies.isError).toBe(false);
    expect(policies.data.calendar).toMatchObject({ timeZone: 'UTC' });
    expect(policies.data.policies).toContainEqual({
      kind: 'triage',
      priority: 'urgent',
      targetHours: 2,
      businessHours: true,
      warnPercent: 75,
    });
    expect(policies.text).toContain('triage / urgent: 2 h business time, at risk from 75%');

    const change = { kind: 'triage', priority: 'urgent', targetHours: 6 };
    expect(await refused(rep, 'set_sla_policy', change)).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await refused(rep, 'set_business_calendar', {
        timeZone: 'Europe/London',
        weekly: [{ day: 'mon', start: '09:00', end: '17:00' }],
      }),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect((await ok(rep, 'get_sla_policies')).policies).toEqual(policies.data.policies);

    const changed = await ok(admin, 'set_sla_policy', change);
    expect(changed.policies).toContainEqual(expect.objectContaining({ ...change, warnPercent: 75 }));
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/store/connect.js';
import { createWorkstream, type Workstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { refusal, type TestOrg, testOrg } from '../support/workstream.js';

/** Monday 2 March 2026, 09:00 UTC: the start of a working day on the default Mon–Fri 09–17 calendar. */
const MONDAY_9 = new Date('2026-03-02T09:00:00.000Z');
const at = (iso: string) => new Date(iso);
let refs = 0;
const ref = () => `SLA-${process.pid}-${++refs}`;

describeEachDialect('SLAs', ({ dialect, store, url }) => {
  let org: TestOrg;

  beforeAll(async () => {
    org = await testOrg(store(), MONDAY_9);
    await org.ws.registerWebhook(org.actor, { url: 'https://hooks.example.com/sla', eventTypes: ['sla.*'] });
  });

  const clocksOf = (entityId: string) =>
    store()
      .db.selectFrom('sla_clocks')
      .selectAll()
      .where('entity_id', '=', entityId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();

  const slaEvents = async (entityId: string) =>
    store()
      .db.selectFrom('events')
      .select(['type', 'id'])
      .where('entity_id', '=', entityId)
      .where('type', 'like', 'sla.%')
      .orderBy('id')
      .execute();

  const alertRows = (entityId: string) =>
    store()
      .db.selectFrom('outbox')
      .innerJoin('events', 'events.id', 'outbox.event_id')
      .select(['events.type', 'outbox.destination'])
      .where('events.entity_id', '=', entityId)
      .where('events.type', 'like', 'sla.%')
      .orderBy('events.id')
      .orderBy('outbox.destination')
      .execute();

  /** A fresh org at Monday 09:00, so each test owns its clocks and its time. */
  async function freshOrg() {
    return testOrg(store(), MONDAY_9);
  }

  describe('triage', () => {
    it('warns at 75%, breaches at the due time, each once with an alert, and is met late by the first touch', async () => {
      const { ws, actor, clock } = org;
      clock.set(MONDAY_9);
      const candidate = await ws.createCandidate(actor, {
        title: 'Triage me',
        accountName: `Triage ${ref()}`,
      });
      const [started] = await clocksOf(candidate.id);
      expect(started).toMatchObject({
        kind: 'triage',
        state: 'running',
        started_at: MONDAY_9,
        warn_at: at('2026-03-02T15:00:00.000Z'),
        due_at: at('2026-03-02T17:00:00.000Z'),
      });

      clock.set(at('2026-03-02T14:59:00.000Z'));
      await ws.sweepSlas();
      expect(await slaEvents(candidate.id)).toEqual([]);

      clock.set(at('2026-03-02T15:30:00.000Z'));
      expect((await ws.sweepSlas()).warned).toBeGreaterThanOrEqual(1);
      await ws.sweepSlas();
      expect((await slaEvents(candidate.id)).map((e) => e.type)).toEqual(['sla.warning']);

      clock.set(at('2026-03-03T09:30:00.000Z'));
      await ws.sweepSlas();
      await ws.sweepSlas();
      expect((await slaEvents(candidate.id)).map((e) => e.type)).toEqual(['sla.warning', 'sla.breached']);
      expect((await alertRows(candidate.id)).map((r) => [r.type, r.destination.split(':')[0]])).toEqual([
        ['sla.warning', 'alerts'],
        ['sla.warning', 'webhook'],
        ['sla.breached', 'alerts'],
        ['sla.breached', 'webhook'],
      ]);

      await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'Finally called' });
      const [met] = await clocksOf(candidate.id);
      expect(met).toMatchObject({
        state: 'met',
        met_at: clock.now(),
        breached_at: at('2026-03-03T09:30:00.000Z'),
      });
      const history = await ws.getHistory(actor, { id: candidate.id, limit: 50 });
      expect(history.items.map((e) => e.type)).toEqual([
        'candidate.created',
        'sla.warning',
        'sla.breached',
        'candidate.touched',
      ]);
    });

    it('shows the time left on an open clock, and how long it has been overdue', async () => {
      const { ws, actor, clock } = await freshOrg();
      const candidate = await ws.createCandidate(actor, { title: 'Left', accountName: `Left ${ref()}` });
      clock.set(at('2026-03-02T14:30:00.000Z'));
      expect((await ws.getSlaClocks(actor, { id: candidate.id })).clocks[0]).toMatchObject({
        kind: 'triage',
        minutesToDue: 150,
        breached: false,
      });
      clock.set(at('2026-03-02T17:45:00.000Z'));
      expect((await ws.getSlaClocks(actor, { id: candidate.id })).clocks[0]).toMatchObject({
        minutesToDue: -45,
        breached: true,
      });
    });

    it('counts only working time: created Friday 16:00, due Monday 16:00 on an 8-hour target', async () => {
      const { ws, actor, clock } = await freshOrg();
      clock.set(at('2026-03-06T16:00:00.000Z'));
      const candidate = await ws.createCandidate(actor, {
        title: 'Weekend',
        accountName: `Weekend ${ref()}`,
      });
      expect((await clocksOf(candidate.id))[0]).toMatchObject({ due_at: at('2026-03-09T16:00:00.000Z') });
    });

    it('takes the priority’s own target, and re-targets when the priority changes', async () => {
      const { ws, actor, clock } = await freshOrg();
      const urgent = await ws.createCandidate(actor, {
        title: 'Urgent',
        accountName: `Urgent ${ref()}`,
        priority: 'urgent',
      });
      expect((await clocksOf(urgent.id))[0]).toMatchObject({ due_at: at('2026-03-02T11:00:00.000Z') });
      const medium = await ws.createCandidate(actor, { title: 'Medium', accountName: `Medium ${ref()}` });
      clock.set(at('2026-03-02T10:00:00.000Z'));
      await ws.updateCandidate(actor, { candidateId: medium.id, priority: 'urgent' });
      expect((await clocksOf(medium.id))[0]).toMatchObject({
        started_at: MONDAY_9,
        due_at: at('2026-03-02T11:00:00.000Z'),
      });
    });

    it('is cancelled by disqualifying and by merging, and then never warns', async () => {
      const { ws, actor, clock } = await freshOrg();
      const gone = await ws.createCandidate(actor, { title: 'Gone', accountName: `Gone ${ref()}` });
      const merged = await ws.createCandidate(actor, { title: 'Merged', accountName: `Merged ${ref()}` });
      const into = await ws.createCandidate(actor, { title: 'Into', accountName: `Into ${ref()}` });
      await ws.disqualifyCandidate(actor, { candidateId: gone.id, reason: 'no_budget' });
      await ws.mergeCandidate(actor, { candidateId: merged.id, intoId: into.id });
      clock.set(at('2026-03-10T12:00:00.000Z'));
      await ws.sweepSlas();
      expect((await clocksOf(gone.id))[0]).toMatchObject({
        state: 'cancelled',
        warned_at: null,
        breached_at: null,
      });
      expect((await clocksOf(merged.id))[0]).toMatchObject({ state: 'cancelled', warned_at: null });
      expect(await slaEvents(gone.id)).toEqual([]);
    });
  });

  describe('proposal and response', () => {
    async function promoted(ws: Workstream, actor: TestOrg['actor']) {
      const candidate = await ws.createCandidate(actor, { title: 'Bid', accountName: `Bid ${ref()}` });
      await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'hi' });
      await ws.qualifyCandidate(actor, { candidateId: candidate.id });
      return (await ws.promoteCandidate(actor, { candidateId: candidate.id })).pursuit;
    }

    it('pauses the proposal clock on hold and moves its due time by the working time paused', async () => {
      const { ws, actor, clock } = await freshOrg();
      const pursuit = await promoted(ws, actor);
      // 80 working hours from Monday 09:00: the end of the tenth working day.
      expect((await clocksOf(pursuit.id))[0]).toMatchObject({
        kind: 'proposal',
        due_at: at('2026-03-13T17:00:00.000Z'),
      });
      clock.set(at('2026-03-03T09:00:00.000Z'));
      await ws.holdPursuit(actor, { pursuitId: pursuit.id, reason: 'Waiting for the amended RFP' });
      expect((await clocksOf(pursuit.id))[0]).toMatchObject({ state: 'paused', paused_at: clock.now() });
      clock.set(at('2026-03-30T09:00:00.000Z'));
      await ws.sweepSlas();
      expect(await slaEvents(pursuit.id)).toEqual([]);
      clock.set(at('2026-03-05T09:00:00.000Z'));
      await ws.resumePursuit(actor, { pursuitId: pursuit.id });
      expect((await clocksOf(pursuit.id))[0]).toMatchObject({
        state: 'running',
        paused_minutes: 16 * 60,
        due_at: at('2026-03-17T17:00:00.000Z'),
      });
    });

    it('meets the proposal clock on submit, starts the response clock, restarts it on a new send and meets it on follow-up', async () => {
      const { ws, actor, clock } = await freshOrg();
      const pursuit = await promoted(ws, actor);
      await ws.decideBid(actor, { pursuitId: pursuit.id });
      await ws.addProposalVersion(actor, { pursuitId: pursuit.id, title: 'v1' });
      for (const itemKey of [
        'compliance_matrix',
        'win_themes',
        'pricing_strategy',
        'solution_review',
        'executive_summary',
      ]) {
        await ws.setChecklistItem(actor, {
          pursuitId: pursuit.id,
          checklist: 'pink',
          itemKey,
          state: 'done',
        });
      }
      clock.set(at('2026-03-04T10:00:00.000Z'));
      await ws.submitPursuit(actor, { pursuitId: pursuit.id });
      let clocks = await clocksOf(pursuit.id);
      expect(clocks.map((c) => [c.kind, c.state])).toEqual([
        ['proposal', 'met'],
        ['response', 'running'],
      ]);
      expect(clocks[1]).toMatchObject({ started_at: clock.now(), due_at: at('2026-03-06T10:00:00.000Z') });
      // 16 working hours: warned after 12 (Thursday 14:00), breached at Friday 10:00.
      clock.set(at('2026-03-05T14:30:00.000Z'));
      await ws.sweepSlas();
      expect((await slaEvents(pursuit.id)).map((e) => e.type)).toEqual(['sla.warning']);
      clock.set(at('2026-03-06T10:00:00.000Z'));
      await ws.sweepSlas();
      expect((await slaEvents(pursuit.id)).map((e) => e.type)).toEqual(['sla.warning', 'sla.breached']);
      clock.set(at('2026-03-04T10:00:00.000Z'));

      clock.set(at('2026-03-05T10:00:00.000Z'));
      await ws.addProposalVersion(actor, { pursuitId: pursuit.id, title: 'v2' });
      await ws.sendProposalVersion(actor, { pursuitId: pursuit.id });
      clocks = await clocksOf(pursuit.id);
      expect(clocks.map((c) => [c.kind, c.state])).toEqual([
        ['proposal', 'met'],
        ['response', 'cancelled'],
        ['response', 'running'],
      ]);
      expect(clocks[2]).toMatchObject({ due_at: at('2026-03-09T10:00:00.000Z') });

      await ws.logFollowUp(actor, { pursuitId: pursuit.id, summary: 'Buyer confirmed receipt' });
      expect((await clocksOf(pursuit.id)).map((c) => c.state)).toEqual(['met', 'cancelled', 'met']);
    });

    it('cancels the proposal clock on no-bid and both on cancel', async () => {
      const { ws, actor } = await freshOrg();
      const declined = await promoted(ws, actor);
      await ws.decideNoBid(actor, { pursuitId: declined.id, reason: 'Out of scope' });
      expect((await clocksOf(declined.id)).map((c) => c.state)).toEqual(['cancelled']);
      const cancelled = await promoted(ws, actor);
      await ws.cancelPursuit(actor, { pursuitId: cancelled.id, reason: 'Buyer withdrew' });
      expect((await clocksOf(cancelled.id)).map((c) => c.state)).toEqual(['cancelled']);
    });
  });

  describe('policies', () => {
    it('are listed with the defaults of a new organization', async () => {
      const { ws, actor } = await freshOrg();
      const { calendar, policies } = await ws.getSlaPolicies(actor);
      expect(calendar?.timeZone).toBe('UTC');
      expect(policies).toContainEqual({
        kind: 'triage',
        priority: 'urgent',
        targetHours: 2,
        businessHours: true,
        warnPercent: 75,
      });
      expect(policies).toContainEqual({
        kind: 'proposal',
        priority: 'any',
        targetHours: 80,
        businessHours: true,
        warnPercent: 75,
      });
    });

    it('re-target running clocks when an admin changes one, keeping the start', async () => {
      const { ws, actor } = await freshOrg();
      const candidate = await ws.createCandidate(actor, { title: 'P', accountName: `Policy ${ref()}` });
      await ws.setSlaPolicy(actor, { kind: 'triage', targetHours: 24, businessHours: false });
      expect((await clocksOf(candidate.id))[0]).toMatchObject({
        started_at: MONDAY_9,
        due_at: at('2026-03-03T09:00:00.000Z'),
        warn_at: at('2026-03-03T03:00:00.000Z'),
      });
    });

    it('refuse bad input naming the field, and refuse non-admins', async () => {
      const { ws, actor, orgId } = await freshOrg();
      expect(await refusal(ws.setSlaPolicy(actor, { kind: 'triage', targetHours: -1 }))).toMatchObject({
        code: 'VALIDATION',
        field: 'targetHours',
      });
      expect(
        await refusal(
          ws.setBusinessCalendar(actor, {
            timeZone: 'Mars/Olympus',
            weekly: [{ day: 'mon', start: '09:00', end: '17:00' }],
          }),
        ),
      ).toMatchObject({
        code: 'VALIDATION',
        field: 'timeZone',
      });
      const { memberId } = await ws.addMember({ orgId, email: `rep-${ref()}@example.com`, name: 'Rep' });
      expect(
        await refusal(ws.setSlaPolicy({ orgId, memberId }, { kind: 'triage', targetHours: 1 })),
      ).toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('views', () => {
    it('list breached and at-risk clocks, most overdue first, with filters and pages', async () => {
      const { ws, actor, clock } = await freshOrg();
      const first = await ws.createCandidate(actor, {
        title: 'First',
        accountName: `First ${ref()}`,
        priority: 'urgent',
      }); // due 11:00
      const second = await ws.createCandidate(actor, {
        title: 'Second',
        accountName: `Second ${ref()}`,
        priority: 'high',
      }); // due 13:00
      const third = await ws.createCandidate(actor, { title: 'Third', accountName: `Third ${ref()}` }); // warn 15:00, due 17:00
      clock.set(at('2026-03-02T15:30:00.000Z'));
      const all = await ws.listSlaBreaches(actor, {});
      expect(all.items.map((b) => [b.entityId, b.status])).toEqual([
        [first.id, 'breached'],
        [second.id, 'breached'],
        [third.id, 'at_risk'],
      ]);
      expect(all.items[0]).toMatchObject({ kind: 'triage', title: 'First', overdueMinutes: 270 });
      expect((await ws.listSlaBreaches(actor, { status: 'at_risk' })).items.map((b) => b.entityId)).toEqual([
        third.id,
      ]);
      const page1 = await ws.listSlaBreaches(actor, { limit: 2 });
      const page2 = await ws.listSlaBreaches(actor, { limit: 2, cursor: page1.nextCursor ?? '' });
      expect([...page1.items, ...page2.items].map((b) => b.entityId)).toEqual([
        first.id,
        second.id,
        third.id,
      ]);
      expect(page2.nextCursor).toBeNull();
      expect(
        await refusal(ws.listSlaBreaches(actor, { cursor: page1.items[0]?.clockId ?? 'x' })),
      ).toMatchObject({
        code: 'VALIDATION',
        field: 'cursor',
      });
    });

    it('compute compliance over met clocks: breached-then-met counts as breached, cancelled not at all', async () => {
      const { ws, actor, clock } = await freshOrg();
      const onTime = await ws.createCandidate(actor, { title: 'On time', accountName: `On time ${ref()}` });
      const late = await ws.createCandidate(actor, { title: 'Late', accountName: `Late ${ref()}` });
      const dropped = await ws.createCandidate(actor, { title: 'Dropped', accountName: `Dropped ${ref()}` });
      clock.set(at('2026-03-02T10:00:00.000Z'));
      await ws.logTouch(actor, { candidateId: onTime.id, kind: 'call', summary: 'quick' });
      await ws.disqualifyCandidate(actor, { candidateId: dropped.id, reason: 'spam' });
      clock.set(at('2026-03-03T10:00:00.000Z'));
      await ws.sweepSlas();
      await ws.logTouch(actor, { candidateId: late.id, kind: 'call', summary: 'slow' });
      const { kinds } = await ws.getSlaCompliance(actor, {});
      expect(kinds.find((k) => k.kind === 'triage')).toEqual({
        kind: 'triage',
        met: 1,
        breached: 1,
        compliance: 0.5,
        medianMinutesToMeet: 60,
        p90MinutesToMeet: 24 * 60 + 60,
      });
    });
  });

  if (dialect === 'postgres') {
    it('emits each warning and breach once when two sweeps run at the same moment', async () => {
      const { ws, actor, clock, orgId } = await freshOrg();
      const ids: string[] = [];
      for (let i = 0; i < 40; i++)
        ids.push(
          (await ws.createCandidate(actor, { title: `C${i}`, accountName: `Concurrent ${ref()}` })).id,
        );
      clock.set(at('2026-03-03T12:00:00.000Z'));
      const other = await connect(url());
      try {
        const second = createWorkstream(other, clock);
        // Small batches so the sweeps interleave; other suites' clocks in this database are swept too.
        const results = await Promise.all([
          ws.sweepSlas(7),
          second.sweepSlas(7),
          ws.sweepSlas(7),
          second.sweepSlas(7),
        ]);
        expect(results.reduce((n, r) => n + r.warned, 0)).toBeGreaterThanOrEqual(40);
      } finally {
        await other.close();
      }
      const events = await store()
        .db.selectFrom('events')
        .select(['entity_id', 'type'])
        .where('org_id', '=', orgId)
        .where('type', 'like', 'sla.%')
        .execute();
      expect(events).toHaveLength(80);
      for (const id of ids)
        expect(
          events
            .filter((e) => e.entity_id === id)
            .map((e) => e.type)
            .sort(),
        ).toEqual(['sla.breached', 'sla.warning']);
      const alerts = await store()
        .db.selectFrom('outbox')
        .select('id')
        .where('org_id', '=', orgId)
        .where('destination', '=', 'alerts')
        .execute();
      expect(alerts).toHaveLength(80);
    });
  }
});

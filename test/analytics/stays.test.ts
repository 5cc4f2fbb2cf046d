/**
 * state_stays is derived from the history: migration 0003 backfills it from the events written
 * before it, and from then on the events trigger appends a stay with every state change.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../src/store/migrator.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';

describeEachDialect(
  'state stays',
  ({ dialect, store }) => {
    it('are backfilled from the earlier history, then kept by the trigger', async () => {
      // Every migration but this one first: the commands need the others.
      const before = loadMigrations(dialect).filter((m) => m.name !== '0003_analytics');
      await migrate(store(), before);
      const { ws, actor, clock } = await testOrg(store(), new Date('2026-01-05T09:00:00.000Z'));
      const candidate = await ws.createCandidate(actor, { title: 'Acme bid', accountName: 'Acme' });
      clock.advance({ hours: 2 });
      await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'intro' });
      clock.advance({ hours: 1 });
      await ws.logTouch(actor, { candidateId: candidate.id, kind: 'email', summary: 'again' });
      clock.advance({ days: 1 });
      await ws.disqualifyCandidate(actor, { candidateId: candidate.id, reason: 'no_budget' });

      await migrate(store());
      clock.advance({ days: 2 });
      await ws.reopenCandidate(actor, { candidateId: candidate.id, reason: 'budget found' });

      const stays = await sql<{ state: string; next_state: string; minutes: unknown }>`
        select state, next_state, minutes from v_state_stays where entity_id = ${candidate.id}
        order by left_at`.execute(store().db);
      expect(stays.rows.map((r) => [r.state, r.next_state, Number(r.minutes)])).toEqual([
        ['new', 'contacted', 120],
        ['contacted', 'disqualified', 25 * 60], // the second touch does not end the stay
        ['disqualified', 'contacted', 2 * 1440], // written by the trigger
      ]);
    });
  },
  { migrate: false },
);

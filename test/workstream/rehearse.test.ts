/**
 * A rehearsal (Deps.rehearse) runs a command to its answer and rolls its transaction back: the
 * answer says what the call would do, a refusal is the refusal the call would meet, and the
 * database is left exactly as it was. Destructive tools preview themselves with it
 * (src/tools/confirm.ts).
 */
import { beforeAll, expect, it } from 'vitest';
import { execute } from '../../src/workstream/command.js';
import { COMMANDS } from '../../src/workstream/commands.js';
import { describeEachDialect } from '../support/databases.js';
import { refusal, snapshot, type TestOrg, testOrg } from '../support/workstream.js';

describeEachDialect('rehearsing a command', ({ store }) => {
  let org: TestOrg;
  let pursuitId: string;

  beforeAll(async () => {
    org = await testOrg(store());
    await org.ws.registerWebhook(org.actor, { url: 'https://hooks.example.com/all' });
    const candidate = await org.ws.createCandidate(org.actor, {
      title: 'Rehearsal bid',
      accountName: 'Rehearsal Ltd',
      opportunityRef: `RFP-${process.pid}`,
    });
    await org.ws.logTouch(org.actor, { candidateId: candidate.id, kind: 'call', summary: 'Intro call' });
    await org.ws.qualifyCandidate(org.actor, { candidateId: candidate.id });
    ({
      pursuit: { id: pursuitId },
    } = await org.ws.promoteCandidate(org.actor, { candidateId: candidate.id }));
  });

  const rehearsed = {
    get deps() {
      return { ...org.ws.deps, rehearse: true };
    },
  };

  it('answers what the change would answer and writes nothing (no row, no event, no outbox row)', async () => {
    const before = await snapshot(store());
    const answer = await execute(COMMANDS.cancelPursuit, rehearsed.deps, org.actor, {
      pursuitId,
      reason: 'Customer withdrew',
    });
    expect(answer).toMatchObject({
      id: pursuitId,
      state: 'cancelled',
      closeReason: 'Customer withdrew',
      version: 2,
    });
    expect(await snapshot(store())).toEqual(before);
    expect(await org.ws.getPursuit(org.actor, { pursuitId })).toMatchObject({ state: 'capture', version: 1 });
  });

  it('meets the refusal the change would meet, and writes nothing', async () => {
    const before = await snapshot(store());
    const failure = await refusal(
      execute(COMMANDS.markLost, rehearsed.deps, org.actor, { pursuitId, lossReason: 'Price' }),
    );
    expect(failure).toMatchObject({ code: 'INVALID_TRANSITION', state: 'capture', action: 'mark_lost' });
    expect(await snapshot(store())).toEqual(before);
  });

  it('leaves a query as it is and the real change still to be made', async () => {
    expect(await execute(COMMANDS.getPursuit, rehearsed.deps, org.actor, { pursuitId })).toMatchObject({
      state: 'capture',
    });
    const done = await org.ws.cancelPursuit(org.actor, { pursuitId, reason: 'Customer withdrew' });
    expect(done).toMatchObject({ state: 'cancelled', version: 2 });
  });
});

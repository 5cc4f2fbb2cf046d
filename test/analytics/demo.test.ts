/** The demo organization gives the analytics something to show: several quarters, wins and losses, varied sources. */
import { expect, it } from 'vitest';
import { stuckItems } from '../../src/analytics/stuck.js';
import { loadDemo } from '../../src/demo/load.js';
import { run } from '../../src/workstream/unit-of-work.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');

describeEachDialect('the demo data in the analytics', ({ store }) => {
  it('has wins and losses in several quarters, several sources, holds and a weighted pipeline', async () => {
    const demo = await loadDemo(store(), NOW);
    const ws = createWorkstream(store(), { now: () => NOW });
    const dana = await store()
      .db.selectFrom('members')
      .select('id')
      .where('org_id', '=', demo.orgId)
      .where('email', '=', 'dana@demo.example')
      .executeTakeFirstOrThrow();
    const actor = { orgId: demo.orgId, memberId: dana.id };
    const outcomes = await ws.getOutcomes(actor, { period: 'quarter' });
    const decided = outcomes.rows.filter((r) => r.won > 0 && r.lost > 0);
    expect(decided.length).toBeGreaterThanOrEqual(3);
    expect(outcomes.reasons.loss.length).toBeGreaterThanOrEqual(3);
    expect(outcomes.reasons.disqualification.length).toBeGreaterThanOrEqual(2);
    const funnel = await ws.getFunnel(actor, { period: 'quarter', groupBy: 'source' });
    const sources = new Set(funnel.rows.filter((r) => r.counts.won > 0).map((r) => r.group));
    expect(sources.size).toBeGreaterThanOrEqual(3);
    const velocity = await ws.getVelocity(actor, { from: '2025-10-01T00:00:00Z' });
    expect(velocity.timeInState.find((s) => s.state === 'on_hold')?.minutes.n).toBeGreaterThanOrEqual(3);
    expect(velocity.cycles.map((c) => c.cycle)).toEqual([
      'signal_to_won',
      'signal_to_lost',
      'promotion_to_submit',
    ]);
    const pipeline = await ws.getPipeline(actor, {});
    expect(pipeline.byState.find((r) => r.state === 'total')?.weightedValue).toBeGreaterThan(0);

    // The stuck items read in batches of one stop at the same answer as in one batch, and each
    // item entered its state at its last stay into it (or its creation).
    const stuck = (batch: number) =>
      run(ws.deps, actor, (unit) => stuckItems(unit, 3, batch), { readOnly: true });
    const whole = await stuck(200);
    expect(await stuck(1)).toEqual(whole);
    expect(whole.filter((row) => row.items.length === 3).length).toBeGreaterThanOrEqual(3);
    for (const row of whole)
      for (let i = 1; i < row.items.length; i++)
        expect(row.items[i]?.enteredAt.getTime()).toBeGreaterThanOrEqual(
          row.items[i - 1]?.enteredAt.getTime() ?? 0,
        );
  }, 60_000);
});

/**
 * The analytics tools and resources through a real MCP client, over the known history of
 * test/analytics/history.ts: the same figures as the commands, every figure defined in the
 * published output schema, refusals as VALIDATION naming the field.
 */

import type { Client } from '@modelcontextprotocol/client';
import { ProtocolError } from '@modelcontextprotocol/client';
import { beforeAll, expect, it } from 'vitest';
import { TOOLSETS } from '../../src/tools/toolsets.js';
import { buildKnownHistory, type KnownHistory } from '../analytics/history.js';
import { describeEachDialect } from '../support/databases.js';
import { call, inMemoryClient, type Loose, ok, refused } from './support.js';

const RANGE = { from: '2026-01-01T00:00:00Z', to: '2026-07-01T00:00:00Z' };
const TOOLS = ['get_funnel', 'get_outcomes', 'get_velocity', 'get_pipeline', 'get_sla_breakdown'];

describeEachDialect('analytics over MCP', ({ store }) => {
  let h: KnownHistory;
  let client: Client;

  beforeAll(async () => {
    h = await buildKnownHistory(store());
    client = await inMemoryClient(h.org.ws, h.org.actor, { toolsets: TOOLSETS });
  }, 60_000);

  async function read(uri: string): Promise<Loose> {
    const result = await client.readResource({ uri });
    const [content] = result.contents;
    return JSON.parse(content && 'text' in content ? content.text : 'null');
  }

  it('lists the analytics tools as reads, each figure defined in workstream://analytics/definitions', async () => {
    const { tools } = await client.listTools();
    const analytics = tools.filter((t) => TOOLS.includes(t.name));
    expect(analytics.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    // Hints equal to MCP's defaults are left out of the catalog: destructiveHint false is one.
    for (const tool of analytics)
      expect({ destructiveHint: false, ...tool.annotations }).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
      });
    const { contents } = await client.readResource({ uri: 'workstream://analytics/definitions' });
    const defined: Loose = JSON.parse(String((contents[0] as { text: string }).text)).get_outcomes.answer;
    expect(defined['rows[].winRate']).toMatch(/won ÷ \(won \+ lost\)/);
    expect(defined['rows[].bidRate']).toMatch(/bids ÷ \(bids \+ noBids\)/);
    expect(defined['rows[].award.median']).toMatch(/rank ceil\(n\/2\)/);
  });

  it('answers get_outcomes with the hand-computed figures and a short text', async () => {
    const answer = await call(client, 'get_outcomes', { ...RANGE, period: 'quarter' });
    expect(answer.isError).toBe(false);
    expect(answer.data.rows.map((r: Loose) => [r.period, r.won, r.lost, r.winRate, r.wonValue])).toEqual([
      ['2026-Q1', 1, 0, 1, 90000],
      ['2026-Q2', 0, 1, 0, 0],
    ]);
    expect(answer.text).toContain('2026-Q1 (all): bid rate 67% (2/3), win rate 100% (1 won, 0 lost)');
    expect(answer.text).toContain('Top loss reason: price (1).');
  });

  it('answers every analytics tool with what its command computes', async () => {
    const args = { ...RANGE, groupBy: 'assignee' as const };
    expect(await ok(client, 'get_funnel', args)).toEqual(await h.org.ws.getFunnel(h.org.actor, args));
    expect(await ok(client, 'get_velocity', args)).toEqual(await h.org.ws.getVelocity(h.org.actor, args));
    expect(await ok(client, 'get_sla_breakdown', args)).toEqual(
      await h.org.ws.getSlaBreakdown(h.org.actor, args),
    );
    const pipeline = await ok(client, 'get_pipeline', { groupBy: 'priority' });
    expect(pipeline.byState.find((r: Loose) => r.state === 'on_hold')).toMatchObject({
      value: 80000,
      weightedValue: 20000,
    });
  });

  it('refuses a bad groupBy, period or time zone as VALIDATION naming the field', async () => {
    expect(await refused(client, 'get_velocity', { groupBy: 'source' })).toMatchObject({
      code: 'VALIDATION',
      field: 'groupBy',
    });
    expect(await refused(client, 'get_funnel', { period: 'fortnight' })).toMatchObject({ field: 'period' });
    expect(await refused(client, 'get_outcomes', { timeZone: 'Mars/Olympus' })).toMatchObject({
      field: 'timeZone',
    });
    expect(await refused(client, 'get_funnel', { ...RANGE, period: 'day' })).toMatchObject({ field: 'from' });
  });

  it('serves each family as a workstream://analytics resource, parameters optional and in any order', async () => {
    const q = `from=${encodeURIComponent(RANGE.from)}&to=${encodeURIComponent(RANGE.to)}`;
    expect(await read(`workstream://analytics/outcomes?period=quarter&${q}`)).toEqual(
      await ok(client, 'get_outcomes', { ...RANGE, period: 'quarter' }),
    );
    expect(await read(`workstream://analytics/funnel?groupBy=source&${q}`)).toEqual(
      await ok(client, 'get_funnel', { ...RANGE, groupBy: 'source' }),
    );
    expect((await read(`workstream://analytics/velocity?${q}`)).cycles).toHaveLength(3);
    expect((await read('workstream://analytics/pipeline')).forecast[0]).toMatchObject({ month: '2026-07' });
    expect((await read(`workstream://analytics/sla?groupBy=tag&${q}`)).rows.length).toBeGreaterThan(0);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain(
      'workstream://analytics/funnel{?from,to,period,groupBy,timeZone}',
    );
  });

  it('answers a bad resource query as invalid params and an unknown family as not found', async () => {
    const bad = await client
      .readResource({ uri: 'workstream://analytics/velocity?groupBy=source' })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ProtocolError);
    expect((bad as ProtocolError).code).toBe(-32602);
    expect((bad as Error).message).toMatch(/^VALIDATION: groupBy/);
    await expect(client.readResource({ uri: 'workstream://analytics/funnels' })).rejects.toThrow(
      /not found/i,
    );
  });
});

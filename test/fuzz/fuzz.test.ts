/**
 * The fuzz suite in CI: a fixed seed and a few cases per tool on every database. The long run is
 * `npm run fuzz` (test/fuzz/main.ts).
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/databases.js';
import { fuzz } from './fuzz.js';

const SEED = 20_261_201;
const CASES_PER_TOOL = Number(process.env.WORKSTREAM_TEST_FUZZ_CASES ?? 4);

describeEachDialect('fuzzing every listed tool', (db) => {
  it(`answers ${CASES_PER_TOOL} generated and hostile calls per tool with no protocol error, INTERNAL, exit, stall or write by a refusal`, async () => {
    const counts = await fuzz({ store: db.store(), url: db.url(), casesPerTool: CASES_PER_TOOL, seed: SEED });
    expect(counts.findings).toEqual([]);
    expect(counts).toMatchObject({
      protocolErrors: 0,
      internal: 0,
      serverExits: 0,
      changedByRefusal: 0,
      unsafeTextNotRefused: 0,
      slowerThanBound: 0,
    });
    expect(counts.tools).toBeGreaterThan(30);
    expect(counts.calls).toBe(counts.tools * CASES_PER_TOOL);
    // The generator reaches both sides: some calls are accepted, most are refused.
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(counts.accepted);
  }, 120_000);
});

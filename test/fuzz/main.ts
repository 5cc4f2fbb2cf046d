/**
 * The long fuzz run: `npm run fuzz` (200 cases per tool by default) on SQLite and, with
 * WORKSTREAM_TEST_PG_URL, PostgreSQL; prints the counts and exits 1 on any violation.
 *
 *   npm run fuzz                       # 200 cases per tool, seed from the clock
 *   npm run fuzz -- --cases 500 --seed 42
 */
import { parseArgs } from 'node:util';
import { connect } from '../../src/store/connect.js';
import { migrate } from '../../src/store/migrator.js';
import { availableDialects, createDatabase } from '../support/databases.js';
import { ANSWER_BOUND_MS, type FuzzCounts, fuzz } from './fuzz.js';

const { values } = parseArgs({
  options: { cases: { type: 'string', default: '200' }, seed: { type: 'string' } },
});
const casesPerTool = Number(values.cases);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const VIOLATIONS = [
  'protocolErrors',
  'internal',
  'serverExits',
  'changedByRefusal',
  'unsafeTextNotRefused',
  'slowerThanBound',
] as const;

console.log(
  `fuzz: ${casesPerTool} cases per tool, seed ${seed}, answer bound ${ANSWER_BOUND_MS} ms; dialects ${availableDialects().join(', ')}`,
);
const results: [string, FuzzCounts][] = [];
for (const dialect of availableDialects()) {
  const database = await createDatabase(dialect);
  const store = await connect(database.url);
  try {
    await migrate(store);
    const counts = await fuzz({
      store,
      url: database.url,
      casesPerTool,
      seed,
      onTool: (name, so) => process.stderr.write(`  ${dialect} ${name}: ${so.calls} calls so far\n`),
    });
    results.push([dialect, counts]);
  } finally {
    await store.close();
    await database.drop();
  }
}

const columns = ['tools', 'calls', 'accepted', 'refused', ...VIOLATIONS, 'slowestMs'] as const;
console.log(`\n| dialect | ${columns.join(' | ')} |`);
console.log(`|---|${columns.map(() => '---:').join('|')}|`);
for (const [dialect, counts] of results) {
  console.log(
    `| ${dialect} | ${columns.map((c) => (c === 'slowestMs' ? counts[c].toFixed(0) : counts[c])).join(' | ')} |`,
  );
}
const findings = results.flatMap(([dialect, counts]) => counts.findings.map((f) => `${dialect}: ${f}`));
for (const line of findings) console.log(`- ${line}`);
const violated = results.some(([, counts]) => VIOLATIONS.some((name) => counts[name] > 0));
console.log(
  violated ? '\nFAILED: see the findings above (re-run with --seed to reproduce).' : '\nno violations',
);
process.exit(violated ? 1 : 0);

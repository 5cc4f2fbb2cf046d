/**
 * The hot statements use their indexes: every statement the Today Panel, the lists and the
 * common writes run is recorded as it executes, then explained by the database itself, and the
 * test fails on a full scan or a sort of a table that grows with the workstream.
 *
 * SQLite: `EXPLAIN QUERY PLAN`, with the statistics of ANALYZE over a few thousand rows; a
 * `SCAN` of a large table or a `TEMP B-TREE` fails. PostgreSQL: `EXPLAIN (FORMAT JSON)` after
 * ANALYZE, run (`EXPLAIN ANALYZE`, rolled back) with `enable_seqscan` and `enable_sort` off so that on tables this small the planner
 * still picks an index when one serves the statement — a `Seq Scan` of a large table or any
 * `Sort` left in the plan means no index does.
 */
import {
  CompiledQuery,
  createQueryId,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type UnknownRow,
} from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { Store } from '../../src/store/connect.js';
import type { Workstream } from '../../src/workstream/workstream.js';
import { addBulkWork } from '../support/bulk.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

/** Tables that stay small whatever the workstream's size (configuration and people). */
const SMALL = new Set([
  'orgs',
  'members',
  'api_tokens',
  'sla_policies',
  'business_calendars',
  'webhook_endpoints',
  'checklist_templates',
  'checklist_template_items',
  // Two rows per member (their counts of open candidates and pursuits).
  'today_counts',
]);

/**
 * A sort is allowed only over the rows of a page's records: a statement that picks its rows by
 * a list of ids (`entity_id in (…)`, bounded by the page size) and sorts those few.
 */
const PAGE_OF_IDS = /"\w*id" in \(\?|"\w*id" in \(\$/;

/** `"table" as "alias"` pairs of a statement, so a plan line naming an alias names its table. */
function aliases(statement: string): Map<string, string> {
  return new Map([...statement.matchAll(/"(\w+)" as "(\w+)"/g)].map((m) => [m[2] ?? '', m[1] ?? '']));
}

/** Keeps every statement that runs while `on`, as Kysely is about to compile it. */
class Recorder implements KyselyPlugin {
  on = false;
  readonly nodes: RootOperationNode[] = [];
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (this.on) this.nodes.push(node);
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

type Plan = { readonly statement: string; readonly problems: string[] };

/** More rows than a page of any view: a hot statement that reads this many scales with the data. */
const MANY_ROWS = 200;

async function explainSqlite(store: Store, query: CompiledQuery): Promise<string[]> {
  const result = await store.db.executeQuery<{ detail: string }>(
    CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
  );
  const problems: string[] = [];
  const names = aliases(query.sql);
  const limited = /\blimit\b/i.test(query.sql);
  for (const { detail } of result.rows) {
    const scan = /^SCAN (\w+)/.exec(detail);
    const table = names.get(scan?.[1] ?? '') ?? scan?.[1] ?? '';
    if (scan && !SMALL.has(table) && !/CONSTANT ROW|VALUES CLAUSE/.test(detail)) problems.push(detail);
    if (/TEMP B-TREE/.test(detail) && !PAGE_OF_IDS.test(query.sql)) problems.push(detail);
    // An index that narrows to many rows is a scan by another name, unless the statement reads
    // in the index's order and stops at a page (LIMIT): ANALYZE's statistics say how many.
    const search = /^SEARCH (\w+) USING (?:COVERING )?INDEX (\w+) \(([^)]*)\)/.exec(detail);
    if (search && !limited) {
      const [, , index = '', bound = ''] = search;
      const terms = bound.split(' AND ');
      const leading = terms.findIndex((term) => !/^\w+=\?$/.test(term));
      const equalities = leading === -1 ? terms.length : leading;
      const stat = await store.db.executeQuery<{ stat: string }>(
        CompiledQuery.raw('select stat from sqlite_stat1 where idx = ?', [index]),
      );
      const rows = Number(stat.rows[0]?.stat.split(' ')[equalities] ?? 0);
      if (rows > MANY_ROWS) problems.push(`${detail}: about ${rows} rows a lookup`);
    }
  }
  return problems;
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgNode[];
}

function pgProblems(node: PgNode, statement: string, problems: string[]): string[] {
  const relation = node['Relation Name'];
  if (node['Node Type'] === 'Seq Scan' && relation && !SMALL.has(relation))
    problems.push(`Seq Scan on ${relation}`);
  if (/Sort/.test(node['Node Type']) && !PAGE_OF_IDS.test(statement)) problems.push(node['Node Type']);
  // What a scan node really read (the statement ran, then rolled back): rows kept plus rows
  // its filter threw away, over all its loops.
  if (relation && !SMALL.has(relation)) {
    const loops = node['Actual Loops'] ?? 1;
    const read =
      ((node['Actual Rows'] ?? 0) +
        (node['Rows Removed by Filter'] ?? 0) +
        (node['Rows Removed by Index Recheck'] ?? 0)) *
      loops;
    if (read > MANY_ROWS) problems.push(`${node['Node Type']} on ${relation} read ${read} rows`);
  }
  // An index read without a condition on its leading column walks the whole index.
  // (A statement that stops at a page may walk an index in its order: the rows it read count.)
  const index = node['Index Name'];
  const large = (tableRows.get(relation ?? '') ?? 0) > MANY_ROWS;
  if (index && relation && large && !SMALL.has(relation) && !/\blimit\b/i.test(statement)) {
    const leading = leadingColumns.get(index);
    if (!leading || !new RegExp(`\\b${leading}\\b`).test(node['Index Cond'] ?? ''))
      problems.push(`${node['Node Type']} on ${index} without its leading column ${leading}`);
  }
  for (const child of node.Plans ?? []) pgProblems(child, statement, problems);
  return problems;
}

/** Each PostgreSQL index's first column, read from the catalog before the plans are checked. */
const leadingColumns = new Map<string, string>();
/** Each table's size as ANALYZE counted it: the bulk work fills the ones that grow. */
const tableRows = new Map<string, number>();

describeEachDialect('the hot statements', ({ dialect, store }) => {
  if (dialect === 'mssql') return;
  let org: TestOrg;
  let ws: Workstream;
  const recorder = new Recorder();
  const recorded = new Map<string, RootOperationNode[]>();
  let candidateId = '';
  let otherId = '';
  let promotedId = '';

  /** Runs a command with the recorder on, keeping its statements under `label`. */
  async function record<T>(label: string, work: () => Promise<T>): Promise<T> {
    recorder.nodes.length = 0;
    recorder.on = true;
    try {
      return await work();
    } finally {
      recorder.on = false;
      recorded.set(label, [...recorder.nodes]);
    }
  }

  beforeAll(async () => {
    org = await testOrg(store());
    const { memberId: other } = await org.ws.addMember({
      orgId: org.orgId,
      email: 'other@plans.test',
      name: 'Other',
    });
    await org.ws.addMember({ orgId: org.orgId, email: 'quiet@plans.test', name: 'Quiet' });
    await addBulkWork(store(), {
      orgId: org.orgId,
      members: [org.actor.memberId, other],
      count: 4000,
      now: org.clock.now(),
    });
    const { createWorkstream } = await import('../../src/workstream/workstream.js');
    ws = createWorkstream({ ...store(), db: store().db.withPlugin(recorder) }, org.clock);
    const actor = org.actor;

    const fresh = await ws.createCandidate(actor, { title: 'Plan', accountName: 'Plan Inc', assignee: 'me' });
    candidateId = fresh.id;
    const second = await ws.createCandidate(actor, {
      title: 'Plan 2',
      accountName: 'Plan 2 Inc',
      assignee: 'me',
    });
    otherId = second.id;

    const first = await record('get_today_panel', () => ws.getTodayPanel(actor, {}));
    await record('get_today_panel page 2', () =>
      ws.getTodayPanel(actor, { cursor: first.nextCursor ?? undefined }),
    );
    await record('get_today_panel kind', () => ws.getTodayPanel(actor, { kind: 'pursuit' }));
    await record('list_candidates', () => ws.listCandidates(actor, {}));
    await record('list_candidates assignee', () => ws.listCandidates(actor, { assignee: 'me' }));
    await record('list_candidates state', () => ws.listCandidates(actor, { state: 'new' }));
    await record('list_pursuits assignee', () => ws.listPursuits(actor, { assignee: 'me' }));
    await record('list_sla_breaches', () => ws.listSlaBreaches(actor, {}));
    await record('list_sla_breaches assignee', () => ws.listSlaBreaches(actor, { assignee: 'me' }));
    // A member with no work: a filter applied after reading the org's rows would read them all.
    const quiet = 'quiet@plans.test';
    await record('list_sla_breaches other assignee', () => ws.listSlaBreaches(actor, { assignee: quiet }));
    await record('list_candidates other assignee', () => ws.listCandidates(actor, { assignee: quiet }));
    await record('get_today_panel other assignee', () => ws.getTodayPanel(actor, { assignee: quiet }));
    await record('get_candidate', () => ws.getCandidate(actor, { candidateId }));
    await record('update_candidate (retarget)', () =>
      ws.updateCandidate(actor, { candidateId, priority: 'urgent' }),
    );
    await record('log_touch (meet)', () => ws.logTouch(actor, { candidateId, kind: 'call', summary: 'Hi' }));
    await record('disqualify_candidate (cancel)', () =>
      ws.disqualifyCandidate(actor, { candidateId: otherId, reason: 'no_budget' }),
    );
    await ws.qualifyCandidate(actor, { candidateId });
    const promoted = await record('promote_candidate (start)', () =>
      ws.promoteCandidate(actor, { candidateId }),
    );
    promotedId = promoted.pursuit.id;
    await record('hold_pursuit (pause)', () =>
      ws.holdPursuit(actor, { pursuitId: promotedId, reason: 'Waiting for the buyer' }),
    );
    await record('resume_pursuit (open)', () => ws.resumePursuit(actor, { pursuitId: promotedId }));
  });

  async function plans(label: string): Promise<Plan[]> {
    const executor = store().db.getExecutor();
    const out: Plan[] = [];
    const nodes = recorded.get(label) ?? [];
    expect(nodes.length).toBeGreaterThan(0);
    await store()
      .db.connection()
      .execute(async (db) => {
        if (dialect === 'postgres') {
          const indexes = await sql<{ index: string; column: string }>`
            select i.relname as index, a.attname as column from pg_class i
            join pg_index x on x.indexrelid = i.oid
            join pg_attribute a on a.attrelid = x.indrelid and a.attnum = x.indkey[0]
            where i.relkind = 'i'`.execute(db);
          for (const row of indexes.rows) leadingColumns.set(row.index, row.column);
          const sizes = await sql<{ table: string; rows: number }>`
            select relname as table, reltuples as rows from pg_class where relkind = 'r'`.execute(db);
          for (const row of sizes.rows) tableRows.set(row.table, Number(row.rows));
          await sql`begin`.execute(db);
          await sql`set local enable_seqscan = off`.execute(db);
        }
        try {
          for (const node of nodes) {
            const query = executor.compileQuery(node, createQueryId());
            if (!/^\s*(select|update|delete|insert|with)/i.test(query.sql)) continue;
            let problems: string[];
            if (dialect === 'sqlite') {
              problems = await explainSqlite({ ...store(), db }, query);
            } else {
              // EXPLAIN ANALYZE runs the statement: inside a savepoint rolled back at once. An
              // insert of values reads nothing and would collide with the row it wrote: plan only.
              const analyze = !/^\s*insert/i.test(query.sql);
              // A page's few rows sort in memory; forbidding that would only pick a worse index.
              const sorts = PAGE_OF_IDS.test(query.sql) ? 'on' : 'off';
              await sql`savepoint plan`.execute(db);
              await sql.raw(`set local enable_sort = ${sorts}`).execute(db);
              const result = await db.executeQuery<{ 'QUERY PLAN': { Plan: PgNode }[] }>(
                CompiledQuery.raw(`explain (${analyze ? 'analyze, ' : ''}format json) ${query.sql}`, [
                  ...query.parameters,
                ]),
              );
              await sql`rollback to savepoint plan`.execute(db);
              const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
              problems = plan ? pgProblems(plan, query.sql, []) : ['no plan'];
            }
            out.push({ statement: query.sql.replace(/\s+/g, ' ').slice(0, 240), problems });
          }
        } finally {
          if (dialect === 'postgres') await sql`rollback`.execute(db);
        }
      });
    return out;
  }

  for (const label of [
    'get_today_panel',
    'get_today_panel page 2',
    'get_today_panel kind',
    'list_candidates',
    'list_candidates assignee',
    'list_candidates state',
    'list_pursuits assignee',
    'list_sla_breaches',
    'list_sla_breaches assignee',
    'list_sla_breaches other assignee',
    'list_candidates other assignee',
    'get_today_panel other assignee',
    'get_candidate',
    'update_candidate (retarget)',
    'log_touch (meet)',
    'disqualify_candidate (cancel)',
    'promote_candidate (start)',
    'hold_pursuit (pause)',
    'resume_pursuit (open)',
  ]) {
    it(`${label}: no full scan and no sort of a large table`, async () => {
      const found = (await plans(label)).filter((plan) => plan.problems.length > 0);
      expect(found).toEqual([]);
    });
  }
});

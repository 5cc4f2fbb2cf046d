/**
 * A command's access (query or change) is the one statement of whether it reads: the unit of
 * work takes it from the command, so a viewer runs every query and no change.
 */
import { beforeAll, expect, it } from 'vitest';
import { toolLevel } from '../../src/access/levels.js';
import { WorkstreamError } from '../../src/domain/errors.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { execute } from '../../src/workstream/command.js';
import { COMMANDS } from '../../src/workstream/commands.js';
import type { Actor } from '../../src/workstream/deps.js';
import { describeEachDialect } from '../support/databases.js';
import { refusal, type TestOrg, testOrg } from '../support/workstream.js';

/** Queries open to every member whose arguments are all optional: `{}` reaches the unit of work. */
const ARGUMENT_FREE = ALL_TOOLS.filter(
  (tool) =>
    tool.command.access === 'read' && toolLevel(tool) !== 'admin' && tool.command.input.safeParse({}).success,
);

describeEachDialect('command access', ({ store }) => {
  let org: TestOrg;
  let viewer: Actor;
  beforeAll(async () => {
    org = await testOrg(store());
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `viewer-${org.orgId}@example.com`,
      name: 'Vera Viewer',
      role: 'viewer',
    });
    viewer = { orgId: org.orgId, memberId };
  });

  it('covers the queries it reads', () => {
    expect(ARGUMENT_FREE.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['list_candidates', 'get_today_panel', 'get_sla_policies', 'get_funnel']),
    );
  });

  it.each(ARGUMENT_FREE.map((tool) => [tool.name, tool] as const))(
    'lets a viewer run %s, a query',
    async (_, tool) => {
      const outcome = await execute(tool.command, org.ws.deps, viewer, {}).catch((error: unknown) => error);
      if (outcome instanceof WorkstreamError) expect(outcome.failure.code).not.toBe('FORBIDDEN');
      else expect(outcome).toBeTypeOf('object');
    },
  );

  it('refuses the same query to a viewer when it is run as a change', async () => {
    const asChange = { ...COMMANDS.listCandidates, access: 'write' as const };
    expect(await refusal(execute(asChange, org.ws.deps, viewer, {}))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a viewer every change', async () => {
    expect(
      await refusal(org.ws.createCandidate(viewer, { title: 'Nope', accountName: 'Viewer Co' })),
    ).toMatchObject({ code: 'FORBIDDEN' });
  });
});

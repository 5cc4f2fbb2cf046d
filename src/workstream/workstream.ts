/**
 * The workstream as one object for code that is not a tool (resources, prompts, the CLI, the
 * demo, tests): a method per command of ./commands.ts, derived from the table so nothing is
 * written twice, each parsing its arguments once with the command's schema. Tools call their
 * command directly (src/tools/define.ts).
 */
import type { z } from 'zod';
import { type Clock, systemClock } from '../domain/clock.js';
import type { ChangeFeed } from '../live/feed.js';
import type { Store } from '../store/connect.js';
import type { Command } from './command.js';
import { execute } from './command.js';
import { COMMANDS } from './commands.js';
import type { Actor, Deps, EnrichmentProviderRef } from './deps.js';
import * as orgs from './orgs.js';
import { sweepSlas } from './sla-sweep.js';
import type { WebhookAddressPolicy } from './webhook-addresses.js';

export type { Actor } from './deps.js';

type Method<C> =
  C extends Command<infer I, infer O> ? (actor: Actor, input?: z.input<I>) => Promise<z.output<O>> : never;

export type Workstream = { readonly [K in keyof typeof COMMANDS]: Method<(typeof COMMANDS)[K]> } & {
  readonly deps: Deps;
  /** Administration, not scoped to a caller. */
  createOrg(input: z.input<typeof orgs.CreateOrg>): Promise<orgs.OrgCreated>;
  /** The CLI passes what the operator typed; the schema refuses a bad role naming the field. */
  addMember(input: unknown): Promise<{ memberId: string }>;
  /** The worker's duty: warnings and breaches whose time has come, each emitted once. */
  sweepSlas: (batchSize?: number) => ReturnType<typeof sweepSlas>;
};

export function createWorkstream(
  store: Store,
  clock: Clock = systemClock,
  options: {
    enrichmentProviders?: readonly EnrichmentProviderRef[];
    webhookAddresses?: WebhookAddressPolicy;
    /** Where committed changes are published for live views (src/live/feed.ts). */
    feed?: ChangeFeed;
  } = {},
): Workstream {
  const deps: Deps = { store, clock, ...options, enrichmentProviders: options.enrichmentProviders ?? [] };
  const methods = Object.fromEntries(
    Object.entries(COMMANDS).map(([name, command]) => [
      name,
      (actor: Actor, input: unknown = {}) => execute(command as Command, deps, actor, input),
    ]),
  );
  return {
    // Object.entries loses each entry's own types; Method<> above states them, one per command.
    ...(methods as { [K in keyof typeof COMMANDS]: Method<(typeof COMMANDS)[K]> }),
    deps,
    createOrg: (input) => orgs.createOrg(deps, input),
    addMember: (input) => orgs.addMember(deps, input),
    sweepSlas: (batchSize) => sweepSlas(deps, batchSize),
  };
}

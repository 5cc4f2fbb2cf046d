/** What every command is given: the store, the clock, and who is calling. */
import type { Transaction } from 'kysely';
import type { Clock } from '../domain/clock.js';
import type { ChangeFeed } from '../live/feed.js';
import type { Store } from '../store/connect.js';
import type { Database } from '../store/schema.js';
import type { WebhookAddressPolicy } from './webhook-addresses.js';

/** Who is calling: every command and query is scoped to the caller's organization. */
export interface Actor {
  readonly orgId: string;
  readonly memberId: string;
}

/** An enrichment provider as the lifecycle needs to know it: by name, and the tool it calls. */
export interface EnrichmentProviderRef {
  readonly name: string;
  readonly tool: string;
}

export interface Deps {
  readonly store: Store;
  readonly clock: Clock;
  /** Providers that enrich every new candidate (the worker calls them); none by default. */
  readonly enrichmentProviders?: readonly EnrichmentProviderRef[];
  /** Where webhooks may point; public HTTPS addresses only by default. */
  readonly webhookAddresses?: WebhookAddressPolicy;
  /**
   * The access of the command being run, set by `execute` from the command itself: a `read` runs
   * read-only (viewers allowed, no write lock, READ ONLY on PostgreSQL).
   */
  readonly access?: 'read' | 'write';
  /** Where committed changes are published for live views (src/live/feed.ts); none by default. */
  readonly feed?: ChangeFeed;
  /**
   * A rehearsal: the command runs to its answer inside its transaction, which is then rolled
   * back, so the answer says what the call would do and nothing is written (src/tools/confirm.ts
   * previews a destructive call with it before asking the user).
   */
  readonly rehearse?: boolean;
}

/** The transaction a command runs in. */
export type Db = Transaction<Database>;

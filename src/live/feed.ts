/**
 * The change feed: what a committed change touched, for whoever shows it live (resource
 * subscriptions, the /today page). One `Change` per entity a unit of work, the SLA sweep or the
 * worker changed, with the members whose Today Panel may show it. Which resources a change
 * updates is decided in one place, `resourcesChanged`, so notifications and pages agree.
 *
 * The in-process feed serves one process (the embedded database, tests); other processes' changes
 * reach it through a relay (PostgreSQL LISTEN/NOTIFY, or polling the events high-water mark),
 * which publishes into the same feed.
 */

export type ChangeSource = 'command' | 'sweep' | 'worker';

export interface Change {
  readonly orgId: string;
  readonly entityType: 'signal' | 'candidate' | 'pursuit';
  readonly entityId: string;
  /** Members whose Today Panel may show the entity: its assignee before and after the change. */
  readonly members: readonly string[];
  /** True when an SLA clock of the entity breached, was met or was re-targeted. */
  readonly clocks: boolean;
  readonly source: ChangeSource;
}

export interface ChangeFeed {
  /** Calls `listener` with every change in `orgId` from now on; answers the unsubscribe. */
  subscribe(orgId: string, listener: (change: Change) => void): () => void;
  /** Hands changes to this org's listeners (after their transaction committed). */
  publish(changes: readonly Change[]): void;
  /**
   * The ids of the events behind changes this process is committing (told inside the
   * transaction, before `publish`): a polling relay skips them when it reads them back, since
   * the feed hears of them from the writer. Feeds without such a relay need not keep them.
   */
  ownEvents?(eventIds: readonly string[]): void;
  close(): Promise<void>;
}

/** A feed within one process: listeners per org, each called after the publishing turn. */
export function inProcessFeed(): ChangeFeed {
  const listeners = new Map<string, Set<(change: Change) => void>>();
  let closed = false;
  return {
    subscribe(orgId, listener) {
      if (closed) return () => {};
      const set = listeners.get(orgId) ?? new Set();
      listeners.set(orgId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(orgId) === set) listeners.delete(orgId);
      };
    },
    publish(changes) {
      if (closed || changes.length === 0) return;
      // A listener never runs inside the publisher's call stack (nor can its failure reach it).
      queueMicrotask(() => {
        for (const change of changes)
          for (const listener of listeners.get(change.orgId) ?? []) {
            try {
              listener(change);
            } catch {
              // One listener's failure is its own; the others still hear of the change.
            }
          }
      });
    },
    async close() {
      closed = true;
      listeners.clear();
    },
  };
}

/** The resource a change can update, by kind; URIs with a query match their bare kind. */
export type Watched =
  | { readonly kind: 'today'; readonly memberId: string }
  | { readonly kind: 'entity'; readonly entityType: Change['entityType']; readonly entityId: string }
  | { readonly kind: 'breaches' };

const ENTITY_HOSTS: Record<string, Change['entityType']> = {
  signals: 'signal',
  candidates: 'candidate',
  pursuits: 'pursuit',
};

/**
 * What a subscribed URI watches, for the member who reads it (a Today Panel with ?assignee= is
 * still that member's subscription: any change of the member's items may move it), or null
 * for a URI nothing in the feed changes.
 */
export function watchedBy(uri: string, memberId: string): Watched | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol !== 'workstream:') return null;
  if (url.host === 'today' && (url.pathname === '' || url.pathname === '/'))
    return { kind: 'today', memberId };
  if (url.host === 'sla' && url.pathname === '/breaches') return { kind: 'breaches' };
  const entityType = ENTITY_HOSTS[url.host];
  const id = url.pathname.replace(/^\//, '');
  if (entityType && id !== '' && !id.includes('/'))
    return { kind: 'entity', entityType, entityId: decodeURIComponent(id) };
  return null;
}

/** Whether `change` updates what `watched` shows: the one rule notifications and the page share. */
export function resourcesChanged(watched: Watched, change: Change): boolean {
  switch (watched.kind) {
    case 'today':
      return change.entityType !== 'signal' && change.members.includes(watched.memberId);
    case 'entity':
      return watched.entityType === change.entityType && watched.entityId === change.entityId;
    case 'breaches':
      return change.clocks;
  }
}

/**
 * Waits for the next change `watched` shows in `orgId` (`resourcesChanged`), at most `ms`:
 * true when one came, false when the time ran out. Without a feed nothing can say, so it waits
 * the whole time. A live view (the MCP App) reads its resource again when this answers.
 */
export function nextChange(
  feed: ChangeFeed | undefined,
  orgId: string,
  watched: Watched,
  ms: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(false);
    }, ms);
    unsubscribe =
      feed?.subscribe(orgId, (change) => {
        if (!resourcesChanged(watched, change)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(true);
      }) ?? unsubscribe;
  });
}

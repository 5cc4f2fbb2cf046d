import type { Access } from '../access/levels.js';
import type { Logger } from '../log.js';
import type { Actor, Workstream } from '../workstream/workstream.js';

/** What one MCP server instance serves: the workstream, for one caller. */
export interface Caller {
  readonly workstream: Workstream;
  readonly actor: Actor;
  readonly log: Logger;
  /** The caller's role and token scopes; they decide which tools `tools/list` shows. */
  readonly access?: Access;
}

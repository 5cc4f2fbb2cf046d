/** Every tool, and the selection a server exposes (`--toolsets`, `--read-only`). */

import { ACCESS_TOOLS } from './access.js';
import { ANALYTICS_TOOLS } from './analytics.js';
import { CANDIDATE_TOOLS } from './candidates.js';
import type { Tool } from './define.js';
import { FIELD_TOOLS } from './fields.js';
import { PEOPLE_TOOLS } from './people.js';
import { PROCESS_TOOLS } from './process.js';
import { PURSUIT_TOOLS } from './pursuits.js';
import { READ_TOOLS } from './reads.js';
import { SIGNAL_TOOLS } from './signals.js';
import { SLA_TOOLS } from './slas.js';
import { DEFAULT_TOOLSETS, type Toolset } from './toolsets.js';
import { WEBHOOK_TOOLS } from './webhooks.js';

export type { Tool } from './define.js';
export { DEFAULT_TOOLSETS, TOOLSETS, type Toolset } from './toolsets.js';

export const ALL_TOOLS: readonly Tool[] = [
  ...SIGNAL_TOOLS,
  ...CANDIDATE_TOOLS,
  ...PURSUIT_TOOLS,
  ...WEBHOOK_TOOLS,
  ...READ_TOOLS,
  ...PEOPLE_TOOLS,
  ...SLA_TOOLS,
  ...FIELD_TOOLS,
  ...ACCESS_TOOLS,
  ...ANALYTICS_TOOLS,
  ...PROCESS_TOOLS,
];

export interface ToolSelection {
  /** Default: DEFAULT_TOOLSETS (every toolset but analytics). */
  readonly toolsets?: readonly Toolset[];
  /** Only tools that change nothing. */
  readonly readOnly?: boolean;
}

export function selectTools(selection: ToolSelection = {}): Tool[] {
  const toolsets = new Set(selection.toolsets ?? DEFAULT_TOOLSETS);
  return ALL_TOOLS.filter(
    (tool) => toolsets.has(tool.toolset) && (!selection.readOnly || tool.annotations.readOnlyHint),
  );
}

/** The README's tool list: one line per tool. */
export function toolsTable(): string {
  const rows = ALL_TOOLS.map((tool) => {
    const { readOnlyHint, destructiveHint, idempotentHint, openWorldHint } = tool.annotations;
    const kind = [
      readOnlyHint ? 'read' : 'write',
      !readOnlyHint && idempotentHint && 'retry-safe',
      destructiveHint && 'destructive',
      openWorldHint && 'open world',
    ]
      .filter(Boolean)
      .join(', ');
    return `| \`${tool.name}\` | ${tool.toolset} | ${kind} | ${tool.summary} |`;
  });
  return ['| tool | toolset | kind | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

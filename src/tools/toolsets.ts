/** The groups tools are exposed in (`--toolsets`); a small module so configuration can name them. */
export const TOOLSETS = [
  'signals',
  'candidates',
  'pursuits',
  'views',
  'webhooks',
  'slas',
  'access',
  'analytics',
  'fields',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

/**
 * What a server exposes unless told otherwise: every toolset but analytics. The analytics tools
 * define every figure in their output schemas, about 23 KB of tools/list; an organization that
 * wants them names them (`--toolsets …,analytics`), and the default catalog stays within its
 * 48 KB budget (test/mcp/catalog.test.ts). Custom fields (`fields`) are named the same way for now:
 * the default catalog has no room left for their 2.5 KB.
 */
export const DEFAULT_TOOLSETS: readonly Toolset[] = TOOLSETS.filter(
  (toolset) => toolset !== 'analytics' && toolset !== 'fields',
);

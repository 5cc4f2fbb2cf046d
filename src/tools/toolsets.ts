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
  'process',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

/**
 * What a server exposes unless told otherwise: every toolset but analytics. The analytics tools
 * define every figure in their output schemas, about 23 KB of tools/list; an organization that
 * wants them names them (`--toolsets …,analytics`), and the default catalog stays within its
 * 48 KB budget (test/mcp/catalog.test.ts).
 */
export const DEFAULT_TOOLSETS: readonly Toolset[] = TOOLSETS.filter(
  (toolset) => toolset !== 'analytics' && toolset !== 'process',
);

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
 * cost about 10 KB of tools/list even with their figure definitions moved to a resource
 * (workstream://analytics/definitions), and every toolset together is about 58 KB; an
 * organization that wants them names them (`--toolsets …,analytics`), and the default catalog
 * stays within its 48 KB budget (test/mcp/catalog.test.ts; bench/catalog.ts prints both).
 */
export const DEFAULT_TOOLSETS: readonly Toolset[] = TOOLSETS.filter(
  (toolset) => toolset !== 'analytics' && toolset !== 'process',
);

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
  'fields',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

/**
 * What a server exposes unless told otherwise: every toolset but the opt-in ones. The analytics
 * tools cost about 10 KB of tools/list even with their figure definitions moved to a resource
 * (workstream://analytics/definitions), and every toolset together is about 67 KB; an
 * organization that wants them names them (`--toolsets …,analytics`), and the default catalog
 * stays within its 48 KB budget (test/mcp/catalog.test.ts; bench/catalog.ts prints both). The
 * administrators' process configuration (`process`) and custom field tools (`fields`) are named
 * the same way: they are set up once, not used in every conversation.
 */
export const OPT_IN_TOOLSETS: readonly Toolset[] = ['analytics', 'process', 'fields'];
export const DEFAULT_TOOLSETS: readonly Toolset[] = TOOLSETS.filter(
  (toolset) => !OPT_IN_TOOLSETS.includes(toolset),
);

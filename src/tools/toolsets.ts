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
 * tools (about 4 KB of tools/list, their definitions in workstream://analytics/definitions), the
 * administrators' process configuration (`process`) and custom field tools (`fields`) are named
 * when wanted (`--toolsets …,analytics`): they are set up once or read now and then, not used in
 * every conversation. The default list costs about 37 KB and every toolset together stays within
 * the same 48 KB budget (test/mcp/catalog.test.ts; bench/catalog.ts prints both).
 */
export const OPT_IN_TOOLSETS: readonly Toolset[] = ['analytics', 'process', 'fields'];
export const DEFAULT_TOOLSETS: readonly Toolset[] = TOOLSETS.filter(
  (toolset) => !OPT_IN_TOOLSETS.includes(toolset),
);

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
] as const;
export type Toolset = (typeof TOOLSETS)[number];

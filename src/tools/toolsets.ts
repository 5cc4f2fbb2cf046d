/** The groups tools are exposed in (`--toolsets`); a small module so configuration can name them. */
export const TOOLSETS = ['signals', 'candidates', 'pursuits', 'views', 'webhooks', 'slas', 'access'] as const;
export type Toolset = (typeof TOOLSETS)[number];

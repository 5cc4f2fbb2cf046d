/**
 * Icons. MCP has no toolset object: a tool carries its own `icons` (spec Tool.icons), so a
 * toolset's icon is carried by each of its tools. Two ways to send one, and what each costs:
 * - a data: URI (the spec allows a data: URI of Base64 image data) holds the image in every
 *   message that names it: ~200 bytes for the smallest SVG, ~11 KB for 58 tools — a quarter of
 *   the 48 KB tools/list budget. The server's one icon travels that way, once, in serverInfo.
 * - an https URL the host fetches (once, and caches) costs the URL: ~60 bytes a tool. The HTTP
 *   server serves each toolset's SVG at /icons/<toolset>.svg on its own origin (the spec asks
 *   hosts to prefer icons from the server's domain), so tools carry icons when the server knows
 *   the URL clients reach it by (WORKSTREAM_PUBLIC_URL); over stdio there is no such URL and
 *   tools carry none.
 */
import type { Toolset } from './toolsets.js';

const svg = (color: string, glyph: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="${color}"/><g fill="none" stroke="#fff" stroke-width="1.5" stroke-linecap="round">${glyph}</g></svg>`;

/** One small SVG per toolset: a white glyph on the toolset's colour. */
export const TOOLSET_ICONS: Readonly<Record<Toolset, string>> = {
  signals: svg(
    '#0e7490',
    '<path d="M4 12a6 6 0 0 1 8-8M6.5 12a3.5 3.5 0 0 1 5.5-5.5"/><circle cx="11" cy="5" r=".8"/>',
  ),
  candidates: svg('#1d4ed8', '<circle cx="8" cy="6" r="2.5"/><path d="M3.5 13a4.5 4.5 0 0 1 9 0"/>'),
  pursuits: svg('#7c3aed', '<circle cx="8" cy="8" r="5"/><circle cx="8" cy="8" r="2"/>'),
  views: svg(
    '#334155',
    '<path d="M2.5 8s2-4 5.5-4 5.5 4 5.5 4-2 4-5.5 4-5.5-4-5.5-4z"/><circle cx="8" cy="8" r="1.5"/>',
  ),
  webhooks: svg('#475569', '<path d="M6 10 4 13M10 10l2 3M8 4v5"/><circle cx="8" cy="4" r="1.5"/>'),
  slas: svg('#b45309', '<circle cx="8" cy="8" r="5"/><path d="M8 5v3l2 1.5"/>'),
  access: svg(
    '#be123c',
    '<rect x="4" y="7.5" width="8" height="5.5" rx="1"/><path d="M5.5 7.5V6a2.5 2.5 0 0 1 5 0v1.5"/>',
  ),
  analytics: svg('#15803d', '<path d="M4 12V9M8 12V4M12 12V7"/>'),
  process: svg('#a21caf', '<path d="M4 5h8M4 8h8M4 11h5"/><path d="m10.5 11 1 1 2-2"/>'),
  fields: svg(
    '#0f766e',
    '<rect x="3" y="4" width="10" height="3" rx=".5"/><rect x="3" y="9" width="10" height="3" rx=".5"/>',
  ),
};

/** Where the HTTP server serves a toolset's icon. */
export function toolsetIconPath(toolset: Toolset): string {
  return `/icons/${toolset}.svg`;
}

/** A tool's icons: its toolset's, from the server's public origin, or none without one. */
export function toolIcons(toolset: Toolset, publicUrl: string | undefined): { src: string }[] | undefined {
  return publicUrl ? [{ src: new URL(toolsetIconPath(toolset), publicUrl).href }] : undefined;
}

const SERVER_SVG =
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'><rect width='8' height='8' rx='2' fill='#1e3a8a'/><path d='M2 6V4M4 6V2M6 6V3' stroke='#fff'/></svg>";

/**
 * The server's icon: a bar chart on a blue rounded square, a data: URI of Base64 SVG (the form
 * the spec names for data: icons), sent once in serverInfo.
 */
export const SERVER_ICON = {
  src: `data:image/svg+xml;base64,${Buffer.from(SERVER_SVG).toString('base64')}`,
  mimeType: 'image/svg+xml',
  sizes: ['any'],
};

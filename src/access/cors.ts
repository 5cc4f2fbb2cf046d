/**
 * CORS for browser-based MCP clients. An origin that passed the Origin check gets its preflight
 * (`OPTIONS /mcp`) answered `204` with the methods and headers MCP uses, before any token is
 * asked for (browsers send none on a preflight); its other responses carry
 * Access-Control-Allow-Origin and expose the MCP response headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const METHODS = 'GET, POST, DELETE, OPTIONS';
const HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'last-event-id',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
].join(', ');
const EXPOSED = 'mcp-session-id, mcp-protocol-version, www-authenticate, retry-after';
const MAX_AGE_SECONDS = '600';

/** Sets the CORS headers for an allowed origin; the request's Origin header, or nothing. */
export function allowOrigin(req: IncomingMessage, res: ServerResponse): string | null {
  const origin = req.headers.origin;
  if (!origin) return null;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', EXPOSED);
  return origin;
}

/** Answers a CORS preflight: 204 with the allowed methods and headers. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  allowOrigin(req, res);
  // Echo what the browser asks for within the MCP set, so new MCP headers need no release.
  const asked = String(req.headers['access-control-request-headers'] ?? '').toLowerCase();
  const extra = asked
    .split(',')
    .map((header) => header.trim())
    .filter((header) => /^mcp-[a-z0-9-]{1,60}$/.test(header) && !HEADERS.includes(header));
  res.writeHead(204, {
    'access-control-allow-methods': METHODS,
    'access-control-allow-headers': [HEADERS, ...extra].join(', '),
    'access-control-max-age': MAX_AGE_SECONDS,
    'content-length': '0',
  });
  res.end();
}

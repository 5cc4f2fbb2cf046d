/**
 * The Today Panel for people, at /today on `serve --http` (see docs/today.md):
 *
 * - `GET /today/sign-in`, `POST /today/sign-in` (form field `token`): a member's bearer token,
 *   checked by the same gate as /mcp, is exchanged for a session cookie — random, HttpOnly,
 *   SameSite=Strict, Path=/today, Secure when the public URL is https, 8 h. The database keeps
 *   only the SHA-256 of the cookie (`web_sessions`, migration 0013), so every server process knows
 *   the session and a restart keeps it; each request checks again that the session was not ended,
 *   and that the token behind it is not revoked or expired and its member active.
 * - CSRF: SameSite=Strict, an Origin check on every POST (it must be this server's own origin),
 *   and a per-session token, derived from the cookie's value, in forms (`csrf`) and in the
 *   `x-csrf-token` header of script calls.
 * - `GET /today`: the panel (src/apps/today-view.ts, the MCP App view's own HTML in `web` mode)
 *   over `GET /today/panel.json` — the Today Panel command itself, the one source of the order.
 * - `POST /today/touch`: log_touch; `GET /today/pursuits/:id`: a pursuit with its checklists.
 * - `GET /today/events`: server-sent events, `changed` whenever the member's panel changes
 *   (from the change feed when one is given, and by reading the panel again every POLL_MS per
 *   open stream and comparing), and the page re-reads.
 * - `POST /today/sign-out`: ends the session.
 *
 * No or a bad or expired cookie: pages redirect to the sign-in page, JSON answers 401. Bad query
 * parameters are the command's VALIDATION, answered 400 with its message.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { AccessGate } from '../access/gate.js';
import { escapeHtml, todayViewHtml } from '../apps/today-view.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { WorkstreamError } from '../domain/errors.js';
import { type ChangeFeed, resourcesChanged } from '../live/feed.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/connect.js';
import { execute } from '../workstream/command.js';
import { COMMANDS } from '../workstream/commands.js';
import type { Actor } from '../workstream/deps.js';
import type { Workstream } from '../workstream/workstream.js';
import { tokenRefusal } from './auth.js';

export const SESSION_COOKIE = 'workstream_session';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** How often an open event stream reads its member's panel again to see whether it changed. */
export const POLL_MS = 1500;
const HEARTBEAT_MS = 15_000;
const MAX_FORM_BYTES = 16 * 1024;
const PURSUIT_ID = /^pur_[0-9A-HJKMNP-TV-Z]{26}$/;

/** A session as a request holds it: the row of `web_sessions` and the form token of its cookie. */
interface Session {
  readonly actor: Actor;
  readonly tokenId: string | null;
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface TodayWebOptions {
  readonly store: Store;
  readonly workstream: Workstream;
  readonly log: Logger;
  readonly gate: () => AccessGate;
  /** Mark the cookie Secure (the server is reached over https). */
  readonly secure: boolean;
  readonly clock?: Clock | undefined;
  /**
   * The change feed (src/live/feed.ts): a stream sends `changed` as soon as a change of one of
   * its member's items is published. The panel is still read every POLL_MS, which catches what
   * no feed publishes (another process without a relay) and is all there is without a feed.
   */
  readonly feed?: ChangeFeed | undefined;
}

export interface TodayWeb {
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  close(): void;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
/**
 * The form token of a session, derived from its cookie's value: only the browser holding the
 * cookie (HttpOnly, so not even the page's script) and the server it sends it to can know it,
 * and the database, which keeps only the value's digest, cannot give it away.
 */
const csrfOf = (value: string) =>
  createHash('sha256').update(`csrf\u0000${value}`, 'utf8').digest('base64url').slice(0, 32);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function html(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...SECURITY_HEADERS, ...headers });
  res.end(JSON.stringify(body));
}

function redirect(res: ServerResponse, to: string, headers: Record<string, string> = {}) {
  res.writeHead(303, { location: to, ...SECURITY_HEADERS, ...headers });
  res.end();
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Workstream</title>
<style>:root{color-scheme:light dark}body{margin:0;font:16px/1.5 system-ui,sans-serif}main{max-width:48rem;margin:0 auto;padding:1rem}
label{display:block;margin:.5rem 0 .2rem}input,button{font:inherit;padding:.45rem .6rem;min-height:2.4rem;max-width:100%}input[type=password]{width:100%}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}.error{color:#a50e0e;font-weight:600}li{margin:.2rem 0}</style></head>
<body><main>${body}</main></body></html>`;
}

function signInPage(message?: string): string {
  return page(
    'Sign in',
    `<h1>Sign in to Today</h1>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/today/sign-in">
<label for="token">Your access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required aria-describedby="token-help">
<p id="token-help">A member's token (<code>workstream token create</code>, or the one <code>npm start</code> prints).</p>
<button type="submit">Sign in</button>
</form>`,
  );
}

function cookieOf(req: IncomingMessage): string | null {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return null;
}

function readSmallBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(size > MAX_FORM_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

const STATUS: Record<string, number> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  GUARD_FAILED: 409,
  DUPLICATE: 409,
};

export function todayWeb(options: TodayWebOptions): TodayWeb {
  const { store, workstream, log } = options;
  const clock = options.clock ?? systemClock;
  const streams = new Set<() => void>();

  const cookie = (value: string, maxAgeSeconds: number) =>
    `${SESSION_COOKIE}=${value}; Path=/today; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${options.secure ? '; Secure' : ''}`;

  /** The request's own origin: what a same-origin POST carries in Origin. */
  const sameOrigin = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (!origin || !host) return false;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  };

  async function sessionOf(req: IncomingMessage): Promise<{ key: string; session: Session } | null> {
    const value = cookieOf(req);
    if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
    const key = digest(value);
    const row = await store.db
      .selectFrom('web_sessions')
      .select(['org_id', 'member_id', 'token_id', 'expires_at'])
      .where('id', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    const session: Session = {
      actor: { orgId: row.org_id, memberId: row.member_id },
      tokenId: row.token_id,
      csrf: csrfOf(value),
      expiresAt: row.expires_at.getTime(),
    };
    if (!(await stillValid(session))) {
      await endSession(key);
      return null;
    }
    return { key, session };
  }

  /** Within its term, and the token behind it still valid. */
  async function stillValid(session: Session): Promise<boolean> {
    const now = clock.now();
    return session.expiresAt > now.getTime() && (await tokenStillValid(session, now));
  }

  /** The session has not been ended (signed out) by another request, on any server process. */
  async function exists(key: string): Promise<boolean> {
    const row = await store.db
      .selectFrom('web_sessions')
      .select('id')
      .where('id', '=', key)
      .executeTakeFirst();
    return row !== undefined;
  }

  async function endSession(key: string): Promise<void> {
    await store.db.deleteFrom('web_sessions').where('id', '=', key).execute();
  }

  /** The session lasts no longer than its token: revoked, expired or its member removed ends it. */
  async function tokenStillValid(session: Session, now: Date): Promise<boolean> {
    if (session.tokenId === null) return true;
    const row = await store.db
      .selectFrom('api_tokens as t')
      .innerJoin('members as m', 'm.id', 't.member_id')
      .select(['t.id', 't.revoked_at', 't.expires_at', 'm.deactivated_at'])
      .where('t.id', '=', session.tokenId)
      .executeTakeFirst();
    return row !== undefined && tokenRefusal(row, now) === null;
  }

  /** A new session's cookie value; sessions past their term are cleared on the way. */
  async function newSession(
    session: Omit<Session, 'csrf' | 'expiresAt'>,
    expiresAt: number,
  ): Promise<string> {
    const now = clock.now();
    await store.db.deleteFrom('web_sessions').where('expires_at', '<=', now).execute();
    const value = randomBytes(32).toString('base64url');
    await store.db
      .insertInto('web_sessions')
      .values({
        id: digest(value),
        org_id: session.actor.orgId,
        member_id: session.actor.memberId,
        token_id: session.tokenId,
        expires_at: new Date(Math.min(now.getTime() + SESSION_TTL_MS, expiresAt)),
        created_at: now,
      })
      .execute();
    return value;
  }

  const panelArgs = (url: URL): Record<string, unknown> => {
    const args: Record<string, unknown> = {};
    for (const [name, value] of url.searchParams) {
      if (name === 'tags')
        args.tags = value
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
      else if (name === 'limit') args.limit = Number(value);
      else args[name] = value;
    }
    return args;
  };

  function refused(res: ServerResponse, error: unknown, asHtml: boolean) {
    if (!(error instanceof WorkstreamError)) throw error;
    const status = STATUS[error.failure.code] ?? 400;
    const { code, message, nextStep } = error.failure;
    if (asHtml)
      html(
        res,
        status,
        page(
          code,
          `<h1>${escapeHtml(code)}</h1><p role="alert">${escapeHtml(message)}</p><p><a href="/today">Back to Today</a></p>`,
        ),
      );
    else json(res, status, { error: { code, message, nextStep } });
  }

  async function signIn(req: IncomingMessage, res: ServerResponse) {
    if (!sameOrigin(req)) {
      html(res, 403, signInPage('Sign in from this server’s own page (the Origin header did not match).'));
      return;
    }
    const body = await readSmallBody(req);
    const token = body === null ? null : new URLSearchParams(body).get('token')?.trim();
    if (!token) {
      html(res, 400, signInPage('Enter a token.'));
      return;
    }
    const admitted = await options.gate().admit(`Bearer ${token}`);
    if (!admitted.ok) {
      html(res, 401, signInPage('That token was not accepted: it is unknown, revoked or expired.'));
      return;
    }
    const { orgId, memberId, tokenId } = admitted.caller;
    const expiresAt = admitted.auth.expiresAt ? admitted.auth.expiresAt * 1000 : Number.POSITIVE_INFINITY;
    const value = await newSession({ actor: { orgId, memberId }, tokenId }, expiresAt);
    log.info({ access: { kind: 'web_sign_in', orgId, memberId, tokenId } }, 'signed in to /today');
    redirect(res, '/today', { 'set-cookie': cookie(value, Math.floor(SESSION_TTL_MS / 1000)) });
  }

  async function events(req: IncomingMessage, res: ServerResponse, key: string, session: Session) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    let last: string | null = null;
    let busy = false;
    const fingerprint = async () => {
      const panel = await execute(COMMANDS.getTodayPanel, workstream.deps, session.actor, {});
      return JSON.stringify([panel.total, panel.items.map((i) => [i.id, i.version, i.flags])]);
    };
    const check = async () => {
      if (busy) return;
      busy = true;
      try {
        // An open stream also ends when the session was ended elsewhere (signed out on any process).
        if (!(await stillValid(session)) || !(await exists(key))) {
          res.write('event: signed-out\ndata: {}\n\n');
          stop();
          return;
        }
        const now = await fingerprint();
        if (last !== null && now !== last) res.write(`event: changed\ndata: {}\n\n`);
        last = now;
      } catch (error) {
        log.warn({ err: error }, 'the /today event stream could not read the panel');
      } finally {
        busy = false;
      }
    };
    const poll = setInterval(check, POLL_MS);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const watched = { kind: 'today', memberId: session.actor.memberId } as const;
    const unsubscribe =
      options.feed?.subscribe(session.actor.orgId, (change) => {
        if (!resourcesChanged(watched, change)) return;
        res.write('event: changed\ndata: {}\n\n');
        // The poll that follows sees the new panel as the known one, not as another change.
        fingerprint()
          .then((now) => {
            last = now;
          })
          .catch(() => {});
      }) ?? (() => {});
    const stop = () => {
      unsubscribe();
      clearInterval(poll);
      clearInterval(beat);
      streams.delete(stop);
      res.end();
    };
    streams.add(stop);
    req.once('close', stop);
    await check();
  }

  function pursuitPage(p: z.output<typeof COMMANDS.getPursuit.output>): string {
    const lists = p.checklists
      .map(
        (
          c,
        ) => `<section aria-labelledby="cl-${c.kind}"><h2 id="cl-${c.kind}">${escapeHtml(c.kind)} checklist: ${c.completion.done} of ${c.completion.applicable} done</h2>
<ul>${c.items
          .map(
            (item) =>
              `<li><strong>${escapeHtml(item.state)}</strong> ${escapeHtml(item.label)}${item.required ? ' <em>(required)</em>' : ''}${item.note ? ` — ${escapeHtml(item.note)}` : ''}</li>`,
          )
          .join('')}</ul></section>`,
      )
      .join('');
    return page(
      p.title,
      `<p><a href="/today">← Today</a></p><h1>${escapeHtml(p.title)}</h1>
<p>${escapeHtml(p.accountName)} · ${escapeHtml(p.state)} · ${escapeHtml(p.priority)} priority · due ${p.dueAt ? `<time datetime="${p.dueAt}">${escapeHtml(p.dueAt.slice(0, 10))}</time>` : '—'}</p>
${lists || '<p>No checklists yet.</p>'}`,
    );
  }

  async function serve(req: IncomingMessage, res: ServerResponse, path: string) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (path === '/today/sign-in') {
      if (method === 'POST') return signIn(req, res);
      if (method === 'GET' || method === 'HEAD') return html(res, 200, signInPage());
    }
    const found = await sessionOf(req);
    const wantsJson = path === '/today/panel.json' || path === '/today/touch' || path === '/today/events';
    if (!found) {
      if (wantsJson)
        return json(res, 401, {
          error: { code: 'SIGNED_OUT', message: 'No valid session.', nextStep: 'Sign in at /today/sign-in.' },
        });
      return redirect(res, '/today/sign-in', { 'set-cookie': cookie('', 0) });
    }
    const { key, session } = found;
    if (method === 'POST') {
      if (!sameOrigin(req))
        return json(res, 403, {
          error: {
            code: 'FORBIDDEN',
            message: 'The Origin header is not this server.',
            nextStep: 'Use /today.',
          },
        });
      if (path === '/today/sign-out') {
        const body = await readSmallBody(req);
        const csrf = body === null ? '' : (new URLSearchParams(body).get('csrf') ?? '');
        if (!sameText(csrf, session.csrf))
          return html(res, 403, page('Forbidden', '<p>Stale form; reload.</p>'));
        await endSession(key);
        return redirect(res, '/today/sign-in', { 'set-cookie': cookie('', 0) });
      }
      if (path === '/today/touch') {
        if (!sameText(String(req.headers['x-csrf-token'] ?? ''), session.csrf))
          return json(res, 403, {
            error: { code: 'FORBIDDEN', message: 'Missing or wrong CSRF token.', nextStep: 'Reload /today.' },
          });
        const body = await readSmallBody(req);
        let args: unknown;
        try {
          args = JSON.parse(body ?? '');
        } catch {
          return json(res, 400, {
            error: {
              code: 'VALIDATION',
              message: 'The body is not JSON (or over 16 KB).',
              nextStep: 'Send JSON.',
            },
          });
        }
        try {
          return json(res, 200, await execute(COMMANDS.logTouch, workstream.deps, session.actor, args));
        } catch (error) {
          return refused(res, error, false);
        }
      }
    }
    if (method !== 'GET' && method !== 'HEAD')
      return json(res, 405, {
        error: { code: 'METHOD_NOT_ALLOWED', message: `${method} ${path} is not served.` },
      });
    if (path === '/today' || path === '/today/')
      return html(res, 200, todayViewHtml('web', { csrf: session.csrf }));
    if (path === '/today/panel.json') {
      try {
        return json(
          res,
          200,
          await execute(COMMANDS.getTodayPanel, workstream.deps, session.actor, panelArgs(url)),
        );
      } catch (error) {
        return refused(res, error, false);
      }
    }
    if (path === '/today/events') return events(req, res, key, session);
    const pursuit = /^\/today\/pursuits\/([^/]+)$/.exec(path);
    if (pursuit) {
      const id = decodeURIComponent(pursuit[1] ?? '');
      if (!PURSUIT_ID.test(id))
        return html(
          res,
          400,
          page(
            'Bad pursuit id',
            '<h1>Bad pursuit id</h1><p role="alert">A pursuit id is pur_ and 26 letters or digits.</p>',
          ),
        );
      try {
        const found = await execute(COMMANDS.getPursuit, workstream.deps, session.actor, { pursuitId: id });
        return html(res, 200, pursuitPage(found));
      } catch (error) {
        return refused(res, error, true);
      }
    }
    return html(res, 404, page('Not found', '<h1>Not found</h1><p><a href="/today">Today</a></p>'));
  }

  return {
    serve: (req, res, path) =>
      serve(req, res, path).catch((error: unknown) => {
        if (error instanceof URIError)
          return html(res, 400, page('Bad address', '<p>Bad percent-encoding.</p>'));
        throw error;
      }),
    close: () => {
      for (const stop of [...streams]) stop();
    },
  };
}

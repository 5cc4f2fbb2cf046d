/**
 * The Today Panel as one self-contained HTML page (inline style and script, no build step),
 * served two ways from the same text:
 *
 * - `app`: the MCP App view `ui://workstream/today.html`. It speaks the MCP Apps postMessage
 *   protocol (JSON-RPC with its host: `ui/initialize`, `ui/notifications/tool-result`,
 *   `tools/call`), renders the get_today_panel result the host hands it, calls the server's own
 *   tools through the host to act (log_touch, get_pursuit) and to refresh: get_today_panel after
 *   each action, and, while visible, get_today_panel with `waitMs`, which the server answers as
 *   soon as a change reaches this panel (its change feed, src/live/feed.ts `nextChange`) or when
 *   the wait runs out. MCP Apps hosts forward tool calls but no resource notifications to a
 *   view, so this waiting call is how the view hears of changes; a host that refuses or cuts it
 *   leaves a slow poll (APP_FALLBACK_MS). docs/today.md says more.
 * - `web`: the /today page for people (src/server/today-web.ts). The same rendering over
 *   `/today/panel.json`, actions POSTed with the session's CSRF token, refreshed on each
 *   "changed" server-sent event from `/today/events`.
 *
 * The order is never computed here: rows are shown in the order the Today Panel command gives.
 */

export type ViewMode = 'app' | 'web';

/** The MCP App resource of the Today Panel. */
export const TODAY_VIEW_URI = 'ui://workstream/today.html';

/** How long the app view's waiting get_today_panel call waits for a change (the tool allows 30 s). */
export const APP_WAIT_MS = 25_000;

/** The slow poll of the app view, when its host refuses or cuts the waiting call. */
export const APP_FALLBACK_MS = 30_000;

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1a1a1a;--muted:#555;--line:#d0d0d0;--accent:#0b57d0;--bad:#a50e0e;--warn:#7a4b00;--ok:#0d652d;--chip:#eef1f5}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#ececec;--muted:#b5b5b5;--line:#3a3a3a;--accent:#8ab4f8;--bad:#f28b82;--warn:#fdd663;--ok:#81c995;--chip:#2a2d31}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.2rem 0 .6rem}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin:.5rem 0 1rem}
label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);gap:.2rem}
input,select,button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.35rem .55rem;min-height:2.2rem}
button{cursor:pointer;border-color:var(--accent);color:var(--accent)}
button.primary{background:var(--accent);color:var(--bg)}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
.title{font-weight:600}.account{color:var(--muted);font-size:.85rem}
.flag,.tag{display:inline-block;border-radius:999px;padding:0 .5rem;margin:0 .2rem .2rem 0;font-size:.8rem;background:var(--chip)}
.flag-breached,.flag-overdue{color:var(--bad);font-weight:600}.flag-atRisk{color:var(--warn);font-weight:600}
.p-urgent{color:var(--bad);font-weight:700}.p-high{color:var(--warn);font-weight:600}
#status{min-height:1.4rem;color:var(--muted)}
#detail{margin-top:1rem}
@media (max-width:640px){
 thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table,tbody,tr,td{display:block;width:100%}
 tr{border:1px solid var(--line);border-radius:8px;margin:0 0 .7rem;padding:.3rem .2rem}
 td{border:0;padding:.2rem .5rem}
 td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:.8rem}
}`;

/**
 * The page's script; `MODE`, `WAIT_MS` and `FALLBACK_MS` are set before it. Plain ES2020, no
 * imports. What last refreshed the rows is kept in `body[data-refreshed]`: host (the tool result
 * the host sent), read, action, filters, change (a waiting call answered early, or the /today
 * page's server-sent event), wait (a waiting call ran out) or poll (the fallback).
 */
const SCRIPT = `
const $ = (s) => document.querySelector(s);
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c]);
const when = (iso) => iso ? new Date(iso).toLocaleString(undefined, {dateStyle:'medium', timeStyle:'short'}) : '—';
let panel = null;
const status = (text) => { $('#status').textContent = text; };

function filters() {
  const args = {};
  const tags = $('#f-tags').value.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length) args.tags = tags;
  const kind = $('#f-kind').value;
  if (kind) args.kind = kind;
  return args;
}

function render(next, cause) {
  if (!next || !Array.isArray(next.items)) return;
  panel = next;
  document.body.dataset.refreshed = cause || '';
  $('#owner').textContent = next.owner ? next.owner.name : '';
  $('#total').textContent = next.total + ' open item' + (next.total === 1 ? '' : 's');
  const rows = next.items.map((item, i) => {
    const actions = (next.allowedActions && next.allowedActions[item.state]) || [];
    const isPursuit = item.id.startsWith('pur_');
    const act = [];
    if (actions.includes('log_touch')) act.push('<button type="button" data-touch="' + esc(item.id) + '" aria-label="Log a touch on ' + esc(item.title) + '">Log touch</button>');
    if (isPursuit) act.push(MODE === 'web'
      ? '<a href="/today/pursuits/' + encodeURIComponent(item.id) + '">Open pursuit</a>'
      : '<button type="button" data-open="' + esc(item.id) + '" aria-label="Open pursuit ' + esc(item.title) + '">Open pursuit</button>');
    return '<tr data-id="' + esc(item.id) + '" data-flags="' + esc(item.flags.join(' ')) + '">'
      + '<td data-label="#">' + (i + 1) + '</td>'
      + '<td data-label="Priority" class="p-' + esc(item.priority) + '">' + esc(item.priority) + '</td>'
      + '<td><div class="title">' + esc(item.title) + '</div><div class="account">' + esc(item.accountName) + ' · ' + esc(isPursuit ? 'pursuit' : 'candidate') + ', ' + esc(item.state) + '</div></td>'
      + '<td data-label="Due"><time datetime="' + esc(item.effectiveDueAt) + '">' + esc(when(item.effectiveDueAt)) + '</time></td>'
      + '<td data-label="SLA">' + esc(item.sla || '—') + ' ' + item.flags.map((f) => '<span class="flag flag-' + esc(f) + '">' + esc(f) + '</span>').join('') + '</td>'
      + '<td data-label="Tags">' + item.tags.map((t) => '<span class="tag">' + esc(t) + '</span>').join('') + '</td>'
      + '<td data-label="Actions">' + act.join(' ') + '</td></tr>';
  });
  $('#rows').innerHTML = rows.join('') || '<tr><td colspan="7">Nothing open. Well done.</td></tr>';
  status('As of ' + when(next.asOf) + (next.nextCursor ? ' · first ' + next.items.length + ' shown' : ''));
}

function renderPursuit(p) {
  const lists = (p.checklists || []).map((c) => '<section aria-label="' + esc(c.kind) + ' checklist"><h3>' + esc(c.kind) + ' checklist · ' + c.completion.done + '/' + c.completion.applicable + ' done</h3><ul>'
    + c.items.map((it) => '<li><strong>' + esc(it.state) + '</strong> ' + esc(it.label) + (it.required ? ' (required)' : '') + '</li>').join('') + '</ul></section>').join('');
  $('#detail').innerHTML = '<h2>' + esc(p.title) + '</h2><p>' + esc(p.accountName) + ' · ' + esc(p.state) + ' · due ' + esc(when(p.dueAt)) + '</p>' + lists;
  $('#detail').focus();
}

// ---- how the page talks to the server: an MCP host (app) or this server's /today endpoints (web)
let pending = new Map(), nextId = 1;
function rpc(method, params) {
  const id = nextId++;
  window.parent.postMessage({ jsonrpc: '2.0', id, method, params }, '*');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
async function callTool(name, args) {
  const result = await rpc('tools/call', { name, arguments: args });
  if (result.isError) throw new Error((result.content && result.content[0] && result.content[0].text) || name + ' failed');
  return result.structuredContent;
}
const csrf = () => document.querySelector('meta[name=csrf]')?.content || '';
async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() }, body: JSON.stringify(body), credentials: 'same-origin' });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error ? answer.error.code + ': ' + answer.error.message : 'HTTP ' + res.status);
  return answer;
}

async function refresh(cause) {
  try {
    if (MODE === 'app') render(await callTool('get_today_panel', filters()), cause);
    else {
      const query = new URLSearchParams();
      const f = filters();
      if (f.tags) query.set('tags', f.tags.join(','));
      if (f.kind) query.set('kind', f.kind);
      const res = await fetch('/today/panel.json?' + query, { credentials: 'same-origin' });
      if (res.status === 401) { location.href = '/today/sign-in'; return; }
      const answer = await res.json();
      if (!res.ok) { status(answer.error ? answer.error.message : 'HTTP ' + res.status); return; }
      render(answer, cause);
    }
  } catch (e) { status(String(e.message || e)); }
}

// The app's live refresh: a get_today_panel call the server answers once a change reaches this
// panel (or after WAIT_MS), then the next. Answers read with filters since changed are dropped.
let filterGen = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const shown = () => document.visibilityState === 'visible' ? Promise.resolve() : new Promise((resolve) => {
  const on = () => { if (document.visibilityState === 'visible') { document.removeEventListener('visibilitychange', on); resolve(); } };
  document.addEventListener('visibilitychange', on);
});
async function live() {
  for (;;) {
    await shown();
    const gen = filterGen, started = Date.now();
    try {
      const next = await callTool('get_today_panel', { ...filters(), waitMs: WAIT_MS });
      if (gen === filterGen) render(next, Date.now() - started < WAIT_MS - 1000 ? 'change' : 'wait');
    } catch (e) {
      // The host refused or cut the waiting call: read plainly, and wait the slow poll's interval.
      await refresh('poll');
      await sleep(FALLBACK_MS);
    }
  }
}

async function logTouch(id) {
  const item = panel && panel.items.find((i) => i.id === id);
  const summary = $('#touch-note').value.trim() || 'Touch logged from the Today Panel';
  try {
    const args = { candidateId: id, kind: $('#touch-kind').value, summary, ...(item ? { expectedVersion: item.version } : {}) };
    if (MODE === 'app') await callTool('log_touch', args); else await post('/today/touch', args);
    status('Touch logged.');
  } catch (e) { status(String(e.message || e)); }
  await refresh('action');
}

async function openPursuit(id) {
  try { renderPursuit(await callTool('get_pursuit', { pursuitId: id })); }
  catch (e) { status(String(e.message || e)); }
}

document.addEventListener('click', (event) => {
  const t = event.target.closest('button');
  if (!t) return;
  if (t.dataset.touch) logTouch(t.dataset.touch);
  if (t.dataset.open) openPursuit(t.dataset.open);
});
$('#filters').addEventListener('submit', (event) => { event.preventDefault(); filterGen++; refresh('filters'); });

if (MODE === 'app') {
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    const m = event.data;
    if (!m || m.jsonrpc !== '2.0') return;
    if (m.id !== undefined && !m.method) {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error.message)); else p.resolve(m.result);
      return;
    }
    if (m.method === 'ui/notifications/tool-result') render(m.params && m.params.structuredContent, 'host');
    else if (m.method === 'ui/resource-teardown' && m.id !== undefined) window.parent.postMessage({ jsonrpc: '2.0', id: m.id, result: {} }, '*');
    else if (m.id !== undefined) window.parent.postMessage({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } }, '*');
  });
  rpc('ui/initialize', { appInfo: { name: 'workstream-today', version: '1' }, appCapabilities: {}, protocolVersion: '2026-01-26' })
    .then(() => {
      window.parent.postMessage({ jsonrpc: '2.0', method: 'ui/notifications/initialized', params: {} }, '*');
      live();
    })
    .catch((e) => status('The host did not answer: ' + e.message));
} else {
  refresh('read');
  const events = new EventSource('/today/events');
  events.addEventListener('changed', () => refresh('change'));
  events.onerror = () => status('Live updates paused; reconnecting…');
}
`;

/** The HTML of the Today Panel view. `csrf` is the session's form token (web only). */
export function todayViewHtml(mode: ViewMode, options: { csrf?: string } = {}): string {
  const csrf = mode === 'web' ? `<meta name="csrf" content="${escapeHtml(options.csrf ?? '')}">` : '';
  const signOut =
    mode === 'web'
      ? `<form method="post" action="/today/sign-out" class="signout"><input type="hidden" name="csrf" value="${escapeHtml(options.csrf ?? '')}"><button type="submit">Sign out</button></form>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${csrf}
<title>Today · Workstream</title><style>${STYLE}</style></head>
<body><main>
<header><h1>Today for <span id="owner"></span></h1><p id="total" aria-live="polite"></p>${signOut}</header>
<form id="filters" class="filters" role="search" aria-label="Filter the panel">
<label for="f-tags">Tags (comma-separated)<input id="f-tags" name="tags" autocomplete="off"></label>
<label for="f-kind">Kind<select id="f-kind" name="kind"><option value="">All</option><option value="candidate">Candidates</option><option value="pursuit">Pursuits</option></select></label>
<button type="submit" class="primary">Apply</button>
<label for="touch-kind">Touch kind<select id="touch-kind"><option value="call">Call</option><option value="email">E-mail</option><option value="meeting">Meeting</option><option value="note">Note</option></select></label>
<label for="touch-note">Touch note<input id="touch-note" maxlength="4000" placeholder="What happened"></label>
</form>
<p id="status" role="status" aria-live="polite"></p>
<table aria-label="Open work, most urgent first"><thead><tr><th scope="col">#</th><th scope="col">Priority</th><th scope="col">Item</th><th scope="col">Due</th><th scope="col">SLA</th><th scope="col">Tags</th><th scope="col">Actions</th></tr></thead>
<tbody id="rows"></tbody></table>
<section id="detail" tabindex="-1" aria-live="polite"></section>
</main>
<script>const MODE = ${JSON.stringify(mode)}; const WAIT_MS = ${APP_WAIT_MS}; const FALLBACK_MS = ${APP_FALLBACK_MS};${SCRIPT}</script>
</body></html>`;
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/**
 * The Today Panel in a real browser (Debian's chromium driven by playwright-core), against a real
 * `workstream start` process (SQLite, demo data, its own HTTP server on a loopback port):
 *
 * - the /today page: sign in with the demo token, the demo order and flags as get_today_panel
 *   gives them, a change made through an MCP client appears without a reload (server-sent
 *   events), readable at phone width, and the session rules (bad cookie, Origin, CSRF, 400s);
 * - the MCP App: a test host page using ext-apps' own AppBridge loads ui://workstream/today.html
 *   in a sandboxed iframe and proxies its tool calls to the server through a real MCP client.
 *
 * Screenshots are kept in test-artifacts/. With CI=true a missing chromium fails the suite.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Code passed to page.evaluate runs in the browser; this test's own types know no DOM.
declare const window: Loose;
declare const document: Loose;

import { type Loose, MODERN, printed } from '../mcp/support.js';
import { exited, spawnCli } from '../support/cli.js';

const CHROMIUM = process.env.WORKSTREAM_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts');
const present = existsSync(CHROMIUM);

if (!present && process.env.CI === 'true')
  throw new Error(
    `CI=true but ${CHROMIUM} is missing: .ci/run installs Debian's chromium (apt-get install chromium)`,
  );

describe.runIf(present)('the Today Panel in chromium', () => {
  let dir: string;
  let child: ReturnType<typeof spawnCli>;
  let base: string;
  let token: string;
  let browser: Browser;
  let client: Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'workstream-browser-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    child = spawnCli(['start', '--port', '0', '--data-dir', dir]);
    await printed(child, /Stop with Ctrl-C/, 60_000);
    const banner = child.output();
    const url = banner.match(/MCP endpoint\s+(http:\/\/127\.0\.0\.1:\d+\/mcp)/)?.[1] ?? '';
    token = banner.match(/Bearer token\s+(wst_\S+)/)?.[1] ?? '';
    base = url.replace(/\/mcp$/, '');
    client = new Client({ name: 'browser-test', version: '1.0.0' }, MODERN);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    if (child) {
      child.kill('SIGTERM');
      await exited(child);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function panel(args: Record<string, unknown> = {}): Promise<Loose> {
    const result = (await client.callTool({ name: 'get_today_panel', arguments: args })) as Loose;
    expect(result.isError).toBeFalsy();
    return result.structuredContent;
  }

  async function signIn(page: Page) {
    await page.goto(`${base}/today`);
    expect(new URL(page.url()).pathname).toBe('/today/sign-in');
    await page.getByLabel('Your access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/today`);
    await page.locator('#rows tr[data-id]').first().waitFor();
  }

  const rowsOf = (page: Page) =>
    page
      .locator('#rows tr[data-id]')
      .evaluateAll((rows) =>
        rows.map((row) => [row.getAttribute('data-id'), row.getAttribute('data-flags') ?? '']),
      );

  it('signs in with a token, shows the demo panel in the command’s order with its flags, and shows a change made over MCP without a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await signIn(page);
    const expected = await panel();
    expect(await rowsOf(page)).toEqual(expected.items.map((i: Loose) => [i.id, i.flags.join(' ')]));
    // The page shows the flags, not just the order: every flag the panel gives is on the page.
    // Which flags the demo data has depends on the hour (its SLA clocks run in business hours);
    // it always has overdue work (due dates days ago).
    const flags = new Set<string>(expected.items.flatMap((i: Loose) => i.flags as string[]));
    expect(flags).toContain('overdue');
    for (const flag of flags) expect(await page.locator(`.flag-${flag}`).count(), flag).toBeGreaterThan(0);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'workstream_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/today',
    });
    await page.screenshot({ path: join(ARTIFACTS, 'today.png'), fullPage: false });

    // A change through another MCP client: the page hears "changed" and reads the panel again.
    await page.evaluate(() => {
      window.notReloaded = true;
    });
    const fresh = expected.items.find((i: Loose) => i.state === 'new');
    expect(fresh).toBeDefined();
    const touched = (await client.callTool({
      name: 'log_touch',
      arguments: { candidateId: fresh.id, kind: 'call', summary: 'Called from the browser test' },
    })) as Loose;
    expect(touched.isError).toBeFalsy();
    await expect
      .poll(() => page.locator(`#rows tr[data-id="${fresh.id}"] .account`).textContent(), { timeout: 15_000 })
      .toContain('contacted');
    expect(await page.evaluate(() => window.notReloaded)).toBe(true);
    await context.close();
  });

  it('acts from the page (log a touch), opens a pursuit with its checklists, and fits a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await signIn(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'today-phone.png') });
    const before = await panel();
    const target = before.items.find((i: Loose) => i.state === 'new');
    await page.getByLabel('Touch note').fill('Left a voicemail');
    await page.getByRole('button', { name: `Log a touch on ${target.title}` }).click();
    // The page's status says "As of" before the click too: wait for the touch itself.
    const stateOf = async () =>
      ((await client.callTool({ name: 'get_candidate', arguments: { candidateId: target.id } })) as Loose)
        .structuredContent.state;
    await expect.poll(stateOf, { timeout: 10_000 }).toBe('contacted');

    const pursuit = before.items.find((i: Loose) => i.id.startsWith('pur_'));
    await page.getByRole('link', { name: 'Open pursuit' }).first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/today\/pursuits\/pur_/);
    await expect.poll(() => page.locator('h1').textContent()).toBeTruthy();
    expect(await page.locator('h2').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/checklist: \d+ of \d+ done/)]),
    );
    expect(pursuit).toBeDefined();
    await context.close();
  });

  it('sends a bad cookie to sign-in, refuses cross-origin posts and a missing CSRF token, answers hostile parameters 400', async () => {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'workstream_session', value: 'x'.repeat(43), url: `${base}/today` }]);
    const page = await context.newPage();
    await page.goto(`${base}/today`);
    expect(new URL(page.url()).pathname).toBe('/today/sign-in');
    await signIn(page);
    const request = context.request;
    expect((await request.get(`${base}/today/panel.json?kind=everything`)).status()).toBe(400);
    expect((await request.get(`${base}/today/panel.json?limit=${'9'.repeat(400)}`)).status()).toBe(400);
    expect(
      (await request.get(`${base}/today/panel.json?tags=${encodeURIComponent('a\u0000b')}`)).status(),
    ).toBe(400);
    expect((await request.get(`${base}/today/pursuits/${encodeURIComponent("1' or 1=1 --")}`)).status()).toBe(
      400,
    );
    const touch = (headers: Record<string, string>) =>
      request.post(`${base}/today/touch`, {
        headers: { 'content-type': 'application/json', ...headers },
        data: JSON.stringify({ candidateId: 'cand_01ARZ3NDEKTSV4RRFFQ69G5FAV', kind: 'call', summary: 'x' }),
      });
    expect((await touch({ origin: 'http://evil.example' })).status()).toBe(403);
    expect((await touch({ origin: base })).status()).toBe(403);
    const csrf = await page.locator('meta[name=csrf]').getAttribute('content');
    // With the Origin and the session's CSRF token the command runs: an unknown candidate is NOT_FOUND.
    const admitted = await touch({ origin: base, 'x-csrf-token': csrf ?? '' });
    expect(admitted.status()).toBe(404);
    expect((await admitted.json()).error.code).toBe('NOT_FOUND');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/today/sign-in`);
    expect((await request.get(`${base}/today/panel.json`)).status()).toBe(401);
    await context.close();
  });

  it('renders as an MCP App in an ext-apps AppBridge host, acts through the host, and refreshes on a change made elsewhere', async () => {
    const view = (await client.readResource({ uri: 'ui://workstream/today.html' })) as Loose;
    expect(view.contents[0].mimeType).toBe('text/html;profile=mcp-app');
    const tools = (await client.listTools()) as Loose;
    expect(tools.tools.find((t: Loose) => t.name === 'get_today_panel')._meta).toEqual({
      ui: { resourceUri: 'ui://workstream/today.html' },
    });
    const first = (await client.callTool({ name: 'get_today_panel', arguments: {} })) as Loose;

    const bundle = await build({
      stdin: {
        contents: `import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';
window.startHost = async (html, result) => {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = 'Today Panel';
  frame.style.cssText = 'width:100%;height:900px;border:0';
  document.body.append(frame);
  const bridge = new AppBridge(null, { name: 'test-host', version: '1.0.0' }, { serverTools: {} });
  bridge.oncalltool = (params) => window.hostCallTool(params);
  bridge.oninitialized = () => { window.viewInitialized = true; bridge.sendToolResult(result); };
  await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
  frame.srcdoc = html;
};`,
        resolveDir: resolve(import.meta.dirname, '..', '..'),
      },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
    });
    const script = bundle.outputFiles[0]?.text ?? '';
    const page = await browser.newPage({ viewport: { width: 1200, height: 950 } });
    const calls: string[] = [];
    // The view's waiting calls (get_today_panel with waitMs): when each was made and answered.
    const waits: { made: number; answered?: number }[] = [];
    await page.exposeFunction('hostCallTool', async (params: Loose) => {
      calls.push(params.name);
      const wait: { made: number; answered?: number } | null = params.arguments?.waitMs
        ? { made: Date.now() }
        : null;
      if (wait) waits.push(wait);
      const result = await client.callTool(params, { timeout: 60_000 });
      if (wait) wait.answered = Date.now();
      return result;
    });
    await page.route('http://host.test/', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html><head><title>Test host</title></head><body><script>${script.replace(/<\/script/g, '<\\/script')}</script></body></html>`,
      }),
    );
    await page.goto('http://host.test/');
    await page.evaluate(([html, result]) => window.startHost(html, result), [
      view.contents[0].text,
      first,
    ] as const);
    const frame = page.frameLocator('iframe[title="Today Panel"]');
    await frame.locator('#rows tr[data-id]').first().waitFor();
    const shown = await frame
      .locator('#rows tr[data-id]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
    expect(shown).toEqual(first.structuredContent.items.map((i: Loose) => i.id));
    await page.screenshot({ path: join(ARTIFACTS, 'today-app.png') });

    // The view acts through the host: log_touch, then it reads the panel again.
    const target = first.structuredContent.items.find(
      (i: Loose) => i.state === 'new' || i.state === 'contacted',
    );
    await frame.getByRole('button', { name: `Log a touch on ${target.title}` }).click();
    await expect.poll(() => calls.includes('log_touch'), { timeout: 10_000 }).toBe(true);
    await expect
      .poll(() => calls.lastIndexOf('get_today_panel') > calls.indexOf('log_touch'), { timeout: 10_000 })
      .toBe(true);

    // A change made through another client appears without the host sending anything new: the
    // view's waiting get_today_panel call, made before the change, is answered by it.
    const other = first.structuredContent.items.find(
      (i: Loose) => i.id !== target.id && i.id.startsWith('cand_') && i.state === 'new',
    );
    expect(other).toBeDefined();
    await expect
      .poll(() => waits.some((wait) => wait.answered === undefined), { timeout: 10_000 })
      .toBe(true);
    const changedAt = Date.now();
    await client.callTool({
      name: 'log_touch',
      arguments: { candidateId: other.id, kind: 'email', summary: 'Sent the deck' },
    });
    await expect
      .poll(() => frame.locator(`#rows tr[data-id="${other.id}"] .account`).textContent(), {
        timeout: 15_000,
      })
      .toContain('contacted');
    // What delivered it: a waiting call answered early (not a poll, nor a wait that ran out),
    // one made before the change and answered after it, long before its 25 s were up.
    expect(await frame.locator('body').getAttribute('data-refreshed')).toBe('change');
    const woken = waits.find((wait) => wait.made < changedAt && (wait.answered ?? 0) >= changedAt);
    expect(woken).toBeDefined();
    expect((woken?.answered ?? 0) - (woken?.made ?? 0)).toBeLessThan(20_000);
    await page.close();
  });
});

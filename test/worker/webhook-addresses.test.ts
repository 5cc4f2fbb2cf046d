/**
 * Where webhooks may point: public HTTPS only, refused at registration by the literal host and
 * again at delivery after resolving the name; WORKSTREAM_WEBHOOK_ALLOW_PRIVATE opens loopback for
 * local development. Driven against a real receiver on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { OutboxStore } from '../../src/worker/outbox-store.js';
import { OutboxWorker } from '../../src/worker/outbox-worker.js';
import { defaultDestinations } from '../../src/worker/run.js';
import { refusedAtDelivery, refusedAtRegistration } from '../../src/workstream/webhook-addresses.js';
import { describeEachDialect } from '../support/databases.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { LOCAL_WEBHOOKS, refusal, snapshot, testOrg } from '../support/workstream.js';

const log = createLogger('silent');
const until = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 15_000, interval: 20 });

describe('the webhook address rules', () => {
  it.each([
    ['http://hooks.example.com/a', /https/],
    ['https://127.0.0.1/a', /loopback/],
    ['https://127.8.9.10:8443/a', /loopback/],
    ['https://2130706433/a', /127\.0\.0\.1 is a loopback/],
    ['https://[::1]/a', /loopback/],
    ['https://[::ffff:127.0.0.1]/a', /127\.0\.0\.1 is a loopback/],
    ['https://10.0.0.8/a', /private/],
    ['https://172.16.5.4/a', /private/],
    ['https://192.168.1.1/a', /private/],
    ['https://169.254.169.254/latest/meta-data', /linkLocal/],
    ['https://[fe80::1]/a', /linkLocal/],
    ['https://[fd00:ec2::254]/a', /uniqueLocal/],
    ['https://100.64.0.1/a', /carrierGradeNat/],
    ['https://0.0.0.0/a', /unspecified/],
    ['https://localhost/a', /local or private host/],
    ['https://api.localhost/a', /local or private host/],
    ['https://metadata.google.internal/computeMetadata/v1', /local or private host/],
    ['https://user:pass@hooks.example.com/a', /user name or password/],
  ])('refuses %s at registration', (url, reason) => {
    expect(refusedAtRegistration(url)).toMatch(reason);
  });

  it('accepts public https URLs, and with the development setting http:// and loopback too', () => {
    expect(refusedAtRegistration('https://hooks.example.com/a')).toBeUndefined();
    expect(refusedAtRegistration('https://93.184.215.14/a')).toBeUndefined();
    expect(refusedAtRegistration('https://[2606:4700::1111]/a')).toBeUndefined();
    expect(refusedAtRegistration('http://127.0.0.1:8080/a', { allowPrivate: true })).toBeUndefined();
    expect(refusedAtRegistration('ftp://127.0.0.1/a', { allowPrivate: true })).toMatch(/https/);
  });

  it('refuses at delivery a name that now resolves to a private address, and passes a public one', async () => {
    const resolvesTo = (addresses: string[]) => async () => addresses;
    expect(
      await refusedAtDelivery(
        'https://hooks.example.com/a',
        undefined,
        resolvesTo(['93.184.215.14', '10.0.0.5']),
      ),
    ).toBe(
      'hooks.example.com resolves to 10.0.0.5 is a private address; webhooks go to public addresses only',
    );
    expect(
      await refusedAtDelivery(
        'https://hooks.example.com/a',
        undefined,
        resolvesTo(['::ffff:169.254.169.254']),
      ),
    ).toMatch(/169\.254\.169\.254 is a linkLocal/);
    expect(
      await refusedAtDelivery('https://hooks.example.com/a', undefined, resolvesTo(['93.184.215.14'])),
    ).toBeUndefined();
  });
});

describeEachDialect('webhook registration and delivery', ({ store }) => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  function worker(allowPrivate: boolean) {
    return new OutboxWorker(
      new OutboxStore(store()),
      defaultDestinations(store(), log, { webhookAddresses: { allowPrivate } }),
      log,
      { maxIdleMs: 50 },
    );
  }

  it('is for admins: a member is refused with FORBIDDEN', async () => {
    const org = await testOrg(store(), undefined, LOCAL_WEBHOOKS);
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `rep-${Date.now()}@example.com`,
      name: 'Rep',
      role: 'member',
    });
    const before = await snapshot(store());
    const failure = await refusal(
      org.ws.registerWebhook({ orgId: org.orgId, memberId }, { url: 'https://hooks.example.com/member' }),
    );
    expect(failure).toMatchObject({ code: 'FORBIDDEN' });
    expect(failure.message).toContain('registering a webhook needs the admin role');
    expect(await snapshot(store())).toEqual(before);
  });

  it('refuses the loopback receiver without the development setting, naming url, and writes nothing', async () => {
    const org = await testOrg(store());
    const before = await snapshot(store());
    const failure = await refusal(org.ws.registerWebhook(org.actor, { url: `${receiver.url}/off` }));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'url' });
    expect(failure.message).toMatch(/https/);
    const https = await refusal(org.ws.registerWebhook(org.actor, { url: 'https://127.0.0.1:9/off' }));
    expect(https).toMatchObject({
      code: 'VALIDATION',
      field: 'url',
      message: expect.stringMatching(/loopback/),
    });
    expect(await snapshot(store())).toEqual(before);
  });

  it('with the development setting, registers the loopback receiver and delivers its events to it', async () => {
    const org = await testOrg(store(), undefined, LOCAL_WEBHOOKS);
    const hook = await org.ws.registerWebhook(org.actor, {
      url: `${receiver.url}/on`,
      eventTypes: ['candidate.created'],
    });
    receiver.secrets.set('/on', hook.secret);
    await org.ws.createCandidate(org.actor, { title: 'Local', accountName: `Local ${Date.now()}` });
    const running = worker(true);
    running.start();
    await until(async () => expect(receiver.deliveries.filter((d) => d.path === '/on')).toHaveLength(1));
    await running.stop();
    expect(receiver.deliveries.find((d) => d.path === '/on')?.signatureValid).toBe(true);
  });

  it('checks again at delivery: a worker without the setting dead-letters a loopback endpoint and sends nothing', async () => {
    const org = await testOrg(store(), undefined, LOCAL_WEBHOOKS);
    // Registered while the setting was on (or before the rule existed); the worker runs without it.
    const hook = await org.ws.registerWebhook(org.actor, {
      url: `${receiver.url}/later`,
      eventTypes: ['candidate.created'],
    });
    await org.ws.createCandidate(org.actor, { title: 'Inside', accountName: `Inside ${Date.now()}` });
    const running = worker(false);
    running.start();
    const outbox = new OutboxStore(store());
    await until(async () => {
      const letters = await outbox.listDeadLetters();
      expect(letters.find((letter) => letter.destination === `webhook:${hook.id}`)).toMatchObject({
        attempts: 1,
        last_error: expect.stringContaining('must use https://'),
      });
    });
    await running.stop();
    expect(receiver.deliveries.filter((d) => d.path === '/later')).toEqual([]);
  });
});

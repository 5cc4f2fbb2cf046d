/**
 * The embedded database restarted after a crash: `serve --http --worker` on SQLite is killed
 * (SIGKILL) while it holds rows in flight, and started again. One process owns the file, so the
 * new one takes back at once what the dead one held instead of waiting out the 5-minute lease.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { connect, type Store } from '../../src/store/connect.js';
import { toJson } from '../../src/store/dialect.js';
import { migrate } from '../../src/store/migrator.js';
import { OutboxStore } from '../../src/worker/outbox-store.js';
import { printed } from '../mcp/support.js';
import { exited, spawnCli } from '../support/cli.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { testOrg } from '../support/workstream.js';

const dir = mkdtempSync(join(tmpdir(), 'workstream-embedded-restart-'));
const db = `sqlite:${join(dir, 'ws.db')}`;
let store: Store;
let receiver: Receiver;

beforeAll(async () => {
  store = await connect(db);
  await migrate(store);
  receiver = await startReceiver();
});
afterAll(async () => {
  await store.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

it('redelivers what a SIGKILLed `serve --worker` held as soon as it starts again, not after the lease', async () => {
  const org = await testOrg(store);
  const path = '/embedded';
  const hook = await org.ws.registerWebhook(org.actor, {
    url: `${receiver.url}${path}`,
    eventTypes: ['none.*'],
  });
  receiver.secrets.set(path, hook.secret);
  const events = Array.from({ length: 20 }, () => ({
    id: newId('evt'),
    org_id: org.orgId,
    entity_type: 'candidate',
    entity_id: 'cand_embedded',
    type: 'embedded.test',
    actor_id: 'test',
    occurred_at: new Date(),
  }));
  await store.db.insertInto('events').values(events).execute();
  await store.db
    .insertInto('outbox')
    .values(
      events.map((e) => ({
        id: newId('obx'),
        org_id: org.orgId,
        event_id: e.id,
        destination: `webhook:${hook.id}`,
        payload_json: toJson({ eventId: e.id }),
      })),
    )
    .execute();
  // The receiver never answers: the first process holds every row when it dies.
  receiver.hang.add(path);
  const args = ['serve', '--http', '--worker', '--port', '0', '--db', db];
  const first = spawnCli(args, { WORKSTREAM_LOG_LEVEL: 'warn' });
  const outbox = new OutboxStore(store);
  const heldByFirst = async () => (await outbox.held()).filter((h) => h.locked_by.includes(`:${first.pid}:`));
  await vi.waitFor(async () => expect(await heldByFirst()).toHaveLength(events.length), {
    timeout: 30_000,
    interval: 50,
  });
  first.kill('SIGKILL');
  await exited(first);
  expect(await heldByFirst()).toHaveLength(events.length);

  receiver.hang.delete(path);
  const second = spawnCli(args, { WORKSTREAM_LOG_LEVEL: 'warn' });
  try {
    await printed(second, /MCP over Streamable HTTP at/);
    // Well inside the 5-minute lease: the dead process's claims were released on start.
    await vi.waitFor(
      async () => expect(await store.db.selectFrom('outbox').select('id').execute()).toEqual([]),
      {
        timeout: 30_000,
        interval: 50,
      },
    );
    const delivered = new Set(receiver.deliveries.filter((d) => d.path === path).map((d) => d.eventId));
    expect(delivered).toEqual(new Set(events.map((e) => e.id)));
  } finally {
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  }
}, 90_000);

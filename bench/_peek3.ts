import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { demoWire } from '../test/support/wire.js';

const dir = mkdtempSync(join(tmpdir(), 'peek-'));
const store = await connect(`sqlite:${join(dir, 'c.db')}`);
await migrate(store);
const wire = await demoWire(store);
const tools = (await wire.client.listTools()).tools;
for (const name of process.argv.slice(2)) {
  const t = tools.find((x) => x.name === name);
  console.log(JSON.stringify(t));
}
await wire.close();
await store.close();

import { mkdtempSync, writeFileSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { connect } from '../src/store/connect.js'; import { migrate } from '../src/store/migrator.js';
import { TOOLSETS } from '../src/tools/index.js'; import { demoWire } from '../test/support/wire.js';
const dir = mkdtempSync(join(tmpdir(), 'pk-')); const store = await connect(`sqlite:${join(dir, 'a.db')}`); await migrate(store);
const w = await demoWire(store, { toolsets: [...TOOLSETS], publicUrl: 'https://workstream.example.com/mcp' });
const tools = (await w.client.listTools()).tools;
writeFileSync('/tmp/tools.json', JSON.stringify(tools));
await w.close(); await store.close();

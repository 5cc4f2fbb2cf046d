/**
 * `npm run build`'s second step: bundles the `workstream` command (src/bin.ts, src/cli.ts and
 * every module they load, the SDK, Kysely and zod included) into dist/src/cli.js and its chunks
 * in dist/src/chunks/. Node loads one file per chunk instead of about 500 modules, which was most
 * of a stdio server's start (docs/benchmarks.md, "Cold start"). What a command loads only when it
 * runs (the HTTP server, the worker, a database's driver) stays a chunk of its own, loaded then.
 * Left outside: the native SQLite binding and the PostgreSQL / SQL Server drivers (and tarn, SQL
 * Server's pool, whose CommonJS exports they need as Node gives them), loaded from
 * node_modules when a URL of theirs is opened. tsc's output beside it (dist/src/…) is unchanged.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/src';
rmSync(`${OUT}/chunks`, { recursive: true, force: true });
// Every tool's JSON Schemas, converted here from tsc's output of the same sources, so a starting
// server does not convert them again (src/server/mcp.ts; src/tools/define.ts `convertSchemas`).
const { ALL_TOOLS } = await import('../dist/src/tools/index.js');
const { convertSchemas } = await import('../dist/src/tools/define.js');
await build({
  define: { WORKSTREAM_BUILT_SCHEMAS: JSON.stringify(convertSchemas(ALL_TOOLS)) },
  entryPoints: { cli: 'src/bin.ts' },
  outdir: OUT,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native', 'tedious', 'tarn'],
  // Bundled CommonJS modules (pino, tarn …) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __workstreamRequire } from 'node:module'; const require = __workstreamRequire(import.meta.url);",
  },
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

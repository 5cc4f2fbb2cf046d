#!/usr/bin/env node
/**
 * The `workstream` command as built (scripts/bundle-cli.mjs bundles from here into
 * dist/src/cli.js): what must happen before any module loads, then src/cli.ts.
 *
 * A stdio server has one client making one call at a time. V8's young generation starts at
 * 1 MB a half and doubles (up to 16 MB) whenever enough survives its collections — which loading
 * the modules already does — and keeps that size while the process idles: about 30 MB of resident
 * memory for nothing (docs/benchmarks.md, "Idle memory"). A stdio server keeps it at its first
 * size; HTTP servers and workers, which serve many calls at once, keep V8's default.
 */
import { setFlagsFromString } from 'node:v8';

const [command, ...rest] = process.argv.slice(2);
if (command === 'serve' && !rest.includes('--http')) setFlagsFromString('--semi-space-growth-factor=1');

await import('./cli.js');

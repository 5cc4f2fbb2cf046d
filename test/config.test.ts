import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configTable, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('defaults to an SQLite file in ./.workstream', () => {
    const config = loadConfig({});
    expect(config.dataDir).toBe(resolve('.workstream'));
    expect(config.dbUrl).toBe(`sqlite:${join(resolve('.workstream'), 'workstream.db')}`);
    expect(config.logLevel).toBe('info');
  });

  it('puts the default database in the configured data folder', () => {
    expect(loadConfig({ WORKSTREAM_DATA_DIR: '/var/lib/ws' }).dbUrl).toBe('sqlite:/var/lib/ws/workstream.db');
  });

  it('lets a flag win over its environment variable', () => {
    const config = loadConfig({ WORKSTREAM_LOG_LEVEL: 'debug' }, { WORKSTREAM_LOG_LEVEL: 'error' });
    expect(config.logLevel).toBe('error');
  });

  it('refuses a malformed value, naming the variable', () => {
    expect(() => loadConfig({ WORKSTREAM_DB_URL: 'mysql://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKSTREAM_DB_URL: 'mysql://x' })).toThrow(
      /^WORKSTREAM_DB_URL="mysql:\/\/x": must start with/,
    );
  });

  it('polls other processes’ events every 250 ms by default, 0 never, and refuses a busier or slower poll', () => {
    expect(loadConfig({}).livePollMs).toBe(250);
    expect(loadConfig({ WORKSTREAM_LIVE_POLL_MS: '0' }).livePollMs).toBe(0);
    expect(() => loadConfig({ WORKSTREAM_LIVE_POLL_MS: '5' })).toThrow(
      /^WORKSTREAM_LIVE_POLL_MS="5": must be 0 \(never\) or at least 20 ms$/,
    );
    expect(() => loadConfig({}, { WORKSTREAM_LIVE_POLL_MS: '600000' })).toThrow(
      /^--live-poll-ms="600000": must be at most 60000 ms$/,
    );
  });

  it('refuses a malformed flag, naming the flag', () => {
    expect(() => loadConfig({}, { WORKSTREAM_LOG_LEVEL: 'loud' })).toThrow(/^--log-level="loud"/);
  });

  it('refuses an unknown WORKSTREAM_ variable as a likely typo', () => {
    expect(() => loadConfig({ WORKSTREAM_DB_ULR: 'sqlite:x' })).toThrow(
      /WORKSTREAM_DB_ULR is not a workstream setting/,
    );
  });

  it('leaves the test harness variables alone', () => {
    expect(() => loadConfig({ WORKSTREAM_TEST_PG_URL: 'postgres://x' })).not.toThrow();
  });

  it('is documented in the README, every variable', () => {
    // Cells are compared with their padding folded: the formatter aligns Markdown tables.
    const fold = (line: string) => line.replace(/\s+/g, ' ').trim();
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
      .split('\n')
      .map(fold);
    for (const line of configTable().split('\n').slice(2)) expect(readme).toContain(fold(line));
  });
});

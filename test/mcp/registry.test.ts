import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANDIDATE_ACTIONS } from '../../src/domain/candidate.js';
import { PROPOSAL_VERSION_ACTIONS } from '../../src/domain/proposal.js';
import { PURSUIT_ACTIONS } from '../../src/domain/pursuit.js';
import { SIGNAL_ACTIONS } from '../../src/domain/signal.js';
import { ALL_TOOLS, selectTools, TOOLSETS, toolsTable } from '../../src/tools/index.js';
import { VERSION } from '../../src/version.js';
import { COMMANDS, type CommandName } from '../../src/workstream/commands.js';
import { KNOWN_TOOLS } from '../domain/known-tools.js';

/** Domain actions no tool performs: superseding is what send_proposal_version does to the last version sent. */
const NO_TOOL_OF_ITS_OWN = new Set(['supersede_proposal_version']);

const byName = new Map(ALL_TOOLS.map((tool) => [tool.name, tool]));

describe('the tool registry', () => {
  it('has one tool per command and query of the lifecycle layer, named after it', () => {
    const camel = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    expect(ALL_TOOLS.map((tool) => camel(tool.name)).sort()).toEqual(Object.keys(COMMANDS).sort());
    for (const tool of ALL_TOOLS)
      expect(tool.command, tool.name).toBe(COMMANDS[camel(tool.name) as CommandName]);
  });

  it('names tools verb_noun, once each, and offers every action the state machines advertise', () => {
    // `search` is the one lone verb: what it finds is anything.
    for (const tool of ALL_TOOLS) if (tool.name !== 'search') expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)+$/);
    expect(byName.size).toBe(ALL_TOOLS.length);
    const actions = [
      ...SIGNAL_ACTIONS,
      ...CANDIDATE_ACTIONS,
      ...PURSUIT_ACTIONS,
      ...PROPOSAL_VERSION_ACTIONS,
    ];
    expect(actions.filter((action) => !byName.has(action) && !NO_TOOL_OF_ITS_OWN.has(action))).toEqual([]);
    // The advice the domain gives names tools; each of those a command performs is a tool.
    expect([...KNOWN_TOOLS].filter((name) => !byName.has(name) && !NO_TOOL_OF_ITS_OWN.has(name))).toEqual([]);
  });

  it('describes each tool for a model and states all four hints', () => {
    for (const tool of ALL_TOOLS) {
      expect(tool.description.length, tool.name).toBeGreaterThan(50);
      expect(Object.keys(tool.annotations).sort(), tool.name).toEqual([
        'destructiveHint',
        'idempotentHint',
        'openWorldHint',
        'readOnlyHint',
      ]);
      // Only enrichment reaches beyond the database: the worker calls the providers it queues.
      expect(tool.annotations.openWorldHint, tool.name).toBe(tool.name === 'enrich_candidate');
      // Reads are get_ / list_ tools and search, and only those.
      expect(tool.annotations.readOnlyHint, tool.name).toBe(/^(get|list)_|^search$/.test(tool.name));
      if (tool.annotations.readOnlyHint) expect(tool.annotations.destructiveHint, tool.name).toBe(false);
    }
  });

  it('takes cursor and limit on every list and returns nextCursor', () => {
    for (const tool of ALL_TOOLS.filter((t) => 'cursor' in t.command.input.shape)) {
      expect(Object.keys(tool.command.input.shape), tool.name).toEqual(
        expect.arrayContaining(['cursor', 'limit']),
      );
      expect(Object.keys(tool.command.output.shape), tool.name).toContain('nextCursor');
    }
    for (const name of [
      'list_signals',
      'list_candidates',
      'list_pursuits',
      'get_history',
      'get_today_panel',
      'list_sla_breaches',
    ])
      expect(Object.keys(byName.get(name)?.command.input.shape ?? {}), name).toContain('cursor');
  });

  it('selects by toolset and keeps only reads when read-only', () => {
    // Every toolset but analytics by default; naming them all gives every tool.
    expect(selectTools().map((tool) => tool.toolset)).not.toContain('analytics');
    expect(selectTools({ toolsets: TOOLSETS })).toHaveLength(ALL_TOOLS.length);
    expect(new Set(selectTools({ toolsets: ['signals'] }).map((tool) => tool.toolset))).toEqual(
      new Set(['signals']),
    );
    const reads = selectTools({ readOnly: true });
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((tool) => tool.annotations.readOnlyHint)).toBe(true);
    expect(selectTools({ toolsets: ['pursuits'], readOnly: true })).toEqual([]);
    for (const toolset of TOOLSETS)
      expect(selectTools({ toolsets: [toolset] }).length, toolset).toBeGreaterThan(0);
  });

  it('is listed in the README, every tool', () => {
    const fold = (line: string) => line.replace(/\s+/g, ' ').trim();
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
      .split('\n')
      .map(fold);
    for (const line of toolsTable().split('\n').slice(2)) expect(readme).toContain(fold(line));
  });

  it('announces the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });
});

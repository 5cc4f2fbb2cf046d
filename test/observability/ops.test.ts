/**
 * The shipped alert rules and dashboard: promtool accepts the rules and their unit tests pass;
 * every series they read is one the processes export; every series is documented.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectProcessMetrics, registry } from '../../src/observability/metrics.js';
import { Metrics } from '../../src/server/metrics.js';

const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const RULES = file('ops/prometheus/alerts.yml');
const RULE_TESTS = file('ops/prometheus/alerts.test.yml');
const DASHBOARD = file('ops/grafana/workstream.json');
const OPERATIONS = file('docs/operations.md');

const promtool = spawnSync('promtool', ['--version']).status === 0;

/** Every series name a process can export: the process registry and the tool-call registry. */
async function exportedNames(): Promise<Set<string>> {
  collectProcessMetrics();
  const own = (await registry.getMetricsAsJSON()).map((metric) => metric.name);
  const tools = (await new Metrics().registry.getMetricsAsJSON()).map((metric) => metric.name);
  return new Set([...own, ...tools]);
}

/** The series a PromQL text reads, with histogram suffixes folded into the histogram's name. */
function seriesIn(text: string, names: Set<string>): string[] {
  return [...new Set(text.match(/workstream_[a-z0-9_]+/g) ?? [])].map((name) =>
    names.has(name) ? name : name.replace(/_(bucket|sum|count)$/, ''),
  );
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

describe('alert rules', () => {
  it.runIf(promtool || process.env.CI === 'true')('pass promtool check rules and their unit tests', () => {
    expect(promtool, 'promtool is missing: apt-get install prometheus (.ci/run does)').toBe(true);
    expect(execFileSync('promtool', ['check', 'rules', RULES]).toString()).toContain(
      'SUCCESS: 9 rules found',
    );
    expect(execFileSync('promtool', ['test', 'rules', RULE_TESTS]).toString()).toContain('SUCCESS');
  });

  it('are one group of alerts, each with an expression, a severity, a summary and a description', () => {
    const rules = parse(readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
    expect(rules.groups.map((group) => group.name)).toEqual(['workstream']);
    for (const rule of rules.groups[0]?.rules ?? []) {
      expect(rule.alert).toMatch(/^Workstream[A-Za-z]+$/);
      expect(rule.expr.trim()).not.toBe('');
      expect(['info', 'warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).not.toBe('');
      expect(rule.annotations.description).not.toBe('');
    }
  });

  it('read only series the processes export, and each alert is explained in docs/operations.md', async () => {
    const names = await exportedNames();
    const rules = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] };
    const docs = readFileSync(OPERATIONS, 'utf8');
    for (const rule of rules.groups.flatMap((group) => group.rules)) {
      for (const series of seriesIn(rule.expr, names))
        expect(names, `${rule.alert} reads ${series}`).toContain(series);
      expect(docs, `${rule.alert} is explained`).toContain(`### ${rule.alert}`);
    }
  });
});

describe('the Grafana dashboard', () => {
  it('queries only series the processes export', async () => {
    const names = await exportedNames();
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    const queries = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((t) => [panel.title, t.expr]),
    );
    expect(queries.length).toBeGreaterThan(20);
    for (const [title, expr] of queries)
      for (const series of seriesIn(expr ?? '', names))
        expect(names, `${title} reads ${series}`).toContain(series);
  });
});

describe('docs/operations.md', () => {
  it('names every series of our own', async () => {
    const docs = readFileSync(OPERATIONS, 'utf8');
    const ours = [...(await exportedNames())].filter(
      (name) => !name.startsWith('workstream_process_') && !name.startsWith('workstream_nodejs_'),
    );
    expect(ours.length).toBeGreaterThan(30);
    for (const name of ours) expect(docs, name).toContain(`\`${name}\``);
  });
});

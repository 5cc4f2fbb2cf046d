/** The layering docs/architecture.md describes, held by reading every import in src. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Each module's imports of other modules in src (type-only imports included: they are coupling too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)\.js';/gms)].map((match) =>
      relative(SRC, resolve(dirname(file), `${match[1]}.ts`)),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** One cycle if any: the modules along it, first repeated at the end. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('the module layering', () => {
  const graph = importGraph();

  it('reads the imports it checks', () => {
    expect(graph.get('workstream/command.ts')).toContain('workstream/validate.ts');
  });

  it('has no import cycle in src', () => {
    expect(findCycle(graph)).toBeNull();
  });

  it('finds a cycle when there is one', () => {
    const looped = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(findCycle(looped)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  });

  it('keeps the domain pure: its modules import only each other', () => {
    const outside = [...graph]
      .filter(([file]) => file.startsWith('domain/'))
      .flatMap(([file, targets]) =>
        targets.filter((t) => !t.startsWith('domain/')).map((t) => `${file} → ${t}`),
      );
    expect(outside).toEqual([]);
  });

  it('keeps the application below the tools and the server', () => {
    const upward = [...graph]
      .filter(([file]) => /^(domain|store|workstream)\//.test(file))
      .flatMap(([file, targets]) =>
        targets.filter((t) => /^(tools|server|resources|prompts|cli)\//.test(t)).map((t) => `${file} → ${t}`),
      );
    expect(upward).toEqual([]);
  });
});

/**
 * The layout has no import cycles: every relative import of src/ and web/src/ (static, dynamic and type-only
 * ones alike, as madge counts them) forms a graph without a cycle. A cycle makes module start-up order matter
 * (a value read before its module ran) and ties folders that should stand apart.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const roots = ['src', 'web/src'].map((r) => resolve(r));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(f) && !/\.d\.ts$/.test(f) ? [p] : [];
  });
}

/** `./x.js`, `./x` or `./x/` (from `file`) → the .ts file it names, or null (a package, or not TypeScript). */
function resolveImport(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(file), spec);
  for (const p of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')])
    if (p.endsWith('.ts') && existsSync(p) && statSync(p).isFile()) return p;
  return null;
}

/** file → the files it imports. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of roots.flatMap(sources)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = info.importedFiles.map((i) => resolveImport(file, i.fileName)).filter((p): p is string => !!p);
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** Every cycle found by a depth-first walk (one per back edge), as paths relative to the repository. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].map((p) => relative('.', p)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

describe('import graph', () => {
  it('resolves the imports it walks (a check of the walker itself)', () => {
    const g = importGraph();
    expect(g.size).toBeGreaterThan(100);
    expect(g.get(resolve('src/cli/main.ts'))).toContain(resolve('src/util/errors.ts'));
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('has no cycle in src/ or web/src/', () => {
    const cycles = findCycles(importGraph()).map((c) => c.join(' -> '));
    expect(cycles.join('\n')).toBe('');
  });
});

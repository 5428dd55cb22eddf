// Imports point down only (HOUSE-STYLE.md): the table below is every edge allowed between the top-level
// folders of src/. domain/ imports nothing of ours; api/ and usage/ only domain/; flows/ those three; the
// faces cli/, vscode/ and server/ anything below them but never each other; extension.ts only vscode/.
// `import type` counts too: a type from another face is still a dependency on it. And no module cycle
// that survives compilation.
import assert from 'node:assert/strict';
import { importsOf, resolveRelative, sourceFiles, type SourceFile } from './sourceImports';

const BELOW_FACES = ['domain', 'api', 'usage', 'flows'];

export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  domain: [],
  api: ['domain'],
  usage: ['domain'],
  flows: ['domain', 'api', 'usage'],
  cli: BELOW_FACES,
  vscode: BELOW_FACES,
  server: BELOW_FACES,
  extension: ['vscode'],
};

/** src/cli/main.ts → cli; src/extension.ts → extension. */
function layerOf(path: string): string {
  const parts = path.split('/');
  return parts.length === 2 ? parts[1]!.replace(/\.ts$/, '') : parts[1]!;
}

export function upwardImports(files: readonly SourceFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    const allowed = ALLOWED[from];
    if (!allowed) {
      problems.push(
        `${file.path}: src/${from} is not in the table of layers (add it to ALLOWED in importGraph.test.ts)`,
      );
      continue;
    }
    for (const { specifier } of importsOf(file.text)) {
      const target = resolveRelative(file.path, specifier);
      if (!target?.startsWith('src/')) continue;
      const to = layerOf(target);
      if (to !== from && !allowed.includes(to))
        problems.push(
          `${file.path} imports ${specifier} (${from} → ${to} is not allowed; ${from} may import ${allowed.join(', ') || 'nothing of ours'})`,
        );
    }
  }
  return problems;
}

/** Cycles of imports that survive compilation, each as a path a → b → … → a. */
export function runtimeCycles(files: readonly SourceFile[]): string[] {
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(file.text)
      .filter((i) => !i.typeOnly)
      .map((i) => resolveRelative(file.path, i.specifier))
      .filter((t): t is string => t !== undefined);
    edges.set(file.path, targets);
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, stack: string[]) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next, stack);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, []);
  return cycles;
}

describe('import graph', () => {
  const files = sourceFiles();

  it('reads the whole source tree, every folder of it in the table', () => {
    assert.ok(files.length > 100, `only ${files.length} files under src/`);
    const layers = new Set(files.map((f) => layerOf(f.path)));
    for (const layer of ['domain', 'api', 'usage', 'flows', 'cli', 'vscode', 'server', 'extension'])
      assert.ok(layers.has(layer), `no src/${layer}`);
  });

  it('has only imports that point down the table', () => {
    assert.deepEqual(upwardImports(files), []);
  });

  it('has no import cycle between modules', () => {
    assert.deepEqual(runtimeCycles(files), []);
  });

  it('refuses an upward, a sideways and a type-only face import (the check itself works)', () => {
    const problems = upwardImports([
      { path: 'src/domain/money.ts', text: "import { flag } from '../cli/args';" },
      { path: 'src/vscode/x.ts', text: "import type { CliContext } from '../cli/cliContext';" },
      { path: 'src/cli/y.ts', text: "type M = typeof import('../server/main');" },
      { path: 'src/flows/z.ts', text: "import {\n  a,\n  b,\n} from '../vscode/config';" },
      {
        path: 'src/cli/ok.ts',
        text: "import { EXIT } from '../domain/exitCodes';\n// import { x } from '../vscode/config';",
      },
    ]);
    assert.deepEqual(
      problems.map((p) => p.split(' (')[0]),
      [
        'src/domain/money.ts imports ../cli/args',
        'src/vscode/x.ts imports ../cli/cliContext',
        'src/cli/y.ts imports ../server/main',
        'src/flows/z.ts imports ../vscode/config',
      ],
    );
  });

  it('finds a cycle, and ignores one made only of type imports', () => {
    const cycle = runtimeCycles([
      { path: 'src/a.ts', text: "import { b } from './b';" },
      { path: 'src/b.ts', text: "import { a } from './a';" },
      { path: 'src/c.ts', text: "import type { D } from './d';" },
      { path: 'src/d.ts', text: "import { c } from './c';" },
    ]);
    assert.deepEqual(cycle, ['src/a.ts → src/b.ts → src/a.ts']);
  });
});

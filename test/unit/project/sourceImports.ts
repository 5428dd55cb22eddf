// The import statements of the source tree, read as text (no compiler needed): what each file imports,
// and whether the import survives compilation (`import type` does not).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..', '..');

export interface SourceFile {
  /** e.g. src/cli/main.ts */
  path: string;
  text: string;
}

export interface Import {
  specifier: string;
  /** `import type …` / `export type … from`: gone after compilation */
  typeOnly: boolean;
}

export function sourceFiles(dir = join(ROOT, 'src')): SourceFile[] {
  const out: SourceFile[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts'))
      out.push({ path: relative(ROOT, path).split('\\').join('/'), text: readFileSync(path, 'utf8') });
  }
  return out;
}

/** Every module a file imports or requires: static, dynamic, type-only, re-exports, side-effect imports. */
export function importsOf(text: string): Import[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: Import[] = [];
  for (const m of code.matchAll(
    /\b(import|export)\s+(type\s+)?(?:[\w$*\s,]*\{[^}]*\}|[\w$*\s,]+?)\s*from\s*['"]([^'"]+)['"]/g,
  )) {
    found.push({ specifier: m[3]!, typeOnly: m[2] !== undefined });
  }
  for (const m of code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ specifier: m[1]!, typeOnly: false });
  for (const m of code.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g))
    found.push({ specifier: m[1]!, typeOnly: false });
  return found;
}

/** The source file a relative specifier names (`../domain/money` from src/cli/x.ts → src/domain/money.ts); undefined for packages. */
export function resolveRelative(fromPath: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const joined = posix.normalize(posix.join(dirname(fromPath).split('\\').join('/'), specifier));
  return joined.endsWith('.ts') ? joined : `${joined}.ts`;
}

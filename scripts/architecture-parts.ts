import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalRun, LocalRunOptions } from './local/runs/run';
import type { Smoke } from './smoke/smokes';

/**
 * Where the commands find a registered architecture's parts, by its name:
 * nothing lists architectures but the registry (lib/app/architectures.ts).
 * An architecture has, besides its folders under lib/, lambda/ and test/:
 */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Its smoke checks: `scripts/smoke/checks/<name>.ts`, exporting `smoke`. */
export const smokeFile = (name: string, root = PROJECT_ROOT) => path.join(root, 'scripts', 'smoke', 'checks', `${name}.ts`);

/** Its local run: `scripts/local/runs/<name>.ts`, exporting `localRun`, or `noLocalForm` (why it has none, and what to do instead). */
export const localRunFile = (name: string, root = PROJECT_ROOT) => path.join(root, 'scripts', 'local', 'runs', `${name}.ts`);

/** Its integ test: `test/integ/integ.<name>.ts`, exporting `integTest` (the app `npm run integ` deploys). */
export const integFile = (name: string, root = PROJECT_ROOT) => path.join(root, 'test', 'integ', `integ.${name}.ts`);

/** Its page: `docs/<name>.md`, with the sections below. */
export const docFile = (name: string, root = PROJECT_ROOT) => path.join(root, 'docs', `${name}.md`);

/** The sections every architecture's page has (`## <heading>`, in any order, among others). */
export const REQUIRED_DOC_SECTIONS = ['The course decision', 'Alarms', 'Deploy', 'Try it', 'Destroy', 'What it costs'] as const;

/** How an architecture runs under `npm run local`: a run, or the reason it has none. */
export type LocalForm =
  | { readonly run: (options: LocalRunOptions, print: (line: string) => void) => Promise<LocalRun> }
  | { readonly noLocalForm: string };

/** The architecture's smoke (its checks, context and clean-up). */
export function smokeOf(name: string): Smoke {
  const smoke = loaded(smokeFile(name))?.smoke as Smoke | undefined;
  if (!smoke) throw new Error(`${name} has no smoke checks (${path.relative(PROJECT_ROOT, smokeFile(name))} exporting smoke)`);
  return smoke;
}

/** The architecture's local form. */
export function localFormOf(name: string): LocalForm {
  const module = loaded(localRunFile(name));
  if (typeof module?.localRun === 'function') return { run: module.localRun as Extract<LocalForm, { run: unknown }>['run'] };
  if (typeof module?.noLocalForm === 'string') return { noLocalForm: module.noLocalForm };
  throw new Error(`${name} has no local run (${path.relative(PROJECT_ROOT, localRunFile(name))} exporting localRun or noLocalForm)`);
}

/** The architectures of `names` that run locally (read from their local-run files, loading none). */
export const locallyRunnable = <N extends string>(names: readonly N[]): N[] =>
  names.filter((name) => exportsOf(localRunFile(name)).has('localRun'));

/**
 * What a registered architecture lacks, one line each: smoke checks, a local
 * run or the stated reason it has none, an integ test, a doc page with the
 * required sections, a test folder. Empty when it is complete. `root` is the
 * project folder (another for a test).
 */
export function missingParts(name: string, root = PROJECT_ROOT): string[] {
  const missing: string[] = [];
  const relative = (file: string) => path.relative(root, file);
  if (!exportsOf(smokeFile(name, root)).has('smoke')) missing.push(`smoke checks: ${relative(smokeFile(name, root))} exporting smoke`);
  const local = exportsOf(localRunFile(name, root));
  if (!local.has('localRun') && !local.has('noLocalForm'))
    missing.push(`a local run or the reason it has none: ${relative(localRunFile(name, root))} exporting localRun or noLocalForm`);
  if (!exportsOf(integFile(name, root)).has('integTest'))
    missing.push(`an integ test: ${relative(integFile(name, root))} exporting integTest`);
  const doc = docFile(name, root);
  if (!existsSync(doc)) missing.push(`a doc page: ${relative(doc)}`);
  else {
    const headings = new Set([...readFileSync(doc, 'utf8').matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim()));
    for (const section of REQUIRED_DOC_SECTIONS) if (!headings.has(section)) missing.push(`a "## ${section}" section in ${relative(doc)}`);
  }
  const readme = path.join(root, 'README.md');
  if (existsSync(readme) && !readFileSync(readme, 'utf8').includes(`](docs/${name}.md)`))
    missing.push(`its row in the README's table, linking docs/${name}.md`);
  if (!existsSync(path.join(root, 'lib', name, 'architecture.ts'))) missing.push(`its entry point: lib/${name}/architecture.ts`);
  if (!existsSync(path.join(root, 'test', name))) missing.push(`its tests: test/${name}/`);
  return missing;
}

/** Names a module exports, read from its source (so checking completeness loads nothing). */
function exportsOf(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  const source = readFileSync(file, 'utf8');
  return new Set([...source.matchAll(/^export (?:async )?(?:const|function|let) (\w+)/gm)].map((m) => m[1]!));
}

function loaded(file: string): Record<string, unknown> | undefined {
  return existsSync(file) ? (require(file) as Record<string, unknown>) : undefined;
}

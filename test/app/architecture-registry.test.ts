/**
 * The registry (lib/app/architectures.ts) is the one list of architectures:
 * every command and test derives its list from it and finds an
 * architecture's parts by its name. This proves each registered
 * architecture has every part, that a missing part is named, that nothing
 * else lists architectures, and that no tool is built on a test file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ARCHITECTURE_NAMES, ARCHITECTURES, parseArchitectureNames } from '../../lib/app/architectures';
import {
  docFile,
  integFile,
  localFormOf,
  locallyRunnable,
  localRunFile,
  missingParts,
  REQUIRED_DOC_SECTIONS,
  smokeFile,
  smokeOf,
} from '../../scripts/architecture-parts';
import { architecturesOf, UsageError } from '../../scripts/command-line';
import { stageSynthesis } from '../helpers/stage-synthesis';

const ROOT = path.join(__dirname, '..', '..');

describe.each(ARCHITECTURE_NAMES)('%s', (name) => {
  test('has every part a registered architecture needs', () => {
    expect(missingParts(name)).toEqual([]);
  });

  test('its smoke checks and local form load by its name', () => {
    const smoke = smokeOf(name);
    expect(typeof smoke.context).toBe('function');
    const form = localFormOf(name);
    expect('run' in form ? typeof form.run : form.noLocalForm).toEqual(expect.stringMatching(/function|no local form/));
  });
});

describe('the completeness check', () => {
  const toyRoot = mkdtempSync(path.join(tmpdir(), 'toy-architecture-'));
  afterAll(() => rmSync(toyRoot, { recursive: true, force: true }));
  const doc = ['# Toy', ...REQUIRED_DOC_SECTIONS.map((section) => `## ${section}\n\nText.`)].join('\n\n');

  test('names each part a toy architecture lacks, and nothing once the recipe is followed', () => {
    expect(missingParts('toy', toyRoot)).toEqual([
      'smoke checks: scripts/smoke/checks/toy.ts exporting smoke',
      'a local run or the reason it has none: scripts/local/runs/toy.ts exporting localRun or noLocalForm',
      'an integ test: test/integ/integ.toy.ts exporting integTest',
      'a doc page: docs/toy.md',
      'its entry point: lib/toy/architecture.ts',
      'its tests: test/toy/',
    ]);
    write(path.join(toyRoot, 'lib', 'toy', 'architecture.ts'), 'export const toy = {};\n');
    write(path.join(toyRoot, 'test', 'toy', 'toy-stack.test.ts'), '');
    write(smokeFile('toy', toyRoot), 'export const smoke = { checks: [] };\n');
    write(localRunFile('toy', toyRoot), "export const noLocalForm = 'toy has no local form';\n");
    write(integFile('toy', toyRoot), 'export function integTest(app) {}\n');
    write(docFile('toy', toyRoot), doc);
    expect(missingParts('toy', toyRoot)).toEqual([]);
  });

  test('fails for an architecture without smoke checks, and for a page without a required section', () => {
    rmSync(smokeFile('toy', toyRoot), { force: true });
    write(docFile('toy', toyRoot), doc.replace('## Destroy', '## Tear down'));
    expect(missingParts('toy', toyRoot)).toEqual([
      'smoke checks: scripts/smoke/checks/toy.ts exporting smoke',
      'a "## Destroy" section in docs/toy.md',
    ]);
  });
});

describe('every list derives from the registry', () => {
  test('the app adds one stack per registered architecture, keyed by its name, in registry order', () => {
    expect(stageSynthesis('sandbox').stacks.map((stack) => stack.architecture)).toEqual(ARCHITECTURE_NAMES);
  });

  test('npm run local runs each architecture that has a local run; the others say why they have none', () => {
    const runnable = locallyRunnable(ARCHITECTURE_NAMES);
    expect(runnable.length).toBeGreaterThan(0);
    for (const name of ARCHITECTURE_NAMES.filter((n) => !runnable.includes(n))) {
      expect(localFormOf(name)).toEqual({ noLocalForm: expect.stringContaining(`${name} has no local form`) });
    }
  });

  test('an unknown name is refused in one line naming the registered ones', () => {
    expect(() => parseArchitectureNames(['menu'])).toThrow(`Unknown architecture menu (one of: ${ARCHITECTURE_NAMES.join(', ')})`);
    expect(() => architecturesOf(['serverless-api', 'menu'])).toThrow(UsageError);
    expect(architecturesOf([], ARCHITECTURE_NAMES)).toEqual(ARCHITECTURE_NAMES);
  });

  test('no file outside an architecture’s own names two architectures (a hand-written list)', () => {
    const files = sourceFilesOutsideTests();
    // The registry itself, and the app's one composition across slices (the database in the containers VPC).
    const allowed = new Set(['lib/app/architectures.ts', 'lib/app/coffee-shop-app.ts']);
    const lists = files
      .filter((file) => !allowed.has(file))
      .flatMap((file) => {
        const source = readFileSync(path.join(ROOT, file), 'utf8');
        const named = ARCHITECTURE_NAMES.filter((name) => new RegExp(`['"\`/]${name}['"\`/]|^\\s+'?${name}'?:`, 'm').test(source));
        return named.length > 1 ? [`${file}: ${named.join(', ')}`] : [];
      });
    expect(lists).toEqual([]);
  });
});

describe('tools are not built on tests', () => {
  test('no file outside test/ imports or requires a file under test/', () => {
    const files = sourceFilesOutsideTests();
    const offending = files.filter((file) =>
      /(?:from\s+|require\(\s*)['"](?:\.\.?\/)+(?:\.\.\/)*test\//.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(offending).toEqual([]);
  });

  test('Biome refuses such an import (noRestrictedImports in biome.jsonc, run by npm test)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lint-probe-'));
    try {
      copyFileSync(path.join(ROOT, 'biome.jsonc'), path.join(dir, 'biome.jsonc'));
      const probe = "import { x } from '../../test/helpers/synth';\n\nexport const y = x;\n";
      write(path.join(dir, 'scripts', 'local', 'probe.ts'), probe);
      write(path.join(dir, 'test', 'local', 'probe.ts'), probe);
      const biome = path.join(ROOT, 'node_modules', '.bin', 'biome');
      const scripts = spawnSync(biome, ['lint', '--vcs-enabled=false', 'scripts'], { cwd: dir, encoding: 'utf8' });
      expect(scripts.status).not.toBe(0);
      expect(scripts.stdout + scripts.stderr).toContain('noRestrictedImports');
      const tests = spawnSync(biome, ['lint', '--vcs-enabled=false', 'test'], { cwd: dir, encoding: 'utf8' });
      expect(tests.stdout + tests.stderr).not.toContain('noRestrictedImports');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The code files outside test/ (as git lists them, new ones included); there must be some, or the scans above prove nothing. */
function sourceFilesOutsideTests(): string[] {
  const listed = spawnSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', 'lib', 'scripts', 'bench', 'bin', 'stand-ins', 'lambda', 'web'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(listed.status).toBe(0);
  const files = listed.stdout.split('\n').filter((file) => /\.(ts|cjs|js)$/.test(file) && existsSync(path.join(ROOT, file)));
  expect(files.length).toBeGreaterThan(50);
  return files;
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

test('the registry lists the architectures in the order of the README’s table, by their folder names', () => {
  expect(ARCHITECTURES.map((a) => a.name)).toEqual(ARCHITECTURE_NAMES);
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(0, readme.indexOf('\n## '));
  const rows = [...table.matchAll(/^\|[^\n]*\]\(docs\/([\w-]+)\.md\)/gm)].map((m) => m[1]);
  expect(rows).toEqual(ARCHITECTURE_NAMES);
});

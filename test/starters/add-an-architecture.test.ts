/**
 * CONTRIBUTING.md's "Add an architecture", followed: a toy architecture
 * (test/starters/toy-architecture/, its files with a .txt suffix so this
 * project neither compiles nor lints them) is added to a copy of this
 * checkout by its own files, one registry entry and one README row; the
 * copy's whole `npm test` passes with it, and nothing else had to change.
 * Removing it the same way leaves the copy as it was.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'toy-architecture');
const REGISTRY = 'lib/app/architectures.ts';
const REGISTRY_IMPORT = "import { toy } from '../toy/architecture';\n";
const REGISTRY_ENTRY = '  toy, // 6. a toy (CONTRIBUTING.md, "Add an architecture")\n';
const README_ROW = '| 6   | Toy: one audit log group | a toy | **ready** | [docs/toy.md](docs/toy.md) |\n';

/** The toy's files, as the recipe names them (the fixture's paths without .txt). */
function toyFiles(dir = FIXTURE, prefix = ''): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const relative = path.join(prefix, entry);
    return statSync(path.join(dir, entry)).isDirectory() ? toyFiles(path.join(dir, entry), relative) : [relative.replace(/\.txt$/, '')];
  });
}

function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const git = (copy: string, ...args: string[]) => run('git', ['-c', 'user.email=toy@example.com', '-c', 'user.name=toy', ...args], copy);

/** `git status --porcelain`, untracked files listed one by one. */
const changed = (copy: string) =>
  git(copy, 'status', '--porcelain', '--untracked-files=all')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3))
    .sort();

/** The edits the recipe makes outside the architecture's own files: one registry entry (import and line), one README row. */
function addToRegistryAndReadme(copy: string): void {
  const registry = readFileSync(path.join(copy, REGISTRY), 'utf8');
  const lastImport = registry.lastIndexOf('\nimport ') + 1;
  const afterLastImport = registry.indexOf('\n', lastImport) + 1;
  const withImport = registry.slice(0, afterLastImport) + REGISTRY_IMPORT + registry.slice(afterLastImport);
  const entriesEnd = withImport.indexOf('] as const;');
  writeFileSync(path.join(copy, REGISTRY), withImport.slice(0, entriesEnd) + REGISTRY_ENTRY + withImport.slice(entriesEnd));
  const readme = readFileSync(path.join(copy, 'README.md'), 'utf8');
  const lastRow = readme.lastIndexOf('(docs/multi-az-database.md) |\n') + '(docs/multi-az-database.md) |\n'.length;
  writeFileSync(path.join(copy, 'README.md'), readme.slice(0, lastRow) + README_ROW + readme.slice(lastRow));
}

function removeFromRegistryAndReadme(copy: string): void {
  const registry = readFileSync(path.join(copy, REGISTRY), 'utf8');
  writeFileSync(path.join(copy, REGISTRY), registry.replace(REGISTRY_IMPORT, '').replace(REGISTRY_ENTRY, ''));
  const readme = readFileSync(path.join(copy, 'README.md'), 'utf8');
  writeFileSync(path.join(copy, 'README.md'), readme.replace(README_ROW, ''));
}

const work = mkdtempSync(path.join(tmpdir(), 'add-an-architecture-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('a toy architecture added as CONTRIBUTING.md says passes the whole npm test, touching only the files the recipe names; removed, it leaves nothing', () => {
  // A copy of this checkout (what git would check out, plus new files not yet committed), under git to see what changes.
  const copy = path.join(work, 'project');
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file && !file.startsWith('test/starters/toy-architecture/'));
  for (const file of listed) {
    const from = path.join(ROOT, file);
    try {
      if (!statSync(from).isFile()) continue;
    } catch {
      continue; // deleted in the work tree
    }
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    cpSync(from, path.join(copy, file));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  git(copy, 'init', '-q');
  git(copy, 'add', '-A');
  git(copy, 'commit', '-q', '-m', 'before the toy');

  // The recipe: its own files, the registry entry, the README row.
  const files = toyFiles();
  for (const file of files) {
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    cpSync(path.join(FIXTURE, `${file}.txt`), path.join(copy, file));
  }
  addToRegistryAndReadme(copy);
  // Its tests once (they write its template snapshots, which a run under CI=true would not), the cost blocks, then everything.
  run(path.join(copy, 'node_modules', '.bin', 'jest'), ['--ci=false', 'test/toy', 'test/integ'], copy);
  const costs = run(process.execPath, ['-r', './scripts/register-typescript.cjs', 'scripts/cost/cli.ts', '--update-docs'], copy);
  expect(costs).toMatch(/^updated +docs\/toy\.md$/m);

  const snapshots = ['test/integ/__snapshots__/', 'test/toy/__snapshots__/'];
  const touched = changed(copy);
  expect(touched.filter((file) => !files.includes(file) && !snapshots.some((dir) => file.startsWith(dir)))).toEqual([
    'README.md',
    'docs/delivery.md', // its cost block: the pipeline deploys the toy too
    REGISTRY,
  ]);
  const outsideCostBlock = (root: string) =>
    readFileSync(path.join(root, 'docs/delivery.md'), 'utf8').replace(/<!-- cost:begin[\s\S]*?<!-- cost:end -->/, '');
  expect(outsideCostBlock(copy)).toBe(outsideCostBlock(ROOT));
  expect(touched).toEqual(expect.arrayContaining(files));
  expect(touched.filter((file) => file.startsWith('test/integ/__snapshots__/'))).toEqual([
    expect.stringMatching(/^test\/integ\/__snapshots__\/Integ-CoffeeShop-Toy-sandbox\.template\.json$/),
    expect.stringMatching(/^test\/integ\/__snapshots__\/Integ-CoffeeShopToysandbox.*DeployAssert.*\.template\.json$/),
  ]);

  // The whole test command of the copy (tsc, Biome, every Jest suite), with the toy in every list.
  const tested = spawnSync('npm', ['test'], { cwd: copy, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  expect({ status: tested.status, tail: tested.status === 0 ? '' : `${tested.stdout}\n${tested.stderr}`.slice(-6000) }).toEqual({
    status: 0,
    tail: '',
  });
  expect(`${tested.stdout}${tested.stderr}`).toMatch(/PASS test\/toy\/toy-stack\.test\.ts/);

  // Removed the same way: its files, its registry entry and README row, the cost blocks again.
  for (const file of changed(copy).filter((file) => files.includes(file) || snapshots.some((dir) => file.startsWith(dir)))) {
    rmSync(path.join(copy, file));
  }
  removeFromRegistryAndReadme(copy);
  run(process.execPath, ['-r', './scripts/register-typescript.cjs', 'scripts/cost/cli.ts', '--update-docs'], copy);
  expect(changed(copy)).toEqual([]);
});

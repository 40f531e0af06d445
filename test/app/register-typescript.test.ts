import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The TypeScript loader of `cdk synth` and every command keeps what esbuild
 * made of each file, by the file's text: an unchanged file is not
 * transformed again (esbuild is not even loaded), and a changed one always is.
 */
describe('scripts/register-typescript.cjs', () => {
  const ROOT = path.join(__dirname, '..', '..');
  let project: string;

  beforeEach(() => {
    // A project of its own (its own node_modules/.cache), with the loader and esbuild.
    project = mkdtempSync(path.join(tmpdir(), 'register-typescript-'));
    mkdirSync(path.join(project, 'scripts'));
    for (const file of ['register-typescript.cjs', 'check-node.cjs']) {
      copyFileSync(path.join(ROOT, 'scripts', file), path.join(project, 'scripts', file));
    }
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(path.join(ROOT, 'node_modules', 'esbuild'), path.join(project, 'node_modules', 'esbuild'));
    writeFileSync(path.join(project, 'main.ts'), "import { word } from './word';\nconsole.log(word as string);\n");
    writeFileSync(path.join(project, 'word.ts'), "export const word: string = 'first';\n");
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  /** Runs main.ts; what it printed, and whether this process loaded esbuild. */
  const runMain = () => {
    const result = spawnSync(
      process.execPath,
      [
        '-r',
        './scripts/register-typescript.cjs',
        '-e',
        "require('./main.ts'); console.log(Object.keys(require.cache).some((f) => f.includes('esbuild')))",
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    const [printed, loadedEsbuild] = result.stdout.trim().split('\n');
    return { printed, loadedEsbuild: loadedEsbuild === 'true' };
  };
  const kept = () => readdirSync(path.join(project, 'node_modules', '.cache', 'coffee-shop-typescript'));

  test('the first run transforms each file and keeps it; the next one reads them and never starts esbuild', () => {
    expect(runMain()).toEqual({ printed: 'first', loadedEsbuild: true });
    expect(kept()).toHaveLength(2);
    expect(runMain()).toEqual({ printed: 'first', loadedEsbuild: false });
    expect(kept()).toHaveLength(2);
  });

  test('a changed file is transformed again', () => {
    runMain();
    writeFileSync(path.join(project, 'word.ts'), "export const word: string = 'second';\n");
    expect(runMain()).toEqual({ printed: 'second', loadedEsbuild: true });
    expect(kept()).toHaveLength(3);
  });

  test('a cache that cannot be written is skipped, never an error', () => {
    // node_modules/.cache is a file: nothing can be kept.
    writeFileSync(path.join(project, 'node_modules', '.cache'), '');
    expect(runMain()).toEqual({ printed: 'first', loadedEsbuild: true });
    expect(runMain()).toEqual({ printed: 'first', loadedEsbuild: true });
  });
});

import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { createStarter, PROJECT_ROOT, StarterError } from '../../scripts/starter/create-starter';
import { bin, run, workDirectory } from './starter-commands';

/**
 * Starters on their own: one installs its dependencies from its own
 * package.json and lock file and passes its own tests, local run and smoke
 * checks; one renamed with --name passes its own tests and upgrade check;
 * npm run starter's --name and working-directory handling.
 */
const work = workDirectory('standalone-starters-');

test('the serverless-api starter installs its own dependencies from its package.json and passes its own tests', () => {
  const dir = path.join(work, 'standalone-serverless-api');
  createStarter('serverless-api', dir);
  // Its own lock file, its own node_modules; packages the project's own install already fetched come from npm's cache.
  run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], dir);
  const output = run('npm', ['test'], dir);
  expect(output).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  expect(output).not.toMatch(/Tests:.*failed/);
});

test('a starter made with --name BeanCounter is renamed throughout, and passes its own tests and upgrade check', () => {
  const dir = path.join(work, 'bean-counter-orders');
  const files = createStarter('decoupled-orders', dir, { name: 'BeanCounter' });
  expect(readFileSync(path.join(dir, 'lib/shared/project-name.ts'), 'utf8')).toMatch(
    /PROJECT_NAME = 'BeanCounter';[\s\S]*PROJECT_TAG = 'bean-counter';/,
  );
  // No stale name is left: only code identifiers (addCoffeeShopStacks, coffee-shop-app.ts) keep it.
  const stale = files
    .filter((file) => /\.(ts|md|json)$/.test(file) && file !== 'package-lock.json')
    .filter((file) => /CoffeeShop-|CoffeeShop\/|coffee-shop-platform|dbname=coffeeshop/.test(readFileSync(path.join(dir, file), 'utf8')));
  expect(stale).toEqual([]);
  expect(files.filter((file) => file.includes('CoffeeShop'))).toEqual([]);
  const snapshots = readdirSync(path.join(dir, 'test/decoupled-orders/__snapshots__'));
  expect(snapshots.sort()).toEqual(['BeanCounter-Orders-production.template.json', 'BeanCounter-Orders-sandbox.template.json']);
  expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name).toBe('bean-counter-decoupled-orders');
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const tested = run(bin('jest'), [], dir);
  expect(tested).toMatch(/^jest: [1-9]\d* passed, 0 failed/m);
  const checked = run(
    process.execPath,
    ['-r', './scripts/register-typescript.cjs', 'scripts/upgrade/cli.ts', '--stage', 'production'],
    dir,
  );
  expect(checked).toMatch(/^1 stack compared: 0 data at risk/m);
});

test('a bad --name is refused in one line, and nothing is written', () => {
  const dir = path.join(work, 'bad-name');
  for (const name of ['coffee', 'Has-Dash', 'X']) {
    expect(() => createStarter('serverless-api', dir, { name })).toThrow(StarterError);
    expect(existsSync(dir)).toBe(false);
  }
});

test('run from a subdirectory, npm run starter writes where the user stands and prints a cd that works from there', () => {
  const subdir = path.join(work, 'from-here', 'deeper');
  mkdirSync(subdir, { recursive: true });
  const printed = run(
    process.execPath,
    ['-r', './scripts/register-typescript.cjs', 'scripts/starter/cli.ts', 'containers-on-ec2', 'mine'],
    PROJECT_ROOT,
    {
      INIT_CWD: subdir,
    },
  );
  expect(existsSync(path.join(subdir, 'mine', 'package.json'))).toBe(true);
  expect(printed).toContain('\n  cd mine\n');
});

test("the serverless-api starter's own npm run local serves it and its own smoke passes against it", async () => {
  const dir = path.join(work, 'standalone-serverless-api');
  expect(existsSync(path.join(dir, 'node_modules'))).toBe(true);
  const { spawn } = await import('node:child_process');
  const local = spawn(process.execPath, ['-r', './scripts/register-typescript.cjs', 'scripts/local/cli.ts', 'serverless-api'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  local.stdout.on('data', (chunk) => (output += chunk));
  local.stderr.on('data', (chunk) => (output += chunk));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => /is running locally/.test(output) && (clearInterval(timer), resolve()), 200);
      local.once('exit', (code) => (clearInterval(timer), reject(new Error(`npm run local exited with ${code}:\n${output}`))));
    });
    const smoke = run(
      process.execPath,
      ['-r', './scripts/register-typescript.cjs', 'scripts/smoke/cli.ts', 'serverless-api', '--local'],
      dir,
    );
    expect(smoke).toMatch(/^[1-9]\d* passed, 0 failed$/m);
  } finally {
    const exited = new Promise((resolve) => local.once('exit', resolve));
    local.kill('SIGINT');
    await exited;
  }
});

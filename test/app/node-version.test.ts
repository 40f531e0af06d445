/** An older Node.js is refused first, in one line naming the version needed. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const { checkNode, NEEDED } = require('../../scripts/check-node.cjs') as {
  checkNode(version?: string): string | undefined;
  NEEDED: number;
};

test('Node 20 is refused in one sentence that names the version needed and .nvmrc; the running Node passes', () => {
  expect(checkNode('20.20.2')).toBe(
    `This project needs Node.js ${NEEDED} or newer (see .nvmrc; \`nvm use\` or \`fnm use\` picks it), and this is Node.js 20.20.2.`,
  );
  expect(checkNode()).toBeUndefined();
  expect(checkNode(`${NEEDED}.0.0`)).toBeUndefined();
});

test('.nvmrc and package.json engines name the same major version as the check', () => {
  const packageJson = require('../../package.json') as { engines: { node: string }; scripts: { test: string } };
  expect(require('node:fs').readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim()).toBe(String(NEEDED));
  expect(packageJson.engines.node).toBe(`>=${NEEDED}`);
  expect(packageJson.scripts.test.startsWith('node scripts/check-node.cjs && ')).toBe(true);
});

const asNode20 = (code: string) =>
  spawnSync(process.execPath, ['-e', `Object.defineProperty(process.versions, 'node', { value: '20.20.2' }); ${code}`], {
    cwd: ROOT,
    encoding: 'utf8',
  });
const REFUSAL = `This project needs Node.js ${NEEDED} or newer (see .nvmrc; \`nvm use\` or \`fnm use\` picks it), and this is Node.js 20.20.2.`;

test('TypeScript commands that work on an older Node (cdk synth, cost) warn in one line and go on', () => {
  const result = asNode20("require('./scripts/register-typescript.cjs'); console.log('loaded')");
  expect(result.status).toBe(0);
  expect(result.stderr.trim()).toBe(`Warning: ${REFUSAL}`);
  expect(result.stdout).toContain('loaded');
});

test('npm test and npm run local, which need the local backends, stop first on an older Node', () => {
  const test = asNode20("require('./scripts/check-node.cjs').exitOnOldNode(); console.log('went on')");
  expect([test.status, test.stderr.trim(), test.stdout]).toEqual([1, REFUSAL, '']);
  const local = asNode20(
    "process.argv.push('serverless-api'); require('./scripts/register-typescript.cjs'); require('./scripts/local/cli.ts'); setTimeout(() => console.log('went on'), 2000)",
  );
  expect(local.status).toBe(1);
  expect(local.stderr.trim().split('\n').pop()).toBe(REFUSAL);
  expect(local.stdout).not.toContain('went on');
});

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

test('every TypeScript command (cdk synth, local, smoke, cost) stops first on an older Node, before loading anything', () => {
  // A Node that reports itself as 20: the check reads process.versions, which a preload can set.
  const result = spawnSync(
    process.execPath,
    [
      '-e',
      "Object.defineProperty(process.versions, 'node', { value: '20.20.2' }); require('./scripts/register-typescript.cjs'); console.log('loaded')",
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(result.status).toBe(1);
  expect(result.stderr.trim()).toBe(
    `This project needs Node.js ${NEEDED} or newer (see .nvmrc; \`nvm use\` or \`fnm use\` picks it), and this is Node.js 20.20.2.`,
  );
  expect(result.stdout).not.toContain('loaded');
});

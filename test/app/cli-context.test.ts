import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** `npx cdk synth` as a user runs it, with its context arguments; returns the exit code and what was printed. */
function cdkSynth(...context: string[]) {
  const out = mkdtempSync(path.join(tmpdir(), 'cli-context-'));
  try {
    const root = path.join(__dirname, '..', '..');
    const args = ['synth', '-q', '-o', out, ...context.flatMap((c) => ['-c', c])];
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk'), args, { cwd: root, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// Each case is a real CLI run (a few seconds): an unknown key, a persistent key given with -c
// and a bad value here; test/shared/context.test.ts covers every kind of mistake in-process.
describe('context mistakes stop `cdk synth` with one sentence and no stack trace', () => {
  test.each([
    ['natGateway=0', /Error: Unknown context key natGateway \(did you mean natGateways\?\)\./],
    // bin/app.ts compares with what cdk.json holds (no databaseNetwork): a one-off -c is refused.
    ['databaseNetwork=containers', /Error: Context key databaseNetwork must be set in cdk.json's "context"/],
    ['natGateways=abc', /Error: Invalid context value natGateways="abc": expected a whole number from 0 to 2/],
  ])('-c %s', (context, message) => {
    const { status, output } = cdkSynth(context);
    expect(status).not.toBe(0);
    expect(output).toMatch(message);
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toMatch(/\.ts:\d+/); // no source location or excerpt
  });
});

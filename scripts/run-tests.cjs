#!/usr/bin/env node
/**
 * `npm test`: the type check (tsc), the linter (Biome) and the Jest suites,
 * started together so both cores stay busy (tsc runs while Jest's global
 * setup waits for the local backends and while its workers synthesize).
 * Jest's output streams as it comes; tsc's and Biome's are printed when each
 * ends (in full when it failed, as its summary line when it passed). The
 * run fails if any of the three fails, and the last line names each one's
 * result, so a type error is never hidden by passing tests.
 *
 * Arguments are passed to Jest (`npm test -- test/app`).
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const bin = (name) => path.join(__dirname, '..', 'node_modules', '.bin', name);

/** Runs a command; `stream` prints its output live, otherwise it is kept and printed at the end. */
function start(label, command, args, stream) {
  return new Promise((resolve) => {
    const output = [];
    const child = spawn(command, args, { stdio: stream ? 'inherit' : ['ignore', 'pipe', 'pipe'], env: process.env });
    if (!stream) {
      child.stdout.on('data', (chunk) => output.push(chunk));
      child.stderr.on('data', (chunk) => output.push(chunk));
    }
    child.on('error', (error) => resolve({ label, code: 1, output: Buffer.from(`${label} could not start: ${error.message}\n`) }));
    child.on('close', (code, signal) => resolve({ label, code: code ?? (signal ? 1 : 0), output: Buffer.concat(output) }));
  });
}

async function main() {
  const checks = [start('tsc', bin('tsc'), ['--noEmit'], false), start('biome', bin('biome'), ['check', '.'], false)];
  const jest = start('jest', bin('jest'), process.argv.slice(2), true);
  const results = await Promise.all([...checks, jest]);
  for (const result of results.slice(0, 2)) {
    const text = result.output.toString().trim();
    // A failure in full; a pass as its summary lines (Biome's warnings are listed by `npm run lint`).
    const shown =
      result.code === 0
        ? text
            .split('\n')
            .filter((line) => /^(Checked|Found) /.test(line))
            .join('\n')
        : text;
    if (shown) process.stdout.write(`\n── ${result.label} ──\n${shown}\n`);
  }
  const summary = results.map((r) => `${r.label} ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`}`).join(', ');
  process.stdout.write(`\nnpm test: ${summary}\n`);
  process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
}

main();

/**
 * The proof of `npm run local` and `npm run smoke -- --local`: each
 * architecture with a local form starts from its template, every smoke check
 * passes against it, nothing it starts (the API, the backends, the IAM
 * gates) listens beyond the loopback interface, and Ctrl-C removes what it
 * made.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ARCHITECTURE_NAMES } from '../../lib/app/architectures';
import { locallyRunnable, smokeOf } from '../../scripts/architecture-parts';
import { localTarget } from '../../scripts/smoke/target';
import { isLoopback, listenersOf, listenersOnPorts } from './listeners';
import { checkLines, runSmoke, startLocal, stateExists, stateFile } from './local-process';

describe.each(locallyRunnable(ARCHITECTURE_NAMES))('%s', (architecture) => {
  test('runs locally and passes every smoke check; Ctrl-C removes its data', async () => {
    const local = await startLocal([architecture]);
    try {
      expect(stateExists(architecture)).toBe(true);
      const workDir = /Function logs and data: (\S+)/.exec(local.output())![1]!;
      expect(existsSync(workDir)).toBe(true);

      // Anyone on the network could otherwise read and write the run's tables and queues.
      // Its own process tree's, and whatever listens on a port its state names (a server that daemonized).
      const statePorts = new Set([...readFileSync(stateFile(architecture), 'utf8').matchAll(/:(\d{2,5})\b/g)].map((m) => Number(m[1])));
      const listeners = [...listenersOf(local.child.pid!), ...listenersOnPorts(statePorts)];
      expect(listeners.length).toBeGreaterThanOrEqual(2);
      expect(listeners.filter((listener) => !isLoopback(listener.address))).toEqual([]);

      const smoke = await runSmoke([architecture, '--local']);
      const { passed, failed } = checkLines(smoke.stdout);
      const smokeDefinition = smokeOf(architecture);
      const expected =
        typeof smokeDefinition.checks === 'function' ? smokeDefinition.checks(localTarget(architecture)) : smokeDefinition.checks;
      expect({ failed, status: smoke.status }).toEqual({ failed: [], status: 0 });
      expect(passed).toEqual(expected.map((check) => check.name));

      expect(await local.stop()).toBe(0);
      expect(stateExists(architecture)).toBe(false);
      expect(existsSync(workDir)).toBe(false);
    } finally {
      await local.stop();
    }
  });
});

test('a second run of the same architecture at once is refused, naming the first', async () => {
  const first = await startLocal(['serverless-api']);
  try {
    const pid = JSON.parse(readFileSync(stateFile('serverless-api'), 'utf8')).pid;
    await expect(startLocal(['serverless-api'])).rejects.toThrow(`serverless-api is already running locally (process ${pid})`);
  } finally {
    await first.stop();
  }
});

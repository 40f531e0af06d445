/** `npm run local` that cannot start says which part failed and why, and leaves nothing behind. */
import { createServer } from 'node:net';
import * as path from 'node:path';
import { runSmoke, startLocal, stateExists } from './local-process';

test('a backend that cannot start is named with its reason', async () => {
  // Only Node on PATH: DynamoDB Local finds no Java.
  const env = { PATH: path.dirname(process.execPath) };
  await expect(startLocal(['serverless-api'], 120_000, env)).rejects.toThrow(
    /serverless-api did not start locally:\nDynamoDB Local did not start: DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH/,
  );
  expect(stateExists('serverless-api')).toBe(false);
});

test('a port in use is named', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    await expect(startLocal(['decoupled-orders', '--port', String(port)])).rejects.toThrow(
      `The local REST API could not listen on port ${port}: listen EADDRINUSE`,
    );
    expect(stateExists('decoupled-orders')).toBe(false);
  } finally {
    taken.close();
  }
});

test('containers-on-ec2 says it has no local form and points at the smoke, in both commands', async () => {
  await expect(startLocal(['containers-on-ec2'])).rejects.toThrow(/has no local form.*npm run smoke -- containers-on-ec2/s);
  const smoke = await runSmoke(['containers-on-ec2', '--local']);
  expect(smoke.status).toBe(1);
  expect(smoke.stderr).toMatch(/^containers-on-ec2 has no local form: .*npm run smoke -- containers-on-ec2\n$/);
});

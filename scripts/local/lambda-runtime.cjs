/**
 * One local Lambda execution environment: a Node process with the function's
 * environment variables that loads the bundled handler once (its init code
 * runs once, as in a cold start) and then invokes it for each event the host
 * sends over IPC, answering with the result or the error, as Lambda does.
 */
const bundle = process.argv[2];
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
const timeoutMs = Number(process.env.LOCAL_FUNCTION_TIMEOUT_MS);
let handler;
try {
  ({ handler } = require(bundle));
  if (typeof handler !== 'function') throw new Error(`${bundle} exports no handler function`);
} catch (error) {
  process.send({ initError: { errorType: error?.name ?? 'Error', errorMessage: String(error?.message ?? error) } });
  process.exit(1);
}

process.on('message', async ({ id, event }) => {
  const deadline = Date.now() + timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: require('node:crypto').randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(event, context);
    process.send({ id, result: result === undefined ? null : result });
  } catch (error) {
    process.send({ id, error: { errorType: error?.name ?? 'Error', errorMessage: String(error?.message ?? error) } });
  }
});
process.send({ ready: true });

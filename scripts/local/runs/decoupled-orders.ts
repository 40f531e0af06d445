import { randomUUID } from 'node:crypto';
import { LOCAL_CURL_SIGV4 } from '../../../stand-ins/sigv4-check';
import { synthesizeArchitecture } from '../../template/synth';
import { startServerlessStack } from '../serverless-stack';
import { localOutputs } from '../state';
import type { LocalRun, LocalRunOptions } from './run';

/**
 * The orders API: POST /orders through the template's mapping templates to
 * the order queue (fauxqs), the worker driven by the event source mapping,
 * order events fanned out by SNS to the barista queue, GET /orders/{id}.
 */
export async function localRun(options: LocalRunOptions): Promise<LocalRun> {
  const { stack: stackName, template } = synthesizeArchitecture('decoupled-orders');
  const stack = await startServerlessStack(template, options);
  const apiUrl = stack.apiUrl!;
  const outputs: Record<string, string> = { ...localOutputs(template.Outputs, (v) => stack.resources.resolve(v)), ApiUrl: apiUrl };
  const sqsEndpoint = stack.backends.sqsSns!.endpoint;
  return {
    state: {
      stackName,
      outputs,
      endpoints: { sqs: sqsEndpoint, dynamodb: stack.backends.dynamodb!.endpoint },
      local: {},
    },
    instructions: [
      `Orders API: ${apiUrl}  (the template's request and response templates in front of a local SQS; worker and SNS fan-out running)`,
      'Place an order (IAM-authorized; locally the key "local" with secret "local" is verified in full):',
      `  curl -s ${LOCAL_CURL_SIGV4} -H 'Content-Type: application/json' -H 'Idempotency-Key: ${randomUUID()}' \\`,
      `    -d '{"customerName":"Ada","items":[{"menuItemId":"${randomUUID()}","quantity":2,"size":"large"}]}' ${apiUrl}orders`,
      `Then its status: curl -s ${LOCAL_CURL_SIGV4} ${apiUrl}orders/<orderId>`,
      `Barista tickets queue: ${outputs.BaristaTicketQueueUrl ?? '(none)'} on ${sqsEndpoint}`,
      'Check everything at once: npm run smoke -- decoupled-orders --local',
    ],
    stop: stack.stop,
  };
}

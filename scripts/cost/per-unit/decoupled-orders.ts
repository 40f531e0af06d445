import type { CfnTemplate } from '../../template/template';
import { functionMemoryGb, hasType, KB_PER_MILLION_IN_GB, lambdaGbSecond, line, type PerUnitCost, result, sqsBatchSize } from '../per-unit';
import { PRICES } from '../prices';

/** What a million units of the decoupled-orders architecture's work cost, read from its template. */
export function perUnit(template: CfnTemplate): PerUnitCost {
  const batch = sqsBatchSize(template);
  const memoryGb = functionMemoryGb(template, 'WorkerHandler');
  const invocations = 1 / batch;
  const lines = [
    line('API Gateway REST requests', 1, PRICES.restApiRequestMillion),
    ...(hasType(template, 'AWS::WAFv2::WebACL') ? [line('WAF requests', 1, PRICES.wafRequestMillion)] : []),
    line(`SQS order queue (send, then receive and delete in batches of ${batch})`, 1 + 2 * invocations, PRICES.sqsRequestMillion),
    line(`Lambda worker requests (batches of ${batch})`, invocations, PRICES.lambdaRequestMillion),
    line(
      `Lambda worker compute (300 ms per batch at ${memoryGb * 1024} MB)`,
      1e6 * invocations * 0.3 * memoryGb,
      lambdaGbSecond(template, 'WorkerHandler'),
    ),
    line('DynamoDB writes (order, idempotency record and its update)', 3, PRICES.dynamodbWriteMillion),
    line('SNS order events (delivery to SQS is free)', 1, PRICES.snsPublishMillion),
    line('SQS barista queue (receive and delete in batches of 10)', 0.2, PRICES.sqsRequestMillion),
    line('CloudWatch Logs (access and worker logs)', 1.5 * KB_PER_MILLION_IN_GB, PRICES.logsIngestedGb),
    line('X-Ray traces (5 % sampled)', 0.05, PRICES.xrayTraceMillion),
  ];
  return result('orders', `one order per request, worker batches of ${batch}, about 1.5 KB of logs per order`, lines);
}

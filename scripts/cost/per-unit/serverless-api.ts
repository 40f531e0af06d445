import type { CfnTemplate } from '../../template/template';
import {
  executionLogsAtInfo,
  functionMemoryGb,
  hasType,
  KB_PER_MILLION_IN_GB,
  lambdaGbSecond,
  line,
  type PerUnitCost,
  result,
} from '../per-unit';
import { PRICES } from '../prices';

/** What a million units of the serverless-api architecture's work cost, read from its template. */
export function perUnit(template: CfnTemplate): PerUnitCost {
  const memoryGb = functionMemoryGb(template, 'ReadHandler');
  const lines = [
    line('API Gateway REST requests', 1, PRICES.restApiRequestMillion),
    ...(hasType(template, 'AWS::WAFv2::WebACL') ? [line('WAF requests', 1, PRICES.wafRequestMillion)] : []),
    line('Lambda requests', 1, PRICES.lambdaRequestMillion),
    line(`Lambda compute (50 ms at ${memoryGb * 1024} MB)`, 1e6 * 0.05 * memoryGb, lambdaGbSecond(template, 'ReadHandler')),
    line('DynamoDB reads (1 read unit each)', 0.9, PRICES.dynamodbReadMillion),
    line('DynamoDB writes (1 write unit each)', 0.1, PRICES.dynamodbWriteMillion),
    line(
      'CloudWatch Logs (access and function logs; a sandbox adds INFO execution logs)',
      (executionLogsAtInfo(template) ? 2.5 : 1) * KB_PER_MILLION_IN_GB,
      PRICES.logsIngestedGb,
    ),
    line('X-Ray traces (5 % sampled)', 0.05, PRICES.xrayTraceMillion),
  ];
  return result('menu requests', '90 % reads and 10 % writes, 50 ms per invocation, about 1 KB of logs per request', lines);
}

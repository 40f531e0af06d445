import { startServerlessStack } from '../serverless-stack';
import { LOCAL_CURL_SIGV4 } from '../sigv4-check';
import { localOutputs } from '../state';
import { synthesizeSandbox } from '../synthesized-template';
import type { LocalRun, LocalRunOptions } from './run';

/** The menu API: the REST API from the template, the two real handlers, DynamoDB Local. */
export async function runServerlessApi(options: LocalRunOptions): Promise<LocalRun> {
  const template = synthesizeSandbox('serverless-api');
  const stack = await startServerlessStack(template, options);
  const apiUrl = stack.apiUrl!;
  return {
    state: {
      stackName: template.stackName,
      outputs: { ...localOutputs(template.Outputs, (v) => stack.resources.resolve(v)), ApiUrl: apiUrl },
      endpoints: { dynamodb: stack.backends.dynamodb!.endpoint },
      local: {},
    },
    instructions: [
      `Menu API: ${apiUrl}  (routes, models, IAM auth and gateway responses from the template; DynamoDB Local behind it)`,
      'Read (no signature needed):',
      `  curl -s ${apiUrl}menu-items`,
      `Write (IAM-authorized: sign with SigV4; locally any key works, the key "local" with secret "local" is verified in full):`,
      `  curl -s ${LOCAL_CURL_SIGV4} -H 'Content-Type: application/json' -d '{"name":"Flat white","category":"coffee","priceCents":350}' ${apiUrl}menu-items`,
      'Unsigned writes get 403, as in AWS. Check everything at once: npm run smoke -- serverless-api --local',
    ],
    stop: stack.stop,
  };
}

import { LOCAL_CURL_SIGV4 } from '../../../stand-ins/sigv4-check';
import { synthesizeArchitecture } from '../../template/synth';
import { startServerlessStack } from '../serverless-stack';
import { localOutputs } from '../state';
import type { LocalRun, LocalRunOptions } from './run';

/** The menu API: the REST API from the template, the two real handlers, DynamoDB Local. */
export async function localRun(options: LocalRunOptions): Promise<LocalRun> {
  const { stack: stackName, template } = synthesizeArchitecture('serverless-api');
  const stack = await startServerlessStack(template, options);
  const apiUrl = stack.apiUrl!;
  return {
    state: {
      stackName,
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

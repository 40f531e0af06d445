import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import type { App } from 'aws-cdk-lib';
import { serverlessApi } from '../../lib/serverless-api/architecture';
import { addIntegTest, probeRequest, signedRequestProbe, synthWhenRun } from './integ-app';

const FLAT_WHITE = { name: 'Integ flat white', category: 'coffee', priceCents: 380 };

/**
 * The menu API deployed as the sandbox deploys it: a signed create, a read
 * back, an update, the same update again refused as stale (409), bad input
 * (400) and an unsigned write (403) refused, and the table holding exactly
 * the one item.
 */
export function integTest(app: App) {
  return addIntegTest(app, {
    architecture: serverlessApi,
    assert: (test) => {
      const { api } = test.stack.menuApi.gateway;
      const probe = signedRequestProbe(test, api.url, [
        api.arnForExecuteApi('*', '/menu-items', '*'),
        api.arnForExecuteApi('*', '/menu-items/*', '*'),
      ]);
      const { assertions } = test.integ;
      const call = (request: Parameters<typeof probeRequest>[0]) =>
        assertions.invokeFunction({ functionName: probe.functionName, payload: probeRequest(request) });

      const create = call({ method: 'POST', path: 'menu-items', body: FLAT_WHITE, signed: true });
      create.assertAtPath('Payload.status', ExpectedResult.exact(201));
      const id = create.getAttString('Payload.body.id');

      const read = call({ method: 'GET', path: `menu-items/${id}`, signed: false });
      read.assertAtPath('Payload.body.priceCents', ExpectedResult.exact(FLAT_WHITE.priceCents));

      const update = {
        method: 'PUT',
        path: `menu-items/${id}`,
        body: { ...FLAT_WHITE, priceCents: 400, version: 1 },
        signed: true,
      } as const;
      const fresh = call(update);
      fresh.assertAtPath('Payload.status', ExpectedResult.exact(200));
      const stale = call(update);
      stale.assertAtPath('Payload.status', ExpectedResult.exact(409));

      const badInput = call({ method: 'POST', path: 'menu-items', body: { ...FLAT_WHITE, priceCents: -1, extra: true }, signed: true });
      badInput.assertAtPath('Payload.status', ExpectedResult.exact(400));
      const unsigned = call({ method: 'POST', path: 'menu-items', body: FLAT_WHITE, signed: false });
      unsigned.assertAtPath('Payload.status', ExpectedResult.exact(403));

      // Exactly one item, at version 2 with the new price: the refused writes wrote nothing.
      const table = assertions.awsApiCall('DynamoDB', 'scan', { TableName: test.stack.table.tableName });
      table.expect(ExpectedResult.objectLike({ Count: 1, Items: [{ id: { S: id }, version: { N: '2' }, priceCents: { N: '400' } }] }));

      create.next(read).next(fresh).next(stale).next(badInput).next(unsigned).next(table);
    },
  });
}

synthWhenRun(module, integTest);

import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  GetNamedQueryCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { kinesisClient, readAllRecords } from '../../../stand-ins/kinesis-local';
import { eventProblems } from '../../../web/clickstream/event-schema';
import { type Check, eventually, expectThat } from '../run-checks';
import type { Smoke } from '../smokes';
import { output, type SmokeTarget } from '../target';

interface Context {
  readonly target: SmokeTarget;
  readonly sessionId: string;
  readonly menuItemId: string;
  readonly events: Record<string, unknown>[];
  readonly startedAt: number;
  visitor?: AwsCredentialIdentityProvider;
}

/** Clicks in the batch: the saved query must count exactly these for the smoke item. */
const CLICKS = 5;

function batch(sessionId: string, menuItemId: string): Record<string, unknown>[] {
  const base = { session_id: sessionId, page_path: '/', viewport_width: 1280, occurred_at: Date.now() };
  return [
    { ...base, event_id: randomUUID(), event_type: 'page_view' },
    ...Array.from({ length: CLICKS }, () => ({
      ...base,
      event_id: randomUUID(),
      event_type: 'menu_item_click',
      menu_item_id: menuItemId,
      menu_section: 'smoke-test',
    })),
  ];
}

const kinesisFor = (context: Context) =>
  new KinesisClient({
    region: context.target.region,
    credentials: context.visitor,
    ...(context.target.endpoints.kinesis ? { endpoint: context.target.endpoints.kinesis } : {}),
    // HTTP/1.1, which kinesalite needs and Kinesis accepts.
    requestHandler: new NodeHttpHandler(),
  });

const common: Check<Context>[] = [
  {
    name: 'the identity pool gives a guest visitor credentials (Cognito unauthenticated flow)',
    readOnly: true,
    async run(context) {
      const { target } = context;
      const endpoint = target.endpoints.cognitoIdentity;
      const visitor = fromCognitoIdentityPool({
        identityPoolId: output(target, 'IdentityPoolId'),
        clientConfig: { region: target.region, ...(endpoint ? { endpoint } : {}) },
      });
      const credentials = await visitor();
      expectThat(Boolean(credentials.accessKeyId && credentials.sessionToken), 'no temporary credentials came back');
      context.visitor = async () => credentials;
    },
  },
  {
    name: `PutRecords of a page view and ${CLICKS} clicks as that visitor: no record fails`,
    async run(context) {
      if (!context.visitor) throw new Error('no visitor credentials');
      for (const event of context.events)
        expectThat(eventProblems(event).length === 0, `the smoke's own event is invalid: ${eventProblems(event)}`);
      const kinesis = kinesisFor(context);
      try {
        const answer = await kinesis.send(
          new PutRecordsCommand({
            StreamName: output(context.target, 'StreamName'),
            Records: context.events.map((event) => ({ Data: Buffer.from(JSON.stringify(event)), PartitionKey: context.sessionId })),
          }),
        );
        expectThat(
          answer.FailedRecordCount === 0,
          `${answer.FailedRecordCount} record(s) failed: ${answer.Records?.find((r) => r.ErrorCode)?.ErrorMessage}`,
        );
      } finally {
        kinesis.destroy();
      }
    },
  },
];

/** Locally the data path ends at the stream (Firehose, S3 and Athena have no local form). */
const localOnly: Check<Context>[] = [
  {
    name: 'the batch is in the stream, in order, under its session',
    async run(context) {
      const kinesis = kinesisClient(context.target.endpoints.kinesis!, {
        region: context.target.region,
        credentials: context.target.credentials,
      });
      try {
        const records = (await readAllRecords(kinesis, output(context.target, 'StreamName'))).filter(
          (r) => r.session_id === context.sessionId,
        );
        expectThat(
          JSON.stringify(records.map((r) => r.event_id)) === JSON.stringify(context.events.map((e) => e.event_id)),
          `found ${records.length} of the ${context.events.length} events`,
        );
      } finally {
        kinesis.destroy();
      }
    },
  },
];

/** Firehose buffers up to 60 s (the sandbox's interval); the check allows for a slow first delivery. */
const DELIVERED_WITHIN_MS = 6 * 60_000;

const deployedOnly: Check<Context>[] = [
  {
    name: 'Firehose delivers Parquet under events/dt=YYYY-MM-DD-HH/ (nothing under errors/)',
    async run(context) {
      const { target } = context;
      const s3 = new S3Client({ region: target.region, credentials: target.credentials });
      const bucket = output(target, 'DataLakeBucket');
      try {
        const since = context.startedAt - 60_000;
        const recent = async (prefix: string) => {
          const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
          return Contents.filter((o) => (o.LastModified?.getTime() ?? 0) >= since);
        };
        const delivered = await eventually(
          async () => ((await recent('events/')).length > 0 ? await recent('events/') : undefined),
          DELIVERED_WITHIN_MS,
          'no new object under events/',
          10_000,
        );
        expectThat(
          delivered.every((o) => /^events\/dt=\d{4}-\d{2}-\d{2}-\d{2}\//.test(o.Key!)),
          `unexpected keys: ${delivered.map((o) => o.Key)}`,
        );
        const errors = await recent('errors/');
        expectThat(errors.length === 0, `Firehose wrote failed records: ${errors.map((o) => o.Key).join(', ')}`);
      } finally {
        s3.destroy();
      }
    },
  },
  {
    name: `the saved "most viewed" Athena query counts the ${CLICKS} clicks`,
    async run(context) {
      const { target } = context;
      const athena = new AthenaClient({ region: target.region, credentials: target.credentials });
      try {
        const { NamedQuery } = await athena.send(new GetNamedQueryCommand({ NamedQueryId: output(target, 'MostViewedItemsQueryId') }));
        const { QueryExecutionId } = await athena.send(
          new StartQueryExecutionCommand({
            QueryString: NamedQuery!.QueryString,
            QueryExecutionContext: { Database: NamedQuery!.Database },
            WorkGroup: output(target, 'AthenaWorkGroup'),
          }),
        );
        await eventually(
          async () => {
            const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
            const state = QueryExecution?.Status?.State;
            if (state === 'FAILED' || state === 'CANCELLED')
              throw new Error(`query ${state}: ${QueryExecution?.Status?.StateChangeReason}`);
            return state === 'SUCCEEDED' ? true : undefined;
          },
          120_000,
          'the query did not finish',
          2000,
        );
        const { ResultSet } = await athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
        const rows = (ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((d) => d.VarCharValue));
        const ours = rows.find((row) => row[0] === context.menuItemId);
        expectThat(
          ours?.[2] === String(CLICKS),
          `expected ${CLICKS} clicks for ${context.menuItemId}, got ${JSON.stringify(ours ?? 'no row')}`,
        );
      } finally {
        athena.destroy();
      }
    },
  },
];

export const smoke: Smoke = {
  checks: (target: SmokeTarget) => [...common, ...(target.mode === 'local' ? localOnly : deployedOnly)],
  context: (target: SmokeTarget): Context => {
    const sessionId = randomUUID();
    const menuItemId = `smoke-${sessionId.slice(0, 8)}`;
    return { target, sessionId, menuItemId, events: batch(sessionId, menuItemId), startedAt: Date.now() };
  },
  /** Click events are immutable analytics data: the smoke's six records stay in the stream (24 h) and the data lake. */
  async cleanUp(): Promise<void> {},
};

import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { menuPageContentSecurityPolicy } from '../../../lib/clickstream/menu-site';
import { startAll } from '../../../stand-ins/backends/backend';
import { CognitoIdentityStandIn } from '../../../stand-ins/cognito-identity-stand-in';
import { kinesalite, kinesisClient } from '../../../stand-ins/kinesis-local';
import { serveMenuSite } from '../../../stand-ins/menu-site-server';
import { LOCAL_CREDENTIALS } from '../../../stand-ins/sigv4-check';
import { buildMenuSite } from '../../../web/clickstream/build-site';
import type { SiteConfig } from '../../../web/clickstream/menu-page';
import { synthesizeArchitecture } from '../../template/synth';
import { resourcesOfType } from '../../template/template';
import { createLocalResources } from '../aws-resources';
import { startRoleGates, unauthenticatedRole } from '../iam/role-gates';
import { resourceRules } from '../iam/template-policies';
import { LOCAL_REGION, LocalResources } from '../intrinsics';
import { localOutputs } from '../state';
import { Teardown } from '../teardown';
import type { LocalRun, LocalRunOptions } from './run';

/**
 * The menu page as deployed (the same build), served with CloudFront's
 * Content-Security-Policy and a config.json that points the page at
 * kinesalite (the template's stream) and a stand-in for Cognito Identity's
 * guest flow. Events arriving in the stream are counted per session and
 * printed as they come. Firehose, S3, Glue and Athena have no local form:
 * the run stops at the stream.
 */
export async function localRun(options: LocalRunOptions, print: (line: string) => void = () => undefined): Promise<LocalRun> {
  const { stack: stackName, template } = synthesizeArchitecture('clickstream');
  const [backend] = await startAll([kinesalite]);
  const kinesis = kinesisClient(backend!.endpoint, { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const resources = new LocalResources(stackName);
  const teardown = new Teardown();
  teardown.add(() => backend!.stop());
  teardown.add(() => kinesis.destroy());
  try {
    await createLocalResources(template, { kinesis }, resources);
    const [poolId] = resourcesOfType(template, 'AWS::Cognito::IdentityPool')[0]!;
    const identityPoolId = `${LOCAL_REGION}:${randomUUID()}`;
    resources.set(poolId, { Ref: identityPoolId, Name: poolId });
    const cognito = new CognitoIdentityStandIn(identityPoolId);
    const cognitoEndpoint = await cognito.start();
    teardown.add(() => cognito.stop());
    const [streamId] = resourcesOfType(template, 'AWS::Kinesis::Stream')[0]!;
    const streamName = resources.get(streamId)!.Ref;
    // The page writes with the visitor role's credentials: its calls pass an IAM gate with that role's policies.
    const visitor = await startRoleGates(
      template,
      unauthenticatedRole(template, identityPoolId),
      resources,
      resourceRules(template, resources),
      { kinesis: backend!.endpoint },
      stackName,
    );
    for (const gate of visitor.gates) teardown.add(() => gate.stop());
    const pageKinesis = visitor.env.AWS_ENDPOINT_URL_KINESIS!;

    const siteDir = path.join(options.workDir, 'site');
    buildMenuSite(siteDir);
    const config: SiteConfig = {
      region: LOCAL_REGION,
      identityPoolId,
      streamName,
      endpoints: { kinesis: pageKinesis, cognitoIdentity: cognitoEndpoint },
    };
    writeFileSync(path.join(siteDir, 'config.json'), JSON.stringify(config));
    const site = await serveMenuSite(
      siteDir,
      menuPageContentSecurityPolicy({ kinesis: pageKinesis, cognitoIdentity: cognitoEndpoint }),
      options.port,
    );
    teardown.add(() => site.stop());
    const pageUrl = site.url;

    const counter = new SessionCounter(kinesis, streamName, print);
    counter.start();
    teardown.add(() => counter.stop());

    return {
      state: {
        stackName,
        outputs: { ...localOutputs(template.Outputs, (v) => resources.resolve(v)), MenuPageUrl: pageUrl },
        endpoints: { kinesis: backend!.endpoint, cognitoIdentity: cognitoEndpoint },
        local: {},
      },
      instructions: [
        `Menu page: ${pageUrl}  (open it and click menu items; its events go to the local stream ${streamName})`,
        'Events arriving in the stream are counted below, per page visit (session).',
        'Firehose to S3, Glue and Athena have no local form: try them with the deployed stack (docs/clickstream.md).',
        'Check the ingestion path at once: npm run smoke -- clickstream --local',
      ],
      stop: teardown.run,
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/** Reads the stream as it fills and prints the running count of events per session. */
class SessionCounter {
  private running = true;
  private loop?: Promise<void>;
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly print: (line: string) => void,
  ) {}

  start(): void {
    this.loop = this.run().catch((error) => {
      if (this.running) this.print(`[live count] stopped: ${(error as Error).message}`);
    });
  }

  private async run(): Promise<void> {
    const { Shards = [] } = await this.kinesis.send(new ListShardsCommand({ StreamName: this.streamName }));
    const iterators = new Map<string, string | undefined>();
    for (const shard of Shards) {
      const { ShardIterator } = await this.kinesis.send(
        new GetShardIteratorCommand({ StreamName: this.streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      iterators.set(shard.ShardId!, ShardIterator);
    }
    while (this.running) {
      const changed = new Set<string>();
      for (const [shardId, iterator] of iterators) {
        if (!iterator) continue;
        const page = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        iterators.set(shardId, page.NextShardIterator);
        for (const record of page.Records ?? []) {
          let event: { session_id?: string; event_type?: string };
          try {
            event = JSON.parse(Buffer.from(record.Data!).toString('utf8'));
          } catch {
            event = { session_id: '(not JSON)', event_type: 'unreadable' };
          }
          const session = String(event.session_id ?? '(no session)');
          const byType = this.counts.get(session) ?? new Map<string, number>();
          byType.set(String(event.event_type), (byType.get(String(event.event_type)) ?? 0) + 1);
          this.counts.set(session, byType);
          changed.add(session);
        }
      }
      for (const session of changed) {
        const byType = this.counts.get(session)!;
        const total = [...byType.values()].reduce((a, b) => a + b, 0);
        this.print(`[live count] session ${session}: ${total} event(s) (${[...byType].map(([type, n]) => `${type} ${n}`).join(', ')})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

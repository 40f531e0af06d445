import * as path from 'node:path';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture as CpuArchitecture, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Architecture } from '../../lib/shared/architecture';
import { bundledHandlerCode, NODE_RUNTIME } from '../../lib/shared/observed-function';
import type { StageConfig } from '../../lib/shared/stage-config';
import { StageLogGroup } from '../../lib/shared/stage-log-group';
import { INTEG_STAGE, RUN_AT_CONTEXT_KEY } from '../../scripts/integ/integ-run';
import { STAGE_CONTEXTS, scopeFor } from '../../scripts/template/synth';
import type { SignedRequest } from '../../stand-ins/signed-request';

/** The run time without RUN_AT_CONTEXT_KEY (the offline snapshot check): fixed, so the snapshot is stable. */
export const SNAPSHOT_RUN_AT = Date.UTC(2026, 0, 1, 12);

/** What an integ test's assertions are written against. */
export interface IntegCase<S extends Stack> {
  readonly stage: Stage;
  /** The sandbox stage's settings, as the architecture got them. */
  readonly stageConfig: StageConfig;
  /** The architecture's stack, built exactly as the sandbox builds it. */
  readonly stack: S;
  readonly integ: IntegTest;
  /** When the run started (epoch milliseconds). */
  readonly runAt: number;
}

/** One integ test: which architecture it deploys, and its assertions. */
export interface IntegTestDefinition<S extends Stack> {
  readonly architecture: Architecture<S>;
  /** Adds the assertions (integ-tests-alpha calls, in the order they must run). */
  readonly assert: (test: IntegCase<S>) => void;
}

/**
 * Adds an integ test to `app`: the architecture's sandbox stacks in the
 * Integ stage (the same constructs, context and stage settings a sandbox
 * deploy uses), and integ-tests-alpha's assertion stack beside them. The
 * assertions run as custom resources when the assertion stack deploys.
 */
export function addIntegTest<S extends Stack>(app: App, definition: IntegTestDefinition<S>): IntegCase<S> {
  const stage = new Stage(app, INTEG_STAGE);
  const { architecture } = definition;
  const scope = scopeFor(architecture, STAGE_CONTEXTS.sandbox, stage);
  const stack = architecture.add(scope);
  const integ = new IntegTest(stage, `${stack.node.id}-Test`, {
    testCases: [stack],
    // The sandbox stage is destroyable by design (no retained data, no termination protection).
    diffAssets: false,
  });
  const runAtContext = app.node.tryGetContext(RUN_AT_CONTEXT_KEY);
  const runAt = runAtContext === undefined ? SNAPSHOT_RUN_AT : Number(runAtContext);
  if (!Number.isSafeInteger(runAt)) throw new Error(`${RUN_AT_CONTEXT_KEY} must be epoch milliseconds, got ${runAtContext}`);
  const test: IntegCase<S> = { stage, stageConfig: scope.stage, stack, integ, runAt };
  definition.assert(test);
  return test;
}

/**
 * A function in its own probe stack that sends one HTTP request to
 * `baseUrl`, signed with its role's credentials when asked
 * (`stand-ins/signed-request.ts`, which the smoke signs with too): how the assertions call IAM-authorized API
 * methods as a staff client would.
 */
export function signedRequestProbe(test: IntegCase<Stack>, baseUrl: string, invokeArns: string[]): LambdaFunction {
  const stack = new Stack(test.stage, `${test.stack.node.id}-Probe`, {
    description: 'Integ test probe: signs requests to the API under test',
  });
  const logGroup = new StageLogGroup(stack, 'Logs', { stage: test.stageConfig });
  const probe = new LambdaFunction(stack, 'SignedRequest', {
    code: bundledHandlerCode(path.join(__dirname, '..', '..', 'stand-ins', 'signed-request.ts')),
    handler: 'index.handler',
    runtime: NODE_RUNTIME,
    architecture: CpuArchitecture.ARM_64,
    timeout: Duration.seconds(30),
    logGroup,
    environment: { BASE_URL: baseUrl },
  });
  probe.addToRolePolicy(new PolicyStatement({ actions: ['execute-api:Invoke'], resources: invokeArns }));
  return probe;
}

/** The payload of one probe invocation. */
export function probeRequest(request: SignedRequest): string {
  return JSON.stringify(request);
}

/**
 * `node -r ./scripts/register-typescript.cjs test/integ/integ.<architecture>.ts`
 * (what `npm run integ` gives the CDK CLI as `--app`) synthesizes the test;
 * importing the file (the snapshot check) does not.
 */
export function synthWhenRun(module: NodeModule, build: (app: App) => unknown): void {
  if (require.main !== module) return;
  const app = new App();
  build(app);
  app.synth();
}

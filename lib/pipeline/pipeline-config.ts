import { ARCHITECTURE_NAMES, type ArchitectureName, isArchitectureName } from '../app/architectures';
import { ConfigError, type ContextKey, type ContextReader, optionalString } from '../shared/context';

/**
 * The delivery pipeline's settings, read from context like every other
 * setting (docs/delivery.md). `-c pipeline=true` asks for the pipeline; the
 * app then synthesizes `CoffeeShop-Pipeline` (and the stages it deploys)
 * instead of the stacks a person deploys by hand.
 */
export interface PipelineConfig {
  /** The repository the pipeline builds, through an AWS CodeConnections connection. */
  readonly source: { readonly connectionArn: string; readonly repository: string; readonly branch: string };
  /** Where the pipeline runs (the tools account); its stages deploy to the same Region. */
  readonly tools: { readonly account: string; readonly region: string };
  readonly sandboxAccount: string;
  readonly productionAccount: string;
  /** What it delivers, in registry order. */
  readonly architectures: readonly ArchitectureName[];
}

export const PIPELINE_KEY = 'pipeline';

/** The pipeline's context keys; the rest of the app's keys set its production stage as they set a hand deploy. */
export const PIPELINE_CONTEXT_KEYS: readonly ContextKey[] = [
  {
    name: PIPELINE_KEY,
    description: 'true synthesizes the delivery pipeline (CoffeeShop-Pipeline) instead of the stacks (docs/delivery.md)',
  },
  {
    name: 'pipelineConnectionArn',
    description:
      'ARN of the AWS CodeConnections connection to the repository host (arn:aws:codeconnections:<region>:<account>:connection/<id>)',
  },
  { name: 'pipelineRepository', description: 'The repository the pipeline builds, as owner/name on GitHub, GitLab or Bitbucket' },
  { name: 'pipelineBranch', description: 'The branch the pipeline builds (default main)' },
  { name: 'pipelineAccount', description: 'The tools account id the pipeline runs in (12 digits)' },
  { name: 'pipelineRegion', description: 'The Region of the pipeline and of every stack it deploys (e.g. eu-west-1)' },
  { name: 'sandboxAccount', description: 'The account id the pipeline deploys the sandbox stage to first (12 digits)' },
  {
    name: 'productionAccount',
    description: 'The account id the pipeline deploys production to, after the upgrade check and an approval (12 digits)',
  },
  {
    name: 'pipelineArchitectures',
    description: 'The architectures the pipeline delivers, comma-separated (default all)',
  },
];

/** Whether the context asks for the pipeline. */
export function pipelineRequested(read: ContextReader): boolean {
  const value = read(PIPELINE_KEY);
  if (value === undefined || value === null || value === '') return false;
  const text = String(value).trim();
  if (text !== 'true' && text !== 'false') throw new ConfigError(PIPELINE_KEY, value, 'true or false');
  return text === 'true';
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const CONNECTION_ARN = /^arn:aws(-[a-z]+)*:(codeconnections|codestar-connections):[a-z]{2}(-[a-z]+)+-\d:\d{12}:connection\/[0-9a-f-]{36}$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const BRANCH = /^[A-Za-z0-9._/-]+$/;

function required(read: ContextReader, key: string, pattern: RegExp, accepted: string): string {
  const value = optionalString(read, key, accepted);
  if (value === undefined || !pattern.test(value)) throw new ConfigError(key, read(key), accepted);
  return value;
}

/** Reads the pipeline's keys; a missing or malformed one ends synth with one sentence naming it. */
export function parsePipelineConfig(read: ContextReader): PipelineConfig {
  if (read('stage') !== undefined) {
    throw new ConfigError(
      'stage',
      read('stage'),
      'no stage with -c pipeline=true: the pipeline deploys the sandbox stage, then production',
    );
  }
  const account = (key: string) => required(read, key, ACCOUNT, 'a 12-digit AWS account id such as 111111111111');
  const connectionArn = required(
    read,
    'pipelineConnectionArn',
    CONNECTION_ARN,
    'an AWS CodeConnections connection ARN such as arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
  );
  const repository = required(read, 'pipelineRepository', REPOSITORY, 'owner/name of the repository, such as my-org/coffee-shop');
  const branchAccepted = 'a branch name such as main';
  const branch = optionalString(read, 'pipelineBranch', branchAccepted) ?? 'main';
  if (!BRANCH.test(branch)) throw new ConfigError('pipelineBranch', read('pipelineBranch'), branchAccepted);
  const tools = {
    account: account('pipelineAccount'),
    region: required(read, 'pipelineRegion', REGION, 'a Region name such as eu-west-1'),
  };
  return {
    source: { connectionArn, repository, branch },
    tools,
    sandboxAccount: account('sandboxAccount'),
    productionAccount: account('productionAccount'),
    architectures: parseArchitectureList(read),
  };
}

function parseArchitectureList(read: ContextReader): ArchitectureName[] {
  const accepted = `a comma-separated list of ${ARCHITECTURE_NAMES.join(', ')}`;
  const text = optionalString(read, 'pipelineArchitectures', accepted);
  if (text === undefined) return [...ARCHITECTURE_NAMES];
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => !isArchitectureName(name)) || new Set(names).size !== names.length || names.length === 0) {
    throw new ConfigError('pipelineArchitectures', read('pipelineArchitectures'), accepted);
  }
  // In registry order, whatever order they were given in.
  return ARCHITECTURE_NAMES.filter((name) => names.includes(name));
}

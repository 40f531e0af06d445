import type { ArchitectureName } from '../app/architectures';
import type { PipelineConfig } from './pipeline-config';

/**
 * The commands the delivery pipeline's steps run, as plain data: every one is
 * a script of this project (package.json) with arguments its parser accepts,
 * which test/pipeline proves by parsing each.
 */

/** Node.js as the project needs it (.nvmrc), installed with `n` (in CodeBuild's standard images). */
export const INSTALL_NODE = 'n "$(cat .nvmrc)"';

/** A shell word: quoted unless it is made of characters a shell leaves alone. */
export const shellWord = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);

/** `-c key=value` flags, in the order given. */
export const contextFlags = (context: Readonly<Record<string, string>>) =>
  Object.entries(context).map(([key, value]) => `-c ${shellWord(`${key}=${value}`)}`);

/** The synth step's commands: install, every test, and the synth of the pipeline with the context it was synthesized with. */
export function synthCommands(context: Readonly<Record<string, string>>): string[] {
  return ['npm ci', 'npm test', ['npx cdk synth', ...contextFlags(context)].join(' ')];
}

/** After a stack deploys: its architecture's smoke checks, in the target account through its checks role. */
export function smokeCommand(
  architecture: ArchitectureName,
  stage: 'sandbox' | 'production',
  region: string,
  checksRoleArn: string,
): string {
  return [
    'npm run smoke --',
    architecture,
    `--stage ${stage}`,
    `--region ${region}`,
    `--role-arn ${checksRoleArn}`,
    ...(stage === 'production' ? ['--read-only'] : []),
  ].join(' ');
}

/** The account's CDK bootstrap lookup role (read-only; `cdk bootstrap --trust` makes it trust the tools account). */
export const lookupRoleArn = (account: string, region: string) =>
  `arn:aws:iam::${account}:role/cdk-hnb659fds-lookup-role-${account}-${region}`;

/** The folder the gate finds the synth step's cloud assembly in. */
export const ASSEMBLY_INPUT = 'pipeline.out';

/**
 * The gate before production: the production stacks this run is about to
 * deploy (the synthesized assembly) against those deployed in the production
 * account. Data at risk fails the step, and the pipeline stops with the report.
 */
export function upgradeGateCommand(config: PipelineConfig): string {
  const { productionAccount, tools, architectures } = config;
  return [
    'npm run upgrade-check --',
    '--stage production',
    '--deployed',
    `--region ${tools.region}`,
    `--role-arn ${lookupRoleArn(productionAccount, tools.region)}`,
    `--assembly ${ASSEMBLY_INPUT}`,
    ...architectures,
  ].join(' ');
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import cdkJson from '../../cdk.json';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { architectureScope } from '../../lib/shared/architecture';
import { parseStage } from '../../lib/shared/stage-config';

/** One resource of a synthesized CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly Metadata?: Record<string, unknown>;
}

export interface SynthesizedTemplate {
  readonly stackName: string;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

/** The architectures by folder name. */
export const ARCHITECTURE_NAMES = ARCHITECTURES.map((architecture) => architecture.name);

/**
 * The architecture's sandbox stack, synthesized here exactly as `cdk synth`
 * builds it (cdk.json's feature flags, the sandbox stage), without bundling
 * the functions: the local run bundles the handler files the template names.
 * The template is the source of truth for routes, models, templates, queues
 * and environment variables.
 */
export function synthesizeSandbox(architectureName: string): SynthesizedTemplate {
  const architecture = ARCHITECTURES.find((a) => a.name === architectureName);
  if (!architecture) throw new Error(`Unknown architecture ${architectureName} (one of: ${ARCHITECTURE_NAMES.join(', ')})`);
  const outdir = mkdtempSync(path.join(tmpdir(), 'coffee-shop-local-synth-'));
  try {
    const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const raw: Record<string, unknown> = { stage: 'sandbox' };
    const read = (key: string) => raw[key];
    const stack = architecture.add(architectureScope(architecture, app, parseStage(read), read));
    const template = app.synth().getStackArtifact(stack.artifactId).template as Omit<SynthesizedTemplate, 'stackName'>;
    return { stackName: stack.stackName, ...template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Resources of one type, as [logicalId, resource]. */
export function resourcesOfType(template: SynthesizedTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

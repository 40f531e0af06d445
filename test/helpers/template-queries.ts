import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { Architecture } from '../../lib/shared/architecture';
import { SANDBOX_EXPIRY_ID } from '../../lib/shared/sandbox-expiry';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';
import { type CfnResource, resourcesOfType, type TemplateSource } from '../../scripts/template/template';
import { synthArchitecture } from './synth';

/** Resources of a type that belong to the architecture itself, without the sandbox expiry every sandbox stack has (lib/shared/sandbox-expiry.ts). */
export function ownResourcesOf(template: TemplateSource, type: string): [string, CfnResource][] {
  return resourcesOfType(template, type).filter(([id]) => !id.startsWith(SANDBOX_EXPIRY_ID));
}

/** One architecture's template in both stages, and the pairs `test.each` takes. */
export function stageTemplates(architecture: Architecture<Stack>): {
  sandbox: Template;
  production: Template;
  stages: readonly (readonly ['sandbox' | 'production', Template])[];
} {
  const sandbox = synthArchitecture(architecture, STAGE_CONTEXTS.sandbox).template;
  const production = synthArchitecture(architecture, STAGE_CONTEXTS.production).template;
  const stages = [
    ['sandbox', sandbox],
    ['production', production],
  ] as const;
  return { sandbox, production, stages };
}

import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { Architecture } from '../../lib/shared/architecture';
import { SANDBOX_EXPIRY_ID } from '../../lib/shared/sandbox-expiry';
import { STAGE_CONTEXTS, synthArchitecture } from './synth';

/** A resource of a synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, any>;
  readonly DeletionPolicy?: string;
  readonly DependsOn?: string[];
  readonly Metadata?: Record<string, string>;
}

/** Every resource of one type, as [logical id, resource]. */
export function resourcesOf(template: Template, type: string): [string, TemplateResource][] {
  return Object.entries(template.findResources(type)) as [string, TemplateResource][];
}

/** Resources of a type that belong to the architecture itself, without the sandbox expiry every sandbox stack has (lib/shared/sandbox-expiry.ts). */
export function ownResourcesOf(template: Template, type: string): [string, TemplateResource][] {
  return resourcesOf(template, type).filter(([id]) => !id.startsWith(SANDBOX_EXPIRY_ID));
}

/** The one resource of a type; fails the test if there are none or several. */
export function onlyResourceOf(template: Template, type: string): TemplateResource {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0]![1];
}

/** One architecture's template in both stages, and the pairs `test.each` takes. */
export function stageTemplates(architecture: Architecture<Stack>) {
  const sandbox = synthArchitecture(architecture, STAGE_CONTEXTS.sandbox).template;
  const production = synthArchitecture(architecture, STAGE_CONTEXTS.production).template;
  const stages = [
    ['sandbox', sandbox],
    ['production', production],
  ] as const;
  return { sandbox, production, stages };
}

import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { PROJECT_TAG } from './project-name';
import type { StageConfig } from './stage-config';

/** The project tag value shared by every architecture (see project-name.ts). */
export { PROJECT_TAG } from './project-name';

/** The cost-allocation tag keys (budgets filter on them, so they are named once). */
export const TAG_KEYS = { project: 'project', architecture: 'architecture', stage: 'stage' } as const;

/**
 * Cost-allocation tags on every taggable resource under `scope`: which
 * project, which architecture and which stage it belongs to.
 */
export function tagArchitecture(scope: IConstruct, architecture: string, stage: StageConfig): void {
  Tags.of(scope).add(TAG_KEYS.project, PROJECT_TAG);
  Tags.of(scope).add(TAG_KEYS.architecture, architecture);
  Tags.of(scope).add(TAG_KEYS.stage, stage.name);
}

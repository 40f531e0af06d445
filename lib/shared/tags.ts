import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StageConfig } from './stage-config';

/** The project tag value shared by every architecture. */
export const PROJECT_TAG = 'coffee-shop-platform';

/**
 * Cost-allocation tags on every taggable resource under `scope`: which
 * project, which architecture and which stage it belongs to.
 */
export function tagArchitecture(scope: IConstruct, architecture: string, stage: StageConfig): void {
  Tags.of(scope).add('project', PROJECT_TAG);
  Tags.of(scope).add('architecture', architecture);
  Tags.of(scope).add('stage', stage.name);
}

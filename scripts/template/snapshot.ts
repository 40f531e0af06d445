import * as path from 'node:path';
import type { CfnTemplate } from './template';

const ASSET_HASHES = /[0-9a-f]{64}/g;

/** The Metadata key under which `cdk synth` writes each resource's construct path. */
const CONSTRUCT_PATH = 'aws:cdk:path';

/**
 * A template as `cdk synth` writes it, without the construct path it puts in
 * each resource's Metadata (a Metadata left empty goes too): the paths say
 * where a resource is declared, not what is deployed, and an assertion or a
 * snapshot reads what is deployed. What the paths feed stays as synthesized
 * (the logical id of an API's deployment hashes them).
 */
export function withoutConstructPaths(template: CfnTemplate): CfnTemplate {
  if (!template.Resources) return template;
  const resources = Object.entries(template.Resources).map(([id, resource]) => {
    if (!resource.Metadata || !(CONSTRUCT_PATH in resource.Metadata)) return [id, resource];
    const { [CONSTRUCT_PATH]: _, ...metadata } = resource.Metadata;
    // Each key where it was, so a snapshot file's diff shows only what changed.
    const kept = Object.entries(resource).flatMap(([key, value]) =>
      key !== 'Metadata' ? [[key, value]] : Object.keys(metadata).length > 0 ? [[key, metadata]] : [],
    );
    return [id, Object.fromEntries(kept)];
  });
  return { ...template, Resources: Object.fromEntries(resources) };
}

/**
 * A template as its snapshot file holds it: pretty JSON without construct
 * paths and with asset hashes replaced, so a snapshot changes only when the
 * template does, not when a handler's source or a dependency changes.
 */
export function normalizedTemplate(template: unknown): string {
  const json = JSON.stringify(withoutConstructPaths(template as CfnTemplate), null, 2);
  return `${json.replace(ASSET_HASHES, '[ASSET-HASH]')}\n`;
}

/** Where a stack's snapshot lives: one file per stack and stage, beside the architecture's tests. */
export function snapshotFile(testDir: string, stackName: string): string {
  return path.join(testDir, '__snapshots__', `${stackName}.template.json`);
}

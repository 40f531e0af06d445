import * as path from 'node:path';

const ASSET_HASHES = /[0-9a-f]{64}/g;

/**
 * A template as its snapshot file holds it: pretty JSON with asset hashes
 * replaced, so a snapshot changes only when the template does, not when a
 * handler's source or a dependency changes.
 */
export function normalizedTemplate(template: unknown): string {
  return `${JSON.stringify(template, null, 2).replace(ASSET_HASHES, '[ASSET-HASH]')}\n`;
}

/** Where a stack's snapshot lives: one file per stack and stage, beside the architecture's tests. */
export function snapshotFile(testDir: string, stackName: string): string {
  return path.join(testDir, '__snapshots__', `${stackName}.template.json`);
}

/**
 * Snapshot serializer that replaces asset hashes (64 hex characters, alone or
 * in an asset file name) with a placeholder, so a snapshot changes only when
 * the template does, not when a handler's source or a dependency changes.
 */
const HAS_ASSET_HASH = /[0-9a-f]{64}/;
const ASSET_HASHES = /[0-9a-f]{64}/g;

export function test(value: unknown): boolean {
  return typeof value === 'string' && HAS_ASSET_HASH.test(value);
}

export function serialize(value: string): string {
  return JSON.stringify(value.replace(ASSET_HASHES, '[ASSET-HASH]'));
}

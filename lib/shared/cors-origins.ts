import { ConfigError, type ContextKey, type ContextReader, optionalString } from './context';
import type { StageConfig } from './stage-config';

/** The context key of the browser origins an API admits; read by every architecture with a browser-facing API. */
export const CORS_ORIGINS_KEY: ContextKey = {
  name: 'corsOrigins',
  description: 'Comma-separated browser origins allowed to call the APIs (CORS); * only outside production',
};

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/**
 * Browser origins allowed by CORS. Absent: any origin where the stage allows
 * it, none otherwise (an empty list disables CORS).
 */
export function parseCorsOrigins(read: ContextReader, stage: StageConfig): readonly string[] {
  const key = CORS_ORIGINS_KEY.name;
  const accepted = stage.anyCorsOriginAllowed
    ? 'a comma-separated list of origins such as https://menu.example.com, or *'
    : `a comma-separated list of origins such as https://menu.example.com (* is not allowed in ${stage.name})`;
  const text = optionalString(read, key, accepted);
  if (text === undefined) return stage.anyCorsOriginAllowed ? ['*'] : [];
  const origins = text.split(',').map((origin) => origin.trim().replace(/\/$/, ''));
  for (const origin of origins) {
    const wildcard = stage.anyCorsOriginAllowed && origin === '*' && origins.length === 1;
    if (!wildcard && !ORIGIN.test(origin)) throw new ConfigError(key, read(key), accepted);
  }
  return origins;
}

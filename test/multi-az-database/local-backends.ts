import type { LocalBackend } from '../setup/backends/backend';
import { postgres } from '../setup/backends/postgres';

/** What the schema-migrations tests run against. */
export const localBackends: readonly LocalBackend[] = [postgres];

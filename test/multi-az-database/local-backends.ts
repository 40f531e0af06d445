import type { LocalBackend } from '../../stand-ins/backends/backend';
import { postgres } from '../../stand-ins/backends/postgres';

/** What the schema-migrations tests run against. */
export const localBackends: readonly LocalBackend[] = [postgres];

import type { LocalBackend } from '../../stand-ins/backends/backend';
import { fauxqs } from '../../stand-ins/backends/fauxqs';

/** What the sandbox expiry's tests run against: fauxqs for its notice topic (Scheduler and CloudFormation are stand-ins). */
export const localBackends: readonly LocalBackend[] = [fauxqs];

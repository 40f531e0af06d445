import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import * as z from 'zod/mini';
import '../shared/zod-messages';

/** Where the database is, from the function's environment (the stack sets it from the instance). */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /**
   * PEM file of the certificate authorities the server certificate must chain
   * to. In Lambda this is the runtime's bundle, which includes the RDS CAs.
   */
  readonly caBundleFile: string;
}

export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

/** The fields of the secret RDS manages for the master user; anything else in it is ignored. */
const managedSecret = z.object({ username: z.string().check(z.minLength(1)), password: z.string().check(z.minLength(1)) });

/** The secret's JSON is not what RDS writes: named, without echoing the secret. */
export class SecretFormatError extends Error {
  constructor(detail: string) {
    super(`The database secret is not a JSON object with username and password (${detail})`);
    this.name = 'SecretFormatError';
  }
}

/** Parses a Secrets Manager `SecretString` of an RDS-managed master user secret. */
export function parseCredentials(secretString: string | undefined): DatabaseCredentials {
  let json: unknown;
  try {
    json = JSON.parse(secretString ?? '');
  } catch {
    throw new SecretFormatError('not JSON');
  }
  const result = managedSecret.safeParse(json);
  if (!result.success) {
    throw new SecretFormatError(result.error.issues.map((issue) => `${issue.path.join('.') || 'secret'}: ${issue.message}`).join('; '));
  }
  return result.data;
}

/**
 * A pg client configuration that only speaks TLS and verifies the server
 * certificate and host name: the parameter group forces TLS on the server
 * side too, so neither end accepts plain text.
 */
export function clientConfig(endpoint: DatabaseEndpoint, credentials: DatabaseCredentials, applicationName: string): ClientConfig {
  return {
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user: credentials.username,
    password: credentials.password,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    ssl: { ca: readFileSync(endpoint.caBundleFile, 'utf8'), rejectUnauthorized: true },
  };
}

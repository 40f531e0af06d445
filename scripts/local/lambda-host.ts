import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { HANDLER_BUILD_OPTIONS, HANDLER_ENTRY_METADATA } from '../../lib/shared/observed-function';
import type { CfnResource } from '../template/template';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalResources } from './intrinsics';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** A function's failure as Lambda reports it to the caller. */
export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName}: ${errorType}: ${message}`);
    this.name = 'FunctionError';
  }
}

export interface LocalFunctionOptions {
  readonly logicalId: string;
  readonly resource: CfnResource;
  readonly resources: LocalResources;
  /** Where the bundle and the function's log file go. */
  readonly workDir: string;
  /** Variables of the local backends (endpoints, local credentials). */
  readonly backendEnv: Record<string, string>;
  /** Replaces the handler file the template names (the proof suite's broken handler). */
  readonly entryOverride?: string;
}

/**
 * A template's Lambda function run locally: its handler file (named by the
 * template's metadata) bundled with the same esbuild options as the deployed
 * asset, in its own process with the template's environment variables
 * resolved to the local resources, the function's timeout enforced, and its
 * logs in a file.
 */
export class LocalFunction {
  readonly name: string;
  readonly logFile: string;
  private readonly bundle: string;
  private readonly env: Record<string, string>;
  private readonly timeoutMs: number;
  private child?: ChildProcess;
  private starting?: Promise<ChildProcess>;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(options: LocalFunctionOptions) {
    const { logicalId, resource, resources, workDir } = options;
    const entry = options.entryOverride ?? path.join(PROJECT_ROOT, String(resource.Metadata?.[HANDLER_ENTRY_METADATA] ?? ''));
    if (!resource.Metadata?.[HANDLER_ENTRY_METADATA] && !options.entryOverride) {
      throw new Error(`Function ${logicalId} names no handler file (metadata ${HANDLER_ENTRY_METADATA}); it has no local form`);
    }
    this.name = logicalId;
    this.bundle = path.join(workDir, 'functions', logicalId, 'index.js');
    this.logFile = path.join(workDir, 'logs', `${logicalId}.log`);
    mkdirSync(path.dirname(this.logFile), { recursive: true });
    buildSync({ ...HANDLER_BUILD_OPTIONS, entryPoints: [entry], outfile: this.bundle });
    const variables = (resources.resolve(resource.Properties?.Environment?.Variables ?? {}) ?? {}) as Record<string, string>;
    this.timeoutMs = Number(resource.Properties?.Timeout ?? 3) * 1000;
    this.env = {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      ...options.backendEnv,
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_LAMBDA_FUNCTION_NAME: logicalId,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(resource.Properties?.MemorySize ?? 128),
      LOCAL_FUNCTION_TIMEOUT_MS: String(this.timeoutMs),
      ...Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)])),
    };
    resources.set(logicalId, { Ref: logicalId, Arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}` });
  }

  /** Starts the execution environment (the cold start) if none is running. */
  start(): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= new Promise<ChildProcess>((resolve, reject) => {
      const log = openSync(this.logFile, 'a');
      const child = fork(path.join(__dirname, 'lambda-runtime.cjs'), [this.bundle], {
        env: this.env,
        execArgv: [],
        stdio: ['ignore', log, log, 'ipc'],
      });
      child.on('message', (message: any) => {
        if (message.ready) {
          this.child = child;
          this.starting = undefined;
          resolve(child);
        } else if (message.initError) {
          this.starting = undefined;
          reject(new FunctionError(this.name, message.initError.errorType, `init failed: ${message.initError.errorMessage}`));
        } else {
          const waiting = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) waiting?.reject(new FunctionError(this.name, message.error.errorType, message.error.errorMessage));
          else waiting?.resolve(message.result);
        }
      });
      child.on('exit', (code) => {
        if (this.child === child) this.child = undefined;
        this.starting = undefined;
        for (const [, waiting] of this.pending)
          waiting.reject(new FunctionError(this.name, 'Runtime.ExitError', `exited with code ${code}`));
        this.pending.clear();
        reject(new FunctionError(this.name, 'Runtime.ExitError', `exited with code ${code} before it was ready (see ${this.logFile})`));
      });
    });
    return this.starting;
  }

  /** Invokes the handler with `event`; a timeout ends the environment, as in Lambda. */
  async invoke(event: unknown): Promise<unknown> {
    const child = await this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        child.kill('SIGKILL');
        reject(new FunctionError(this.name, 'Sandbox.Timedout', `Task timed out after ${this.timeoutMs / 1000} seconds`));
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, event });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

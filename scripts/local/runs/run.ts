import type { LocalState } from '../state';

export interface LocalRunOptions {
  /** Temporary directory for bundles, logs and data; removed on exit. */
  readonly workDir: string;
  /** Port of the architecture's front door (API or page). @default a free port */
  readonly port?: number;
  /** Handler files to run instead of those the template names, by template path. */
  readonly entryOverrides?: Readonly<Record<string, string>>;
}

/** An architecture running locally. */
export interface LocalRun {
  readonly state: Omit<LocalState, 'architecture' | 'pid'>;
  /** What to do next, printed once it is up. */
  readonly instructions: readonly string[];
  stop(): Promise<void>;
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from '../template/template';

/** Where each release keeps its synthesized templates: releases/<version>/<stage>/<stack>.template.json. */
export const RELEASES_DIR = path.join(__dirname, '..', '..', 'releases');

const VERSION = /^\d+\.\d+\.\d+$/;

/** Released versions with a baseline, oldest first. */
export function releases(dir = RELEASES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => VERSION.test(name))
    .sort((a, b) => {
      const [x, y] = [a, b].map((v) => v.split('.').map(Number));
      return x![0]! - y![0]! || x![1]! - y![1]! || x![2]! - y![2]!;
    });
}

/** The newest release, which `npm run upgrade-check` compares with by default. */
export function lastRelease(dir = RELEASES_DIR): string {
  const all = releases(dir);
  if (all.length === 0) throw new Error(`No release baseline under ${dir}`);
  return all[all.length - 1]!;
}

/** The folder of a release's templates of one stage. */
export function releaseDir(version: string, stage: string, dir = RELEASES_DIR): string {
  return path.join(dir, version, stage);
}

/** The templates in a folder (`*.template.json`), by stack name; an error names the folder if it has none. */
export function readTemplates(folder: string): Record<string, CfnTemplate> {
  if (!existsSync(folder)) throw new BaselineError(`No baseline folder ${folder}`);
  const files = readdirSync(folder).filter((file) => file.endsWith('.template.json'));
  if (files.length === 0) throw new BaselineError(`No *.template.json files in ${folder}`);
  return Object.fromEntries(
    files.map((file) => {
      try {
        return [file.slice(0, -'.template.json'.length), JSON.parse(readFileSync(path.join(folder, file), 'utf8'))];
      } catch (error) {
        throw new BaselineError(`${path.join(folder, file)} is not a JSON template (${(error as Error).message.split('\n')[0]})`);
      }
    }),
  );
}

/** A baseline that cannot be read, in one sentence for the user. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

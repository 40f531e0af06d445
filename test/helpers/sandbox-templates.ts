import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from '../../scripts/template/template';

/**
 * The sandbox template of one architecture (by its folder name): its snapshot
 * file, which the same test run proves equal to the synthesized template
 * (describeTemplateSnapshots). Handler tests build their local tables and
 * queues from it exactly as the stack defines them, without loading or
 * running the CDK.
 */
export function sandboxTemplate(architecture: string): CfnTemplate {
  return snapshotTemplate(architecture, 'sandbox').template;
}

/** One stage's template snapshot of an architecture, with its stack name. */
export function snapshotTemplate(architecture: string, stage: 'sandbox' | 'production'): { stackName: string; template: CfnTemplate } {
  const dir = path.join(__dirname, '..', architecture, '__snapshots__');
  const suffix = `-${stage}.template.json`;
  const files = readdirSync(dir).filter((file) => file.endsWith(suffix));
  if (files.length !== 1) throw new Error(`Expected one ${stage} template snapshot in ${dir}, found ${files.length}`);
  return {
    stackName: files[0]!.slice(0, -'.template.json'.length),
    template: JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8')) as CfnTemplate,
  };
}

/** The architectures of this checkout with a sandbox template snapshot (a starter has one). */
export function architecturesWithSnapshots(): string[] {
  const root = path.join(__dirname, '..');
  return readdirSync(root).filter((folder) => {
    const snapshots = path.join(root, folder, '__snapshots__');
    return existsSync(snapshots) && readdirSync(snapshots).some((file) => file.endsWith('-sandbox.template.json')) && folder !== 'integ';
  });
}

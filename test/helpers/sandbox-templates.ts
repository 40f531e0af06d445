import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** A synthesized CloudFormation template as JSON. */
export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties: any; DeletionPolicy?: string }>;
}

/**
 * The sandbox template of one architecture (by its folder name): its snapshot
 * file, which the same test run proves equal to the synthesized template
 * (describeTemplateSnapshots). Handler tests build their local tables and
 * queues from it exactly as the stack defines them, without loading or
 * running the CDK.
 */
export function sandboxTemplate(architecture: string): TemplateJson {
  return snapshotTemplate(architecture, 'sandbox').template;
}

/** One stage's template snapshot of an architecture, with its stack name. */
export function snapshotTemplate(architecture: string, stage: 'sandbox' | 'production'): { stackName: string; template: TemplateJson } {
  const dir = path.join(__dirname, '..', architecture, '__snapshots__');
  const suffix = `-${stage}.template.json`;
  const files = readdirSync(dir).filter((file) => file.endsWith(suffix));
  if (files.length !== 1) throw new Error(`Expected one ${stage} template snapshot in ${dir}, found ${files.length}`);
  return {
    stackName: files[0]!.slice(0, -'.template.json'.length),
    template: JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8')) as TemplateJson,
  };
}

/** Resources of one type. */
export function resourcesOfType(template: TemplateJson, type: string) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** Logical id of the one table whose partition key is `partitionKey`. */
export function tableKeyedBy(template: TemplateJson, partitionKey: string): string {
  const found = resourcesOfType(template, 'AWS::DynamoDB::GlobalTable').filter(([, r]) =>
    r.Properties.KeySchema.some(
      (k: { AttributeName: string; KeyType: string }) => k.KeyType === 'HASH' && k.AttributeName === partitionKey,
    ),
  );
  if (found.length !== 1) throw new Error(`Expected one table keyed by ${partitionKey}, found ${found.length}`);
  return found[0]![0];
}

/** The batch size of the template's one SQS event source mapping. */
export function eventSourceBatchSize(template: TemplateJson): number {
  const [mapping] = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');
  if (!mapping) throw new Error('No event source mapping in the template');
  return mapping[1].Properties.BatchSize;
}

/** The architectures of this checkout with a sandbox template snapshot (a starter has one). */
export function architecturesWithSnapshots(): string[] {
  const root = path.join(__dirname, '..');
  return readdirSync(root).filter((folder) => {
    const snapshots = path.join(root, folder, '__snapshots__');
    return existsSync(snapshots) && readdirSync(snapshots).some((file) => file.endsWith('-sandbox.template.json')) && folder !== 'integ';
  });
}

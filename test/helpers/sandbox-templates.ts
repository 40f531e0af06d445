import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CoffeeShopStacks } from '../../lib/app/coffee-shop-app';

/** A synthesized CloudFormation template as JSON. */
export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties: any; DeletionPolicy?: string }>;
}

/**
 * The sandbox template of one architecture, synthesized once per test run by
 * global-setup. Handler tests use it to build their local resources exactly
 * as the stack defines them, without loading the CDK in every test file.
 */
export function sandboxTemplate(stack: keyof CoffeeShopStacks): TemplateJson {
  const dir = process.env.SANDBOX_TEMPLATES_DIR;
  if (!dir) throw new Error('SANDBOX_TEMPLATES_DIR is not set: test/setup/global-setup.ts writes the templates');
  return JSON.parse(readFileSync(path.join(dir, `${stack}.json`), 'utf8')) as TemplateJson;
}

/** Resources of one type. */
export function resourcesOfType(template: TemplateJson, type: string) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** Logical id of the one table whose partition key is `partitionKey`. */
export function tableKeyedBy(template: TemplateJson, partitionKey: string): string {
  const found = resourcesOfType(template, 'AWS::DynamoDB::GlobalTable').filter(([, r]) =>
    r.Properties.KeySchema.some((k: { AttributeName: string; KeyType: string }) => k.KeyType === 'HASH' && k.AttributeName === partitionKey),
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

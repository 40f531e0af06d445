import type { Template } from 'aws-cdk-lib/assertions';

/**
 * The one model of a synthesized CloudFormation template in this project:
 * what `cdk synth` writes, what a release keeps and what `GetTemplate`
 * returns. Cost, local, smoke, upgrade-check and the tests all read this type
 * through the queries below.
 */
export interface CfnTemplate {
  readonly Description?: string;
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, CfnOutput>>;
  readonly [section: string]: any;
}

/** One resource of a template. `Properties` is CloudFormation's JSON, untyped. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly Metadata?: Readonly<Record<string, any>>;
  readonly [attribute: string]: any;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Export?: { readonly Name: unknown };
}

/** A template as JSON, or as the assertions library holds it (a test's `Template`). */
export type TemplateSource = CfnTemplate | Template;

/** The JSON of a template source. */
export function templateJson(source: TemplateSource): CfnTemplate {
  return 'toJSON' in source && typeof source.toJSON === 'function' ? (source.toJSON() as CfnTemplate) : (source as CfnTemplate);
}

/** Every resource of one type, as [logical id, resource], in template order. */
export function resourcesOfType(source: TemplateSource, type: string): [string, CfnResource][] {
  return Object.entries(templateJson(source).Resources ?? {}).filter(([, resource]) => resource.Type === type);
}

/** How many resources of a type the template has. */
export const countOfType = (source: TemplateSource, type: string): number => resourcesOfType(source, type).length;

/** The one resource of a type; throws (failing the caller's test) if there are none or several. */
export function onlyResourceOf(source: TemplateSource, type: string): CfnResource {
  const found = resourcesOfType(source, type);
  if (found.length !== 1) throw new Error(`Expected one ${type}, found ${found.length}: ${found.map(([id]) => id).join(', ')}`);
  return found[0]![1];
}

/** Logical id of the one DynamoDB table whose partition key is `partitionKey`. */
export function tableKeyedBy(source: TemplateSource, partitionKey: string): string {
  const found = resourcesOfType(source, 'AWS::DynamoDB::GlobalTable').filter(([, r]) =>
    r.Properties.KeySchema.some(
      (k: { AttributeName: string; KeyType: string }) => k.KeyType === 'HASH' && k.AttributeName === partitionKey,
    ),
  );
  if (found.length !== 1) throw new Error(`Expected one table keyed by ${partitionKey}, found ${found.length}`);
  return found[0]![0];
}

/** The batch size of the template's one event source mapping. */
export function eventSourceBatchSize(source: TemplateSource): number {
  const [mapping] = resourcesOfType(source, 'AWS::Lambda::EventSourceMapping');
  if (!mapping) throw new Error('No event source mapping in the template');
  return mapping[1].Properties.BatchSize;
}

/** The `architecture` cost-allocation tag the stack's resources carry (one value per stack). */
export function architectureTag(stackName: string, template: CfnTemplate): string {
  const values = new Set(
    Object.values(template.Resources).flatMap((r) =>
      Array.isArray(r.Properties?.Tags)
        ? r.Properties.Tags.filter((t: { Key: string }) => t.Key === 'architecture').map((t: { Value: string }) => t.Value)
        : [],
    ),
  );
  if (values.size !== 1) throw new Error(`Stack ${stackName} carries ${values.size} architecture tag values, expected 1`);
  return [...values][0] as string;
}

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { type CfnTemplate, countOfType, resourcesOfType } from '../template/template';
import { PRICES, type Price } from './prices';

/** One billed dimension of a unit of work: quantity per million units × unit price. */
export interface UnitLine {
  readonly item: string;
  /** Units of `price` per million units of work. */
  readonly quantity: number;
  readonly price: Price;
  readonly usd: number;
}

export interface PerUnitCost {
  /** What a million of is counted, e.g. "menu requests". */
  readonly unit: string;
  /** The traffic the figures assume, stated once in the report and the docs. */
  readonly assumptions: string;
  readonly lines: readonly UnitLine[];
  readonly usd: number;
}

/**
 * The per-unit model of an architecture billed by its work:
 * `scripts/cost/per-unit/<name>.ts` exporting `perUnit`, found by its name.
 * An architecture without one is billed at rest only (its instances and
 * gateways; the report lists what it bills per use).
 */
export function perUnitModelOf(architecture: string): ((template: CfnTemplate) => PerUnitCost) | undefined {
  const file = path.join(__dirname, 'per-unit', `${architecture}.ts`);
  return existsSync(file) ? (require(file) as { perUnit: (template: CfnTemplate) => PerUnitCost }).perUnit : undefined;
}

/** 1 KB per unit, a million units, in GB. */
export const KB_PER_MILLION_IN_GB = 1e6 / 1024 / 1024;
/** 1 byte per unit, a million units, in GB. */
export const BYTES_PER_MILLION_IN_GB = 1e6 / 1024 ** 3;

export function line(item: string, quantity: number, price: Price): UnitLine {
  return { item, quantity, price, usd: quantity * price.usd };
}

export function result(unit: string, assumptions: string, lines: readonly UnitLine[]): PerUnitCost {
  return { unit, assumptions, lines, usd: lines.reduce((sum, l) => sum + l.usd, 0) };
}

/** The properties of every resource of a type. */
export const propsOfType = (template: CfnTemplate, type: string): any[] =>
  resourcesOfType(template, type).map(([, resource]) => resource.Properties ?? {});

export const hasType = (template: CfnTemplate, type: string): boolean => countOfType(template, type) > 0;

/** The function whose logical id contains `idPart`: there must be exactly one. */
function functionProps(template: CfnTemplate, idPart: string): any {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(([id]) => id.includes(idPart));
  if (found.length !== 1) throw new Error(`Expected one function with ${idPart} in its logical id, found ${found.length}`);
  return found[0]![1].Properties;
}

export function functionMemoryGb(template: CfnTemplate, idPart: string): number {
  return Number(functionProps(template, idPart).MemorySize ?? 128) / 1024;
}

export function lambdaGbSecond(template: CfnTemplate, idPart: string): Price {
  const arm = (functionProps(template, idPart).Architectures ?? []).includes('arm64');
  return arm ? PRICES.lambdaArmGbSecond : PRICES.lambdaX86GbSecond;
}

export function sqsBatchSize(template: CfnTemplate): number {
  const mappings = propsOfType(template, 'AWS::Lambda::EventSourceMapping');
  if (mappings.length !== 1) throw new Error(`Expected one event source mapping, found ${mappings.length}`);
  return Number(mappings[0].BatchSize ?? 10);
}

export function executionLogsAtInfo(template: CfnTemplate): boolean {
  return propsOfType(template, 'AWS::ApiGateway::Stage').some((stage) =>
    (stage.MethodSettings ?? []).some((s: { LoggingLevel?: string }) => s.LoggingLevel === 'INFO'),
  );
}

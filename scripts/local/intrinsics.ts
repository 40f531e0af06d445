/** The account and region every local run pretends to be in. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** The id (ARN) a stack has locally. */
export const localStackId = (stackName: string) => `arn:aws:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/${stackName}/local`;

/** What a local stand-in answers for `Ref` and `Fn::GetAtt` of one template resource. */
export type LocalAttributes = Record<string, string> & { readonly Ref: string };

/**
 * Resolves the template's intrinsic functions against the local stand-ins of
 * its resources: a function's environment and an integration's URI name the
 * local table, queue or topic exactly where the template names the deployed one.
 */
export class LocalResources {
  private readonly byLogicalId = new Map<string, LocalAttributes>();

  constructor(private readonly stackName: string) {}

  set(logicalId: string, attributes: LocalAttributes): void {
    this.byLogicalId.set(logicalId, attributes);
  }

  get(logicalId: string): LocalAttributes | undefined {
    return this.byLogicalId.get(logicalId);
  }

  /** The first stand-in whose attributes `matches` accepts. */
  find(matches: (attributes: LocalAttributes) => boolean): LocalAttributes | undefined {
    return [...this.byLogicalId.values()].find(matches);
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') return this.ref(String(argument));
    if (entries.length === 1 && key === 'Fn::GetAtt') {
      const [logicalId, attribute] = argument as [string, string];
      return this.attribute(logicalId, attribute);
    }
    if (entries.length === 1 && key === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return (this.resolve(parts) as unknown[]).join(separator);
    }
    if (entries.length === 1 && key === 'Fn::Select') {
      const [index, list] = argument as [number, unknown];
      return (this.resolve(list) as unknown[])[Number(index)];
    }
    if (entries.length === 1 && key === 'Fn::Split') {
      const [separator, text] = argument as [string, unknown];
      return String(this.resolve(text)).split(separator);
    }
    if (key?.startsWith('Fn::')) throw new Error(`${key} has no local evaluation`);
    return Object.fromEntries(entries.map(([name, item]) => [name, this.resolve(item)]));
  }

  /** `resolve`, for a value that must come out as a string. */
  resolveString(value: unknown): string {
    return String(this.resolve(value));
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': LOCAL_REGION,
      'AWS::AccountId': LOCAL_ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stackName,
      'AWS::StackId': localStackId(this.stackName),
    };
    const found = pseudo[name] ?? this.byLogicalId.get(name)?.Ref;
    if (found === undefined) throw new Error(`The template refers to ${name}, which has no local stand-in`);
    return found;
  }

  private attribute(logicalId: string, attribute: string): string {
    const found = this.byLogicalId.get(logicalId)?.[attribute];
    if (found === undefined) throw new Error(`The template reads ${logicalId}.${attribute}, which has no local stand-in`);
    return found;
  }
}

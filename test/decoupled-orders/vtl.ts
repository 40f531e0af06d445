import { render } from 'velocityjs';

/**
 * Renders an API Gateway mapping template with velocityjs. API Gateway's VTL
 * strings are Java strings; this wrapper gives the Java methods the project's
 * templates call (matches, toLowerCase, length, contains).
 */
class JavaString {
  constructor(private readonly value: string) {}
  matches(regex: string): boolean {
    return new RegExp(regex).test(this.value);
  }
  toLowerCase(): string {
    return this.value.toLowerCase();
  }
  length(): number {
    return this.value.length;
  }
  contains(text: unknown): boolean {
    return this.value.includes(String(text));
  }
  toString(): string {
    return this.value;
  }
}

export interface MappingInput {
  /** The method request (request templates) or the integration response (response templates) body. */
  readonly body: string;
  /** Method request headers, read by `$input.params(name)`. */
  readonly headers?: Record<string, string>;
  readonly requestId?: string;
  readonly requestTimeEpoch?: number;
}

export interface MappingResult {
  readonly output: string;
  /** `$context.responseOverride.status` if the template set it. */
  readonly statusOverride?: number;
}

export function renderMappingTemplate(template: string, input: MappingInput): MappingResult {
  const context = {
    requestId: input.requestId ?? 'request-1',
    requestTimeEpoch: input.requestTimeEpoch ?? 1_700_000_000_000,
    responseOverride: {} as { status?: number },
  };
  const output = render(template, {
    input: {
      body: new JavaString(input.body),
      params: (name: string) => new JavaString(input.headers?.[name] ?? ''),
    },
    util: { urlEncode: (value: unknown) => encodeURIComponent(String(value)).replace(/%20/g, '+') },
    context,
  });
  return { output: output.trim(), statusOverride: context.responseOverride.status };
}

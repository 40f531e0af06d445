import { render } from 'velocityjs';

/**
 * Renders an API Gateway mapping template with velocityjs. API Gateway's VTL
 * strings are Java strings; this wrapper gives the Java methods the project's
 * templates call (matches, toLowerCase, length, contains, endsWith). As in
 * Java, length() counts UTF-16 code units, not bytes.
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
  endsWith(text: unknown): boolean {
    return this.value.endsWith(String(text));
  }
  toString(): string {
    return this.value;
  }
}

export interface MappingInput {
  /** The method request (request templates) or the integration response (response templates) body. */
  readonly body: string;
  /** Method request parameters (headers, query string, path), read by `$input.params(name)`. */
  readonly headers?: Record<string, string>;
  readonly requestId?: string;
  readonly requestTimeEpoch?: number;
  /** `$context.error`, for gateway response templates. */
  readonly error?: { readonly responseType: string; readonly message: string; readonly validationErrorString?: string };
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
    // API Gateway's messageString is the message as a quoted JSON string.
    error: input.error && { ...input.error, messageString: JSON.stringify(input.error.message) },
  };
  const output = render(template, {
    input: {
      body: new JavaString(input.body),
      // Parameter names match without regard to case, as HTTP header names do.
      params: (name: string) =>
        new JavaString(Object.entries(input.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] ?? ''),
    },
    util: {
      urlEncode: (value: unknown) => encodeURIComponent(String(value)).replace(/%20/g, '+'),
      // The string's UTF-8 bytes, base64-encoded.
      base64Encode: (value: unknown) => new JavaString(Buffer.from(String(value), 'utf8').toString('base64')),
    },
    context,
  });
  return { output: output.trim(), statusOverride: context.responseOverride.status };
}

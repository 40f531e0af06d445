import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import Ajv from 'ajv-draft-04';
import { requestMediaType } from '../../lambda/shared/request';
import { apiGatewayEvent } from '../../stand-ins/api-gateway-event';
import { checkSignature } from '../../stand-ins/sigv4-check';
import { renderMappingTemplate } from '../../stand-ins/vtl';
import { type CfnTemplate, resourcesOfType } from '../template/template';
import type { LocalResources } from './intrinsics';
import type { LocalFunction } from './lambda-host';

interface Route {
  readonly method: string;
  /** The resource path, e.g. `/menu-items/{id}`. */
  readonly resourcePath: string;
  readonly props: any;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface LocalRestApiOptions {
  readonly template: CfnTemplate;
  readonly resources: LocalResources;
  /** The template's functions by logical id, for Lambda proxy integrations. */
  readonly functions: ReadonlyMap<string, LocalFunction>;
  /** For SQS service integrations. */
  readonly sqs?: SQSClient;
  /** @default a free port */
  readonly port?: number;
}

const ajv = new Ajv({ allErrors: true, validateFormats: false, strict: false });

/**
 * The template's REST API served on localhost, doing what API Gateway does
 * before and after an integration: route by resource and method (an unknown
 * one is 403 Missing Authentication Token), require a SigV4 signature on
 * AWS_IAM methods, validate required parameters and the body against the
 * method's model when its request validator says so, answer refusals with the
 * template's gateway responses, and call the integration: a Lambda proxy
 * integration invokes the local function; an SQS service integration renders
 * the request mapping template, sends the message to the local queue and
 * renders the selected integration response; a MOCK answers with its
 * integration response. Throttling and usage plans are not emulated.
 */
/** API Gateway's payload limit for REST APIs. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway's integration timeout is 29 s; a request still arriving after this is dropped. */
const REQUEST_TIMEOUT_MS = 30_000;

export class LocalRestApi {
  private server?: Server;
  private readonly routes: Route[];
  private readonly stageName: string;
  private readonly gatewayResponses: Map<string, any>;
  private readonly models: Map<string, object>;
  private readonly validators: Map<string, any>;

  constructor(private readonly options: LocalRestApiOptions) {
    const { template, resources } = options;
    const apis = resourcesOfType(template, 'AWS::ApiGateway::RestApi');
    if (apis.length !== 1) throw new Error(`Expected one REST API in ${template.stackName}, found ${apis.length}`);
    const [apiId] = apis[0]!;
    resources.set(apiId, { Ref: 'local', RootResourceId: 'root' });
    const paths = new Map<string, string>();
    const pathOf = (resourceId: unknown): string => {
      if (typeof resourceId === 'object' && resourceId !== null && 'Fn::GetAtt' in resourceId) return '';
      const logicalId = (resourceId as { Ref: string }).Ref;
      const known = paths.get(logicalId);
      if (known !== undefined) return known;
      const props = template.Resources[logicalId]!.Properties;
      const full = `${pathOf(props.ParentId)}/${props.PathPart}`;
      paths.set(logicalId, full);
      return full;
    };
    this.routes = resourcesOfType(template, 'AWS::ApiGateway::Method').map(([, method]) => ({
      method: method.Properties.HttpMethod,
      resourcePath: pathOf(method.Properties.ResourceId) || '/',
      props: method.Properties,
    }));
    this.stageName = resourcesOfType(template, 'AWS::ApiGateway::Stage')[0]?.[1].Properties.StageName ?? 'prod';
    this.gatewayResponses = new Map(
      resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties.ResponseType, r.Properties]),
    );
    this.models = new Map(resourcesOfType(template, 'AWS::ApiGateway::Model').map(([id, r]) => [id, r.Properties.Schema]));
    this.validators = new Map(resourcesOfType(template, 'AWS::ApiGateway::RequestValidator').map(([id, r]) => [id, r.Properties]));
  }

  /** Starts listening; returns the invoke URL (with the stage, as the deployed ApiUrl output). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    // API Gateway gives up on a request after its 29-second integration
    // timeout; a client that stalls or trickles its body is dropped sooner
    // than Node's default five minutes, and never takes the server down.
    this.server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.server.headersTimeout = REQUEST_TIMEOUT_MS;
    this.server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${this.stageName}/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let reply: Reply;
    try {
      // API Gateway refuses a payload over 10 MB before reading further: so does this, by its length or as it arrives.
      const tooLarge = () => this.gatewayResponse('REQUEST_TOO_LARGE', 413, 'Request Too Long', requestId);
      if (Number(req.headers['content-length'] ?? 0) > MAX_PAYLOAD_BYTES) {
        reply = tooLarge();
        res.writeHead(reply.status, { 'x-amzn-RequestId': requestId, Connection: 'close', ...reply.headers });
        res.end(reply.body);
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_PAYLOAD_BYTES) {
          reply = tooLarge();
          res.writeHead(reply.status, { 'x-amzn-RequestId': requestId, Connection: 'close', ...reply.headers });
          res.end(reply.body);
          req.destroy();
          return;
        }
        chunks.push(chunk as Buffer);
      }
      reply = await this.handle(req, Buffer.concat(chunks), requestId);
    } catch (error) {
      // A client that went away (aborted, reset, timed out) has no one to answer: drop it and go on serving.
      if (req.destroyed || req.readableAborted || (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
        res.destroy();
        return;
      }
      process.stderr.write(`[local API] ${req.method} ${req.url}: ${(error as Error).message}\n`);
      reply = this.gatewayResponse('DEFAULT_5XX', 500, 'Internal server error', requestId);
    }
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'x-amzn-RequestId': requestId, ...reply.headers });
    res.end(reply.body);
  }

  private async handle(req: IncomingMessage, rawBody: Buffer, requestId: string): Promise<Reply> {
    // The signature covers the bytes sent; templates and handlers see them as UTF-8 text, as API Gateway gives them.
    const body = rawBody.toString('utf8');
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]),
    );
    const stagePrefix = `/${this.stageName}`;
    const missingToken = () => this.gatewayResponse('MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token', requestId);
    if (url.pathname !== stagePrefix && !url.pathname.startsWith(`${stagePrefix}/`)) return missingToken();
    let matched: ReturnType<LocalRestApi['match']>;
    try {
      matched = this.match(req.method ?? 'GET', url.pathname.slice(stagePrefix.length) || '/');
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      // A malformed percent-encoding in the path is the client's error, not the server's.
      return this.gatewayResponse('DEFAULT_4XX', 400, 'Bad Request', requestId);
    }
    if (!matched) return missingToken();
    const { route, pathParameters } = matched;
    const props = route.props;

    if (props.AuthorizationType === 'AWS_IAM') {
      const problem = await checkSignature({ method: route.method, url, headers, body: rawBody });
      if (problem) return this.gatewayResponse(problem.responseType, 403, problem.message, requestId);
    }

    const query = Object.fromEntries(url.searchParams);
    const validator = props.RequestValidatorId ? this.validators.get(props.RequestValidatorId.Ref) : undefined;
    if (validator?.ValidateRequestParameters) {
      const missing = Object.entries(props.RequestParameters ?? {})
        .filter(([, required]) => required === true)
        .map(([key]) => /^method\.request\.(path|querystring|header)\.(.+)$/.exec(key)!)
        .filter(([, where, name]) =>
          where === 'path'
            ? !pathParameters[name!]
            : where === 'querystring'
              ? query[name!] === undefined
              : headers[name!.toLowerCase()] === undefined,
        )
        .map(([, , name]) => name);
      if (missing.length > 0) {
        return this.gatewayResponse(
          'BAD_REQUEST_PARAMETERS',
          400,
          `Missing required request parameters: [${missing.join(', ')}]`,
          requestId,
        );
      }
    }
    // API Gateway picks the model by the request's media type (application/json when none is sent) and
    // validates nothing when no model is for it; $default is for every type.
    const contentType = requestMediaType(headers) ?? 'application/json';
    const modelRef = props.RequestModels?.[contentType] ?? props.RequestModels?.$default;
    if (validator?.ValidateRequestBody && modelRef) {
      const problems = this.bodyProblems(this.models.get(modelRef.Ref)!, body);
      if (problems) return this.gatewayResponse('BAD_REQUEST_BODY', 400, 'Invalid request body', requestId, problems);
    }

    const integration = props.Integration;
    if (integration.Type === 'MOCK') return this.mockResponse(integration);
    if (integration.Type === 'AWS_PROXY') {
      return this.invokeProxy(integration, route, { pathParameters, query, headers, body, requestId, sourceIp: req.socket.remoteAddress });
    }
    // A non-proxy integration with no mapping template for the media type: passthrough NEVER (and
    // WHEN_NO_TEMPLATES where templates exist) is a 415 before the integration is called.
    const templates = integration.RequestTemplates ?? {};
    if (integration.PassthroughBehavior !== 'WHEN_NO_MATCH' && Object.keys(templates).length > 0 && templates[contentType] === undefined) {
      return this.gatewayResponse('UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported Media Type', requestId);
    }
    const uri = this.options.resources.resolveString(integration.Uri);
    if (integration.Type === 'AWS' && /:sqs:path\//.test(uri)) {
      return this.sqsIntegration(integration, uri, { ...headers, ...query, ...pathParameters }, body, requestId);
    }
    throw new Error(`Integration ${integration.Type} ${uri} has no local form`);
  }

  private match(method: string, requestPath: string): { route: Route; pathParameters: Record<string, string> } | undefined {
    const segments = requestPath.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method && route.method !== 'ANY') continue;
      const parts = route.resourcePath.split('/').filter(Boolean);
      if (parts.length !== segments.length) continue;
      const pathParameters: Record<string, string> = {};
      const matches = parts.every((part, i) => {
        const variable = /^\{(\w+)\}$/.exec(part)?.[1];
        if (variable) pathParameters[variable] = decodeURIComponent(segments[i]!);
        return variable !== undefined || part === segments[i];
      });
      if (matches) return { route, pathParameters };
    }
    return undefined;
  }

  /** API Gateway's model check: a JSON body that the draft-04 schema accepts. */
  private bodyProblems(schema: object, body: string): string | undefined {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return '[Invalid JSON in request body]';
    }
    const validate = ajv.compile(schema);
    if (validate(json)) return undefined;
    return `[${(validate.errors ?? []).map((e) => `${e.instancePath || 'instance'} ${e.message}`).join(', ')}]`;
  }

  private gatewayResponse(type: string, defaultStatus: number, message: string, requestId: string, validationErrorString?: string): Reply {
    const configured = this.gatewayResponses.get(type) ?? this.gatewayResponses.get(defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
    const status = Number(configured?.StatusCode ?? defaultStatus);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type };
    for (const [key, value] of Object.entries(configured?.ResponseParameters ?? {})) {
      headers[key.replace(/^gatewayresponse\.header\./, '')] = String(value).replace(/^'|'$/g, '');
    }
    const template = configured?.ResponseTemplates?.['application/json'];
    const body = template
      ? renderMappingTemplate(template, { body: '', requestId, error: { responseType: type, message, validationErrorString } }).output
      : JSON.stringify({ message });
    return { status, headers, body };
  }

  private mockResponse(integration: any): Reply {
    const response = integration.IntegrationResponses?.[0] ?? { StatusCode: '200' };
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.ResponseParameters ?? {})) {
      headers[key.replace(/^method\.response\.header\./, '')] = String(value).replace(/^'|'$/g, '');
    }
    return { status: Number(response.StatusCode), headers, body: '' };
  }

  private async invokeProxy(
    integration: any,
    route: Route,
    request: {
      pathParameters: Record<string, string>;
      query: Record<string, string>;
      headers: Record<string, string>;
      body: string;
      requestId: string;
      sourceIp?: string;
    },
  ): Promise<Reply> {
    const functionId = findFunctionId(integration.Uri);
    const fn = functionId ? this.options.functions.get(functionId) : undefined;
    if (!fn) throw new Error(`No local function for the integration of ${route.method} ${route.resourcePath}`);
    const event = apiGatewayEvent({
      method: route.method as 'GET',
      resource: route.resourcePath,
      pathParameters: Object.keys(request.pathParameters).length > 0 ? request.pathParameters : undefined,
      query: Object.keys(request.query).length > 0 ? request.query : undefined,
      body: request.body === '' ? undefined : request.body,
      headers: request.headers,
    });
    const signedBy = /Credential=([^/]+)/.exec(request.headers.authorization ?? '')?.[1] ?? null;
    Object.assign(event.requestContext, { requestId: request.requestId });
    Object.assign(event.requestContext.identity, {
      sourceIp: request.sourceIp ?? '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? null,
      accessKey: signedBy,
    });
    let result: any;
    try {
      result = await fn.invoke(event);
    } catch (error) {
      process.stderr.write(`[local API] ${(error as Error).message} (logs: ${fn.logFile})\n`);
      return this.gatewayResponse('DEFAULT_5XX', 502, 'Internal server error', request.requestId);
    }
    if (typeof result?.statusCode !== 'number') {
      process.stderr.write(`[local API] ${fn.name} returned no statusCode: a malformed Lambda proxy response\n`);
      return this.gatewayResponse('DEFAULT_5XX', 502, 'Internal server error', request.requestId);
    }
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries((result.multiValueHeaders ?? {}) as Record<string, unknown[]>))
      headers[name] = values.join(',');
    Object.assign(headers, result.headers ?? {});
    const responseBody = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString('utf8') : (result.body ?? '');
    return { status: result.statusCode, headers, body: responseBody };
  }

  /**
   * API Gateway's SQS service integration: the request template's output is
   * an SQS Query API form (Action=SendMessage&...); fauxqs speaks SQS's JSON
   * protocol, so the form is sent as the same call through the SDK, and the
   * answer is given back to the response templates as the Query API's XML.
   */
  private async sqsIntegration(
    integration: any,
    uri: string,
    params: Record<string, string>,
    body: string,
    requestId: string,
  ): Promise<Reply> {
    const { sqs, resources } = this.options;
    if (!sqs) throw new Error('An SQS integration needs the local SQS backend');
    const queueName = uri.split('/').at(-1)!;
    const queueUrl = resources.find((attributes) => attributes.QueueName === queueName)?.QueueUrl;
    if (!queueUrl) throw new Error(`No local queue named ${queueName}`);
    const requestTimeEpoch = Date.now();
    const form = new URLSearchParams(
      renderMappingTemplate(integration.RequestTemplates['application/json'], { body, headers: params, requestId, requestTimeEpoch })
        .output,
    );
    let status = 200;
    let answer: string;
    try {
      answer = await sendSqsQueryAction(sqs, queueUrl, form);
    } catch (error) {
      const { name, message, $metadata } = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      status = $metadata?.httpStatusCode ?? 500;
      answer = `<ErrorResponse><Error><Code>${name}</Code><Message>${message}</Message></Error></ErrorResponse>`;
    }
    const responses: any[] = integration.IntegrationResponses ?? [];
    const selected =
      responses.find((r) => r.SelectionPattern && new RegExp(`^(?:${r.SelectionPattern})$`).test(String(status))) ??
      responses.find((r) => !r.SelectionPattern);
    if (!selected) return { status: 500, headers: {}, body: '{"message": "Internal server error"}' };
    const template = selected.ResponseTemplates?.['application/json'];
    const rendered = template ? renderMappingTemplate(template, { body: answer, headers: params, requestId, requestTimeEpoch }) : undefined;
    return {
      status: rendered?.statusOverride ?? Number(selected.StatusCode),
      headers: { 'Content-Type': 'application/json' },
      body: rendered?.output ?? '',
    };
  }
}

/** The logical id of the function a Lambda proxy integration URI names (`Fn::GetAtt [id, Arn]`). */
function findFunctionId(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(findFunctionId).find(Boolean);
  if (value === null || typeof value !== 'object') return undefined;
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return String(getAtt[0]);
  return Object.values(value).map(findFunctionId).find(Boolean);
}

/** The two Query API actions the templates use, translated to SDK calls; returns the Query API's XML answer. */
async function sendSqsQueryAction(sqs: SQSClient, queueUrl: string, form: URLSearchParams): Promise<string> {
  const action = form.get('Action');
  if (action === 'SendMessage') {
    const attributes: Record<string, MessageAttributeValue> = {};
    for (let n = 1; form.has(`MessageAttribute.${n}.Name`); n++) {
      attributes[form.get(`MessageAttribute.${n}.Name`)!] = {
        DataType: form.get(`MessageAttribute.${n}.Value.DataType`)!,
        StringValue: form.get(`MessageAttribute.${n}.Value.StringValue`)!,
      };
    }
    const messageBody = form.get('MessageBody') ?? '';
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: messageBody, MessageAttributes: attributes }));
    const md5 = createHash('md5').update(messageBody).digest('hex');
    return `<SendMessageResponse><SendMessageResult><MessageId>${sent.MessageId}</MessageId><MD5OfMessageBody>${md5}</MD5OfMessageBody></SendMessageResult></SendMessageResponse>`;
  }
  if (action === 'GetQueueAttributes') {
    const names = [...form.entries()].filter(([key]) => key.startsWith('AttributeName.')).map(([, value]) => value);
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names as never }));
    const xml = Object.entries(Attributes)
      .map(([name, value]) => `<Attribute><Name>${name}</Name><Value>${value}</Value></Attribute>`)
      .join('');
    return `<GetQueueAttributesResponse><GetQueueAttributesResult>${xml}</GetQueueAttributesResult></GetQueueAttributesResponse>`;
  }
  throw new Error(`SQS action ${action} has no local form`);
}

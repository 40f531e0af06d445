import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stack as the stand-in describes it. */
export interface StandInStack {
  readonly name: string;
  readonly status: string;
  readonly tags: Record<string, string>;
  readonly outputs: Record<string, string>;
  /** What GetTemplate answers (the template body as deployed). */
  readonly template?: unknown;
}

const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const members = (items: string[]) => items.map((item) => `<member>${item}</member>`).join('');

/**
 * A stand-in for the CloudFormation calls `npm run smoke` and
 * `npm run upgrade-check -- --deployed` make, DescribeStacks and GetTemplate,
 * in CloudFormation's Query protocol (form in, XML out). It lets the deployed
 * modes' stack lookup, outputs, templates and error messages be tested
 * without an AWS account. It answers every caller; it checks no signature.
 */
export class CloudFormationStandIn {
  private server?: Server;
  readonly actions: string[] = [];

  constructor(public stacks: StandInStack[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const action = form.get('Action') ?? '';
        this.actions.push(action);
        if (action === 'GetTemplate') {
          const stack = this.stacks.find((s) => s.name === form.get('StackName'));
          if (!stack?.template) {
            res.writeHead(400, { 'Content-Type': 'text/xml' });
            res.end(
              `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xmlEscape(form.get('StackName') ?? '')} does not exist</Message></Error></ErrorResponse>`,
            );
            return;
          }
          res.writeHead(200, { 'Content-Type': 'text/xml' });
          res.end(
            `<GetTemplateResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><GetTemplateResult><TemplateBody>${xmlEscape(JSON.stringify(stack.template))}</TemplateBody>` +
              '<StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable></GetTemplateResult><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></GetTemplateResponse>',
          );
          return;
        }
        if (action !== 'DescribeStacks') {
          res.writeHead(400, { 'Content-Type': 'text/xml' });
          res.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${xmlEscape(action)} is not supported here</Message></Error></ErrorResponse>`,
          );
          return;
        }
        const stacks = this.stacks.map(
          (stack) =>
            `<StackName>${xmlEscape(stack.name)}</StackName><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/${xmlEscape(stack.name)}/1</StackId>` +
            `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>${stack.status}</StackStatus>` +
            `<Tags>${members(Object.entries(stack.tags).map(([k, v]) => `<Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value>`))}</Tags>` +
            `<Outputs>${members(Object.entries(stack.outputs).map(([k, v]) => `<OutputKey>${xmlEscape(k)}</OutputKey><OutputValue>${xmlEscape(v)}</OutputValue>`))}</Outputs>`,
        );
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks>${members(stacks)}</Stacks></DescribeStacksResult>` +
            '<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeStacksResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

import type { ServerResponse } from 'node:http';
import { LoopbackServer } from './loopback-server';

/** A stack as the stand-in describes it. */
export interface StandInStack {
  readonly name: string;
  /** @default arn:aws:cloudformation:us-east-1:000000000000:stack/<name>/1 */
  readonly id?: string;
  status: string;
  readonly statusReason?: string;
  /** The service role its deployments pass (RoleARN), if any. */
  readonly roleArn?: string;
  readonly tags: Record<string, string>;
  readonly outputs: Record<string, string>;
  /** What GetTemplate answers (the template body as deployed). */
  readonly template?: unknown;
}

const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const idOf = (stack: StandInStack) => stack.id ?? `arn:aws:cloudformation:us-east-1:000000000000:stack/${stack.name}/1`;
const members = (items: string[]) => items.map((item) => `<member>${item}</member>`).join('');

/**
 * A stand-in for the CloudFormation calls `npm run smoke`,
 * `npm run upgrade-check -- --deployed`, `npm run sandbox` and the sandbox
 * expiry function make, DescribeStacks, GetTemplate and DeleteStack,
 * in CloudFormation's Query protocol (form in, XML out). It lets the deployed
 * modes' stack lookup, outputs, templates and error messages be tested
 * without an AWS account. It answers every caller; it checks no signature.
 */
export class CloudFormationStandIn {
  private readonly server = new LoopbackServer((_req, res, body) => this.answer(res, body));
  readonly actions: string[] = [];
  /** Every DeleteStack, with the role it passed. */
  readonly deletions: { readonly stack: string; readonly roleArn?: string }[] = [];

  constructor(public stacks: StandInStack[]) {}

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private answer(res: ServerResponse, body: string): void {
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
    const named = form.get('StackName');
    const found = named ? this.stacks.filter((stack) => stack.name === named || idOf(stack) === named) : this.stacks;
    if (named && found.length === 0) {
      res.writeHead(400, { 'Content-Type': 'text/xml' });
      res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xmlEscape(named)} does not exist</Message></Error></ErrorResponse>`,
      );
      return;
    }
    if (action === 'DeleteStack') {
      const roleArn = form.get('RoleARN') ?? undefined;
      for (const stack of found) {
        this.deletions.push({ stack: stack.name, ...(roleArn ? { roleArn } : {}) });
        stack.status = 'DELETE_IN_PROGRESS';
      }
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(
        '<DeleteStackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DeleteStackResponse>',
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
    const stacks = found.map(
      (stack) =>
        `<StackName>${xmlEscape(stack.name)}</StackName><StackId>${xmlEscape(idOf(stack))}</StackId>` +
        `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>${stack.status}</StackStatus>` +
        (stack.statusReason ? `<StackStatusReason>${xmlEscape(stack.statusReason)}</StackStatusReason>` : '') +
        (stack.roleArn ? `<RoleARN>${xmlEscape(stack.roleArn)}</RoleARN>` : '') +
        `<Tags>${members(Object.entries(stack.tags).map(([k, v]) => `<Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value>`))}</Tags>` +
        `<Outputs>${members(Object.entries(stack.outputs).map(([k, v]) => `<OutputKey>${xmlEscape(k)}</OutputKey><OutputValue>${xmlEscape(v)}</OutputValue>`))}</Outputs>`,
    );
    res.writeHead(200, { 'Content-Type': 'text/xml' });
    res.end(
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks>${members(stacks)}</Stacks></DescribeStacksResult>` +
        '<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeStacksResponse>',
    );
  }
}

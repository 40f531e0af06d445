import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../scripts/local/intrinsics';
import { LoopbackServer } from './loopback-server';

/** A one-time schedule as the stand-in keeps it (the request's own fields). */
export interface StandInSchedule {
  readonly Name: string;
  readonly GroupName: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly ActionAfterCompletion?: string;
  readonly Description?: string;
  readonly FlexibleTimeWindow: { readonly Mode: string };
  readonly Target: { readonly Arn: string; readonly RoleArn: string; readonly Input?: string };
}

/** The names EventBridge Scheduler accepts for schedules and groups, and its one-time expression. */
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const AT = /^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/;

/**
 * A stand-in for the EventBridge Scheduler calls the sandbox expiry makes
 * (CreateSchedule, UpdateSchedule, GetSchedule, DeleteSchedule) in its
 * REST-JSON protocol, keeping schedules in memory. No local implementation
 * of Scheduler exists; this one refuses what the service refuses for these
 * calls (a schedule that exists on create, or is missing on update, get and
 * delete; a group that does not exist; a malformed name, `at()` expression or
 * target input; no flexible time window) with the service's error names, and
 * fires nothing: a test runs the schedule's target itself.
 */
export class SchedulerStandIn {
  private readonly server = new LoopbackServer((req, res, body) => this.answer(req, res, body));
  readonly schedules = new Map<string, StandInSchedule>();
  /** Every call, as `<method> <name>`. */
  readonly calls: string[] = [];

  constructor(readonly groups: Set<string>) {}

  /** The schedule `name` of `group`, if there is one. */
  get(group: string, name: string): StandInSchedule | undefined {
    return this.schedules.get(`${group}/${name}`);
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Answers one request; true once it has. */
  private answer(req: IncomingMessage, res: ServerResponse, body: string): boolean {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type });
      res.end(JSON.stringify({ Message: message }));
      return true;
    };
    if (!match) return fail(404, 'UnknownOperationException', `No operation at ${req.method} ${url.pathname}`);
    const name = decodeURIComponent(match[1]!);
    this.calls.push(`${req.method} ${name}`);
    const input = body ? (JSON.parse(body) as Partial<StandInSchedule>) : {};
    const group = (req.method === 'GET' || req.method === 'DELETE' ? url.searchParams.get('groupName') : input.GroupName) ?? 'default';
    if (!NAME.test(name)) return fail(400, 'ValidationException', `Schedule name ${name} does not match ${NAME}`);
    if (!this.groups.has(group)) return fail(404, 'ResourceNotFoundException', `Schedule group ${group} does not exist.`);
    const key = `${group}/${name}`;
    const existing = this.schedules.get(key);
    const ok = (answer: object) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
      return true;
    };
    const arn = `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${name}`;
    switch (req.method) {
      case 'POST':
      case 'PUT': {
        if (req.method === 'POST' && existing) return fail(409, 'ConflictException', `Schedule ${name} already exists.`);
        if (req.method === 'PUT' && !existing) return fail(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        if (!AT.test(input.ScheduleExpression ?? '') && !/^(rate|cron)\(/.test(input.ScheduleExpression ?? ''))
          return fail(400, 'ValidationException', `Invalid Schedule Expression ${input.ScheduleExpression}.`);
        if (!input.FlexibleTimeWindow?.Mode) return fail(400, 'ValidationException', 'FlexibleTimeWindow is required.');
        if (!input.Target?.Arn || !input.Target.RoleArn) return fail(400, 'ValidationException', 'Target Arn and RoleArn are required.');
        if (input.Target.Input !== undefined && input.Target.Input.length > 8192)
          return fail(400, 'ValidationException', 'Target Input must be at most 8192 characters.');
        this.schedules.set(key, { ...(input as StandInSchedule), Name: name, GroupName: group });
        return ok({ ScheduleArn: arn });
      }
      case 'GET':
        if (!existing) return fail(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        return ok({ ...existing, Arn: arn, State: 'ENABLED' });
      case 'DELETE':
        if (!existing) return fail(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        this.schedules.delete(key);
        return ok({});
      default:
        return fail(405, 'UnknownOperationException', `${req.method} is not an operation`);
    }
  }
}

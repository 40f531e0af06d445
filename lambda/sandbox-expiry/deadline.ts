/**
 * When a sandbox stack expires, decided from plain values so that it can be
 * tested on its own: the deadline counts from the stack's last deployment
 * (or from an extension), a warning goes out an hour before it, and a
 * deletion that does not finish is checked a bounded number of times, never
 * retried forever.
 */

const HOUR_MS = 60 * 60 * 1000;

/** The fewest hours a time to live may be: the warning comes an hour before the deadline, after the deployment. */
export const MIN_TIME_TO_LIVE_HOURS = 2;
/** The most: 30 days. A sandbox meant to live longer turns the time to live off (`-c sandboxTtlHours=0`). */
export const MAX_TIME_TO_LIVE_HOURS = 720;
/** How long before the deadline the warning goes out. */
export const WARNING_LEAD_HOURS = 1;
/** How long after asking CloudFormation to delete the stack (or after finding it busy) it is checked again. */
export const CHECK_AFTER_HOURS = 1;
/**
 * How many times a busy stack (an update in progress at the deadline) is
 * postponed, or a deletion in progress checked, before it is reported as a
 * failure: three hours covers any deletion of these stacks (an RDS Multi-AZ
 * instance takes the longest, about 15 minutes).
 */
export const MAX_ATTEMPTS = 3;

/** What a schedule asks the expiry function to do. */
export type ExpiryAction =
  | { readonly action: 'warn' }
  | { readonly action: 'expire'; readonly attempt: number }
  | { readonly action: 'check'; readonly attempt: number };

/** The two moments an armed time to live has. */
export interface ExpiryPlan {
  readonly warning: Date;
  readonly deadline: Date;
}

/** Checks a time to live in hours as `sandboxTtlHours` takes it (0, off, is handled by the caller). */
export function checkTimeToLiveHours(hours: number): number {
  if (!Number.isInteger(hours) || hours < MIN_TIME_TO_LIVE_HOURS || hours > MAX_TIME_TO_LIVE_HOURS) {
    throw new Error(
      `A sandbox time to live must be a whole number of hours from ${MIN_TIME_TO_LIVE_HOURS} to ${MAX_TIME_TO_LIVE_HOURS}, got ${hours}`,
    );
  }
  return hours;
}

/** The deadline `hours` after `from` (a deployment, or the moment of an extension), and its warning an hour before. */
export function planFrom(from: Date, hours: number): ExpiryPlan {
  const deadline = new Date(from.getTime() + checkTimeToLiveHours(hours) * HOUR_MS);
  return { deadline, warning: new Date(deadline.getTime() - WARNING_LEAD_HOURS * HOUR_MS) };
}

/** `at(...)` for EventBridge Scheduler, in UTC to the second. */
export function atExpression(time: Date): string {
  return `at(${time.toISOString().slice(0, 19)})`;
}

/** The moment of an `at(...)` expression written in UTC, as `atExpression` writes it. */
export function timeOfAt(expression: string): Date {
  const match = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (!match) throw new Error(`Not a one-time schedule expression: ${expression}`);
  return new Date(`${match[1]}Z`);
}

/** A moment `hours` after `from`. */
export const hoursAfter = (from: Date, hours: number) => new Date(from.getTime() + hours * HOUR_MS);

/** What to do at the deadline, from the stack's status (undefined: the stack is gone). */
export type AtDeadline =
  | { readonly kind: 'gone' }
  | { readonly kind: 'delete' }
  | { readonly kind: 'postpone'; readonly attempt: number; readonly until: Date }
  | { readonly kind: 'give-up'; readonly reason: string };

/** A stack whose last operation is still running cannot be deleted now: CloudFormation refuses DeleteStack until it ends. */
const busy = (status: string) => status.endsWith('_IN_PROGRESS');

export function atDeadline(status: string | undefined, attempt: number, now: Date): AtDeadline {
  if (status === undefined || status === 'DELETE_COMPLETE') return { kind: 'gone' };
  if (status === 'DELETE_IN_PROGRESS') return { kind: 'gone' };
  if (!busy(status)) return { kind: 'delete' };
  if (attempt >= MAX_ATTEMPTS)
    return { kind: 'give-up', reason: `the stack was still ${status} after ${MAX_ATTEMPTS} tries an hour apart` };
  return { kind: 'postpone', attempt: attempt + 1, until: hoursAfter(now, CHECK_AFTER_HOURS) };
}

/** What a check after DeleteStack finds, from the stack's status (undefined: the stack is gone). */
export type AfterDeletion =
  | { readonly kind: 'deleted' }
  | { readonly kind: 'check-again'; readonly attempt: number; readonly at: Date }
  | { readonly kind: 'failed'; readonly reason: string };

export function afterDeletion(status: string | undefined, attempt: number, now: Date): AfterDeletion {
  if (status === undefined || status === 'DELETE_COMPLETE') return { kind: 'deleted' };
  if (status === 'DELETE_IN_PROGRESS') {
    if (attempt >= MAX_ATTEMPTS)
      return { kind: 'failed', reason: `the deletion was still in progress ${MAX_ATTEMPTS * CHECK_AFTER_HOURS} hours after it began` };
    return { kind: 'check-again', attempt: attempt + 1, at: hoursAfter(now, CHECK_AFTER_HOURS) };
  }
  // DELETE_FAILED, or a stack someone redeployed in between: either way it is still there.
  return { kind: 'failed', reason: `the stack is ${status}` };
}

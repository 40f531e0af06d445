import { runClickstream } from './clickstream';
import { containersOnEc2HasNoLocalForm } from './containers-on-ec2';
import { runDecoupledOrders } from './decoupled-orders';
import { runMultiAzDatabase } from './multi-az-database';
import type { LocalRun, LocalRunOptions } from './run';
import { runServerlessApi } from './serverless-api';

/** How each architecture runs locally; an architecture not listed has no local form. */
export const LOCAL_RUNS: Record<string, (options: LocalRunOptions, print: (line: string) => void) => Promise<LocalRun>> = {
  'serverless-api': runServerlessApi,
  'decoupled-orders': runDecoupledOrders,
  clickstream: runClickstream,
  'multi-az-database': runMultiAzDatabase,
};

/** Why an architecture has no local form, and what to do instead. */
export const NO_LOCAL_FORM: Record<string, string> = {
  'containers-on-ec2': containersOnEc2HasNoLocalForm,
};

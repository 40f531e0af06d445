import type { Stack } from 'aws-cdk-lib';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import type { StageConfig, StageName } from './stage-config';
import { TAG_KEYS } from './tags';

/** Percentages of the budget at which the alarm email hears about spend. */
export const BUDGET_ALERTS = [
  { type: 'FORECASTED', percent: 100 },
  { type: 'ACTUAL', percent: 80 },
  { type: 'ACTUAL', percent: 100 },
] as const;

/**
 * An AWS Budgets cost budget over what carries this architecture's and this
 * stage's cost-allocation tags, emailing `alarmEmail` when the month's
 * forecast passes the budget and when actual spend reaches 80 % and 100 %.
 * Budgets without actions cost nothing. The tags count only once they are
 * activated for cost allocation in the account's Billing console.
 */
export function addMonthlyBudget(
  stack: Stack,
  architecture: string,
  stage: StageName,
  budget: NonNullable<StageConfig['monthlyBudget']>,
): CfnBudget {
  const tag = (key: string, value: string) => ({ tags: { key, values: [value], matchOptions: ['EQUALS'] } });
  return new CfnBudget(stack, 'MonthlyBudget', {
    budget: {
      budgetName: `${stack.stackName}-monthly`,
      budgetType: 'COST',
      timeUnit: 'MONTHLY',
      budgetLimit: { amount: budget.usd, unit: 'USD' },
      filterExpression: { and: [tag(TAG_KEYS.architecture, architecture), tag(TAG_KEYS.stage, stage)] },
    },
    notificationsWithSubscribers: BUDGET_ALERTS.map((alert) => ({
      notification: {
        notificationType: alert.type,
        comparisonOperator: 'GREATER_THAN',
        threshold: alert.percent,
        thresholdType: 'PERCENTAGE',
      },
      subscribers: [{ subscriptionType: 'EMAIL', address: budget.email }],
    })),
  });
}

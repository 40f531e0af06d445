import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { parseCorsOrigins } from '../../lib/shared/cors-origins';
import { parseStage } from '../../lib/shared/stage-config';
import { type RawContext, readerOf } from '../../scripts/template/synth';

const stageOf = (raw: RawContext) => parseStage(readerOf(raw));
const corsOf = (raw: RawContext) => parseCorsOrigins(readerOf(raw), stageOf(raw));

describe('parseStage', () => {
  test('defaults to a sandbox that is destroyed with its stack', () => {
    const stage = stageOf({});
    expect(stage.name).toBe('sandbox');
    expect(stage.statefulRemovalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(stage.snapshotRemovalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(stage.autoDeleteObjects).toBe(true);
    expect(stage.deletionProtection).toBe(false);
    expect(stage.terminationProtection).toBe(false);
    expect(stage.logRetention).toBe(RetentionDays.ONE_WEEK);
    expect(stage.alarmEmail).toBeUndefined();
    expect(stage.apiExecutionLogLevel).toBe('INFO');
    expect(stage.dashboards).toBe(false);
    expect(stage.monthlyBudget).toBeUndefined();
    expect(corsOf({})).toEqual(['*']);
  });

  test('production keeps data, protects it and retains logs for a year', () => {
    const raw = { stage: 'production', alarmEmail: 'ops@example.com' };
    const stage = stageOf(raw);
    expect(stage.statefulRemovalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(stage.snapshotRemovalPolicy).toBe(RemovalPolicy.SNAPSHOT);
    expect(stage.autoDeleteObjects).toBe(false);
    expect(stage.deletionProtection).toBe(true);
    expect(stage.pointInTimeRecovery).toBe(true);
    expect(stage.terminationProtection).toBe(true);
    expect(stage.logRetention).toBe(RetentionDays.ONE_YEAR);
    expect(stage.alarmEmail).toBe('ops@example.com');
    expect(stage.webApplicationFirewall).toBe(true);
    expect(stage.apiExecutionLogLevel).toBe('ERROR');
    expect(stage.dashboards).toBe(true);
    expect(corsOf(raw)).toEqual([]);
  });

  test('accepts a comma-separated list of origins and drops trailing slashes', () => {
    expect(
      corsOf({ stage: 'production', alarmEmail: 'ops@example.com', corsOrigins: 'https://menu.example.com/, http://localhost:5173' }),
    ).toEqual(['https://menu.example.com', 'http://localhost:5173']);
  });

  describe('rejects bad values with the key, the value and what is accepted', () => {
    test.each([
      [{ stage: 'prod' }, /Invalid context value stage="prod": expected one of sandbox, production/],
      [{ stage: 42 }, /Invalid context value stage=42: expected one of sandbox, production/],
      [{ alarmEmail: 'not-an-email' }, /Invalid context value alarmEmail="not-an-email": expected an email address/],
      [{ stage: 'production' }, /^Missing context value alarmEmail: expected an email address .*\(required when stage=production\)\.$/],
    ])('%j', (raw, message) => {
      expect(() => stageOf(raw)).toThrow(message);
    });

    test.each([
      [
        { stage: 'production', alarmEmail: 'ops@example.com', corsOrigins: '*' },
        /Invalid context value corsOrigins="\*": expected .*\* is not allowed in production/,
      ],
      [
        { corsOrigins: 'menu.example.com' },
        /Invalid context value corsOrigins="menu.example.com": expected a comma-separated list of origins/,
      ],
      [{ corsOrigins: '*,https://a.example.com' }, /Invalid context value corsOrigins="\*,https:\/\/a.example.com"/],
    ])('%j', (raw, message) => {
      expect(() => corsOf(raw)).toThrow(message);
    });
  });
});

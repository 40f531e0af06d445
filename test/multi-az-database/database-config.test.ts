import { parseDatabaseConfig } from '../../lib/multi-az-database/database-config';
import { parseStage } from '../../lib/shared/stage-config';
import { type RawContext, readerOf } from '../../scripts/template/synth';

const configOf = (raw: RawContext) => parseDatabaseConfig(readerOf(raw), parseStage(readerOf(raw)));

describe('parseDatabaseConfig', () => {
  test('own VPC and no replica by default; a small class in a sandbox; both switches by context', () => {
    expect(configOf({})).toMatchObject({
      network: 'own',
      readReplica: false,
      instanceType: 't4g.micro',
      backupRetentionDays: 1,
      deleteAutomatedBackups: true,
    });
    expect(configOf({ stage: 'production', alarmEmail: 'ops@example.com' })).toMatchObject({
      instanceType: 'm7g.large',
      backupRetentionDays: 14,
      deleteAutomatedBackups: false,
    });
    expect(configOf({ databaseReadReplica: 'true', databaseNetwork: 'containers' })).toMatchObject({
      network: 'containers',
      readReplica: true,
    });
    expect(configOf({ databaseReadReplica: true }).readReplica).toBe(true);
    expect(configOf({ databaseReadReplica: 'false' }).readReplica).toBe(false);
    expect(configOf({}).explicitPort).toBe(false);
    expect(configOf({ databaseExplicitPort: 'true' }).explicitPort).toBe(true);
  });

  test.each([
    [{ databaseReadReplica: 'yes' }, /Invalid context value databaseReadReplica="yes": expected true or false/],
    [{ databaseNetwork: 'shared' }, /Invalid context value databaseNetwork="shared": expected one of own, containers/],
    [{ databaseExplicitPort: '5432' }, /Invalid context value databaseExplicitPort="5432": expected true or false/],
  ])('rejects %j with the key, the value and what is accepted', (raw, message) => {
    expect(() => configOf(raw)).toThrow(message);
  });
});

/**
 * Facts the docs state that come from the templates: they are read off the
 * synthesized templates here, so a change to the stack that makes a doc
 * wrong fails the test run (the alarm tables and cost blocks have their own
 * checks, in each stack's suite and in cost.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { resourcesOfType } from '../../scripts/template/template';
import { snapshotTemplate } from '../helpers/sandbox-templates';

const DOCS = path.resolve(__dirname, '../../docs');
const docs = readdirSync(DOCS).map((file) => [file, readFileSync(path.join(DOCS, file), 'utf8')] as const);
const stages = ['sandbox', 'production'] as const;

/** The resources of one type in an architecture's template snapshot of a stage. */
const resourcesOf = (architecture: string, stage: (typeof stages)[number], type: string) =>
  resourcesOfType(snapshotTemplate(architecture, stage).template, type).map(([, resource]) => resource);

describe('dashboards', () => {
  const dashboards = new Map(
    stages.map((stage) => [
      stage,
      ARCHITECTURES.flatMap((a) => resourcesOf(a.name, stage, 'AWS::CloudWatch::Dashboard').map((d) => String(d.Properties.DashboardName))),
    ]),
  );

  test('the sandbox has none (its idle cost), production one per architecture', () => {
    expect(dashboards.get('sandbox')).toEqual([]);
    expect(dashboards.get('production')).toHaveLength(ARCHITECTURES.length);
  });

  test.each(docs)('%s: every dashboard it names exists, in the stage its name says', (_, text) => {
    for (const [, name] of text.matchAll(/Dashboards → `([^`]+)`/g)) {
      expect([name, dashboards.get('production')!.includes(name!)]).toEqual([name, true]);
    }
  });

  test.each(docs)('%s: every paragraph or table row that mentions the stack’s dashboard says it is production’s', (_, text) => {
    const units = text
      .split(/\n\s*\n/)
      .flatMap((paragraph) => (paragraph.trimStart().startsWith('|') ? paragraph.split('\n') : [paragraph]));
    const ours = /CloudWatch dashboard|\b(a|the) dashboard\b|Dashboards →/i;
    // A cost table row whose sandbox column is "-" is production's by the table's own columns.
    const productionCostRow = /^\|[^|]+\|\s*-\s*\|/;
    const unqualified = units.filter((unit) => ours.test(unit) && !/production/i.test(unit) && !productionCostRow.test(unit));
    expect(unqualified).toEqual([]);
  });
});

describe('the orders worker’s batching window', () => {
  test('docs/decoupled-orders.md gives the event source’s wait as the template has it, in both stages', () => {
    const windows = stages.flatMap((stage) =>
      resourcesOf('decoupled-orders', stage, 'AWS::Lambda::EventSourceMapping').map((m) => m.Properties.MaximumBatchingWindowInSeconds),
    );
    expect(new Set(windows).size).toBe(1);
    const doc = docs.find(([file]) => file === 'decoupled-orders.md')![1];
    const stated = [...doc.matchAll(/waits up to (\d+) s/g)].map((m) => Number(m[1]));
    expect(stated.length).toBeGreaterThan(0);
    expect(new Set(stated)).toEqual(new Set(windows));
    // What a client sees first is a 404 for at least that long, never "a fraction of a second".
    expect(doc).not.toMatch(/fraction of a second|well under a second/);
  });
});

describe('the clickstream stream', () => {
  test('docs/clickstream.md gives the shard count of each stage, and no on-demand mode it does not have', () => {
    const shards = Object.fromEntries(
      stages.map((stage) => [stage, resourcesOf('clickstream', stage, 'AWS::Kinesis::Stream').map((s) => s.Properties)]),
    );
    for (const stage of stages) {
      expect(shards[stage]).toHaveLength(1);
      expect(shards[stage]![0].StreamModeDetails?.StreamMode ?? 'PROVISIONED').toBe('PROVISIONED');
    }
    const doc = docs.find(([file]) => file === 'clickstream.md')![1];
    const diagram = /kds\[Kinesis Data Streams<br\/>([^\]]+)\]/.exec(doc)![1]!;
    expect(diagram).toContain(`${shards.sandbox![0].ShardCount} shard (sandbox)`);
    expect(diagram).toContain(`${shards.production![0].ShardCount} (production)`);
    expect(diagram).not.toMatch(/on demand/);
  });
});

describe('cdk watch', () => {
  test('redeploys on the app’s code only: docs, tests, scripts, releases and Markdown are excluded in cdk.json', () => {
    const { watch } = JSON.parse(readFileSync(path.resolve(__dirname, '../../cdk.json'), 'utf8')) as {
      watch: { include: string[]; exclude: string[] };
    };
    expect(watch.exclude).toEqual(expect.arrayContaining(['**/*.md', 'docs', 'test', 'scripts', 'releases', 'bench', 'cdk.out']));
  });

  test('the README says which commands need an AWS account, and that watch waits silently without credentials', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    expect(readme).toMatch(/`npx cdk diff`,\s+`npx cdk deploy` and `npx cdk watch` need credentials/);
    expect(readme).toMatch(/`cdk watch` synthesizes and then\s+waits without a word/);
  });
});

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import type { Architecture } from '../../lib/shared/architecture';
import type { RawContext } from '../../scripts/template/synth';
import { resourcesOfType } from '../../scripts/template/template';
import { synthArchitecture } from './synth';

interface AlarmFacts {
  /** The name after `<stack name>-`. */
  readonly name: string;
  /** Its description in each stage it has (a stage may give it other thresholds). */
  readonly descriptions: readonly string[];
  /** When it fires, in the words the docs use: "the first 1-minute period", "2 of 3 5-minute periods". */
  readonly firesAfter: string;
}

type AlarmProperties = {
  AlarmName: string;
  AlarmDescription?: string;
  Period?: number;
  Metrics?: { MetricStat?: { Period: number } }[];
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
};

/** When an alarm fires, read off its template properties. */
export function firesAfter(alarm: AlarmProperties): string {
  const periods =
    alarm.Period !== undefined ? [alarm.Period] : (alarm.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Period] : []));
  const minutes = Math.max(...periods) / 60;
  const datapoints = alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods;
  return datapoints === 1 && alarm.EvaluationPeriods === 1
    ? `the first ${minutes}-minute period`
    : `${datapoints} of ${alarm.EvaluationPeriods} ${minutes}-minute periods`;
}

/** Every alarm of the architecture's stack, synthesized in each of `contexts`. */
function alarmsOf(architecture: Architecture<Stack>, contexts: readonly RawContext[]): Map<string, AlarmFacts> {
  const alarms = new Map<string, AlarmFacts>();
  for (const context of contexts) {
    const { stackName, template } = synthArchitecture(architecture, context);
    for (const [, resource] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
      const properties = resource.Properties as AlarmProperties;
      const prefix = `${stackName}-`;
      expect([properties.AlarmName, properties.AlarmName.startsWith(prefix)]).toEqual([properties.AlarmName, true]);
      const name = properties.AlarmName.slice(prefix.length);
      const descriptions = [...new Set([...(alarms.get(name)?.descriptions ?? []), properties.AlarmDescription ?? ''])];
      alarms.set(name, { name, descriptions, firesAfter: firesAfter(properties) });
    }
  }
  return alarms;
}

/** The rows of the doc's "## Alarms" table: alarm name (in backticks) to its cells. */
function documentedRows(docFile: string): Map<string, string[]> {
  const doc = readFileSync(docFile, 'utf8');
  const section = doc.split(/^## /m).find((part) => part.startsWith('Alarms\n'));
  if (!section) throw new Error(`${docFile} has no "## Alarms" section`);
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([^`]+)`/.exec(cells[1] ?? '')?.[1];
    if (name) rows.set(name, cells.slice(1));
  }
  return rows;
}

/** The rows of the doc's "## Alarms" table: alarm name (in backticks) to its "fires after" cell. */
function documentedAlarms(docFile: string): Map<string, string> {
  return new Map([...documentedRows(docFile)].map(([name, cells]) => [name, cells[1] ?? '']));
}

/**
 * The doc's alarm table says, for every alarm of the architecture, when it
 * fires, and says it as the template does; every alarm has a name that says
 * what it watches and a description an on-call engineer can act on.
 */
export function describeAlarmDocs(architecture: Architecture<Stack>, contexts: readonly RawContext[]): void {
  describe(`alarms and docs/${architecture.name}.md`, () => {
    const docFile = path.join(__dirname, '..', '..', 'docs', `${architecture.name}.md`);

    test('the doc lists every alarm, and no other, with when it fires as the template has it', () => {
      const alarms = alarmsOf(architecture, contexts);
      const documented = documentedAlarms(docFile);
      expect([...documented.keys()].sort()).toEqual([...alarms.keys()].sort());
      for (const alarm of alarms.values()) expect([alarm.name, documented.get(alarm.name)]).toEqual([alarm.name, alarm.firesAfter]);
    });

    test("every threshold an alarm has, in every stage, is in the doc's row for it (a stage's own figures are not left out)", () => {
      const rows = documentedRows(docFile);
      for (const { name, descriptions } of alarmsOf(architecture, contexts).values()) {
        const meaning = rows.get(name)?.[2] ?? '';
        // A figure with its unit or the word after it: "80%", "80 connections" and "20 GiB" are three facts.
        const figures = descriptions.flatMap((description) => description.match(/\d[\d,]*(?:\.\d+)?(?:%|\s[A-Za-z]+)?/g) ?? []);
        const missing = [...new Set(figures)].filter((figure) => !meaning.includes(figure));
        expect({ name, missing }).toEqual({ name, missing: [] });
      }
    });

    test('every alarm says what is wrong and where to look first, not the library default text', () => {
      for (const alarm of alarmsOf(architecture, contexts).values()) {
        // Every stage's description, not only the last one synthesized.
        for (const description of alarm.descriptions) {
          expect([alarm.name, /too (high|low)|has been breached|above threshold/i.test(description)]).toEqual([alarm.name, false]);
          expect([alarm.name, description]).toEqual([alarm.name, expect.stringMatching(/First check: .{10,}/)]);
          expect(description.length).toBeLessThanOrEqual(1024); // CloudWatch's limit
        }
      }
    });
  });
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { STAGE_NAMES, type StageName } from '../../lib/shared/stage-config';
import { byStack } from '../../scripts/template/synth';
import type { CfnTemplate } from '../../scripts/template/template';
import { compareStacks, DATA_BEARING } from '../../scripts/upgrade/compare';
import { lastRelease, readTemplates, releaseDir, releases } from '../../scripts/upgrade/releases';
import { stageSynthesis } from '../helpers/stage-synthesis';
import { expectNoUndeclaredRisk } from './guard';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The upgrade guard: each stage as this checkout synthesizes it, compared
 * with every release's templates (releases/<version>/<stage>, never written
 * by a test or by `jest -u`) with the engine `cdk diff` uses. A user may
 * upgrade from any release, so every one is checked, not only the last.
 */
const current = new Map<StageName, Record<string, CfnTemplate>>();
const synthesized = (stage: StageName) => {
  // The templates as `cdk synth` writes them: the run's one synthesis of the stage.
  if (!current.has(stage)) current.set(stage, byStack(stageSynthesis(stage).stacks));
  return current.get(stage)!;
};

describe.each(STAGE_NAMES)('upgrading a %s deployment', (stage) => {
  test.each(releases())('from release %s puts no undeclared data at risk', (version) => {
    const report = compareStacks(readTemplates(releaseDir(version, stage)), synthesized(stage));
    expect(report.compared.length).toBeGreaterThan(0);
    expectNoUndeclaredRisk(report, `release ${version} (${stage})`);
  });

  test('the guard fails when a data-bearing resource of the last release would be replaced', () => {
    const baseline = readTemplates(releaseDir(lastRelease(), stage));
    const [stack, template] = Object.entries(synthesized(stage))[0]!;
    const [logicalId] = Object.entries(template.Resources).find(([id, r]) => DATA_BEARING[r.Type] && baseline[stack]?.Resources[id])!;
    const renamed = structuredClone(template) as { Resources: Record<string, unknown> };
    renamed.Resources[`${logicalId}Renamed`] = renamed.Resources[logicalId];
    delete renamed.Resources[logicalId];
    const report = compareStacks(baseline, { ...synthesized(stage), [stack]: renamed as CfnTemplate });
    expect(() => expectNoUndeclaredRisk(report, 'the last release')).toThrow(
      new RegExp(`${stack} ${logicalId} \\(.*removed from the template`),
    );
  });
});

describe('releases', () => {
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const changelog = readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');

  test("package.json's version is a release with a changelog entry and both stages' baselines", () => {
    expect(releases()).toContain(version);
    expect(changelog).toMatch(new RegExp(`^## ${version.replace(/\./g, '\\.')}\\b`, 'm'));
    for (const stage of STAGE_NAMES) expect(Object.keys(readTemplates(releaseDir(version, stage))).length).toBeGreaterThan(0);
  });

  test('every release has a changelog entry with its upgrade impact', () => {
    for (const release of releases()) {
      const entry = changelog.split(new RegExp(`^## ${release.replace(/\./g, '\\.')}\\b`, 'm'))[1]?.split(/^## /m)[0];
      expect(entry).toMatch(/^### Upgrade impact$/m);
    }
  });
});

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import type { Architecture } from '../../lib/shared/architecture';
import { normalizedTemplate, snapshotFile } from '../../scripts/template/snapshot';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';
import { synthArchitecture } from './synth';

/** Jest's snapshot mode: 'all' with -u, 'none' with --ci, 'new' otherwise. */
function updateMode(): 'all' | 'new' | 'none' {
  const state = expect.getState().snapshotState as unknown as { _updateSnapshot?: 'all' | 'new' | 'none' } | undefined;
  return state?._updateSnapshot ?? 'none';
}

/**
 * Safety net, not the specification (the fine-grained tests say what
 * matters): each stage's template of the architecture equals its snapshot
 * file. Written when missing (not under --ci) and rewritten with `npx jest -u`
 * after reading the diff.
 */
export function describeTemplateSnapshots(architecture: Architecture<Stack>, testDir: string): void {
  describe('template snapshots', () => {
    test.each(Object.keys(STAGE_CONTEXTS) as (keyof typeof STAGE_CONTEXTS)[])('%s template matches its snapshot file', (stage) => {
      const { stackName, template } = synthArchitecture(architecture, STAGE_CONTEXTS[stage]);
      expectSnapshotFile(snapshotFile(testDir, stackName), normalizedTemplate(template.toJSON()));
    });
  });
}

/**
 * `actual` (a normalized template) equals the snapshot file: written when
 * missing (not under --ci), rewritten with `npx jest -u`.
 */
export function expectSnapshotFile(file: string, actual: string): void {
  const mode = updateMode();
  if ((!existsSync(file) && mode !== 'none') || mode === 'all') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  if (!existsSync(file)) throw new Error(`No snapshot file ${file}; run npx jest -u to write it`);
  expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

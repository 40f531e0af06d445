import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { declaredHandlerEntries, HANDLER_ENTRY_METADATA } from '../../lib/shared/observed-function';
import { buildApp, STAGE_CONTEXTS } from '../../scripts/template/synth';
import type { CfnResource } from '../../scripts/template/template';

/**
 * The one real bundling of the test run: every function of the app is
 * bundled by the local esbuild (never Docker), minified, with a source map.
 */
describe('Lambda bundling', () => {
  // The entries declared when the app adds its first stack (no construct, so nothing bundled, before it): what the
  // first bundling of a synth bundles with it. They are declared as the stacks' modules load (loadStackModules).
  let declaredBeforeBuild: readonly string[] | undefined;
  const adds = ARCHITECTURES.map((architecture) => {
    const add = architecture.add;
    return jest.spyOn(architecture as { add: typeof add }, 'add').mockImplementation((scope) => {
      declaredBeforeBuild ??= declaredHandlerEntries();
      return add(scope);
    });
  });
  // Without the validation packs, which the app suites run on the same stacks.
  const { app } = buildApp(STAGE_CONTEXTS.sandbox, { bundle: true, packs: false });
  for (const spy of adds) spy.mockRestore();
  const assembly = app.synth();
  const functions = assembly.stacks.flatMap((stack: CloudFormationStackArtifact) =>
    Object.entries(stack.template.Resources as Record<string, CfnResource>)
      // Our handlers (CDK's own custom resource providers ship prebuilt).
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && (r as any).Metadata?.[HANDLER_ENTRY_METADATA])
      .map(([id, r]) => {
        // The code's S3 key is the asset hash; the staged asset sits beside the template.
        const hash = String(r.Properties.Code.S3Key).replace(/\.zip$/, '');
        return [
          `${stack.stackName}/${id}`,
          path.join(assembly.directory, `asset.${hash}`),
          String((r as any).Metadata[HANDLER_ENTRY_METADATA]),
        ] as const;
      }),
  );

  test('finds the functions to check', () => {
    expect(functions.length).toBeGreaterThanOrEqual(4);
  });

  test.each(functions)('%s is one minified file with a source map and the AWS SDK bundled in', (_, dir) => {
    const bundle = path.join(dir, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    // Minified: few, long lines (the bundled SDK keeps a few multi-line template strings).
    expect(code.split('\n').length).toBeLessThan(100);
    expect(code.length / code.split('\n').length).toBeGreaterThan(2_000);
    // The SDK clients the handler uses are in the bundle (faster to load, see
    // ObservedFunction): none is required from the runtime's copy. (The SDK's
    // optional CRT signer, for SigV4a only, stays an optional require.)
    expect(code).not.toMatch(/require\("@aws-sdk\/(client|lib)-/);
    expect(code).toMatch(/dynamodb\.|secretsmanager\.|cloudformation\./);
    expect(statSync(bundle).size).toBeGreaterThan(100_000);
  });

  test.each(functions)(
    '%s has its entry declared where its module loads, so one esbuild run bundles it with the others',
    (_, __, entry) => {
      expect(declaredBeforeBuild).toContain(path.resolve(__dirname, '../..', entry));
    },
  );

  test.each(functions)("%s is its own handler's bundle (two handlers of one folder are two assets)", (_, dir, entry) => {
    const map = JSON.parse(readFileSync(path.join(dir, 'index.js.map'), 'utf8')) as { sources: string[] };
    const entryName = path.basename(entry);
    const handlerSources = map.sources.filter(
      (source) => /\/lambda\/[^/]+\/[^/]+\.ts$/.test(source) && !source.includes('/lambda/shared/'),
    );
    expect(handlerSources.map((source) => path.basename(source))).toContain(entryName);
    // No other handler of the folder is in it (a handler's own helpers may be).
    const siblings = functions.filter(([, , other]) => other !== entry && path.dirname(other) === path.dirname(entry));
    for (const [, , other] of siblings) expect(handlerSources.map((source) => path.basename(source))).not.toContain(path.basename(other));
  });

  test('every size the docs give for the bundles is true of the bundles, and close to the largest (a ceiling that says something)', () => {
    const docsDir = path.resolve(__dirname, '../../docs');
    const claims = readdirSync(docsDir).flatMap((file) =>
      [...readFileSync(path.join(docsDir, file), 'utf8').matchAll(/bundles? (?:of at most|under) (\d+) KB/g)].map(
        (match) => [file, Number(match[1])] as const,
      ),
    );
    expect(claims.length).toBeGreaterThan(0);
    const largest = Math.max(...functions.map(([, dir]) => statSync(path.join(dir, 'index.js')).size)) / 1024;
    for (const [file, ceiling] of claims) {
      expect({ file, ceiling, holds: largest <= ceiling }).toEqual({ file, ceiling, holds: true });
      expect({ file, ceiling, tight: ceiling <= largest * 1.3 }).toEqual({ file, ceiling, tight: true });
    }
  });

  test('the schema migrations are copied next to their handler, byte for byte', () => {
    const [, dir] = functions.find(([name]) => name.includes('SchemaMigrations'))!;
    const source = path.resolve(__dirname, '../../lambda/multi-az-database/migrations');
    const files = readdirSync(source).sort();
    expect(files.length).toBeGreaterThan(0);
    expect(readdirSync(path.join(dir, 'migrations')).sort()).toEqual(files);
    for (const file of files) {
      expect(readFileSync(path.join(dir, 'migrations', file), 'utf8')).toBe(readFileSync(path.join(source, file), 'utf8'));
    }
  });
});

